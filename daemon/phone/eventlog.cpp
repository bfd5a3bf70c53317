#include "eventlog.h"

#include <QJsonDocument>

#include <cstdio>

namespace phone {

void EventLog::write(const QString &event, const QJsonObject &fields)
{
    // QJsonObject sorts its keys; the event name goes first by hand so that a line can be
    // recognised by its start.
    QJsonObject named;
    named.insert(QStringLiteral("event"), event);
    QByteArray line = QJsonDocument(named).toJson(QJsonDocument::Compact);
    if (!fields.isEmpty()) {
        line.chop(1);
        line += ',' + QJsonDocument(fields).toJson(QJsonDocument::Compact).mid(1);
    }
    line += '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

} // namespace phone
