#include "eventlog.h"

#include <QElapsedTimer>
#include <QJsonDocument>

#include <cstdio>

namespace phone {

void EventLog::write(const QString &event, const QJsonObject &fields)
{
    // QJsonObject sorts its keys; the event name goes first by hand so that a line can be
    // recognised by its start.
    // Milliseconds since the first event: scripts and benchmarks time the steps with it.
    static const QElapsedTimer clock = [] {
        QElapsedTimer started;
        started.start();
        return started;
    }();
    QJsonObject named;
    named.insert(QStringLiteral("event"), event);
    QJsonObject timed = fields;
    timed.insert(QStringLiteral("t_ms"), double(clock.nsecsElapsed()) / 1e6);
    QByteArray line = QJsonDocument(named).toJson(QJsonDocument::Compact);
    line.chop(1);
    line += ',' + QJsonDocument(timed).toJson(QJsonDocument::Compact).mid(1);
    line += '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

} // namespace phone
