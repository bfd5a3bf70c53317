#pragma once

#include "error.h"
#include "sasl.h"

#include <QDomElement>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace xmpp {

class Transport;

// What a login step needs from the stream it runs on.
class StreamChannel
{
public:
    virtual ~StreamChannel();
    virtual void sendElement(const QDomElement &element) = 0;
    virtual Transport &transport() = 0;
    virtual SaslContext saslContext(const QDomElement &mechanisms) const = 0;
};

// One stage of stream negotiation (RFC 6120 5-7). The client offers it each element the
// server sends until it finishes: it emits finished(restartStream) or failed(error).
// Waits on the server are bounded by the step's own timeout.
class LoginStep : public QObject
{
    Q_OBJECT
public:
    LoginStep(StreamChannel &channel, int timeoutMs, QObject *parent = nullptr);
    ~LoginStep() override;

    virtual void begin(const QDomElement &features) = 0;
    // True when the element belonged to this step.
    virtual bool handle(const QDomElement &element) = 0;
    // The step is abandoned (connection gone); it must emit nothing more.
    virtual void cancel();

Q_SIGNALS:
    void finished(bool restartStream);
    void failed(const xmpp::Error &error);

protected:
    void waitForServer(const QString &what);
    void stopWaiting();
    void succeed(bool restartStream);
    void fail(const Error &error);

    StreamChannel &m_channel;

private:
    QTimer m_timer;
    QString m_waitingFor;
    int m_timeoutMs;
    bool m_done = false;
};

// <starttls/> -> <proceed/> -> TLS handshake; the stream restarts afterwards.
class StartTlsStep : public LoginStep
{
    Q_OBJECT
public:
    using LoginStep::LoginStep;
    void begin(const QDomElement &features) override;
    bool handle(const QDomElement &element) override;
};

// SASL (RFC 6120 6) driven by an asynchronous mechanism; the stream restarts afterwards.
class SaslStep : public LoginStep
{
    Q_OBJECT
public:
    SaslStep(StreamChannel &channel, int timeoutMs, std::unique_ptr<SaslMechanism> mechanism,
             int mechanismTimeoutMs, QObject *parent = nullptr);
    ~SaslStep() override;
    void begin(const QDomElement &features) override;
    bool handle(const QDomElement &element) override;
    void cancel() override;

    QString mechanismName() const { return m_mechanismName; }

private:
    void waitForMechanism(const QString &what);
    void sendSasl(const QString &name, const QByteArray &payload, const QString &mechanism = {});

    std::unique_ptr<SaslMechanism> m_mechanism;
    QTimer m_mechanismTimer;
    int m_mechanismTimeoutMs;
    QString m_mechanismName;
};

// Resource binding (RFC 6120 7), plus the legacy session request when a server still
// requires it (RFC 3921, marked optional by RFC 6121-era servers).
class BindStep : public LoginStep
{
    Q_OBJECT
public:
    BindStep(StreamChannel &channel, int timeoutMs, QString resource, QObject *parent = nullptr);
    void begin(const QDomElement &features) override;
    bool handle(const QDomElement &element) override;

    QString boundJid() const { return m_boundJid; }

private:
    QString m_resource;
    QString m_boundJid;
    QString m_pendingId;
    bool m_sessionNeeded = false;
};

} // namespace xmpp
