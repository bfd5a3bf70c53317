#pragma once

#include "error.h"
#include "statebundle.h"

#include <QString>

namespace phone {

// A session's state as kiosk-phone keeps it on disk (docs/phone.md): one flat folder, one
// file per state file, and the packet log as log.xml (PacketLog::toXml()'s format, the
// same as in a bundle) when there is one.
struct StateFolderLimits
{
    int maxFiles = 1000;
    qint64 maxBytes = 256 * 1024 * 1024;
};

// Reads every regular file of the folder; log.xml becomes the packet log. Refuses (with
// one line naming the file) subfolders, links, other special files, names a transfer
// cannot carry, and anything over the limits.
xmpp::Result<mobility::StateBundle> readStateFolder(const QString &path, const StateFolderLimits &limits = {});

// Whether writeStateFolder() may write to path: it does not exist yet, or is an empty
// folder. The error's detail is the line to print.
xmpp::Status checkStateFolderTarget(const QString &path);

// Writes the state into a new folder beside path and renames it to path once complete, so
// that path holds either all of the state or nothing of it.
xmpp::Status writeStateFolder(const QString &path, const mobility::StateBundle &state);

} // namespace phone
