#include "deviceconnection.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcDevice, "kioskd.device", QtInfoMsg)

DeviceConnection::DeviceConnection(const KioskConfig &config, const QSslConfiguration &tls, QObject *parent)
    : QObject(parent)
{
    xmpp::ClientConfig client;
    client.jid = config.deviceJid;
    client.server = config.deviceServer;
    client.tls = tls;
    const QString password = config.devicePassword;
    client.mechanism = [password] { return std::make_unique<xmpp::PasswordMechanism>(password); };
    client.discoIdentities = {{QStringLiteral("client"), QStringLiteral("pc"), config.label}};
    client.discoFeatures = {mobilityFeature};
    client.reconnect = xmpp::ReconnectPolicy{};
    // Detect a dead server within a minute so the screen never shows a useless code for long.
    client.timeouts.pingIntervalMs = 30'000;
    client.timeouts.pingTimeoutMs = 15'000;
    m_client = std::make_unique<xmpp::Client>(std::move(client));

    connect(m_client.get(), &xmpp::Client::online, this, [this] {
        qCInfo(lcDevice) << "device connection online as" << m_client->boundJid();
        Q_EMIT online();
    });
    connect(m_client.get(), &xmpp::Client::disconnected, this, [this](const xmpp::Status &status) {
        const QString reason = status.ok() ? QStringLiteral("The display is shutting down.")
                                           : status.error().message();
        qCInfo(lcDevice) << "device connection down:" << reason;
        Q_EMIT offline(reason);
    });
}

DeviceConnection::~DeviceConnection() = default;

void DeviceConnection::start()
{
    m_client->connectToServer();
}

void DeviceConnection::stop()
{
    m_client->disconnectFromServer();
}
