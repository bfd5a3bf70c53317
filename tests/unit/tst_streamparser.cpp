#include "namespaces.h"
#include "streamparser.h"
#include "xmlwriter.h"

#include <QDomDocument>
#include <QDomNamedNodeMap>
#include <QRandomGenerator>
#include <QTest>

#include <algorithm>

using namespace xmpp;
using namespace Qt::StringLiterals;

namespace {

const QByteArray serverHeader =
    "<?xml version='1.0'?>"
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
    "from='example.com' to='kiosk@example.com' id='s1-\xc3\xa9' version='1.0' xml:lang='en'>";

// What a server sends over a session: features with nested namespaces, stanzas with
// non-ASCII text (two-, three- and four-byte UTF-8), references, CDATA, CRLF, prefixed
// namespaces, whitespace keepalives, a stream error and the close.
const QByteArray realisticStream =
    serverHeader +
    QByteArray("<stream:features>"
               "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
               "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
               "<mechanism>SCRAM-SHA-256</mechanism><mechanism>PLAIN</mechanism>"
               "</mechanisms></stream:features>\n"
               "<message from='alice@example.com/ph\xc3\xb4ne' to='kiosk@example.com/lobby' "
               "type='chat' id='m1'><body>Gr\xc3\xbc\xc3\x9f"
               "e \xe4\xb8\xad\xe6\x96\x87 "
               "\xf0\x9f\x98\x80 &lt;b&gt; &amp; &#x1F600;&#65;\r\nline2</body>"
               "<active xmlns='http://jabber.org/protocol/chatstates'/></message>"
               "  \n \t "
               "<iq type='get' id='d1' from='example.com'>"
               "<query xmlns='http://jabber.org/protocol/disco#info' node='n&apos;1'>"
               "<identity category='server' type='im' name='S &quot;1&quot;'/>"
               "<feature var='urn:xmpp:ping'/></query></iq>"
               " "
               "<presence xml:lang='de' from='bob@example.com/x'>"
               "<status>Bin <![CDATA[<weg> & ]] >]]> gleich</status>"
               "<c:caps xmlns:c='http://jabber.org/protocol/caps' c:hash='sha-1' node='n'/>"
               "</presence>"
               "<message to='kiosk@example.com'><body/></message>"
               "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
               "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Replaced \xe2\x98\x83</text>"
               "</stream:error>"
               "</stream:stream>");

void dumpNode(const QDomNode &node, QString &out)
{
    if (node.isText()) {
        out += u"text["_s + node.nodeValue() + u']';
        return;
    }
    const QDomElement element = node.toElement();
    out += u'{' + element.namespaceURI() + u'}' + element.localName() + u'(';
    const QDomNamedNodeMap attributes = element.attributes();
    QStringList attributeTexts;
    for (int i = 0; i < attributes.count(); ++i) {
        const QDomAttr attribute = attributes.item(i).toAttr();
        const QString name =
            attribute.namespaceURI().isNull() ? attribute.name() : attribute.localName();
        attributeTexts << u'{' + attribute.namespaceURI() + u'}' + name + u'=' + attribute.value();
    }
    attributeTexts.sort();
    out += attributeTexts.join(u' ') + u")["_s;
    for (QDomNode child = node.firstChild(); !child.isNull(); child = child.nextSibling())
        dumpNode(child, out);
    out += u']';
}

// One line per event, with everything a consumer can observe.
QStringList describe(const std::vector<StreamEvent> &events)
{
    QStringList lines;
    for (const StreamEvent &event : events) {
        switch (event.type) {
        case StreamEvent::Type::StreamOpened:
            lines << u"opened from=%1 to=%2 id=%3 version=%4 lang=%5"_s.arg(
                event.header.from, event.header.to, event.header.id, event.header.version,
                event.header.lang);
            break;
        case StreamEvent::Type::Stanza: {
            QString text = u"stanza "_s;
            dumpNode(event.stanza, text);
            lines << text;
            break;
        }
        case StreamEvent::Type::StreamClosed:
            lines << u"closed"_s;
            break;
        case StreamEvent::Type::Failed:
            lines << u"failed %1 %2"_s.arg(Error::conditionName(event.error.condition),
                                           event.error.protocolCondition);
            break;
        }
    }
    return lines;
}

std::vector<StreamEvent> feedAll(StreamParser &parser, const QList<QByteArrayView> &pieces)
{
    std::vector<StreamEvent> events;
    for (QByteArrayView piece : pieces) {
        std::vector<StreamEvent> more = parser.feed(piece);
        std::move(more.begin(), more.end(), std::back_inserter(events));
    }
    return events;
}

std::vector<StreamEvent> parseWhole(const QByteArray &bytes, StreamParserLimits limits = {})
{
    StreamParser parser(limits);
    return parser.feed(bytes);
}

std::vector<StreamEvent> parseByteByByte(const QByteArray &bytes, StreamParserLimits limits = {})
{
    StreamParser parser(limits);
    QList<QByteArrayView> pieces;
    for (qsizetype i = 0; i < bytes.size(); ++i)
        pieces << QByteArrayView(bytes).sliced(i, 1);
    return feedAll(parser, pieces);
}

const StreamEvent *lastFailure(const std::vector<StreamEvent> &events)
{
    if (events.empty() || events.back().type != StreamEvent::Type::Failed)
        return nullptr;
    return &events.back();
}

QByteArray headerWith(const QByteArray &attributes)
{
    return "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' " +
           attributes + ">";
}

} // namespace

class TestStreamParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesRealisticStream();
    void sameEventsAtEverySplit();
    void sameEventsByteByByte();
    void sameEventsWithFreshReaderPerStanza();
    void mutatedStreamsDoNotDependOnSplits();
    void rejectsRestrictedXml_data();
    void rejectsRestrictedXml();
    void deliversStanzasBeforeFailure();
    void acceptsPredefinedAndCharacterReferences();
    void enforcesStanzaSize();
    void rejectsEndlessStanzaEarly();
    void rejectsOversizedHeader();
    void enforcesDepth();
    void limitsAttributes();
    void rejectsMalformedXml_data();
    void rejectsMalformedXml();
    void rejectsWrongStreamElement_data();
    void rejectsWrongStreamElement();
    void restartsAfterReset();
    void resetClearsFailure();
    void ignoresKeepaliveWhitespace();
    void ignoresInputAfterClose();
    void handlesSelfClosingStream();
    void toleratesWhitespaceBeforeRestartedHeader();
    void serializesCompactly();
    void serializationRoundTrips();
    void escapesTextAndAttributes();
    void serializesDomWithoutNamespaces();
    void writesStreamFraming();
};

void TestStreamParser::parsesRealisticStream()
{
    const std::vector<StreamEvent> events = parseWhole(realisticStream);
    QCOMPARE(events.size(), size_t(8));

    QCOMPARE(events[0].type, StreamEvent::Type::StreamOpened);
    QCOMPARE(events[0].header.from, u"example.com"_s);
    QCOMPARE(events[0].header.to, u"kiosk@example.com"_s);
    QCOMPARE(events[0].header.id, u"s1-\u00e9"_s);
    QCOMPARE(events[0].header.version, u"1.0"_s);
    QCOMPARE(events[0].header.lang, u"en"_s);

    const QDomElement features = events[1].stanza;
    QCOMPARE(events[1].type, StreamEvent::Type::Stanza);
    QCOMPARE(features.namespaceURI(), ns::stream);
    QCOMPARE(features.localName(), u"features"_s);
    const QDomElement starttls = features.firstChildElement();
    QCOMPARE(starttls.namespaceURI(), ns::tls);
    QCOMPARE(starttls.firstChildElement().localName(), u"required"_s);
    QCOMPARE(starttls.firstChildElement().namespaceURI(), ns::tls);
    const QDomElement mechanisms = starttls.nextSiblingElement();
    QCOMPARE(mechanisms.namespaceURI(), ns::sasl);
    QCOMPARE(mechanisms.elementsByTagNameNS(ns::sasl, u"mechanism"_s).size(), 2);
    // Detached from any document, so it can be kept or moved without dragging one along.
    QVERIFY(features.parentNode().isNull());

    const QDomElement message = events[2].stanza;
    QCOMPARE(message.namespaceURI(), ns::client);
    QCOMPARE(message.localName(), u"message"_s);
    QCOMPARE(message.attribute(u"from"_s), u"alice@example.com/ph\u00f4ne"_s);
    const QDomElement body = message.firstChildElement(u"body"_s);
    QCOMPARE(body.namespaceURI(), ns::client);
    // References resolved; CRLF normalised to LF as XML requires.
    QCOMPARE(body.text(), u"Gr\u00fc\u00dfe \u4e2d\u6587 \U0001F600 <b> & \U0001F600A\nline2"_s);
    QCOMPARE(body.childNodes().size(), 1);
    QCOMPARE(body.nextSiblingElement().namespaceURI(), u"http://jabber.org/protocol/chatstates"_s);

    const QDomElement iq = events[3].stanza;
    QCOMPARE(iq.localName(), u"iq"_s);
    const QDomElement query = iq.firstChildElement();
    QCOMPARE(query.namespaceURI(), ns::discoInfo);
    QCOMPARE(query.attribute(u"node"_s), u"n'1"_s);
    QCOMPARE(query.firstChildElement().attribute(u"name"_s), u"S \"1\""_s);
    QCOMPARE(query.firstChildElement().namespaceURI(), ns::discoInfo);

    const QDomElement presence = events[4].stanza;
    QCOMPARE(presence.attributeNS(u"http://www.w3.org/XML/1998/namespace"_s, u"lang"_s), u"de"_s);
    QCOMPARE(presence.firstChildElement().text(), u"Bin <weg> & ]] > gleich"_s);
    const QDomElement caps = presence.firstChildElement().nextSiblingElement();
    QCOMPARE(caps.namespaceURI(), u"http://jabber.org/protocol/caps"_s);
    QCOMPARE(caps.localName(), u"caps"_s);
    QCOMPARE(caps.attributeNS(u"http://jabber.org/protocol/caps"_s, u"hash"_s), u"sha-1"_s);
    QCOMPARE(caps.attribute(u"node"_s), u"n"_s);

    QCOMPARE(events[5].stanza.firstChildElement().localName(), u"body"_s);
    QVERIFY(events[5].stanza.firstChildElement().text().isEmpty());

    const QDomElement streamError = events[6].stanza;
    QCOMPARE(streamError.namespaceURI(), ns::stream);
    QCOMPARE(streamError.localName(), u"error"_s);
    QCOMPARE(streamError.firstChildElement().namespaceURI(), ns::streamErrors);
    QCOMPARE(streamError.firstChildElement().localName(), u"conflict"_s);
    QCOMPARE(streamError.lastChildElement().text(), u"Replaced \u2603"_s);

    QCOMPARE(events[7].type, StreamEvent::Type::StreamClosed);
}

void TestStreamParser::sameEventsAtEverySplit()
{
    const QStringList expected = describe(parseWhole(realisticStream));
    QCOMPARE(expected.size(), 8);
    for (qsizetype split = 1; split < realisticStream.size(); ++split) {
        StreamParser parser;
        const QByteArrayView all(realisticStream);
        const QStringList actual = describe(feedAll(parser, {all.first(split), all.sliced(split)}));
        if (actual != expected)
            QFAIL(qPrintable(u"events differ when split at byte %1"_s.arg(split)));
    }
}

void TestStreamParser::sameEventsByteByByte()
{
    QCOMPARE(describe(parseByteByByte(realisticStream)), describe(parseWhole(realisticStream)));
}

void TestStreamParser::sameEventsWithFreshReaderPerStanza()
{
    // A recycle threshold of one byte replaces the XML reader after every stanza, which
    // must be invisible to the consumer (prefixes and default namespace included).
    StreamParserLimits limits;
    limits.readerRecycleBytes = 1;
    const QStringList expected = describe(parseWhole(realisticStream));
    QCOMPARE(describe(parseWhole(realisticStream, limits)), expected);
    QCOMPARE(describe(parseByteByByte(realisticStream, limits)), expected);

    // With the streams prefix spelled differently, a re-opened stream must use it too.
    const QByteArray otherPrefix =
        "<s:stream xmlns:s='http://etherx.jabber.org/streams' xmlns='jabber:client' "
        "version='1.0'><message><body>1</body></message><s:features/>"
        "<message><body>2</body></message></s:stream>";
    const std::vector<StreamEvent> events = parseWhole(otherPrefix, limits);
    QCOMPARE(describe(events), describe(parseWhole(otherPrefix)));
    QCOMPARE(events.size(), size_t(5));
    QCOMPARE(events[2].stanza.namespaceURI(), ns::stream);
    QCOMPARE(events[3].stanza.namespaceURI(), ns::client);
    QCOMPARE(events[4].type, StreamEvent::Type::StreamClosed);
}

void TestStreamParser::mutatedStreamsDoNotDependOnSplits()
{
    // Corrupt the stream in many ways and feed each corruption whole and in random
    // pieces: the parser must not crash, and the stanzas delivered and whether (not
    // which way) the stream fails must not depend on the splits. Which condition is
    // reported can legitimately differ: a later restricted construct may be seen before
    // an earlier malformation reaches the XML reader.
    QRandomGenerator random(20240611);
    const QByteArray interesting = "<>&;/'\"!?[]=- a\xc3\x80\xff";
    auto normalised = [](QStringList lines) {
        for (QString &line : lines) {
            if (line.startsWith(u"failed"))
                line = u"failed"_s;
        }
        return lines;
    };
    int failures = 0;
    for (int round = 0; round < 400; ++round) {
        QByteArray mutated = realisticStream;
        const int edits = 1 + random.bounded(3);
        for (int edit = 0; edit < edits; ++edit) {
            const qsizetype at = random.bounded(mutated.size());
            const char byte = interesting.at(random.bounded(interesting.size()));
            switch (random.bounded(3)) {
            case 0:
                mutated[at] = byte;
                break;
            case 1:
                mutated.insert(at, byte);
                break;
            default:
                mutated.remove(at, 1);
                break;
            }
        }
        const QStringList expected = normalised(describe(parseWhole(mutated)));
        failures += expected.endsWith(u"failed"_s);
        for (int variant = 0; variant < 3; ++variant) {
            StreamParser parser;
            QList<QByteArrayView> pieces;
            const QByteArrayView all(mutated);
            for (qsizetype offset = 0; offset < all.size();) {
                const qsizetype length =
                    std::min<qsizetype>(1 + random.bounded(40), all.size() - offset);
                pieces << all.sliced(offset, length);
                offset += length;
            }
            const QStringList actual = normalised(describe(feedAll(parser, pieces)));
            if (actual != expected) {
                qWarning().noquote() << "input:" << mutated;
                QCOMPARE(actual, expected);
            }
        }
    }
    // The corruptions are not all harmless: most must have been caught.
    QVERIFY2(failures > 200, qPrintable(QString::number(failures)));
}

void TestStreamParser::rejectsRestrictedXml_data()
{
    QTest::addColumn<QByteArray>("input");

    QTest::newRow("doctype in prolog")
        << QByteArray("<?xml version='1.0'?><!DOCTYPE stream:stream>") + headerWith("");
    QTest::newRow("internal subset with entity")
        << QByteArray("<!DOCTYPE s [<!ENTITY x 'boom'>]>") + headerWith("");
    QTest::newRow("entity declaration between stanzas") << headerWith("") + "<!ENTITY x 'boom'>";
    QTest::newRow("doctype inside stanza") << headerWith("") + "<message><!DOCTYPE x></message>";
    QTest::newRow("comment in prolog") << QByteArray("<!-- hi -->") + headerWith("");
    QTest::newRow("comment between stanzas") << headerWith("") + "<!-- hi -->";
    QTest::newRow("comment inside stanza")
        << headerWith("") + "<message><body>a<!-- hi -->b</body></message>";
    QTest::newRow("processing instruction in prolog")
        << QByteArray("<?xml version='1.0'?><?foo bar?>") + headerWith("");
    QTest::newRow("processing instruction first") << QByteArray("<?foo bar?>") + headerWith("");
    QTest::newRow("processing instruction named like xml")
        << QByteArray("<?xml-stylesheet href='a'?>") + headerWith("");
    QTest::newRow("processing instruction between stanzas") << headerWith("") + "<?foo?>";
    QTest::newRow("processing instruction inside stanza")
        << headerWith("") + "<message><?foo?></message>";
    QTest::newRow("second xml declaration") << headerWith("") + "<?xml version='1.0'?>";
    QTest::newRow("undefined entity in text")
        << headerWith("") + "<message><body>&nbsp;</body></message>";
    QTest::newRow("undefined short entity")
        << headerWith("") + "<message><body>&x;</body></message>";
    QTest::newRow("undefined entity in attribute") << headerWith("") + "<message id='&foo;'/>";
    QTest::newRow("undefined entity in header") << headerWith("to='&foo;'");
    QTest::newRow("long entity name")
        << headerWith("") + "<message><body>&averyveryverylongname;</body></message>";
}

void TestStreamParser::rejectsRestrictedXml()
{
    QFETCH(QByteArray, input);
    // Whole and byte by byte: the decision must not depend on where input is split.
    for (const std::vector<StreamEvent> &events : {parseWhole(input), parseByteByByte(input)}) {
        const StreamEvent *failure = lastFailure(events);
        QVERIFY(failure);
        QCOMPARE(failure->error.condition, ErrorCondition::ProtocolViolation);
        QCOMPARE(failure->error.protocolCondition, u"restricted-xml"_s);
        QVERIFY(std::none_of(events.begin(), events.end(), [](const StreamEvent &event) {
            return event.type == StreamEvent::Type::Stanza;
        }));
    }
}

void TestStreamParser::deliversStanzasBeforeFailure()
{
    StreamParser parser;
    const std::vector<StreamEvent> events =
        parser.feed(headerWith("") + "<message><body>first</body></message><!-- x -->");
    QCOMPARE(describe(events).size(), 3);
    QCOMPARE(events[0].type, StreamEvent::Type::StreamOpened);
    QCOMPARE(events[1].type, StreamEvent::Type::Stanza);
    QCOMPARE(events[1].stanza.text(), u"first"_s);
    QCOMPARE(events[2].type, StreamEvent::Type::Failed);
    // The stream is dead: nothing more comes out, not even another failure.
    QVERIFY(parser.feed("<message><body>second</body></message>").empty());
    QVERIFY(parser.feed("garbage").empty());
}

void TestStreamParser::acceptsPredefinedAndCharacterReferences()
{
    const QByteArray input =
        headerWith("") + "<message id='&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x0000043;'>"
                         "<body>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x0000043;</body></message>";
    for (const std::vector<StreamEvent> &events : {parseWhole(input), parseByteByByte(input)}) {
        QCOMPARE(events.size(), size_t(2));
        QCOMPARE(events[1].type, StreamEvent::Type::Stanza);
        QCOMPARE(events[1].stanza.attribute(u"id"_s), u"<>&\"'ABC"_s);
        QCOMPARE(events[1].stanza.text(), u"<>&\"'ABC"_s);
    }
}

void TestStreamParser::enforcesStanzaSize()
{
    StreamParserLimits limits;
    limits.maxStanzaBytes = 200;
    const QByteArray opening = "<message><body>";
    const QByteArray closing = "</body></message>";
    const QByteArray fits =
        opening + QByteArray(200 - opening.size() - closing.size(), 'x') + closing;
    const QByteArray tooBig =
        opening + QByteArray(201 - opening.size() - closing.size(), 'x') + closing;
    QCOMPARE(fits.size(), 200);
    QCOMPARE(tooBig.size(), 201);

    // Whitespace around stanzas does not count.
    for (const auto &parse : {parseWhole, parseByteByByte}) {
        const std::vector<StreamEvent> accepted =
            parse(headerWith("") + "\n  " + fits + "  \n" + fits, limits);
        QCOMPARE(accepted.size(), size_t(3));
        QCOMPARE(accepted[2].type, StreamEvent::Type::Stanza);

        const std::vector<StreamEvent> rejected = parse(headerWith("") + fits + tooBig, limits);
        QCOMPARE(rejected.size(), size_t(3));
        QCOMPARE(rejected[1].type, StreamEvent::Type::Stanza);
        const StreamEvent *failure = lastFailure(rejected);
        QVERIFY(failure);
        QCOMPARE(failure->error.condition, ErrorCondition::LimitExceeded);
        QCOMPARE(failure->error.protocolCondition, u"policy-violation"_s);
    }

    // An empty element counts the same way.
    const QByteArray emptyFits = "<m a='" + QByteArray(200 - 9, 'y') + "'/>";
    QCOMPARE(emptyFits.size(), 200);
    QCOMPARE(parseWhole(headerWith("") + emptyFits, limits).back().type, StreamEvent::Type::Stanza);
    QVERIFY(lastFailure(
        parseWhole(headerWith("") + "<m a='" + QByteArray(200 - 8, 'y') + "'/>", limits)));
}

void TestStreamParser::rejectsEndlessStanzaEarly()
{
    // A peer that never ends its stanza is cut off once the limit is crossed, in the
    // very feed that crosses it, not when (if ever) the stanza ends.
    StreamParser parser;
    const qsizetype limit = parser.limits().maxStanzaBytes;
    QCOMPARE(parser.feed(headerWith("") + "<message><body>").size(), size_t(1));
    const QByteArray chunk(4096, 'z');
    qsizetype fed = 15;
    std::vector<StreamEvent> events;
    while (events.empty() && fed < 64 * limit) {
        events = parser.feed(chunk);
        fed += chunk.size();
    }
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(events[0].error.condition, ErrorCondition::LimitExceeded);
    QVERIFY(fed > limit);
    QVERIFY2(fed <= limit + chunk.size(), qPrintable(u"failed only after %1 bytes"_s.arg(fed)));

    // Also when the whole excess arrives in one piece: nothing past the limit is parsed.
    StreamParserLimits small;
    small.maxStanzaBytes = 1000;
    StreamParser oneShot(small);
    const std::vector<StreamEvent> oneShotEvents =
        oneShot.feed(headerWith("") + "<message><body>" + QByteArray(50'000'000, 'z'));
    QCOMPARE(oneShotEvents.size(), size_t(2));
    QCOMPARE(oneShotEvents[1].error.condition, ErrorCondition::LimitExceeded);
}

void TestStreamParser::rejectsOversizedHeader()
{
    StreamParserLimits limits;
    limits.maxHeaderBytes = 512;
    const QByteArray padding(400, 'p');
    const std::vector<StreamEvent> fits = parseWhole(headerWith("id='" + padding + "'"), limits);
    QCOMPARE(fits.size(), size_t(1));
    QCOMPARE(fits[0].type, StreamEvent::Type::StreamOpened);

    const QByteArray tooLong = headerWith("id='" + padding + padding + "'");
    for (const std::vector<StreamEvent> &events :
         {parseWhole(tooLong, limits), parseByteByByte(tooLong, limits)}) {
        const StreamEvent *failure = lastFailure(events);
        QVERIFY(failure);
        QCOMPARE(failure->error.condition, ErrorCondition::LimitExceeded);
        QCOMPARE(failure->error.protocolCondition, u"policy-violation"_s);
    }

    // A header that never ends.
    StreamParser endless(limits);
    QVERIFY(endless.feed("<stream:stream ").empty());
    std::vector<StreamEvent> events;
    int rounds = 0;
    while (events.empty() && rounds++ < 1000)
        events = endless.feed(QByteArray(100, ' '));
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(events[0].error.condition, ErrorCondition::LimitExceeded);
    QVERIFY(rounds <= 6);
}

void TestStreamParser::enforcesDepth()
{
    auto nested = [](int depth) {
        QByteArray xml;
        for (int i = 0; i < depth; ++i)
            xml += "<e>";
        xml += "<leaf/>"; // empty elements are as deep as any other
        for (int i = 0; i < depth; ++i)
            xml += "</e>";
        return xml;
    };
    const QByteArray deepest = headerWith("") + nested(31); // leaf at depth 32
    const std::vector<StreamEvent> accepted = parseWhole(deepest);
    QCOMPARE(accepted.size(), size_t(2));
    QCOMPARE(accepted[1].type, StreamEvent::Type::Stanza);

    const QByteArray tooDeep = headerWith("") + nested(32);
    for (const std::vector<StreamEvent> &events : {parseWhole(tooDeep), parseByteByByte(tooDeep)}) {
        const StreamEvent *failure = lastFailure(events);
        QVERIFY(failure);
        QCOMPARE(failure->error.protocolCondition, u"policy-violation"_s);
        QCOMPARE(failure->error.condition, ErrorCondition::LimitExceeded);
    }

    StreamParserLimits shallow;
    shallow.maxDepth = 2;
    QCOMPARE(parseWhole(headerWith("") + "<a><b/></a>", shallow).back().type,
             StreamEvent::Type::Stanza);
    QVERIFY(lastFailure(parseWhole(headerWith("") + "<a><b><c/></b></a>", shallow)));
}

void TestStreamParser::limitsAttributes()
{
    auto element = [](int attributes) {
        QByteArray xml = "<message><x xmlns='urn:x'";
        for (int i = 1; i < attributes; ++i)
            xml += " a" + QByteArray::number(i) + "='" + QByteArray::number(i) + "'";
        return xml + "/></message>";
    };
    const std::vector<StreamEvent> accepted = parseWhole(headerWith("") + element(128));
    QCOMPARE(accepted.size(), size_t(2));
    QCOMPARE(accepted[1].stanza.firstChildElement().attributes().count(), 127);

    for (const std::vector<StreamEvent> &events :
         {parseWhole(headerWith("") + element(129)),
          parseByteByByte(headerWith("") + element(129))}) {
        const StreamEvent *failure = lastFailure(events);
        QVERIFY(failure);
        QCOMPARE(failure->error.condition, ErrorCondition::LimitExceeded);
        QCOMPARE(failure->error.protocolCondition, u"policy-violation"_s);
    }
}

void TestStreamParser::rejectsMalformedXml_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("protocolCondition");

    const QByteArray header = headerWith("");
    const QString notWellFormed = u"not-well-formed"_s;
    QTest::newRow("mismatched end tag") << header + "<message></iq>" << notWellFormed;
    QTest::newRow("duplicate attribute") << header + "<message a='1' a='2'/>" << notWellFormed;
    QTest::newRow("undeclared prefix") << header + "<foo:bar/>" << notWellFormed;
    QTest::newRow("invalid utf-8")
        << header + "<message><body>\xff\xfe</body></message>" << notWellFormed;
    QTest::newRow("overlong utf-8")
        << header + "<message><body>\xc0\xaf</body></message>" << notWellFormed;
    QTest::newRow("truncated utf-8 before markup")
        << header + "<message><body>\xe4\xb8</body></message>" << notWellFormed;
    QTest::newRow("utf-16 surrogate as utf-8")
        << header + "<message><body>\xed\xa0\x80</body></message>" << notWellFormed;
    QTest::newRow("beyond U+10FFFF")
        << header + "<message><body>\xf4\x90\x80\x80</body></message>" << notWellFormed;
    QTest::newRow("invalid utf-8 in attribute") << header + "<message id='\x80'/>" << notWellFormed;
    QTest::newRow("invalid utf-8 in header") << headerWith("id='\xc3\x28'") << notWellFormed;
    QTest::newRow("noncharacter") << header + "<message><body>\xef\xbf\xbf</body></message>"
                                  << notWellFormed;
    QTest::newRow("control character")
        << header + "<message><body>a\x01</body></message>" << notWellFormed;
    QTest::newRow("control character reference")
        << header + "<message><body>&#1;</body></message>" << notWellFormed;
    QTest::newRow("lt inside tag") << header + "<message <body/>" << notWellFormed;
    QTest::newRow("lt in attribute") << header + "<message a='<'/>" << notWellFormed;
    QTest::newRow("unquoted attribute") << header + "<message a=1/>" << notWellFormed;
    QTest::newRow("unterminated reference")
        << header + "<message><body>&amp x</body></message>" << notWellFormed;
    QTest::newRow("empty reference")
        << header + "<message><body>&;</body></message>" << notWellFormed;
    QTest::newRow("cdata terminator in text")
        << header + "<message><body>]]></body></message>" << notWellFormed;
    QTest::newRow("space after lt") << header + "< message/>" << notWellFormed;
    QTest::newRow("wrong stream close") << header + "</stream:features>" << notWellFormed;
    QTest::newRow("text before header") << QByteArray("hello") + header << notWellFormed;
    QTest::newRow("end tag as header") << QByteArray("</stream:stream>") << notWellFormed;
    QTest::newRow("text between stanzas") << header + "<message/>hello" << u"bad-format"_s;
    QTest::newRow("reference between stanzas") << header + "&#32;" << u"bad-format"_s;
    QTest::newRow("cdata between stanzas") << header + "<![CDATA[ ]]>" << u"bad-format"_s;
    QTest::newRow("latin-1 declaration")
        << QByteArray("<?xml version='1.0' encoding='ISO-8859-1'?>") + header
        << u"unsupported-encoding"_s;
}

void TestStreamParser::rejectsMalformedXml()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, protocolCondition);
    for (const std::vector<StreamEvent> &events : {parseWhole(input), parseByteByByte(input)}) {
        const StreamEvent *failure = lastFailure(events);
        QVERIFY(failure);
        QCOMPARE(failure->error.condition, ErrorCondition::ProtocolViolation);
        QCOMPARE(failure->error.protocolCondition, protocolCondition);
        QVERIFY(!failure->error.detail.isEmpty());
    }
}

void TestStreamParser::rejectsWrongStreamElement_data()
{
    QTest::addColumn<QByteArray>("input");

    QTest::newRow("no streams namespace")
        << QByteArray("<stream xmlns='jabber:client' version='1.0'>");
    QTest::newRow("wrong streams namespace")
        << QByteArray("<stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong'>");
    QTest::newRow("wrong element name")
        << QByteArray("<stream:flow xmlns='jabber:client' "
                      "xmlns:stream='http://etherx.jabber.org/streams'>");
    QTest::newRow("server namespace")
        << QByteArray("<stream:stream xmlns='jabber:server' "
                      "xmlns:stream='http://etherx.jabber.org/streams'>");
    QTest::newRow("no content namespace")
        << QByteArray("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>");
    QTest::newRow("html") << QByteArray("<html>");
}

void TestStreamParser::rejectsWrongStreamElement()
{
    QFETCH(QByteArray, input);
    const std::vector<StreamEvent> events = parseWhole(input);
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(events[0].type, StreamEvent::Type::Failed);
    QCOMPARE(events[0].error.protocolCondition, u"invalid-namespace"_s);
}

void TestStreamParser::restartsAfterReset()
{
    StreamParser parser;
    std::vector<StreamEvent> events = parser.feed(
        serverHeader + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                       "<mechanism>PLAIN</mechanism></mechanisms></stream:features>"
                       "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    QCOMPARE(events.size(), size_t(3));
    QCOMPARE(events[2].stanza.localName(), u"success"_s);
    QCOMPARE(events[2].stanza.namespaceURI(), ns::sasl);

    // The client restarts the stream; the server answers with a new header.
    parser.reset();
    events = parser.feed("<?xml version='1.0'?>" + headerWith("id='second' from='example.com'") +
                         "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                         "</stream:features>");
    QCOMPARE(events.size(), size_t(2));
    QCOMPARE(events[0].type, StreamEvent::Type::StreamOpened);
    QCOMPARE(events[0].header.id, u"second"_s);
    QCOMPARE(events[1].stanza.firstChildElement().namespaceURI(), ns::bind);

    // Without reset(), a second header inside the stream is a stanza named stream in
    // the streams namespace, which the client must treat as an error; the parser
    // reports what it sees.
    StreamParser noReset;
    events = noReset.feed(headerWith("") + "<?xml version='1.0'?>");
    QVERIFY(lastFailure(events));
}

void TestStreamParser::resetClearsFailure()
{
    StreamParser parser;
    QVERIFY(lastFailure(parser.feed("<!-- no -->")));
    QVERIFY(parser.feed(headerWith("")).empty());
    parser.reset();
    const std::vector<StreamEvent> events = parser.feed(headerWith("") + "<message/>");
    QCOMPARE(events.size(), size_t(2));
    QCOMPARE(events[1].type, StreamEvent::Type::Stanza);

    // Reset in the middle of a stanza drops the partial stanza.
    StreamParser partial;
    QCOMPARE(partial.feed(headerWith("") + "<message><body>half").size(), size_t(1));
    partial.reset();
    const std::vector<StreamEvent> fresh =
        partial.feed(headerWith("id='2'") + "<iq type='get' id='1'/>");
    QCOMPARE(fresh.size(), size_t(2));
    QCOMPARE(fresh[1].stanza.localName(), u"iq"_s);
}

void TestStreamParser::ignoresKeepaliveWhitespace()
{
    StreamParser parser;
    QCOMPARE(parser.feed(headerWith("")).size(), size_t(1));
    // Far more whitespace than any limit: it is skipped, not buffered or counted.
    const QByteArray keepalives(64 * 1024, ' ');
    for (int i = 0; i < 64; ++i)
        QVERIFY(parser.feed(keepalives).empty());
    QVERIFY(parser.feed(" \t\r\n").empty());
    const std::vector<StreamEvent> events = parser.feed("<message><body> x </body></message> ");
    QCOMPARE(events.size(), size_t(1));
    // Whitespace inside a stanza is content and is kept.
    QCOMPARE(events[0].stanza.text(), u" x "_s);
}

void TestStreamParser::ignoresInputAfterClose()
{
    StreamParser parser;
    std::vector<StreamEvent> events = parser.feed(headerWith("") + "</stream:stream><message/>");
    QCOMPARE(events.size(), size_t(2));
    QCOMPARE(events[1].type, StreamEvent::Type::StreamClosed);
    QVERIFY(parser.feed("<message/>").empty());
    QVERIFY(parser.feed("<!-- even this -->").empty());
}

void TestStreamParser::handlesSelfClosingStream()
{
    const std::vector<StreamEvent> events =
        parseWhole("<stream:stream xmlns='jabber:client' "
                   "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'/>");
    QCOMPARE(events.size(), size_t(2));
    QCOMPARE(events[0].type, StreamEvent::Type::StreamOpened);
    QCOMPARE(events[1].type, StreamEvent::Type::StreamClosed);
}

void TestStreamParser::toleratesWhitespaceBeforeRestartedHeader()
{
    const std::vector<StreamEvent> events = parseWhole(" \n<?xml version='1.0'?>" + headerWith(""));
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(events[0].type, StreamEvent::Type::StreamOpened);
}

void TestStreamParser::serializesCompactly()
{
    const std::vector<StreamEvent> events = parseWhole(realisticStream);
    QCOMPARE(serializeStanza(events[2].stanza),
             QByteArray("<message from='alice@example.com/ph\xc3\xb4ne' id='m1' "
                        "to='kiosk@example.com/lobby' type='chat'>"
                        "<body>Gr\xc3\xbc\xc3\x9f"
                        "e \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 "
                        "&lt;b&gt; &amp; \xf0\x9f\x98\x80"
                        "A\nline2</body>"
                        "<active xmlns='http://jabber.org/protocol/chatstates'/></message>"));
    QCOMPARE(serializeStanza(events[1].stanza),
             QByteArray("<stream:features>"
                        "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
                        "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                        "<mechanism>SCRAM-SHA-256</mechanism><mechanism>PLAIN</mechanism>"
                        "</mechanisms></stream:features>"));
    const QByteArray presence = serializeStanza(events[4].stanza);
    QVERIFY(presence.contains("xml:lang='de'"));
    QVERIFY(presence.contains("xmlns:c='http://jabber.org/protocol/caps'"));
    QVERIFY(presence.contains("c:hash='sha-1'"));
    QVERIFY(!presence.contains("xmlns:xml"));
    QVERIFY(presence.startsWith("<presence "));
}

void TestStreamParser::serializationRoundTrips()
{
    const std::vector<StreamEvent> original = parseWhole(realisticStream);
    QByteArray rebuilt = serverHeader;
    for (const StreamEvent &event : original) {
        if (event.type == StreamEvent::Type::Stanza)
            rebuilt += serializeStanza(event.stanza);
    }
    rebuilt += streamFooter();
    QCOMPARE(describe(parseWhole(rebuilt)), describe(original));
}

void TestStreamParser::escapesTextAndAttributes()
{
    QDomDocument document;
    QDomElement message = document.createElementNS(ns::client, u"message"_s);
    document.appendChild(message);
    const QString attributeValue = u"a'b\"c<d>e&f\tg\nh\ri"_s;
    message.setAttribute(u"id"_s, attributeValue);
    QDomElement body = document.createElementNS(ns::client, u"body"_s);
    const QString text = u"x < y && z > w ]]> '\"' \r\n\t end"_s;
    body.appendChild(document.createTextNode(text));
    message.appendChild(body);

    const QByteArray xml = serializeStanza(message);
    QVERIFY(!xml.contains("]]>"));
    const std::vector<StreamEvent> events = parseWhole(headerWith("") + xml);
    QCOMPARE(events.size(), size_t(2));
    QCOMPARE(events[1].stanza.attribute(u"id"_s), attributeValue);
    QCOMPARE(events[1].stanza.firstChildElement().text(), text);

    // Characters XML cannot carry become U+FFFD rather than breaking the stream.
    QDomElement bad = document.createElementNS(ns::client, u"message"_s);
    bad.setAttribute(u"id"_s, QString(u"a"_s + QChar(0x01) + QChar(0xD800) + u"b"_s));
    bad.appendChild(document.createTextNode(QString(QChar(0xFFFE)) + QChar(0xDC00) + QChar(0) +
                                            u"\U0001F600"_s));
    const std::vector<StreamEvent> badEvents = parseWhole(headerWith("") + serializeStanza(bad));
    QCOMPARE(badEvents.size(), size_t(2));
    QCOMPARE(badEvents[1].stanza.attribute(u"id"_s), u"a\uFFFD\uFFFDb"_s);
    QCOMPARE(badEvents[1].stanza.text(), u"\uFFFD\uFFFD\uFFFD\U0001F600"_s);

    QCOMPARE(escapeXmlText(u"<a&b>'\""_s), u"&lt;a&amp;b&gt;'\""_s);
    QCOMPARE(escapeXmlAttribute(u"<a&b>'\""_s), u"&lt;a&amp;b&gt;&apos;&quot;"_s);
}

void TestStreamParser::serializesDomWithoutNamespaces()
{
    // Elements built with createElement() take their parent's namespace; namespaced
    // children of them still declare theirs once.
    QDomDocument document;
    QDomElement iq = document.createElement(u"iq"_s);
    document.appendChild(iq);
    iq.setAttribute(u"type"_s, u"get"_s);
    QDomElement ping = document.createElementNS(ns::ping, u"ping"_s);
    iq.appendChild(ping);
    QDomElement inner = document.createElementNS(ns::ping, u"inner"_s);
    ping.appendChild(inner);
    QDomElement back = document.createElementNS(ns::client, u"body"_s);
    ping.appendChild(back);
    QDomElement prefixed = document.createElementNS(u"urn:x"_s, u"p:thing"_s);
    prefixed.setAttributeNS(u"urn:y"_s, u"q:attr"_s, u"1"_s);
    prefixed.setAttributeNS(u"urn:x"_s, u"p:own"_s, u"2"_s);
    iq.appendChild(prefixed);
    QCOMPARE(serializeStanza(iq),
             QByteArray("<iq type='get'><ping xmlns='urn:xmpp:ping'><inner/>"
                        "<body xmlns='jabber:client'/></ping>"
                        "<p:thing xmlns:p='urn:x' xmlns:q='urn:y' p:own='2' q:attr='1'/></iq>"));
    // An unprefixed element in the streams namespace uses the stream prefix.
    QDomElement features = document.createElementNS(ns::stream, u"features"_s);
    QCOMPARE(serializeStanza(features), QByteArray("<stream:features/>"));
    QCOMPARE(serializeStanza(QDomElement()), QByteArray());
}

void TestStreamParser::writesStreamFraming()
{
    const QByteArray header = streamHeader(u"example.com"_s, u"kiosk@example.com"_s, u"de"_s);
    QCOMPARE(header, QByteArray("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                                "xmlns:stream='http://etherx.jabber.org/streams' to='example.com' "
                                "from='kiosk@example.com' xml:lang='de' version='1.0'>"));
    QCOMPARE(streamHeader(u"a&b"_s, {}, {}),
             QByteArray("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                        "xmlns:stream='http://etherx.jabber.org/streams' to='a&amp;b' "
                        "version='1.0'>"));

    // What we write, our own parser reads back.
    const QByteArray stream = header + streamErrorElement(u"policy-violation"_s, u"too <big>"_s) +
                              streamErrorElement(u"conflict"_s) + streamFooter();
    const std::vector<StreamEvent> events = parseWhole(stream);
    QCOMPARE(events.size(), size_t(4));
    QCOMPARE(events[0].header.to, u"example.com"_s);
    QCOMPARE(events[0].header.from, u"kiosk@example.com"_s);
    QCOMPARE(events[0].header.lang, u"de"_s);
    QCOMPARE(events[0].header.version, u"1.0"_s);
    const QDomElement error = events[1].stanza;
    QCOMPARE(error.namespaceURI(), ns::stream);
    QCOMPARE(error.localName(), u"error"_s);
    QCOMPARE(error.firstChildElement().localName(), u"policy-violation"_s);
    QCOMPARE(error.firstChildElement().namespaceURI(), ns::streamErrors);
    QCOMPARE(error.lastChildElement().localName(), u"text"_s);
    QCOMPARE(error.lastChildElement().text(), u"too <big>"_s);
    QCOMPARE(events[2].stanza.childNodes().size(), 1);
    QCOMPARE(events[3].type, StreamEvent::Type::StreamClosed);
    QCOMPARE(streamFooter(), QByteArray("</stream:stream>"));
}

QTEST_GUILESS_MAIN(TestStreamParser)
#include "tst_streamparser.moc"
