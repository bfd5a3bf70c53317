#pragma once

#include <QJsonObject>
#include <QLocalServer>
#include <QObject>

#include <functional>

class QLocalSocket;

// The operator/test control socket (docs/interfaces.md): a UNIX-domain socket, mode
// 0600, one JSON object per line in each direction. Requests are answered in order; a
// bad request gets {"ok":false,"error":"..."} and never affects the daemon.
class ControlServer : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype maxRequestBytes = 64 * 1024;
    static constexpr int maxClients = 16;

    // Answers one request; reply(...) may be called later (e.g. after a screenshot), once.
    using Reply = std::function<void(const QJsonObject &reply)>;
    using Handler = std::function<void(const QJsonObject &request, Reply reply)>;

    explicit ControlServer(Handler handler, QObject *parent = nullptr);
    ~ControlServer() override;

    // Listens at path (replacing a stale socket file); false with errorString() if not.
    bool listen(const QString &path);
    QString errorString() const { return m_error; }

    static QJsonObject errorReply(const QString &message);

private:
    void accept();
    void readFrom(QLocalSocket *socket);

    Handler m_handler;
    QLocalServer m_server;
    QString m_path;
    QString m_error;
};
