#pragma once

#include "error.h"

#include <QDomDocument>
#include <QElapsedTimer>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QQmlWebChannel>
#include <QQuickWebEngineProfile>
#include <QTimer>
#include <QUrl>
#include <QVariantMap>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

class KioskBridge;

namespace appscheme {
class AppSchemeHandler;
class AppRequestInterceptor;
} // namespace appscheme

// The app of one split session on the display (protocol section 6, docs/app-api.md):
// the page of <apps dir>/<app id>/index.html, served from its own origin, in an
// off-the-record web profile of its own, with the `kiosk` API as its only way out.
//
// Session creates one for a <view/> (a later <view/> replaces it with a new one) and
// destroys it when the session ends; the profile's storage, cookies and cache go with
// it. QML shows it: DisplayStatus::setAppView() hands it to qml/AppView.qml, which
// builds the web view from url, profile and channel and calls the invokables below.
//
// What Session does with it:
// - deliverStanza() for each stanza the filter accepts, in arrival order;
// - answers sendRequested: check the filter, send, call the reply exactly once;
// - ends the session on endRequested() (the app's End) and on failed(reason);
// - shows pageProblem(message) on screen for a while (the app was restarted).
//
// Nothing of the page's traffic or content is logged.
class SessionView : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QUrl url READ url CONSTANT)
    Q_PROPERTY(QQuickWebEngineProfile *profile READ profile CONSTANT)
    Q_PROPERTY(QQmlWebChannel *channel READ channel CONSTANT)

public:
    struct Limits
    {
        // Stanzas accepted but not yet handled by the page. Past either bound the view
        // fails (failed()): the session ends with a clear reason instead of the app
        // silently missing stanzas.
        int maxPendingStanzas = 10'000;
        qsizetype maxPendingBytes = 8 * 1024 * 1024; // as UTF-16
        int maxBatchStanzas = 1000;
        qsizetype maxBatchBytes = 1024 * 1024;
        // kiosk.send() calls waiting for Session's answer, and how long one may wait.
        int maxPendingSends = 256;
        int sendTimeoutMs = 30'000;
        // No answer from the page's main thread for this long: it hangs, and is
        // restarted. A page that is loading (or reloading after a restart) has
        // loadTimeoutMs to connect.
        int watchdogTimeoutMs = 10'000;
        int loadTimeoutMs = 30'000;
        // More restarts than this within restartWindowMs and the view fails.
        int maxRestarts = 3;
        int restartWindowMs = 60'000;
        // Snapshot files from the page (kiosk.provideSnapshot).
        int maxSnapshotFiles = 1000;
        qsizetype maxSnapshotBytes = 32 * 1024 * 1024; // decoded, all files together
    };

    struct Setup
    {
        QString sid;
        QString userJid; // the user connection's full JID: 'from' of what the page sends
        QString appId;
        QVariantMap params; // name -> value (strings), as the <view/> gave them
        QString appsDir;
        Limits limits;
    };

    // Answer to sendRequested: success once the stanza went out on the user connection,
    // or the error that stopped it. For a refusal by the filter, the error's detail
    // (or, without one, message()) is what the page's promise rejects with.
    using SendReply = std::function<void(const xmpp::Status &status)>;
    using Files = QMap<QString, QByteArray>; // name -> content
    using SnapshotCallback = std::function<void(const xmpp::Result<Files> &snapshot)>;

    explicit SessionView(Setup setup, QObject *parent = nullptr);
    ~SessionView() override;

    // Whether the app is installed (<apps dir>/<app id>/index.html, with an id that can
    // name an origin). Unknown apps are answered with <item-not-found/>.
    static bool appExists(const QString &appsDir, const QString &appId);

    QString sid() const { return m_setup.sid; }
    QString appId() const { return m_setup.appId; }
    QUrl url() const { return m_url; }
    QQuickWebEngineProfile *profile() const;
    QQmlWebChannel *channel() const;

    // A stanza that passed the filter, for the page's kiosk.onStanza handlers. Call in
    // arrival order; the page gets them in this order. Stanzas wait here while no page
    // listens (loading, restarting, no handler yet, not on screen), within the limits.
    void deliverStanza(const QDomElement &stanza);
    // The same for a stanza already serialized as on the wire (xmpp::serializeStanza):
    // xmlns='jabber:client' is added to it when it declares no default namespace.
    void deliverStanza(const QString &xml);

    // Transferred state for kiosk.onState: the page gets it now, and again after a
    // restart. Replaces any earlier state.
    void deliverState(const Files &files, const QStringList &log);

    // Asks the page for kiosk.provideSnapshot()'s files; a page still loading or restarting
    // is asked once it is up. The callback runs exactly once (files, or an error: the view
    // failed, no provider, the provider failed, bad files, timeout, page restarted while
    // asked, view destroyed) unless context is gone by then.
    void requestSnapshot(QObject *context, SnapshotCallback callback, int timeoutMs = 10'000);

    // What kiosk.send() does to the page's XML before Session sees it: parse it by the
    // stream's rules (no DTD, comments or processing instructions; the stanza size
    // limit), take it as jabber:client when it has no namespace, refuse anything but a
    // message, presence or iq, set 'from' to fromJid and add an id when it has none.
    // The error's detail is the reason the page is given.
    static xmpp::Result<QDomDocument> prepareOutgoing(const QString &xml, const QString &fromJid);
    // A received stanza as the page gets it: one standalone XML element, with
    // xmlns='jabber:client' on the stanza.
    static QString serializeForPage(const QDomElement &stanza);
    // The serialized stanza with xmlns='jabber:client' on it unless its start tag
    // declares a default namespace or uses a prefix.
    static QString withClientNamespace(const QString &xml);

    // For qml/AppView.qml.
    // The web view showing this session's page (a WebEngineView). The profile and channel
    // are handed over to it when this object goes first, so they outlive the page.
    Q_INVOKABLE void attachView(QObject *webView);
    // WebEngineView.renderProcessTerminated
    Q_INVOKABLE void renderProcessTerminated(int terminationStatus, int exitCode);
    // Something the confinement refused (a navigation, a window, a permission, ...).
    Q_INVOKABLE void refuse(const QString &what);

Q_SIGNALS:
    // The page wants this stanza sent (already prepared, see prepareOutgoing). The
    // element lives as long as the call; `reply` may be called later, once.
    void sendRequested(const QDomElement &stanza, const SessionView::SendReply &reply);
    // kiosk.end(): end the session as the End button would.
    void endRequested();
    // One line for people on screen: the app crashed or hung and was restarted.
    void pageProblem(const QString &message);
    // The view cannot go on (too many stanzas waiting, restarts keep failing): end the
    // session and show `reason`. Emitted at most once; the view does nothing more after.
    void failed(const QString &reason);
    // A page of this session connected (after each load or restart).
    void pageAttached();
    // The confinement refused something; `what` is a kind, never the page's data.
    void refused(const QString &what);

private:
    friend class KioskBridge;

    // From KioskBridge.
    QVariantMap pageAttach();
    void pageListens();
    void pageHandledBatch(int batch);
    void pageSends(int requestId, const QString &xml);
    void pageEnds();
    void pagePong(int serial);
    void pageSnapshotDone(int requestId, const QVariantMap &files, const QString &error);

    void enqueue(QString xml);
    void scheduleFlush();
    void flushBatch();
    void requeueInFlight();
    void finishSend(int generation, int requestId, const QString &error, const QString &stanzaId);
    void finishSnapshot(int requestId, const xmpp::Result<Files> &result);
    // Fails the requests a page was asked; with Waiting::Too also those waiting for one.
    enum class Waiting { Keep, Too };
    void failSnapshotsInFlight(const QString &reason, Waiting waiting = Waiting::Keep);
    void askPageForWaitingSnapshots();
    void sendStateToPage();
    enum class InFlight { Requeue, Drop };
    void pageGone(InFlight inFlight);
    void checkWatchdog();
    enum class Restart { Crashed, Hung, DidNotStart };
    void restartPage(Restart why);
    void reloadPage();
    void fail(const QString &reason);

    struct PendingSend
    {
        int generation = 0;
        std::unique_ptr<QTimer> timeout;
    };
    struct PendingSnapshot
    {
        QPointer<QObject> context;
        SnapshotCallback callback;
        std::unique_ptr<QTimer> timeout;
        // False while the request waits for a page to attach (loading, restarting).
        bool askedPage = false;
    };

    Setup m_setup;
    QUrl m_url;
    // Owned here until attachView(); then by the web view if this object goes first.
    QPointer<QQuickWebEngineProfile> m_profile;
    QPointer<QQmlWebChannel> m_channel;
    KioskBridge *m_bridge = nullptr; // child
    QPointer<QObject> m_view;

    // Page generation: every attach() starts a new one; answers meant for an earlier
    // page are dropped.
    int m_generation = 0;
    bool m_attached = false;
    bool m_listening = false;
    bool m_failed = false;

    std::deque<QString> m_pending;
    qsizetype m_pendingBytes = 0; // queued and in flight
    QStringList m_inFlight;
    int m_inFlightBatch = 0;
    int m_lastBatch = 0;
    QTimer m_flushTimer;

    std::map<int, PendingSend> m_sends;
    std::map<int, PendingSnapshot> m_snapshots;
    int m_lastSnapshotId = 0;
    std::optional<QVariantMap> m_state;

    QTimer m_watchdog;
    QElapsedTimer m_lastSignOfLife;
    int m_lastPing = 0;
    bool m_killedByWatchdog = false;
    QList<qint64> m_restartTimes; // ms since epoch
    QString m_restartReason;      // for the next page's info.restart
    qsizetype m_droppedByRestart = 0;
};
