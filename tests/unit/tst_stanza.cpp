#include "namespaces.h"
#include "stanza.h"
#include "streamparser.h"
#include "xmlwriter.h"

#include <QTest>

using namespace xmpp;
using namespace Qt::StringLiterals;

namespace {

// Parses one stanza the way the client receives it: inside a jabber:client stream.
QDomElement receive(const QByteArray &xml)
{
    StreamParser parser;
    const std::vector<StreamEvent> events = parser.feed(
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" +
        xml);
    if (events.size() != 2 || events[1].type != StreamEvent::Type::Stanza)
        return {};
    return events[1].stanza;
}

template <typename T> QByteArray serialize(const T &value)
{
    QDomDocument document;
    return serializeStanza(value.toDom(document));
}

} // namespace

class TestStanza : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesStanzaError();
    void stanzaErrorEdgeCases();
    void writesStanzaError();
    void stanzaErrorToError();
    void parsesIq();
    void rejectsInvalidIq_data();
    void rejectsInvalidIq();
    void parsesErrorIq();
    void buildsResponses();
    void writesIq();
    void parsesMessage();
    void messageKeepsExtensions();
    void parsesErrorMessage();
    void parsesPresence();
    void rejectsInvalidPresence_data();
    void rejectsInvalidPresence();
    void writesPresence();
    void acceptsDomWithoutNamespaces();
    void rejectsWrongElements();
};

void TestStanza::parsesStanzaError()
{
    const QDomElement error =
        receive("<error type='modify' by='example.com'>"
                "<bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>Missing id</text>"
                "<too-many xmlns='urn:example:app'/>"
                "</error>");
    QVERIFY(!error.isNull());
    const std::optional<StanzaError> parsed = StanzaError::fromDom(error);
    QVERIFY(parsed);
    QCOMPARE(parsed->type, StanzaError::Type::Modify);
    QCOMPARE(parsed->condition, u"bad-request"_s);
    QCOMPARE(parsed->text, u"Missing id"_s);
    QCOMPARE(parsed->by, u"example.com"_s);
    QVERIFY(parsed->alternateAddress.isEmpty());
}

void TestStanza::stanzaErrorEdgeCases()
{
    // An undefined condition counts as undefined-condition (RFC 6120 8.3.2).
    std::optional<StanzaError> unknown = StanzaError::fromDom(receive(
        "<error type='wait'><made-up xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"));
    QVERIFY(unknown);
    QCOMPARE(unknown->condition, u"undefined-condition"_s);
    QCOMPARE(unknown->type, StanzaError::Type::Wait);

    std::optional<StanzaError> gone = StanzaError::fromDom(
        receive("<error type='cancel'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'> "
                "xmpp:new@example.com </gone></error>"));
    QVERIFY(gone);
    QCOMPARE(gone->condition, u"gone"_s);
    QCOMPARE(gone->alternateAddress, u"xmpp:new@example.com"_s);

    // No type, an unknown type, no condition, a condition in the wrong namespace.
    QVERIFY(!StanzaError::fromDom(
        receive("<error><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>")));
    QVERIFY(!StanzaError::fromDom(receive(
        "<error type='fatal'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>")));
    QVERIFY(!StanzaError::fromDom(
        receive("<error type='cancel'><text "
                "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>x</text></error>")));
    QVERIFY(!StanzaError::fromDom(receive("<error type='cancel'><bad-request/></error>")));
    QVERIFY(!StanzaError::fromDom(QDomElement()));

    QVERIFY(StanzaError::isDefinedCondition(u"item-not-found"));
    QVERIFY(!StanzaError::isDefinedCondition(u"item-not-here"));
    QCOMPARE(StanzaError::typeFromName(u"auth"), StanzaError::Type::Auth);
    QVERIFY(!StanzaError::typeFromName(u"Auth"));
}

void TestStanza::writesStanzaError()
{
    StanzaError error;
    error.type = StanzaError::Type::Cancel;
    error.condition = u"redirect"_s;
    error.alternateAddress = u"xmpp:other@example.com"_s;
    error.text = u"moved <here>"_s;
    QCOMPARE(
        serialize(error),
        QByteArray("<error type='cancel'>"
                   "<redirect xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>"
                   "xmpp:other@example.com</redirect>"
                   "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>moved &lt;here&gt;</text>"
                   "</error>"));

    // A condition that is not defined is not written as an element name.
    StanzaError bogus;
    bogus.condition = u"<oops>"_s;
    QCOMPARE(serialize(bogus),
             QByteArray("<error type='cancel'>"
                        "<undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                        "</error>"));

    // What is written reads back the same.
    const QByteArray xml = serialize(error);
    const std::optional<StanzaError> reread = StanzaError::fromDom(receive(xml));
    QVERIFY(reread);
    QCOMPARE(reread->condition, error.condition);
    QCOMPARE(reread->alternateAddress, error.alternateAddress);
    QCOMPARE(reread->text, error.text);
    QCOMPARE(reread->type, error.type);
}

void TestStanza::stanzaErrorToError()
{
    StanzaError stanzaError{StanzaError::Type::Auth, u"forbidden"_s, u"not for you"_s};
    const Error error = stanzaError.toError();
    QCOMPARE(error.condition, ErrorCondition::StanzaError);
    QCOMPARE(error.protocolCondition, u"forbidden"_s);
    QCOMPARE(error.detail, u"not for you"_s);
}

void TestStanza::parsesIq()
{
    const std::optional<Iq> iq =
        Iq::fromDom(receive("<iq type='get' id='p1' from='Alice@Example.com/Home' to='example.com'>"
                            "<ping xmlns='urn:xmpp:ping'/></iq>"));
    QVERIFY(iq);
    QCOMPARE(iq->type, Iq::Type::Get);
    QCOMPARE(iq->id, u"p1"_s);
    QCOMPARE(iq->from.toString(), u"alice@example.com/Home"_s);
    QCOMPARE(iq->to.toString(), u"example.com"_s);
    QCOMPARE(iq->payload.namespaceURI(), ns::ping);
    QCOMPARE(iq->payload.localName(), u"ping"_s);
    QVERIFY(!iq->error);

    const std::optional<Iq> result = Iq::fromDom(receive("<iq type='result' id='r1'/>"));
    QVERIFY(result);
    QCOMPARE(result->type, Iq::Type::Result);
    QVERIFY(result->payload.isNull());
    QVERIFY(result->from.isNull());
}

void TestStanza::rejectsInvalidIq_data()
{
    QTest::addColumn<QByteArray>("xml");
    QTest::newRow("no id") << QByteArray("<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>");
    QTest::newRow("empty id") << QByteArray(
        "<iq type='get' id=''><ping xmlns='urn:xmpp:ping'/></iq>");
    QTest::newRow("no type") << QByteArray("<iq id='1'><ping xmlns='urn:xmpp:ping'/></iq>");
    QTest::newRow("unknown type") << QByteArray(
        "<iq id='1' type='got'><ping xmlns='urn:xmpp:ping'/></iq>");
    QTest::newRow("get without payload") << QByteArray("<iq id='1' type='get'/>");
    QTest::newRow("set with two payloads")
        << QByteArray("<iq id='1' type='set'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>");
    QTest::newRow("result with two payloads")
        << QByteArray("<iq id='1' type='result'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>");
    QTest::newRow("invalid from") << QByteArray("<iq id='1' type='result' from='@example.com'/>");
    QTest::newRow("invalid to") << QByteArray("<iq id='1' type='result' to='a@b/'/>");
    QTest::newRow("empty from") << QByteArray("<iq id='1' type='result' from=''/>");
}

void TestStanza::rejectsInvalidIq()
{
    QFETCH(QByteArray, xml);
    const QDomElement element = receive(xml);
    QVERIFY(!element.isNull());
    QVERIFY(!Iq::fromDom(element));
}

void TestStanza::parsesErrorIq()
{
    const std::optional<Iq> iq = Iq::fromDom(receive(
        "<iq type='error' id='e1' from='example.com'><ping xmlns='urn:xmpp:ping'/>"
        "<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
        "</error></iq>"));
    QVERIFY(iq);
    QCOMPARE(iq->type, Iq::Type::Error);
    QVERIFY(iq->error);
    QCOMPARE(iq->error->condition, u"service-unavailable"_s);
    QCOMPARE(iq->payload.localName(), u"ping"_s); // the echoed request

    // A response without a usable error still correlates by id.
    const std::optional<Iq> bare = Iq::fromDom(receive("<iq type='error' id='e2'/>"));
    QVERIFY(bare);
    QVERIFY(bare->error);
    QCOMPARE(bare->error->condition, u"undefined-condition"_s);
    const std::optional<Iq> broken = Iq::fromDom(receive("<iq type='error' id='e3'><error/></iq>"));
    QVERIFY(broken);
    QCOMPARE(broken->error->condition, u"undefined-condition"_s);
}

void TestStanza::buildsResponses()
{
    const Iq request = *Iq::fromDom(
        receive("<iq type='get' id='q7' from='peer@example.com/x' to='kiosk@example.com/lobby'>"
                "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>"));

    const Iq result = Iq::makeResult(request);
    QCOMPARE(result.type, Iq::Type::Result);
    QCOMPARE(result.id, u"q7"_s);
    QCOMPARE(result.to, request.from);
    QVERIFY(result.from.isNull());
    QCOMPARE(serialize(result), QByteArray("<iq id='q7' to='peer@example.com/x' type='result'/>"));

    QDomDocument document;
    QDomElement answer = document.createElementNS(ns::discoInfo, u"query"_s);
    const Iq withPayload = Iq::makeResult(request, answer);
    QCOMPARE(serialize(withPayload),
             QByteArray("<iq id='q7' to='peer@example.com/x' type='result'>"
                        "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>"));

    const Iq error = Iq::makeError(
        request, StanzaError{StanzaError::Type::Cancel, u"feature-not-implemented"_s});
    QCOMPARE(error.type, Iq::Type::Error);
    QCOMPARE(serialize(error),
             QByteArray("<iq id='q7' to='peer@example.com/x' type='error'>"
                        "<error type='cancel'><feature-not-implemented "
                        "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"));
    // The error response parses as one.
    const std::optional<Iq> reread = Iq::fromDom(receive(serialize(error)));
    QVERIFY(reread);
    QCOMPARE(reread->error->condition, u"feature-not-implemented"_s);
}

void TestStanza::writesIq()
{
    Iq iq;
    iq.id = u"b1"_s;
    iq.type = Iq::Type::Set;
    iq.to = *Jid::parse(u"example.com"_s);
    QDomDocument payloadDocument;
    QDomElement bind = payloadDocument.createElementNS(ns::bind, u"bind"_s);
    QDomElement resource = payloadDocument.createElementNS(ns::bind, u"resource"_s);
    resource.appendChild(payloadDocument.createTextNode(u"lobby & hall"_s));
    bind.appendChild(resource);
    iq.payload = bind;
    QCOMPARE(serialize(iq), QByteArray("<iq id='b1' to='example.com' type='set'>"
                                       "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                                       "<resource>lobby &amp; hall</resource></bind></iq>"));
    // The payload was copied, not moved.
    QCOMPARE(bind.parentNode().isNull(), true);
    QCOMPARE(bind.firstChildElement().text(), u"lobby & hall"_s);
}

void TestStanza::parsesMessage()
{
    const std::optional<Message> message = Message::fromDom(receive(
        "<message type='chat' id='m1' from='alice@example.com/phone' to='kiosk@example.com'>"
        "<body xml:lang='de'>Hallo</body><body>Hello \xe2\x98\x83</body>"
        "<thread>t1</thread></message>"));
    QVERIFY(message);
    QCOMPARE(message->type, Message::Type::Chat);
    QCOMPARE(message->id, u"m1"_s);
    QCOMPARE(message->from.resource(), u"phone"_s);
    QCOMPARE(message->body, u"Hello \u2603"_s);
    QVERIFY(!message->error);

    const std::optional<Message> onlyLang = Message::fromDom(receive(
        "<message><body xml:lang='fr'>Salut</body><body xml:lang='de'>Hallo</body></message>"));
    QVERIFY(onlyLang);
    QCOMPARE(onlyLang->body, u"Salut"_s);
    QCOMPARE(onlyLang->type, Message::Type::Normal);

    // Unknown types are normal messages (RFC 6121 5.2.2); no body is an empty body.
    const std::optional<Message> odd = Message::fromDom(receive("<message type='shout'/>"));
    QVERIFY(odd);
    QCOMPARE(odd->type, Message::Type::Normal);
    QVERIFY(odd->body.isEmpty());

    QVERIFY(!Message::fromDom(receive("<message from='a@@b'/>")));
}

void TestStanza::messageKeepsExtensions()
{
    const std::optional<Message> received = Message::fromDom(
        receive("<message type='chat' id='m2' from='alice@example.com/phone'>"
                "<body>old</body><request xmlns='urn:xmpp:receipts'/>"
                "<delay xmlns='urn:xmpp:delay' stamp='2024-01-01T00:00:00Z'/></message>"));
    QVERIFY(received);
    QCOMPARE(received->element.localName(), u"message"_s);

    Message reply = *received;
    reply.body = u"new"_s;
    reply.to = reply.from;
    reply.from = Jid();
    QCOMPARE(serialize(reply),
             QByteArray("<message id='m2' to='alice@example.com/phone' type='chat'>"
                        "<body>new</body><request xmlns='urn:xmpp:receipts'/>"
                        "<delay xmlns='urn:xmpp:delay' stamp='2024-01-01T00:00:00Z'/></message>"));

    Message fresh;
    fresh.to = *Jid::parse(u"bob@example.com"_s);
    fresh.type = Message::Type::Chat;
    fresh.body = u"hi"_s;
    QCOMPARE(serialize(fresh),
             QByteArray("<message to='bob@example.com' type='chat'><body>hi</body></message>"));
}

void TestStanza::parsesErrorMessage()
{
    const std::optional<Message> message = Message::fromDom(
        receive("<message type='error' id='m3' from='bob@example.com'><body>lost</body>"
                "<error type='cancel'><recipient-unavailable "
                "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"));
    QVERIFY(message);
    QCOMPARE(message->type, Message::Type::Error);
    QVERIFY(message->error);
    QCOMPARE(message->error->condition, u"recipient-unavailable"_s);
    QCOMPARE(message->error->toError().protocolCondition, u"recipient-unavailable"_s);
}

void TestStanza::parsesPresence()
{
    const std::optional<Presence> available = Presence::fromDom(receive(
        "<presence from='bob@example.com/x'><show>dnd</show><status xml:lang='de'>Weg</status>"
        "<status>Away</status><priority> -128 </priority>"
        "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/></presence>"));
    QVERIFY(available);
    QCOMPARE(available->type, Presence::Type::Available);
    QCOMPARE(available->show, Presence::Show::DoNotDisturb);
    QCOMPARE(available->status, u"Away"_s);
    QCOMPARE(available->priority, -128);

    const std::optional<Presence> top =
        Presence::fromDom(receive("<presence><priority>127</priority></presence>"));
    QVERIFY(top);
    QCOMPARE(top->priority, 127);
    QCOMPARE(top->show, Presence::Show::Online);

    const std::optional<Presence> unavailable =
        Presence::fromDom(receive("<presence type='unavailable' from='bob@example.com/x'/>"));
    QVERIFY(unavailable);
    QCOMPARE(unavailable->type, Presence::Type::Unavailable);

    const std::optional<Presence> subscribe =
        Presence::fromDom(receive("<presence type='subscribe' to='kiosk@example.com'/>"));
    QVERIFY(subscribe);
    QCOMPARE(subscribe->type, Presence::Type::Subscribe);

    const std::optional<Presence> error = Presence::fromDom(
        receive("<presence type='error'><error type='auth'>"
                "<forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"));
    QVERIFY(error);
    QCOMPARE(error->error->condition, u"forbidden"_s);
    QCOMPARE(error->error->type, StanzaError::Type::Auth);
}

void TestStanza::rejectsInvalidPresence_data()
{
    QTest::addColumn<QByteArray>("xml");
    QTest::newRow("unknown type") << QByteArray("<presence type='away'/>");
    QTest::newRow("empty type") << QByteArray("<presence type=''/>");
    QTest::newRow("unknown show") << QByteArray("<presence><show>busy</show></presence>");
    QTest::newRow("empty show") << QByteArray("<presence><show/></presence>");
    QTest::newRow("priority too high")
        << QByteArray("<presence><priority>128</priority></presence>");
    QTest::newRow("priority too low")
        << QByteArray("<presence><priority>-129</priority></presence>");
    QTest::newRow("priority not a number")
        << QByteArray("<presence><priority>high</priority></presence>");
    QTest::newRow("priority huge")
        << QByteArray("<presence><priority>99999999999999999999</priority></presence>");
    QTest::newRow("invalid from") << QByteArray("<presence from='a b@example.com'/>");
}

void TestStanza::rejectsInvalidPresence()
{
    QFETCH(QByteArray, xml);
    const QDomElement element = receive(xml);
    QVERIFY(!element.isNull());
    QVERIFY(!Presence::fromDom(element));
}

void TestStanza::writesPresence()
{
    Presence presence;
    presence.show = Presence::Show::ExtendedAway;
    presence.status = u"Back <soon>"_s;
    presence.priority = 5;
    QCOMPARE(serialize(presence),
             QByteArray("<presence><show>xa</show><status>Back &lt;soon&gt;</status>"
                        "<priority>5</priority></presence>"));

    Presence unsubscribe;
    unsubscribe.type = Presence::Type::Unsubscribed;
    unsubscribe.to = *Jid::parse(u"bob@example.com"_s);
    QCOMPARE(serialize(unsubscribe),
             QByteArray("<presence to='bob@example.com' type='unsubscribed'/>"));

    // Round trip keeps extensions and replaces the modelled children.
    Presence received = *Presence::fromDom(
        receive("<presence><show>away</show><priority>1</priority>"
                "<c xmlns='http://jabber.org/protocol/caps' node='n'/></presence>"));
    received.show = Presence::Show::Chat;
    received.priority = 0;
    QCOMPARE(serialize(received),
             QByteArray("<presence><show>chat</show>"
                        "<c xmlns='http://jabber.org/protocol/caps' node='n'/></presence>"));
}

void TestStanza::acceptsDomWithoutNamespaces()
{
    // DOM built with createElement() (no namespace) is treated as jabber:client.
    QDomDocument document;
    QDomElement iq = document.createElement(u"iq"_s);
    iq.setAttribute(u"type"_s, u"set"_s);
    iq.setAttribute(u"id"_s, u"n1"_s);
    iq.appendChild(document.createElement(u"query"_s));
    const std::optional<Iq> parsed = Iq::fromDom(iq);
    QVERIFY(parsed);
    QCOMPARE(parsed->type, Iq::Type::Set);

    QDomElement message = document.createElement(u"message"_s);
    QDomElement body = document.createElement(u"body"_s);
    body.appendChild(document.createTextNode(u"plain"_s));
    message.appendChild(body);
    QCOMPARE(Message::fromDom(message)->body, u"plain"_s);
}

void TestStanza::rejectsWrongElements()
{
    const QDomElement message = receive("<message/>");
    QVERIFY(!Iq::fromDom(message));
    QVERIFY(!Presence::fromDom(message));
    QVERIFY(!StanzaError::fromDom(message));
    const QDomElement iq = receive("<iq type='get' id='1'><x xmlns='urn:x'/></iq>");
    QVERIFY(!Message::fromDom(iq));
    // Right name, wrong namespace.
    const QDomElement foreign = receive("<message xmlns='urn:not-client'/>");
    QVERIFY(!foreign.isNull());
    QVERIFY(!Message::fromDom(foreign));
    QVERIFY(!Iq::fromDom(QDomElement()));
    QVERIFY(!Message::fromDom(QDomElement()));
    QVERIFY(!Presence::fromDom(QDomElement()));
}

QTEST_GUILESS_MAIN(TestStanza)
#include "tst_stanza.moc"
