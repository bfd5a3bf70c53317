#include "statebundle.h"
#include "streamparser.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTest>
#include <archive.h>
#include <archive_entry.h>
#include <clocale>

using namespace mobility;
using namespace Qt::StringLiterals;
using xmpp::ErrorCondition;

namespace {

// One entry of an archive a test writes with libarchive, the way an attacker could.
struct TestEntry
{
    QByteArray name;
    QByteArray data;
    unsigned fileType = AE_IFREG;
    QByteArray symlinkTarget;
    QByteArray hardlinkTarget;
};

la_ssize_t appendTo(archive *, void *clientData, const void *buffer, size_t length)
{
    static_cast<QByteArray *>(clientData)
        ->append(static_cast<const char *>(buffer), qsizetype(length));
    return la_ssize_t(length);
}

enum class Format { Zip, Tar };

// Returns an empty array (and warns) when libarchive refuses something.
QByteArray writeArchive(const QList<TestEntry> &entries, const char *options = nullptr,
                        Format format = Format::Zip)
{
    QByteArray out;
    archive *writer = archive_write_new();
    if (format == Format::Zip)
        archive_write_set_format_zip(writer);
    else
        archive_write_set_format_pax_restricted(writer);
    archive_write_set_bytes_per_block(writer, 0);
    archive_write_set_bytes_in_last_block(writer, 1);
    bool ok = true;
    if (options) {
        ok = archive_write_set_options(writer, options) == ARCHIVE_OK &&
             archive_write_set_passphrase(writer, "secret") == ARCHIVE_OK;
    }
    ok = ok && archive_write_open(writer, &out, nullptr, appendTo, nullptr) == ARCHIVE_OK;
    for (const TestEntry &testEntry : entries) {
        if (!ok)
            break;
        archive_entry *entry = archive_entry_new();
        archive_entry_set_pathname(entry, testEntry.name.constData());
        archive_entry_set_perm(entry, 0644);
        if (!testEntry.hardlinkTarget.isEmpty()) {
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_hardlink(entry, testEntry.hardlinkTarget.constData());
            archive_entry_set_size(entry, 0);
        } else {
            archive_entry_set_filetype(entry, testEntry.fileType);
            if (testEntry.fileType == AE_IFLNK)
                archive_entry_set_symlink(entry, testEntry.symlinkTarget.constData());
            if (testEntry.fileType == AE_IFREG)
                archive_entry_set_size(entry, testEntry.data.size());
        }
        ok = archive_write_header(writer, entry) == ARCHIVE_OK;
        if (ok && !testEntry.data.isEmpty())
            ok = archive_write_data(writer, testEntry.data.constData(),
                                    size_t(testEntry.data.size())) ==
                 la_ssize_t(testEntry.data.size());
        archive_entry_free(entry);
    }
    if (ok)
        ok = archive_write_close(writer) == ARCHIVE_OK;
    if (!ok)
        qWarning("libarchive: %s", archive_error_string(writer));
    archive_write_free(writer);
    return ok ? out : QByteArray();
}

const QByteArray emptyLog = PacketLog().toXml();
const TestEntry logEntry{"log.xml", emptyLog, AE_IFREG, {}, {}};

TestEntry file(const QByteArray &name, const QByteArray &data)
{
    return TestEntry{name, data, AE_IFREG, {}, {}};
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    generator.fillRange(reinterpret_cast<quint32 *>(bytes.data()), size / 4);
    return bytes;
}

// Little-endian fields of the ZIP format (APPNOTE.TXT 4.3).
quint32 readLe32(const QByteArray &bytes, qsizetype at)
{
    quint32 value = 0;
    for (int i = 3; i >= 0; --i)
        value = (value << 8) | quint8(bytes[at + i]);
    return value;
}
void writeLe32(QByteArray &bytes, qsizetype at, quint32 value)
{
    for (int i = 0; i < 4; ++i)
        bytes[at + i] = char((value >> (8 * i)) & 0xff);
}
// The first central directory record of an archive without a comment.
qsizetype firstCentralRecord(const QByteArray &zip)
{
    const qsizetype endRecord = zip.size() - 22;
    if (endRecord < 0 || readLe32(zip, endRecord) != 0x06054b50)
        return -1;
    const qsizetype record = readLe32(zip, endRecord + 16);
    return readLe32(zip, record) == 0x02014b50 ? record : -1;
}
// Makes the first entry's headers, local and central, declare another expanded size.
bool declareSize(QByteArray &zip, quint32 size)
{
    const qsizetype record = firstCentralRecord(zip);
    if (record < 0 || readLe32(zip, 0) != 0x04034b50)
        return false;
    writeLe32(zip, 22, size);
    writeLe32(zip, record + 24, size);
    return true;
}

PacketLog sampleLog(int count)
{
    PacketLog log;
    xmpp::StreamParser parser;
    parser.feed(
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
    const QDateTime start(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC);
    for (int i = 0; i < count; ++i) {
        const std::vector<xmpp::StreamEvent> events =
            parser.feed(u"<message from='alice@example.org/phone' id='m%1' type='chat'>"
                        "<body>caf\u00e9 %1</body></message>"_s.arg(i)
                            .toUtf8());
        // Callers check the size: a stanza that did not make it shows there.
        if (events.size() == 1)
            (void)log.append(events[0].stanza, start.addMSecs(i * 1500));
    }
    return log;
}

QStringList ids(const PacketLog &log)
{
    QStringList all;
    for (const PacketLog::Entry &entry : log.entries())
        all.append(entry.stanza.attribute(u"id"_s));
    return all;
}

} // namespace

class TestStateBundle : public QObject
{
    Q_OBJECT

    // Checks a refusal's condition and that its detail names the rule (and the entry).
    static void expectRefusal(const xmpp::Result<StateBundle> &result, ErrorCondition condition,
                              std::initializer_list<QString> detailParts)
    {
        QVERIFY2(!result.ok(), "the archive was accepted");
        QCOMPARE(result.error().condition, condition);
        for (const QString &part : detailParts)
            QVERIFY2(result.error().detail.contains(part), qPrintable(result.error().detail));
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Daemons often run in the "C" locale, where libarchive cannot convert names
        // beyond ASCII by itself.
        std::setlocale(LC_ALL, "C");
    }

    void digestsOfKnownVectors()
    {
        // FIPS 180-2 B.1 and C.1, FIPS 202 / NIST examples, RFC 7693 appendix A.
        QCOMPARE(StateBundle::digest("abc", u"sha-256"_s).toHex(),
                 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        QCOMPARE(StateBundle::digest("abc", u"sha-512"_s).toHex(),
                 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
        QCOMPARE(StateBundle::digest("abc", u"sha3-256"_s).toHex(),
                 "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
        QCOMPARE(StateBundle::digest("abc", u"blake2b-512"_s).toHex(),
                 "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                 "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
        QCOMPARE(StateBundle::digest(QByteArray(), u"sha-256"_s).toHex(),
                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        QVERIFY(StateBundle::digest("abc", u"sha-1"_s).isEmpty());
        QVERIFY(StateBundle::digest("abc", u"SHA-256"_s).isEmpty());
    }

    void describeVerifyAndManifest()
    {
        const xmpp::Result<TransferFile> described =
            StateBundle::describe(u"snapshot.xml"_s, "abc", u"sha-256"_s);
        QVERIFY(described.ok());
        QCOMPARE(described.value().name, u"snapshot.xml"_s);
        QCOMPARE(described.value().size, 3);
        QCOMPARE(described.value().digest, StateBundle::digest("abc", u"sha-256"_s));

        QCOMPARE(StateBundle::verify(described.value(), "abc"), std::nullopt);
        QCOMPARE(StateBundle::verify(described.value(), "abd"),
                 std::optional(TransferFailed::Reason::Digest));
        QCOMPARE(StateBundle::verify(described.value(), "abcd"),
                 std::optional(TransferFailed::Reason::Size));
        TransferFile unknownAlgorithm = described.value();
        unknownAlgorithm.hashAlgorithm = u"sha-1"_s;
        QCOMPARE(StateBundle::verify(unknownAlgorithm, "abc"),
                 std::optional(TransferFailed::Reason::Other));

        QCOMPARE(StateBundle::describe(u"a/b"_s, "abc", u"sha-256"_s).error().condition,
                 ErrorCondition::InvalidInput);
        QCOMPARE(StateBundle::describe(u"a"_s, "abc", u"md5"_s).error().condition,
                 ErrorCondition::InvalidInput);

        StateBundle bundle;
        bundle.files.insert(u"b.json"_s, "{}");
        bundle.files.insert(u"a.xml"_s, "<a/>");
        const xmpp::Result<QList<TransferFile>> manifest = bundle.manifest(u"sha3-256"_s);
        QVERIFY(manifest.ok());
        QCOMPARE(manifest.value().size(), 2);
        QCOMPARE(manifest.value()[0].name, u"a.xml"_s);
        QCOMPARE(manifest.value()[0].size, 4);
        QCOMPARE(manifest.value()[1].digest, StateBundle::digest("{}", u"sha3-256"_s));
        QCOMPARE(manifest.value()[1].digest.size(), 32);
        QVERIFY(!bundle.manifest(u"sha-1"_s).ok());
    }

    void roundTrip()
    {
        StateBundle bundle;
        bundle.files.insert(u"snapshot.xml"_s, "<state><item id='1'/></state>");
        bundle.files.insert(u"empty"_s, QByteArray());
        bundle.files.insert(u"\u00e9t\u00e9 \U0001F600.json"_s, "{\"summer\": true}");
        QByteArray everyByte;
        for (int i = 0; i < 256; ++i)
            everyByte.append(char(i));
        bundle.files.insert(u"bytes.bin"_s, everyByte);
        bundle.log = sampleLog(5);
        QCOMPARE(bundle.log.size(), 5);

        const xmpp::Result<QByteArray> zip = bundle.toZip();
        QVERIFY2(zip.ok(), qPrintable(zip.ok() ? QString() : zip.error().detail));
        QVERIFY(zip.value().startsWith("PK\x03\x04"));
        const xmpp::Result<StateBundle> read = StateBundle::fromZip(zip.value());
        QVERIFY2(read.ok(), qPrintable(read.ok() ? QString() : read.error().detail));
        QCOMPARE(read.value().files, bundle.files);
        QCOMPARE(ids(read.value().log), ids(bundle.log));
        QCOMPARE(read.value().log.entries()[4].received, bundle.log.entries()[4].received);
        QCOMPARE(read.value().log.toXml(), bundle.log.toXml());
    }

    void twentyMegabyteRoundTrip()
    {
        StateBundle bundle;
        bundle.files.insert(u"media.bin"_s, randomBytes(15 * 1024 * 1024, 7));
        QByteArray snapshot;
        for (int i = 0; snapshot.size() < 5 * 1024 * 1024; ++i)
            snapshot += "<item id='" + QByteArray::number(i) + "' value='" +
                        QByteArray::number((i * 7919) % 104729) + "'/>\n";
        bundle.files.insert(u"snapshot.xml"_s, snapshot);
        bundle.log = sampleLog(100);
        QCOMPARE(bundle.log.size(), 100);
        const qint64 total = bundle.files[u"media.bin"_s].size() + snapshot.size();
        QVERIFY(total >= 20 * 1024 * 1024);

        const xmpp::Result<QByteArray> zip = bundle.toZip();
        QVERIFY(zip.ok());
        // Random data does not compress; the XML does.
        QVERIFY(zip.value().size() < total);
        const xmpp::Result<StateBundle> read = StateBundle::fromZip(zip.value());
        QVERIFY2(read.ok(), qPrintable(read.ok() ? QString() : read.error().detail));
        QCOMPARE(read.value().files.size(), 2);
        QVERIFY(read.value().files == bundle.files);
        QCOMPARE(read.value().log.size(), 100);
        const QString algorithm = u"sha-256"_s;
        QCOMPARE(StateBundle::digest(read.value().files[u"media.bin"_s], algorithm),
                 StateBundle::digest(bundle.files[u"media.bin"_s], algorithm));
    }

    void storesWhatWouldLookLikeABomb()
    {
        // 20 MB of zeros deflate about 1000:1; written that way the receiver would refuse
        // them, so toZip() stores them.
        StateBundle bundle;
        bundle.files.insert(u"zeros.bin"_s, QByteArray(20 * 1024 * 1024, '\0'));
        bundle.files.insert(u"text.txt"_s,
                            QByteArray("some text that deflates a little. ").repeated(1000));
        const xmpp::Result<QByteArray> zip = bundle.toZip();
        QVERIFY(zip.ok());
        QVERIFY(zip.value().size() > 20 * 1024 * 1024);
        const xmpp::Result<StateBundle> read = StateBundle::fromZip(zip.value());
        QVERIFY2(read.ok(), qPrintable(read.ok() ? QString() : read.error().detail));
        QCOMPARE(read.value().files, bundle.files);

        // Without a ratio limit nothing needs storing.
        StateBundle::Limits noRatio;
        noRatio.maxCompressionRatio = 0;
        const xmpp::Result<QByteArray> deflated = bundle.toZip(noRatio);
        QVERIFY(deflated.ok());
        QVERIFY(deflated.value().size() < 1024 * 1024);
        QVERIFY(StateBundle::fromZip(deflated.value(), noRatio).ok());
        expectRefusal(StateBundle::fromZip(deflated.value()), ErrorCondition::LimitExceeded, {});
    }

    void toZipRefusals()
    {
        StateBundle badName;
        badName.files.insert(u"dir/file"_s, "x");
        QCOMPARE(badName.toZip().error().condition, ErrorCondition::InvalidInput);
        StateBundle reserved;
        reserved.files.insert(u"log.xml"_s, "x");
        QCOMPARE(reserved.toZip().error().condition, ErrorCondition::InvalidInput);

        StateBundle many;
        for (int i = 0; i < 999; ++i)
            many.files.insert(u"f%1"_s.arg(i), QByteArray::number(i));
        QVERIFY(many.toZip().ok());
        many.files.insert(u"one-too-many"_s, "x");
        QCOMPARE(many.toZip().error().condition, ErrorCondition::LimitExceeded);

        StateBundle large;
        large.files.insert(u"large"_s, QByteArray(2048, 'x'));
        StateBundle::Limits small;
        small.maxExpandedBytes = 2048;
        QCOMPARE(large.toZip(small).error().condition, ErrorCondition::LimitExceeded);
    }

    void refusesAbsolutePath()
    {
        const QString target = QDir::tempPath() + u"/kioskd-tst-statebundle-absolute"_s;
        QFile::remove(target);
        const QByteArray zip = writeArchive({file(target.toUtf8(), "owned"), logEntry});
        QVERIFY(!zip.isEmpty());
        expectRefusal(StateBundle::fromZip(zip), ErrorCondition::InvalidInput,
                      {u"absolute"_s, target});
        // Reading never touches the disk.
        QVERIFY(!QFile::exists(target));
    }

    void refusesParentComponents_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::newRow("leading") << QByteArray("../evil");
        QTest::newRow("inner") << QByteArray("a/../../evil");
        QTest::newRow("only") << QByteArray("..");
    }
    void refusesParentComponents()
    {
        QFETCH(QByteArray, name);
        const QByteArray zip = writeArchive({logEntry, file(name, "owned")});
        QVERIFY(!zip.isEmpty());
        expectRefusal(StateBundle::fromZip(zip), ErrorCondition::InvalidInput,
                      {u"'..'"_s, QString::fromUtf8(name)});
    }

    void refusesSubdirectoriesAndDirectories()
    {
        const QByteArray nested = writeArchive({logEntry, file("dir/file", "x")});
        QVERIFY(!nested.isEmpty());
        expectRefusal(StateBundle::fromZip(nested), ErrorCondition::InvalidInput,
                      {u"plain file name"_s, u"dir/file"_s});

        const QByteArray directory =
            writeArchive({logEntry, TestEntry{"dir/", {}, AE_IFDIR, {}, {}}});
        QVERIFY(!directory.isEmpty());
        expectRefusal(StateBundle::fromZip(directory), ErrorCondition::InvalidInput,
                      {u"directory"_s, u"dir/"_s});
    }

    void refusesSymbolicLink()
    {
        const QByteArray zip =
            writeArchive({logEntry, TestEntry{"link", {}, AE_IFLNK, "/etc/passwd", {}}});
        QVERIFY(!zip.isEmpty());
        expectRefusal(StateBundle::fromZip(zip), ErrorCondition::InvalidInput,
                      {u"symbolic link"_s, u"'link'"_s});
    }

    void hardLinksCannotArrive()
    {
        // ZIP has no hard links: libarchive writes one as an empty regular file, which
        // carries nothing of its target. (fromZip() refuses a hard link should a reader
        // ever report one.)
        const QByteArray zip = writeArchive({logEntry, file("secret", "the target's content"),
                                             TestEntry{"hard", {}, AE_IFREG, {}, "secret"}});
        QVERIFY(!zip.isEmpty());
        const xmpp::Result<StateBundle> read = StateBundle::fromZip(zip);
        QVERIFY(read.ok());
        QCOMPARE(read.value().files.value(u"hard"_s, "missing"), QByteArray());

        // An archive format that has them is no ZIP and refused as such.
        const QByteArray tar = writeArchive(
            {logEntry, file("secret", "x"), TestEntry{"hard", {}, AE_IFREG, {}, "secret"}}, nullptr,
            Format::Tar);
        QVERIFY(!tar.isEmpty());
        expectRefusal(StateBundle::fromZip(tar), ErrorCondition::InvalidInput, {u"not a ZIP"_s});
    }

    void refusesNonRegularFile()
    {
        // libarchive writes no devices into a ZIP; the central directory's Unix mode says
        // what an entry is, so make it a character device there.
        QByteArray zip = writeArchive({file("device", "x"), logEntry});
        const qsizetype record = firstCentralRecord(zip);
        QVERIFY(record > 0);
        writeLe32(zip, record + 38, quint32(0020644) << 16);
        expectRefusal(StateBundle::fromZip(zip), ErrorCondition::InvalidInput,
                      {u"regular"_s, u"'device'"_s});
    }

    void refusesEncryptedEntry()
    {
        const QByteArray zip =
            writeArchive({file("secret.xml", "<secret/>"), logEntry}, "zip:encryption=zipcrypt");
        QVERIFY(!zip.isEmpty());
        expectRefusal(StateBundle::fromZip(zip), ErrorCondition::InvalidInput,
                      {u"encrypted"_s, u"'secret.xml'"_s});
    }

    void refusesTooManyEntries()
    {
        QList<TestEntry> entries{logEntry};
        for (int i = 1; i < 1000; ++i)
            entries.append(file("f" + QByteArray::number(i), "x"));
        const QByteArray atLimit = writeArchive(entries);
        QVERIFY(!atLimit.isEmpty());
        const xmpp::Result<StateBundle> read = StateBundle::fromZip(atLimit);
        QVERIFY(read.ok());
        QCOMPARE(read.value().files.size(), 999);

        entries.append(file("f1000", "x"));
        const QByteArray overLimit = writeArchive(entries);
        QVERIFY(!overLimit.isEmpty());
        expectRefusal(StateBundle::fromZip(overLimit), ErrorCondition::LimitExceeded,
                      {u"more than 1000 entries"_s});
    }

    void refusesCentralDirectoryFlood()
    {
        // The signature of 17,000 central directory records, more than a bundle of
        // 1000 entries can hold even with stored data that happens to contain some.
        const QByteArray zip =
            writeArchive({file("flood", QByteArray("PK\x01\x02", 4).repeated(17000)), logEntry},
                         "zip:compression=store");
        QVERIFY(!zip.isEmpty());
        expectRefusal(StateBundle::fromZip(zip), ErrorCondition::LimitExceeded,
                      {u"central directory"_s});
    }

    void refusesZipBombByRatio()
    {
        // 50 MB of zeros deflate to some 50 KB.
        const QByteArray zip = writeArchive({logEntry, file("bomb", QByteArray(50'000'000, '\0'))});
        QVERIFY(!zip.isEmpty());
        QVERIFY(zip.size() < 200'000);
        expectRefusal(StateBundle::fromZip(zip), ErrorCondition::LimitExceeded,
                      {u"times its"_s, u"'bomb'"_s});
    }

    void refusesExpandedSizeOverTheLimit()
    {
        const QByteArray zip = writeArchive({logEntry, file("bomb", QByteArray(50'000'000, '\0'))});
        QVERIFY(!zip.isEmpty());
        StateBundle::Limits limits;
        limits.maxExpandedBytes = 16 * 1024 * 1024;
        limits.maxCompressionRatio = 0;
        expectRefusal(StateBundle::fromZip(zip, limits), ErrorCondition::LimitExceeded,
                      {u"declares 50000000 bytes"_s, u"'bomb'"_s});
        // Within the limit and without the ratio rule, the same archive is fine: it is
        // the size that was refused.
        limits.maxExpandedBytes = 64 * 1024 * 1024;
        QVERIFY(StateBundle::fromZip(zip, limits).ok());
    }

    void refusesExpandedSizeSpreadOverEntries()
    {
        // Each entry fits; together they do not.
        QList<TestEntry> entries{logEntry};
        for (int i = 0; i < 20; ++i)
            entries.append(
                file("part" + QByteArray::number(i), randomBytes(1024 * 1024, quint32(i))));
        const QByteArray zip = writeArchive(entries);
        QVERIFY(!zip.isEmpty());
        StateBundle::Limits limits;
        limits.maxExpandedBytes = 16 * 1024 * 1024;
        expectRefusal(StateBundle::fromZip(zip, limits), ErrorCondition::LimitExceeded,
                      {u"16777216-byte limit"_s});
    }

    void refusesHeaderThatUnderstatesSize()
    {
        // The bomb claims 1000 bytes; what it expands to is counted, not believed.
        QByteArray zip = writeArchive({file("liar", QByteArray(50'000'000, '\0')), logEntry});
        QVERIFY(declareSize(zip, 1000));
        StateBundle::Limits limits;
        limits.maxCompressionRatio = 0;
        expectRefusal(StateBundle::fromZip(zip, limits), ErrorCondition::InvalidInput,
                      {u"more than the 1000 bytes its header declares"_s, u"'liar'"_s});
    }

    void refusesHeaderThatOverstatesSize()
    {
        QByteArray zip = writeArchive({file("liar", randomBytes(100'000, 3)), logEntry});
        QVERIFY(declareSize(zip, 200'000));
        expectRefusal(StateBundle::fromZip(zip), ErrorCondition::InvalidInput, {u"'liar'"_s});
    }

    void refusesEntryWithHighRatioAmongIncompressibleOnes()
    {
        // As a whole the archive expands 1.5:1; one entry of it 1000:1.
        const QByteArray zip =
            writeArchive({logEntry, file("noise", randomBytes(10 * 1024 * 1024, 5)),
                          file("zeros", QByteArray(5 * 1024 * 1024, '\0'))});
        QVERIFY(!zip.isEmpty());
        expectRefusal(StateBundle::fromZip(zip), ErrorCondition::LimitExceeded,
                      {u"'zeros'"_s, u"more than 100:1"_s});
        StateBundle::Limits lenient;
        lenient.maxCompressionRatio = 2000;
        QVERIFY(StateBundle::fromZip(zip, lenient).ok());
    }

    void refusesCorruptData()
    {
        QByteArray zip =
            writeArchive({file("data", QByteArray("0123456789").repeated(100)), logEntry},
                         "zip:compression=store");
        QVERIFY(!zip.isEmpty());
        QVERIFY(StateBundle::fromZip(zip).ok());
        const qsizetype at = zip.indexOf("0123456789");
        QVERIFY(at > 0);
        zip[at + 500] = 'X';
        expectRefusal(StateBundle::fromZip(zip), ErrorCondition::InvalidInput, {u"'data'"_s});
    }

    void refusesOtherInput_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("detail");
        QTest::newRow("empty") << QByteArray() << u"not a ZIP"_s;
        QTest::newRow("noise") << randomBytes(4096, 9) << u"not a ZIP"_s;
        QTest::newRow("truncated")
            << writeArchive({file("a", "x"), logEntry}).left(40) << u"not a ZIP"_s;
        QTest::newRow("no log.xml") << writeArchive({file("a", "x")}) << u"no log.xml"_s;
        QTest::newRow("invalid log.xml")
            << writeArchive({file("a", "x"), file("log.xml", "<log/>")}) << u"'log.xml'"_s;
        QTest::newRow("log.xml with a DTD")
            << writeArchive({file("log.xml", "<!DOCTYPE log [<!ENTITY a 'b'>]>" + emptyLog)})
            << u"'log.xml'"_s;
        QTest::newRow("name twice")
            << writeArchive({file("a", "x"), file("a", "y"), logEntry}) << u"twice"_s;
        // libarchive reads '\\' in names without the UTF-8 flag as '/' (DOS separators),
        // so these meet the path rules.
        QTest::newRow("name with backslash")
            << writeArchive({file("dir\\file", "x"), logEntry}) << u"plain file name"_s;
        QTest::newRow("parent with backslash")
            << writeArchive({file("..\\evil", "x"), logEntry}) << u"'..'"_s;
        QTest::newRow("name not UTF-8")
            << writeArchive({file("\xff\xfe.bin", "x"), logEntry}) << u"entry 1"_s;
    }
    void refusesOtherInput()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, detail);
        expectRefusal(StateBundle::fromZip(input), ErrorCondition::InvalidInput, {detail});
    }
};

QTEST_GUILESS_MAIN(TestStateBundle)
#include "tst_statebundle.moc"
