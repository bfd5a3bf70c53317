#include "session.h"

#include "namespaces.h"
#include "relaymechanism.h"
#include "sessionview.h"
#include "xmlwriter.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcSession, "kioskd.session", QtInfoMsg)

using mobility::SessionNotice;

Session::Session(Setup setup, xmpp::Client &device, QObject *parent)
    : QObject(parent)
    , m_setup(std::move(setup))
    , m_device(device)
    , m_viewLog(m_setup.viewLog)
{
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, [this] { end(Reason::Idle); });
    m_phoneOfflineTimer.setSingleShot(true);
    connect(&m_phoneOfflineTimer, &QTimer::timeout, this, [this] { end(Reason::PhoneOffline); });
}

Session::~Session()
{
    wipe();
}

QString Session::userBareJid() const
{
    const auto phone = xmpp::Jid::parse(m_setup.phoneJid);
    return phone ? phone->bare().toString() : QString();
}

QString Session::resourceFor(const QString &label)
{
    // kiosk-<label>-<random>: recognisable in the user's client, unique per session.
    QString slug = label.toLower();
    slug.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
    slug = slug.left(24);
    while (slug.startsWith(u'-'))
        slug.remove(0, 1);
    while (slug.endsWith(u'-'))
        slug.chop(1);
    const QString suffix = QString::number(QRandomGenerator::system()->bounded(0x10000), 16).rightJustified(4, u'0');
    return slug.isEmpty() ? QStringLiteral("kiosk-") + suffix : QStringLiteral("kiosk-%1-%2").arg(slug, suffix);
}

void Session::start()
{
    const auto phone = xmpp::Jid::parse(m_setup.phoneJid);
    xmpp::ClientConfig config;
    config.jid = *phone->bare().withResource(resourceFor(m_setup.label));
    config.server = m_setup.server;
    config.tls = m_setup.tls;
    // Priority -1: messages to the user's bare JID never land on a public screen.
    config.presencePriority = -1;
    config.discoIdentities = {{QStringLiteral("client"), QStringLiteral("pc"), m_setup.label}};
    config.timeouts.mechanismMs = m_setup.relayStepTimeoutMs * 4;
    if (m_setup.request.method == mobility::PairRequest::Method::SaslRelay) {
        config.mechanism = [this] {
            auto relay = std::make_unique<mobility::RelayMechanism>(m_device, m_setup.phoneJid, m_setup.sid,
                                                                    m_setup.relayStepTimeoutMs);
            m_relay = relay.get();
            return relay;
        };
    } else {
        const QByteArray token = m_setup.request.oauthToken;
        const QString mechanism = m_setup.request.tokenMechanism;
        config.mechanism = [token, mechanism] {
            return std::make_unique<xmpp::TokenMechanism>(QString::fromUtf8(token), mechanism);
        };
    }
    m_user = std::make_unique<xmpp::Client>(std::move(config));
    connect(m_user.get(), &xmpp::Client::stateChanged, this, [this](xmpp::Client::State state) {
        if (state == xmpp::Client::State::Negotiating && m_state == State::Connecting)
            setState(State::Authenticating, QStringLiteral("Your phone is answering %1; nothing needs typing here.")
                                                .arg(xmpp::Jid::parse(m_setup.phoneJid)->domain()));
    });
    connect(m_user.get(), &xmpp::Client::online, this, [this] {
        // The token has done its job; it must not outlive the login.
        m_setup.request.oauthToken.fill('\0');
        m_setup.request.oauthToken.clear();
        m_userJid = m_user->boundJid();
        setState(State::Active, QStringLiteral("It ends after %1 minutes without activity, or soon after your phone goes offline.")
                                    .arg(qMax(1, m_setup.idleTimeoutMs / 60'000)));
        touch();
    });
    connect(m_user.get(), &xmpp::Client::disconnected, this, &Session::onUserDisconnected);
    connect(m_user.get(), &xmpp::Client::presenceReceived, this, &Session::onPresence);
    connect(m_user.get(), &xmpp::Client::messageReceived, this, [this](const QDomElement &message) {
        touch();
        offerToView(message);
    });
    connect(m_user.get(), &xmpp::Client::iqReplyReceived, this, [this](const QDomElement &iq) {
        touch();
        offerToView(iq);
    });
    // Requests nobody else answers: the view's, if the filter lets it see them; ping and
    // disco#info never get here (the client answers those itself).
    m_user->setFallbackIqHandler([this](const QDomElement &iq) {
        touch();
        if (!offerToView(iq))
            m_user->replyError(iq, QStringLiteral("cancel"), QStringLiteral("service-unavailable"));
    });
    setState(State::Connecting, QStringLiteral("Connecting to %1 for %2…").arg(phone->domain(), userBareJid()));
    m_user->connectToServer();
}

void Session::setState(State state, const QString &statusLine)
{
    m_state = state;
    m_statusLine = statusLine;
    qCInfo(lcSession) << "session" << m_setup.sid << SessionNotice::stateName(state);
    notifyPhone(state);
    Q_EMIT changed();
}

void Session::notifyPhone(State state, Reason reason)
{
    SessionNotice notice;
    notice.sid = m_setup.sid;
    notice.jid = userJid();
    notice.state = state;
    notice.reason = reason;
    QDomDocument document;
    // The phone's acknowledgement changes nothing here; the tracker bounds the wait.
    m_device.sendRequest(m_setup.phoneJid, notice.toDom(document), nullptr, [](const xmpp::IqResult &) {},
                         m_setup.relayStepTimeoutMs);
}

void Session::touch()
{
    if (m_state == State::Active)
        m_idleTimer.start(m_setup.idleTimeoutMs);
}

void Session::abortByPhone()
{
    if (m_relay && m_state != State::Active) {
        m_relay->abortedByPhone();
        return;
    }
    end(Reason::Phone);
}

bool Session::offerToView(const QDomElement &stanza)
{
    if (!m_filter || !m_filter->accepts(stanza))
        return false;
    // Serialized once, for the log and the page. Kept for pull-back; a stanza the log
    // refuses (too big alone) is still shown.
    const QByteArray wire = xmpp::serializeStanza(stanza);
    (void)m_viewLog.append(stanza, QDateTime::currentDateTimeUtc(), wire);
    Q_EMIT stanzaForView(QString::fromUtf8(wire));
    return true;
}

void Session::setView(const mobility::ViewRequest &view)
{
    m_view = view;
    m_filter.emplace(view.rules);
    m_app = view.app;
    // A new view starts afresh: the old page and its storage go.
    SessionView::Setup setup;
    setup.sid = m_setup.sid;
    setup.userJid = m_userJid;
    setup.appId = view.app;
    for (const auto &param : view.params)
        setup.params.insert(param.name, param.value);
    setup.appsDir = m_setup.appsDir;
    m_appView = std::make_unique<SessionView>(std::move(setup));
    SessionView *page = m_appView.get();
    connect(this, &Session::stanzaForView, page, qOverload<const QString &>(&SessionView::deliverStanza));
    connect(page, &SessionView::sendRequested, this, [this](const QDomElement &stanza, const SessionView::SendReply &reply) {
        reply(sendFromView(stanza));
    });
    connect(page, &SessionView::endRequested, this, [this] { end(Reason::User); });
    connect(page, &SessionView::pageProblem, this, &Session::pageProblem);
    connect(page, &SessionView::failed, this, [this](const QString &reason) {
        m_failure = xmpp::makeError(xmpp::ErrorCondition::LimitExceeded, reason);
        end(Reason::Error);
    });
    deliverStateToView();
    touch();
    Q_EMIT viewChanged();
    Q_EMIT changed();
}

xmpp::Status Session::sendFromView(const QDomElement &stanza)
{
    if (!m_user || !m_user->isOnline() || !m_filter)
        return xmpp::makeError(xmpp::ErrorCondition::Cancelled, QStringLiteral("the session is not active"));
    const xmpp::Status allowed = m_filter->allowsSending(stanza);
    if (!allowed)
        return allowed;
    if (!m_user->send(stanza))
        return xmpp::makeError(xmpp::ErrorCondition::Cancelled, QStringLiteral("the user connection is closed"));
    touch();
    return xmpp::success();
}

void Session::onPresence(const QDomElement &presence)
{
    touch();
    offerToView(presence);
    if (presence.attribute(QStringLiteral("from")) != m_setup.phoneJid)
        return;
    // Only the very resource that paired counts: the timer stops when it comes back.
    if (presence.attribute(QStringLiteral("type")) == QStringLiteral("unavailable")) {
        // A transfer cannot go on without the phone; nothing of it is applied.
        if (m_transfers)
            m_transfers->abortAll(xmpp::makeError(xmpp::ErrorCondition::Cancelled, QStringLiteral("the phone went offline")),
                                  false);
        if (!m_phoneOfflineTimer.isActive()) {
            qCInfo(lcSession) << "session" << m_setup.sid << "phone went offline; ending in" << m_setup.phoneOfflineGraceMs << "ms unless it returns";
            m_phoneOfflineTimer.start(m_setup.phoneOfflineGraceMs);
        }
    } else if (!presence.hasAttribute(QStringLiteral("type"))) {
        m_phoneOfflineTimer.stop();
    }
}

void Session::onUserDisconnected(const xmpp::Status &status)
{
    if (m_ending)
        return;
    if (status.ok()) {
        end(Reason::Error);
        return;
    }
    m_failure = status.error();
    qCInfo(lcSession) << "session" << m_setup.sid << "user connection ended:" << status.error().message();
    if (m_state == State::Active) {
        end(Reason::Error);
        return;
    }
    switch (status.error().condition) {
    case xmpp::ErrorCondition::NotAuthorized:
    case xmpp::ErrorCondition::AuthFailed:
    case xmpp::ErrorCondition::NoSuitableMechanism:
    case xmpp::ErrorCondition::ServerNotVerified:
    case xmpp::ErrorCondition::AuthAborted:
        end(Reason::AuthFailed);
        break;
    default:
        end(Reason::Error);
        break;
    }
}

void Session::end(Reason reason)
{
    if (m_ending)
        return;
    m_ending = true;
    m_idleTimer.stop();
    m_phoneOfflineTimer.stop();
    qCInfo(lcSession) << "session" << m_setup.sid << "ended:" << SessionNotice::reasonName(reason);
    if (m_user) {
        // Unavailable presence and a clean close (or an abort mid-login); the client bounds
        // the wait itself. Deleted later: this may run inside one of its own signals.
        m_user->disconnect(this);
        xmpp::Client *user = m_user.release();
        connect(user, &xmpp::Client::disconnected, user, &QObject::deleteLater);
        user->disconnectFromServer();
        if (user->state() == xmpp::Client::State::Disconnected)
            user->deleteLater();
    }
    wipe();
    m_state = State::Ended;
    notifyPhone(State::Ended, reason);
    Q_EMIT changed();
    Q_EMIT ended(reason);
}

void Session::wipe()
{
    // Transfers stop without a word: the phone hears <session state='ended'/>.
    m_transfers.reset();
    m_receivedState.reset();
    m_viewLog = mobility::PacketLog(m_setup.viewLog);
    m_transfer.reset();
    // The page, its web profile (storage, cookies, cache) and its channel go with the view.
    m_appView.reset();
    m_setup.request.oauthToken.fill('\0');
    m_setup.request.oauthToken.clear();
    m_setup.request.token.fill(u'\0');
}

// --- transfer (protocol section 7) -------------------------------------------------------

bool Session::isTransferRequest(QStringView payloadName)
{
    return mobility::TransferHub::handles(payloadName) || payloadName == u"request";
}

void Session::handleTransferRequest(const QDomElement &iq)
{
    if (m_state != State::Active || !m_user) {
        m_device.replyError(iq, QStringLiteral("wait"), QStringLiteral("unexpected-request"));
        return;
    }
    touch();
    ensureTransferHub();
    const QDomElement payload = iq.firstChildElement();
    if (payload.tagName() != u"request") {
        m_transfers->handleRequest(iq);
        return;
    }
    const auto request = mobility::StateRequest::fromDom(payload);
    if (!request || request->sid != m_setup.sid) {
        m_device.replyError(iq, QStringLiteral("modify"), QStringLiteral("bad-request"));
        return;
    }
    pullBack(iq, *request);
}

void Session::ensureTransferHub()
{
    if (m_transfers)
        return;
    mobility::TransferPeer peer;
    peer.sid = m_setup.sid;
    peer.signalling = &m_device;
    peer.peerJid = m_setup.phoneJid;
    // The display uploads as the user, to the user's own server.
    peer.uploadAccount = m_user.get();
    peer.tls = m_setup.tls;
    m_transfers = std::make_unique<mobility::TransferHub>(std::move(peer), m_setup.transfer);
    using mobility::TransferDirection;
    using mobility::TransferMethod;
    connect(m_transfers.get(), &mobility::TransferHub::progress, this, [this](const mobility::TransferProgress &progress) {
        touch();
        const bool incoming = progress.direction == TransferDirection::Incoming;
        setTransfer({progress.tid, incoming, mobility::transferMethodName(progress.method), progress.bytesDone,
                     progress.bytesTotal, true, {},
                     (incoming ? QStringLiteral("Receiving your session: %1") : QStringLiteral("Sending your session back: %1"))
                         .arg(progress.describe())});
    });
    connect(m_transfers.get(), &mobility::TransferHub::received, this,
            [this](const QString &tid, const mobility::StateBundle &state, TransferMethod method) {
        onStateReceived(state);
        const qint64 total = m_transfer ? m_transfer->bytesTotal : 0;
        setTransfer({tid, true, mobility::transferMethodName(method), total, total, false, {},
                     QStringLiteral("Your session arrived.")});
    });
    connect(m_transfers.get(), &mobility::TransferHub::sent, this, [this](const QString &tid, TransferMethod method) {
        const qint64 total = m_transfer ? m_transfer->bytesTotal : 0;
        setTransfer({tid, false, mobility::transferMethodName(method), total, total, false, {},
                     QStringLiteral("Your session is back on your phone.")});
    });
    connect(m_transfers.get(), &mobility::TransferHub::failed, this,
            [this](const QString &tid, TransferDirection direction, mobility::TransferFailed::Reason reason,
                   const xmpp::Error &error) {
        const bool incoming = direction == TransferDirection::Incoming;
        qCInfo(lcSession) << "session" << m_setup.sid << (incoming ? "incoming" : "outgoing") << "transfer" << tid
                          << "failed:" << mobility::TransferFailed::reasonName(reason) << error.detail;
        TransferStatus status = m_transfer.value_or(TransferStatus{});
        status.tid = tid;
        status.incoming = incoming;
        status.running = false;
        status.failureReason = mobility::TransferFailed::reasonName(reason);
        const QString why = error.detailOrMessage();
        status.line = (incoming ? QStringLiteral("Your session did not arrive (%1); nothing here changed. Try again from your phone.")
                                : QStringLiteral("Your session could not go back to your phone (%1). Try again from your phone."))
                          .arg(why);
        setTransfer(std::move(status));
    });
}

void Session::setTransfer(TransferStatus status)
{
    m_transfer = std::move(status);
    Q_EMIT transferChanged();
}

void Session::onStateReceived(const mobility::StateBundle &state)
{
    m_receivedState = state;
    deliverStateToView();
}

void Session::deliverStateToView()
{
    if (!m_appView || !m_receivedState)
        return;
    QStringList log;
    log.reserve(m_receivedState->log.size());
    QDomDocument document;
    for (const mobility::PacketLog::Entry &entry : m_receivedState->log.entries()) {
        // The page sees when each stanza first arrived the way XMPP says it (XEP-0203),
        // unless the stanza carries a delay of its own already.
        QDomElement stanza = mobility::ForwardedStanza::copyStanza(document, entry.stanza);
        if (stanza.elementsByTagNameNS(xmpp::ns::delay, QStringLiteral("delay")).isEmpty()) {
            QDomElement delay = document.createElementNS(xmpp::ns::delay, QStringLiteral("delay"));
            delay.setAttribute(QStringLiteral("stamp"), mobility::formatXmppDateTime(entry.received));
            stanza.appendChild(delay);
        }
        log.append(SessionView::serializeForPage(stanza));
    }
    m_appView->deliverState(m_receivedState->files, log);
}

void Session::pullBack(const QDomElement &iq, const mobility::StateRequest &request)
{
    if (m_pullBackPending || m_transfers->isSending()) {
        m_device.replyError(iq, QStringLiteral("wait"), QStringLiteral("resource-constraint"));
        return;
    }
    const QString tid = request.tid;
    // Answered once the state is ready, so that a failing app refuses the request itself.
    auto offer = [this, iq, tid](mobility::StateBundle state) {
        const auto methods = mobility::TransferHub::preferredMethods(state);
        m_device.replyResult(iq);
        m_transfers->send(tid, std::move(state), methods);
    };
    if (!m_appView) {
        offer(m_receivedState ? *m_receivedState : mobility::StateBundle());
        return;
    }
    m_pullBackPending = true;
    const QDateTime since = QDateTime::currentDateTimeUtc();
    m_appView->requestSnapshot(this, [this, iq, since, offer](const xmpp::Result<SessionView::Files> &snapshot) {
        m_pullBackPending = false;
        if (!m_transfers)
            return;
        if (!snapshot) {
            qCInfo(lcSession) << "session" << m_setup.sid << "pull-back refused: no snapshot:" << snapshot.error().detail;
            m_device.replyError(iq, QStringLiteral("wait"), QStringLiteral("internal-server-error"));
            setTransfer({{}, false, {}, 0, 0, false, QStringLiteral("other"),
                         QStringLiteral("The app could not hand over your session (%1).").arg(snapshot.error().detail)});
            return;
        }
        mobility::StateBundle state;
        state.files = snapshot.value();
        // What arrived while the app was writing its snapshot may be missing from it.
        state.log = m_viewLog.since(since);
        offer(std::move(state));
    }, m_setup.snapshotTimeoutMs);
}
