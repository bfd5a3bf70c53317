#include "namespaces.h"
#include "overthewire.h"
#include "protocol.h"
#include "streamparser.h"
#include "xmlwriter.h"

#include <QTest>

using namespace mobility;
using namespace Qt::StringLiterals;

namespace {

bool parsesAs(const QString &parser, const QDomElement &element)
{
    if (parser == u"offer")
        return TransferOffer::fromDom(element).has_value();
    if (parser == u"answer")
        return TransferAnswer::fromDom(element).has_value();
    if (parser == u"state")
        return StateChunk::fromDom(element).has_value();
    if (parser == u"transferred")
        return Transferred::fromDom(element).has_value();
    if (parser == u"failed")
        return TransferFailed::fromDom(element).has_value();
    if (parser == u"request")
        return StateRequest::fromDom(element).has_value();
    if (parser == u"forwarded")
        return ForwardedStanza::fromDom(element).has_value();
    qFatal("unknown parser in the test table");
}

// sha-256("abc"), FIPS 180-2 appendix B.1, and sha-512("abc"), appendix C.1.
const QByteArray sha256OfAbc =
    QByteArray::fromHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
const QByteArray sha512OfAbc =
    QByteArray::fromHex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
const QString digest256 = QString::fromLatin1(sha256OfAbc.toBase64());
const QString digest512 = QString::fromLatin1(sha512OfAbc.toBase64());

const QString transferOpen = u"<transfer xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1'>"_s;
const QString stateOpen =
    u"<state xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' seq='0' last='false'>"_s;
const QString validForwarded =
    u"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
    "stamp='2024-05-01T12:00:00Z'/><message xmlns='jabber:client' from='a@example.org/r' "
    "to='b@example.org' type='chat' id='m1'><body>hi</body></message></forwarded>"_s;

QString manifestFile(const QString &name, const QString &size = u"3"_s,
                     const QString &algorithm = u"sha-256"_s, const QString &digest = digest256)
{
    return u"<file name='%1' size='%2' hash-algo='%3'>%4</file>"_s.arg(name, size, algorithm,
                                                                       digest);
}

QString offerWith(const QString &methods, const QString &manifestBody)
{
    return transferOpen + methods + u"<manifest>"_s + manifestBody + u"</manifest></transfer>"_s;
}

const QString inbandMethod = u"<method type='inband'/>"_s;
const QString logCount = u"<log count='2'/>"_s;

QString manyFiles(int count)
{
    QString files;
    for (int i = 0; i < count; ++i)
        files += manifestFile(u"f%1"_s.arg(i));
    return files;
}

QString uploadFile(const QString &url, const QString &name = u"snapshot.xml"_s)
{
    return u"<file name='%1' size='3' hash-algo='sha-256' url='%2'>%3</file>"_s.arg(name, url,
                                                                                    digest256);
}

QString base64Of(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QDomElement messageBuiltInMemory(QDomDocument &document)
{
    // createElement(): no namespace at all, as in-process code builds stanzas.
    QDomElement message = document.createElement(u"message"_s);
    message.setAttribute(u"from"_s, u"alice@example.org/phone"_s);
    message.setAttribute(u"id"_s, u"m7"_s);
    QDomElement body = document.createElement(u"body"_s);
    body.appendChild(document.createTextNode(u"caf\u00e9 & <tea>"_s));
    message.appendChild(body);
    return message;
}

} // namespace

class TestTransferProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fileNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << u"snapshot.xml"_s << true;
        QTest::newRow("dot file") << u".config"_s << true;
        QTest::newRow("three dots") << u"..."_s << true;
        QTest::newRow("non-ascii") << u"\u00e9t\u00e9 \U0001F600.json"_s << true;
        QTest::newRow("255 bytes") << QString(255, u'a') << true;
        QTest::newRow("255 bytes in 2-byte chars") << QString(127, u'\u00e9') + u"a"_s << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("dot") << u"."_s << false;
        QTest::newRow("dot dot") << u".."_s << false;
        QTest::newRow("256 bytes") << QString(256, u'a') << false;
        QTest::newRow("256 bytes in 2-byte chars") << QString(128, u'\u00e9') << false;
        QTest::newRow("slash") << u"a/b"_s << false;
        QTest::newRow("leading slash") << u"/etc"_s << false;
        QTest::newRow("backslash") << u"a\\b"_s << false;
        QTest::newRow("nul") << QStringView(u"a\0b", 3).toString() << false;
        QTest::newRow("newline") << u"a\nb"_s << false;
        QTest::newRow("delete") << u"a\u007fb"_s << false;
        QTest::newRow("lone surrogate") << QString(QChar(0xD800)) << false;
    }
    void fileNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isValidTransferFileName(name), valid);
    }

    void hashAlgorithms()
    {
        QCOMPARE(transferDigestSize(u"sha-256"), 32);
        QCOMPARE(transferDigestSize(u"sha-384"), 48);
        QCOMPARE(transferDigestSize(u"sha-512"), 64);
        QCOMPARE(transferDigestSize(u"sha3-256"), 32);
        QCOMPARE(transferDigestSize(u"sha3-512"), 64);
        QCOMPARE(transferDigestSize(u"blake2b-256"), 32);
        QCOMPARE(transferDigestSize(u"blake2b-512"), 64);
        QCOMPARE(transferHashAlgorithm(u"sha-256"), std::optional(QCryptographicHash::Sha256));
        // Weak or misspelt names are refused.
        QCOMPARE(transferDigestSize(u"sha-1"), 0);
        QCOMPARE(transferDigestSize(u"md5"), 0);
        QCOMPARE(transferDigestSize(u"SHA-256"), 0);
        QCOMPARE(transferDigestSize(u"sha256"), 0);
        QVERIFY(!transferHashAlgorithm(u""));
    }

    void dateTimes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QDateTime>("expected"); // invalid: refused
        const QDateTime noon(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC);
        QTest::newRow("utc") << u"2024-05-01T12:00:00Z"_s << noon;
        QTest::newRow("milliseconds") << u"2024-05-01T12:00:00.250Z"_s << noon.addMSecs(250);
        QTest::newRow("one fraction digit") << u"2024-05-01T12:00:00.5Z"_s << noon.addMSecs(500);
        QTest::newRow("nine fraction digits")
            << u"2024-05-01T12:00:00.123456789Z"_s << noon.addMSecs(123);
        QTest::newRow("positive offset") << u"2024-05-01T14:30:00+02:30"_s << noon;
        QTest::newRow("negative offset") << u"2024-05-01T07:00:00-05:00"_s << noon;
        QTest::newRow("no zone") << u"2024-05-01T12:00:00"_s << QDateTime();
        QTest::newRow("empty fraction") << u"2024-05-01T12:00:00.Z"_s << QDateTime();
        QTest::newRow("ten fraction digits") << u"2024-05-01T12:00:00.1234567890Z"_s << QDateTime();
        QTest::newRow("space separator") << u"2024-05-01 12:00:00Z"_s << QDateTime();
        QTest::newRow("february 30") << u"2024-02-30T12:00:00Z"_s << QDateTime();
        QTest::newRow("hour 24") << u"2024-05-01T24:00:00Z"_s << QDateTime();
        QTest::newRow("year 0") << u"0000-05-01T12:00:00Z"_s << QDateTime();
        QTest::newRow("short offset") << u"2024-05-01T12:00:00+02"_s << QDateTime();
        QTest::newRow("trailing text") << u"2024-05-01T12:00:00Zx"_s << QDateTime();
        QTest::newRow("date only") << u"2024-05-01"_s << QDateTime();
        QTest::newRow("non-ascii digit") << u"2024-05-01T12:00:0\u0661Z"_s << QDateTime();
    }
    void dateTimes()
    {
        QFETCH(QString, text);
        QFETCH(QDateTime, expected);
        const std::optional<QDateTime> parsed = parseXmppDateTime(text);
        QCOMPARE(parsed.has_value(), expected.isValid());
        if (parsed) {
            QCOMPARE(*parsed, expected);
            QCOMPARE(parsed->timeSpec(), Qt::UTC);
        }
    }

    void dateTimeFormat()
    {
        const QDateTime time(QDate(2024, 5, 1), QTime(14, 0, 0, 250), Qt::OffsetFromUTC, 7200);
        QCOMPARE(formatXmppDateTime(time), u"2024-05-01T12:00:00.250Z"_s);
        QCOMPARE(parseXmppDateTime(formatXmppDateTime(time)), std::optional(time.toUTC()));
    }

    void protocolExampleParses()
    {
        // docs/protocol.md section 7, with a real digest for BASE64-DIGEST.
        const QDomElement element =
            receive(u"<transfer xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1'>\n"
                    "  <method type='inband'/><method type='upload'/><method type='bundle'/>\n"
                    "  <manifest>\n"
                    "    <file name='snapshot.xml' size='1834' hash-algo='sha-256'>%1</file>\n"
                    "    <log count='152'/>\n"
                    "  </manifest>\n"
                    "</transfer>"_s.arg(digest256));
        const std::optional<TransferOffer> offer = TransferOffer::fromDom(element);
        QVERIFY(offer);
        QCOMPARE(offer->sid, u"s1"_s);
        QCOMPARE(offer->tid, u"t1"_s);
        QCOMPARE(offer->methods,
                 (QList<TransferMethod>{TransferMethod::Inband, TransferMethod::Upload,
                                        TransferMethod::Bundle}));
        QCOMPARE(offer->files.size(), 1);
        QCOMPARE(offer->files[0],
                 (TransferFile{u"snapshot.xml"_s, 1834, u"sha-256"_s, sha256OfAbc}));
        QCOMPARE(offer->logCount, 152);
        // An offer is no answer.
        QVERIFY(!TransferAnswer::fromDom(element));
    }

    void offerRoundTrips()
    {
        TransferOffer offer;
        offer.sid = u"a.B_c-9"_s;
        offer.tid = u"t-42"_s;
        offer.methods = {TransferMethod::Bundle, TransferMethod::Inband};
        offer.files = {{u"snapshot.xml"_s, 1834, u"sha-256"_s, sha256OfAbc},
                       {u"\u00e9t\u00e9 & <co>.json"_s, 0, u"sha-512"_s, sha512OfAbc},
                       // Up to the total the protocol allows.
                       {u"big.bin"_s, TransferOffer::maxTotalBytes - 1834, u"blake2b-256"_s,
                        QByteArray(32, '\x01')}};
        offer.logCount = TransferOffer::maxLogCount;
        const std::optional<TransferOffer> parsed = TransferOffer::fromDom(overTheWire(offer));
        QVERIFY(parsed);
        QCOMPARE(*parsed, offer);

        TransferOffer empty{u"s"_s, u"t"_s, {TransferMethod::Upload}, {}, 0};
        QCOMPARE(TransferOffer::fromDom(overTheWire(empty)), std::optional(empty));
    }

    void answerRoundTrips()
    {
        for (const TransferMethod method :
             {TransferMethod::Inband, TransferMethod::Upload, TransferMethod::Bundle}) {
            const TransferAnswer answer{u"s1"_s, u"t1"_s, method};
            const QDomElement element = overTheWire(answer);
            QCOMPARE(TransferAnswer::fromDom(element), std::optional(answer));
            // An answer is no offer: it has no manifest.
            QVERIFY(!TransferOffer::fromDom(element));
        }
    }

    void endingsAndRequestRoundTrip()
    {
        const Transferred transferred{u"s1"_s, u"t1"_s};
        QCOMPARE(Transferred::fromDom(overTheWire(transferred)), std::optional(transferred));
        const StateRequest request{u"s1"_s, u"t9"_s};
        QCOMPARE(StateRequest::fromDom(overTheWire(request)), std::optional(request));
        for (const auto reason : {TransferFailed::Reason::Digest, TransferFailed::Reason::Size,
                                  TransferFailed::Reason::Archive, TransferFailed::Reason::Timeout,
                                  TransferFailed::Reason::Other}) {
            const TransferFailed failed{u"s1"_s, u"t1"_s, reason};
            const QDomElement element = overTheWire(failed);
            QCOMPARE(element.attribute(u"reason"_s), TransferFailed::reasonName(reason));
            QCOMPARE(TransferFailed::fromDom(element), std::optional(failed));
        }
        QCOMPARE(TransferFailed::reasonName(TransferFailed::Reason::Digest), u"digest"_s);
        QCOMPARE(TransferFailed::reasonName(TransferFailed::Reason::Timeout), u"timeout"_s);
    }

    void inbandChunkRoundTrips()
    {
        QDomDocument document;
        StateChunk chunk;
        chunk.sid = u"s1"_s;
        chunk.tid = u"t1"_s;
        chunk.seq = 7;
        chunk.last = true;
        QByteArray everyByte;
        for (int i = 0; i < 256; ++i)
            everyByte.append(char(i));
        chunk.parts = {{u"snapshot.xml"_s, everyByte}, {u"empty"_s, QByteArray()}};
        const QDateTime received(QDate(2024, 5, 1), QTime(12, 0, 0, 250), Qt::UTC);
        chunk.log = {{messageBuiltInMemory(document), received}};

        const std::optional<StateChunk> parsed = StateChunk::fromDom(overTheWire(chunk));
        QVERIFY(parsed);
        QCOMPARE(parsed->sid, chunk.sid);
        QCOMPARE(parsed->tid, chunk.tid);
        QCOMPARE(parsed->seq, 7u);
        QCOMPARE(parsed->last, true);
        QCOMPARE(parsed->parts, chunk.parts);
        QVERIFY(parsed->uploads.isEmpty());
        QCOMPARE(parsed->log.size(), 1);
        QCOMPARE(parsed->log[0].received, received);
        const QDomElement message = parsed->log[0].stanza;
        // Built without a namespace, the stanza must still arrive in jabber:client, not
        // in <forwarded/>'s namespace.
        QCOMPARE(message.namespaceURI(), xmpp::ns::client);
        QCOMPARE(message.localName(), u"message"_s);
        QCOMPARE(message.attribute(u"from"_s), u"alice@example.org/phone"_s);
        QCOMPARE(message.firstChildElement().namespaceURI(), xmpp::ns::client);
        QCOMPARE(message.firstChildElement().text(), u"caf\u00e9 & <tea>"_s);
    }

    void uploadChunkRoundTrips()
    {
        StateChunk chunk;
        chunk.sid = u"s1"_s;
        chunk.tid = u"t1"_s;
        chunk.last = true;
        chunk.uploads = {{{u"snapshot.xml"_s, 3, u"sha-256"_s, sha256OfAbc},
                          QUrl(u"https://upload.example.org/slot/abc/snapshot.xml?token=x%20y"_s)},
                         {{u"state.zip"_s, 123456, u"sha-512"_s, sha512OfAbc},
                          QUrl(u"https://[2001:db8::1]:8443/f/state.zip"_s)}};
        const std::optional<StateChunk> parsed = StateChunk::fromDom(overTheWire(chunk));
        QVERIFY(parsed);
        QCOMPARE(parsed->uploads, chunk.uploads);
        QVERIFY(parsed->parts.isEmpty());
        QVERIFY(parsed->log.isEmpty());
    }

    void uploadExampleWithoutSeqParses()
    {
        // The protocol's upload example has no seq.
        const QDomElement element = receive(
            u"<state xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' last='true'>%1</state>"_s.arg(
                uploadFile(u"https://upload.example.org/a"_s)));
        const std::optional<StateChunk> chunk = StateChunk::fromDom(element);
        QVERIFY(chunk);
        QCOMPARE(chunk->seq, 0u);
        QCOMPARE(chunk->uploads.size(), 1);
        QCOMPARE(chunk->uploads[0].url, QUrl(u"https://upload.example.org/a"_s));
    }

    void chunkPayloadLimit()
    {
        const QByteArray half(StateChunk::maxPayloadBytes / 2, 'x');
        // Exactly the limit, split over two files, passes.
        const QString atLimit =
            stateOpen + u"<file name='a'>%1</file><file name='b'>%1</file>"_s.arg(base64Of(half)) +
            u"</state>"_s;
        const std::optional<StateChunk> chunk = StateChunk::fromDom(receive(atLimit));
        QVERIFY(chunk);
        QCOMPARE(chunk->parts.size(), 2);
        QCOMPARE(chunk->parts[1].data.size(), StateChunk::maxPayloadBytes / 2);

        // One byte more, in either file, does not.
        const QString overByOne = stateOpen +
                                  u"<file name='a'>%1</file><file name='b'>%2</file>"_s.arg(
                                      base64Of(half), base64Of(half + 'x')) +
                                  u"</state>"_s;
        QVERIFY(!receive(overByOne).isNull());
        QVERIFY(!StateChunk::fromDom(receive(overByOne)));
        const QString oneFileOver = stateOpen +
                                    u"<file name='a'>%1</file>"_s.arg(base64Of(
                                        QByteArray(StateChunk::maxPayloadBytes + 1, 'y'))) +
                                    u"</state>"_s;
        QVERIFY(!receive(oneFileOver).isNull());
        QVERIFY(!StateChunk::fromDom(receive(oneFileOver)));
    }

    void parsers_data()
    {
        QTest::addColumn<QString>("parser");
        QTest::addColumn<QString>("xml");
        QTest::addColumn<bool>("valid");

        // <transfer/> offers
        QTest::newRow("offer: minimal") << u"offer"_s << offerWith(inbandMethod, logCount) << true;
        QTest::newRow("offer: unknown method skipped")
            << u"offer"_s
            << offerWith(u"<method type='carrier-pigeon'/>"_s + inbandMethod, logCount) << true;
        QTest::newRow("offer: only unknown methods")
            << u"offer"_s << offerWith(u"<method type='carrier-pigeon'/>"_s, logCount) << false;
        QTest::newRow("offer: no method") << u"offer"_s << offerWith({}, logCount) << false;
        QTest::newRow("offer: repeated method")
            << u"offer"_s << offerWith(inbandMethod + inbandMethod, logCount) << false;
        QTest::newRow("offer: 9 method elements")
            << u"offer"_s
            << offerWith(inbandMethod + QString(u"<method type='x'/>"_s).repeated(8), logCount)
            << false;
        QTest::newRow("offer: method with text")
            << u"offer"_s << offerWith(u"<method type='inband'>x</method>"_s, logCount) << false;
        QTest::newRow("offer: method type with space")
            << u"offer"_s << offerWith(u"<method type='in band'/>"_s + inbandMethod, logCount)
            << false;
        QTest::newRow("offer: method after manifest")
            << u"offer"_s
            << transferOpen + u"<manifest><log count='0'/></manifest>"_s + inbandMethod +
                   u"</transfer>"_s
            << false;
        QTest::newRow("offer: no manifest")
            << u"offer"_s << transferOpen + inbandMethod + u"</transfer>"_s << false;
        QTest::newRow("offer: two manifests")
            << u"offer"_s
            << transferOpen + inbandMethod +
                   u"<manifest><log count='0'/></manifest>"_s.repeated(2) + u"</transfer>"_s
            << false;
        QTest::newRow("offer: no tid")
            << u"offer"_s
            << u"<transfer xmlns='urn:kioskd:mobility:0' sid='s1'>"_s + inbandMethod +
                   u"<manifest><log count='0'/></manifest></transfer>"_s
            << false;
        QTest::newRow("offer: tid with slash")
            << u"offer"_s
            << u"<transfer xmlns='urn:kioskd:mobility:0' sid='s1' tid='t/1'>"_s + inbandMethod +
                   u"<manifest><log count='0'/></manifest></transfer>"_s
            << false;
        QTest::newRow("offer: unknown attribute")
            << u"offer"_s
            << u"<transfer xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' x='1'>"_s +
                   inbandMethod + u"<manifest><log count='0'/></manifest></transfer>"_s
            << false;
        QTest::newRow("offer: no log count")
            << u"offer"_s << offerWith(inbandMethod, manifestFile(u"a"_s)) << false;
        QTest::newRow("offer: log before files")
            << u"offer"_s << offerWith(inbandMethod, logCount + manifestFile(u"a"_s)) << false;
        QTest::newRow("offer: two logs")
            << u"offer"_s << offerWith(inbandMethod, logCount + logCount) << false;
        QTest::newRow("offer: log count over the limit")
            << u"offer"_s << offerWith(inbandMethod, u"<log count='10001'/>"_s) << false;
        QTest::newRow("offer: log count at the limit")
            << u"offer"_s << offerWith(inbandMethod, u"<log count='10000'/>"_s) << true;
        QTest::newRow("offer: negative log count")
            << u"offer"_s << offerWith(inbandMethod, u"<log count='-1'/>"_s) << false;
        QTest::newRow("offer: file")
            << u"offer"_s << offerWith(inbandMethod, manifestFile(u"a"_s) + logCount) << true;
        QTest::newRow("offer: sha-512 file")
            << u"offer"_s
            << offerWith(inbandMethod,
                         manifestFile(u"a"_s, u"3"_s, u"sha-512"_s, digest512) + logCount)
            << true;
        QTest::newRow("offer: sha-512 digest said to be sha-256")
            << u"offer"_s
            << offerWith(inbandMethod,
                         manifestFile(u"a"_s, u"3"_s, u"sha-256"_s, digest512) + logCount)
            << false;
        QTest::newRow("offer: sha-1")
            << u"offer"_s
            << offerWith(inbandMethod,
                         manifestFile(u"a"_s, u"3"_s, u"sha-1"_s, base64Of(QByteArray(20, 'a'))) +
                             logCount)
            << false;
        QTest::newRow("offer: digest not base64")
            << u"offer"_s
            << offerWith(inbandMethod,
                         manifestFile(u"a"_s, u"3"_s, u"sha-256"_s, u"not-base64"_s) + logCount)
            << false;
        QTest::newRow("offer: digest with whitespace")
            << u"offer"_s
            << offerWith(inbandMethod,
                         manifestFile(u"a"_s, u"3"_s, u"sha-256"_s, u" "_s + digest256) + logCount)
            << false;
        QTest::newRow("offer: size with leading zero")
            << u"offer"_s << offerWith(inbandMethod, manifestFile(u"a"_s, u"03"_s) + logCount)
            << false;
        QTest::newRow("offer: size with plus")
            << u"offer"_s << offerWith(inbandMethod, manifestFile(u"a"_s, u"+3"_s) + logCount)
            << false;
        QTest::newRow("offer: size zero")
            << u"offer"_s << offerWith(inbandMethod, manifestFile(u"a"_s, u"0"_s) + logCount)
            << true;
        QTest::newRow("offer: size at the limit")
            << u"offer"_s
            << offerWith(inbandMethod, manifestFile(u"a"_s, u"4294967296"_s) + logCount) << true;
        QTest::newRow("offer: size over the limit")
            << u"offer"_s
            << offerWith(inbandMethod, manifestFile(u"a"_s, u"4294967297"_s) + logCount) << false;
        QTest::newRow("offer: sizes over the total")
            << u"offer"_s
            << offerWith(inbandMethod, manifestFile(u"a"_s, u"4294967296"_s) +
                                           manifestFile(u"b"_s, u"1"_s) + logCount)
            << false;
        QTest::newRow("offer: size overflowing 64 bits")
            << u"offer"_s
            << offerWith(inbandMethod, manifestFile(u"a"_s, u"99999999999999999999"_s) + logCount)
            << false;
        QTest::newRow("offer: no size")
            << u"offer"_s
            << offerWith(inbandMethod,
                         u"<file name='a' hash-algo='sha-256'>%1</file>"_s.arg(digest256) +
                             logCount)
            << false;
        QTest::newRow("offer: file with url")
            << u"offer"_s << offerWith(inbandMethod, uploadFile(u"https://h/a"_s) + logCount)
            << false;
        QTest::newRow("offer: duplicate name")
            << u"offer"_s
            << offerWith(inbandMethod, manifestFile(u"a"_s) + manifestFile(u"a"_s) + logCount)
            << false;
        QTest::newRow("offer: name dot dot")
            << u"offer"_s << offerWith(inbandMethod, manifestFile(u".."_s) + logCount) << false;
        QTest::newRow("offer: name with slash")
            << u"offer"_s << offerWith(inbandMethod, manifestFile(u"a/b"_s) + logCount) << false;
        QTest::newRow("offer: name with backslash")
            << u"offer"_s << offerWith(inbandMethod, manifestFile(u"a\\b"_s) + logCount) << false;
        // XML cannot carry NUL; a tab is the control character it can.
        QTest::newRow("offer: name with tab")
            << u"offer"_s << offerWith(inbandMethod, manifestFile(u"a&#9;b"_s) + logCount) << false;
        QTest::newRow("offer: 1000 files")
            << u"offer"_s << offerWith(inbandMethod, manyFiles(1000) + logCount) << true;
        QTest::newRow("offer: 1001 files")
            << u"offer"_s << offerWith(inbandMethod, manyFiles(1001) + logCount) << false;
        QTest::newRow("offer: other namespace")
            << u"offer"_s
            << u"<transfer xmlns='urn:example' sid='s1' tid='t1'>"_s + inbandMethod +
                   u"<manifest><log count='0'/></manifest></transfer>"_s
            << false;

        // <transfer/> answers
        QTest::newRow("answer: inband")
            << u"answer"_s << transferOpen + inbandMethod + u"</transfer>"_s << true;
        QTest::newRow("answer: two methods")
            << u"answer"_s << transferOpen + inbandMethod + u"<method type='upload'/></transfer>"_s
            << false;
        QTest::newRow("answer: unknown method")
            << u"answer"_s << transferOpen + u"<method type='carrier-pigeon'/></transfer>"_s
            << false;
        QTest::newRow("answer: no method")
            << u"answer"_s << transferOpen + u"</transfer>"_s << false;

        // <state/>
        QTest::newRow("state: log only")
            << u"state"_s << stateOpen + u"<log>"_s + validForwarded + u"</log></state>"_s << true;
        QTest::newRow("state: empty, last")
            << u"state"_s
            << u"<state xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' seq='3' last='true'/>"_s
            << true;
        QTest::newRow("state: no last")
            << u"state"_s << u"<state xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' seq='0'/>"_s
            << false;
        QTest::newRow("state: last='1'")
            << u"state"_s
            << u"<state xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' seq='0' last='1'/>"_s
            << false;
        QTest::newRow("state: seq over the limit")
            << u"state"_s
            << u"<state xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' seq='1048577' last='true'/>"_s
            << false;
        QTest::newRow("state: seq at the limit")
            << u"state"_s
            << u"<state xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' seq='1048576' last='true'/>"_s
            << true;
        QTest::newRow("state: negative seq")
            << u"state"_s
            << u"<state xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' seq='-1' last='true'/>"_s
            << false;
        QTest::newRow("state: no tid")
            << u"state"_s
            << u"<state xmlns='urn:kioskd:mobility:0' sid='s1' seq='0' last='true'/>"_s << false;
        QTest::newRow("state: part with size")
            << u"state"_s << stateOpen + u"<file name='a' size='5'>aGVsbG8=</file></state>"_s
            << false;
        QTest::newRow("state: part without name")
            << u"state"_s << stateOpen + u"<file>aGVsbG8=</file></state>"_s << false;
        QTest::newRow("state: part with a path")
            << u"state"_s << stateOpen + u"<file name='../a'>aGVsbG8=</file></state>"_s << false;
        QTest::newRow("state: part not base64")
            << u"state"_s << stateOpen + u"<file name='a'>hello</file></state>"_s << false;
        QTest::newRow("state: part empty text")
            << u"state"_s << stateOpen + u"<file name='a'></file></state>"_s << false;
        QTest::newRow("state: part with no data")
            << u"state"_s << stateOpen + u"<file name='a'>=</file></state>"_s << true;
        QTest::newRow("state: same part twice")
            << u"state"_s
            << stateOpen + u"<file name='a'>YQ==</file><file name='a'>YQ==</file></state>"_s
            << false;
        QTest::newRow("state: parts and uploads")
            << u"state"_s
            << stateOpen + u"<file name='a'>YQ==</file>"_s + uploadFile(u"https://h/b"_s, u"b"_s) +
                   u"</state>"_s
            << false;
        QTest::newRow("state: upload over http")
            << u"state"_s
            << stateOpen + uploadFile(u"http://upload.example.org/a"_s) + u"</state>"_s << false;
        QTest::newRow("state: upload over ftp")
            << u"state"_s << stateOpen + uploadFile(u"ftp://upload.example.org/a"_s) + u"</state>"_s
            << false;
        QTest::newRow("state: upload with credentials")
            << u"state"_s
            << stateOpen + uploadFile(u"https://user:pw@upload.example.org/a"_s) + u"</state>"_s
            << false;
        QTest::newRow("state: upload without host")
            << u"state"_s << stateOpen + uploadFile(u"https:///a"_s) + u"</state>"_s << false;
        QTest::newRow("state: upload url too long")
            << u"state"_s
            << stateOpen + uploadFile(u"https://h/"_s + QString(StateChunk::maxUrlChars, u'a')) +
                   u"</state>"_s
            << false;
        QTest::newRow("state: upload without digest")
            << u"state"_s
            << stateOpen +
                   u"<file name='a' size='3' hash-algo='sha-256' url='https://h/a'/></state>"_s
            << false;
        QTest::newRow("state: empty log") << u"state"_s << stateOpen + u"<log/></state>"_s << false;
        QTest::newRow("state: two logs")
            << u"state"_s
            << stateOpen + (u"<log>"_s + validForwarded + u"</log>"_s).repeated(2) + u"</state>"_s
            << false;
        QTest::newRow("state: message in log without forwarded")
            << u"state"_s
            << stateOpen + u"<log><message xmlns='jabber:client' id='m'/></log></state>"_s << false;
        QTest::newRow("state: unknown child")
            << u"state"_s << stateOpen + u"<snapshot/></state>"_s << false;
        QTest::newRow("state: child in another namespace")
            << u"state"_s << stateOpen + u"<file xmlns='urn:example' name='a'>YQ==</file></state>"_s
            << false;
        QTest::newRow("state: text") << u"state"_s << stateOpen + u"hello</state>"_s << false;

        // <forwarded/>
        QTest::newRow("forwarded: valid") << u"forwarded"_s << validForwarded << true;
        QTest::newRow("forwarded: delay after stanza")
            << u"forwarded"_s
            << u"<forwarded xmlns='urn:xmpp:forward:0'><presence xmlns='jabber:client'/>"
               "<delay xmlns='urn:xmpp:delay' stamp='2024-05-01T12:00:00Z'/></forwarded>"_s
            << true;
        QTest::newRow("forwarded: iq")
            << u"forwarded"_s
            << u"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
               "stamp='2024-05-01T12:00:00Z'/><iq xmlns='jabber:client' type='get' id='q1'>"
               "<ping xmlns='urn:xmpp:ping'/></iq></forwarded>"_s
            << true;
        QTest::newRow("forwarded: no delay")
            << u"forwarded"_s
            << u"<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/></forwarded>"_s
            << false;
        QTest::newRow("forwarded: two stanzas")
            << u"forwarded"_s
            << u"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
               "stamp='2024-05-01T12:00:00Z'/><message xmlns='jabber:client'/>"
               "<message xmlns='jabber:client'/></forwarded>"_s
            << false;
        QTest::newRow("forwarded: bad stamp")
            << u"forwarded"_s
            << u"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
               "stamp='yesterday'/><message xmlns='jabber:client'/></forwarded>"_s
            << false;
        QTest::newRow("forwarded: delay with text")
            << u"forwarded"_s
            << u"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
               "stamp='2024-05-01T12:00:00Z'>offline</delay><message xmlns='jabber:client'/></forwarded>"_s
            << false;
        QTest::newRow("forwarded: stanza in the forward namespace")
            << u"forwarded"_s
            << u"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
               "stamp='2024-05-01T12:00:00Z'/><message/></forwarded>"_s
            << false;
        QTest::newRow("forwarded: not a stanza")
            << u"forwarded"_s
            << u"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
               "stamp='2024-05-01T12:00:00Z'/><body xmlns='jabber:client'/></forwarded>"_s
            << false;
        QTest::newRow("forwarded: iq without id")
            << u"forwarded"_s
            << u"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
               "stamp='2024-05-01T12:00:00Z'/><iq xmlns='jabber:client' type='get'>"
               "<ping xmlns='urn:xmpp:ping'/></iq></forwarded>"_s
            << false;
        QTest::newRow("forwarded: message from an invalid address")
            << u"forwarded"_s
            << u"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
               "stamp='2024-05-01T12:00:00Z'/><message xmlns='jabber:client' from='a@'/></forwarded>"_s
            << false;

        // The endings and the pull-back request
        QTest::newRow("transferred")
            << u"transferred"_s
            << u"<transferred xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1'/>"_s << true;
        QTest::newRow("transferred: with child")
            << u"transferred"_s
            << u"<transferred xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1'><x/></transferred>"_s
            << false;
        QTest::newRow("transferred: no sid")
            << u"transferred"_s << u"<transferred xmlns='urn:kioskd:mobility:0' tid='t1'/>"_s
            << false;
        QTest::newRow("failed: digest")
            << u"failed"_s
            << u"<transfer-failed xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' reason='digest'/>"_s
            << true;
        QTest::newRow("failed: unknown reason")
            << u"failed"_s
            << u"<transfer-failed xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' reason='bored'/>"_s
            << false;
        QTest::newRow("failed: no reason")
            << u"failed"_s
            << u"<transfer-failed xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1'/>"_s << false;
        QTest::newRow("request") << u"request"_s
                                 << u"<request xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1'/>"_s
                                 << true;
        QTest::newRow("request: tid too long")
            << u"request"_s
            << u"<request xmlns='urn:kioskd:mobility:0' sid='s1' tid='%1'/>"_s.arg(
                   QString(65, u't'))
            << false;
        QTest::newRow("request: extra attribute")
            << u"request"_s
            << u"<request xmlns='urn:kioskd:mobility:0' sid='s1' tid='t1' app='x'/>"_s << false;
    }
    void parsers()
    {
        QFETCH(QString, parser);
        QFETCH(QString, xml);
        QFETCH(bool, valid);
        const QDomElement element = receive(xml);
        // A row that fails to parse as XML at all would test nothing.
        QVERIFY2(!element.isNull(), "the test XML itself is malformed");
        QCOMPARE(parsesAs(parser, element), valid);
    }
};

QTEST_GUILESS_MAIN(TestTransferProtocol)
#include "tst_transferprotocol.moc"
