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
    QDomDocument document;
    QDomElement iq = document.createElementNS(xmpp::ns::client, QStringLiteral("iq"));
    iq.setAttribute(QStringLiteral("type"), QStringLiteral("set"));
    iq.setAttribute(QStringLiteral("to"), m_phoneJid);
    iq.appendChild(document.importNode(payload, true));
    m_device.sendIq(iq, this, [this, done = std::move(done)](const xmpp::IqResult &result) {
        if (!m_finished)
            done(result);
    }, m_stepTimeoutMs);
}

void RelayMechanism::tell(const QDomElement &payload)
{
    // The phone's answer changes nothing; only that it arrives in order matters.
    ask(payload, [](const xmpp::IqResult &) {});
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
    QDomDocument document;
    const QString condition = error.protocolCondition.isEmpty() ? QStringLiteral("not-authorized") : error.protocolCondition;
    QDomDocument doc;
    QDomElement iq = doc.createElementNS(xmpp::ns::client, QStringLiteral("iq"));
    iq.setAttribute(QStringLiteral("type"), QStringLiteral("set"));
    iq.setAttribute(QStringLiteral("to"), m_phoneJid);
    iq.appendChild(doc.importNode(SaslFailure{m_sid, condition}.toDom(document), true));
    m_device.sendIq(iq, nullptr, [](const xmpp::IqResult &) {}, m_stepTimeoutMs);
}

void RelayMechanism::abort()
{
    if (m_finished)
        return;
    m_finished = true;
    QDomDocument document;
    QDomElement iq = document.createElementNS(xmpp::ns::client, QStringLiteral("iq"));
    iq.setAttribute(QStringLiteral("type"), QStringLiteral("set"));
    iq.setAttribute(QStringLiteral("to"), m_phoneJid);
    iq.appendChild(document.importNode(SidOnly{SidOnly::Kind::Abort, m_sid}.toDom(document), true));
    m_device.sendIq(iq, nullptr, [](const xmpp::IqResult &) {}, m_stepTimeoutMs);
}

void RelayMechanism::abortedByPhone()
{
    finishWith(xmpp::makeError(xmpp::ErrorCondition::AuthAborted, QStringLiteral("the phone aborted signing in")));
}

} // namespace mobility
