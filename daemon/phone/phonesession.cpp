#include "phonesession.h"

#include "eventlog.h"
#include "namespaces.h"
#include "oauthtoken.h"
#include "protocol.h"
#include "relayanswerer.h"
#include "scram.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcPhone, "kioskd.phone", QtInfoMsg)

namespace phone {

using mobility::SessionNotice;

namespace {

const QString cancelType = QStringLiteral("cancel");

// What a refused pair request means for the person holding the phone.
QString pairRefusalMessage(const QString &condition, const QString &display)
{
    if (condition == u"not-authorized")
        return QStringLiteral("the display refused the pairing token (unknown, used or expired): scan the current QR code again");
    if (condition == u"resource-constraint")
        return QStringLiteral("the display is busy with another session: try again when it shows its QR code");
    if (condition == u"policy-violation")
        return QStringLiteral("the display refuses this account for a minute after too many bad pairing tokens: wait, then scan again");
    if (condition == u"bad-request")
        return QStringLiteral("the display found the pair request malformed");
    if (condition == u"service-unavailable" || condition == u"item-not-found" || condition == u"recipient-unavailable"
        || condition == u"remote-server-not-found" || condition == u"remote-server-timeout") {
        return QStringLiteral("no display is online at %1: check the QR code and that the display is running").arg(display);
    }
    return QStringLiteral("the display refused pairing (%1)").arg(condition);
}

QString authMethodName(AuthMethod method)
{
    return method == AuthMethod::SaslRelay ? QStringLiteral("sasl-relay") : QStringLiteral("token");
}

} // namespace

PhoneSession::PhoneSession(PhoneOptions options, EventLog &events, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_events(events)
{
    m_watchdog.setSingleShot(true);
    connect(&m_watchdog, &QTimer::timeout, this, &PhoneSession::onWatchdog);
}

PhoneSession::~PhoneSession()
{
    xmpp::wipeSecret(m_options.password);
    xmpp::wipeSecret(m_token);
}

void PhoneSession::start()
{
    if (m_options.authMethod == AuthMethod::SaslRelay) {
        mobility::RelayAnswererOptions relayOptions;
        if (!m_options.mechanism.isEmpty())
            relayOptions.allowedMechanisms = {m_options.mechanism};
        m_answerer = std::make_unique<mobility::RelayAnswerer>(m_options.jid.local(),
                                                               m_options.relayPassword.value_or(m_options.password), relayOptions);
        if (m_options.relayPassword)
            xmpp::wipeSecret(*m_options.relayPassword);
        connectToServer();
        return;
    }
    if (!m_options.token.isEmpty()) {
        m_token = std::exchange(m_options.token, QByteArray());
        connectToServer();
        return;
    }
    m_phase = Phase::FetchingToken;
    OAuthTokenRequest request;
    request.endpoint = m_options.oauthUrl;
    request.username = m_options.jid.bare().toString();
    request.password = m_options.password;
    request.tls = xmpp::TcpTransport::tlsConfiguration(m_options.extraCaCertificates);
    request.timeoutMs = m_options.timeoutMs;
    fetchOAuthToken(m_network, std::move(request), this, [this](const xmpp::Result<QByteArray> &token) {
        if (m_phase != Phase::FetchingToken)
            return;
        if (!token) {
            reportError(xmpp::Error::conditionName(token.error().condition), token.error().message(), QStringLiteral("token"));
            finish(ExitStatus::ConnectionFailed);
            return;
        }
        m_token = token.value();
        m_events.write(QStringLiteral("token"), {{QStringLiteral("endpoint"), m_options.oauthUrl.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)}});
        connectToServer();
    });
}

void PhoneSession::connectToServer()
{
    m_phase = Phase::Connecting;
    xmpp::ClientConfig config;
    config.jid = m_options.jid;
    config.server = m_options.server;
    config.tls = xmpp::TcpTransport::tlsConfiguration(m_options.extraCaCertificates);
    // Handed over once: the mechanism wipes its copy after signing in.
    auto password = std::make_shared<QString>(m_options.password);
    config.mechanism = [password] { return std::make_unique<xmpp::PasswordMechanism>(std::exchange(*password, QString())); };
    xmpp::wipeSecret(m_options.password);
    config.discoIdentities = {{QStringLiteral("client"), QStringLiteral("phone"), QStringLiteral("kiosk-phone")}};
    config.discoFeatures = {mobility::ns};
    config.timeouts.iqMs = m_options.timeoutMs;

    m_client = std::make_unique<xmpp::Client>(config);
    m_client->setIqHandler(mobility::ns, [this](const QDomElement &iq) { onRequest(iq); });
    connect(m_client.get(), &xmpp::Client::online, this, [this] {
        m_events.write(QStringLiteral("online"), {{QStringLiteral("jid"), m_client->boundJid()}});
        sendPair();
    });
    connect(m_client.get(), &xmpp::Client::disconnected, this, &PhoneSession::onDisconnected);
    m_client->connectToServer();
}

void PhoneSession::sendToDisplay(const QDomElement &payload, QObject *context, xmpp::IqCallback callback)
{
    m_client->sendRequest(m_options.displayJid.toString(), payload, context, std::move(callback), m_options.timeoutMs);
}

void PhoneSession::sendPair()
{
    m_phase = Phase::Pairing;
    mobility::PairRequest pair;
    pair.sid = m_options.sid;
    pair.token = m_options.pairUri.token;
    if (m_options.authMethod == AuthMethod::Token) {
        pair.method = mobility::PairRequest::Method::Token;
        pair.tokenMechanism = m_options.mechanism;
        pair.oauthToken = std::exchange(m_token, QByteArray());
    }
    QJsonObject fields{{QStringLiteral("display"), m_options.displayJid.toString()},
                       {QStringLiteral("sid"), m_options.sid},
                       {QStringLiteral("method"), authMethodName(m_options.authMethod)}};
    if (!m_options.pairUri.name.isEmpty())
        fields.insert(QStringLiteral("name"), m_options.pairUri.name);
    m_events.write(QStringLiteral("pairing"), fields);

    QDomDocument document;
    const QDomElement payload = pair.toDom(document);
    xmpp::wipeSecret(pair.oauthToken);
    sendToDisplay(payload, this, [this](const xmpp::IqResult &reply) { onPairReply(reply); });
}

void PhoneSession::onPairReply(const xmpp::IqResult &reply)
{
    if (m_phase != Phase::Pairing)
        return;
    if (reply.ok()) {
        m_paired = true;
        m_phase = Phase::Authenticating;
        m_events.write(QStringLiteral("paired"), {{QStringLiteral("sid"), m_options.sid}});
        expect(m_options.authMethod == AuthMethod::SaslRelay ? QStringLiteral("its SASL offer")
                                                             : QStringLiteral("the session's start"));
        return;
    }
    const xmpp::Error &error = reply.error();
    switch (error.condition) {
    case xmpp::ErrorCondition::Timeout:
        reportError(QStringLiteral("timeout"),
                    QStringLiteral("%1 did not answer the pair request within %2 s: check that the display is running")
                        .arg(m_options.displayJid.toString())
                        .arg(m_options.timeoutMs / 1000),
                    QStringLiteral("pair"));
        // It may still act on the request; the abort tells it not to.
        sendAbort();
        finish(ExitStatus::Timeout);
        return;
    case xmpp::ErrorCondition::StanzaError: {
        QJsonObject fields{{QStringLiteral("condition"), error.protocolCondition},
                           {QStringLiteral("message"), pairRefusalMessage(error.protocolCondition, m_options.displayJid.toString())},
                           {QStringLiteral("step"), QStringLiteral("pair")}};
        if (!error.applicationCondition.isEmpty())
            fields.insert(QStringLiteral("application_condition"), error.applicationCondition);
        m_events.write(QStringLiteral("error"), fields);
        finish(ExitStatus::PairingRefused);
        return;
    }
    default:
        // The connection closed; onDisconnected() reports it.
        return;
    }
}

bool PhoneSession::isFromDisplay(const QString &from) const
{
    const auto sender = xmpp::Jid::parse(from);
    if (!sender)
        return false;
    if (m_options.displayJid.isBare())
        return sender->bare() == m_options.displayJid;
    return *sender == m_options.displayJid;
}

void PhoneSession::onRequest(const QDomElement &iq)
{
    const QString from = iq.attribute(QStringLiteral("from"));
    if (!isFromDisplay(from)) {
        qCInfo(lcPhone) << "refused a mobility request from" << from << "(not the display)";
        m_client->replyError(iq, cancelType, QStringLiteral("forbidden"));
        return;
    }
    const QDomElement payload = iq.firstChildElement();
    const QString name = mobility::mobilityElementName(payload);
    static const QStringList handled = {QStringLiteral("sasl"), QStringLiteral("challenge"), QStringLiteral("success"),
                                        QStringLiteral("failure"), QStringLiteral("session"), QStringLiteral("abort")};
    const bool isTransfer = mobility::TransferHub::handles(name);
    if (iq.attribute(QStringLiteral("type")) != u"set" || (!handled.contains(name) && !isTransfer)) {
        m_client->replyError(iq, cancelType, QStringLiteral("feature-not-implemented"));
        return;
    }
    if (isTransfer) {
        if (payload.attribute(QStringLiteral("sid")) != m_options.sid)
            m_client->replyError(iq, cancelType, QStringLiteral("item-not-found"));
        else if (m_phase != Phase::Active)
            m_client->replyError(iq, QStringLiteral("wait"), QStringLiteral("unexpected-request"));
        else
            transfers().handleRequest(iq);
        return;
    }

    const auto refuseMalformed = [&] { m_client->replyError(iq, QStringLiteral("modify"), QStringLiteral("bad-request")); };
    const auto knownSid = [&](const QString &sid) {
        if (sid == m_options.sid && m_phase >= Phase::Pairing)
            return true;
        m_client->replyError(iq, cancelType, QStringLiteral("item-not-found"));
        return false;
    };

    if (name == u"sasl") {
        const auto offer = mobility::SaslOffer::fromDom(payload);
        if (!offer)
            return refuseMalformed();
        if (knownSid(offer->sid))
            onSaslOffer(iq, *offer);
    } else if (name == u"challenge" || name == u"success") {
        const auto relayed = mobility::SaslPayload::fromDom(payload);
        if (!relayed)
            return refuseMalformed();
        if (!knownSid(relayed->sid))
            return;
        if (relayed->kind == mobility::SaslPayload::Kind::Challenge)
            onChallenge(iq, *relayed);
        else
            onSuccess(iq, *relayed);
    } else if (name == u"failure") {
        const auto failure = mobility::SaslFailure::fromDom(payload);
        if (!failure)
            return refuseMalformed();
        if (knownSid(failure->sid))
            onFailure(iq, *failure);
    } else if (name == u"session") {
        const auto notice = SessionNotice::fromDom(payload);
        if (!notice)
            return refuseMalformed();
        if (knownSid(notice->sid))
            onSessionNotice(iq, *notice);
    } else {
        const auto abort = mobility::SidOnly::fromDom(payload);
        if (!abort)
            return refuseMalformed();
        if (knownSid(abort->sid))
            onAbort(iq);
    }
}

void PhoneSession::onSaslOffer(const QDomElement &iq, const mobility::SaslOffer &offer)
{
    // With a token the display signs in by itself; a second offer would restart a
    // negotiation the phone has already answered.
    if (!m_answerer || !m_answerer->mechanism().isEmpty() || m_answerer->isFinished()
        || (m_phase != Phase::Authenticating && m_phase != Phase::Pairing)) {
        m_client->replyError(iq, cancelType, QStringLiteral("unexpected-request"));
        return;
    }
    QJsonArray bindingTypes;
    for (const xmpp::ChannelBinding &binding : offer.channelBindings)
        bindingTypes.append(binding.type);
    m_events.write(QStringLiteral("sasl-offer"), {{QStringLiteral("mechanisms"), QJsonArray::fromStringList(offer.mechanisms)},
                                                  {QStringLiteral("channel_binding"), bindingTypes}});

    const xmpp::Result<mobility::SaslAuth> auth = m_answerer->answerOffer(offer);
    if (!auth) {
        m_client->replyError(iq, cancelType, QStringLiteral("not-acceptable"));
        // The detail says what was offered and why none of it is acceptable; the generic
        // advice (about the server's configuration) would mislead when --mechanism did it.
        const QString message = auth.error().condition == xmpp::ErrorCondition::NoSuitableMechanism
                                    ? QStringLiteral("the phone refused every mechanism: %1").arg(auth.error().detail)
                                    : auth.error().message();
        failSession(ExitStatus::SessionFailed, xmpp::Error::conditionName(auth.error().condition), message);
        return;
    }
    QDomDocument document;
    m_client->replyResult(iq, auth.value().toDom(document));
    m_events.write(QStringLiteral("sasl-choice"), {{QStringLiteral("mechanism"), auth.value().mechanism}});
    expect(QStringLiteral("the server's challenge"));
}

void PhoneSession::onChallenge(const QDomElement &iq, const mobility::SaslPayload &challenge)
{
    if (!m_answerer || m_answerer->mechanism().isEmpty() || m_phase != Phase::Authenticating) {
        m_client->replyError(iq, cancelType, QStringLiteral("unexpected-request"));
        return;
    }
    const xmpp::Result<QByteArray> response = m_answerer->answerChallenge(challenge.data);
    if (!response) {
        const bool distrust = response.error().condition == xmpp::ErrorCondition::ServerNotVerified;
        m_client->replyError(iq, distrust ? QStringLiteral("auth") : cancelType,
                             distrust ? QStringLiteral("not-authorized") : QStringLiteral("not-acceptable"));
        failSession(ExitStatus::SessionFailed, xmpp::Error::conditionName(response.error().condition),
                    response.error().message());
        return;
    }
    QDomDocument document;
    m_client->replyResult(iq, mobility::SaslPayload{mobility::SaslPayload::Kind::Response, m_options.sid, response.value()}.toDom(document));
    if (m_answerer->isServerVerified() && !m_serverVerifiedReported) {
        m_serverVerifiedReported = true;
        m_events.write(QStringLiteral("server-verified"));
    }
    expect(QStringLiteral("the server's next step"));
}

void PhoneSession::onSuccess(const QDomElement &iq, const mobility::SaslPayload &success)
{
    if (m_phase != Phase::Authenticating) {
        m_client->replyError(iq, cancelType, QStringLiteral("unexpected-request"));
        return;
    }
    if (m_options.authMethod == AuthMethod::Token) {
        // Nothing to verify: the token mechanisms carry no server proof.
        m_client->replyResult(iq);
        expect(QStringLiteral("the session's start"));
        return;
    }
    if (!m_answerer || m_answerer->mechanism().isEmpty()) {
        m_client->replyError(iq, cancelType, QStringLiteral("unexpected-request"));
        return;
    }
    const xmpp::Status verified = m_answerer->verifySuccess(success.data);
    if (!verified) {
        m_client->replyError(iq, QStringLiteral("auth"), QStringLiteral("not-authorized"));
        failSession(ExitStatus::SessionFailed, xmpp::Error::conditionName(verified.error().condition),
                    verified.error().message());
        return;
    }
    m_client->replyResult(iq);
    if (!m_serverVerifiedReported) {
        m_serverVerifiedReported = true;
        m_events.write(QStringLiteral("server-verified"));
    }
    expect(QStringLiteral("the session's start"));
}

void PhoneSession::onFailure(const QDomElement &iq, const mobility::SaslFailure &failure)
{
    m_client->replyResult(iq);
    failSession(ExitStatus::SessionFailed, failure.condition,
                QStringLiteral("the user's server refused to sign the display in (%1)%2")
                    .arg(failure.condition,
                         failure.condition == u"not-authorized" ? QStringLiteral(": check the password") : QString()));
}

void PhoneSession::onAbort(const QDomElement &iq)
{
    m_client->replyResult(iq);
    failSession(ExitStatus::SessionFailed, QStringLiteral("aborted"), QStringLiteral("the display aborted the session"));
}

void PhoneSession::onSessionNotice(const QDomElement &iq, const SessionNotice &notice)
{
    m_client->replyResult(iq);
    QJsonObject fields{{QStringLiteral("state"), SessionNotice::stateName(notice.state)}};
    if (!notice.jid.isEmpty())
        fields.insert(QStringLiteral("jid"), notice.jid);
    if (notice.reason != SessionNotice::Reason::None)
        fields.insert(QStringLiteral("reason"), SessionNotice::reasonName(notice.reason));
    m_events.write(QStringLiteral("session"), fields);

    switch (notice.state) {
    case SessionNotice::State::Connecting:
    case SessionNotice::State::Authenticating:
        if (m_phase == Phase::Authenticating)
            expect(QStringLiteral("the session's next step"));
        return;
    case SessionNotice::State::Active:
        if (m_phase != Phase::Authenticating && m_phase != Phase::Pairing)
            return;
        m_userJid = notice.jid;
        if (m_answerer && !m_answerer->isServerVerified()) {
            // The display cannot have signed in without the phone's proof unless it
            // talks to a server that skipped the check: end the session rather than
            // trust it.
            endAndFailSession(ExitStatus::SessionFailed, xmpp::Error::conditionName(xmpp::ErrorCondition::ServerNotVerified),
                              QStringLiteral("the display reports the session active, but the server never proved it knows "
                                             "the password; the phone ended the session"));
            return;
        }
        becomeActive();
        return;
    case SessionNotice::State::Ended: {
        QJsonObject ended;
        if (notice.reason != SessionNotice::Reason::None)
            ended.insert(QStringLiteral("reason"), SessionNotice::reasonName(notice.reason));
        m_events.write(QStringLiteral("ended"), ended);
        if (m_failure) {
            finish(*m_failure);
        } else if (m_phase == Phase::Active || m_phase == Phase::Ending) {
            finish(notice.reason == SessionNotice::Reason::Error ? ExitStatus::SessionFailed : ExitStatus::Success);
        } else {
            const QString reason = notice.reason == SessionNotice::Reason::None ? QStringLiteral("error")
                                                                                : SessionNotice::reasonName(notice.reason);
            reportError(reason, QStringLiteral("the session ended before it became active (%1)").arg(reason));
            finish(ExitStatus::SessionFailed);
        }
        return;
    }
    }
}

mobility::TransferHub &PhoneSession::transfers()
{
    if (!m_transfers) {
        mobility::TransferPeer peer;
        peer.sid = m_options.sid;
        peer.signalling = m_client.get();
        peer.peerJid = m_options.displayJid.toString();
        peer.uploadAccount = m_client.get();
        peer.network = &m_network;
        peer.tls = m_client->config().tls;
        m_transfers = std::make_unique<mobility::TransferHub>(std::move(peer));
        m_transfers->setSenderFault(m_options.fault);
    }
    return *m_transfers;
}

void PhoneSession::becomeActive()
{
    m_phase = Phase::Active;
    m_watchdog.stop();
    m_steps = stepsFor(m_options.plan);
    m_nextStep = 0;
    runNextStep();
}

void PhoneSession::runNextStep()
{
    if (m_phase != Phase::Active)
        return;
    if (m_nextStep >= m_steps.size()) {
        if (m_endRequested) {
            m_phase = Phase::Ending;
            expect(QStringLiteral("the ended notice"));
        } else {
            // The session stays on the display; it ends there when the phone goes
            // offline for a minute, by idle timeout, or by the End button.
            finish(ExitStatus::Success);
        }
        return;
    }
    SessionStep *step = m_steps[m_nextStep++].get();
    m_endRequested = m_endRequested || step->endsSession();
    connect(step, &SessionStep::done, this, &PhoneSession::runNextStep, Qt::QueuedConnection);
    connect(step, &SessionStep::failed, this, [this](ExitStatus status, const QString &condition, const QString &message) {
        if (m_options.plan.end) {
            // The session was to end anyway.
            endAndFailSession(status, condition, message);
            return;
        }
        reportError(condition, message);
        finish(status);
    });
    step->start(*this);
}

void PhoneSession::dropSteps()
{
    // A step may be the one whose signal got us here: it goes once that returned, and
    // says nothing more meanwhile.
    for (auto &step : m_steps) {
        step->disconnect(this);
        step.release()->deleteLater();
    }
    // Transfers stop with the session; the steps, disconnected above, report nothing.
    if (m_transfers)
        m_transfers->abortAll(xmpp::makeError(xmpp::ErrorCondition::Cancelled, QStringLiteral("the session ended")), false);
    m_steps.clear();
    m_nextStep = 0;
}

void PhoneSession::expect(const QString &what)
{
    m_waitingFor = what;
    m_watchdog.start(m_options.timeoutMs);
}

void PhoneSession::onWatchdog()
{
    if (m_failure) {
        // The outcome is known; the display just did not confirm the end.
        finish(*m_failure);
        return;
    }
    reportError(QStringLiteral("timeout"),
                QStringLiteral("the display sent no %1 within %2 s").arg(m_waitingFor).arg(m_options.timeoutMs / 1000));
    if (m_phase == Phase::Authenticating)
        sendAbort();
    finish(ExitStatus::Timeout);
}

void PhoneSession::endAndFailSession(ExitStatus status, const QString &condition, const QString &message)
{
    QDomDocument document;
    sendToDisplay(mobility::SidOnly{mobility::SidOnly::Kind::End, m_options.sid}.toDom(document), this,
                  [](const xmpp::IqResult &) {});
    failSession(status, condition, message);
}

void PhoneSession::failSession(ExitStatus status, const QString &condition, const QString &message)
{
    if (m_failure)
        return;
    m_failure = status;
    reportError(condition, message);
    m_phase = Phase::Failing;
    dropSteps();
    expect(QStringLiteral("ended notice"));
}

void PhoneSession::sendAbort()
{
    if (!m_client || !m_client->isOnline())
        return;
    QDomDocument document;
    sendToDisplay(mobility::SidOnly{mobility::SidOnly::Kind::Abort, m_options.sid}.toDom(document), this,
                  [](const xmpp::IqResult &) {});
}

void PhoneSession::reportError(const QString &condition, const QString &message, const QString &step)
{
    QJsonObject fields{{QStringLiteral("condition"), condition}, {QStringLiteral("message"), message}};
    if (!step.isEmpty())
        fields.insert(QStringLiteral("step"), step);
    m_events.write(QStringLiteral("error"), fields);
}

void PhoneSession::interrupt()
{
    switch (m_phase) {
    case Phase::Active:
        // Ends the session as --end would, then waits for the display to confirm.
        m_events.write(QStringLiteral("interrupted"));
        dropSteps();
        m_steps.push_back(std::make_unique<EndStep>());
        m_nextStep = 0;
        runNextStep();
        return;
    case Phase::Pairing:
    case Phase::Authenticating:
        m_events.write(QStringLiteral("interrupted"));
        sendAbort();
        finish(ExitStatus::SessionFailed);
        return;
    case Phase::Ending:
        finish(ExitStatus::Success);
        return;
    case Phase::Failing:
        finish(m_failure.value_or(ExitStatus::SessionFailed));
        return;
    case Phase::Idle:
    case Phase::FetchingToken:
    case Phase::Connecting:
        m_events.write(QStringLiteral("interrupted"));
        finish(ExitStatus::SessionFailed);
        return;
    case Phase::Finished:
        return;
    }
}

void PhoneSession::onDisconnected(const xmpp::Status &status)
{
    if (m_phase == Phase::Finished)
        return;
    if (status.ok()) {
        reportError(QStringLiteral("connection-lost"), QStringLiteral("the phone's connection closed"));
    } else {
        reportError(xmpp::Error::conditionName(status.error().condition), status.error().message(),
                    m_phase == Phase::Connecting ? QStringLiteral("connect") : QString());
    }
    finish(ExitStatus::ConnectionFailed);
}

void PhoneSession::finish(ExitStatus status)
{
    if (m_phase == Phase::Finished)
        return;
    m_phase = Phase::Finished;
    m_exitStatus = status;
    m_watchdog.stop();
    dropSteps();
    xmpp::wipeSecret(m_token);

    if (!m_client || m_client->state() == xmpp::Client::State::Disconnected) {
        QTimer::singleShot(0, this, [this] { Q_EMIT finished(m_exitStatus); });
        return;
    }
    // Bounded by the client's close timeout.
    connect(m_client.get(), &xmpp::Client::disconnected, this, [this] { Q_EMIT finished(m_exitStatus); },
            Qt::QueuedConnection);
    m_client->disconnectFromServer();
}

} // namespace phone
