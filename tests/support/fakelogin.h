#pragma once

// For unit tests that log a Client in over a FakeTransport: a mechanism that needs no
// credentials, the server's stream header, and a client configuration whose transport
// the test holds.

#include "client.h"
#include "faketransport.h"

#include <QPointer>

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

// alice@example.org/desk with ScriptedMechanism; each new transport is stored in transport.
inline xmpp::ClientConfig fakeClientConfig(QPointer<FakeTransport> &transport, xmpp::TlsMode tls)
{
    xmpp::ClientConfig config;
    config.jid = *xmpp::Jid::parse(QStringLiteral("alice@example.org/desk"));
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
