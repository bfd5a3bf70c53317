#include "namespaces.h"
#include "packetlog.h"
#include "streamparser.h"
#include "xmlwriter.h"

#include <QTest>

using namespace mobility;
using namespace Qt::StringLiterals;

namespace {

// A stanza as the client receives it from the server.
QDomElement fromWire(const QString &stanzaXml)
{
    xmpp::StreamParser parser;
    const std::vector<xmpp::StreamEvent> events = parser.feed(
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" +
        stanzaXml.toUtf8());
    if (events.size() != 2 || events[1].type != xmpp::StreamEvent::Type::Stanza)
        return {};
    return events[1].stanza;
}

QDomElement chat(int number, const QString &body = u"hello"_s)
{
    return fromWire(u"<message from='alice@example.org/phone' to='bob@example.org' type='chat' "
                    "id='m%1'><body>%2</body></message>"_s.arg(number)
                        .arg(body));
}

QDateTime at(int seconds, int milliseconds = 0)
{
    return QDateTime(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC)
        .addSecs(seconds)
        .addMSecs(milliseconds);
}

qsizetype wireSize(const QDomElement &stanza)
{
    return xmpp::serializeStanza(stanza).size();
}

QStringList ids(const PacketLog &log)
{
    QStringList all;
    for (const PacketLog::Entry &entry : log.entries())
        all.append(entry.stanza.attribute(u"id"_s));
    return all;
}

// Forwarded elements as they arrive at the other side: serialised and parsed back.
QList<QDomElement> overTheWire(const QList<QDomElement> &forwarded)
{
    QList<QDomElement> received;
    for (const QDomElement &element : forwarded) {
        xmpp::StreamParser parser;
        const std::vector<xmpp::StreamEvent> events =
            parser.feed("<stream:stream xmlns='jabber:client' "
                        "xmlns:stream='http://etherx.jabber.org/streams'><iq type='set' id='i'>" +
                        xmpp::serializeStanza(element) + "</iq>");
        if (events.size() != 2)
            return {};
        received.append(events[1].stanza.firstChildElement());
    }
    return received;
}

} // namespace

class TestPacketLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendsInOrder()
    {
        PacketLog log;
        QVERIFY(log.isEmpty());
        for (int i = 0; i < 3; ++i) {
            const xmpp::Result<int> appended = log.append(chat(i), at(i));
            QVERIFY(appended.ok());
            QCOMPARE(appended.value(), 0);
        }
        QCOMPARE(ids(log), (QStringList{u"m0"_s, u"m1"_s, u"m2"_s}));
        QCOMPARE(log.entries()[1].received, at(1));
        QCOMPARE(log.entries()[1].received.timeSpec(), Qt::UTC);
        QCOMPARE(log.entries()[0].bytes, wireSize(chat(0)));
        QCOMPARE(log.bytes(), 3 * wireSize(chat(0)));
        QCOMPARE(log.droppedCount(), 0);
    }

    void keepsACopyInJabberClient()
    {
        // Built in memory without any namespace.
        QDomDocument document;
        QDomElement presence = document.createElement(u"presence"_s);
        presence.setAttribute(u"from"_s, u"carol@example.org/desk"_s);
        QDomElement show = document.createElement(u"show"_s);
        show.appendChild(document.createTextNode(u"away"_s));
        presence.appendChild(show);

        PacketLog log;
        QVERIFY(log.append(presence, at(0)).ok());
        presence.setAttribute(u"from"_s, u"mallory@example.org/x"_s);
        const QDomElement kept = log.entries().first().stanza;
        QCOMPARE(kept.attribute(u"from"_s), u"carol@example.org/desk"_s);
        QCOMPARE(kept.namespaceURI(), xmpp::ns::client);
        QCOMPARE(kept.firstChildElement().namespaceURI(), xmpp::ns::client);
        QCOMPARE(kept.firstChildElement().text(), u"away"_s);
    }

    // What is read back is what went in, text of only whitespace included (a space between
    // two formatted words, a body that is a blank).
    void keepsWhitespaceText()
    {
        PacketLog log;
        QVERIFY(log.append(chat(0, u" "_s), at(0)).ok());
        QVERIFY(log.append(fromWire(u"<message from='alice@example.org/phone' id='x'><html xmlns='http://jabber.org/protocol/xhtml-im'>"
                                    "<body xmlns='http://www.w3.org/1999/xhtml'><strong>Hi</strong> <em>there</em></body></html></message>"_s),
                           at(1)).ok());
        QCOMPARE(log.entries()[0].stanza.firstChildElement(u"body"_s).text(), u" "_s);
        QCOMPARE(log.entries()[1].stanza.text(), u"Hi there"_s);
    }

    void dropsOldestOverCount()
    {
        PacketLog log(PacketLog::Limits{3, 1024 * 1024});
        int dropped = 0;
        for (int i = 0; i < 5; ++i) {
            const xmpp::Result<int> appended = log.append(chat(i), at(i));
            QVERIFY(appended.ok());
            QCOMPARE(appended.value(), i < 3 ? 0 : 1);
            dropped += appended.value();
        }
        QCOMPARE(dropped, 2);
        QCOMPARE(log.droppedCount(), 2);
        QCOMPARE(ids(log), (QStringList{u"m2"_s, u"m3"_s, u"m4"_s}));
        QCOMPARE(log.bytes(), 3 * wireSize(chat(0)));
    }

    void dropsOldestOverBytes()
    {
        const qsizetype small = wireSize(chat(0));
        // Room for two and a half small stanzas.
        PacketLog log(PacketLog::Limits{1000, small * 5 / 2});
        QCOMPARE(log.append(chat(0), at(0)).value(), 0);
        QCOMPARE(log.append(chat(1), at(1)).value(), 0);
        QCOMPARE(log.append(chat(2), at(2)).value(), 1);
        QCOMPARE(ids(log), (QStringList{u"m1"_s, u"m2"_s}));
        QVERIFY(log.bytes() <= log.limits().maxBytes);

        // One stanza twice the size of a small one pushes both out.
        const QDomElement large = chat(3, u"hello"_s + QString(small, u'x'));
        QVERIFY(wireSize(large) <= log.limits().maxBytes);
        QVERIFY(wireSize(large) + small > log.limits().maxBytes);
        QCOMPARE(log.append(large, at(3)).value(), 2);
        QCOMPARE(ids(log), QStringList{u"m3"_s});
        QCOMPARE(log.bytes(), wireSize(large));
        QCOMPARE(log.droppedCount(), 3);
    }

    void refusesAStanzaLargerThanTheLog()
    {
        PacketLog log(PacketLog::Limits{1000, 300});
        QVERIFY(log.append(chat(0), at(0)).ok());
        const xmpp::Result<int> appended = log.append(chat(1, QString(400, u'x')), at(1));
        QVERIFY(!appended.ok());
        QCOMPARE(appended.error().condition, xmpp::ErrorCondition::LimitExceeded);
        QVERIFY2(appended.error().detail.contains(u"300"_s), qPrintable(appended.error().detail));
        // Nothing was dropped for it.
        QCOMPARE(ids(log), QStringList{u"m0"_s});
        QCOMPARE(log.droppedCount(), 0);
    }

    void refusesWhatIsNoStanza_data()
    {
        QTest::addColumn<QString>("xml");
        QTest::newRow("not a stanza kind") << u"<body>x</body>"_s;
        QTest::newRow("other namespace") << u"<message xmlns='urn:example'/>"_s;
        QTest::newRow("iq without id") << u"<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>"_s;
        QTest::newRow("invalid from") << u"<message from='@example.org'/>"_s;
        QTest::newRow("unknown presence type") << u"<presence type='sleeping'/>"_s;
    }
    void refusesWhatIsNoStanza()
    {
        QFETCH(QString, xml);
        const QDomElement element = fromWire(xml);
        QVERIFY(!element.isNull());
        PacketLog log;
        const xmpp::Result<int> appended = log.append(element, at(0));
        QVERIFY(!appended.ok());
        QCOMPARE(appended.error().condition, xmpp::ErrorCondition::InvalidInput);
        QVERIFY(log.isEmpty());
    }

    void refusesInvalidTimes()
    {
        PacketLog log;
        QCOMPARE(log.append(chat(0), QDateTime()).error().condition,
                 xmpp::ErrorCondition::InvalidInput);
        QCOMPARE(log.append(chat(0), QDateTime(QDate(10000, 1, 1), QTime(0, 0), Qt::UTC))
                     .error()
                     .condition,
                 xmpp::ErrorCondition::InvalidInput);
        QVERIFY(log.isEmpty());
    }

    void keepsTimeFromGoingBack()
    {
        PacketLog log;
        QVERIFY(log.append(chat(0), at(10)).ok());
        QVERIFY(log.append(chat(1), at(5)).ok());
        QCOMPARE(log.entries()[1].received, at(10));
        // Local times are kept as the instant they name.
        const QDateTime later = at(20).toOffsetFromUtc(3600);
        QVERIFY(log.append(chat(2), later).ok());
        QCOMPARE(log.entries()[2].received, at(20));
        QCOMPARE(log.entries()[2].received.timeSpec(), Qt::UTC);
    }

    void clampsLimits()
    {
        QCOMPARE(PacketLog(PacketLog::Limits{0, 0}).limits().maxCount, 1);
        QCOMPARE(PacketLog(PacketLog::Limits{0, 0}).limits().maxBytes, 1);
        const PacketLog huge(PacketLog::Limits{1 << 30, qsizetype(1) << 40});
        QCOMPARE(huge.limits().maxCount, TransferOffer::maxLogCount);
        QCOMPARE(huge.limits().maxBytes, PacketLog::maxBytesCap);
    }

    void sinceTakesTheTailFromATime()
    {
        PacketLog log(PacketLog::Limits{50, 100000});
        for (int i = 0; i < 6; ++i)
            QVERIFY(log.append(chat(i), at(i)).ok());
        const PacketLog tail = log.since(at(3));
        // At the time itself included: a stanza of the snapshot's millisecond is replayed.
        QCOMPARE(ids(tail), (QStringList{u"m3"_s, u"m4"_s, u"m5"_s}));
        QCOMPARE(tail.bytes(), 3 * wireSize(chat(0)));
        QCOMPARE(tail.limits().maxCount, 50);
        QCOMPARE(ids(log.since(at(3, 1))), (QStringList{u"m4"_s, u"m5"_s}));
        QCOMPARE(log.since(at(-100)).size(), 6);
        QVERIFY(log.since(at(100)).isEmpty());
        // The original is untouched and the tail goes on by itself.
        PacketLog growing = log.since(at(5));
        QVERIFY(growing.append(chat(9), at(9)).ok());
        QCOMPARE(ids(growing), (QStringList{u"m5"_s, u"m9"_s}));
        QCOMPARE(log.size(), 6);
    }

    void forwardedRoundTrip()
    {
        PacketLog log;
        QVERIFY(log.append(chat(0, u"caf\u00e9 &amp; &lt;b&gt;"_s), at(0, 250)).ok());
        QVERIFY(log.append(fromWire(u"<presence from='carol@example.org/desk'><show>away</show>"
                                    "<x xmlns='vcard-temp:x:update'><photo/></x></presence>"_s),
                           at(1))
                    .ok());
        QVERIFY(log.append(fromWire(u"<iq type='get' id='q1' from='example.org'>"
                                    "<ping xmlns='urn:xmpp:ping'/></iq>"_s),
                           at(2))
                    .ok());

        QDomDocument document;
        const QList<QDomElement> forwarded = log.toForwarded(document);
        QCOMPARE(forwarded.size(), 3);
        for (const QDomElement &element : forwarded) {
            QCOMPARE(element.namespaceURI(), xmpp::ns::forward);
            QCOMPARE(element.firstChildElement().namespaceURI(), xmpp::ns::delay);
        }
        QCOMPARE(forwarded[0].firstChildElement().attribute(u"stamp"_s),
                 u"2024-05-01T12:00:00.250Z"_s);

        const QList<QDomElement> received = overTheWire(forwarded);
        QCOMPARE(received.size(), 3);
        const std::optional<PacketLog> parsed = PacketLog::fromForwarded(received);
        QVERIFY(parsed);
        QCOMPARE(ids(*parsed), ids(log));
        QCOMPARE(parsed->bytes(), log.bytes());
        for (qsizetype i = 0; i < 3; ++i) {
            QCOMPARE(parsed->entries()[i].received, log.entries()[i].received);
            QCOMPARE(xmpp::serializeStanza(parsed->entries()[i].stanza),
                     xmpp::serializeStanza(log.entries()[i].stanza));
        }
        QCOMPARE(parsed->entries()[0].stanza.firstChildElement().text(), u"caf\u00e9 & <b>"_s);
        QCOMPARE(parsed->entries()[1].stanza.lastChildElement().namespaceURI(),
                 u"vcard-temp:x:update"_s);
    }

    void fromForwardedIsStrict()
    {
        PacketLog log;
        for (int i = 0; i < 3; ++i)
            QVERIFY(log.append(chat(i), at(i)).ok());
        QDomDocument document;
        const QList<QDomElement> forwarded = log.toForwarded(document);
        QVERIFY(PacketLog::fromForwarded(forwarded));

        // Out of order.
        QVERIFY(!PacketLog::fromForwarded({forwarded[1], forwarded[0]}));
        // More stanzas than the limits allow: refused, not trimmed.
        QVERIFY(!PacketLog::fromForwarded(forwarded, PacketLog::Limits{2, 100000}));
        QVERIFY(!PacketLog::fromForwarded(forwarded, PacketLog::Limits{1000, log.bytes() - 1}));
        QVERIFY(PacketLog::fromForwarded(forwarded, PacketLog::Limits{3, log.bytes()}));
        // Anything that is not a <forwarded/>.
        QVERIFY(!PacketLog::fromForwarded({forwarded[0], log.entries()[1].stanza}));
        QDomElement wrongStamp = forwarded[2].cloneNode(true).toElement();
        wrongStamp.firstChildElement().setAttribute(u"stamp"_s, u"2024-05-01"_s);
        QVERIFY(!PacketLog::fromForwarded({forwarded[0], wrongStamp}));
        // An empty log is a log.
        const std::optional<PacketLog> empty = PacketLog::fromForwarded({});
        QVERIFY(empty);
        QVERIFY(empty->isEmpty());
    }

    void xmlRoundTrip()
    {
        PacketLog log(PacketLog::Limits{10, 100000});
        for (int i = 0; i < 4; ++i)
            QVERIFY(log.append(chat(i, u"\u00e9 %1"_s.arg(i)), at(i)).ok());
        const QByteArray xml = log.toXml();
        QVERIFY(xml.startsWith("<log xmlns='urn:kioskd:mobility:0'>"));
        QVERIFY(xml.size() <= PacketLog::maxXmlBytes(log.limits()));
        const std::optional<PacketLog> parsed = PacketLog::fromXml(xml, log.limits());
        QVERIFY(parsed);
        QCOMPARE(ids(*parsed), ids(log));
        QCOMPARE(parsed->entries()[3].stanza.firstChildElement().text(), u"\u00e9 3"_s);
        QCOMPARE(parsed->toXml(), xml);

        const std::optional<PacketLog> empty = PacketLog::fromXml(PacketLog().toXml());
        QVERIFY(empty);
        QVERIFY(empty->isEmpty());
    }

    void fullLogFitsItsXmlBound()
    {
        // The largest log the limits allow must still be readable back.
        const PacketLog::Limits limits{20, 20 * wireSize(chat(10, QString(300, u'x')))};
        PacketLog log(limits);
        for (int i = 0; i < 40; ++i)
            QVERIFY(log.append(chat(i, QString(300, u'x')), at(i)).ok());
        QCOMPARE(log.size(), 20);
        QVERIFY(PacketLog::fromXml(log.toXml(), limits));
    }

    void fromXmlIsStrict_data()
    {
        QTest::addColumn<QByteArray>("xml");
        PacketLog log;
        QVERIFY(log.append(chat(0), at(0)).ok());
        const QByteArray valid = log.toXml();
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("not XML") << QByteArray("hello");
        QTest::newRow("truncated") << valid.chopped(3);
        QTest::newRow("wrong root")
            << QByteArray(valid).replace("<log ", "<logs ").replace("</log>", "</logs>");
        QTest::newRow("wrong namespace")
            << QByteArray(valid).replace("urn:kioskd:mobility:0", "urn:example");
        QTest::newRow("root attribute") << QByteArray(valid).replace("<log ", "<log count='1' ");
        QTest::newRow("text in root") << QByteArray(valid).replace("</log>", "junk</log>");
        QTest::newRow("two roots") << valid + valid;
        QTest::newRow("closes the stream")
            << valid + "</stream:stream><log xmlns='urn:kioskd:mobility:0'/>";
        QTest::newRow("declaration") << "<?xml version='1.0'?>" + valid;
        QTest::newRow("doctype with entity") << "<!DOCTYPE log [<!ENTITY a 'aaaaaaaa'>]>" +
                                                    QByteArray(valid).replace("hello", "&a;");
        QTest::newRow("undeclared entity") << QByteArray(valid).replace("hello", "&a;");
        QTest::newRow("message not forwarded")
            << QByteArray("<log xmlns='urn:kioskd:mobility:0'><message xmlns='jabber:client' "
                          "id='x'/></log>");
    }
    void fromXmlIsStrict()
    {
        QFETCH(QByteArray, xml);
        QVERIFY(!PacketLog::fromXml(xml));
    }

    void fromXmlRefusesOversizedDocuments()
    {
        PacketLog log(PacketLog::Limits{1000, 100000});
        for (int i = 0; i < 5; ++i)
            QVERIFY(log.append(chat(i, QString(200, u'x')), at(i)).ok());
        const QByteArray xml = log.toXml();
        // Fits its own limits, not ones for a log a quarter of its size.
        QVERIFY(PacketLog::fromXml(xml, log.limits()));
        QVERIFY(!PacketLog::fromXml(xml, PacketLog::Limits{1000, log.bytes() / 4}));
        QVERIFY(!PacketLog::fromXml(xml, PacketLog::Limits{4, 100000}));
        // Over the document bound before any parsing.
        const PacketLog::Limits tiny{1, 10};
        QVERIFY(!PacketLog::fromXml(QByteArray(PacketLog::maxXmlBytes(tiny) + 1, ' '), tiny));
    }

    // The log keeps what it was given as it was then, in jabber:client, and its entries
    // follow every change.
    void entriesAreCopiesThatFollowTheLog()
    {
        PacketLog log({3, 1024 * 1024});
        QDomElement original = chat(1);
        QVERIFY(log.append(original, at(1)));
        original.setAttribute(u"id"_s, u"changed"_s);
        original.firstChildElement().firstChild().setNodeValue(u"changed"_s);
        QCOMPARE(ids(log), QStringList{u"m1"_s});
        QCOMPARE(log.entries().first().stanza.firstChildElement().text(), u"hello"_s);

        // Built without a namespace, as code may build a stanza.
        QDomDocument document;
        QDomElement bare = document.createElement(u"message"_s);
        bare.setAttribute(u"id"_s, u"m2"_s);
        bare.setAttribute(u"from"_s, u"carol@example.org/pc"_s);
        QVERIFY(log.append(bare, at(2)));
        QCOMPARE(ids(log), (QStringList{u"m1"_s, u"m2"_s}));
        QCOMPARE(log.entries().last().stanza.namespaceURI(), xmpp::ns::client);
        QCOMPARE(log.entries().last().bytes, log.bytes() - log.entries().first().bytes);

        QVERIFY(log.append(chat(3), at(3)));
        QVERIFY(log.append(chat(4), at(4)));
        QCOMPARE(ids(log), (QStringList{u"m2"_s, u"m3"_s, u"m4"_s}));
        QCOMPARE(ids(log.since(at(3))), (QStringList{u"m3"_s, u"m4"_s}));
        qsizetype total = 0;
        for (const PacketLog::Entry &entry : log.entries())
            total += entry.bytes;
        QCOMPARE(total, log.bytes());
    }
};

QTEST_GUILESS_MAIN(TestPacketLog)
#include "tst_packetlog.moc"
