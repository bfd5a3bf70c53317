#pragma once

// For unit tests that log a Client in over a FakeTransport: a mechanism that needs no
// credentials, the server's stream header, a client configuration whose transport the
// test holds, and the server's side of a plain login.

#include "client.h"
#include "faketransport.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>

// Answers each challenge with the challenge and "!", then accepts success.
class ScriptedMechanism : public xmpp::SaslMechanism
{
public:
    void start(const xmpp::SaslContext &) override { Q_EMIT started(QStringLiteral("X-TEST"), QByteArrayLiteral("hello")); }
    void handleChallenge(const QByteArray &challenge) override { Q_EMIT responseReady(challenge + "!"); }
    void handleSuccess(const QByteArray &) override { Q_EMIT succeeded(); }
};

inline const QByteArray fakeServerHeader = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                                           "xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='s1' version='1.0'>";

// jid (alice@example.org/desk by default) with ScriptedMechanism; each new transport is
// stored in transport.
inline xmpp::ClientConfig fakeClientConfig(QPointer<FakeTransport> &transport, xmpp::TlsMode tls,
                                           const QString &jid = QStringLiteral("alice@example.org/desk"))
{
    xmpp::ClientConfig config;
    config.jid = *xmpp::Jid::parse(jid);
    config.server = xmpp::ServerAddress{QStringLiteral("127.0.0.1"), 5222, tls};
    config.mechanism = [] { return std::make_unique<ScriptedMechanism>(); };
    config.transport = [&transport] {
        auto fake = std::make_unique<FakeTransport>();
        transport = fake.get();
        return fake;
    };
    config.timeouts.stepMs = 2000;
    return config;
}

// The value of the first attribute called name in xml (the client's output, quotes
// normalised to ").
inline QByteArray attribute(const QByteArray &xml, const QByteArray &name)
{
    const qsizetype start = xml.indexOf(name + "=\"") + name.size() + 2;
    return xml.mid(start, xml.indexOf('"', start) - start);
}

// Plays the server of a direct-TLS login through SASL (X-TEST) and resource binding,
// binding the JID the client asked for. True once the client is online; what it wrote
// up to then is taken.
inline bool playFakeLogin(xmpp::Client &client, QPointer<FakeTransport> &transport)
{
    QSignalSpy online(&client, &xmpp::Client::online);
    client.connectToServer();
    const auto wrote = [&](const QByteArray &text) {
        return QTest::qWaitFor([&] { return transport && transport->written.contains(text); });
    };
    if (!wrote("<stream:stream"))
        return false;
    transport->takeWritten();
    transport->serverSends(fakeServerHeader + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                                              "<mechanism>X-TEST</mechanism></mechanisms></stream:features>");
    if (!wrote("X-TEST"))
        return false;
    transport->takeWritten();
    transport->serverSends("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    if (!wrote("<stream:stream"))
        return false;
    transport->takeWritten();
    transport->serverSends(fakeServerHeader + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>");
    if (!wrote("</bind>"))
        return false;
    const QByteArray bind = transport->takeWritten().replace('\'', '"');
    const QByteArray id = attribute(bind, "id");
    transport->serverSends("<iq type='result' id='" + id + "'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>"
                           + client.config().jid.toString().toUtf8() + "</jid></bind></iq>");
    if (!QTest::qWaitFor([&] { return online.size() == 1; }))
        return false;
    transport->takeWritten();
    return true;
}
