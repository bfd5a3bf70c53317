#include "client.h"
#include "fakelogin.h"
#include "namespaces.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>

using namespace xmpp;

class TestClient : public QObject
{
    Q_OBJECT

    QPointer<FakeTransport> transport;
    std::unique_ptr<Client> client;

    ClientConfig config() { return fakeClientConfig(transport, TlsMode::StartTls); }

    // Plays a server through STARTTLS, SASL and bind; leaves the client online.
    void login(ClientConfig cfg)
    {
        client = std::make_unique<Client>(std::move(cfg));
        QSignalSpy online(client.get(), &Client::online);
        client->connectToServer();
        QTRY_VERIFY(transport && pending().contains("<stream:stream"));
        QVERIFY(!sent().contains("from="));
        transport->serverSends(fakeServerHeader + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>");
        QVERIFY(sent().contains("<starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"") );
        transport->serverSends("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        QTRY_VERIFY(transport->isEncrypted() && pending().contains("<stream:stream"));
        QVERIFY(sent().contains("from=\"alice@example.org\""));
        transport->serverSends(fakeServerHeader + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                                              "<mechanism>X-TEST</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>");
        QTRY_VERIFY(pending().contains("mechanism=\"X-TEST\""));
        QVERIFY(sent().contains(QByteArray("hello").toBase64()));
        transport->serverSends("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" + QByteArray("abc").toBase64() + "</challenge>");
        QTRY_VERIFY(pending().contains(QByteArray("abc!").toBase64()));
        sent();
        transport->serverSends("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        QTRY_VERIFY(pending().contains("<stream:stream"));
        sent();
        transport->serverSends(fakeServerHeader + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>");
        QTRY_VERIFY(pending().contains("<resource>desk</resource>"));
        const QByteArray bind = sent();
        const QByteArray id = attribute(bind, "id");
        transport->serverSends("<iq type='result' id='" + id + "'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                               "<jid>alice@example.org/desk</jid></bind></iq>");
        QTRY_COMPARE(online.size(), 1);
        QCOMPARE(client->boundJid(), QStringLiteral("alice@example.org/desk"));
        QCOMPARE(client->authenticationMechanism(), QStringLiteral("X-TEST"));
        QVERIFY(sent().contains("<priority>0</priority>"));
    }

    // What the client wrote since the last call, with attribute quotes normalised to ".
    QByteArray sent() { return transport->takeWritten().replace('\'', '"'); }
    QByteArray pending() const { return QByteArray(transport->written).replace('\'', '"'); }

private Q_SLOTS:
    void init() { login(config()); }
    void cleanup() { client.reset(); }

    void logsInThroughEveryStep()
    {
        QCOMPARE(client->state(), Client::State::Online);
    }

    void answersUnhandledRequestsWithServiceUnavailable()
    {
        transport->serverSends("<iq type='get' id='q1' from='bob@example.org/x'><query xmlns='urn:example:unknown'/></iq>");
        const QByteArray reply = sent();
        QVERIFY2(reply.contains("type=\"error\"") && reply.contains("<service-unavailable"), reply);
        QVERIFY(reply.contains("to=\"bob@example.org/x\""));
    }

    void answersPingAndDisco()
    {
        transport->serverSends("<iq type='get' id='p1' from='example.org'><ping xmlns='urn:xmpp:ping'/></iq>");
        QByteArray reply = sent();
        QVERIFY2(reply.contains("type=\"result\"") && reply.contains("id=\"p1\""), reply);
        transport->serverSends("<iq type='get' id='d1' from='bob@example.org/x'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
        reply = sent();
        QVERIFY2(reply.contains("var=\"urn:xmpp:ping\"") && reply.contains("category=\"client\""), reply);
    }

    void tracksIqRepliesAndIgnoresSpoofedOnes()
    {
        QDomDocument document;
        QDomElement iq = document.createElementNS(ns::client, QStringLiteral("iq"));
        iq.setAttribute(QStringLiteral("type"), QStringLiteral("get"));
        iq.setAttribute(QStringLiteral("to"), QStringLiteral("bob@example.org/x"));
        iq.appendChild(document.createElementNS(QStringLiteral("urn:example"), QStringLiteral("q")));
        std::optional<IqResult> result;
        client->sendIq(iq, this, [&result](const IqResult &r) { result = r; });
        const QByteArray id = attribute(sent(), "id");
        QVERIFY(!id.isEmpty());
        transport->serverSends("<iq type='result' id='" + id + "' from='mallory@example.org/x'/>");
        QVERIFY(!result);
        transport->serverSends("<iq type='result' id='" + id + "' from='bob@example.org/x'/>");
        QVERIFY(result && result->ok());
    }

    void iqErrorRepliesBecomeStanzaErrors()
    {
        QDomDocument document;
        QDomElement iq = document.createElementNS(ns::client, QStringLiteral("iq"));
        iq.setAttribute(QStringLiteral("type"), QStringLiteral("set"));
        iq.setAttribute(QStringLiteral("to"), QStringLiteral("example.org"));
        iq.appendChild(document.createElementNS(QStringLiteral("urn:example"), QStringLiteral("q")));
        std::optional<IqResult> result;
        client->sendIq(iq, this, [&result](const IqResult &r) { result = r; });
        const QByteArray id = attribute(sent(), "id");
        transport->serverSends("<iq type='error' id='" + id + "' from='example.org'><error type='cancel'>"
                               "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
        QVERIFY(result && !result->ok());
        QCOMPARE(result->error().condition, ErrorCondition::StanzaError);
        QCOMPARE(result->error().protocolCondition, QStringLiteral("item-not-found"));
    }

    void pendingRequestsAreCancelledOnDisconnect()
    {
        QDomDocument document;
        QDomElement iq = document.createElementNS(ns::client, QStringLiteral("iq"));
        iq.setAttribute(QStringLiteral("type"), QStringLiteral("get"));
        iq.appendChild(document.createElementNS(QStringLiteral("urn:example"), QStringLiteral("q")));
        std::optional<IqResult> result;
        client->sendIq(iq, this, [&result](const IqResult &r) { result = r; });
        transport->serverDrops();
        QVERIFY(result && !result->ok());
        QCOMPARE(result->error().condition, ErrorCondition::Cancelled);
    }

    void requestsTimeOut()
    {
        QDomDocument document;
        QDomElement iq = document.createElementNS(ns::client, QStringLiteral("iq"));
        iq.setAttribute(QStringLiteral("type"), QStringLiteral("get"));
        iq.appendChild(document.createElementNS(QStringLiteral("urn:example"), QStringLiteral("q")));
        std::optional<IqResult> result;
        client->sendIq(iq, this, [&result](const IqResult &r) { result = r; }, 50);
        QTRY_VERIFY(result.has_value());
        QCOMPARE(result->error().condition, ErrorCondition::Timeout);
    }

    void deliversMessagesAndPresence()
    {
        QSignalSpy messages(client.get(), &Client::messageReceived);
        QSignalSpy presences(client.get(), &Client::presenceReceived);
        transport->serverSends("<message from='bob@example.org/x' type='chat'><body>hi \xc3\xa9</body></message>"
                               "<presence from='bob@example.org/x'/>");
        QCOMPARE(messages.size(), 1);
        QCOMPARE(presences.size(), 1);
        QCOMPARE(messages.first().first().value<QDomElement>().firstChildElement(QStringLiteral("body")).text(),
                 QStringLiteral("hi \u00e9"));
    }

    void streamErrorEndsTheConnection()
    {
        QSignalSpy disconnected(client.get(), &Client::disconnected);
        transport->serverSends("<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                               "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Replaced</text></stream:error>");
        QCOMPARE(disconnected.size(), 1);
        const auto status = disconnected.first().first().value<Status>();
        QCOMPARE(status.error().condition, ErrorCondition::StreamError);
        QCOMPARE(status.error().protocolCondition, QStringLiteral("conflict"));
        QCOMPARE(client->state(), Client::State::Disconnected);
    }

    void restrictedXmlGetsAStreamError()
    {
        QSignalSpy disconnected(client.get(), &Client::disconnected);
        QPointer<FakeTransport> old = transport;
        transport->serverSends("<!-- a comment is not allowed -->");
        QVERIFY2(old->written.contains("<restricted-xml"), old->written.constData());
        QCOMPARE(disconnected.size(), 1);
    }

    void cleanCloseWaitsForTheServer()
    {
        QSignalSpy disconnected(client.get(), &Client::disconnected);
        client->disconnectFromServer();
        const QByteArray out = sent();
        QVERIFY(out.contains("type=\"unavailable\""));
        QVERIFY(out.endsWith("</stream:stream>"));
        QCOMPARE(client->state(), Client::State::Closing);
        transport->serverSends("</stream:stream>");
        QTRY_COMPARE(disconnected.size(), 1);
        QVERIFY(disconnected.first().first().value<Status>().ok());
    }

    void reconnectsAfterALostConnection()
    {
        client.reset();
        ClientConfig cfg = config();
        ReconnectPolicy policy;
        policy.initialDelay = std::chrono::milliseconds(20);
        cfg.reconnect = policy;
        login(cfg);
        QSignalSpy scheduled(client.get(), &Client::reconnectScheduled);
        // A mark, not the address: the replacement may be allocated where the first one was.
        transport->setObjectName(QStringLiteral("first"));
        transport->serverDrops();
        QCOMPARE(scheduled.size(), 1);
        QVERIFY(scheduled.first().first().toInt() <= 20);
        QTRY_VERIFY(transport && transport->objectName().isEmpty());
        QTRY_COMPARE(client->state(), Client::State::Negotiating);
    }

    void requiresTls()
    {
        client.reset();
        client = std::make_unique<Client>(config());
        QSignalSpy disconnected(client.get(), &Client::disconnected);
        client->connectToServer();
        QTRY_VERIFY(transport && !transport->written.isEmpty());
        transport->serverSends(fakeServerHeader + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                                              "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
        QCOMPARE(disconnected.size(), 1);
        QCOMPARE(disconnected.first().first().value<Status>().error().condition, ErrorCondition::TlsUnavailable);
    }
};

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"
