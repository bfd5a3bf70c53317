#include "namespaces.h"
#include "protocol.h"
#include "streamparser.h"
#include "viewfilter.h"
#include "xmlwriter.h"

#include <QTest>

using namespace mobility;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(mobility::ViewRequest)

namespace {

const QString m = QStringLiteral("xmlns='urn:kioskd:mobility:0'");

// Parses one top-level element the way a client receives it, inside a jabber:client stream.
QDomElement receiveStanza(const QString &xml)
{
    xmpp::StreamParser parser;
    const std::vector<xmpp::StreamEvent> events = parser.feed(
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" +
        xml.toUtf8());
    if (events.size() != 2 || events[1].type != xmpp::StreamEvent::Type::Stanza)
        return {};
    return events[1].stanza;
}

// Parses a mobility payload as it arrives: inside an IQ inside a client stream.
QDomElement receivePayload(const QString &payloadXml)
{
    return receiveStanza(u"<iq type='set' id='i1'>"_s + payloadXml + u"</iq>"_s)
        .firstChildElement();
}

QDomElement overTheWire(const ViewRequest &request)
{
    QDomDocument document;
    return receivePayload(QString::fromUtf8(xmpp::serializeStanza(request.toDom(document))));
}

// A view whose filter holds the given rules, as the phone sends it.
std::optional<ViewRequest> viewWithRules(const QString &rulesXml)
{
    return ViewRequest::fromDom(receivePayload(
        QStringLiteral("<view %1 sid='s1' app='xhunt'><filter>%2</filter></view>").arg(m, rulesXml)));
}

QString repeated(const QString &pattern, int count)
{
    QString all;
    for (int i = 0; i < count; ++i)
        all += pattern.arg(i);
    return all;
}

xmpp::Jid jid(const QString &text)
{
    const std::optional<xmpp::Jid> parsed = xmpp::Jid::parse(text);
    if (!parsed)
        qFatal("the test's JID does not parse");
    return *parsed;
}

// The <view/> of protocol section 6, character for character.
const QString protocolExample = QStringLiteral(
    "<view xmlns='urn:kioskd:mobility:0' sid='s1' app='xhunt'>\n"
    "        <param name='room'>game@conference.example.org</param>\n"
    "        <filter>\n"
    "          <accept kind='message' ns='urn:example:xhunt:0'/>\n"
    "          <accept kind='presence' from='game@conference.example.org'/>\n"
    "          <send kind='message' to='game@conference.example.org'/>\n"
    "          <send kind='presence' to='game@conference.example.org'/>\n"
    "        </filter>\n"
    "      </view>");

FilterRule rule(FilterRule::Direction direction, FilterRule::Kind kind, const QString &ns = {},
                const QString &address = {})
{
    FilterRule result{direction, kind, ns, std::nullopt};
    if (!address.isEmpty())
        result.address = jid(address);
    return result;
}

} // namespace

class TestViewFilter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // --- Receiving: <accept/> ---

    void accepts_data()
    {
        QTest::addColumn<QString>("rules");
        QTest::addColumn<QString>("stanza");
        QTest::addColumn<bool>("accepted");

        const QString message = QStringLiteral("<message from='bob@example.org/x'><body>hi</body></message>");
        const QString presence = QStringLiteral("<presence from='bob@example.org/x'/>");
        const QString iq = QStringLiteral("<iq type='set' id='1' from='bob@example.org/x'><q xmlns='urn:a'/></iq>");

        QTest::newRow("empty filter: message") << QString() << message << false;
        QTest::newRow("empty filter: presence") << QString() << presence << false;
        QTest::newRow("empty filter: iq") << QString() << iq << false;
        QTest::newRow("send rules do not accept") << QStringLiteral("<send kind='message'/><send kind='presence'/><send kind='iq'/>") << message << false;

        const std::pair<const char *, QString> kinds[] = {{"message", message}, {"presence", presence}, {"iq", iq}};
        for (const auto &[ruleKind, ruleStanza] : kinds) {
            for (const auto &[stanzaKind, stanza] : kinds) {
                QTest::addRow("kind %s: %s", ruleKind, stanzaKind)
                    << QStringLiteral("<accept kind='%1'/>").arg(QString::fromLatin1(ruleKind)) << stanza
                    << (qstrcmp(ruleKind, stanzaKind) == 0);
            }
        }
        QTest::newRow("kind: any message type") << QStringLiteral("<accept kind='message'/>") << QStringLiteral("<message type='error' from='bob@example.org'/>") << true;
        QTest::newRow("kind: unavailable presence") << QStringLiteral("<accept kind='presence'/>") << QStringLiteral("<presence type='unavailable' from='bob@example.org/x'/>") << true;
        QTest::newRow("kind: iq result") << QStringLiteral("<accept kind='iq'/>") << QStringLiteral("<iq type='result' id='1' from='example.org'/>") << true;

        const QString nsRule = QStringLiteral("<accept kind='message' ns='urn:a'/>");
        QTest::newRow("ns: only child") << nsRule << QStringLiteral("<message><x xmlns='urn:a'/></message>") << true;
        QTest::newRow("ns: among other children") << nsRule << QStringLiteral("<message><body>hi</body><x xmlns='urn:b'/><x xmlns='urn:a'/></message>") << true;
        QTest::newRow("ns: prefixed child") << nsRule << QStringLiteral("<message><p:x xmlns:p='urn:a'/></message>") << true;
        QTest::newRow("ns: absent") << nsRule << QStringLiteral("<message><body>hi</body></message>") << false;
        QTest::newRow("ns: no children") << nsRule << QStringLiteral("<message/>") << false;
        QTest::newRow("ns: other child") << nsRule << QStringLiteral("<message><x xmlns='urn:b'/></message>") << false;
        QTest::newRow("ns: only a grandchild") << nsRule << QStringLiteral("<message><x xmlns='urn:b'><y xmlns='urn:a'/></x></message>") << false;
        QTest::newRow("ns: longer namespace") << nsRule << QStringLiteral("<message><x xmlns='urn:a:1'/></message>") << false;
        QTest::newRow("ns: only an attribute") << nsRule << QStringLiteral("<message xmlns:a='urn:a' a:flag='1'><body>hi</body></message>") << false;
        QTest::newRow("ns: right child, wrong kind") << nsRule << QStringLiteral("<presence><x xmlns='urn:a'/></presence>") << false;

        const auto from = [](const QString &address) {
            return QStringLiteral("<message from='%1'><body>hi</body></message>").arg(address);
        };
        const QString noFrom = QStringLiteral("<message><body>hi</body></message>");
        const QString bareRule = QStringLiteral("<accept kind='message' from='alice@example.org'/>");
        QTest::newRow("bare: a resource") << bareRule << from(u"alice@example.org/phone"_s) << true;
        QTest::newRow("bare: another resource") << bareRule << from(u"alice@example.org/laptop"_s) << true;
        QTest::newRow("bare: the bare JID") << bareRule << from(u"alice@example.org"_s) << true;
        QTest::newRow("bare: other case") << bareRule << from(u"Alice@EXAMPLE.org/phone"_s) << true;
        QTest::newRow("bare: other user") << bareRule << from(u"bob@example.org/phone"_s) << false;
        QTest::newRow("bare: other domain") << bareRule << from(u"alice@example.net/phone"_s) << false;
        QTest::newRow("bare: the domain") << bareRule << from(u"example.org"_s) << false;
        QTest::newRow("bare: subdomain") << bareRule << from(u"alice@sub.example.org"_s) << false;
        QTest::newRow("bare: no from") << bareRule << noFrom << false;
        QTest::newRow("bare: empty from") << bareRule << from(QString()) << false;
        QTest::newRow("bare: invalid from") << bareRule << from(u"alice@exa mple.org"_s) << false;

        const QString fullRule = QStringLiteral("<accept kind='message' from='alice@example.org/phone'/>");
        QTest::newRow("full: exactly") << fullRule << from(u"alice@example.org/phone"_s) << true;
        QTest::newRow("full: folded localpart") << fullRule << from(u"ALICE@example.org/phone"_s) << true;
        QTest::newRow("full: other resource") << fullRule << from(u"alice@example.org/laptop"_s) << false;
        QTest::newRow("full: resource case") << fullRule << from(u"alice@example.org/Phone"_s) << false;
        QTest::newRow("full: the bare JID") << fullRule << from(u"alice@example.org"_s) << false;
        QTest::newRow("full: the domain") << fullRule << from(u"example.org"_s) << false;
        QTest::newRow("full: no from") << fullRule << noFrom << false;
        const QString domainFullRule = QStringLiteral("<accept kind='message' from='example.org/bot'/>");
        QTest::newRow("domain/resource: exactly") << domainFullRule << from(u"example.org/bot"_s) << true;
        QTest::newRow("domain/resource: the domain") << domainFullRule << from(u"example.org"_s) << false;
        QTest::newRow("domain/resource: a user") << domainFullRule << from(u"x@example.org/bot"_s) << false;

        const QString domainRule = QStringLiteral("<accept kind='message' from='example.org'/>");
        QTest::newRow("domain: itself") << domainRule << from(u"example.org"_s) << true;
        QTest::newRow("domain: with resource") << domainRule << from(u"example.org/res"_s) << true;
        QTest::newRow("domain: bare user") << domainRule << from(u"alice@example.org"_s) << true;
        QTest::newRow("domain: full user") << domainRule << from(u"alice@example.org/phone"_s) << true;
        QTest::newRow("domain: other case") << domainRule << from(u"EXAMPLE.ORG"_s) << true;
        QTest::newRow("domain: trailing dot") << domainRule << from(u"alice@example.org./phone"_s) << true;
        QTest::newRow("domain: subdomain") << domainRule << from(u"conference.example.org"_s) << false;
        QTest::newRow("domain: user at subdomain") << domainRule << from(u"room@conference.example.org/nick"_s) << false;
        QTest::newRow("domain: as prefix") << domainRule << from(u"example.org.evil.net"_s) << false;
        QTest::newRow("domain: as suffix") << domainRule << from(u"badexample.org"_s) << false;
        QTest::newRow("domain: other domain") << domainRule << from(u"alice@example.net"_s) << false;
        QTest::newRow("domain: no from") << domainRule << noFrom << false;
        QTest::newRow("domain: invalid from") << domainRule << from(u"@example.org"_s) << false;

        const QString combinedRule = QStringLiteral("<accept kind='message' ns='urn:a' from='game@conference.example.org'/>");
        QTest::newRow("combined: all match") << combinedRule << QStringLiteral("<message from='game@conference.example.org/bob'><x xmlns='urn:a'/></message>") << true;
        QTest::newRow("combined: wrong kind") << combinedRule << QStringLiteral("<presence from='game@conference.example.org/bob'><x xmlns='urn:a'/></presence>") << false;
        QTest::newRow("combined: wrong ns") << combinedRule << QStringLiteral("<message from='game@conference.example.org/bob'><x xmlns='urn:b'/></message>") << false;
        QTest::newRow("combined: wrong from") << combinedRule << QStringLiteral("<message from='other@conference.example.org/bob'><x xmlns='urn:a'/></message>") << false;
        QTest::newRow("combined: no from") << combinedRule << QStringLiteral("<message><x xmlns='urn:a'/></message>") << false;

        // The protocol's example filter.
        const QString exampleRules = QStringLiteral(
            "<accept kind='message' ns='urn:example:xhunt:0'/>"
            "<accept kind='presence' from='game@conference.example.org'/>"
            "<send kind='message' to='game@conference.example.org'/>");
        QTest::newRow("several: first rule") << exampleRules << QStringLiteral("<message from='anyone@example.net/x'><move xmlns='urn:example:xhunt:0'/></message>") << true;
        QTest::newRow("several: second rule") << exampleRules << QStringLiteral("<presence from='game@conference.example.org/carol'/>") << true;
        QTest::newRow("several: presence from elsewhere") << exampleRules << QStringLiteral("<presence from='bob@example.org/x'/>") << false;
        QTest::newRow("several: plain message") << exampleRules << QStringLiteral("<message from='game@conference.example.org/carol'><body>hi</body></message>") << false;
        QTest::newRow("several: iq") << exampleRules << QStringLiteral("<iq type='get' id='1' from='game@conference.example.org'><q xmlns='urn:example:xhunt:0'/></iq>") << false;
        QTest::newRow("several: later rule matches") << QStringLiteral("<accept kind='message' from='bob@example.org'/><accept kind='message' from='alice@example.org'/>") << from(u"alice@example.org/phone"_s) << true;

        const QString anyIq = QStringLiteral("<accept kind='iq'/>");
        QTest::newRow("display's own: ping") << anyIq << QStringLiteral("<iq type='get' id='1' from='example.org'><ping xmlns='urn:xmpp:ping'/></iq>") << false;
        QTest::newRow("display's own: disco#info") << anyIq << QStringLiteral("<iq type='get' id='1' from='alice@example.org/phone'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>") << false;
        QTest::newRow("display's own: not disco#items") << anyIq << QStringLiteral("<iq type='get' id='1' from='example.org'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>") << true;
        QTest::newRow("display's own: not a ping set") << anyIq << QStringLiteral("<iq type='set' id='1' from='example.org'><ping xmlns='urn:xmpp:ping'/></iq>") << true;
    }
    void accepts()
    {
        QFETCH(QString, rules);
        QFETCH(QString, stanza);
        QFETCH(bool, accepted);
        const std::optional<ViewRequest> view = viewWithRules(rules);
        QVERIFY2(view, "the test's rules do not parse");
        const QDomElement element = receiveStanza(stanza);
        QVERIFY2(!element.isNull(), "the test's stanza is not well-formed");
        QCOMPARE(ViewFilter(view->rules).accepts(element), accepted);
    }

    void defaultFilterDeniesEverything()
    {
        const ViewFilter filter;
        QVERIFY(filter.acceptRules().isEmpty());
        QVERIFY(filter.sendRules().isEmpty());
        for (const QString &stanza : {u"<message to='a@example.org' from='b@example.org'><body>x</body></message>"_s,
                                      u"<presence/>"_s, u"<iq type='result' id='1'/>"_s}) {
            const QDomElement element = receiveStanza(stanza);
            QVERIFY(!element.isNull());
            QVERIFY(!filter.accepts(element));
            QVERIFY(!filter.allowsSending(element));
        }
    }

    void splitsRulesByDirection()
    {
        const std::optional<ViewRequest> view = ViewRequest::fromDom(receivePayload(protocolExample));
        QVERIFY(view);
        const ViewFilter filter(view->rules);
        QCOMPARE(filter.acceptRules().size(), 2);
        QCOMPARE(filter.sendRules().size(), 2);
        QCOMPARE(filter.acceptRules().at(1).kind, FilterRule::Kind::Presence);
        QCOMPARE(filter.sendRules().at(0).address, std::optional<xmpp::Jid>(jid(u"game@conference.example.org"_s)));
    }

    // Stanzas assembled with createElement() carry no namespace; they are jabber:client
    // stanzas all the same.
    void acceptsStanzasBuiltInMemory()
    {
        QDomDocument document;
        QDomElement message = document.createElement(QStringLiteral("message"));
        message.setAttribute(QStringLiteral("from"), QStringLiteral("alice@example.org/phone"));
        message.appendChild(document.createElementNS(QStringLiteral("urn:a"), QStringLiteral("x")));
        const ViewFilter filter({rule(FilterRule::Direction::Accept, FilterRule::Kind::Message,
                                      u"urn:a"_s, u"alice@example.org"_s)});
        QVERIFY(filter.accepts(message));
        message.setAttribute(QStringLiteral("from"), QStringLiteral("bob@example.org/phone"));
        QVERIFY(!filter.accepts(message));
    }

    void addressMatching_data()
    {
        QTest::addColumn<QString>("ruleAddress");
        QTest::addColumn<QString>("stanzaAddress");
        QTest::addColumn<bool>("matches");
        QTest::newRow("bare vs full") << u"a@d.org"_s << u"a@d.org/r"_s << true;
        QTest::newRow("bare vs bare") << u"a@d.org"_s << u"a@d.org"_s << true;
        QTest::newRow("full vs bare") << u"a@d.org/r"_s << u"a@d.org"_s << false;
        QTest::newRow("full vs full") << u"a@d.org/r"_s << u"a@d.org/r"_s << true;
        QTest::newRow("domain vs user") << u"d.org"_s << u"a@d.org/r"_s << true;
        QTest::newRow("domain vs subdomain") << u"d.org"_s << u"s.d.org"_s << false;
        QTest::newRow("subdomain vs domain") << u"s.d.org"_s << u"d.org"_s << false;
        QTest::newRow("bare vs domain") << u"a@d.org"_s << u"d.org"_s << false;
    }
    void addressMatching()
    {
        QFETCH(QString, ruleAddress);
        QFETCH(QString, stanzaAddress);
        QFETCH(bool, matches);
        QCOMPARE(ViewFilter::addressMatches(jid(ruleAddress), jid(stanzaAddress)), matches);
    }

    void nullAddressesMatchNothing()
    {
        QVERIFY(!ViewFilter::addressMatches(xmpp::Jid(), jid(u"d.org"_s)));
        QVERIFY(!ViewFilter::addressMatches(jid(u"d.org"_s), xmpp::Jid()));
        QVERIFY(!ViewFilter::addressMatches(xmpp::Jid(), xmpp::Jid()));
    }

    // --- Sending: <send/> ---

    void allowsSending_data()
    {
        QTest::addColumn<QString>("rules");
        QTest::addColumn<QString>("stanza");
        QTest::addColumn<QString>("refusal"); // the error detail; empty when sending is allowed

        const QString toBob = QStringLiteral("<message to='bob@example.org'><body>hi</body></message>");
        QTest::newRow("empty filter") << QString() << toBob << u"no <send/> rule allows a message to bob@example.org"_s;
        QTest::newRow("accept rules do not allow sending") << QStringLiteral("<accept kind='message'/>") << toBob << u"no <send/> rule allows a message to bob@example.org"_s;

        const QString presenceRule = QStringLiteral("<send kind='presence'/>");
        QTest::newRow("kind: presence allowed") << presenceRule << QStringLiteral("<presence to='bob@example.org'/>") << QString();
        QTest::newRow("kind: broadcast presence allowed") << presenceRule << QStringLiteral("<presence/>") << QString();
        QTest::newRow("kind: message refused") << presenceRule << toBob << u"no <send/> rule allows a message to bob@example.org"_s;
        QTest::newRow("kind: iq refused") << presenceRule << QStringLiteral("<iq type='get' id='1' to='example.org'><q xmlns='urn:a'/></iq>") << u"no <send/> rule allows an IQ to example.org"_s;
        QTest::newRow("kind: message allowed") << QStringLiteral("<send kind='message'/>") << toBob << QString();
        QTest::newRow("kind: iq allowed") << QStringLiteral("<send kind='iq'/>") << QStringLiteral("<iq type='get' id='1'><q xmlns='urn:a'/></iq>") << QString();
        QTest::newRow("kind: message without to") << QStringLiteral("<accept kind='message'/>") << QStringLiteral("<message><body>hi</body></message>") << u"no <send/> rule allows a message without a 'to' address"_s;

        const QString bareRule = QStringLiteral("<send kind='message' to='game@conference.example.org'/>");
        QTest::newRow("bare: itself") << bareRule << QStringLiteral("<message to='game@conference.example.org'/>") << QString();
        QTest::newRow("bare: a resource") << bareRule << QStringLiteral("<message to='game@conference.example.org/carol'/>") << QString();
        QTest::newRow("bare: other address") << bareRule << toBob << u"a message to bob@example.org is not allowed: no <send kind='message'/> rule covers that address"_s;
        QTest::newRow("bare: the domain") << bareRule << QStringLiteral("<message to='conference.example.org'/>") << u"a message to conference.example.org is not allowed: no <send kind='message'/> rule covers that address"_s;
        QTest::newRow("bare: no to") << bareRule << QStringLiteral("<message><body>hi</body></message>") << u"a message without a 'to' address is not allowed: every <send kind='message'/> rule names an address"_s;
        QTest::newRow("bare: invalid to") << bareRule << QStringLiteral("<message to='a@b@c'/>") << u"a message to the invalid address 'a@b@c' is not allowed: every <send kind='message'/> rule names an address"_s;

        const QString fullRule = QStringLiteral("<send kind='presence' to='alice@example.org/phone'/>");
        QTest::newRow("full: exactly") << fullRule << QStringLiteral("<presence to='alice@example.org/phone' type='unavailable'/>") << QString();
        QTest::newRow("full: other resource") << fullRule << QStringLiteral("<presence to='alice@example.org/laptop'/>") << u"presence to alice@example.org/laptop is not allowed: no <send kind='presence'/> rule covers that address"_s;
        QTest::newRow("full: the bare JID") << fullRule << QStringLiteral("<presence to='alice@example.org'/>") << u"presence to alice@example.org is not allowed: no <send kind='presence'/> rule covers that address"_s;
        QTest::newRow("full: broadcast") << fullRule << QStringLiteral("<presence/>") << u"presence without a 'to' address is not allowed: every <send kind='presence'/> rule names an address"_s;

        const QString domainRule = QStringLiteral("<send kind='iq' to='example.org'/>");
        const auto iqTo = [](const QString &to) {
            return QStringLiteral("<iq type='get' id='1' to='%1'><q xmlns='urn:a'/></iq>").arg(to);
        };
        QTest::newRow("domain: itself") << domainRule << iqTo(u"example.org"_s) << QString();
        QTest::newRow("domain: a user") << domainRule << iqTo(u"pubsub@example.org"_s) << QString();
        QTest::newRow("domain: a full JID") << domainRule << iqTo(u"alice@example.org/phone"_s) << QString();
        QTest::newRow("domain: subdomain") << domainRule << iqTo(u"pubsub.example.org"_s) << u"an IQ to pubsub.example.org is not allowed: no <send kind='iq'/> rule covers that address"_s;
        QTest::newRow("domain: other domain") << domainRule << iqTo(u"example.net"_s) << u"an IQ to example.net is not allowed: no <send kind='iq'/> rule covers that address"_s;

        const QString nsRule = QStringLiteral("<send kind='message' ns='urn:a'/>");
        QTest::newRow("ns: present") << nsRule << QStringLiteral("<message to='bob@example.org'><body>hi</body><x xmlns='urn:a'/></message>") << QString();
        QTest::newRow("ns: absent") << nsRule << toBob << u"a message to bob@example.org is not allowed without a child element in urn:a"_s;
        QTest::newRow("ns: either of two") << nsRule + QStringLiteral("<send kind='message' ns='urn:b'/>") << QStringLiteral("<message to='bob@example.org'><x xmlns='urn:b'/></message>") << QString();
        QTest::newRow("ns: neither of two") << nsRule + QStringLiteral("<send kind='message' ns='urn:b'/>") << toBob << u"a message to bob@example.org is not allowed without a child element in urn:a or urn:b"_s;
        QTest::newRow("ns: many listed briefly") << repeated(QStringLiteral("<send kind='message' ns='urn:%1'/>"), 5) << toBob << u"a message to bob@example.org is not allowed without a child element in urn:0 or urn:1 or urn:2 (or 2 more namespaces)"_s;

        const QString combinedRules = QStringLiteral(
            "<send kind='message' ns='urn:a' to='alice@example.org'/><send kind='message' to='bob@example.org'/>");
        QTest::newRow("combined: all match") << combinedRules << QStringLiteral("<message to='alice@example.org/phone'><x xmlns='urn:a'/></message>") << QString();
        QTest::newRow("combined: second rule") << combinedRules << toBob << QString();
        QTest::newRow("combined: namespace only for alice") << combinedRules << QStringLiteral("<message to='alice@example.org'><body>hi</body></message>") << u"a message to alice@example.org is not allowed without a child element in urn:a"_s;
        QTest::newRow("combined: nobody else") << combinedRules << QStringLiteral("<message to='carol@example.org'><x xmlns='urn:a'/></message>") << u"a message to carol@example.org is not allowed: no <send kind='message'/> rule covers that address"_s;

        QTest::newRow("long invalid address cut short") << QString() << QStringLiteral("<message to='@%1'/>").arg(QString(100, u'x')) << u"no <send/> rule allows a message to the invalid address '@%1...'"_s.arg(QString(63, u'x'));
        QTest::newRow("control characters replaced") << QString() << QStringLiteral("<message to='a&#10;b@'/>") << u"no <send/> rule allows a message to the invalid address 'a?b@'"_s;
    }
    void allowsSending()
    {
        QFETCH(QString, rules);
        QFETCH(QString, stanza);
        QFETCH(QString, refusal);
        const std::optional<ViewRequest> view = viewWithRules(rules);
        QVERIFY2(view, "the test's rules do not parse");
        const QDomElement element = receiveStanza(stanza);
        QVERIFY2(!element.isNull(), "the test's stanza is not well-formed");
        const ViewFilter filter(view->rules);
        const xmpp::Status status = filter.allowsSending(element);
        if (refusal.isEmpty()) {
            QVERIFY2(status.ok(), qPrintable(status ? QString() : status.error().detail));
            return;
        }
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, xmpp::ErrorCondition::StanzaError);
        QCOMPARE(status.error().protocolCondition, u"not-allowed"_s);
        QCOMPARE(status.error().detail, refusal);
        QVERIFY(status.error().message().contains(refusal));
    }

    void sendRulesDoNotAccept()
    {
        const ViewFilter filter({rule(FilterRule::Direction::Send, FilterRule::Kind::Message)});
        const QDomElement message = receiveStanza(u"<message from='bob@example.org' to='alice@example.org'/>"_s);
        QVERIFY(filter.allowsSending(message));
        QVERIFY(!filter.accepts(message));
    }

    void refusesToSendWhatIsNoStanza_data()
    {
        QTest::addColumn<QString>("xml");
        QTest::addColumn<QString>("name");
        QTest::newRow("unknown element") << u"<foo/>"_s << u"<foo/>"_s;
        QTest::newRow("other namespace") << u"<message xmlns='jabber:server' to='bob@example.org'/>"_s << u"<message/>"_s;
        QTest::newRow("mobility payload") << u"<view xmlns='urn:kioskd:mobility:0' sid='s1'/>"_s << u"<view/>"_s;
    }
    void refusesToSendWhatIsNoStanza()
    {
        QFETCH(QString, xml);
        QFETCH(QString, name);
        // Even a filter that allows every kind to anyone.
        const ViewFilter filter({rule(FilterRule::Direction::Send, FilterRule::Kind::Message),
                                 rule(FilterRule::Direction::Send, FilterRule::Kind::Presence),
                                 rule(FilterRule::Direction::Send, FilterRule::Kind::Iq),
                                 rule(FilterRule::Direction::Accept, FilterRule::Kind::Message)});
        const QDomElement element = receiveStanza(xml);
        QVERIFY(!element.isNull());
        const xmpp::Status status = filter.allowsSending(element);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, xmpp::ErrorCondition::InvalidInput);
        QCOMPARE(status.error().protocolCondition, u"bad-request"_s);
        QVERIFY2(status.error().detail.startsWith(name + u" is no stanza"_s), qPrintable(status.error().detail));
        QVERIFY(!filter.accepts(element));
    }

    void refusesNullElement()
    {
        const ViewFilter filter({rule(FilterRule::Direction::Send, FilterRule::Kind::Message)});
        const xmpp::Status status = filter.allowsSending(QDomElement());
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, xmpp::ErrorCondition::InvalidInput);
        QVERIFY(!filter.accepts(QDomElement()));
        QVERIFY(!ViewFilter::isAlwaysHandledByDisplay(QDomElement()));
    }

    // --- Answered by the display itself ---

    void alwaysHandledByDisplay_data()
    {
        QTest::addColumn<QString>("stanza");
        QTest::addColumn<bool>("handled");
        const auto iq = [](const QString &attributes, const QString &payload) {
            return QStringLiteral("<iq id='1' %1>%2</iq>").arg(attributes, payload);
        };
        const QString ping = QStringLiteral("<ping xmlns='urn:xmpp:ping'/>");
        const QString discoInfo = QStringLiteral("<query xmlns='http://jabber.org/protocol/disco#info'/>");
        QTest::newRow("ping from the server") << iq(u"type='get' from='example.org'"_s, ping) << true;
        QTest::newRow("ping from another resource") << iq(u"type='get' from='alice@example.org/phone'"_s, ping) << true;
        QTest::newRow("ping from a stranger") << iq(u"type='get' from='mallory@evil.example/x'"_s, ping) << true;
        QTest::newRow("ping without from") << iq(u"type='get'"_s, ping) << true;
        QTest::newRow("prefixed ping") << iq(u"type='get'"_s, u"<p:ping xmlns:p='urn:xmpp:ping'/>"_s) << true;
        QTest::newRow("disco#info") << iq(u"type='get' from='example.org'"_s, discoInfo) << true;
        QTest::newRow("disco#info with node") << iq(u"type='get'"_s, u"<query xmlns='http://jabber.org/protocol/disco#info' node='x'/>"_s) << true;
        QTest::newRow("ping set") << iq(u"type='set'"_s, ping) << false;
        QTest::newRow("ping result") << iq(u"type='result'"_s, ping) << false;
        QTest::newRow("ping error") << iq(u"type='error'"_s, ping) << false;
        QTest::newRow("no type") << iq(QString(), ping) << false;
        QTest::newRow("disco#info set") << iq(u"type='set'"_s, discoInfo) << false;
        QTest::newRow("disco#items") << iq(u"type='get'"_s, u"<query xmlns='http://jabber.org/protocol/disco#items'/>"_s) << false;
        QTest::newRow("version") << iq(u"type='get'"_s, u"<query xmlns='jabber:iq:version'/>"_s) << false;
        QTest::newRow("ping namespace, other element") << iq(u"type='get'"_s, u"<pong xmlns='urn:xmpp:ping'/>"_s) << false;
        QTest::newRow("disco namespace, other element") << iq(u"type='get'"_s, u"<info xmlns='http://jabber.org/protocol/disco#info'/>"_s) << false;
        QTest::newRow("two payloads") << iq(u"type='get'"_s, ping + discoInfo) << false;
        QTest::newRow("no payload") << iq(u"type='get'"_s, QString()) << false;
        QTest::newRow("message with ping") << QStringLiteral("<message>%1</message>").arg(ping) << false;
        QTest::newRow("presence") << QStringLiteral("<presence/>") << false;
    }
    void alwaysHandledByDisplay()
    {
        QFETCH(QString, stanza);
        QFETCH(bool, handled);
        const QDomElement element = receiveStanza(stanza);
        QVERIFY2(!element.isNull(), "the test's stanza is not well-formed");
        QCOMPARE(ViewFilter::isAlwaysHandledByDisplay(element), handled);
        // The widest filter still keeps these from the view.
        const ViewFilter everything({rule(FilterRule::Direction::Accept, FilterRule::Kind::Message),
                                     rule(FilterRule::Direction::Accept, FilterRule::Kind::Presence),
                                     rule(FilterRule::Direction::Accept, FilterRule::Kind::Iq)});
        QCOMPARE(everything.accepts(element), !handled);
    }

    // --- <view/> ---

    void parsesTheProtocolExample()
    {
        const std::optional<ViewRequest> view = ViewRequest::fromDom(receivePayload(protocolExample));
        QVERIFY(view);
        QCOMPARE(view->sid, u"s1"_s);
        QCOMPARE(view->app, u"xhunt"_s);
        QCOMPARE(view->params.size(), 1);
        QCOMPARE(view->params.first().name, u"room"_s);
        QCOMPARE(view->param(u"room"), std::optional<QString>(u"game@conference.example.org"_s));
        QCOMPARE(view->param(u"Room"), std::optional<QString>());
        using Direction = FilterRule::Direction;
        using Kind = FilterRule::Kind;
        const QList<FilterRule> expected = {
            rule(Direction::Accept, Kind::Message, u"urn:example:xhunt:0"_s),
            rule(Direction::Accept, Kind::Presence, {}, u"game@conference.example.org"_s),
            rule(Direction::Send, Kind::Message, {}, u"game@conference.example.org"_s),
            rule(Direction::Send, Kind::Presence, {}, u"game@conference.example.org"_s),
        };
        QCOMPARE(view->rules, expected);

        const QDomElement element = overTheWire(*view);
        QCOMPARE(mobilityElementName(element), u"view"_s);
        const std::optional<ViewRequest> again = ViewRequest::fromDom(element);
        QVERIFY(again);
        QVERIFY(*again == *view);
    }

    void viewRoundTrips_data()
    {
        using Direction = FilterRule::Direction;
        using Kind = FilterRule::Kind;
        QTest::addColumn<ViewRequest>("view");
        QTest::newRow("nothing allowed") << ViewRequest{u"s1"_s, u"clock"_s, {}, {}};
        QTest::newRow("every rule shape") << ViewRequest{
            u"a.B_c-9"_s, u"X-hunt_2.0"_s,
            {{u"room"_s, u"game@conference.example.org"_s}, {u"empty"_s, QString()},
             {u"spaced"_s, u"  two  words \n"_s}, {u"markup"_s, u"<b>&amp; 'q' \"qq\"</b>"_s},
             {u"unicode \u00e9"_s, u"\u4e2d\u6587 \U0001F600"_s}},
            {rule(Direction::Accept, Kind::Message), rule(Direction::Send, Kind::Iq, u"urn:a"_s),
             rule(Direction::Accept, Kind::Iq, u"urn:b"_s, u"example.org"_s),
             rule(Direction::Send, Kind::Presence, {}, u"alice@example.org/phone"_s),
             rule(Direction::Accept, Kind::Presence, {}, u"alice@example.org"_s),
             rule(Direction::Send, Kind::Message, u"urn:c"_s, u"example.org/bot"_s)}};
        ViewRequest largest{QString(64, u's'), QString(64, u'a'), {}, {}};
        for (int i = 0; i < ViewRequest::maxParams; ++i)
            largest.params.append(ViewRequest::Param{QString(ViewRequest::maxParamNameChars - 2, u'n') + QString::number(i).rightJustified(2, u'0'),
                                   QString(ViewRequest::maxParamValueChars, u'v')});
        for (int i = 0; i < ViewRequest::maxRules; ++i)
            largest.rules.append(rule(i % 2 ? Direction::Send : Direction::Accept, Kind::Message,
                                      QString(ViewRequest::maxNamespaceChars, u'u')));
        QTest::newRow("largest") << largest;
    }
    void viewRoundTrips()
    {
        QFETCH(ViewRequest, view);
        const std::optional<ViewRequest> parsed = ViewRequest::fromDom(overTheWire(view));
        QVERIFY(parsed);
        QCOMPARE(parsed->sid, view.sid);
        QCOMPARE(parsed->app, view.app);
        QCOMPARE(parsed->params.size(), view.params.size());
        for (qsizetype i = 0; i < view.params.size(); ++i) {
            QCOMPARE(parsed->params[i].name, view.params[i].name);
            QCOMPARE(parsed->params[i].value, view.params[i].value);
        }
        QCOMPARE(parsed->rules, view.rules);
    }

    // Addresses are kept in canonical form, so the filter compares prepared JIDs.
    void preparesRuleAddresses()
    {
        const std::optional<ViewRequest> view = viewWithRules(
            u"<accept kind='message' from='Game@Conference.EXAMPLE.org/Nick'/>"_s);
        QVERIFY(view);
        QCOMPARE(view->rules.first().address->toString(), u"game@conference.example.org/Nick"_s);
    }

    // Callers may assemble a view with createElement(): children without a namespace
    // inherit the parent's on the wire, so they are accepted in memory too.
    void acceptsChildrenBuiltWithoutNamespace()
    {
        QDomDocument document;
        QDomElement view = document.createElementNS(ns, QStringLiteral("view"));
        view.setAttribute(QStringLiteral("sid"), QStringLiteral("s1"));
        view.setAttribute(QStringLiteral("app"), QStringLiteral("clock"));
        QDomElement filter = document.createElement(QStringLiteral("filter"));
        QDomElement accept = document.createElement(QStringLiteral("accept"));
        accept.setAttribute(QStringLiteral("kind"), QStringLiteral("iq"));
        filter.appendChild(accept);
        view.appendChild(filter);
        const std::optional<ViewRequest> parsed = ViewRequest::fromDom(view);
        QVERIFY(parsed);
        QCOMPARE(parsed->rules, QList<FilterRule>{rule(FilterRule::Direction::Accept, FilterRule::Kind::Iq)});
    }

    // Each row is a valid view with one thing changed; valid views are rows too, so a
    // parser that refuses everything fails here.
    void parsesOnlyWhatTheProtocolAllows_data()
    {
        QTest::addColumn<QString>("xml");
        QTest::addColumn<bool>("accepted");

        const auto view = [](const QString &attributes, const QString &children) {
            return QStringLiteral("<view %1 %2>%3</view>").arg(m, attributes, children);
        };
        const QString sidApp = QStringLiteral("sid='s1' app='xhunt'");
        const QString param = QStringLiteral("<param name='room'>game@conference.example.org</param>");
        const auto filter = [](const QString &rules) { return QStringLiteral("<filter>%1</filter>").arg(rules); };
        const QString rules = QStringLiteral("<accept kind='message' ns='urn:a'/><send kind='presence' to='game@conference.example.org'/>");
        const QString valid = view(sidApp, param + filter(rules));
        const auto withRule = [&](const QString &rule) { return view(sidApp, param + filter(rule)); };
        const auto withParam = [&](const QString &p) { return view(sidApp, p + filter(rules)); };

        QTest::newRow("valid") << valid << true;
        QTest::newRow("valid: protocol example") << protocolExample << true;
        QTest::newRow("valid: empty filter") << view(sidApp, u"<filter/>"_s) << true;
        QTest::newRow("valid: filter first") << view(sidApp, filter(rules) + param) << true;
        QTest::newRow("valid: prefixed") << QStringLiteral("<m:view xmlns:m='urn:kioskd:mobility:0' sid='s1' app='a'><m:filter><m:accept kind='iq'/></m:filter></m:view>") << true;
        QTest::newRow("valid: empty param value") << withParam(u"<param name='x'/>"_s) << true;
        QTest::newRow("valid: 32 params") << withParam(repeated(u"<param name='p%1'>v</param>"_s, 32)) << true;
        QTest::newRow("valid: 64 rules") << withRule(repeated(u"<accept kind='message' ns='urn:%1'/>"_s, 64)) << true;
        QTest::newRow("valid: longest app") << view(u"sid='s1' app='%1'"_s.arg(QString(64, u'a')), filter(rules)) << true;
        QTest::newRow("valid: longest param") << withParam(u"<param name='%1'>%2</param>"_s.arg(QString(64, u'n'), QString(1024, u'v'))) << true;
        QTest::newRow("valid: longest ns") << withRule(u"<accept kind='message' ns='%1'/>"_s.arg(QString(1024, u'u'))) << true;
        QTest::newRow("valid: domain and full addresses") << withRule(u"<accept kind='iq' from='example.org'/><send kind='iq' to='example.org/bot'/>"_s) << true;

        QTest::newRow("wrong namespace") << QStringLiteral("<view xmlns='urn:kioskd:mobility:1' %1>%2</view>").arg(sidApp, filter(rules)) << false;
        QTest::newRow("no namespace") << QStringLiteral("<view %1>%2</view>").arg(sidApp, filter(rules)) << false;
        QTest::newRow("other element") << QStringLiteral("<show %1 %2>%3</show>").arg(m, sidApp, filter(rules)) << false;
        QTest::newRow("no sid") << view(u"app='xhunt'"_s, filter(rules)) << false;
        QTest::newRow("bad sid") << view(u"sid='s 1' app='xhunt'"_s, filter(rules)) << false;
        QTest::newRow("no app") << view(u"sid='s1'"_s, filter(rules)) << false;
        QTest::newRow("empty app") << view(u"sid='s1' app=''"_s, filter(rules)) << false;
        QTest::newRow("long app") << view(u"sid='s1' app='%1'"_s.arg(QString(65, u'a')), filter(rules)) << false;
        QTest::newRow("app with slash") << view(u"sid='s1' app='../x'"_s, filter(rules)) << false;
        QTest::newRow("app ..") << view(u"sid='s1' app='..'"_s, filter(rules)) << false;
        QTest::newRow("app starting with dot") << view(u"sid='s1' app='.hidden'"_s, filter(rules)) << false;
        QTest::newRow("app with space") << view(u"sid='s1' app='x hunt'"_s, filter(rules)) << false;
        QTest::newRow("unknown attribute") << view(sidApp + u" mode='split'"_s, filter(rules)) << false;
        QTest::newRow("xml:lang") << view(sidApp + u" xml:lang='en'"_s, filter(rules)) << false;
        QTest::newRow("sid in other namespace") << QStringLiteral("<view %1 xmlns:o='urn:o' o:sid='s1' app='xhunt'>%2</view>").arg(m, filter(rules)) << false;
        QTest::newRow("text") << view(sidApp, filter(rules) + u"show this"_s) << false;
        QTest::newRow("unknown child") << view(sidApp, filter(rules) + u"<style/>"_s) << false;
        QTest::newRow("param in other namespace") << view(sidApp, u"<param xmlns='urn:o' name='a'>b</param>"_s + filter(rules)) << false;
        QTest::newRow("no filter") << view(sidApp, param) << false;
        QTest::newRow("two filters") << view(sidApp, filter(rules) + filter(QString())) << false;
        QTest::newRow("filter in other namespace") << view(sidApp, u"<filter xmlns='urn:o'/>"_s) << false;
        QTest::newRow("param without name") << withParam(u"<param>v</param>"_s) << false;
        QTest::newRow("param with empty name") << withParam(u"<param name=''>v</param>"_s) << false;
        QTest::newRow("param name too long") << withParam(u"<param name='%1'>v</param>"_s.arg(QString(65, u'n'))) << false;
        QTest::newRow("param value too long") << withParam(u"<param name='n'>%1</param>"_s.arg(QString(1025, u'v'))) << false;
        QTest::newRow("param with child") << withParam(u"<param name='n'><b>v</b></param>"_s) << false;
        QTest::newRow("param twice") << withParam(param + param) << false;
        QTest::newRow("33 params") << withParam(repeated(u"<param name='p%1'>v</param>"_s, 33)) << false;
        QTest::newRow("param unknown attribute") << withParam(u"<param name='n' type='int'>1</param>"_s) << false;
        QTest::newRow("filter attribute") << view(sidApp, u"<filter default='allow'>%1</filter>"_s.arg(rules)) << false;
        QTest::newRow("filter text") << view(sidApp, filter(rules + u"everything"_s)) << false;
        QTest::newRow("unknown rule") << withRule(u"<deny kind='message'/>"_s) << false;
        QTest::newRow("rule in other namespace") << withRule(u"<accept xmlns='urn:o' kind='message'/>"_s) << false;
        QTest::newRow("rule without kind") << withRule(u"<accept ns='urn:a'/>"_s) << false;
        QTest::newRow("unknown kind") << withRule(u"<accept kind='iq-get'/>"_s) << false;
        QTest::newRow("upper-case kind") << withRule(u"<accept kind='Message'/>"_s) << false;
        QTest::newRow("empty ns") << withRule(u"<accept kind='message' ns=''/>"_s) << false;
        QTest::newRow("ns too long") << withRule(u"<accept kind='message' ns='%1'/>"_s.arg(QString(1025, u'u'))) << false;
        QTest::newRow("accept with to") << withRule(u"<accept kind='message' to='a@example.org'/>"_s) << false;
        QTest::newRow("send with from") << withRule(u"<send kind='message' from='a@example.org'/>"_s) << false;
        QTest::newRow("empty from") << withRule(u"<accept kind='message' from=''/>"_s) << false;
        QTest::newRow("invalid from") << withRule(u"<accept kind='message' from='@example.org'/>"_s) << false;
        QTest::newRow("invalid to") << withRule(u"<send kind='message' to='a@b@c'/>"_s) << false;
        QTest::newRow("empty resource") << withRule(u"<send kind='message' to='a@example.org/'/>"_s) << false;
        QTest::newRow("address too long") << withRule(u"<accept kind='message' from='%1'/>"_s.arg(QString(ViewRequest::maxAddressChars + 1, u'a'))) << false;
        QTest::newRow("rule with child") << withRule(u"<accept kind='message'><x/></accept>"_s) << false;
        QTest::newRow("rule with text") << withRule(u"<accept kind='message'>all</accept>"_s) << false;
        QTest::newRow("rule unknown attribute") << withRule(u"<accept kind='message' type='chat'/>"_s) << false;
        QTest::newRow("65 rules") << withRule(repeated(u"<accept kind='message' ns='urn:%1'/>"_s, 65)) << false;
    }
    void parsesOnlyWhatTheProtocolAllows()
    {
        QFETCH(QString, xml);
        QFETCH(bool, accepted);
        const QDomElement element = receivePayload(xml);
        QVERIFY2(!element.isNull(), "the test's XML is not well-formed");
        QCOMPARE(ViewRequest::fromDom(element).has_value(), accepted);
    }

    void appIds_data()
    {
        QTest::addColumn<QString>("app");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << u"xhunt"_s << true;
        QTest::newRow("all classes") << u"0Az._-"_s << true;
        QTest::newRow("64 chars") << QString(64, u'a') << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("65 chars") << QString(65, u'a') << false;
        QTest::newRow("dot") << u"."_s << false;
        QTest::newRow("dot dot") << u".."_s << false;
        QTest::newRow("leading dash") << u"-x"_s << false;
        QTest::newRow("slash") << u"a/b"_s << false;
        QTest::newRow("non-ascii") << u"\u00e9"_s << false;
    }
    void appIds()
    {
        QFETCH(QString, app);
        QFETCH(bool, valid);
        QCOMPARE(ViewRequest::isValidAppId(app), valid);
    }
};

QTEST_GUILESS_MAIN(TestViewFilter)
#include "tst_viewfilter.moc"
