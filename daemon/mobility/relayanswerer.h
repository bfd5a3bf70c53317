#pragma once

#include "error.h"
#include "protocol.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <memory>

namespace xmpp {
class ScramClient;
}

namespace mobility {

struct RelayAnswererOptions
{
    // When not empty, only these mechanisms are answered (e.g. to pin SCRAM-SHA-256).
    // Only SCRAM mechanisms ever are, whatever this lists.
    QStringList allowedMechanisms;
    // The channel-binding types the phone is willing to bind to, most preferred first.
    // The phone cannot check the data (it is the display's TLS channel); binding makes the
    // server check that the SCRAM exchange runs over the channel the display reported.
    QStringList channelBindingTypes = {QStringLiteral("tls-exporter"),
                                       QStringLiteral("tls-server-end-point"),
                                       QStringLiteral("tls-unique")};
    // Empty: a fresh random nonce. Set only by tests (RFC 5802 vectors).
    QByteArray clientNonce;
};

// The phone's side of the SASL relay (protocol section 3), without any network: turns
// the display's offer into a choice and an initial response, answers the server's
// challenges and checks the server's signature. Only SCRAM (RFC 5802, 7677) is ever
// answered: PLAIN, DIGEST-MD5 and unknown mechanisms would hand the display something
// it could sign in with again, or the password itself.
//
//   answerOffer()      -> the <auth/> for the result
//   answerChallenge()  -> each <response/> (client-final; empty after a server-final
//                         that came as a challenge and verified)
//   verifySuccess()    -> whether the server proved it knows the password
//
// One negotiation per object. After any error every further call fails. The password
// is wiped as soon as the client proof is computed; errors never contain it.
class RelayAnswerer
{
public:
    // username: the authentication identity (the user JID's localpart).
    RelayAnswerer(QString username, QString password, RelayAnswererOptions options = {});
    ~RelayAnswerer();
    RelayAnswerer(const RelayAnswerer &) = delete;
    RelayAnswerer &operator=(const RelayAnswerer &) = delete;

    // Picks the strongest acceptable mechanism: -PLUS (only with a binding of an accepted
    // type in the offer) before plain SCRAM, then SHA-512, SHA-256, SHA-1. Errors:
    // NoSuitableMechanism (detail names what was offered), InvalidInput (username or
    // password unusable for SCRAM), ProtocolViolation (called twice).
    xmpp::Result<SaslAuth> answerOffer(const SaslOffer &offer);
    // Errors: ProtocolViolation (malformed, out of order), LimitExceeded (iteration
    // count), ServerNotVerified (wrong server signature), NotAuthorized/AuthFailed (the
    // server reported a SCRAM error e=).
    xmpp::Result<QByteArray> answerChallenge(const QByteArray &challenge);
    // additionalData of the server's <success/>; may be empty only when the signature
    // already came (and verified) as a challenge. Errors: ServerNotVerified and the above.
    xmpp::Status verifySuccess(const QByteArray &additionalData);

    // The mechanism answerOffer() chose; empty before.
    QString mechanism() const { return m_mechanism; }
    // True once the server's signature matched.
    bool isServerVerified() const { return m_state == State::ServerVerified || m_state == State::Done; }
    bool isFinished() const { return m_state == State::Done || m_state == State::Failed; }

    // SCRAM-SHA-1/256/512 and their -PLUS forms: the mechanisms this class answers.
    static bool isAcceptableMechanism(QStringView mechanism);

private:
    enum class State {
        AwaitingOffer,
        AwaitingServerFirst,
        AwaitingServerFinal,
        ServerVerified, // the server-final came as a challenge and matched
        Done,
        Failed,
    };

    xmpp::Error fail(xmpp::Error error);

    QString m_username;
    QString m_password;
    RelayAnswererOptions m_options;
    QString m_mechanism;
    std::unique_ptr<xmpp::ScramClient> m_scram;
    State m_state = State::AwaitingOffer;
};

} // namespace mobility
