#pragma once

#include "client.h"
#include "kioskconfig.h"
#include "packetlog.h"
#include "protocol.h"
#include "statebundle.h"
#include "transfer.h"
#include "viewfilter.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>

namespace mobility {
class RelayMechanism;
}

// One borrowed session (protocol sections 3-5 and 8): the user connection opened for the
// phone that paired, kept until the phone, the user, the idle timer, the phone's absence
// or shutdown ends it -- and then wiped.
class SessionView;

class Session : public QObject
{
    Q_OBJECT
public:
    using Reason = mobility::SessionNotice::Reason;
    using State = mobility::SessionNotice::State;

    struct Setup
    {
        QString sid;
        QString phoneJid; // full JID that paired
        mobility::PairRequest request;
        std::optional<xmpp::ServerAddress> server; // where the user's server is; none: SRV
        QSslConfiguration tls;
        QString label;       // the display's label, for the resource and disco
        QString appsDir;     // installed apps, one folder per app id
        int idleTimeoutMs = 300'000;
        int phoneOfflineGraceMs = 60'000;
        int relayStepTimeoutMs = 30'000;
        mobility::TransferLimits transfer;
        // What the session keeps of the stanzas its view was shown, for pull-back.
        mobility::PacketLogLimits viewLog;
        // How long the app may take to give its snapshot for a pull-back.
        int snapshotTimeoutMs = 10'000;
    };

    // A transfer in progress, or how the last one ended, for the screen and the control
    // socket.
    struct TransferStatus
    {
        QString tid;
        bool incoming = true;
        QString method;
        qint64 bytesDone = 0;
        qint64 bytesTotal = 0;
        bool running = false;
        // Once ended: empty on success, else the protocol's reason.
        QString failureReason;
        QString line; // for people: progress, or how it ended
    };

    Session(Setup setup, xmpp::Client &device, QObject *parent = nullptr);
    ~Session() override;

    void start();
    // Ends the session for `reason`: closes the user connection, wipes, tells the phone.
    void end(Reason reason);

    // The phone sent <abort/> (authorization already checked).
    void abortByPhone();
    // Any sign of use: restarts the idle timer.
    void touch();

    // Shows an app with a packet filter (protocol section 6); replaces an earlier view.
    // The caller has checked that the app is installed.
    void setView(const mobility::ViewRequest &view);
    const std::optional<mobility::ViewRequest> &view() const { return m_view; }
    // A stanza the view wants to send, already parsed and given the user's 'from' and an
    // id (SessionView::prepareOutgoing): checked against the <send/> rules, then sent.
    // The error says why not.
    xmpp::Status sendFromView(const QDomElement &stanza);
    // The app on screen, while there is a view.
    SessionView *appView() const { return m_appView.get(); }

    // The phone's transfer requests (protocol section 7): <transfer/>, <state/>,
    // <transferred/>, <transfer-failed/> and <request/> (authorization already checked).
    void handleTransferRequest(const QDomElement &iq);
    static bool isTransferRequest(QStringView payloadName);
    const std::optional<TransferStatus> &transfer() const { return m_transfer; }
    // The state the phone last transferred (files and log), applied to the view.
    const std::optional<mobility::StateBundle> &receivedState() const { return m_receivedState; }

    QString sid() const { return m_setup.sid; }
    QString phoneJid() const { return m_setup.phoneJid; }
    QString userJid() const { return m_userJid; }
    QString userBareJid() const;
    State state() const { return m_state; }
    QString app() const { return m_app; }
    // What to show on screen about this session, one line.
    QString statusLine() const { return m_statusLine; }
    std::optional<xmpp::Error> failure() const { return m_failure; }

Q_SIGNALS:
    void changed();
    // The view is set or replaced.
    void viewChanged();
    // A stanza from the user connection that the filter lets through, in arrival order,
    // serialized (SessionView::deliverStanza(QString) adds what a page needs).
    void stanzaForView(const QString &xml);
    // One line for people: the app had a problem and was restarted.
    void pageProblem(const QString &message);
    void ended(mobility::SessionNotice::Reason reason);
    // transfer() changed.
    void transferChanged();

private:
    void setState(State state, const QString &statusLine);
    void notifyPhone(State state, Reason reason = Reason::None);
    void onUserDisconnected(const xmpp::Status &status);
    void onPresence(const QDomElement &presence);
    // Shows stanza to the view when the filter allows it; true if it did.
    bool offerToView(const QDomElement &stanza);
    void wipe();
    static QString resourceFor(const QString &label);
    void ensureTransferHub();
    void onStateReceived(const mobility::StateBundle &state);
    void deliverStateToView();
    void pullBack(const QDomElement &iq, const mobility::StateRequest &request);
    void setTransfer(TransferStatus status);

    Setup m_setup;
    xmpp::Client &m_device;
    std::unique_ptr<xmpp::Client> m_user;
    QPointer<mobility::RelayMechanism> m_relay;
    State m_state = State::Connecting;
    QString m_app;
    std::optional<mobility::ViewRequest> m_view;
    std::optional<mobility::ViewFilter> m_filter;
    std::unique_ptr<SessionView> m_appView;
    QString m_userJid;
    QString m_statusLine;
    std::optional<xmpp::Error> m_failure;
    std::unique_ptr<mobility::TransferHub> m_transfers;
    std::optional<TransferStatus> m_transfer;
    std::optional<mobility::StateBundle> m_receivedState;
    mobility::PacketLog m_viewLog;
    bool m_pullBackPending = false;
    QTimer m_idleTimer;
    QTimer m_phoneOfflineTimer;
    bool m_ending = false;
};
