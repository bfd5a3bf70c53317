#pragma once

#include "client.h"
#include "phoneoptions.h"
#include "sessionsteps.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace mobility {
class RelayAnswerer;
struct SaslOffer;
struct SaslPayload;
struct SaslFailure;
struct SessionNotice;
} // namespace mobility

namespace phone {

class EventLog;

// The phone's side of one session (protocol sections 2-5 and 8), scripted by the
// command line: signs in as the user, pairs with the display, answers its relay
// requests (or hands it a token), then runs the session steps. Every wait for the
// display is bounded by options.timeoutMs. Reports each event through the EventLog and
// ends with finished(status) after closing its connection.
class PhoneSession : public QObject, private SessionLink
{
    Q_OBJECT
public:
    PhoneSession(PhoneOptions options, EventLog &events, QObject *parent = nullptr);
    ~PhoneSession() override;

    void start();
    // SIGINT/SIGTERM: ends an active session (or aborts signing in) and finishes.
    void interrupt();

Q_SIGNALS:
    void finished(phone::ExitStatus status);

private:
    enum class Phase {
        Idle,
        FetchingToken,
        Connecting,
        Pairing,        // pair sent, waiting for the display's answer
        Authenticating, // paired; relaying SASL or waiting for the display to sign in
        Active,         // running the steps
        Ending,         // <end/> sent, waiting for the ended notice
        Failing,        // something failed; waiting for the ended notice
        Finished,
    };

    // SessionLink
    QString sid() const override { return m_options.sid; }
    EventLog &events() override { return m_events; }
    int timeoutMs() const override { return m_options.timeoutMs; }
    void sendToDisplay(const QDomElement &payload, QObject *context, xmpp::IqCallback callback) override;
    mobility::TransferHub &transfers() override;

    void connectToServer();
    void sendPair();
    void onPairReply(const xmpp::IqResult &reply);
    void onRequest(const QDomElement &iq);
    void onSaslOffer(const QDomElement &iq, const mobility::SaslOffer &offer);
    void onChallenge(const QDomElement &iq, const mobility::SaslPayload &challenge);
    void onSuccess(const QDomElement &iq, const mobility::SaslPayload &success);
    void onFailure(const QDomElement &iq, const mobility::SaslFailure &failure);
    void onSessionNotice(const QDomElement &iq, const mobility::SessionNotice &notice);
    void onAbort(const QDomElement &iq);
    void onDisconnected(const xmpp::Status &status);

    void becomeActive();
    void runNextStep();
    void dropSteps();
    // Waits (at most timeoutMs) for the display; what: for the timeout's message.
    void expect(const QString &what);
    void onWatchdog();
    // Records a failure, tells the display when it should know, and waits for the
    // ended notice (the status stands whether it comes or not).
    void failSession(ExitStatus status, const QString &condition, const QString &message);
    // Sends <end/> without waiting for the answer, then fails: the session must not stay
    // on a public screen until the display notices the phone is gone.
    void endAndFailSession(ExitStatus status, const QString &condition, const QString &message);
    void sendAbort();
    void reportError(const QString &condition, const QString &message, const QString &step = {});
    void finish(ExitStatus status);

    bool isFromDisplay(const QString &from) const;

    PhoneOptions m_options;
    EventLog &m_events;
    std::unique_ptr<xmpp::Client> m_client;
    std::unique_ptr<mobility::RelayAnswerer> m_answerer;
    QNetworkAccessManager m_network;
    QByteArray m_token;
    Phase m_phase = Phase::Idle;
    std::optional<ExitStatus> m_failure;
    bool m_serverVerifiedReported = false;
    bool m_paired = false;
    QString m_userJid; // the display's user connection, from <session state='active'/>
    QTimer m_watchdog;
    QString m_waitingFor;
    std::unique_ptr<mobility::TransferHub> m_transfers; // once active
    std::vector<std::unique_ptr<SessionStep>> m_steps;
    size_t m_nextStep = 0;
    bool m_endRequested = false;
    ExitStatus m_exitStatus = ExitStatus::Success;
};

} // namespace phone
