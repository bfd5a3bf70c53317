#include "qrimageprovider.h"

#include <QUrl>

#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <memory>

Q_LOGGING_CATEGORY(lcKioskUi, "kioskd.ui", QtInfoMsg)

namespace {

struct QrCodeDeleter
{
    void operator()(QRcode *code) const { QRcode_free(code); }
};
using QrCodePointer = std::unique_ptr<QRcode, QrCodeDeleter>;

// The side the caller asked for; QML may constrain only one dimension.
int requestedSide(const QSize &requestedSize)
{
    const int width = requestedSize.width();
    const int height = requestedSize.height();
    if (width > 0 && height > 0)
        return std::min(width, height);
    return std::max(width, height); // the one given, or <= 0 for "no preference"
}

} // namespace

QrImageProvider::QrImageProvider() : QQuickImageProvider(QQuickImageProvider::Image) {}

QImage QrImageProvider::requestImage(const QString &id, QSize *size, const QSize &requestedSize)
{
    // QQuickPixmap hands over the id "pretty decoded", which never decodes %25, so one
    // more decoding step yields exactly the text that encodeURIComponent was given.
    const QString text = QUrl::fromPercentEncoding(id.toUtf8());
    QImage image = render(text, requestedSide(requestedSize));
    if (image.isNull()) {
        // A transparent pixel rather than a null image: QML then shows nothing instead of
        // reporting a load error on every rotation.
        image = QImage(1, 1, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
    }
    if (size)
        *size = image.size();
    return image;
}

QImage QrImageProvider::render(const QString &text, int maxSidePixels)
{
    const QByteArray utf8 = text.toUtf8();
    // Never log the text itself: it carries a one-time pairing token.
    if (utf8.isEmpty()) {
        qCWarning(lcKioskUi) << "QR code: nothing to encode";
        return {};
    }
    if (utf8.size() > maxTextBytes) {
        qCWarning(lcKioskUi).nospace() << "QR code: text of " << utf8.size()
                                       << " bytes is over the limit of " << maxTextBytes;
        return {};
    }

    const QrCodePointer code(QRcode_encodeString(utf8.constData(), 0, QR_ECLEVEL_M, QR_MODE_8,
                                                 /*casesensitive=*/1));
    if (!code) {
        qCWarning(lcKioskUi).nospace() << "QR code: encoding " << utf8.size()
                                       << " bytes failed (errno " << errno << ")";
        return {};
    }

    const int codeModules = code->width;
    const int sideModules = codeModules + 2 * quietZoneModules;
    // Rounding down keeps every module the same width; a code that can't fit even at one
    // pixel per module is still drawn at one, as an oversized code beats none.
    const int pixelsPerModule = maxSidePixels > 0 ? std::max(1, maxSidePixels / sideModules)
                                                  : fallbackPixelsPerModule;
    const int sidePixels = sideModules * pixelsPerModule;

    // Written as 32-bit pixels directly: the scene graph's format, and with exactly two
    // colours there is nothing for any later conversion to blend.
    constexpr QRgb light = 0xffffffff;
    constexpr QRgb dark = 0xff000000;
    QImage image(sidePixels, sidePixels, QImage::Format_RGB32);
    image.fill(light);
    const int offset = quietZoneModules * pixelsPerModule;
    for (int moduleY = 0; moduleY < codeModules; ++moduleY) {
        const int top = offset + moduleY * pixelsPerModule;
        auto *firstRow = reinterpret_cast<QRgb *>(image.scanLine(top));
        for (int moduleX = 0; moduleX < codeModules; ++moduleX) {
            // libqrencode: bit 0 of each byte is the module's colour (1 = dark).
            if (code->data[moduleY * codeModules + moduleX] & 1) {
                QRgb *left = firstRow + offset + moduleX * pixelsPerModule;
                std::fill(left, left + pixelsPerModule, dark);
            }
        }
        for (int y = top + 1; y < top + pixelsPerModule; ++y)
            std::copy_n(firstRow, sidePixels, reinterpret_cast<QRgb *>(image.scanLine(y)));
    }
    return image;
}
