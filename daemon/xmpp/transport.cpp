#include "transport.h"

#include "logging.h"

#include <QSslSocket>

namespace xmpp {

QString ServerAddress::toString() const
{
    return QStringLiteral("%1:%2%3").arg(host).arg(port).arg(tls == TlsMode::DirectTls ? QStringLiteral(" (direct TLS)") : QString());
}

Transport::~Transport() = default;

QList<ChannelBinding> Transport::channelBindings() const
{
    return {};
}

TcpTransport::TcpTransport(const QSslConfiguration &tls, QObject *parent)
    : Transport(parent)
    , m_tls(tls)
{
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        fail(makeError(ErrorCondition::Timeout, QStringLiteral("connecting took longer than %1 s").arg(m_connectTimeout / 1000)));
    });
}

TcpTransport::~TcpTransport()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QSslConfiguration TcpTransport::tlsConfiguration(const QList<QSslCertificate> &extraCaCertificates)
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setProtocol(QSsl::TlsV1_2OrLater);
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!extraCaCertificates.isEmpty())
        config.addCaCertificates(extraCaCertificates);
    return config;
}

void TcpTransport::open(const ServerAddress &address, const QString &tlsName)
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
    m_failed = false;
    m_closing = false;
    m_certificateProblem.clear();
    m_tlsName = tlsName;
    m_socket = std::make_unique<QSslSocket>();
    QSslSocket *socket = m_socket.get();
    socket->setSslConfiguration(m_tls);
    socket->setPeerVerifyName(tlsName);

    connect(socket, &QSslSocket::connected, this, [this, socket, address] {
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
        if (address.tls == TlsMode::StartTls) {
            m_connectTimer.stop();
            qCDebug(lcXmppTransport) << "connected to" << address.toString();
            Q_EMIT opened();
        }
    });
    connect(socket, &QSslSocket::encrypted, this, [this, socket, address] {
        m_connectTimer.stop();
        qCDebug(lcXmppTransport) << "TLS established with" << address.toString() << socket->sessionProtocol();
        if (address.tls == TlsMode::DirectTls)
            Q_EMIT opened();
        else
            Q_EMIT encrypted();
    });
    connect(socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        // Never ignored: remember why, the handshake then fails and reports it.
        QStringList problems;
        for (const QSslError &error : errors)
            problems << error.errorString();
        m_certificateProblem = problems.join(QStringLiteral("; "));
    });
    connect(socket, &QSslSocket::readyRead, this, [this, socket] {
        const QByteArray bytes = socket->readAll();
        if (!bytes.isEmpty())
            Q_EMIT received(bytes);
    });
    connect(socket, &QSslSocket::bytesWritten, this, [this, socket] {
        if (m_closing && socket->bytesToWrite() == 0)
            socket->disconnectFromHost();
    });
    connect(socket, &QSslSocket::errorOccurred, this, [this] { onSocketError(); });
    connect(socket, &QSslSocket::disconnected, this, [this] {
        if (m_failed)
            return;
        m_connectTimer.stop();
        if (m_closing)
            Q_EMIT closed();
        else
            fail(makeError(ErrorCondition::ConnectionLost, QStringLiteral("the server closed the connection")));
    });

    m_connectTimer.start(m_connectTimeout);
    qCDebug(lcXmppTransport) << "connecting to" << address.toString();
    if (address.tls == TlsMode::DirectTls)
        socket->connectToHostEncrypted(address.host, address.port, tlsName);
    else
        socket->connectToHost(address.host, address.port);
}

void TcpTransport::startTls()
{
    if (!m_socket)
        return;
    m_connectTimer.start(m_connectTimeout);
    m_socket->startClientEncryption();
}

void TcpTransport::write(const QByteArray &bytes)
{
    if (!m_socket || m_failed)
        return;
    if (m_socket->bytesToWrite() + bytes.size() > m_writeBufferLimit) {
        fail(makeError(ErrorCondition::LimitExceeded, QStringLiteral("the server stopped reading; more than %1 bytes queued").arg(m_writeBufferLimit)));
        return;
    }
    m_socket->write(bytes);
}

void TcpTransport::close()
{
    if (!m_socket)
        return;
    m_closing = true;
    if (m_socket->state() == QAbstractSocket::UnconnectedState) {
        Q_EMIT closed();
        return;
    }
    if (m_socket->bytesToWrite() == 0)
        m_socket->disconnectFromHost();
}

void TcpTransport::abort()
{
    m_connectTimer.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket.release()->deleteLater();
    }
}

bool TcpTransport::isEncrypted() const
{
    return m_socket && m_socket->isEncrypted();
}

void TcpTransport::onSocketError()
{
    if (!m_socket || m_failed)
        return;
    const auto socketError = m_socket->error();
    const QString text = m_socket->errorString();
    switch (socketError) {
    case QAbstractSocket::HostNotFoundError:
        fail(makeError(ErrorCondition::HostNotFound, text));
        break;
    case QAbstractSocket::ConnectionRefusedError:
    case QAbstractSocket::NetworkError:
    case QAbstractSocket::SocketAccessError:
    case QAbstractSocket::SocketResourceError:
        if (m_socket->state() == QAbstractSocket::ConnectedState)
            fail(makeError(ErrorCondition::ConnectionLost, text));
        else
            fail(makeError(ErrorCondition::ConnectionFailed, text));
        break;
    case QAbstractSocket::SocketTimeoutError:
        fail(makeError(ErrorCondition::Timeout, text));
        break;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInvalidUserDataError:
    case QAbstractSocket::SslInternalError:
        if (!m_certificateProblem.isEmpty())
            fail(makeError(ErrorCondition::CertificateUntrusted, m_certificateProblem));
        else
            fail(makeError(ErrorCondition::TlsFailed, text));
        break;
    case QAbstractSocket::RemoteHostClosedError:
        if (m_closing) {
            m_connectTimer.stop();
            Q_EMIT closed();
            m_failed = true; // nothing more to report
        } else {
            fail(makeError(ErrorCondition::ConnectionLost, text));
        }
        break;
    default:
        fail(makeError(ErrorCondition::ConnectionLost, text));
        break;
    }
}

void TcpTransport::fail(const Error &error)
{
    if (m_failed)
        return;
    m_failed = true;
    m_connectTimer.stop();
    qCDebug(lcXmppTransport) << "transport failed:" << Error::conditionName(error.condition) << error.detail;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket.release()->deleteLater();
    }
    Q_EMIT failed(error);
}

} // namespace xmpp
