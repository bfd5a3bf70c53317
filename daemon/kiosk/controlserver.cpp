#include "controlserver.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QPointer>

#include <sys/stat.h>

Q_LOGGING_CATEGORY(lcControl, "kioskd.control", QtInfoMsg)

ControlServer::ControlServer(Handler handler, QObject *parent)
    : QObject(parent)
    , m_handler(std::move(handler))
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    m_server.setMaxPendingConnections(maxClients);
    connect(&m_server, &QLocalServer::newConnection, this, &ControlServer::accept);
}

ControlServer::~ControlServer()
{
    m_server.close();
}

bool ControlServer::listen(const QString &path)
{
    m_path = path;
    // A socket file left by a crashed daemon would make listen() fail.
    QLocalSocket probe;
    probe.connectToServer(path);
    if (probe.waitForConnected(200)) {
        m_error = QStringLiteral("another process already listens on %1").arg(path);
        return false;
    }
    QLocalServer::removeServer(path);
    if (!m_server.listen(path)) {
        m_error = m_server.errorString();
        return false;
    }
    // UserAccessOption gives 0700 on some systems; the interface promises 0600.
    ::chmod(QFile::encodeName(path).constData(), S_IRUSR | S_IWUSR);
    return true;
}

QJsonObject ControlServer::errorReply(const QString &message)
{
    return QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), message}};
}

void ControlServer::accept()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection()) {
        if (findChildren<QLocalSocket *>().size() > maxClients) {
            socket->write(QJsonDocument(errorReply(QStringLiteral("too many control connections"))).toJson(QJsonDocument::Compact) + '\n');
            socket->disconnectFromServer();
            socket->deleteLater();
            continue;
        }
        socket->setParent(this);
        socket->setReadBufferSize(maxRequestBytes + 1);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { readFrom(socket); });
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void ControlServer::readFrom(QLocalSocket *socket)
{
    // One request at a time per connection, answered in order.
    if (socket->property("busy").toBool())
        return;
    while (socket->canReadLine()) {
        const QByteArray line = socket->readLine(maxRequestBytes + 1).trimmed();
        if (line.isEmpty())
            continue;
        QPointer<QLocalSocket> guard(socket);
        auto reply = [this, guard](const QJsonObject &answer) {
            if (!guard)
                return;
            guard->write(QJsonDocument(answer).toJson(QJsonDocument::Compact) + '\n');
            guard->setProperty("busy", false);
            if (guard->bytesAvailable() > 0)
                QMetaObject::invokeMethod(this, [this, guard] { if (guard) readFrom(guard); }, Qt::QueuedConnection);
        };
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
            reply(errorReply(QStringLiteral("a request is one JSON object per line")));
            continue;
        }
        socket->setProperty("busy", true);
        m_handler(document.object(), reply);
        if (!guard || guard->property("busy").toBool())
            return; // answered later; the rest waits
    }
    if (socket->bytesAvailable() > maxRequestBytes) {
        qCWarning(lcControl) << "dropped a control connection that sent a line over" << maxRequestBytes << "bytes";
        socket->write(QJsonDocument(errorReply(QStringLiteral("request line too long"))).toJson(QJsonDocument::Compact) + '\n');
        socket->disconnectFromServer();
    }
}
