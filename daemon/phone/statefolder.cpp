#include "statefolder.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

namespace phone {

namespace {

xmpp::Error problem(const QString &detail)
{
    return xmpp::makeError(xmpp::ErrorCondition::InvalidInput, detail);
}

} // namespace

xmpp::Result<mobility::StateBundle> readStateFolder(const QString &path, const StateFolderLimits &limits)
{
    const QFileInfo folder(path);
    if (!folder.isDir())
        return problem(QStringLiteral("--send-state %1 is not a folder").arg(path));
    const QFileInfoList entries =
        QDir(path).entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    if (entries.size() > limits.maxFiles + 1)
        return xmpp::makeError(xmpp::ErrorCondition::LimitExceeded,
                               QStringLiteral("--send-state %1 holds more than %2 files").arg(path).arg(limits.maxFiles));
    mobility::StateBundle state;
    qint64 total = 0;
    for (const QFileInfo &entry : entries) {
        const QString name = entry.fileName();
        // State is flat and names travel as they are: nothing that would mean something
        // else on the other side.
        if (entry.isSymLink() || !entry.isFile())
            return problem(QStringLiteral("--send-state: %1 is not a regular file (folders and links cannot be sent)")
                               .arg(entry.filePath()));
        if (!mobility::isValidTransferFileName(name))
            return problem(QStringLiteral("--send-state: the name %1 cannot be sent").arg(entry.filePath()));
        total += entry.size();
        if (total > limits.maxBytes)
            return xmpp::makeError(xmpp::ErrorCondition::LimitExceeded,
                                   QStringLiteral("--send-state %1 holds more than %2 bytes").arg(path).arg(limits.maxBytes));
        QFile file(entry.filePath());
        if (!file.open(QIODevice::ReadOnly))
            return problem(QStringLiteral("--send-state: %1 cannot be read: %2").arg(entry.filePath(), file.errorString()));
        QByteArray data = file.read(limits.maxBytes + 1);
        if (data.size() != entry.size())
            return problem(QStringLiteral("--send-state: %1 changed while it was read").arg(entry.filePath()));
        if (name == mobility::StateBundle::logFileName) {
            auto log = mobility::PacketLog::fromXml(data);
            if (!log)
                return problem(QStringLiteral("--send-state: %1 is not a packet log (<log xmlns='urn:kioskd:mobility:0'> "
                                              "of <forwarded/> stanzas, oldest first, within 1000 stanzas and 1 MiB)")
                                   .arg(entry.filePath()));
            state.log = std::move(*log);
            continue;
        }
        if (state.files.size() >= limits.maxFiles)
            return xmpp::makeError(xmpp::ErrorCondition::LimitExceeded,
                                   QStringLiteral("--send-state %1 holds more than %2 files").arg(path).arg(limits.maxFiles));
        state.files.insert(name, std::move(data));
    }
    return state;
}

xmpp::Status checkStateFolderTarget(const QString &path)
{
    const QFileInfo target(path);
    if (!target.exists())
        return target.absoluteDir().exists()
                   ? xmpp::success()
                   : problem(QStringLiteral("--pull-state %1: the folder it goes in does not exist").arg(path));
    if (!target.isDir() || target.isSymLink())
        return problem(QStringLiteral("--pull-state %1 exists and is not a folder").arg(path));
    if (!QDir(path).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot))
        return problem(QStringLiteral("--pull-state %1 is not empty; give a new or empty folder").arg(path));
    return xmpp::success();
}

xmpp::Status writeStateFolder(const QString &path, const mobility::StateBundle &state)
{
    if (auto allowed = checkStateFolderTarget(path); !allowed)
        return allowed;
    const QFileInfo target(path);
    QTemporaryDir staging(target.absolutePath() + QStringLiteral("/.%1-partial-XXXXXX").arg(target.fileName()));
    if (!staging.isValid())
        return problem(QStringLiteral("cannot write next to %1: %2").arg(path, staging.errorString()));
    const auto write = [&staging](const QString &name, const QByteArray &data) -> xmpp::Status {
        QFile file(staging.filePath(name));
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly) || file.write(data) != data.size() || !file.flush())
            return problem(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
        return xmpp::success();
    };
    for (auto it = state.files.cbegin(); it != state.files.cend(); ++it) {
        // Names were checked by the transfer; log.xml is the log's alone.
        if (it.key() == mobility::StateBundle::logFileName || !mobility::isValidTransferFileName(it.key()))
            return problem(QStringLiteral("the state holds a file named %1, which this folder cannot keep").arg(it.key()));
        if (auto written = write(it.key(), it.value()); !written)
            return written;
    }
    if (!state.log.isEmpty()) {
        if (auto written = write(mobility::StateBundle::logFileName, state.log.toXml()); !written)
            return written;
    }
    if (target.exists())
        QDir().rmdir(path);
    if (!QDir().rename(staging.path(), path))
        return problem(QStringLiteral("cannot move the received state into %1").arg(path));
    staging.setAutoRemove(false);
    return xmpp::success();
}

} // namespace phone
