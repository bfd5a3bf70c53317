#pragma once

// A session's state as it moves between phone and display (docs/protocol.md section 7):
// files plus the packet log, and the "bundle" form of it, one ZIP archive.

#include "error.h"
#include "packetlog.h"
#include "protocol.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <optional>

namespace mobility {

// What a receiver accepts in an archive. The defaults are the protocol's own bounds;
// toZip() checks against them too, so that a bundle it writes is one a receiver with
// the same limits reads.
struct StateBundleLimits
{
    // Entries in the archive, log.xml included.
    int maxEntries = 1000;
    // Bytes of all entries once expanded, log.xml included. Counted as the data
    // expands, not taken from the headers.
    qint64 maxExpandedBytes = 64 * 1024 * 1024;
    // Most bytes an entry, and the archive as a whole, may expand to per compressed
    // byte; 0 turns the check off. Deflate reaches about 1000:1 on runs of one byte,
    // real state (XML, JSON, images) well under 20:1.
    int maxCompressionRatio = 100;
    // Entries, and archives, that expand to no more than this are not held to the
    // ratio: a few kilobytes of zeros are harmless, whatever the ratio.
    qint64 ratioExemptBytes = 1024 * 1024;
    PacketLogLimits log;
};

struct StateBundle
{
    using Limits = StateBundleLimits;

    // Name -> content. Names as isValidTransferFileName() allows, except logFileName.
    QMap<QString, QByteArray> files;
    PacketLog log;

    // The files' contents together, in bytes.
    qint64 fileBytes() const
    {
        qint64 total = 0;
        for (const QByteArray &data : files)
            total += data.size();
        return total;
    }

    // One ZIP archive: every file (deflated; stored instead when deflate would exceed the
    // ratio limit) and log.xml (PacketLog::toXml()), names in UTF-8. Fails with
    // InvalidInput for a name that is not valid or is logFileName, and with LimitExceeded
    // when the bundle is over the limits' entries or expanded size.
    xmpp::Result<QByteArray> toZip(const Limits &limits = {}) const;

    // Reads an archive from an untrusted peer, in memory only. Refuses, with a detail
    // naming the entry and the rule:
    // - InvalidInput: anything but a ZIP archive, a damaged one (bad CRC, a size that is
    //   not what the headers say, truncated data), an absolute path, a ".." component,
    //   any other name isValidTransferFileName() refuses (subdirectories among them), a
    //   name that is not UTF-8 or appears twice, a symbolic or hard link, a directory,
    //   any other entry that is not a regular file, an encrypted entry, a missing or
    //   invalid log.xml;
    // - LimitExceeded: more than maxEntries entries, an expanded size over
    //   maxExpandedBytes (whether declared or found while expanding), an entry or the
    //   whole archive expanding more than maxCompressionRatio beyond ratioExemptBytes.
    // Directories are refused rather than skipped: a bundle is flat, and its writer
    // never adds one.
    static xmpp::Result<StateBundle> fromZip(const QByteArray &zip, const Limits &limits = {});

    // The digest of data with an XEP-0300 algorithm transferHashAlgorithm() knows; empty
    // for any other name.
    static QByteArray digest(const QByteArray &data, const QString &hashAlgorithm);
    // A manifest entry for one file (the files of a bundle, or the archive itself when it
    // goes as one file). InvalidInput for a name or algorithm the protocol does not allow.
    static xmpp::Result<TransferFile> describe(const QString &name, const QByteArray &data,
                                               const QString &hashAlgorithm);
    // Whether data is what the description promises; if not, the <transfer-failed/>
    // reason: Size, Digest, or Other for an algorithm this side does not know.
    static std::optional<TransferFailed::Reason> verify(const TransferFile &expected,
                                                        const QByteArray &data);

    // The manifest of all files in name order (the log goes as <log count/> beside it).
    xmpp::Result<QList<TransferFile>> manifest(const QString &hashAlgorithm) const;

    // "log.xml"
    static const QString logFileName;
};

} // namespace mobility
