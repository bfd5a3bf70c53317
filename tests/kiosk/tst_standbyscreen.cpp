#include "displaystatus.h"
#include "screentesting.h"

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QColor>
#include <QQmlApplicationEngine>
#include <QQmlComponent>
#include <QQuickItem>
#include <QQuickWindow>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <qrencode.h>

#include <memory>

namespace {

const QString pairUri = QStringLiteral(
    "xmpp:lobby@localhost/display?kiosk;pair=ABCDEFGHIJKLMNOPQRST;name=Hotel%20Lobby");
const QString nextPairUri = QStringLiteral(
    "xmpp:lobby@localhost/display?kiosk;pair=UVWXYZ234567ABCDEFGH;name=Hotel%20Lobby");
constexpr int rotationPeriodSeconds = 60;

// The module count of text's QR code (quiet zone excluded), as libqrencode makes it.
int codeModules(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    QRcode *code = QRcode_encodeString(utf8.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!code)
        return 0;
    const int width = code->width;
    QRcode_free(code);
    return width;
}

bool isPureBlackOrWhite(QRgb pixel)
{
    const QRgb rgb = pixel & 0xffffff;
    return rgb == 0x000000 || rgb == 0xffffff;
}

} // namespace

class TestStandbyScreen : public QObject
{
    Q_OBJECT

private:
    DisplayStatus m_status;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QTemporaryDir m_screenshots;
    QString m_extraScreenshotDir;
    bool m_failed = false;

    // Renders the window at its current size, keeps the PNG and returns its path.
    QString screenshot(const QString &name)
    {
        return saveScreenshot(m_window, QDir(m_screenshots.path()), m_extraScreenshotDir, name);
    }

    bool resizeWindow(int width, int height) { return resizeAndSettle(m_window, width, height); }

    QQuickItem *qrCodeImage() const
    {
        return m_window->findChild<QQuickItem *>(QStringLiteral("qrCodeImage"));
    }

    // True once the screen shows the code of uri at full opacity, with no fade running.
    bool showsCode(const QString &uri)
    {
        const QQuickItem *image = qrCodeImage();
        return waitUntilSettled(m_window, [&] {
            return isOnScreen(image) && image->parentItem()->property("shownText").toString() == uri;
        }, {image});
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("zbarimg")).isEmpty(),
                 "zbarimg not found: install zbar-tools (.ci/install-deps does)");
        QVERIFY(m_screenshots.isValid());
        m_extraScreenshotDir = qEnvironmentVariable("KIOSKD_SCREENSHOT_DIR");

        m_status.setLabel(QStringLiteral("Hotel Lobby"));
        m_status.setPairing(pairUri,
                            QDateTime::currentDateTime().addSecs(rotationPeriodSeconds - 18),
                            rotationPeriodSeconds);
        m_status.setState(QStringLiteral("standby"));

        m_engine = std::make_unique<QQmlApplicationEngine>();
        m_window = loadDisplayWindow(*m_engine, &m_status);
        QVERIFY(m_window);
        QCOMPARE(m_window->title(), QStringLiteral("Hotel Lobby"));
        QVERIFY(QTest::qWaitForWindowExposed(m_window));
        QVERIFY(qrCodeImage());
    }

    // Every test starts from the standby screen showing pairUri, whatever the test before
    // left behind.
    void init()
    {
        m_status.setNotice(QString());
        m_status.setState(QStringLiteral("standby"));
        m_status.setPairing(pairUri,
                            QDateTime::currentDateTime().addSecs(rotationPeriodSeconds - 18),
                            rotationPeriodSeconds);
        QVERIFY(showsCode(pairUri));
    }

    void cleanup()
    {
        if (QTest::currentTestFailed())
            m_failed = true;
    }

    void cleanupTestCase()
    {
        m_engine.reset();
        // The screenshots are what to look at when something failed.
        if (m_failed)
            m_screenshots.setAutoRemove(false);
        if (m_failed || !m_extraScreenshotDir.isEmpty()) {
            qInfo("screenshots in %s", qPrintable(m_extraScreenshotDir.isEmpty()
                                                      ? m_screenshots.path()
                                                      : m_extraScreenshotDir));
        }
    }

    // Main.qml loads by its qrc URL alone (above). Other QML (the session screen, later)
    // can `import Kioskd` once qrc:/ is an import path: Qt 6.4 puts the module's qmldir at
    // qrc:/Kioskd/, and its default import paths don't include qrc:/. Linking
    // kioskd-qmlplugin is all the static plugin itself needs.
    void moduleImportsByUri()
    {
        m_engine->addImportPath(QStringLiteral("qrc:/"));
        QQmlComponent component(m_engine.get());
        component.setData("import QtQuick\nimport Kioskd\nQtObject { property color accent: "
                          "Theme.available }",
                          QUrl(QStringLiteral("qrc:/import-test.qml")));
        std::unique_ptr<QObject> object(component.create());
        QVERIFY2(object, qPrintable(component.errorString()));
        QCOMPARE(object->property("accent").value<QColor>(), QColor(QStringLiteral("#4fd1a5")));
    }

    void standbyCodeScansAtEverySize_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::newRow("720p") << QSize(1280, 720);
        QTest::newRow("4K") << QSize(3840, 2160);
        QTest::newRow("portrait") << QSize(1080, 1920);
    }
    void standbyCodeScansAtEverySize()
    {
        QFETCH(QSize, size);
        QVERIFY(resizeWindow(size.width(), size.height()));
        const QString path = screenshot(QStringLiteral("standby-%1x%2")
                                            .arg(size.width()).arg(size.height()));
        QVERIFY(!path.isEmpty());

        const Decoded decoded = decodeWithZbar(path);
        QCOMPARE(decoded.exitStatus, 0);
        QCOMPARE(decoded.text, pairUri);
    }

    // On screen, the code is the provider's image pixel for pixel: drawn 1:1 at whole
    // pixel positions, never scaled or smoothed.
    void standbyCodeIsDrawnUnscaled()
    {
        QVERIFY(resizeWindow(1280, 720));
        const QImage window = m_window->grabWindow();
        const QQuickItem *image = qrCodeImage();
        const QPointF topLeft = image->mapToScene(QPointF(0, 0));
        QCOMPARE(topLeft, topLeft.toPoint().toPointF());
        const QRect onScreen(topLeft.toPoint(), image->size().toSize());
        const int requestedSide = image->property("sourceSize").toSize().width();
        const QImage expected = QrImageProvider::render(pairUri, requestedSide);
        QCOMPARE(onScreen.size(), expected.size());
        // Share of the short side: big enough to scan from a few metres.
        QVERIFY2(onScreen.width() >= 720 * 0.55, qPrintable(QString::number(onScreen.width())));
        QCOMPARE(window.copy(onScreen).convertToFormat(QImage::Format_RGB32), expected);
    }

    // A rotation changes the code after a short fade; the new one scans.
    void rotatedCodeScans()
    {
        QVERIFY(resizeWindow(1280, 720));
        m_status.setPairing(nextPairUri,
                            QDateTime::currentDateTime().addSecs(rotationPeriodSeconds),
                            rotationPeriodSeconds);
        QVERIFY(showsCode(nextPairUri));
        const QString path = screenshot(QStringLiteral("standby-rotated-1280x720"));
        QVERIFY(!path.isEmpty());
        const Decoded decoded = decodeWithZbar(path);
        QCOMPARE(decoded.exitStatus, 0);
        QCOMPARE(decoded.text, nextPairUri);
    }

    // An idle lobby screen redraws for the countdown, once a second, and for nothing else.
    void idleScreenRedrawsOncePerSecond()
    {
        QVERIFY(resizeWindow(1280, 720));
        QVERIFY(waitForQuietScene(m_window));
        int frames = 0;
        const auto connection = connect(m_window, &QQuickWindow::afterRendering, this,
                                        [&frames] { ++frames; }, Qt::DirectConnection);
        QTest::qWait(4000);
        disconnect(connection);
        QVERIFY2(frames >= 3, qPrintable(QString::number(frames)));
        QVERIFY2(frames <= 6, qPrintable(QString::number(frames)));
    }

    void busyAndOfflineShowNoCode_data()
    {
        QTest::addColumn<QString>("state");
        QTest::addColumn<QString>("notice");
        QTest::addColumn<QSize>("size");
        const QString notice = QStringLiteral("Can\u2019t reach the server. Trying again\u2026");
        QTest::newRow("busy 720p") << QStringLiteral("busy") << QString() << QSize(1280, 720);
        QTest::newRow("busy portrait") << QStringLiteral("busy") << QString() << QSize(1080, 1920);
        QTest::newRow("offline 720p") << QStringLiteral("offline") << notice << QSize(1280, 720);
        QTest::newRow("offline 4K") << QStringLiteral("offline") << notice << QSize(3840, 2160);
        QTest::newRow("offline portrait") << QStringLiteral("offline") << notice
                                          << QSize(1080, 1920);
    }
    void busyAndOfflineShowNoCode()
    {
        QFETCH(QString, state);
        QFETCH(QString, notice);
        QFETCH(QSize, size);
        QVERIFY(resizeWindow(size.width(), size.height()));
        // The daemon keeps the last pair URI while offline; the screen must not show it.
        m_status.setNotice(notice);
        m_status.setState(state);
        QVERIFY(waitUntilSettled(m_window, [&] { return !qrCodeImage()->isVisible(); }));
        const QString path = screenshot(QStringLiteral("%1-%2x%3")
                                            .arg(state).arg(size.width()).arg(size.height()));
        QVERIFY(!path.isEmpty());
        QCOMPARE(decodeWithZbar(path).exitStatus, 4);
    }

    void renderedModulesAreWholePixels_data()
    {
        QTest::addColumn<int>("maxSide");
        QTest::newRow("tiny") << 50; // smaller than the code: one pixel per module
        QTest::newRow("720p") << 455;
        QTest::newRow("4K") << 1397;
        QTest::newRow("exact fit") << 8 * (codeModules(pairUri) + 8);
    }
    void renderedModulesAreWholePixels()
    {
        QFETCH(int, maxSide);
        const int modules = codeModules(pairUri);
        QVERIFY(modules > 0);
        const int sideModules = modules + 2 * QrImageProvider::quietZoneModules;
        const int pixelsPerModule = std::max(1, maxSide / sideModules);

        const QImage image = QrImageProvider::render(pairUri, maxSide);
        QCOMPARE(image.width(), sideModules * pixelsPerModule);
        QCOMPARE(image.height(), image.width());

        // Every module is a uniform square of pure black or white on the module grid.
        for (int moduleY = 0; moduleY < sideModules; ++moduleY) {
            for (int moduleX = 0; moduleX < sideModules; ++moduleX) {
                const QRgb first = image.pixel(moduleX * pixelsPerModule,
                                               moduleY * pixelsPerModule);
                QVERIFY(isPureBlackOrWhite(first));
                for (int y = 0; y < pixelsPerModule; ++y) {
                    for (int x = 0; x < pixelsPerModule; ++x) {
                        const QRgb pixel = image.pixel(moduleX * pixelsPerModule + x,
                                                       moduleY * pixelsPerModule + y);
                        if (pixel != first)
                            QFAIL(qPrintable(QStringLiteral("module %1,%2 is not uniform")
                                                 .arg(moduleX).arg(moduleY)));
                    }
                }
            }
        }

        // The quiet zone: at least four modules of white on every side.
        const int quiet = QrImageProvider::quietZoneModules * pixelsPerModule;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const bool inQuietZone = x < quiet || y < quiet || x >= image.width() - quiet
                                         || y >= image.height() - quiet;
                if (inQuietZone && (image.pixel(x, y) & 0xffffff) != 0xffffff)
                    QFAIL(qPrintable(QStringLiteral("dark pixel at %1,%2 in the quiet zone")
                                         .arg(x).arg(y)));
            }
        }
    }

    void fallsBackToEightPixelsPerModule()
    {
        const int sideModules = codeModules(pairUri) + 2 * QrImageProvider::quietZoneModules;
        QCOMPARE(QrImageProvider::render(pairUri, 0).width(), sideModules * 8);
        QCOMPARE(QrImageProvider::render(pairUri, -1).width(), sideModules * 8);
    }

    void rejectsTextItCannotShow()
    {
        const QString token = QStringLiteral("SECRETTOKEN");
        QStringList warnings;
        static QStringList *capture = nullptr;
        capture = &warnings;
        const QtMessageHandler previous = qInstallMessageHandler(
            [](QtMsgType, const QMessageLogContext &context, const QString &message) {
                capture->append(QString::fromUtf8(context.category) + u' ' + message);
            });

        const QString longest = token + QString(QrImageProvider::maxTextBytes - token.size(), u'x');
        const QImage atLimit = QrImageProvider::render(longest, 0);
        const QImage overLimit = QrImageProvider::render(longest + u'x', 0);
        // Bytes count, not characters: "é" is two in UTF-8.
        const QImage overLimitInBytes = QrImageProvider::render(
            token + QString(QrImageProvider::maxTextBytes / 2, QChar(0xe9)), 0);
        const QImage empty = QrImageProvider::render(QString(), 0);
        qInstallMessageHandler(previous);

        QVERIFY(!atLimit.isNull());
        QVERIFY(overLimit.isNull());
        QVERIFY(overLimitInBytes.isNull());
        QVERIFY(empty.isNull());
        QCOMPARE(warnings.size(), 3);
        for (const QString &warning : std::as_const(warnings)) {
            QVERIFY2(warning.startsWith(QStringLiteral("kioskd.ui ")), qPrintable(warning));
            QVERIFY2(!warning.contains(token), "the warning shows the text");
        }
    }

    // QML percent-encodes the text into the image id; the provider decodes it, %25 too.
    void providerDecodesTheId()
    {
        QrImageProvider provider;
        QSize size;
        const QString id = QString::fromUtf8(QUrl::toPercentEncoding(pairUri));
        const QImage image = provider.requestImage(id, &size, QSize(400, 300));
        QCOMPARE(image, QrImageProvider::render(pairUri, 300));
        QCOMPARE(size, image.size());

        QTest::ignoreMessage(QtWarningMsg, "QR code: nothing to encode");
        const QImage bad = provider.requestImage(QString(), &size, QSize(400, 300));
        QVERIFY(!bad.isNull());
        QCOMPARE(bad.pixel(0, 0), qRgba(0, 0, 0, 0));
    }
};

QTEST_MAIN(TestStandbyScreen)
#include "tst_standbyscreen.moc"
