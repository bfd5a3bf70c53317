#pragma once

// For the screen tests: loading the display's window, reading QR codes off screenshots
// with zbarimg (an independent reader), saving screenshots, and resizing a window until
// its scene has followed.

#include "qrimageprovider.h"

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>

// What zbarimg read from an image: its exit status (0 found, 4 nothing found) and text.
struct Decoded
{
    int exitStatus = -1;
    QString text;
};

inline Decoded decodeWithZbar(const QString &pngPath)
{
    QProcess zbar;
    zbar.start(QStringLiteral("zbarimg"), {QStringLiteral("--raw"), QStringLiteral("-q"), pngPath});
    if (!zbar.waitForFinished(60000) || zbar.exitStatus() != QProcess::NormalExit)
        return {};
    QString text = QString::fromUtf8(zbar.readAllStandardOutput());
    if (text.endsWith(u'\n'))
        text.chop(1);
    return {zbar.exitCode(), text};
}

// Renders window at its current size into directory/name.png (and a copy into extraDir
// when set); returns the path, empty on failure.
inline QString saveScreenshot(QQuickWindow *window, const QDir &directory, const QString &extraDir, const QString &name)
{
    const QImage image = window->grabWindow();
    if (image.isNull())
        return {};
    const QString fileName = name + QStringLiteral(".png");
    const QString path = directory.filePath(fileName);
    if (!image.save(path))
        return {};
    if (!extraDir.isEmpty()) {
        QDir().mkpath(extraDir);
        image.save(QDir(extraDir).filePath(fileName));
    }
    return path;
}

inline bool resizeAndSettle(QQuickWindow *window, int width, int height)
{
    window->resize(width, height);
    // The scene follows the window's resize event, which the platform delivers later.
    const QQuickItem *content = window->contentItem();
    return QTest::qWaitFor([&] {
        return window->width() == width && window->height() == height && content->width() == width
               && content->height() == height;
    });
}

// Loads the display's Main.qml showing display (a DisplayStatus) into engine; the window,
// or nullptr when it did not load.
inline QQuickWindow *loadDisplayWindow(QQmlApplicationEngine &engine, QObject *display)
{
    engine.addImageProvider(QStringLiteral("qr"), new QrImageProvider);
    engine.setInitialProperties({{QStringLiteral("display"), QVariant::fromValue(display)}});
    engine.load(QUrl(QStringLiteral("qrc:/Kioskd/Main.qml")));
    if (engine.rootObjects().size() != 1)
        return nullptr;
    return qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
}
