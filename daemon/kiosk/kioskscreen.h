#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QQmlApplicationEngine;
class QQuickWindow;
class DisplayStatus;

// The display's window: the QML module Kioskd with the QR code image provider, showing
// what DisplayStatus says. The same in a window and headless (offscreen platform).
class KioskScreen : public QObject
{
    Q_OBJECT
public:
    explicit KioskScreen(DisplayStatus &status, QObject *parent = nullptr);
    ~KioskScreen() override;

    // Loads the UI; false (with errorString()) when QML failed to load.
    bool load();
    QString errorString() const { return m_error; }

    // Writes a PNG of what is on screen now; false with a reason in errorString().
    bool saveScreenshot(const QString &path);
    QQuickWindow *window() const;

private:
    DisplayStatus &m_status;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QString m_error;
};
