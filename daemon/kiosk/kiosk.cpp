#include "kiosk.h"

#include "pairuri.h"
#include "sessionview.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcKiosk, "kioskd.kiosk", QtInfoMsg)

Kiosk::Kiosk(KioskConfig config, Options options, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_options(std::move(options))
    , m_tokens(std::chrono::seconds(m_config.pairingRotationSeconds))
    , m_gate(m_tokens, mobility::PairingGate::Limits{})
    , m_tls(xmpp::TcpTransport::tlsConfiguration(m_config.extraCaCertificates))
{
    m_status.setLabel(m_config.label);
    m_status.setState(QStringLiteral("offline"));
    m_status.setNotice(QStringLiteral("Connecting to %1…").arg(m_config.deviceJid.domain()));
    m_rotationTimer.setSingleShot(true);
    connect(&m_rotationTimer, &QTimer::timeout, this, &Kiosk::showPairing);
    m_messageTimer.setSingleShot(true);
    connect(&m_messageTimer, &QTimer::timeout, this, &Kiosk::clearMessage);
    connect(&m_status, &DisplayStatus::endRequested, this, [this](const QString &sid) {
        for (const auto &session : m_sessions) {
            if (session->sid() == sid) {
                session->end(Session::Reason::User);
                return;
            }
        }
    });

    // One TLS configuration for every connection: building it per session costs time.
    m_device = std::make_unique<DeviceConnection>(m_config, m_tls);
    connect(m_device.get(), &DeviceConnection::online, this, &Kiosk::onDeviceOnline);
    connect(m_device.get(), &DeviceConnection::offline, this, &Kiosk::onDeviceOffline);
    m_device->client().setIqHandler(mobility::ns, [this](const QDomElement &iq) { handleMobilityRequest(iq); });
}

Kiosk::~Kiosk() = default;

bool Kiosk::start()
{
    m_screen = std::make_unique<KioskScreen>(m_status);
    if (!m_screen->load()) {
        m_error = m_screen->errorString();
        return false;
    }
    if (!m_options.screenshotDir.isEmpty()) {
        if (!QDir().mkpath(m_options.screenshotDir)) {
            m_error = QStringLiteral("cannot create the screenshot folder %1").arg(m_options.screenshotDir);
            return false;
        }
        // Settle first: the QR code fades in, screens cross-fade.
        m_screenshotTimer.setSingleShot(true);
        m_screenshotTimer.setInterval(700);
        connect(&m_screenshotTimer, &QTimer::timeout, this, &Kiosk::saveScreenshotToDir);
        for (auto signal : {&DisplayStatus::stateChanged, &DisplayStatus::pairUriChanged, &DisplayStatus::sessionChanged,
                            &DisplayStatus::messageChanged, &DisplayStatus::noticeChanged})
            connect(&m_status, signal, this, &Kiosk::scheduleScreenshot);
        scheduleScreenshot();
    }
    if (!m_options.controlPath.isEmpty()) {
        m_control = std::make_unique<ControlServer>(
            [this](const QJsonObject &request, const ControlServer::Reply &reply) { handleControl(request, reply); });
        if (!m_control->listen(m_options.controlPath)) {
            m_error = QStringLiteral("control socket %1: %2").arg(m_options.controlPath, m_control->errorString());
            return false;
        }
    }
    m_device->start();
    return true;
}

void Kiosk::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_rotationTimer.stop();
    // Ending wipes each session and tells its phone, while the device connection is up.
    const auto sessions = std::move(m_sessions);
    for (const auto &session : sessions) {
        session->disconnect(this);
        session->end(Session::Reason::Shutdown);
    }
    if (!m_device->isOnline()) {
        QMetaObject::invokeMethod(this, &Kiosk::stopped, Qt::QueuedConnection);
        return;
    }
    connect(m_device.get(), &DeviceConnection::offline, this, &Kiosk::stopped);
    m_device->stop();
}

QString Kiosk::state() const
{
    return m_status.state();
}

QString Kiosk::pairUri()
{
    return mobility::PairUri{m_device->jid(), m_tokens.current(), m_config.label}.toString();
}

void Kiosk::showPairing()
{
    if (!m_device->isOnline())
        return;
    const QString uri = pairUri();
    const auto left = m_tokens.untilRotation();
    if (uri != m_status.pairUri())
        m_status.setPairing(uri, QDateTime::currentDateTime().addMSecs(left.count()), m_config.pairingRotationSeconds);
    // Wake up just after the token turns over, so the screen never shows a dead one.
    m_rotationTimer.start(int(left.count()) + 1);
}

void Kiosk::onDeviceOnline()
{
    m_status.setNotice(QString());
    updateScreen();
    showPairing();
}

void Kiosk::updateScreen()
{
    if (!m_device->isOnline())
        return;
    const bool busy = int(m_sessions.size()) >= m_config.maxSessions;
    m_status.setState(busy ? QStringLiteral("busy") : QStringLiteral("standby"));
    if (m_sessions.empty()) {
        m_status.setAppView(nullptr);
        m_status.setSession(QString(), QString(), QString(), QString());
        return;
    }
    const Session &newest = *m_sessions.back();
    m_status.setAppView(newest.appView());
    if (const auto &transfer = newest.transfer())
        m_status.setTransfer(transfer->running, transfer->bytesTotal > 0 ? double(transfer->bytesDone) / double(transfer->bytesTotal) : 0.0,
                             transfer->line);
    else
        m_status.setTransfer(false, 0.0, QString());
    m_status.setSession(newest.sid(), mobility::SessionNotice::stateName(newest.state()), newest.userBareJid(),
                        newest.statusLine());
}

void Kiosk::showMessage(const QString &message)
{
    m_status.setMessage(message);
    m_messageTimer.start(10'000);
}

void Kiosk::clearMessage()
{
    m_messageTimer.stop();
    m_status.setMessage(QString());
}

void Kiosk::scheduleScreenshot()
{
    m_screenshotTimer.start();
}

void Kiosk::saveScreenshotToDir()
{
    // A bounded record: enough for a demo or a bug report, never a full disk.
    static constexpr int maxScreenshots = 1000;
    if (m_screenshotCount >= maxScreenshots)
        return;
    const QString name = QStringLiteral("%1-%2.png").arg(++m_screenshotCount, 4, 10, QLatin1Char('0'))
                             .arg(m_status.sessionState().isEmpty() ? m_status.state() : m_status.sessionState());
    const QString path = QDir(m_options.screenshotDir).absoluteFilePath(name);
    if (m_screen->saveScreenshot(path))
        qCInfo(lcKiosk) << "screenshot" << path;
    else
        qCWarning(lcKiosk) << "screenshot failed:" << m_screen->errorString();
}

void Kiosk::onDeviceOffline(const QString &reason)
{
    m_rotationTimer.stop();
    // A code that cannot be answered must not stay on screen.
    m_status.setPairing(QString(), QDateTime(), m_config.pairingRotationSeconds);
    m_status.setState(QStringLiteral("offline"));
    m_status.setNotice(reason);
}

QJsonObject Kiosk::statusReply() const
{
    const bool online = m_device->isOnline();
    QJsonArray sessions;
    for (const auto &session : m_sessions) {
        QJsonObject entry{{QStringLiteral("sid"), session->sid()},
                          {QStringLiteral("jid"), session->userJid()},
                          {QStringLiteral("app"), session->app().isEmpty() ? QJsonValue() : QJsonValue(session->app())},
                          {QStringLiteral("state"), mobility::SessionNotice::stateName(session->state())}};
        if (const auto &transfer = session->transfer()) {
            QJsonObject status{{QStringLiteral("tid"), transfer->tid},
                               {QStringLiteral("direction"), transfer->incoming ? QStringLiteral("in") : QStringLiteral("out")},
                               {QStringLiteral("method"), transfer->method},
                               {QStringLiteral("bytes"), transfer->bytesDone},
                               {QStringLiteral("total"), transfer->bytesTotal},
                               {QStringLiteral("state"), transfer->running ? QStringLiteral("running")
                                                         : transfer->failureReason.isEmpty() ? QStringLiteral("done")
                                                                                             : QStringLiteral("failed")}};
            if (!transfer->failureReason.isEmpty())
                status.insert(QStringLiteral("reason"), transfer->failureReason);
            entry.insert(QStringLiteral("transfer"), status);
        }
        if (const auto &state = session->receivedState())
            entry.insert(QStringLiteral("received_state"),
                         QJsonObject{{QStringLiteral("files"), int(state->files.size())}, {QStringLiteral("log"), int(state->log.size())}});
        sessions.append(entry);
    }
    QJsonObject reply{
        {QStringLiteral("ok"), true},
        {QStringLiteral("state"), m_status.state()},
        {QStringLiteral("device_jid"), online ? m_device->jid() : m_config.deviceJid.toString()},
        {QStringLiteral("pair_uri"), online && !m_status.pairUri().isEmpty() ? QJsonValue(m_status.pairUri()) : QJsonValue()},
        {QStringLiteral("sessions"), sessions},
    };
    if (!online)
        reply.insert(QStringLiteral("notice"), m_status.notice());
    return reply;
}

void Kiosk::handleControl(const QJsonObject &request, const ControlServer::Reply &reply)
{
    const QString command = request.value(QStringLiteral("cmd")).toString();
    if (command == QStringLiteral("status")) {
        // The token may have turned over between timer ticks; show the live one.
        if (m_device->isOnline() && m_status.state() == QStringLiteral("standby"))
            showPairing();
        reply(statusReply());
    } else if (command == QStringLiteral("screenshot")) {
        const QString path = request.value(QStringLiteral("path")).toString();
        if (path.isEmpty()) {
            reply(ControlServer::errorReply(QStringLiteral("screenshot needs \"path\": an absolute file name")));
            return;
        }
        if (m_screen->saveScreenshot(path))
            reply(QJsonObject{{QStringLiteral("ok"), true}});
        else
            reply(ControlServer::errorReply(m_screen->errorString()));
    } else if (command == QStringLiteral("end")) {
        const QString sid = request.value(QStringLiteral("sid")).toString();
        const auto it = std::find_if(m_sessions.begin(), m_sessions.end(), [&sid](const auto &s) { return s->sid() == sid; });
        if (it == m_sessions.end()) {
            reply(ControlServer::errorReply(QStringLiteral("no session with sid '%1'").arg(sid)));
            return;
        }
        (*it)->end(Session::Reason::User);
        reply(QJsonObject{{QStringLiteral("ok"), true}});
    } else if (command.isEmpty()) {
        reply(ControlServer::errorReply(QStringLiteral("a request needs \"cmd\": status, screenshot or end")));
    } else {
        reply(ControlServer::errorReply(QStringLiteral("unknown command '%1'; use status, screenshot or end").arg(command)));
    }
}

void Kiosk::handleMobilityRequest(const QDomElement &iq)
{
    xmpp::Client &device = m_device->client();
    const QDomElement payload = iq.firstChildElement();
    const QString name = payload.tagName();
    if (iq.attribute(QStringLiteral("type")) != QStringLiteral("set")) {
        device.replyError(iq, QStringLiteral("modify"), QStringLiteral("bad-request"));
        return;
    }
    if (name == QStringLiteral("pair")) {
        handlePair(iq);
        return;
    }
    static const QStringList known = {QStringLiteral("abort"), QStringLiteral("end"), QStringLiteral("view")};
    if (!known.contains(name) && !Session::isTransferRequest(name)) {
        device.replyError(iq, QStringLiteral("cancel"), QStringLiteral("feature-not-implemented"));
        return;
    }
    const QString sid = payload.attribute(QStringLiteral("sid"));
    const auto it = std::find_if(m_sessions.begin(), m_sessions.end(), [&sid](const auto &s) { return s->sid() == sid; });
    if (it == m_sessions.end()) {
        device.replyError(iq, QStringLiteral("cancel"), QStringLiteral("item-not-found"));
        return;
    }
    Session *session = it->get();
    if (iq.attribute(QStringLiteral("from")) != session->phoneJid()) {
        device.replyError(iq, QStringLiteral("auth"), QStringLiteral("forbidden"));
        return;
    }
    session->touch();
    if (Session::isTransferRequest(name)) {
        session->handleTransferRequest(iq);
        return;
    }
    if (name == QStringLiteral("view")) {
        const auto view = mobility::ViewRequest::fromDom(payload);
        if (!view) {
            device.replyError(iq, QStringLiteral("modify"), QStringLiteral("bad-request"));
            return;
        }
        if (!SessionView::appExists(m_config.appsDir, view->app)) {
            device.replyError(iq, QStringLiteral("cancel"), QStringLiteral("item-not-found"));
            return;
        }
        if (session->state() != Session::State::Active) {
            device.replyError(iq, QStringLiteral("wait"), QStringLiteral("unexpected-request"));
            return;
        }
        device.replyResult(iq);
        session->setView(*view);
        return;
    }
    device.replyResult(iq);
    if (name == QStringLiteral("end"))
        session->end(Session::Reason::Phone);
    else
        session->abortByPhone();
}

void Kiosk::handlePair(const QDomElement &iq)
{
    xmpp::Client &device = m_device->client();
    const QString from = iq.attribute(QStringLiteral("from"));
    const auto sender = xmpp::Jid::parse(from);
    auto request = mobility::PairRequest::fromDom(iq.firstChildElement());
    // A session needs a full JID to talk to, and a sid not in use.
    if (!sender || sender->resource().isEmpty()
        || (request && std::any_of(m_sessions.begin(), m_sessions.end(), [&](const auto &s) { return s->sid() == request->sid; })))
        request.reset();
    const bool slotFree = int(m_sessions.size()) < m_config.maxSessions && !m_shuttingDown;
    const auto verdict = m_gate.check(sender ? sender->bare().toString() : from, request, slotFree);
    if (verdict != mobility::PairingGate::Verdict::Accept) {
        const xmpp::StanzaError error = mobility::PairingGate::errorFor(verdict);
        QDomDocument document;
        const QDomElement condition = verdict == mobility::PairingGate::Verdict::InvalidToken
                                          ? mobility::PairingGate::invalidTokenCondition(document)
                                          : QDomElement();
        qCInfo(lcKiosk) << "refused pairing from" << sender.value_or(xmpp::Jid()).bare().toString() << error.condition;
        device.replyError(iq, xmpp::StanzaError::typeName(error.type), error.condition, condition);
        return;
    }
    // The spent token must leave the screen at once.
    showPairing();
    QDomDocument document;
    QDomElement pair = document.createElementNS(mobility::ns, QStringLiteral("pair"));
    pair.setAttribute(QStringLiteral("sid"), request->sid);
    device.replyResult(iq, pair);

    Session::Setup setup;
    setup.sid = request->sid;
    setup.phoneJid = from;
    setup.request = std::move(*request);
    setup.server = m_config.serverFor(sender->domain());
    setup.tls = m_tls;
    setup.label = m_config.label;
    setup.appsDir = m_config.appsDir;
    setup.idleTimeoutMs = m_config.idleTimeoutSeconds * 1000;
    setup.phoneOfflineGraceMs = m_config.phoneOfflineGraceSeconds * 1000;
    setup.transfer.maxStateBytes = m_config.maxStateMegabytes * 1024 * 1024;
    setup.transfer.maxInbandBytes = qMin(m_config.maxInbandMegabytes, m_config.maxStateMegabytes) * 1024 * 1024;
    // An archive holds the files and log.xml.
    setup.transfer.bundle.maxExpandedBytes = setup.transfer.maxStateBytes + mobility::PacketLog::maxXmlBytes(setup.transfer.bundle.log);
    auto session = std::make_unique<Session>(std::move(setup), device);
    Session *raw = session.get();
    connect(raw, &Session::changed, this, &Kiosk::updateScreen);
    connect(raw, &Session::transferChanged, this, &Kiosk::updateScreen);
    connect(raw, &Session::pageProblem, this, &Kiosk::showMessage);
    connect(raw, &Session::ended, this, [this, raw](Session::Reason reason) { onSessionEnded(raw, reason); });
    m_sessions.push_back(std::move(session));
    // What the screen said about an earlier session (its end, a failed sign-in) is
    // not for the next person.
    clearMessage();
    qCInfo(lcKiosk) << "paired with" << sender->bare().toString() << "session" << raw->sid();
    updateScreen();
    raw->start();
}

void Kiosk::onSessionEnded(Session *session, Session::Reason reason)
{
    const auto it = std::find_if(m_sessions.begin(), m_sessions.end(), [session](const auto &s) { return s.get() == session; });
    if (it == m_sessions.end())
        return;
    it->release()->deleteLater();
    m_sessions.erase(it);
    const QString user = session->userBareJid();
    switch (reason) {
    case Session::Reason::AuthFailed:
        showMessage(QStringLiteral("Sign-in for %1 failed: %2").arg(user, session->failure() ? session->failure()->message() : QStringLiteral("the phone or the server refused it.")));
        break;
    case Session::Reason::Error:
        showMessage(QStringLiteral("The session for %1 ended because of an error: %2")
                        .arg(user, session->failure() ? session->failure()->message() : QStringLiteral("the connection was lost.")));
        break;
    default:
        showMessage(QStringLiteral("Session ended. Everything from it was wiped from this screen."));
        break;
    }
    // Whatever was shown during the session is stale; nobody may reuse it.
    m_tokens.rotate(false);
    updateScreen();
    showPairing();
}
