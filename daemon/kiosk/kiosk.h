#pragma once

#include "controlserver.h"
#include "deviceconnection.h"
#include "displaystatus.h"
#include "kioskconfig.h"
#include "kioskscreen.h"
#include "pairinggate.h"
#include "pairingtokens.h"
#include "session.h"

#include <QObject>
#include <QTimer>

#include <memory>

// kioskd as a whole: the device connection, the pairing token on screen, the control
// socket and the screen, kept consistent with each other.
class Kiosk : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString controlPath;
        QString screenshotDir;
    };

    Kiosk(KioskConfig config, Options options, QObject *parent = nullptr);
    ~Kiosk() override;

    // Starts everything; false with errorString() when the screen or socket cannot start.
    bool start();
    QString errorString() const { return m_error; }
    // Ends sessions and closes the device connection; emits stopped().
    void shutdown();

    QString state() const;

Q_SIGNALS:
    void stopped();

private:
    void showPairing();
    void onDeviceOnline();
    void onDeviceOffline(const QString &reason);
    void handleControl(const QJsonObject &request, const ControlServer::Reply &reply);
    QJsonObject statusReply() const;
    void handleMobilityRequest(const QDomElement &iq);
    void handlePair(const QDomElement &iq);
    void onSessionEnded(Session *session, Session::Reason reason);
    void updateScreen();
    void showMessage(const QString &message);
    void clearMessage();
    void scheduleScreenshot();
    void saveScreenshotToDir();
    QString pairUri();

    KioskConfig m_config;
    Options m_options;
    DisplayStatus m_status;
    mobility::PairingTokens m_tokens;
    mobility::PairingGate m_gate;
    QSslConfiguration m_tls;
    std::vector<std::unique_ptr<Session>> m_sessions;
    QTimer m_rotationTimer;
    QTimer m_messageTimer;
    QTimer m_screenshotTimer;
    int m_screenshotCount = 0;
    std::unique_ptr<DeviceConnection> m_device;
    std::unique_ptr<KioskScreen> m_screen;
    std::unique_ptr<ControlServer> m_control;
    QString m_error;
    bool m_shuttingDown = false;
};
