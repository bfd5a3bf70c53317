#pragma once

#include "iqtracker.h"
#include "phoneoptions.h"
#include "transfer.h"

#include <QDomElement>
#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace phone {

class EventLog;

// What a step may do with an active session.
class SessionLink
{
public:
    virtual ~SessionLink();
    virtual QString sid() const = 0;
    virtual EventLog &events() = 0;
    // The limit for each wait on the display.
    virtual int timeoutMs() const = 0;
    // Sends an IQ set carrying payload to the display; callback gets the reply (or
    // Timeout after timeoutMs(), Cancelled when the connection closed) unless context
    // is gone.
    virtual void sendToDisplay(const QDomElement &payload, QObject *context, xmpp::IqCallback callback) = 0;
    // The session's state transfers with the display, both ways.
    virtual mobility::TransferHub &transfers() = 0;
};

// One scripted action on an active session (hold, end; later view, transfer). PhoneSession
// runs the steps one after the other and drops the current one when the display ends the
// session. Every step finishes by itself or within a bounded time.
class SessionStep : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~SessionStep() override;

    virtual void start(SessionLink &link) = 0;
    // True when the step asks the display to end the session: PhoneSession then waits
    // for the ended notice instead of leaving the session running.
    virtual bool endsSession() const { return false; }

Q_SIGNALS:
    void done();
    // condition: a stable name for the JSON event; message: for a person.
    void failed(phone::ExitStatus status, const QString &condition, const QString &message);

protected:
    // failed() for the display's error answer to a request: a timeout names the request
    // ("<view/>"), a stanza error says refusal, anything else is the connection's.
    void failForReply(const xmpp::Error &error, const QString &request, const QString &refusal);
    // failed() for a transfer that did not go through; what: "the state did not reach
    // the display", and the like.
    void failForTransfer(mobility::TransferFailed::Reason reason, const xmpp::Error &error, const QString &what);
};

// Keeps the session for a while (--hold).
class HoldStep : public SessionStep
{
    Q_OBJECT
public:
    explicit HoldStep(int seconds, QObject *parent = nullptr);
    void start(SessionLink &link) override;

private:
    int m_seconds;
    QTimer m_timer;
};

// Keeps the session until the display ends it (--hold-until-ended), at most maxSeconds.
class HoldUntilEndedStep : public SessionStep
{
    Q_OBJECT
public:
    explicit HoldUntilEndedStep(int maxSeconds, QObject *parent = nullptr);
    void start(SessionLink &link) override;

private:
    int m_maxSeconds;
    QTimer m_timer;
};

// Asks the display to show an app with a packet filter (--view).
class ViewStep : public SessionStep
{
    Q_OBJECT
public:
    explicit ViewStep(mobility::ViewRequest view, QObject *parent = nullptr);
    void start(SessionLink &link) override;

private:
    mobility::ViewRequest m_view;
};

// Moves state to the display (--send-state): offer, then the chosen method, until the
// display confirms it applied the state.
class SendStateStep : public SessionStep
{
    Q_OBJECT
public:
    explicit SendStateStep(SessionPlan::StateToSend state, QObject *parent = nullptr);
    void start(SessionLink &link) override;

private:
    SessionPlan::StateToSend m_state;
    QString m_tid;
};

// Takes the display's state back (--pull-state): <request/>, then the display's transfer,
// written to the folder once it verified.
class PullStateStep : public SessionStep
{
    Q_OBJECT
public:
    explicit PullStateStep(QString folder, QObject *parent = nullptr);
    void start(SessionLink &link) override;

private:
    QString m_folder;
    QString m_tid;
    QTimer m_offerTimer;
};

// Writes transfer progress as JSON events, at most once a second and at the end.
class TransferReporter : public QObject
{
    Q_OBJECT
public:
    TransferReporter(SessionLink &link, QString tid, QObject *parent);

private:
    SessionLink &m_link;
    QString m_tid;
    qint64 m_lastReportMs = -1;
};

// Asks the display to end the session (--end).
class EndStep : public SessionStep
{
    Q_OBJECT
public:
    using SessionStep::SessionStep;
    void start(SessionLink &link) override;
    bool endsSession() const override { return true; }
};

// The steps the plan asks for, in the order they run.
std::vector<std::unique_ptr<SessionStep>> stepsFor(const SessionPlan &plan);

} // namespace phone
