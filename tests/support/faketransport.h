#pragma once

#include "transport.h"

#include <QTimer>

// A transport whose far end is the test: it records what the client writes and delivers
// whatever the test "receives" from the server.
class FakeTransport : public xmpp::Transport
{
    Q_OBJECT
public:
    using Transport::Transport;

    void open(const xmpp::ServerAddress &address, const QString &tlsName) override
    {
        lastAddress = address;
        lastTlsName = tlsName;
        ++openCount;
        if (failOpenWith) {
            QTimer::singleShot(0, this, [this] { Q_EMIT failed(*failOpenWith); });
            return;
        }
        encrypted_ = address.tls == xmpp::TlsMode::DirectTls;
        QTimer::singleShot(0, this, [this] { Q_EMIT opened(); });
    }
    void startTls() override
    {
        QTimer::singleShot(0, this, [this] {
            encrypted_ = true;
            Q_EMIT encrypted();
        });
    }
    void write(const QByteArray &bytes) override { written += bytes; }
    void close() override
    {
        closeRequested = true;
        QTimer::singleShot(0, this, [this] { Q_EMIT closed(); });
    }
    void abort() override { aborted = true; }
    bool isEncrypted() const override { return encrypted_; }

    // The test plays the server.
    void serverSends(const QByteArray &bytes) { Q_EMIT received(bytes); }
    void serverDrops() { Q_EMIT failed(xmpp::makeError(xmpp::ErrorCondition::ConnectionLost, QStringLiteral("dropped"))); }
    QByteArray takeWritten()
    {
        QByteArray result = written;
        written.clear();
        return result;
    }

    QByteArray written;
    xmpp::ServerAddress lastAddress;
    QString lastTlsName;
    std::optional<xmpp::Error> failOpenWith;
    int openCount = 0;
    bool encrypted_ = false;
    bool closeRequested = false;
    bool aborted = false;
};
