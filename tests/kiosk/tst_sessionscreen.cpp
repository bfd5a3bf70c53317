#include "displaystatus.h"
#include "screentesting.h"

#include <QDir>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QImage>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStyleHints>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <functional>
#include <memory>

namespace {

const QString pairUri = QStringLiteral(
    "xmpp:lobby@localhost/display?kiosk;pair=ABCDEFGHIJKLMNOPQRST;name=Hotel%20Lobby");
const QString sessionId = QStringLiteral("7c1f0e9a-session");
const QString user = QStringLiteral("alice@example.org");
const QString signInFailed = QStringLiteral(
    "Sign-in for alice@example.org failed: the server rejected the credentials.");
const QString sessionEnded = QStringLiteral(
    "Session ended. Everything from it was wiped from this screen.");
constexpr int rotationPeriodSeconds = 60;
// Longer than any of the screens' fades; only for checks that nothing changes. Qt Quick
// animations advance with rendered frames, so on a busy machine a fade can take longer:
// everything else waits for its end state (waitUntilShown).
constexpr int settleMs = 700;

// What the daemon says about a session in each state.
QString sessionLineFor(const QString &state)
{
    if (state == QStringLiteral("connecting"))
        return QStringLiteral("Connecting to example.org for %1\u2026").arg(user);
    if (state == QStringLiteral("authenticating"))
        return QStringLiteral("Confirm on your phone to sign in as %1.").arg(user);
    return QStringLiteral("Signed in as %1.").arg(user);
}

// The button that ends the session in that state: End once signed in, Cancel before.
const char *sessionButtonFor(const QString &state)
{
    return state == QStringLiteral("active") ? "endSessionButton" : "cancelSessionButton";
}

QRectF sceneRect(const QQuickItem *item)
{
    return item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
}

} // namespace

class TestSessionScreen : public QObject
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

    QQuickItem *item(const char *objectName) const
    {
        return m_window->findChild<QQuickItem *>(QString::fromLatin1(objectName));
    }

    // Waits until shown() holds and no fade is running any more.
    bool waitUntilShown(const std::function<bool()> &shown) const
    {
        return waitUntilSettled(m_window, shown, {item("signingInView"), item("signedInView")});
    }

    bool standbyShown() const
    {
        return isOnScreen(item("qrCodeImage")) && !item("endSessionButton")->isVisible()
               && !item("cancelSessionButton")->isVisible();
    }

    // One session on a display whose only slot it takes, as the daemon reports it; true
    // once its screen has faded in.
    bool showSession(const QString &state)
    {
        m_status.setState(QStringLiteral("busy"));
        m_status.setSession(sessionId, state, user, sessionLineFor(state));
        return waitUntilShown([&] { return isOnScreen(item(sessionButtonFor(state))) && !item("qrCodeImage")->isVisible(); });
    }

    // What the daemon does once a session is over: the slot is free, the code comes back.
    bool endSessionAsTheDaemonDoes(const QString &message)
    {
        m_status.setSession(QString(), QString(), QString(), QString());
        m_status.setState(QStringLiteral("standby"));
        m_status.setMessage(message);
        return waitUntilShown([&] { return standbyShown() && isOnScreen(item("messageBanner")); });
    }

    // Taps the button by its objectName at `where` (item coordinates; its centre by
    // default) and returns the sids that asked to end.
    QStringList tap(const char *buttonName, QPointF where = {-1, -1})
    {
        QQuickItem *button = item(buttonName);
        if (!button)
            return {QStringLiteral("(no %1)").arg(QLatin1String(buttonName))};
        if (where.x() < 0)
            where = QPointF(button->width() / 2, button->height() / 2);
        QSignalSpy endRequested(&m_status, &DisplayStatus::endRequested);
        QTest::mouseClick(m_window, Qt::LeftButton, {}, button->mapToScene(where).toPoint());
        QStringList sids;
        for (const QList<QVariant> &arguments : std::as_const(endRequested))
            sids << arguments.constFirst().toString();
        // Apart in time, so the next tap is not taken for the second half of a double tap.
        QTest::qWait(QGuiApplication::styleHints()->mouseDoubleClickInterval() + 50);
        return sids;
    }

    // A QML error mostly shows as a warning and a screen that still half works: make it fail
    // the test instead of slipping through as a passing one with a wrong picture.
    static void failOnQmlWarnings()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral("^qrc:/")));
    }

private Q_SLOTS:
    void initTestCase()
    {
        failOnQmlWarnings();
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
        QVERIFY(QTest::qWaitForWindowExposed(m_window));
        for (const char *name : {"endSessionButton", "cancelSessionButton", "messageBanner",
                                 "appArea", "sessionBar", "signedInUser", "signingInIndicator",
                                 "qrCodeImage"})
            QVERIFY2(item(name), name);
    }

    // Every test starts from a free display with nothing to say.
    void init()
    {
        failOnQmlWarnings();
        m_status.setMessage(QString());
        m_status.setSession(QString(), QString(), QString(), QString());
        m_status.setState(QStringLiteral("standby"));
        // A fresh token, so screenshots show the countdown as people would see it.
        m_status.setPairing(pairUri,
                            QDateTime::currentDateTime().addSecs(rotationPeriodSeconds - 18),
                            rotationPeriodSeconds);
        QVERIFY(waitUntilShown([&] { return standbyShown() && !item("messageBanner")->isVisible(); }));
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

    void sessionStatesAtEverySize_data()
    {
        QTest::addColumn<QString>("state");
        QTest::addColumn<QSize>("size");
        const QList<QPair<const char *, QSize>> sizes = {
            {"720p", QSize(1280, 720)}, {"4K", QSize(3840, 2160)}, {"portrait", QSize(1080, 1920)}};
        for (const char *state : {"connecting", "authenticating", "active"}) {
            for (const auto &[sizeName, size] : sizes)
                QTest::addRow("%s %s", state, sizeName) << QString::fromLatin1(state) << size;
        }
    }
    void sessionStatesAtEverySize()
    {
        QFETCH(QString, state);
        QFETCH(QSize, size);
        QVERIFY(resizeWindow(size.width(), size.height()));
        QVERIFY(showSession(state));

        const QString path = screenshot(QStringLiteral("session-%1-%2x%3")
                                            .arg(state).arg(size.width()).arg(size.height()));
        QVERIFY(!path.isEmpty());
        // Busy: no code anywhere on screen, not even a faded one.
        QCOMPARE(decodeWithZbar(path).exitStatus, 4);
        QVERIFY(!isOnScreen(item("qrCodeImage")));

        const bool active = state == QStringLiteral("active");
        const char *buttonName = sessionButtonFor(state);
        QQuickItem *button = item(buttonName);
        QVERIFY(isOnScreen(button));
        QVERIFY(!isOnScreen(item(active ? "cancelSessionButton" : "endSessionButton")));
        QVERIFY(QRectF(0, 0, size.width(), size.height()).contains(sceneRect(button)));

        // Easy to hit from arm's length: at least 8 % of the short side tall (58 px at 720p)
        // and never under the usual 48 px minimum touch target.
        const qreal shortSide = std::min(size.width(), size.height());
        QVERIFY2(button->height() >= std::max(48.0, shortSide * 0.08),
                 qPrintable(QString::number(button->height())));

        QCOMPARE(tap(buttonName), QStringList{sessionId});
        // A finger landing just below the drawn button still ends the session.
        const auto *face = button->property("face").value<QQuickItem *>();
        QVERIFY(face);
        const QRectF faceRect = face->mapRectToItem(button, QRectF(0, 0, face->width(),
                                                                   face->height()));
        QVERIFY(faceRect.bottom() + 4 < button->height());
        QCOMPARE(tap(buttonName, QPointF(faceRect.center().x(),
                                         (faceRect.bottom() + button->height()) / 2)),
                 QStringList{sessionId});

        if (active) {
            QCOMPARE(item("signedInUser")->property("text").toString(), user);
            QVERIFY(isOnScreen(item("signedInUser")));
            QCOMPARE(item("sessionLine")->property("text").toString(), sessionLineFor(state));
            // The bar is slim and the app gets everything under it.
            const QRectF bar = sceneRect(item("sessionBar"));
            const QRectF appArea = sceneRect(item("appArea"));
            QVERIFY2(bar.height() <= shortSide * 0.15, qPrintable(QString::number(bar.height())));
            QCOMPARE(appArea.top(), bar.bottom());
            QCOMPARE(appArea.left(), 0.0);
            QCOMPARE(appArea.width(), qreal(size.width()));
            QCOMPARE(appArea.bottom(), qreal(size.height()));
        } else {
            const QString headline = item("signingInHeadline")->property("text").toString();
            QVERIFY2(headline.contains(user), qPrintable(headline));
            QVERIFY(item("signingInIndicator")->property("running").toBool());
        }
    }

    // A long address shrinks or shortens in the middle; it never runs under the End
    // button or off the screen.
    void longAddressFits_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::newRow("720p") << QSize(1280, 720);
        QTest::newRow("portrait") << QSize(1080, 1920);
    }
    void longAddressFits()
    {
        QFETCH(QSize, size);
        QVERIFY(resizeWindow(size.width(), size.height()));
        const QString longUser = QStringLiteral(
            "maximilian.mustermann-schmidt@conference-centre-east.example.org");
        const QRectF window(0, 0, size.width(), size.height());
        m_status.setState(QStringLiteral("busy"));

        m_status.setSession(sessionId, QStringLiteral("authenticating"), longUser, QString());
        QVERIFY(waitUntilShown([&] { return isOnScreen(item("cancelSessionButton")); }));
        QVERIFY(!screenshot(QStringLiteral("session-long-authenticating-%1x%2")
                                .arg(size.width()).arg(size.height())).isEmpty());
        const QQuickItem *headline = item("signingInHeadline");
        QVERIFY(window.contains(sceneRect(headline)));
        QVERIFY(headline->property("lineCount").toInt() <= 2);

        m_status.setSession(sessionId, QStringLiteral("active"), longUser, QString());
        QVERIFY(waitUntilShown([&] { return isOnScreen(item("endSessionButton")); }));
        QVERIFY(!screenshot(QStringLiteral("session-long-active-%1x%2")
                                .arg(size.width()).arg(size.height())).isEmpty());
        const QQuickItem *shownUser = item("signedInUser");
        const auto *endFace = item("endSessionButton")->property("face").value<QQuickItem *>();
        QVERIFY(endFace);
        QVERIFY(sceneRect(shownUser).right() < sceneRect(endFace).left());
        QVERIFY(shownUser->property("truncated").toBool()
                || shownUser->property("contentWidth").toReal() <= shownUser->width());
    }

    // Waiting for the phone redraws a few times a second for the indicator, not every
    // frame; once signed in the indicator stops.
    void signingInRedrawsRarely()
    {
        QVERIFY(resizeWindow(1280, 720));
        QVERIFY(showSession(QStringLiteral("authenticating")));
        QVERIFY(waitForQuietScene(m_window));
        int frames = 0;
        const auto connection = connect(m_window, &QQuickWindow::afterRendering, this,
                                        [&frames] { ++frames; }, Qt::DirectConnection);
        QTest::qWait(3000);
        disconnect(connection);
        QVERIFY2(frames >= 3, qPrintable(QString::number(frames)));
        QVERIFY2(frames <= 10, qPrintable(QString::number(frames)));

        QVERIFY(showSession(QStringLiteral("active")));
        QVERIFY(!item("signingInIndicator")->property("running").toBool());
    }

    // A faded-out session screen must not catch taps meant for the screen under it.
    void hiddenSessionScreenTakesNoTaps()
    {
        QVERIFY(resizeWindow(1280, 720));
        QCOMPARE(tap("endSessionButton"), QStringList());
        QCOMPARE(tap("cancelSessionButton"), QStringList());
        QVERIFY(showSession(QStringLiteral("connecting")));
        QCOMPARE(tap("endSessionButton"), QStringList());
        QVERIFY(showSession(QStringLiteral("active")));
        QCOMPARE(tap("cancelSessionButton"), QStringList());
    }

    // With slots to spare the code stays up for the next person while a session runs.
    void sessionWithFreeSlotsKeepsTheCode()
    {
        QVERIFY(resizeWindow(1280, 720));
        m_status.setSession(sessionId, QStringLiteral("active"), user,
                            sessionLineFor(QStringLiteral("active")));
        QTest::qWait(settleMs);
        QVERIFY(!isOnScreen(item("endSessionButton")));
        const QString path = screenshot(QStringLiteral("standby-free-slot-1280x720"));
        QVERIFY(!path.isEmpty());
        QCOMPARE(decodeWithZbar(path).text, pairUri);
    }

    void messageOverStandbyKeepsCodeScannable_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::newRow("720p") << QSize(1280, 720);
        QTest::newRow("4K") << QSize(3840, 2160);
        QTest::newRow("portrait") << QSize(1080, 1920);
    }
    void messageOverStandbyKeepsCodeScannable()
    {
        QFETCH(QSize, size);
        QVERIFY(resizeWindow(size.width(), size.height()));
        m_status.setMessage(signInFailed);
        QVERIFY(waitUntilShown([&] { return isOnScreen(item("messageBanner")); }));

        const QString path = screenshot(QStringLiteral("standby-message-%1x%2")
                                            .arg(size.width()).arg(size.height()));
        QVERIFY(!path.isEmpty());
        const Decoded decoded = decodeWithZbar(path);
        QCOMPARE(decoded.exitStatus, 0);
        QCOMPARE(decoded.text, pairUri);

        const QQuickItem *banner = item("messageBanner");
        QVERIFY(isOnScreen(banner));
        QCOMPARE(banner->property("text").toString(), signInFailed);
        const QRectF bannerRect = sceneRect(banner);
        QVERIFY(QRectF(0, 0, size.width(), size.height()).contains(bannerRect));
        QVERIFY(!bannerRect.intersects(sceneRect(item("qrCodeImage"))));

        // Gone again once the daemon clears it.
        m_status.setMessage(QString());
        QVERIFY(waitUntilShown([&] { return !banner->isVisible(); }));
    }

    // End, then what the daemon does: the code is back, the banner says what happened,
    // and nothing names the person who left.
    void endedSessionLeavesNothingBehind()
    {
        QVERIFY(resizeWindow(1280, 720));
        QVERIFY(showSession(QStringLiteral("active")));
        QCOMPARE(tap("endSessionButton"), QStringList{sessionId});
        QVERIFY(endSessionAsTheDaemonDoes(sessionEnded));

        const QString path = screenshot(QStringLiteral("session-ended-1280x720"));
        QVERIFY(!path.isEmpty());
        QCOMPARE(decodeWithZbar(path).text, pairUri);
        QVERIFY(isOnScreen(item("messageBanner")));
        QCOMPARE(item("messageBanner")->property("text").toString(), sessionEnded);
        QVERIFY(!item("endSessionButton")->isVisible());
        QVERIFY(item("signedInUser")->property("text").toString().isEmpty());
    }

    // A message over a session hides none of its controls: not the bar with its End
    // button, not the Cancel button while signing in.
    void messageOverSessionLeavesControlsFree_data()
    {
        QTest::addColumn<QString>("state");
        QTest::addColumn<QSize>("size");
        QTest::newRow("connecting 720p") << QStringLiteral("connecting") << QSize(1280, 720);
        QTest::newRow("connecting portrait") << QStringLiteral("connecting") << QSize(1080, 1920);
        QTest::newRow("active 720p") << QStringLiteral("active") << QSize(1280, 720);
        QTest::newRow("active portrait") << QStringLiteral("active") << QSize(1080, 1920);
    }
    void messageOverSessionLeavesControlsFree()
    {
        QFETCH(QString, state);
        QFETCH(QSize, size);
        QVERIFY(resizeWindow(size.width(), size.height()));
        // Still up from the session before, which the daemon ended a moment ago.
        const QString message = state == QStringLiteral("active")
            ? QStringLiteral("Your phone is out of reach. The session ends in 60 s unless it "
                             "comes back.")
            : signInFailed;
        m_status.setMessage(message);
        QVERIFY(showSession(state));
        const QString path = screenshot(QStringLiteral("session-%1-message-%2x%3")
                                            .arg(state).arg(size.width()).arg(size.height()));
        QVERIFY(!path.isEmpty());
        QCOMPARE(decodeWithZbar(path).exitStatus, 4);

        const QQuickItem *banner = item("messageBanner");
        QVERIFY(isOnScreen(banner));
        QCOMPARE(banner->property("text").toString(), message);
        const bool active = state == QStringLiteral("active");
        const char *buttonName = sessionButtonFor(state);
        const auto *face = item(buttonName)->property("face").value<QQuickItem *>();
        QVERIFY(face);
        QVERIFY(!sceneRect(banner).intersects(sceneRect(face)));
        if (active)
            QVERIFY(!sceneRect(banner).intersects(sceneRect(item("sessionBar"))));
        QCOMPARE(tap(buttonName), QStringList{sessionId});
    }

    // A transfer shows its size and time left with a bar over the app, leaves the session's
    // controls free, then says how it ended for a few seconds and goes.
    void transferShowsProgressThenHowItEnded()
    {
        QVERIFY(resizeWindow(1280, 720));
        QVERIFY(showSession(QStringLiteral("active")));
        const QQuickItem *bar = item("transferBar");
        QVERIFY(bar);
        QVERIFY(!bar->isVisible());

        const QString running = QStringLiteral("Receiving your session: 5.0 MB of 20.0 MB, about 3 s left");
        m_status.setTransfer(true, 0.25, running);
        QVERIFY(waitUntilShown([&] { return isOnScreen(bar); }));
        QCOMPARE(item("transferLine")->property("text").toString(), running);
        const QQuickItem *track = item("transferTrack");
        QVERIFY(isOnScreen(track));
        QTRY_VERIFY(qAbs(item("transferFill")->width() - track->width() * 0.25) < 2);
        QVERIFY(!sceneRect(bar).intersects(sceneRect(item("sessionBar"))));
        const QString path = screenshot(QStringLiteral("session-transfer-1280x720"));
        QVERIFY(!path.isEmpty());

        const QString done = QStringLiteral("Your session arrived.");
        m_status.setTransfer(false, 1.0, done);
        QElapsedTimer sinceDone;
        sinceDone.start();
        QCOMPARE(item("transferLine")->property("text").toString(), done);
        QVERIFY(!track->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!bar->isVisible(), 15000);
        // Up for a few seconds: a timer can fire late on a busy machine, never early.
        QVERIFY2(sinceDone.elapsed() >= 3000, qPrintable(QString::number(sinceDone.elapsed())));
    }
};

QTEST_MAIN(TestSessionScreen)
#include "tst_sessionscreen.moc"
