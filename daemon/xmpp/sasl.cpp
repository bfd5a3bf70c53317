#include "sasl.h"

#include <algorithm>

#include "logging.h"
#include "scram.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <utility>

namespace xmpp {

SaslMechanism::~SaslMechanism() = default;
void SaslMechanism::handleFailure(const Error &) {}
void SaslMechanism::abort() {}

namespace {

const QString plainName = QStringLiteral("PLAIN");
const QString oauthBearerName = QStringLiteral("OAUTHBEARER");
const QString xOauth2Name = QStringLiteral("X-OAUTH2");

bool offers(const SaslContext &context, const QString &mechanism)
{
    return context.offeredMechanisms.contains(mechanism, Qt::CaseInsensitive);
}

QString offeredList(const SaslContext &context)
{
    if (context.offeredMechanisms.isEmpty())
        return QStringLiteral("the server offers no SASL mechanism");
    return QStringLiteral("the server offers %1")
        .arg(context.offeredMechanisms.join(QStringLiteral(", ")));
}

// The same escaping SCRAM uses for names (RFC 5802 saslname), also required for the
// authorization identity in OAUTHBEARER's GS2 header (RFC 7628 section 3.1).
QByteArray escapeGs2Name(const QByteArray &name)
{
    QByteArray escaped = name;
    escaped.replace("=", "=3D");
    escaped.replace(",", "=2C");
    return escaped;
}

} // namespace

bool isSaslFailureCondition(QStringView condition)
{
    static constexpr QStringView conditions[] = {
        u"aborted", u"account-disabled", u"credentials-expired", u"encryption-required",
        u"incorrect-encoding", u"invalid-authzid", u"invalid-mechanism", u"malformed-request",
        u"mechanism-too-weak", u"not-authorized", u"temporary-auth-failure",
    };
    return std::find(std::begin(conditions), std::end(conditions), condition) != std::end(conditions);
}

Error saslFailureToError(const QString &condition, const QString &text)
{
    // RFC 6120 section 6.5: all but not-authorized describe why signing in could not
    // proceed rather than a rejection of the credentials themselves.
    const ErrorCondition mapped =
        condition == u"not-authorized" ? ErrorCondition::NotAuthorized : ErrorCondition::AuthFailed;
    return makeError(mapped, text, condition);
}

// --- PasswordMechanism ---

PasswordMechanism::PasswordMechanism(QString password, PasswordPolicy policy, QObject *parent)
    : SaslMechanism(parent)
    , m_password(std::move(password))
    , m_policy(policy)
{
}

PasswordMechanism::~PasswordMechanism()
{
    wipeSecret(m_password);
}

void PasswordMechanism::finish()
{
    m_state = State::Done;
    m_scram.reset();
    wipeSecret(m_password);
}

void PasswordMechanism::fail(const Error &error)
{
    finish();
    Q_EMIT failed(error);
}

void PasswordMechanism::start(const SaslContext &context)
{
    if (m_state != State::Idle) {
        fail(makeError(ErrorCondition::InvalidInput,
                       QStringLiteral("a SASL mechanism object serves one negotiation only")));
        return;
    }
    if (context.username.isEmpty()) {
        fail(
            makeError(ErrorCondition::InvalidInput, QStringLiteral("no username to sign in with")));
        return;
    }

    // Whether any binding is usable is exactly whether a -PLUS header can be built.
    const bool canBind =
        gs2HeaderFor(u"SCRAM-SHA-256-PLUS", context.offeredMechanisms, context.channelBindings)
            .has_value();
    // Offered by the server and not excluded by the policy.
    const auto usable = [this, &context](const QString &name) {
        return offers(context, name)
               && (m_policy.onlyMechanisms.isEmpty() || m_policy.onlyMechanisms.contains(name, Qt::CaseInsensitive));
    };
    const std::optional<QString> scram = strongestScramMechanism(context.offeredMechanisms, canBind, usable);
    const QString chosen = scram.value_or(QString());
    const std::optional<ScramAlgorithm> algorithm = scram ? scramAlgorithmFor(*scram) : std::nullopt;

    if (algorithm) {
        const std::optional<Gs2Header> header =
            gs2HeaderFor(chosen, context.offeredMechanisms, context.channelBindings);
        if (!header) {
            fail(makeError(ErrorCondition::NoSuitableMechanism,
                           QStringLiteral("no usable channel binding for %1").arg(chosen)));
            return;
        }
        m_scram = std::make_unique<ScramClient>(*algorithm, context.username,
                                                std::exchange(m_password, QString()), *header);
        const Status status = m_scram->status();
        if (!status) {
            fail(status.error());
            return;
        }
        m_mechanism = chosen;
        m_state = State::AwaitingServerFirst;
        qCDebug(lcXmppSasl) << "using" << chosen << "of" << context.offeredMechanisms;
        Q_EMIT started(chosen, m_scram->clientFirstMessage());
        return;
    }

    if (usable(plainName) && m_policy.allowPlain && context.tlsActive) {
        // RFC 4616: [authzid] NUL authcid NUL passwd, with no authorization identity.
        QByteArray passwordUtf8 = m_password.toUtf8();
        QByteArray payload = '\0' + context.username.toUtf8() + '\0' + passwordUtf8;
        wipeSecret(passwordUtf8);
        wipeSecret(m_password);
        m_mechanism = plainName;
        m_state = State::AwaitingSuccess;
        qCDebug(lcXmppSasl) << "using" << plainName << "of" << context.offeredMechanisms;
        Q_EMIT started(plainName, payload);
        // The receiver has its own (shared) copy; ours goes if it is the last one.
        wipeSecret(payload);
        return;
    }

    QString detail = offeredList(context);
    if (!m_policy.onlyMechanisms.isEmpty())
        detail += QStringLiteral("; only %1 allowed").arg(m_policy.onlyMechanisms.join(QStringLiteral(", ")));
    if (offers(context, plainName)) {
        if (!m_policy.allowPlain)
            detail += QStringLiteral("; PLAIN is not allowed by the configuration");
        else
            detail += QStringLiteral("; PLAIN is refused because the connection is not encrypted");
    }
    const bool plusOffered =
        std::any_of(context.offeredMechanisms.cbegin(), context.offeredMechanisms.cend(),
                    [](const QString &m) { return isScramPlus(m); });
    if (plusOffered && !canBind)
        detail += QStringLiteral("; the -PLUS mechanisms need channel binding, which this "
                                 "connection cannot provide");
    qCDebug(lcXmppSasl) << "no acceptable mechanism among" << context.offeredMechanisms;
    fail(makeError(ErrorCondition::NoSuitableMechanism, detail));
}

void PasswordMechanism::handleChallenge(const QByteArray &challenge)
{
    switch (m_state) {
    case State::AwaitingServerFirst: {
        Result<QByteArray> final = m_scram->clientFinalMessage(challenge);
        if (!final) {
            fail(final.error());
            return;
        }
        m_state = State::AwaitingServerFinal;
        Q_EMIT responseReady(final.value());
        return;
    }
    case State::AwaitingServerFinal: {
        // The server sent its signature as a challenge rather than with <success/>.
        const Status verified = m_scram->verifyServerFinal(challenge);
        if (!verified) {
            fail(verified.error());
            return;
        }
        m_state = State::ServerVerified;
        Q_EMIT responseReady(QByteArray());
        return;
    }
    case State::AwaitingSuccess:
        fail(makeError(ErrorCondition::ProtocolViolation,
                       QStringLiteral("the server sent a challenge during PLAIN")));
        return;
    case State::ServerVerified:
        fail(makeError(ErrorCondition::ProtocolViolation,
                       QStringLiteral("the server sent a challenge after its SCRAM signature")));
        return;
    case State::Idle:
    case State::Done:
        fail(makeError(ErrorCondition::ProtocolViolation,
                       QStringLiteral("a SASL challenge arrived outside a negotiation")));
        return;
    }
}

void PasswordMechanism::handleSuccess(const QByteArray &additionalData)
{
    switch (m_state) {
    case State::AwaitingServerFinal: {
        // Without v= the server has not proven it knows the password; a man in the
        // middle could have answered in its place.
        if (additionalData.isEmpty()) {
            fail(makeError(ErrorCondition::ServerNotVerified,
                           QStringLiteral("the server reported success without its SCRAM "
                                          "signature")));
            return;
        }
        const Status verified = m_scram->verifyServerFinal(additionalData);
        if (!verified) {
            fail(verified.error());
            return;
        }
        finish();
        Q_EMIT succeeded();
        return;
    }
    case State::ServerVerified: {
        // Some servers repeat the server-final message; it must still match.
        if (!additionalData.isEmpty()) {
            const Status verified = m_scram->verifyServerFinal(additionalData);
            if (!verified) {
                fail(verified.error());
                return;
            }
        }
        finish();
        Q_EMIT succeeded();
        return;
    }
    case State::AwaitingSuccess:
        // PLAIN defines no additional data; anything sent is ignored, it proves nothing.
        finish();
        Q_EMIT succeeded();
        return;
    case State::AwaitingServerFirst:
        fail(makeError(ErrorCondition::ServerNotVerified,
                       QStringLiteral("the server reported success before the SCRAM exchange "
                                      "was complete")));
        return;
    case State::Idle:
    case State::Done:
        fail(makeError(ErrorCondition::ProtocolViolation,
                       QStringLiteral("SASL success arrived outside a negotiation")));
        return;
    }
}

void PasswordMechanism::handleFailure(const Error &)
{
    finish();
}

void PasswordMechanism::abort()
{
    finish();
}

// --- TokenMechanism ---

TokenMechanism::TokenMechanism(QString token, QString preferredMechanism, QObject *parent)
    : SaslMechanism(parent)
    , m_token(std::move(token))
    , m_preferredMechanism(std::move(preferredMechanism))
{
}

TokenMechanism::~TokenMechanism()
{
    wipeSecret(m_token);
}

void TokenMechanism::finish()
{
    m_state = State::Done;
    wipeSecret(m_token);
}

void TokenMechanism::fail(const Error &error)
{
    finish();
    Q_EMIT failed(error);
}

void TokenMechanism::start(const SaslContext &context)
{
    if (m_state != State::Idle) {
        fail(makeError(ErrorCondition::InvalidInput,
                       QStringLiteral("a SASL mechanism object serves one negotiation only")));
        return;
    }
    if (context.username.isEmpty()) {
        fail(
            makeError(ErrorCondition::InvalidInput, QStringLiteral("no username to sign in with")));
        return;
    }

    QStringList candidates;
    if (m_preferredMechanism.isEmpty()) {
        candidates = {oauthBearerName, xOauth2Name};
    } else if (m_preferredMechanism.compare(oauthBearerName, Qt::CaseInsensitive) == 0) {
        candidates = {oauthBearerName};
    } else if (m_preferredMechanism.compare(xOauth2Name, Qt::CaseInsensitive) == 0) {
        candidates = {xOauth2Name};
    } else {
        fail(makeError(ErrorCondition::NoSuitableMechanism,
                       QStringLiteral("%1 is not a token mechanism (use OAUTHBEARER or X-OAUTH2)")
                           .arg(m_preferredMechanism)));
        return;
    }

    QString chosen;
    for (const QString &candidate : std::as_const(candidates)) {
        if (offers(context, candidate)) {
            chosen = candidate;
            break;
        }
    }
    if (chosen.isEmpty()) {
        fail(makeError(ErrorCondition::NoSuitableMechanism,
                       QStringLiteral("%1; a token needs %2")
                           .arg(offeredList(context), candidates.join(QStringLiteral(" or ")))));
        return;
    }
    if (!context.tlsActive) {
        fail(makeError(
            ErrorCondition::NoSuitableMechanism,
            QStringLiteral("%1 is refused because the connection is not encrypted").arg(chosen)));
        return;
    }

    QByteArray tokenUtf8 = m_token.toUtf8();
    QByteArray payload;
    if (chosen == oauthBearerName) {
        // RFC 7628 section 3.1: gs2-header with authzid, then kvpairs separated by ^A.
        const QByteArray authzid = (context.username + u'@' + context.domain).toUtf8();
        payload =
            "n,a=" + escapeGs2Name(authzid) + ",\x01" + "auth=Bearer " + tokenUtf8 + "\x01\x01";
    } else {
        payload = '\0' + context.username.toUtf8() + '\0' + tokenUtf8;
    }
    wipeSecret(tokenUtf8);
    wipeSecret(m_token);

    m_mechanism = chosen;
    m_state = State::AwaitingOutcome;
    qCDebug(lcXmppSasl) << "using" << chosen << "of" << context.offeredMechanisms;
    Q_EMIT started(chosen, payload);
    wipeSecret(payload);
}

void TokenMechanism::handleChallenge(const QByteArray &challenge)
{
    if (m_state == State::AwaitingOutcome && m_mechanism == oauthBearerName) {
        // RFC 7628 section 3.2.2: the server explains the failure in a JSON challenge;
        // the client must answer with a single ^A, after which the server sends <failure/>.
        const QJsonDocument document = QJsonDocument::fromJson(challenge);
        m_serverErrorStatus = document.object().value(u"status").toString();
        m_state = State::ErrorAcknowledged;
        Q_EMIT responseReady(QByteArrayLiteral("\x01"));
        return;
    }
    fail(
        makeError(ErrorCondition::ProtocolViolation,
                  QStringLiteral("unexpected SASL challenge during %1")
                      .arg(m_mechanism.isEmpty() ? QStringLiteral("token sign-in") : m_mechanism)));
}

void TokenMechanism::handleSuccess(const QByteArray &)
{
    if (m_state == State::AwaitingOutcome) {
        // Neither mechanism defines additional data; a token mechanism cannot verify
        // the server, TLS has done that.
        finish();
        Q_EMIT succeeded();
        return;
    }
    if (m_state == State::ErrorAcknowledged) {
        fail(makeError(ErrorCondition::ProtocolViolation,
                       QStringLiteral("the server reported success after rejecting the token")));
        return;
    }
    fail(makeError(ErrorCondition::ProtocolViolation,
                   QStringLiteral("SASL success arrived outside a negotiation")));
}

void TokenMechanism::handleFailure(const Error &)
{
    finish();
}

void TokenMechanism::abort()
{
    finish();
}

} // namespace xmpp
