#include "relaymechanism.h"

#include "namespaces.h"
#include "protocol.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRelay, "kioskd.mobility.relay", QtInfoMsg)

namespace mobility {

RelayMechanism::RelayMechanism(xmpp::Client &device, QString phoneJid, QString sid, int stepTimeoutMs, QObject *parent)
    : SaslMechanism(parent)
    , m_device(device)
    , m_phoneJid(std::move(phoneJid))
    , m_sid(std::move(sid))
    , m_stepTimeoutMs(stepTimeoutMs)
{
}

RelayMechanism::~RelayMechanism() = default;

void RelayMechanism::ask(const QDomElement &payload, std::function<void(const xmpp::IqResult &)> done)
{
    m_device.sendRequest(m_phoneJid, payload, this, [this, done = std::move(done)](const xmpp::IqResult &result) {
        if (!m_finished)
            done(result);
    }, m_stepTimeoutMs);
}

void RelayMechanism::tell(const QDomElement &payload)
{
    // The phone's answer changes nothing; only that the message arrives in order matters.
    m_device.sendRequest(m_phoneJid, payload, nullptr, [](const xmpp::IqResult &) {}, m_stepTimeoutMs);
}

xmpp::Error RelayMechanism::phoneError(const xmpp::Error &error, const QString &step) const
{
    if (error.condition == xmpp::ErrorCondition::Timeout)
        return xmpp::makeError(xmpp::ErrorCondition::Timeout,
                               QStringLiteral("the phone did not answer %1 within %2 s").arg(step).arg(m_stepTimeoutMs / 1000));
    if (error.condition == xmpp::ErrorCondition::Cancelled)
        return xmpp::makeError(xmpp::ErrorCondition::AuthAborted, QStringLiteral("the display lost its connection while relaying"));
    return xmpp::makeError(xmpp::ErrorCondition::AuthAborted, QStringLiteral("the phone refused %1").arg(step),
                           error.protocolCondition);
}

void RelayMechanism::finishWith(const xmpp::Error &error)
{
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT failed(error);
}

void RelayMechanism::start(const xmpp::SaslContext &context)
{
    SaslOffer offer;
    offer.sid = m_sid;
    offer.mechanisms = context.offeredMechanisms.mid(0, SaslOffer::maxMechanisms);
    offer.channelBindings = context.channelBindings;
    m_offered = offer.mechanisms;
    QDomDocument document;
    qCDebug(lcRelay) << "asking the phone to choose among" << offer.mechanisms;
    ask(offer.toDom(document), [this](const xmpp::IqResult &result) {
        if (!result.ok()) {
            if (result.error().protocolCondition == QStringLiteral("not-acceptable"))
                finishWith(xmpp::makeError(xmpp::ErrorCondition::NoSuitableMechanism,
                                           QStringLiteral("the phone refused every mechanism the server offers (%1)")
                                               .arg(m_offered.join(QStringLiteral(", ")))));
            else
                finishWith(phoneError(result.error(), QStringLiteral("the mechanism choice")));
            return;
        }
        const auto auth = SaslAuth::fromDom(result.value().firstChildElement());
        if (!auth || auth->sid != m_sid || !m_offered.contains(auth->mechanism)) {
            finishWith(xmpp::makeError(xmpp::ErrorCondition::ProtocolViolation,
                                       QStringLiteral("the phone chose no mechanism the server offers")));
            return;
        }
        m_mechanism = auth->mechanism;
        Q_EMIT started(auth->mechanism, auth->initialResponse);
    });
}

void RelayMechanism::handleChallenge(const QByteArray &challenge)
{
    QDomDocument document;
    ask(SaslPayload{SaslPayload::Kind::Challenge, m_sid, challenge}.toDom(document), [this](const xmpp::IqResult &result) {
        if (!result.ok()) {
            finishWith(phoneError(result.error(), QStringLiteral("a challenge")));
            return;
        }
        const auto response = SaslPayload::fromDom(result.value().firstChildElement());
        if (!response || response->kind != SaslPayload::Kind::Response || response->sid != m_sid) {
            finishWith(xmpp::makeError(xmpp::ErrorCondition::ProtocolViolation,
                                       QStringLiteral("the phone answered a challenge without a response")));
            return;
        }
        Q_EMIT responseReady(response->data);
    });
}

void RelayMechanism::handleSuccess(const QByteArray &additionalData)
{
    QDomDocument document;
    ask(SaslPayload{SaslPayload::Kind::Success, m_sid, additionalData}.toDom(document), [this](const xmpp::IqResult &result) {
        if (!result.ok()) {
            if (result.error().condition == xmpp::ErrorCondition::StanzaError)
                finishWith(xmpp::makeError(xmpp::ErrorCondition::ServerNotVerified,
                                           QStringLiteral("the phone does not trust the server's proof"),
                                           result.error().protocolCondition));
            else
                finishWith(phoneError(result.error(), QStringLiteral("the server's proof")));
            return;
        }
        m_finished = true;
        Q_EMIT succeeded();
    });
}

void RelayMechanism::handleFailure(const xmpp::Error &error)
{
    if (m_finished)
        return;
    m_finished = true;
    // A server's non-standard condition would fail the phone's strict parser.
    const QString condition = xmpp::isSaslFailureCondition(error.protocolCondition) ? error.protocolCondition
                                                                                     : QStringLiteral("not-authorized");
    QDomDocument document;
    tell(SaslFailure{m_sid, condition}.toDom(document));
}

void RelayMechanism::abort()
{
    if (m_finished)
        return;
    m_finished = true;
    QDomDocument document;
    tell(SidOnly{SidOnly::Kind::Abort, m_sid}.toDom(document));
}

void RelayMechanism::abortedByPhone()
{
    finishWith(xmpp::makeError(xmpp::ErrorCondition::AuthAborted, QStringLiteral("the phone aborted signing in")));
}

} // namespace mobility
