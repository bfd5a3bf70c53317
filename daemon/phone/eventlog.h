#pragma once

#include <QJsonObject>
#include <QString>

namespace phone {

// kiosk-phone's output: one JSON object per line on stdout, "event" first, flushed at
// once so a script reading the pipe sees each event as it happens. Never given a
// password or token.
class EventLog
{
public:
    void write(const QString &event, const QJsonObject &fields = {});
};

} // namespace phone
