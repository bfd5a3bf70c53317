#pragma once

#include "error.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>

#include <memory>
#include <optional>

namespace xmpp {

// Channel-binding data of the TLS channel to the server (RFC 5929), when it can be computed.
struct ChannelBinding
{
    QString type; // e.g. "tls-unique", "tls-exporter"
    QByteArray data;
};

// What a mechanism may know about the connection it authenticates.
struct SaslContext
{
    QString username;                   // authentication identity (the JID's localpart)
    QString domain;                     // the server's domain
    bool tlsActive = false;             // the stream is encrypted
    QStringList offeredMechanisms;      // as the server listed them, in its order
    QList<ChannelBinding> channelBindings; // types this client can bind to *and* the server supports
};

// One SASL negotiation, asynchronous at every step: each call may be answered at once
// or later (a relayed mechanism waits for another device). The client drives it:
//   start()            -> started(mechanism, initialResponse) | failed(error)
//   handleChallenge()  -> responseReady(response)            | failed(error)
//   handleSuccess()    -> succeeded()                        | failed(error)
// Exactly one of the signals answers each call. handleFailure() and abort() end the
// negotiation and emit nothing. A mechanism is used for one negotiation only.
class SaslMechanism : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~SaslMechanism() override;

    // Chooses a mechanism among context.offeredMechanisms and produces the initial response.
    virtual void start(const SaslContext &context) = 0;
    virtual void handleChallenge(const QByteArray &challenge) = 0;
    virtual void handleSuccess(const QByteArray &additionalData) = 0;
    // The server answered <failure/>; error carries the SASL condition.
    virtual void handleFailure(const Error &error);
    // The client gave up (timeout, disconnect).
    virtual void abort();

Q_SIGNALS:
    // An empty initialResponse is sent as "=" (RFC 6120 6.4.2).
    void started(const QString &mechanism, const QByteArray &initialResponse);
    void responseReady(const QByteArray &response);
    void succeeded();
    void failed(const xmpp::Error &error);
};

// The Error for a SASL <failure/> (RFC 6120 section 6.5): condition is the child
// element's name (e.g. "not-authorized"), text the optional <text/>. not-authorized
// becomes NotAuthorized, every other condition AuthFailed; protocolCondition keeps
// the name and detail the server's text.
Error saslFailureToError(const QString &condition, const QString &text);

// Whether condition is one of the eleven RFC 6120 section 6.5 defines for <failure/>.
bool isSaslFailureCondition(QStringView condition);

struct PasswordPolicy
{
    // PLAIN hands the password itself to the server. Even when allowed it is only used
    // over TLS and only when the server offers no SCRAM mechanism.
    bool allowPlain = false;
    // When not empty, only these mechanisms are considered (e.g. to pin SCRAM-SHA-256).
    // The GS2 flag still reflects everything the server offered.
    QStringList onlyMechanisms;
};

class ScramClient;

// Signs in with a password: SCRAM-SHA-512/256/1, with channel binding (-PLUS) when the
// context has a binding, else without; PLAIN only as allowed above. Preference:
//   SCRAM-SHA-512-PLUS, SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS, SCRAM-SHA-512,
//   SCRAM-SHA-256, SCRAM-SHA-1, PLAIN.
// The server's signature is always checked: success is reported only after it matched,
// whether it came with <success/> or, as RFC 6120 section 6.4.6 also allows, in a final
// <challenge/> (answered with an empty response, after which <success/> carries no data).
//
// Signals are emitted synchronously from within start()/handleChallenge()/
// handleSuccess(): a slot connected directly runs before the call returns, so the
// client must not assume the call returns first, and must delete the mechanism with
// deleteLater(), never inside a slot. Queued connections work as well.
// The password is wiped from this object once the first message is computed.
class PasswordMechanism : public SaslMechanism
{
    Q_OBJECT
public:
    explicit PasswordMechanism(QString password, PasswordPolicy policy = {},
                               QObject *parent = nullptr);
    ~PasswordMechanism() override;

    void start(const SaslContext &context) override;
    void handleChallenge(const QByteArray &challenge) override;
    void handleSuccess(const QByteArray &additionalData) override;
    void handleFailure(const Error &error) override;
    void abort() override;

    // The mechanism start() chose; empty before that or when none was acceptable.
    QString mechanism() const { return m_mechanism; }

private:
    enum class State {
        Idle,
        AwaitingServerFirst, // SCRAM: client-first sent
        AwaitingServerFinal, // SCRAM: client-final sent
        ServerVerified,      // SCRAM: server-final came as a challenge and matched
        AwaitingSuccess,     // PLAIN: credentials sent
        Done,
    };

    void finish();
    void fail(const Error &error);

    QString m_password;
    PasswordPolicy m_policy;
    QString m_mechanism;
    std::unique_ptr<ScramClient> m_scram;
    State m_state = State::Idle;
};

// Signs in with an OAuth 2.0 bearer token: OAUTHBEARER (RFC 7628) with the
// authorization identity user@domain, or X-OAUTH2 ("\0" user "\0" token). Refuses to
// run without TLS, as a bearer token is as good as a password to whoever reads it.
// An OAUTHBEARER error challenge (a JSON document) is answered with the required
// "\x01"; the server then sends <failure/>, which the client reports as usual;
// serverErrorStatus() keeps the "status" the server gave.
// Signals are emitted synchronously as described for PasswordMechanism.
class TokenMechanism : public SaslMechanism
{
    Q_OBJECT
public:
    // preferredMechanism: "OAUTHBEARER" or "X-OAUTH2", used only if offered; empty
    // picks OAUTHBEARER, then X-OAUTH2.
    explicit TokenMechanism(QString token, QString preferredMechanism = {},
                            QObject *parent = nullptr);
    ~TokenMechanism() override;

    void start(const SaslContext &context) override;
    void handleChallenge(const QByteArray &challenge) override;
    void handleSuccess(const QByteArray &additionalData) override;
    void handleFailure(const Error &error) override;
    void abort() override;

    QString mechanism() const { return m_mechanism; }
    // From an OAUTHBEARER error challenge, e.g. "invalid_token"; empty otherwise.
    QString serverErrorStatus() const { return m_serverErrorStatus; }

private:
    enum class State { Idle, AwaitingOutcome, ErrorAcknowledged, Done };

    void finish();
    void fail(const Error &error);

    QString m_token;
    QString m_preferredMechanism;
    QString m_mechanism;
    QString m_serverErrorStatus;
    State m_state = State::Idle;
};

} // namespace xmpp
