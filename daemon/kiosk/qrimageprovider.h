#pragma once

#include <QImage>
#include <QLoggingCategory>
#include <QQuickImageProvider>
#include <QString>

Q_DECLARE_LOGGING_CATEGORY(lcKioskUi)

// Serves "image://qr/<percent-encoded text>" to QML: the text as a QR code (ECC level M,
// 8-bit mode), black modules on white with a 4-module quiet zone. Every module is the same
// whole number of pixels wide so the code stays sharp without any smoothing; phones
// decode a crisp code from much further away than a resampled one.
class QrImageProvider : public QQuickImageProvider
{
public:
    // Longer text would need a code too dense to scan from across a room (and pair URIs
    // are far shorter); refusing it keeps a bug from showing an unreadable code.
    static constexpr qsizetype maxTextBytes = 1024;
    static constexpr int quietZoneModules = 4;
    static constexpr int fallbackPixelsPerModule = 8;

    QrImageProvider();

    // id is the text, percent-encoded by QML's encodeURIComponent.
    QImage requestImage(const QString &id, QSize *size, const QSize &requestedSize) override;

    // The largest code whose side fits in maxSidePixels (at least 1 pixel per module);
    // maxSidePixels <= 0: fallbackPixelsPerModule. Null image if the text can't be encoded.
    static QImage render(const QString &text, int maxSidePixels);
};
