#pragma once

// For the screen tests: loading the display's window, reading QR codes off screenshots
// with zbarimg (an independent reader), saving screenshots, and resizing a window until
// its scene has followed.

#include "qrimageprovider.h"

#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>

#include <algorithm>
#include <functional>

// Visible to a person: shown, and not faded out by the item or any item it is in.
inline bool isOnScreen(const QQuickItem *item)
{
    if (!item || !item->isVisible())
        return false;
    qreal opacity = 1;
    for (const QQuickItem *it = item; it; it = it->parentItem())
        opacity *= it->opacity();
    return opacity > 0.99;
}

// No cross-fade half way: the window's screens and banner (the children of its content
// item) and each of moreLayers are either fully shown or fully gone. Qt Quick animations
// advance with rendered frames, so on a busy machine a fade outlasts its nominal length:
// tests wait for this rather than for a fixed time.
inline bool fadesSettled(QQuickWindow *window, const QList<const QQuickItem *> &moreLayers = {})
{
    QList<const QQuickItem *> layers = moreLayers;
    for (const QQuickItem *child : window->contentItem()->childItems())
        layers << child;
    return std::all_of(layers.cbegin(), layers.cend(), [](const QQuickItem *layer) {
        return layer && (layer->opacity() == 0 || layer->opacity() == 1);
    });
}

// How long a screen test waits for a fade to end on a starved machine.
constexpr int fadeTimeoutMs = 10000;

// Waits until shown() holds and no fade is running (fadesSettled, with moreLayers).
inline bool waitUntilSettled(QQuickWindow *window, const std::function<bool()> &shown,
                             const QList<const QQuickItem *> &moreLayers = {})
{
    return QTest::qWaitFor([&] { return shown() && fadesSettled(window, moreLayers); }, fadeTimeoutMs);
}

// Waits until the window has drawn no frame for quietMs: whatever was animating is over.
// For tests that count the frames an idle screen draws.
inline bool waitForQuietScene(QQuickWindow *window, int quietMs = 250)
{
    QElapsedTimer sinceFrame;
    sinceFrame.start();
    const auto connection = QObject::connect(window, &QQuickWindow::afterRendering, window,
                                             [&sinceFrame] { sinceFrame.restart(); }, Qt::DirectConnection);
    const bool quiet = QTest::qWaitFor([&] { return sinceFrame.elapsed() >= quietMs; }, fadeTimeoutMs);
    QObject::disconnect(connection);
    return quiet;
}

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
