#include "relayanswerer.h"

#include "scram.h"

#include <QLoggingCategory>

#include <algorithm>
#include <utility>

Q_LOGGING_CATEGORY(lcRelayAnswerer, "kioskd.mobility.answerer", QtInfoMsg)

namespace mobility {

using xmpp::ErrorCondition;
using xmpp::makeError;

namespace {

QString listOrNone(const QStringList &names)
{
    return names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "));
}

} // namespace

RelayAnswerer::RelayAnswerer(QString username, QString password, RelayAnswererOptions options)
    : m_username(std::move(username))
    , m_password(std::move(password))
    , m_options(std::move(options))
{
}

RelayAnswerer::~RelayAnswerer()
{
    xmpp::wipeSecret(m_password);
}

bool RelayAnswerer::isAcceptableMechanism(QStringView mechanism)
{
    // scramAlgorithmFor() ignores case; the protocol's mechanism names are upper case.
    return xmpp::scramAlgorithmFor(mechanism).has_value() && mechanism.toString().toUpper() == mechanism;
}

xmpp::Error RelayAnswerer::fail(xmpp::Error error)
{
    m_state = State::Failed;
    m_scram.reset();
    xmpp::wipeSecret(m_password);
    qCDebug(lcRelayAnswerer) << "relay negotiation failed:"
                             << xmpp::Error::conditionName(error.condition) << error.detail;
    return error;
}

xmpp::Result<SaslAuth> RelayAnswerer::answerOffer(const SaslOffer &offer)
{
    if (m_state != State::AwaitingOffer) {
        return fail(makeError(ErrorCondition::ProtocolViolation,
                              QStringLiteral("a second SASL offer arrived for one negotiation")));
    }

    // The offer's bindings of the types the phone accepts, in the phone's order.
    QList<xmpp::ChannelBinding> bindings;
    for (const QString &type : std::as_const(m_options.channelBindingTypes)) {
        for (const xmpp::ChannelBinding &binding : offer.channelBindings) {
            if (binding.type == type && !binding.data.isEmpty())
                bindings.append(binding);
        }
    }
    const bool canBind =
        xmpp::gs2HeaderFor(u"SCRAM-SHA-256-PLUS", offer.mechanisms, bindings).has_value();
    const auto usable = [this, &offer](const QString &name) {
        return offer.mechanisms.contains(name) &&
               (m_options.allowedMechanisms.isEmpty() ||
                m_options.allowedMechanisms.contains(name, Qt::CaseInsensitive));
    };

    const std::optional<QString> scram = xmpp::strongestScramMechanism(offer.mechanisms, canBind, usable);
    const QString chosen = scram.value_or(QString());
    const std::optional<xmpp::ScramAlgorithm> algorithm = scram ? xmpp::scramAlgorithmFor(*scram) : std::nullopt;

    if (!algorithm) {
        QString detail =
            QStringLiteral("the user's server offers %1 through the display; the phone answers "
                           "only SCRAM-SHA-1, SCRAM-SHA-256 and SCRAM-SHA-512 (or their -PLUS "
                           "forms), which never reveal the password")
                .arg(listOrNone(offer.mechanisms));
        if (!m_options.allowedMechanisms.isEmpty()) {
            detail += QStringLiteral("; only %1 allowed here")
                          .arg(m_options.allowedMechanisms.join(QStringLiteral(", ")));
        }
        const bool onlyPlusUsable = std::any_of(
            offer.mechanisms.cbegin(), offer.mechanisms.cend(),
            [](const QString &m) { return xmpp::isScramPlus(m) && isAcceptableMechanism(m); });
        if (onlyPlusUsable && !canBind) {
            QStringList offeredTypes;
            for (const xmpp::ChannelBinding &binding : offer.channelBindings)
                offeredTypes.append(binding.type);
            detail += QStringLiteral("; -PLUS needs channel binding of type %1, the display "
                                     "offers %2")
                          .arg(m_options.channelBindingTypes.join(QStringLiteral(" or ")),
                               listOrNone(offeredTypes));
        }
        return fail(makeError(ErrorCondition::NoSuitableMechanism, detail));
    }

    const std::optional<xmpp::Gs2Header> header =
        xmpp::gs2HeaderFor(chosen, offer.mechanisms, bindings);
    if (!header) {
        return fail(makeError(ErrorCondition::NoSuitableMechanism,
                              QStringLiteral("no usable channel binding for %1").arg(chosen)));
    }
    m_scram = std::make_unique<xmpp::ScramClient>(*algorithm, m_username,
                                                  std::exchange(m_password, QString()), *header,
                                                  m_options.clientNonce);
    if (const xmpp::Status status = m_scram->status(); !status)
        return fail(status.error());

    m_mechanism = chosen;
    m_state = State::AwaitingServerFirst;
    qCDebug(lcRelayAnswerer) << "chose" << chosen << "of" << offer.mechanisms;
    return SaslAuth{offer.sid, chosen, m_scram->clientFirstMessage()};
}

xmpp::Result<QByteArray> RelayAnswerer::answerChallenge(const QByteArray &challenge)
{
    switch (m_state) {
    case State::AwaitingServerFirst: {
        xmpp::Result<QByteArray> final = m_scram->clientFinalMessage(challenge);
        if (!final)
            return fail(final.error());
        m_state = State::AwaitingServerFinal;
        return final;
    }
    case State::AwaitingServerFinal: {
        // RFC 6120 section 6.4.6 lets the server send its final message as a challenge;
        // it is answered with an empty response once it verified.
        const xmpp::Status verified = m_scram->verifyServerFinal(challenge);
        if (!verified)
            return fail(verified.error());
        m_state = State::ServerVerified;
        return QByteArray();
    }
    case State::ServerVerified:
        return fail(makeError(ErrorCondition::ProtocolViolation,
                              QStringLiteral("the server sent a challenge after its SCRAM "
                                             "signature")));
    case State::AwaitingOffer:
    case State::Done:
    case State::Failed:
        break;
    }
    return fail(makeError(ErrorCondition::ProtocolViolation,
                          QStringLiteral("a SASL challenge arrived outside a negotiation")));
}

xmpp::Status RelayAnswerer::verifySuccess(const QByteArray &additionalData)
{
    switch (m_state) {
    case State::AwaitingServerFinal: {
        // Without v= nobody has shown knowledge of the password: a display talking to a
        // server of its own could claim success.
        if (additionalData.isEmpty()) {
            return fail(makeError(ErrorCondition::ServerNotVerified,
                                  QStringLiteral("the server reported success without its "
                                                 "SCRAM signature")));
        }
        const xmpp::Status verified = m_scram->verifyServerFinal(additionalData);
        if (!verified)
            return fail(verified.error());
        break;
    }
    case State::ServerVerified:
        // Some servers repeat the signature with <success/>; it must still match.
        if (!additionalData.isEmpty()) {
            const xmpp::Status verified = m_scram->verifyServerFinal(additionalData);
            if (!verified)
                return fail(verified.error());
        }
        break;
    case State::AwaitingServerFirst:
        return fail(makeError(ErrorCondition::ServerNotVerified,
                              QStringLiteral("the server reported success before the SCRAM "
                                             "exchange finished, so it proved nothing")));
    case State::AwaitingOffer:
    case State::Done:
    case State::Failed:
        return fail(makeError(ErrorCondition::ProtocolViolation,
                              QStringLiteral("a SASL success arrived outside a negotiation")));
    }
    m_state = State::Done;
    m_scram.reset();
    return xmpp::success();
}

} // namespace mobility
