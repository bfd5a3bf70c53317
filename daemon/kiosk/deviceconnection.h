#pragma once

#include "client.h"
#include "kioskconfig.h"

#include <QObject>

#include <memory>

// The display's own account, kept online for as long as kioskd runs (protocol "device
// connection"): reconnects with backoff, answers disco#info with the mobility feature
// and the display's label.
class DeviceConnection : public QObject
{
    Q_OBJECT
public:
    static inline const QString mobilityFeature = QStringLiteral("urn:kioskd:mobility:0");

    DeviceConnection(const KioskConfig &config, const QSslConfiguration &tls, QObject *parent = nullptr);
    ~DeviceConnection() override;

    void start();
    // Clean close for shutdown; emits offline().
    void stop();

    bool isOnline() const { return m_client->isOnline(); }
    QString jid() const { return m_client->boundJid(); }
    xmpp::Client &client() { return *m_client; }

Q_SIGNALS:
    void online();
    // reason: one line for the screen and the log.
    void offline(const QString &reason);

private:
    std::unique_ptr<xmpp::Client> m_client;
};
