#include "sessionview.h"

#include "appscheme.h"
#include "jid.h"
#include "kioskbridge.h"
#include "namespaces.h"
#include "streamparser.h"
#include "xmlwriter.h"

#include <QDateTime>
#include <QFile>
#include <QMetaObject>
#include <QQuickWebEngineProfile>
#include <QRandomGenerator>
#include <QWebEngineScript>

#include <csignal>
#include <sys/types.h>

namespace {

const QString bridgeName = QStringLiteral("kioskBridge");

// WebEngineView.RenderProcessTerminationStatus
constexpr int normalTermination = 0;

// qwebchannel.js and web/bridge/kiosk.js as one script, so that QWebChannel stays a
// local of the bridge instead of a global the page could replace before we use it.
QString bridgeScriptSource()
{
    static const QString source = [] {
        QFile channel(QStringLiteral(":/qtwebchannel/qwebchannel.js"));
        QFile bridge(QStringLiteral(":/kioskd/bridge/kiosk.js"));
        if (!channel.open(QIODevice::ReadOnly) || !bridge.open(QIODevice::ReadOnly)) {
            qCCritical(lcWeb) << "the page bridge scripts are missing from the build";
            return QString();
        }
        return QStringLiteral("(function () {\n%1\n%2\n})();\n")
            .arg(QString::fromUtf8(channel.readAll()), QString::fromUtf8(bridge.readAll()));
    }();
    return source;
}

QString newStanzaId()
{
    return QStringLiteral("kiosk-%1").arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0'));
}

qsizetype costOf(const QString &xml)
{
    return xml.size() * qsizetype(sizeof(QChar));
}

bool isValidSnapshotFileName(const QString &name)
{
    if (name.isEmpty() || name.size() > 255 || name == QLatin1String(".") || name == QLatin1String(".."))
        return false;
    for (const QChar c : name) {
        if (c == u'/' || c == u'\\' || c.unicode() < 0x20 || c.unicode() == 0x7f)
            return false;
    }
    return true;
}

xmpp::Error invalid(const QString &detail)
{
    return xmpp::makeError(xmpp::ErrorCondition::InvalidInput, detail, QStringLiteral("bad-request"));
}

} // namespace

SessionView::SessionView(Setup setup, QObject *parent)
    : QObject(parent)
    , m_setup(std::move(setup))
    , m_url(appscheme::startUrl(m_setup.appId))
{
    // Off the record: storage, cookies and cache live in memory only, for this profile
    // only, and go when it goes.
    auto *profile = new QQuickWebEngineProfile(this);
    profile->setOffTheRecord(true);
    profile->setHttpCacheType(QQuickWebEngineProfile::MemoryHttpCache);
    profile->setPersistentCookiesPolicy(QQuickWebEngineProfile::NoPersistentCookies);
    auto *handler = new appscheme::AppSchemeHandler(m_setup.appsDir, m_setup.appId, profile);
    profile->installUrlSchemeHandler(appscheme::schemeName, handler);
    auto *interceptor = new appscheme::AppRequestInterceptor(m_setup.appId, profile);
    profile->setUrlRequestInterceptor(interceptor);
    connect(handler, &appscheme::AppSchemeHandler::refused, this, &SessionView::refuse);
    connect(interceptor, &appscheme::AppRequestInterceptor::refused, this, &SessionView::refuse);

    m_profile = profile;

    m_bridge = new KioskBridge(this);
    m_bridge->setParent(this);
    m_channel = new QQmlWebChannel(this);
    m_channel->registerObject(bridgeName, m_bridge);

    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &SessionView::flushBatch);

    m_watchdog.setInterval(std::max(100, m_setup.limits.watchdogTimeoutMs / 4));
    connect(&m_watchdog, &QTimer::timeout, this, &SessionView::checkWatchdog);
}

SessionView::~SessionView()
{
    m_watchdog.stop();
    m_flushTimer.stop();
    failSnapshotsInFlight(QStringLiteral("the session's view was closed"), Waiting::Too);
    if (m_view) {
        // The web view may outlive this object by a moment (QML drops it once the
        // display forgets this view); its page needs the profile and channel until then.
        if (m_channel) {
            m_channel->setParent(m_view);
            m_bridge->setParent(m_channel);
        }
        if (m_profile)
            m_profile->setParent(m_view);
    }
}

bool SessionView::appExists(const QString &appsDir, const QString &appId)
{
    return appscheme::appExists(appsDir, appId);
}

QQuickWebEngineProfile *SessionView::profile() const
{
    return m_profile;
}

QQmlWebChannel *SessionView::channel() const
{
    return m_channel;
}

// --- stanzas to the page ---

void SessionView::deliverStanza(const QDomElement &stanza)
{
    deliverStanza(serializeForPage(stanza));
}

void SessionView::deliverStanza(const QString &xml)
{
    enqueue(withClientNamespace(xml));
}

QString SessionView::withClientNamespace(const QString &xml)
{
    // The start tag of the stanza, quotes respected: does it declare a default namespace?
    if (!xml.startsWith(u'<'))
        return xml;
    qsizetype nameEnd = 1;
    while (nameEnd < xml.size() && !xml.at(nameEnd).isSpace() && xml.at(nameEnd) != u'/' && xml.at(nameEnd) != u'>')
        ++nameEnd;
    if (QStringView(xml).mid(1, nameEnd - 1).contains(u':'))
        return xml; // prefixed: its namespace is declared, whatever it is
    QChar quote;
    for (qsizetype i = nameEnd; i < xml.size(); ++i) {
        const QChar c = xml.at(i);
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
        } else if (c == u'\'' || c == u'"') {
            quote = c;
        } else if (c == u'>') {
            break;
        } else if (c.isSpace() && QStringView(xml).mid(i + 1).startsWith(u"xmlns")) {
            // "xmlns=" declares it; "xmlns:p=" only binds a prefix.
            qsizetype next = i + 6;
            while (next < xml.size() && xml.at(next).isSpace())
                ++next;
            if (next < xml.size() && xml.at(next) == u'=')
                return xml;
        }
    }
    QString result = xml;
    result.insert(nameEnd, QStringLiteral(" xmlns='jabber:client'"));
    return result;
}

QString SessionView::serializeForPage(const QDomElement &stanza)
{
    // The wire form leaves jabber:client implicit (it is the stream's default namespace);
    // a page parses each stanza on its own, so the stanza says it.
    return withClientNamespace(QString::fromUtf8(xmpp::serializeStanza(stanza)));
}

void SessionView::enqueue(QString xml)
{
    if (m_failed)
        return;
    const Limits &limits = m_setup.limits;
    const qsizetype waiting = qsizetype(m_pending.size()) + m_inFlight.size();
    if (waiting + 1 > limits.maxPendingStanzas || m_pendingBytes + costOf(xml) > limits.maxPendingBytes) {
        fail(QStringLiteral("The app could not keep up with incoming messages (%1 waiting), so the session was ended.")
                 .arg(waiting + 1));
        return;
    }
    m_pendingBytes += costOf(xml);
    m_pending.push_back(std::move(xml));
    scheduleFlush();
}

void SessionView::scheduleFlush()
{
    // Only one batch unacknowledged: a page that cannot keep up makes stanzas wait here,
    // where they are counted, not in the channel, and the next batch takes all of them.
    // So batches grow with the load by themselves; a fixed pause between them only added
    // latency (docs/performance.md). The next turn of the event loop lets what arrived
    // together go together.
    if (m_attached && m_listening && m_inFlightBatch == 0 && !m_pending.empty() && !m_flushTimer.isActive())
        m_flushTimer.start();
}

void SessionView::flushBatch()
{
    if (!m_attached || !m_listening || m_inFlightBatch != 0 || m_pending.empty())
        return;
    const Limits &limits = m_setup.limits;
    qsizetype batchBytes = 0;
    while (!m_pending.empty() && m_inFlight.size() < limits.maxBatchStanzas) {
        const qsizetype cost = costOf(m_pending.front());
        if (!m_inFlight.isEmpty() && batchBytes + cost > limits.maxBatchBytes)
            break;
        batchBytes += cost;
        m_inFlight.append(std::move(m_pending.front()));
        m_pending.pop_front();
    }
    m_inFlightBatch = ++m_lastBatch;
    Q_EMIT m_bridge->stanzas(m_inFlightBatch, m_inFlight);
}

void SessionView::requeueInFlight()
{
    // Not acknowledged: the page that got them may not have handled them. They go first
    // to the next page, so order holds; a page may see a stanza twice across a reload.
    for (auto it = m_inFlight.crbegin(); it != m_inFlight.crend(); ++it)
        m_pending.push_front(*it);
    m_inFlight.clear();
    m_inFlightBatch = 0;
}

void SessionView::pageHandledBatch(int batch)
{
    if (batch != m_inFlightBatch || batch == 0)
        return;
    for (const QString &xml : std::as_const(m_inFlight))
        m_pendingBytes -= costOf(xml);
    m_inFlight.clear();
    m_inFlightBatch = 0;
    scheduleFlush();
}

// --- the page's side ---

QVariantMap SessionView::pageAttach()
{
    requeueInFlight();
    ++m_generation;
    m_attached = !m_failed;
    m_listening = false;
    m_sends.clear(); // answers for an earlier page have nobody to go to
    failSnapshotsInFlight(QStringLiteral("the app's page was reloaded"));
    m_lastSignOfLife.restart();
    {
        // After the attach() answer, so the page has its info first; snapshot requests
        // after the state, so that a snapshot can hold it.
        const int generation = m_generation;
        QMetaObject::invokeMethod(this, [this, generation] {
            if (generation != m_generation)
                return;
            if (m_state)
                sendStateToPage();
            askPageForWaitingSnapshots();
        }, Qt::QueuedConnection);
    }
    qCDebug(lcWeb) << "session" << m_setup.sid << "app" << m_setup.appId << "page attached";
    Q_EMIT pageAttached();

    const auto bare = xmpp::Jid::parse(m_setup.userJid);
    QVariantMap info = {
        {QStringLiteral("sid"), m_setup.sid},
        {QStringLiteral("user"), bare ? bare->bare().toString() : m_setup.userJid},
        {QStringLiteral("app"), m_setup.appId},
        {QStringLiteral("params"), m_setup.params},
    };
    if (!m_restartReason.isEmpty()) {
        info.insert(QStringLiteral("restart"), QVariantMap{
            {QStringLiteral("reason"), std::exchange(m_restartReason, QString())},
            {QStringLiteral("droppedStanzas"), std::exchange(m_droppedByRestart, 0)},
        });
    }
    return info;
}

void SessionView::pageListens()
{
    if (!m_attached)
        return;
    m_listening = true;
    scheduleFlush();
}

void SessionView::pagePong(int serial)
{
    // Any answer shows the main thread ran lately, even one to an older ping: a page
    // that is slow, not stuck, is left alone.
    if (m_attached && serial > 0 && serial <= m_lastPing)
        m_lastSignOfLife.restart();
}

void SessionView::pageEnds()
{
    if (m_failed)
        return;
    qCInfo(lcWeb) << "session" << m_setup.sid << "app" << m_setup.appId << "asked to end the session";
    Q_EMIT endRequested();
}

void SessionView::pageSends(int requestId, const QString &xml)
{
    const int generation = m_generation;
    if (m_failed) {
        Q_EMIT m_bridge->sendDone(requestId, QStringLiteral("the session is ending"), QString());
        return;
    }
    if (m_sends.count(requestId) != 0) {
        Q_EMIT m_bridge->sendDone(requestId, QStringLiteral("duplicate request"), QString());
        return;
    }
    if (int(m_sends.size()) >= m_setup.limits.maxPendingSends) {
        Q_EMIT m_bridge->sendDone(
            requestId,
            QStringLiteral("too many stanzas waiting to be sent (%1); wait for earlier kiosk.send() results")
                .arg(m_setup.limits.maxPendingSends),
            QString());
        return;
    }
    auto prepared = prepareOutgoing(xml, m_setup.userJid);
    if (!prepared) {
        Q_EMIT m_bridge->sendDone(requestId, prepared.error().detail, QString());
        return;
    }
    const QDomDocument document = prepared.value();
    const QDomElement stanza = document.documentElement();
    const QString stanzaId = stanza.attribute(QStringLiteral("id"));
    m_sends.emplace(requestId, PendingSend{generation, nullptr});

    QPointer<SessionView> self(this);
    SendReply reply = [self, generation, requestId, stanzaId](const xmpp::Status &status) {
        if (!self)
            return;
        if (status.ok()) {
            self->finishSend(generation, requestId, QString(), stanzaId);
            return;
        }
        self->finishSend(generation, requestId, status.error().detailOrMessage(), QString());
    };
    Q_EMIT sendRequested(stanza, reply);

    // Most answers come at once; only those still waiting get a timer.
    auto pending = m_sends.find(requestId);
    if (pending != m_sends.end() && pending->second.generation == generation && generation == m_generation) {
        auto timer = std::make_unique<QTimer>();
        timer->setSingleShot(true);
        connect(timer.get(), &QTimer::timeout, this, [this, generation, requestId] {
            finishSend(generation, requestId, QStringLiteral("the display could not send it in time"), QString());
        });
        timer->start(m_setup.limits.sendTimeoutMs);
        pending->second.timeout = std::move(timer);
    }
}

void SessionView::finishSend(int generation, int requestId, const QString &error, const QString &stanzaId)
{
    if (generation != m_generation)
        return;
    auto pending = m_sends.find(requestId);
    if (pending == m_sends.end() || pending->second.generation != generation)
        return;
    // The timer may be the caller: let it finish before it goes.
    if (pending->second.timeout)
        pending->second.timeout.release()->deleteLater();
    m_sends.erase(pending);
    Q_EMIT m_bridge->sendDone(requestId, error, stanzaId);
}

xmpp::Result<QDomDocument> SessionView::prepareOutgoing(const QString &xml, const QString &fromJid)
{
    const QString trimmed = xml.trimmed();
    if (trimmed.isEmpty())
        return invalid(QStringLiteral("kiosk.send() got no XML"));
    if (!trimmed.startsWith(u'<') || !trimmed.endsWith(u'>'))
        return invalid(QStringLiteral("kiosk.send() takes one XML element, with nothing around it"));

    // The stream's own parser, so the page is held to what a server would accept:
    // restricted XML, the stanza size and depth limits.
    xmpp::StreamParser parser;
    std::vector<xmpp::StreamEvent> events =
        parser.feed("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
    if (events.size() != 1 || events.front().type != xmpp::StreamEvent::Type::StreamOpened)
        return invalid(QStringLiteral("internal error: the stanza parser did not start"));
    events = parser.feed(trimmed.toUtf8());
    std::vector<xmpp::StreamEvent> closing = parser.feed("</stream:stream>");
    events.insert(events.end(), std::make_move_iterator(closing.begin()), std::make_move_iterator(closing.end()));

    QDomElement parsed;
    int stanzas = 0;
    for (const xmpp::StreamEvent &event : events) {
        switch (event.type) {
        case xmpp::StreamEvent::Type::Failed: {
            const QString detail = event.error.detail.isEmpty() ? event.error.protocolCondition : event.error.detail;
            if (event.error.condition == xmpp::ErrorCondition::LimitExceeded)
                return invalid(QStringLiteral("over the stanza limits: %1").arg(detail));
            return invalid(QStringLiteral("not well-formed XML: %1").arg(detail));
        }
        case xmpp::StreamEvent::Type::Stanza:
            ++stanzas;
            parsed = event.stanza;
            break;
        case xmpp::StreamEvent::Type::StreamClosed:
            if (stanzas == 0)
                return invalid(QStringLiteral("not well-formed XML: the element is not closed"));
            break;
        case xmpp::StreamEvent::Type::StreamOpened:
            break;
        }
    }
    if (stanzas != 1 || events.empty() || events.back().type != xmpp::StreamEvent::Type::StreamClosed)
        return invalid(stanzas > 1 ? QStringLiteral("kiosk.send() takes one stanza at a time")
                                   : QStringLiteral("not well-formed XML: the element is not closed"));

    const QString name = parsed.localName();
    const bool stanzaName = name == QLatin1String("message") || name == QLatin1String("presence")
        || name == QLatin1String("iq");
    if (!stanzaName || parsed.namespaceURI() != xmpp::ns::client) {
        const QString shown = parsed.namespaceURI() == xmpp::ns::client
            ? QStringLiteral("<%1/>").arg(name)
            : QStringLiteral("<%1 xmlns='%2'/>").arg(name, parsed.namespaceURI());
        return invalid(QStringLiteral("not a stanza: kiosk.send() takes <message/>, <presence/> or <iq/> "
                                      "in jabber:client, not %1").arg(shown));
    }

    QDomDocument document;
    QDomElement stanza = document.importNode(parsed, true).toElement();
    document.appendChild(stanza);
    // The page speaks for the user connection, never for anyone else.
    if (fromJid.isEmpty())
        stanza.removeAttribute(QStringLiteral("from"));
    else
        stanza.setAttribute(QStringLiteral("from"), fromJid);
    if (stanza.attribute(QStringLiteral("id")).isEmpty())
        stanza.setAttribute(QStringLiteral("id"), newStanzaId());
    return document;
}

// --- transferred state and snapshots ---

void SessionView::deliverState(const Files &files, const QStringList &log)
{
    QVariantMap encoded;
    for (auto it = files.cbegin(); it != files.cend(); ++it)
        encoded.insert(it.key(), QString::fromLatin1(it.value().toBase64()));
    m_state = QVariantMap{{QStringLiteral("files"), encoded}, {QStringLiteral("log"), log}};
    if (m_attached)
        sendStateToPage();
}

void SessionView::sendStateToPage()
{
    if (m_state && m_attached)
        Q_EMIT m_bridge->state(*m_state);
}

void SessionView::requestSnapshot(QObject *context, SnapshotCallback callback, int timeoutMs)
{
    const int requestId = ++m_lastSnapshotId;
    PendingSnapshot pending{QPointer<QObject>(context), std::move(callback), std::make_unique<QTimer>()};
    pending.timeout->setSingleShot(true);
    connect(pending.timeout.get(), &QTimer::timeout, this, [this, requestId] {
        finishSnapshot(requestId, xmpp::makeError(xmpp::ErrorCondition::Timeout,
                                                  QStringLiteral("the app did not provide a snapshot in time")));
    });
    m_snapshots.emplace(requestId, std::move(pending));
    if (m_failed) {
        // Answered from the event loop, like every other outcome.
        QMetaObject::invokeMethod(this, [this, requestId] {
            finishSnapshot(requestId, xmpp::makeError(xmpp::ErrorCondition::Cancelled,
                                                      QStringLiteral("no app page is running")));
        }, Qt::QueuedConnection);
        return;
    }
    // A page still loading (or restarting) is asked once it attaches, within the same time.
    m_snapshots.at(requestId).timeout->start(timeoutMs);
    askPageForWaitingSnapshots();
}

void SessionView::askPageForWaitingSnapshots()
{
    if (!m_attached)
        return;
    for (auto &[id, pending] : m_snapshots) {
        if (!pending.askedPage) {
            pending.askedPage = true;
            Q_EMIT m_bridge->snapshotRequested(id);
        }
    }
}

void SessionView::pageSnapshotDone(int requestId, const QVariantMap &files, const QString &error)
{
    if (!m_snapshots.count(requestId))
        return;
    if (!error.isEmpty()) {
        finishSnapshot(requestId, invalid(error));
        return;
    }
    const Limits &limits = m_setup.limits;
    if (files.size() > limits.maxSnapshotFiles) {
        finishSnapshot(requestId, invalid(QStringLiteral("the app's snapshot has more than %1 files")
                                              .arg(limits.maxSnapshotFiles)));
        return;
    }
    Files decoded;
    qsizetype total = 0;
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        if (!isValidSnapshotFileName(it.key())) {
            finishSnapshot(requestId, invalid(QStringLiteral("the app's snapshot has a file name that is not allowed")));
            return;
        }
        if (it.value().typeId() != QMetaType::QString) {
            finishSnapshot(requestId, invalid(QStringLiteral("snapshot file %1 is not a base64 string").arg(it.key())));
            return;
        }
        auto content = QByteArray::fromBase64Encoding(it.value().toString().toLatin1(),
                                                      QByteArray::AbortOnBase64DecodingErrors);
        if (!content) {
            finishSnapshot(requestId, invalid(QStringLiteral("snapshot file %1 is not valid base64").arg(it.key())));
            return;
        }
        total += content.decoded.size();
        if (total > limits.maxSnapshotBytes) {
            finishSnapshot(requestId, invalid(QStringLiteral("the app's snapshot is larger than %1 bytes")
                                                  .arg(limits.maxSnapshotBytes)));
            return;
        }
        decoded.insert(it.key(), content.decoded);
    }
    finishSnapshot(requestId, decoded);
}

void SessionView::finishSnapshot(int requestId, const xmpp::Result<Files> &result)
{
    auto found = m_snapshots.find(requestId);
    if (found == m_snapshots.end())
        return;
    PendingSnapshot pending = std::move(found->second);
    m_snapshots.erase(found);
    if (pending.timeout)
        pending.timeout.release()->deleteLater();
    if (pending.context)
        pending.callback(result);
}

void SessionView::failSnapshotsInFlight(const QString &reason, Waiting waiting)
{
    std::vector<int> ids;
    for (const auto &[id, pending] : m_snapshots) {
        if (pending.askedPage || waiting == Waiting::Too)
            ids.push_back(id);
    }
    for (const int id : ids)
        finishSnapshot(id, xmpp::makeError(xmpp::ErrorCondition::Cancelled, reason));
}

// --- the web view and the watchdog ---

void SessionView::attachView(QObject *webView)
{
    m_view = webView;
    // Before the page's own scripts, in their world: the page finds `kiosk` ready. The
    // view's scripts, not the profile's: Qt 6.4 does not give a profile's scripts to the
    // new renderer that replaces a crashed one.
    QWebEngineScript script;
    script.setName(QStringLiteral("kiosk-bridge"));
    script.setSourceCode(bridgeScriptSource());
    script.setInjectionPoint(QWebEngineScript::DocumentCreation);
    script.setWorldId(QWebEngineScript::MainWorld);
    script.setRunsOnSubFrames(false);
    // The collection's class is not public API; its invokable insert() is.
    QObject *scripts = webView ? webView->property("userScripts").value<QObject *>() : nullptr;
    if (!scripts || !QMetaObject::invokeMethod(scripts, "insert", Q_ARG(QWebEngineScript, script)))
        qCCritical(lcWeb) << "cannot add the bridge script to the app's web view";
    m_lastSignOfLife.restart();
    if (!m_failed)
        m_watchdog.start();
}

void SessionView::refuse(const QString &what)
{
    qCInfo(lcWeb) << "session" << m_setup.sid << "app" << m_setup.appId << "refused:" << what;
    Q_EMIT refused(what);
}

void SessionView::renderProcessTerminated(int terminationStatus, int exitCode)
{
    if (terminationStatus == normalTermination || m_failed)
        return;
    if (m_killedByWatchdog) {
        // restartPage() has done the rest.
        m_killedByWatchdog = false;
        reloadPage();
        return;
    }
    qCWarning(lcWeb) << "session" << m_setup.sid << "app" << m_setup.appId << "renderer ended, status"
                     << terminationStatus << "exit code" << exitCode;
    restartPage(Restart::Crashed);
}

void SessionView::pageGone(InFlight inFlight)
{
    m_attached = false;
    m_listening = false;
    m_flushTimer.stop();
    if (inFlight == InFlight::Drop) {
        for (const QString &xml : std::as_const(m_inFlight))
            m_pendingBytes -= costOf(xml);
        m_droppedByRestart += m_inFlight.size();
        m_inFlight.clear();
        m_inFlightBatch = 0;
    }
    requeueInFlight();
    failSnapshotsInFlight(QStringLiteral("the app's page stopped"));
}

void SessionView::checkWatchdog()
{
    if (!m_view || m_failed)
        return;
    // Starting a renderer and loading can take seconds on a busy machine; once attached,
    // the page answers a ping within milliseconds unless its main thread is stuck.
    const bool loaded = m_attached;
    const int timeoutMs = loaded ? m_setup.limits.watchdogTimeoutMs : m_setup.limits.loadTimeoutMs;
    if (m_lastSignOfLife.elapsed() > timeoutMs) {
        qCWarning(lcWeb) << "session" << m_setup.sid << "app" << m_setup.appId
                         << (loaded ? "stopped responding" : "did not load") << "within" << timeoutMs << "ms";
        restartPage(loaded ? Restart::Hung : Restart::DidNotStart);
        return;
    }
    if (m_attached)
        Q_EMIT m_bridge->ping(++m_lastPing);
}

void SessionView::restartPage(Restart why)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_restartTimes.append(now);
    while (!m_restartTimes.isEmpty() && now - m_restartTimes.constFirst() > m_setup.limits.restartWindowMs)
        m_restartTimes.removeFirst();
    if (m_restartTimes.size() > m_setup.limits.maxRestarts) {
        fail(QStringLiteral("The app kept failing (%1 restarts within %2 s), so the session was ended.")
                 .arg(m_restartTimes.size() - 1)
                 .arg(m_setup.limits.restartWindowMs / 1000));
        return;
    }
    switch (why) {
    case Restart::Crashed:
        m_restartReason = QStringLiteral("crashed");
        Q_EMIT pageProblem(QStringLiteral("The app crashed and was restarted."));
        break;
    case Restart::Hung:
        m_restartReason = QStringLiteral("stopped responding");
        Q_EMIT pageProblem(QStringLiteral("The app stopped responding and was restarted."));
        break;
    case Restart::DidNotStart:
        m_restartReason = QStringLiteral("did not start");
        Q_EMIT pageProblem(QStringLiteral("The app did not start and was restarted."));
        break;
    }
    // The batch the page was handling may be what broke it: it is not given again, and
    // the new page is told how many stanzas it missed (info.restart).
    pageGone(InFlight::Drop);
    m_lastSignOfLife.restart();

    // A hung renderer would not take a new page either: end it, and reload once Qt has
    // noticed (renderProcessTerminated). It is this view's own renderer, since profiles
    // never share one, and it is alive (hanging), so the pid is still its own.
    const qint64 pid = m_view ? m_view->property("renderProcessPid").toLongLong() : 0;
    if (why != Restart::Crashed && pid > 0) {
        m_killedByWatchdog = true;
        if (::kill(pid_t(pid), SIGKILL) == 0) {
            // Should Qt not report the end, reload all the same.
            QTimer::singleShot(2000, this, [this] {
                if (m_killedByWatchdog) {
                    m_killedByWatchdog = false;
                    reloadPage();
                }
            });
            return;
        }
        m_killedByWatchdog = false;
    }
    reloadPage();
}

void SessionView::reloadPage()
{
    if (!m_view || m_failed)
        return;
    m_lastSignOfLife.restart();
    // From the app's start page: after a crash the page it was on may be the problem.
    QPointer<QObject> view = m_view;
    const QUrl url = m_url;
    QPointer<QQmlWebChannel> channel = m_channel;
    QTimer::singleShot(100, this, [view, url, channel] {
        if (view) {
            view->setProperty("webChannel", QVariant::fromValue<QQmlWebChannel *>(nullptr));
            view->setProperty("webChannel", QVariant::fromValue<QQmlWebChannel *>(channel.data()));
            view->setProperty("url", url);
        }
    });
}

void SessionView::fail(const QString &reason)
{
    if (m_failed)
        return;
    m_failed = true;
    qCWarning(lcWeb) << "session" << m_setup.sid << "app" << m_setup.appId << "view failed:" << reason;
    m_attached = false;
    m_listening = false;
    m_flushTimer.stop();
    m_watchdog.stop();
    m_pending.clear();
    m_inFlight.clear();
    m_inFlightBatch = 0;
    m_pendingBytes = 0;
    failSnapshotsInFlight(reason, Waiting::Too);
    Q_EMIT failed(reason);
}
