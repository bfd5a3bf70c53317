#include "statebundle.h"

#include <QCryptographicHash>
#include <QSet>
#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <memory>

namespace mobility {

const QString StateBundle::logFileName = QStringLiteral("log.xml");

namespace {

using xmpp::ErrorCondition;
using xmpp::makeError;

// A regular file, rw-r--r--: the modes mean nothing to a bundle's reader.
constexpr int entryPermissions = 0644;
// 2000-01-01T00:00:00Z for every entry: file times mean nothing in a bundle either, and
// the display's clock is nobody's business.
constexpr time_t entryTime = 946684800;
// Most memory reserved for an entry on the word of its header.
constexpr qint64 maxReservedBytes = 1024 * 1024;
// Below this size an entry cannot expand to anything worth a trial compression.
constexpr qsizetype trialCompressionMinBytes = 64;

// libarchive converts entry names between UTF-8 and the C library's locale, so under
// the "C" locale a daemon often runs in, every name beyond ASCII would fail. The calling
// thread uses C.UTF-8 while it reads or writes an archive; other threads are untouched.
// Should that locale be missing, names stay limited to what the current one can carry.
class Utf8LocaleScope
{
public:
    Utf8LocaleScope()
        : m_locale(newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(nullptr)))
    {
        if (m_locale)
            m_previous = uselocale(m_locale);
    }
    ~Utf8LocaleScope()
    {
        if (m_locale) {
            uselocale(m_previous);
            freelocale(m_locale);
        }
    }
    Utf8LocaleScope(const Utf8LocaleScope &) = delete;
    Utf8LocaleScope &operator=(const Utf8LocaleScope &) = delete;

private:
    locale_t m_locale;
    locale_t m_previous = locale_t(nullptr);
};

using ArchiveReader = std::unique_ptr<archive, decltype(&archive_read_free)>;
using ArchiveWriter = std::unique_ptr<archive, decltype(&archive_write_free)>;
using ArchiveEntry = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

QString archiveMessage(archive *handle)
{
    const char *message = archive_error_string(handle);
    return message ? QString::fromUtf8(message) : QStringLiteral("unknown libarchive error");
}

// An entry name from the peer as it may appear in an error detail and so in the log:
// control characters replaced, length bounded.
QString displayName(const QString &name)
{
    constexpr qsizetype maxChars = 120;
    QString shown = name.left(maxChars);
    for (QChar &c : shown) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u'?';
    }
    if (name.size() > maxChars)
        shown += QStringLiteral("...");
    return u'\'' + shown + u'\'';
}

xmpp::Error entryError(ErrorCondition condition, const QString &name, const QString &rule)
{
    return makeError(condition, QStringLiteral("entry %1: %2").arg(displayName(name), rule));
}

la_ssize_t appendToByteArray(archive *, void *clientData, const void *buffer, size_t length)
{
    static_cast<QByteArray *>(clientData)
        ->append(static_cast<const char *>(buffer), qsizetype(length));
    return la_ssize_t(length);
}

// Whether deflating the data would expand more than half the ratio limit allows on the
// receiving side, found by deflating it with zlib's defaults, as libarchive does. Such
// entries are stored: the receiver then sees a ratio of 1 instead of refusing the bundle.
// The margin of two covers the receiver counting compressed bytes a little differently.
bool storeRatherThanDeflate(const QByteArray &data, const StateBundle::Limits &limits)
{
    if (limits.maxCompressionRatio <= 0 || data.size() < trialCompressionMinBytes)
        return false;
    // qCompress() adds a 4-byte length and zlib's 2-byte header and 4-byte checksum to the
    // deflate stream a ZIP entry holds.
    const qsizetype deflatedBytes = std::max<qsizetype>(qCompress(data).size() - 10, 1);
    return data.size() > deflatedBytes * std::max(limits.maxCompressionRatio / 2, 1);
}

// Writes one regular file into the archive.
xmpp::Status writeEntry(archive *writer, const QString &name, const QByteArray &data, bool store)
{
    // Unlike the "compression" format option, these may change between entries.
    const int chosen = store ? archive_write_zip_set_compression_store(writer)
                             : archive_write_zip_set_compression_deflate(writer);
    if (chosen != ARCHIVE_OK)
        return makeError(
            ErrorCondition::InvalidInput,
            QStringLiteral("cannot choose ZIP compression: %1").arg(archiveMessage(writer)));
    ArchiveEntry entry(archive_entry_new(), &archive_entry_free);
    if (!entry)
        return makeError(ErrorCondition::LimitExceeded, QStringLiteral("out of memory"));
    const QByteArray utf8Name = name.toUtf8();
    archive_entry_set_pathname_utf8(entry.get(), utf8Name.constData());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), entryPermissions);
    archive_entry_set_size(entry.get(), data.size());
    archive_entry_set_mtime(entry.get(), entryTime, 0);
    if (archive_write_header(writer, entry.get()) != ARCHIVE_OK)
        return entryError(
            ErrorCondition::InvalidInput, name,
            QStringLiteral("cannot write its header: %1").arg(archiveMessage(writer)));
    qsizetype written = 0;
    while (written < data.size()) {
        const la_ssize_t count =
            archive_write_data(writer, data.constData() + written, size_t(data.size() - written));
        if (count <= 0)
            return entryError(
                ErrorCondition::InvalidInput, name,
                QStringLiteral("cannot write its data: %1").arg(archiveMessage(writer)));
        written += qsizetype(count);
    }
    return xmpp::success();
}

// Counts the ZIP central-directory signature, "PK\1\2", anywhere in the archive.
// libarchive reads the whole central directory into memory before it hands out the first
// entry, one record per signature, so this bounds what that costs whatever the records
// claim. Stored data may hold the signature too, hence a generous factor on maxEntries
// before anything is refused on this count.
qsizetype centralDirectorySignatures(const QByteArray &zip)
{
    static const QByteArray signature("PK\x01\x02", 4);
    qsizetype count = 0;
    for (qsizetype at = zip.indexOf(signature); at >= 0; at = zip.indexOf(signature, at + 4))
        ++count;
    return count;
}
constexpr qsizetype centralDirectoryGuardFactor = 16;

// The rules an entry's header must pass before any of its data is read.
xmpp::Status checkEntryHeader(archive_entry *entry, const QString &name, const QSet<QString> &seen)
{
    if (name.startsWith(u'/'))
        return entryError(ErrorCondition::InvalidInput, name,
                          QStringLiteral("an absolute path is not allowed"));
    if (name.split(u'/').contains(QStringLiteral("..")))
        return entryError(ErrorCondition::InvalidInput, name,
                          QStringLiteral("a '..' path component is not allowed"));
    if (archive_entry_hardlink(entry))
        return entryError(ErrorCondition::InvalidInput, name,
                          QStringLiteral("a hard link is not allowed"));
    if (archive_entry_filetype(entry) == AE_IFLNK || archive_entry_symlink(entry))
        return entryError(ErrorCondition::InvalidInput, name,
                          QStringLiteral("a symbolic link is not allowed"));
    if (archive_entry_filetype(entry) == AE_IFDIR)
        return entryError(ErrorCondition::InvalidInput, name,
                          QStringLiteral("a directory is not allowed; a state bundle is flat"));
    if (archive_entry_filetype(entry) != AE_IFREG)
        return entryError(ErrorCondition::InvalidInput, name,
                          QStringLiteral("only regular files are allowed (file type %1)")
                              .arg(archive_entry_filetype(entry), 0, 8));
    if (archive_entry_is_encrypted(entry))
        return entryError(ErrorCondition::InvalidInput, name,
                          QStringLiteral("an encrypted entry is not allowed"));
    if (!isValidTransferFileName(name))
        return entryError(ErrorCondition::InvalidInput, name,
                          QStringLiteral("not a plain file name (1-255 bytes, no '/', '\\' "
                                         "or control characters)"));
    if (seen.contains(name))
        return entryError(ErrorCondition::InvalidInput, name,
                          QStringLiteral("the name appears twice"));
    return xmpp::success();
}

// Reads one entry's data, enforcing the limits on what it actually expands to.
xmpp::Result<QByteArray> readEntryData(archive *reader, archive_entry *entry, const QString &name,
                                       qint64 &expandedBytes, qsizetype archiveBytes,
                                       const StateBundle::Limits &limits)
{
    const bool sizeDeclared = archive_entry_size_is_set(entry);
    const qint64 declaredBytes = archive_entry_size(entry);
    const qint64 bytesLeft = limits.maxExpandedBytes - expandedBytes;
    if (sizeDeclared && declaredBytes > bytesLeft)
        return entryError(ErrorCondition::LimitExceeded, name,
                          QStringLiteral("declares %1 bytes, more than the %2 left of the "
                                         "%3-byte limit")
                              .arg(declaredBytes)
                              .arg(bytesLeft)
                              .arg(limits.maxExpandedBytes));
    const qint64 ratio = limits.maxCompressionRatio;
    const la_int64_t compressedStart = archive_filter_bytes(reader, 0);

    QByteArray data;
    // A hint only, and a capped one: a header cannot make this allocate much up front.
    if (sizeDeclared && declaredBytes > 0)
        data.reserve(qsizetype(std::min<qint64>(declaredBytes, maxReservedBytes)));
    for (;;) {
        const void *block = nullptr;
        size_t blockBytes = 0;
        la_int64_t offset = 0;
        const int status = archive_read_data_block(reader, &block, &blockBytes, &offset);
        if (status == ARCHIVE_EOF)
            break;
        if (status != ARCHIVE_OK)
            return entryError(ErrorCondition::InvalidInput, name, archiveMessage(reader));
        // ZIP has no holes; an offset elsewhere would make the data ambiguous.
        if (offset != data.size())
            return entryError(ErrorCondition::InvalidInput, name,
                              QStringLiteral("its data is not contiguous"));
        const qint64 entryBytes = data.size() + qint64(blockBytes);
        expandedBytes += qint64(blockBytes);
        if (sizeDeclared && entryBytes > declaredBytes)
            return entryError(ErrorCondition::InvalidInput, name,
                              QStringLiteral("holds more than the %1 bytes its header declares")
                                  .arg(declaredBytes));
        if (expandedBytes > limits.maxExpandedBytes)
            return makeError(
                ErrorCondition::LimitExceeded,
                QStringLiteral("the archive expands to more than %1 bytes (at entry %2)")
                    .arg(limits.maxExpandedBytes)
                    .arg(displayName(name)));
        // Against the whole archive's size, which is known from the start: a prefix that
        // passes never fails later, so this can stop a bomb as it expands.
        if (ratio > 0 && expandedBytes > limits.ratioExemptBytes &&
            expandedBytes > ratio * archiveBytes)
            return makeError(ErrorCondition::LimitExceeded,
                             QStringLiteral("the archive expands to more than %1 times its %2 "
                                            "bytes (at entry %3)")
                                 .arg(ratio)
                                 .arg(archiveBytes)
                                 .arg(displayName(name)));
        data.append(static_cast<const char *>(block), qsizetype(blockBytes));
    }
    if (sizeDeclared && data.size() != declaredBytes)
        return entryError(ErrorCondition::InvalidInput, name,
                          QStringLiteral("holds %1 bytes, its header declares %2")
                              .arg(data.size())
                              .arg(declaredBytes));
    // Per entry only at its end: compressed bytes are consumed in bursts, so a ratio taken
    // halfway through could refuse an entry whose whole ratio is fine.
    const qint64 compressedBytes =
        std::max<qint64>(archive_filter_bytes(reader, 0) - compressedStart, 1);
    if (ratio > 0 && data.size() > limits.ratioExemptBytes && data.size() > ratio * compressedBytes)
        return entryError(ErrorCondition::LimitExceeded, name,
                          QStringLiteral("expands %1 compressed bytes to %2, more than %3:1")
                              .arg(compressedBytes)
                              .arg(data.size())
                              .arg(ratio));
    return data;
}

xmpp::Result<StateBundle> readBundle(const QByteArray &zip, const StateBundle::Limits &limits)
{
    const qsizetype signatures = centralDirectorySignatures(zip);
    if (signatures > qsizetype(limits.maxEntries) * centralDirectoryGuardFactor)
        return makeError(ErrorCondition::LimitExceeded,
                         QStringLiteral("the archive holds %1 central directory signatures; "
                                        "a bundle of at most %2 entries cannot")
                             .arg(signatures)
                             .arg(limits.maxEntries));

    ArchiveReader reader(archive_read_new(), &archive_read_free);
    if (!reader)
        return makeError(ErrorCondition::LimitExceeded, QStringLiteral("out of memory"));
    // ZIP only, read through its central directory: the one that knows file types, and
    // so links. No compression filters: a ZIP compresses inside.
    archive_read_support_format_zip_seekable(reader.get());
    if (archive_read_open_memory(reader.get(), zip.constData(), size_t(zip.size())) != ARCHIVE_OK)
        return makeError(ErrorCondition::InvalidInput,
                         QStringLiteral("not a ZIP archive: %1").arg(archiveMessage(reader.get())));

    StateBundle bundle;
    std::optional<QByteArray> logXml;
    QSet<QString> seen;
    qint64 expandedBytes = 0;
    for (int entryCount = 1;; ++entryCount) {
        archive_entry *entry = nullptr;
        const int status = archive_read_next_header(reader.get(), &entry);
        if (status == ARCHIVE_EOF)
            break;
        if (entryCount > limits.maxEntries)
            return makeError(
                ErrorCondition::LimitExceeded,
                QStringLiteral("the archive has more than %1 entries").arg(limits.maxEntries));
        // Warnings included: they are about names that do not convert and sizes that do
        // not match, both reasons to stop.
        if (status != ARCHIVE_OK)
            return makeError(ErrorCondition::InvalidInput,
                             QStringLiteral("entry %1 of the archive: %2")
                                 .arg(entryCount)
                                 .arg(archiveMessage(reader.get())));
        const char *utf8Name = archive_entry_pathname_utf8(entry);
        if (!utf8Name)
            return makeError(
                ErrorCondition::InvalidInput,
                QStringLiteral("entry %1 of the archive: its name is not UTF-8").arg(entryCount));
        const QString name = QString::fromUtf8(utf8Name);
        if (const xmpp::Status checked = checkEntryHeader(entry, name, seen); !checked)
            return checked.error();
        seen.insert(name);

        xmpp::Result<QByteArray> data =
            readEntryData(reader.get(), entry, name, expandedBytes, zip.size(), limits);
        if (!data)
            return data.error();
        if (name == StateBundle::logFileName)
            logXml = std::move(data).value();
        else
            bundle.files.insert(name, std::move(data).value());
    }

    if (!logXml)
        return makeError(ErrorCondition::InvalidInput,
                         QStringLiteral("the archive has no %1").arg(StateBundle::logFileName));
    std::optional<PacketLog> log = PacketLog::fromXml(*logXml, limits.log);
    if (!log)
        return entryError(ErrorCondition::InvalidInput, StateBundle::logFileName,
                          QStringLiteral("not a packet log within the limits (%1 stanzas, %2 "
                                         "bytes)")
                              .arg(PacketLog(limits.log).limits().maxCount)
                              .arg(PacketLog(limits.log).limits().maxBytes));
    bundle.log = std::move(*log);
    return bundle;
}

} // namespace

xmpp::Result<QByteArray> StateBundle::toZip(const Limits &limits) const
{
    if (files.size() + 1 > limits.maxEntries)
        return makeError(ErrorCondition::LimitExceeded,
                         QStringLiteral("%1 files and %2 make more than %3 entries")
                             .arg(files.size())
                             .arg(logFileName)
                             .arg(limits.maxEntries));
    const QByteArray logXml = log.toXml();
    qint64 expandedBytes = logXml.size();
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        if (!isValidTransferFileName(it.key()) || it.key() == logFileName)
            return entryError(ErrorCondition::InvalidInput, it.key(),
                              QStringLiteral("not a name a state file may have"));
        expandedBytes += it.value().size();
    }
    if (expandedBytes > limits.maxExpandedBytes)
        return makeError(ErrorCondition::LimitExceeded,
                         QStringLiteral("the bundle holds %1 bytes, more than %2")
                             .arg(expandedBytes)
                             .arg(limits.maxExpandedBytes));

    const Utf8LocaleScope utf8Names;
    QByteArray zip;
    ArchiveWriter writer(archive_write_new(), &archive_write_free);
    if (!writer)
        return makeError(ErrorCondition::LimitExceeded, QStringLiteral("out of memory"));
    // Unblocked output, no padding after the end: the archive is exactly the ZIP.
    if (archive_write_set_format_zip(writer.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(writer.get(), 0) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(writer.get(), 1) != ARCHIVE_OK ||
        // Sets the ZIP flag for UTF-8 names, which other readers need to see them right.
        archive_write_set_format_option(writer.get(), "zip", "hdrcharset", "UTF-8") != ARCHIVE_OK ||
        archive_write_open(writer.get(), &zip, nullptr, appendToByteArray, nullptr) != ARCHIVE_OK)
        return makeError(
            ErrorCondition::InvalidInput,
            QStringLiteral("cannot start a ZIP archive: %1").arg(archiveMessage(writer.get())));

    int storedCount = 0;
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const bool store = storeRatherThanDeflate(it.value(), limits);
        storedCount += store ? 1 : 0;
        if (const xmpp::Status written = writeEntry(writer.get(), it.key(), it.value(), store);
            !written)
            return written.error();
    }
    if (const xmpp::Status written =
            writeEntry(writer.get(), logFileName, logXml, storeRatherThanDeflate(logXml, limits));
        !written)
        return written.error();
    if (archive_write_close(writer.get()) != ARCHIVE_OK)
        return makeError(
            ErrorCondition::InvalidInput,
            QStringLiteral("cannot finish the ZIP archive: %1").arg(archiveMessage(writer.get())));
    qCDebug(lcTransfer) << "state bundle:" << files.size() << "files," << log.size()
                        << "log entries," << expandedBytes << "bytes in a ZIP of" << zip.size()
                        << "bytes," << storedCount << "files stored uncompressed";
    return zip;
}

xmpp::Result<StateBundle> StateBundle::fromZip(const QByteArray &zip, const Limits &limits)
{
    const Utf8LocaleScope utf8Names;
    xmpp::Result<StateBundle> bundle = readBundle(zip, limits);
    if (!bundle)
        qCInfo(lcTransfer) << "state bundle refused:" << bundle.error().detail;
    return bundle;
}

QByteArray StateBundle::digest(const QByteArray &data, const QString &hashAlgorithm)
{
    const std::optional<QCryptographicHash::Algorithm> algorithm =
        transferHashAlgorithm(hashAlgorithm);
    if (!algorithm)
        return {};
    return QCryptographicHash::hash(data, *algorithm);
}

xmpp::Result<TransferFile> StateBundle::describe(const QString &name, const QByteArray &data,
                                                 const QString &hashAlgorithm)
{
    if (!isValidTransferFileName(name))
        return entryError(ErrorCondition::InvalidInput, name,
                          QStringLiteral("not a name a state file may have"));
    if (!transferHashAlgorithm(hashAlgorithm))
        return makeError(ErrorCondition::InvalidInput,
                         QStringLiteral("'%1' is not a hash algorithm transfers accept")
                             .arg(hashAlgorithm.left(64)));
    if (data.size() > TransferFile::maxBytes)
        return entryError(ErrorCondition::LimitExceeded, name,
                          QStringLiteral("larger than a transfer allows"));
    return TransferFile{name, data.size(), hashAlgorithm, digest(data, hashAlgorithm)};
}

std::optional<TransferFailed::Reason> StateBundle::verify(const TransferFile &expected,
                                                          const QByteArray &data)
{
    if (data.size() != expected.size)
        return TransferFailed::Reason::Size;
    if (!transferHashAlgorithm(expected.hashAlgorithm))
        return TransferFailed::Reason::Other;
    // Digests are public; a comparison that leaks timing gives nothing away.
    if (digest(data, expected.hashAlgorithm) != expected.digest)
        return TransferFailed::Reason::Digest;
    return std::nullopt;
}

xmpp::Result<QList<TransferFile>> StateBundle::manifest(const QString &hashAlgorithm) const
{
    QList<TransferFile> described;
    described.reserve(files.size());
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        xmpp::Result<TransferFile> file = describe(it.key(), it.value(), hashAlgorithm);
        if (!file)
            return file.error();
        described.append(std::move(file).value());
    }
    return described;
}

} // namespace mobility
