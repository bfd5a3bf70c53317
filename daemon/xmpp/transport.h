#pragma once

#include "error.h"
#include "sasl.h"

#include <QByteArray>
#include <QObject>
#include <QSslConfiguration>
#include <QTimer>

#include <memory>

class QSslSocket;

namespace xmpp {

enum class TlsMode {
    StartTls,  // RFC 6120: plain TCP, upgraded with <starttls/>
    DirectTls, // XEP-0368: TLS from the first byte
};

// One place to connect to: a host name or address, a port and how TLS starts there.
struct ServerAddress
{
    QString host;
    quint16 port = 0;
    TlsMode tls = TlsMode::StartTls;

    QString toString() const;
    bool operator==(const ServerAddress &) const = default;
};

// The bytes-in, bytes-out channel under an XMPP stream. The client only talks to this
// interface, so unit tests can replace the network with a scripted fake.
class Transport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~Transport() override;

    // Connects (and, for DirectTls, finishes the TLS handshake) -> opened() | failed().
    // tlsName is the name the certificate must carry: the XMPP domain.
    virtual void open(const ServerAddress &address, const QString &tlsName) = 0;
    // Upgrades an open plain connection -> encrypted() | failed().
    virtual void startTls() = 0;
    // Queues bytes; a peer that stops reading makes it fail with LimitExceeded.
    virtual void write(const QByteArray &bytes) = 0;
    // Closes after pending bytes are written -> closed().
    virtual void close() = 0;
    // Drops the connection at once; emits nothing.
    virtual void abort() = 0;
    virtual bool isEncrypted() const = 0;
    // Channel-binding data of the current TLS channel, for the types this transport can compute.
    virtual QList<ChannelBinding> channelBindings() const;

Q_SIGNALS:
    void opened();
    void encrypted();
    void received(const QByteArray &bytes);
    void closed();
    void failed(const xmpp::Error &error);
};

// TCP and TLS over QSslSocket. Certificates are verified against the system store plus the
// configured extra CAs, with the host name checked; TLS 1.2 or newer; Nagle off.
class TcpTransport : public Transport
{
    Q_OBJECT
public:
    static constexpr qint64 defaultWriteBufferLimit = 8 * 1024 * 1024;

    // tls: the configuration shared by all connections of a program (building one per
    // connection costs tens of milliseconds); see tlsConfiguration().
    explicit TcpTransport(const QSslConfiguration &tls, QObject *parent = nullptr);
    ~TcpTransport() override;

    void open(const ServerAddress &address, const QString &tlsName) override;
    void startTls() override;
    void write(const QByteArray &bytes) override;
    void close() override;
    void abort() override;
    bool isEncrypted() const override;

    void setConnectTimeout(int milliseconds) { m_connectTimeout = milliseconds; }
    void setWriteBufferLimit(qint64 bytes) { m_writeBufferLimit = bytes; }

    // TLS 1.2+, peer verification on, the system CAs plus extraCaCertificates.
    static QSslConfiguration tlsConfiguration(const QList<QSslCertificate> &extraCaCertificates = {});

private:
    void fail(const Error &error);
    void onSocketError();

    std::unique_ptr<QSslSocket> m_socket;
    QSslConfiguration m_tls;
    QTimer m_connectTimer;
    QString m_tlsName;
    QString m_certificateProblem;
    int m_connectTimeout = 10'000;
    qint64 m_writeBufferLimit = defaultWriteBufferLimit;
    bool m_failed = false;
    bool m_closing = false;
};

} // namespace xmpp
