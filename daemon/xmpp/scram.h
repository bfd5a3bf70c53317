#pragma once

#include "error.h"
#include "sasl.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <functional>
#include <optional>

namespace xmpp {

// The hash functions SCRAM is defined with (RFC 5802, RFC 7677, and the SHA-512
// registration that servers such as Prosody and ejabberd implement).
enum class ScramAlgorithm { Sha1, Sha256, Sha512 };

// The algorithm of a SCRAM mechanism name, -PLUS or not; nullopt for anything else.
std::optional<ScramAlgorithm> scramAlgorithmFor(QStringView mechanism);
// Whether the mechanism is the channel-binding variant (ends in "-PLUS").
bool isScramPlus(QStringView mechanism);
// "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", ...
QString scramMechanismName(ScramAlgorithm algorithm, bool plus);

// The GS2 header that opens a SCRAM exchange and is repeated, base64-encoded, in the
// client's final message (c=), where the server checks that nobody altered it.
//
// RFC 5802 section 6 fixes which flag the client must send:
//   p=TYPE  only with a -PLUS mechanism: the client binds to the TLS channel, and
//           bindingData (e.g. the tls-exporter value) goes into c= after the header;
//   y       the client could bind but the server offers no -PLUS mechanism. A server
//           that does support binding fails such an exchange, which is how a
//           downgrade by someone stripping -PLUS from the mechanism list is detected;
//   n       otherwise: the client cannot bind, or it chose a plain mechanism although
//           the server offers -PLUS ones.
struct Gs2Header
{
    enum class Flag {
        ClientNotCapable, // n
        ServerNotCapable, // y
        Binding,          // p=bindingType
    };
    Flag flag = Flag::ClientNotCapable;
    QString bindingType;    // only with Flag::Binding
    QByteArray bindingData; // only with Flag::Binding

    // "n,,", "y,," or "p=TYPE,," (no authorization identity).
    QByteArray toBytes() const;
};

// Applies the rule above. channelBindings are the bindings the client can compute for
// this connection, in order of preference; the first usable one is taken for -PLUS.
// nullopt when mechanism is a -PLUS mechanism but no binding is usable.
std::optional<Gs2Header> gs2HeaderFor(QStringView mechanism, const QStringList &offeredMechanisms,
                                      const QList<ChannelBinding> &channelBindings);

// The strongest SCRAM mechanism among `offered` that `allowed` accepts: SHA-512, SHA-256,
// SHA-1, each first as -PLUS when canBind. std::nullopt when there is none.
std::optional<QString> strongestScramMechanism(const QStringList &offered, bool canBind,
                                               const std::function<bool(const QString &)> &allowed);

// Overwrites the bytes of a secret when this object is their only owner, then empties
// it. Shared copies are left alone: writing would only detach a fresh copy.
void wipeSecret(QByteArray &secret);
void wipeSecret(QString &secret);

// The client side of one SCRAM exchange (RFC 5802), independent of any connection:
//   clientFirstMessage()  -> send it (as the SASL initial response)
//   clientFinalMessage()  <- the server's first challenge; send the result
//   verifyServerFinal()   <- the server's final message (success data or a challenge)
// The password is SASLprep'ed as a stored string (RFC 5802 section 2.2, so characters
// unassigned in Unicode 3.2 are refused) and the username as a query string
// (section 5.1). The password and everything derived from it is wiped as soon as the
// client proof is computed; only the expected server signature is kept after that.
class ScramClient
{
public:
    // Above this the server's iteration count is refused: PBKDF2 runs on the caller's
    // thread, and a hostile or compromised server could otherwise make the client spin
    // for minutes. Deployed servers use 4096 to a few hundred thousand.
    static constexpr int maxIterations = 1'000'000;

    // clientNonce empty: 24 bytes from QRandomGenerator::system(), base64-encoded.
    ScramClient(ScramAlgorithm algorithm, QString username, QString password, Gs2Header gs2Header,
                QByteArray clientNonce = {});
    ~ScramClient();
    ScramClient(const ScramClient &) = delete;
    ScramClient &operator=(const ScramClient &) = delete;

    // An error when the inputs cannot be used (SASLprep refused the username or the
    // password, a bad nonce or binding type): then clientFirstMessage() is empty and
    // clientFinalMessage() returns this error. Check it before sending anything.
    Status status() const;

    ScramAlgorithm algorithm() const { return m_algorithm; }
    QByteArray clientNonce() const { return m_clientNonce; }

    // gs2-header + client-first-message-bare.
    QByteArray clientFirstMessage() const;
    // Parses server-first-message and answers with client-final-message (with proof).
    // Errors: ProtocolViolation (malformed, m= extension, nonce not extending ours,
    // iteration count below 1), LimitExceeded (iteration count above maxIterations).
    // Call once.
    Result<QByteArray> clientFinalMessage(const QByteArray &serverFirstMessage);
    // Checks server-final-message. Errors: NotAuthorized (e=invalid-proof or
    // e=unknown-user), AuthFailed (any other e=), ServerNotVerified (wrong signature),
    // ProtocolViolation (malformed, or called before clientFinalMessage succeeded).
    Status verifyServerFinal(const QByteArray &serverFinalMessage) const;

private:
    ScramAlgorithm m_algorithm;
    Gs2Header m_gs2Header;
    QByteArray m_preparedUsername; // SASLprep'ed, UTF-8, not yet escaped
    QByteArray m_preparedPassword; // SASLprep'ed, UTF-8; wiped after use
    QByteArray m_clientNonce;
    QByteArray m_expectedServerSignature;
    std::optional<Error> m_setupError;
};

} // namespace xmpp
