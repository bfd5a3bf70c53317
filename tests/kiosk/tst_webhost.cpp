// The app host: SessionView, the kiosk-app: scheme, the injected `kiosk` API and
// qml/AppView.qml, driven through the real screen (Main.qml) and a real web engine.
//
// The test app tests/kiosk/apps/probe does what command stanzas tell it and reports
// through kiosk.send(), so every check goes through the API an app uses.
#include "appscheme.h"
#include "displaystatus.h"
#include "kioskbridge.h"
#include "namespaces.h"
#include "screentesting.h"
#include "sessionview.h"

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtWebEngineQuick>

#include <csignal>
#include <memory>

namespace {

const QString probeNs = QStringLiteral("urn:kioskd:test:probe");
const QString userFullJid = QStringLiteral("alice@example.org/kiosk-lobby");
const QString userBareJid = QStringLiteral("alice@example.org");
const QString refusedAddress = QStringLiteral("forbidden@probe.test");
const QString refusalReason = QStringLiteral("no <send/> rule allows a message to forbidden@probe.test");
constexpr int pageTimeoutMs = 20000;

// One session's app as the test sees it: what the page reported and sent.
struct Probe
{
    std::unique_ptr<SessionView> view;
    QList<std::pair<QString, QJsonValue>> reports;
    QList<QDomDocument> sent; // stanzas the page sent that are no reports
    QStringList problems;
    QStringList failures;
    QStringList refusals;
    int endRequests = 0;
};

QRectF sceneRect(const QQuickItem *item)
{
    return item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
}

bool isNear(QColor actual, QColor expected)
{
    return std::abs(actual.red() - expected.red()) <= 2 && std::abs(actual.green() - expected.green()) <= 2
        && std::abs(actual.blue() - expected.blue()) <= 2;
}

QJsonObject obj(const QJsonValue &value)
{
    return value.toObject();
}

} // namespace

class TestWebHost : public QObject
{
    Q_OBJECT

private:
    DisplayStatus m_status;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QString m_appsDir;

    QQuickItem *item(const char *objectName) const
    {
        return m_window->findChild<QQuickItem *>(QString::fromLatin1(objectName));
    }

    // A session of the probe app, shown on screen as the daemon would show it.
    std::unique_ptr<Probe> openProbe(const QString &sid, SessionView::Limits limits = {}, bool show = true,
                                     const QString &app = QStringLiteral("probe"))
    {
        auto probe = std::make_unique<Probe>();
        SessionView::Setup setup;
        setup.sid = sid;
        setup.userJid = userFullJid;
        setup.appId = app;
        setup.params = {{QStringLiteral("room"), QStringLiteral("game@conference.example.org")},
                        {QStringLiteral("team"), QStringLiteral("blue")}};
        setup.appsDir = m_appsDir;
        setup.limits = limits;
        probe->view = std::make_unique<SessionView>(setup);
        Probe *p = probe.get();
        connect(p->view.get(), &SessionView::sendRequested, this,
                [p](const QDomElement &stanza, const SessionView::SendReply &reply) {
                    const QString to = stanza.attribute(QStringLiteral("to"));
                    const QDomElement report = stanza.firstChildElement(QStringLiteral("report"));
                    if (to == QLatin1String("report@probe.test") && report.namespaceURI() == probeNs) {
                        const auto wrapped = QJsonDocument::fromJson(
                            QStringLiteral("[%1]").arg(report.text()).toUtf8());
                        p->reports.append({report.attribute(QStringLiteral("name")),
                                           wrapped.array().at(0)});
                        reply(xmpp::success());
                        return;
                    }
                    if (to == refusedAddress) {
                        xmpp::Error error = xmpp::makeError(xmpp::ErrorCondition::StanzaError, refusalReason,
                                                            QStringLiteral("not-allowed"));
                        reply(error);
                        return;
                    }
                    QDomDocument copy;
                    copy.appendChild(copy.importNode(stanza, true));
                    p->sent.append(copy);
                    reply(xmpp::success());
                });
        connect(p->view.get(), &SessionView::pageProblem, this, [p](const QString &m) { p->problems << m; });
        connect(p->view.get(), &SessionView::failed, this, [p](const QString &m) { p->failures << m; });
        connect(p->view.get(), &SessionView::refused, this, [p](const QString &m) { p->refusals << m; });
        connect(p->view.get(), &SessionView::endRequested, this, [p] { ++p->endRequests; });
        if (show) {
            m_status.setState(QStringLiteral("busy"));
            m_status.setSession(sid, QStringLiteral("active"), userBareJid, QStringLiteral("Signed in."));
            m_status.setAppView(p->view.get());
        }
        return probe;
    }

    // Waits for the page's next report of that name and takes it.
    static std::optional<QJsonValue> takeReport(Probe &probe, const QString &name, int timeoutMs = pageTimeoutMs)
    {
        auto find = [&] {
            for (qsizetype i = 0; i < probe.reports.size(); ++i) {
                if (probe.reports.at(i).first == name)
                    return i;
            }
            return qsizetype(-1);
        };
        if (!QTest::qWaitFor([&] { return find() >= 0; }, timeoutMs))
            return std::nullopt;
        return probe.reports.takeAt(find()).second;
    }

    static QDomElement commandStanza(QDomDocument &document, const QString &name, const QJsonObject &args)
    {
        QDomElement message = document.createElementNS(xmpp::ns::client, QStringLiteral("message"));
        message.setAttribute(QStringLiteral("from"), QStringLiteral("test@probe.test/runner"));
        message.setAttribute(QStringLiteral("to"), userFullJid);
        QDomElement command = document.createElementNS(probeNs, QStringLiteral("command"));
        command.setAttribute(QStringLiteral("name"), name);
        command.appendChild(document.createTextNode(QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact))));
        message.appendChild(command);
        document.appendChild(message);
        return message;
    }

    static void command(Probe &probe, const QString &name, const QJsonObject &args = {})
    {
        QDomDocument document;
        probe.view->deliverStanza(commandStanza(document, name, args));
    }

    static std::optional<QJsonValue> sendFromPage(Probe &probe, const QString &xml)
    {
        command(probe, QStringLiteral("send"), {{QStringLiteral("xml"), xml}});
        return takeReport(probe, QStringLiteral("sent"));
    }

    QImage grab() const { return m_window->grabWindow(); }

private Q_SLOTS:
    void initTestCase()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral("^qrc:/")));
        m_appsDir = qEnvironmentVariable("KIOSKD_SOURCE_DIR") + QStringLiteral("/tests/kiosk/apps");
        QVERIFY2(QFile::exists(m_appsDir + QStringLiteral("/probe/index.html")), qPrintable(m_appsDir));

        m_status.setLabel(QStringLiteral("Hotel Lobby"));
        m_status.setState(QStringLiteral("busy"));
        m_engine = std::make_unique<QQmlApplicationEngine>();
        m_window = loadDisplayWindow(*m_engine, &m_status);
        QVERIFY(m_window);
        m_window->resize(1280, 720);
        QVERIFY(QTest::qWaitForWindowExposed(m_window));
    }

    void cleanup()
    {
        m_status.setAppView(nullptr);
        m_status.setSession(QString(), QString(), QString(), QString());
        m_status.setState(QStringLiteral("standby"));
    }

    void cleanupTestCase()
    {
        m_engine.reset();
    }

    // --- the page and its API ---

    void readyGivesTheSessionInfo()
    {
        auto probe = openProbe(QStringLiteral("s-ready"));
        const auto info = takeReport(*probe, QStringLiteral("ready"));
        QVERIFY(info);
        QCOMPARE(obj(*info).value(QStringLiteral("sid")).toString(), QStringLiteral("s-ready"));
        QCOMPARE(obj(*info).value(QStringLiteral("user")).toString(), userBareJid);
        QCOMPARE(obj(*info).value(QStringLiteral("app")).toString(), QStringLiteral("probe"));
        const QJsonObject params = obj(*info).value(QStringLiteral("params")).toObject();
        QCOMPARE(params.value(QStringLiteral("room")).toString(), QStringLiteral("game@conference.example.org"));
        QCOMPARE(params.value(QStringLiteral("team")).toString(), QStringLiteral("blue"));
        QVERIFY(!obj(*info).contains(QStringLiteral("restart")));

        // Registered long after the events: ready and state still reach the callback.
        probe->view->deliverState({{QStringLiteral("a.txt"), QByteArrayLiteral("hello")}}, {});
        QVERIFY(takeReport(*probe, QStringLiteral("state")));
        QTest::qWait(300);
        command(*probe, QStringLiteral("late"));
        const auto late = takeReport(*probe, QStringLiteral("late"));
        QVERIFY(late);
        QCOMPARE(obj(*late).value(QStringLiteral("sid")).toString(), QStringLiteral("s-ready"));
        QCOMPARE(obj(*late).value(QStringLiteral("files")).toArray(), QJsonArray{QStringLiteral("a.txt")});
    }

    void stanzasArriveInOrderInBatches()
    {
        auto probe = openProbe(QStringLiteral("s-order"));
        QVERIFY(takeReport(*probe, QStringLiteral("ready")));
        auto *bridge = probe->view->findChild<KioskBridge *>();
        QVERIFY(bridge);
        QSignalSpy batches(bridge, &KioskBridge::stanzas);

        constexpr int count = 3000;
        QDomDocument document;
        for (int i = 0; i < count; ++i) {
            QDomElement message = document.createElementNS(xmpp::ns::client, QStringLiteral("message"));
            message.setAttribute(QStringLiteral("id"), QStringLiteral("seq-%1").arg(i));
            message.setAttribute(QStringLiteral("from"), QStringLiteral("game@conference.example.org/bob"));
            QDomElement body = document.createElement(QStringLiteral("body"));
            body.appendChild(document.createTextNode(QString::number(i)));
            message.appendChild(body);
            probe->view->deliverStanza(message);
        }
        command(*probe, QStringLiteral("received"));
        const auto received = takeReport(*probe, QStringLiteral("received"));
        QVERIFY(received);
        const QJsonArray list = received->toArray();
        QCOMPARE(list.size(), count);
        for (int i = 0; i < count; ++i) {
            QCOMPARE(list.at(i).toObject().value(QStringLiteral("id")).toString(), QStringLiteral("seq-%1").arg(i));
            // Each stanza stands alone, namespace included.
            QCOMPARE(list.at(i).toObject().value(QStringLiteral("ns")).toString(), xmpp::ns::client);
        }
        // Batched: far fewer channel messages than stanzas, and never more than a batch holds.
        QVERIFY2(batches.size() >= 3 && batches.size() <= 40, qPrintable(QString::number(batches.size())));
        for (const QList<QVariant> &batch : std::as_const(batches))
            QVERIFY(batch.at(1).toStringList().size() <= 1000);
    }

    void sendStampsAndRefuses()
    {
        auto probe = openProbe(QStringLiteral("s-send"));
        QVERIFY(takeReport(*probe, QStringLiteral("ready")));

        // Without xmlns, from or id: jabber:client, the user's JID, a fresh id.
        auto sent = sendFromPage(*probe, QStringLiteral("<message to='bob@example.org' type='chat'><body>hi &amp; bye</body></message>"));
        QVERIFY(sent);
        QVERIFY2(obj(*sent).value(QStringLiteral("ok")).toBool(), QJsonDocument(obj(*sent)).toJson().constData());
        QCOMPARE(probe->sent.size(), 1);
        QDomElement stanza = probe->sent.constLast().documentElement();
        QCOMPARE(stanza.namespaceURI(), xmpp::ns::client);
        QCOMPARE(stanza.localName(), QStringLiteral("message"));
        QCOMPARE(stanza.attribute(QStringLiteral("from")), userFullJid);
        QVERIFY(!stanza.attribute(QStringLiteral("id")).isEmpty());
        QCOMPARE(obj(*sent).value(QStringLiteral("id")).toString(), stanza.attribute(QStringLiteral("id")));
        QCOMPARE(stanza.firstChildElement(QStringLiteral("body")).text(), QStringLiteral("hi & bye"));

        // A 'from' of the page's own is replaced; its id is kept.
        sent = sendFromPage(*probe, QStringLiteral("<presence xmlns='jabber:client' from='mallory@evil.example' id='p1' to='game@conference.example.org/alice'/>"));
        QVERIFY(sent && obj(*sent).value(QStringLiteral("ok")).toBool());
        stanza = probe->sent.constLast().documentElement();
        QCOMPARE(stanza.attribute(QStringLiteral("from")), userFullJid);
        QCOMPARE(stanza.attribute(QStringLiteral("id")), QStringLiteral("p1"));

        // Refused by the display's filter: the promise rejects with an Error naming why.
        sent = sendFromPage(*probe, QStringLiteral("<message to='%1'><body>x</body></message>").arg(refusedAddress));
        QVERIFY(sent);
        QCOMPARE(obj(*sent).value(QStringLiteral("ok")).toBool(), false);
        QCOMPARE(obj(*sent).value(QStringLiteral("isError")).toBool(), true);
        QCOMPARE(obj(*sent).value(QStringLiteral("error")).toString(), refusalReason);

        // Not stanzas at all: refused before the filter sees them.
        const QList<std::pair<QString, QString>> bad = {
            {QStringLiteral("<message to='bob@example.org'>"), QStringLiteral("not well-formed")},
            {QStringLiteral("hello"), QStringLiteral("one XML element")},
            {QStringLiteral("<foo to='bob@example.org'/>"), QStringLiteral("not a stanza")},
            {QStringLiteral("<message xmlns='urn:other'/>"), QStringLiteral("not a stanza")},
            {QStringLiteral("<message/><message/>"), QStringLiteral("one stanza at a time")},
            {QStringLiteral("<message><!-- c --></message>"), QStringLiteral("not well-formed")},
        };
        const qsizetype sentBefore = probe->sent.size();
        for (const auto &[xml, reason] : bad) {
            sent = sendFromPage(*probe, xml);
            QVERIFY(sent);
            QCOMPARE(obj(*sent).value(QStringLiteral("ok")).toBool(), false);
            const QString error = obj(*sent).value(QStringLiteral("error")).toString();
            QVERIFY2(error.contains(reason), qPrintable(xml + QStringLiteral(" -> ") + error));
        }
        QCOMPARE(probe->sent.size(), sentBefore);
    }

    void prepareOutgoingHoldsTheStreamLimits()
    {
        const QString big = QStringLiteral("<message><body>%1</body></message>").arg(QString(300 * 1024, u'x'));
        const auto tooBig = SessionView::prepareOutgoing(big, userFullJid);
        QVERIFY(!tooBig);
        QVERIFY2(tooBig.error().detail.contains(QStringLiteral("over the stanza limits")), qPrintable(tooBig.error().detail));
        QString deep;
        for (int i = 0; i < 40; ++i)
            deep += QStringLiteral("<x>");
        for (int i = 0; i < 40; ++i)
            deep += QStringLiteral("</x>");
        const auto tooDeep = SessionView::prepareOutgoing(QStringLiteral("<message>%1</message>").arg(deep), userFullJid);
        QVERIFY(!tooDeep);
        QVERIFY2(tooDeep.error().detail.contains(QStringLiteral("over the stanza limits")), qPrintable(tooDeep.error().detail));
        QVERIFY(!SessionView::prepareOutgoing(QStringLiteral("<?xml version='1.0'?><message/>"), userFullJid));
        QVERIFY(!SessionView::prepareOutgoing(QStringLiteral("<message></stream:stream>"), userFullJid));
        const auto ok = SessionView::prepareOutgoing(QStringLiteral("<iq type='get' to='example.org'><ping xmlns='urn:xmpp:ping'/></iq>"), QString());
        QVERIFY(ok);
        QVERIFY(!ok.value().documentElement().hasAttribute(QStringLiteral("from")));
        QCOMPARE(ok.value().documentElement().firstChildElement().namespaceURI(), xmpp::ns::ping);
    }

    void appIsOnScreen()
    {
        auto probe = openProbe(QStringLiteral("s-screen"));
        QVERIFY(takeReport(*probe, QStringLiteral("ready")));
        const QQuickItem *appArea = item("appArea");
        QVERIFY(appArea);
        const QRectF area = sceneRect(appArea);
        const QColor probeColour(0x1e, 0x90, 0xff);
        // The page paints a frame or two after it loaded.
        QVERIFY(QTest::qWaitFor([&] { return isNear(grab().pixelColor(area.center().toPoint()), probeColour); }, 10000));
        const QImage image = grab();
        QVERIFY(isNear(image.pixelColor(QPoint(int(area.left()) + 3, int(area.bottom()) - 3)), probeColour));
        QVERIFY(isNear(image.pixelColor(QPoint(int(area.right()) - 3, int(area.top()) + 3)), probeColour));
        // The session bar stays the display's: the app does not paint over it.
        const QRectF bar = sceneRect(item("sessionBar"));
        QVERIFY(!isNear(image.pixelColor(bar.center().toPoint()), probeColour));
        // The placeholder words are gone.
        QVERIFY(!item("sessionLine")->isVisible());
    }

    // --- confinement ---

    void navigationAndWindowsAreRefused()
    {
        auto probe = openProbe(QStringLiteral("s-nav"));
        QVERIFY(takeReport(*probe, QStringLiteral("ready")));
        command(*probe, QStringLiteral("navigate"));
        const auto navigated = takeReport(*probe, QStringLiteral("navigate"));
        QVERIFY(navigated);
        QCOMPARE(obj(*navigated).value(QStringLiteral("href")).toString(), QStringLiteral("kiosk-app://probe/index.html"));
        QVERIFY2(probe->refusals.contains(QStringLiteral("a navigation away from the app")),
                 qPrintable(probe->refusals.join(u',')));

        command(*probe, QStringLiteral("open"));
        const auto opened = takeReport(*probe, QStringLiteral("open"));
        QVERIFY(opened);
        QCOMPARE(obj(*opened).value(QStringLiteral("opened")).toBool(), false);
        QCOMPARE(obj(*opened).value(QStringLiteral("href")).toString(), QStringLiteral("kiosk-app://probe/index.html"));
        // Still the same page, not a reloaded one.
        QVERIFY(!takeReport(*probe, QStringLiteral("ready"), 500));

        QVERIFY(!probe->refusals.contains(QStringLiteral("a download")));
        command(*probe, QStringLiteral("download"));
        QVERIFY(takeReport(*probe, QStringLiteral("download")));
        // The browser refuses once it has fetched the blob, apart from the page's report.
        QTRY_VERIFY2_WITH_TIMEOUT(probe->refusals.contains(QStringLiteral("a download")),
                                  qPrintable(probe->refusals.join(u',')), 10000);
    }

    void permissionsAndDialogsAreRefused()
    {
        auto probe = openProbe(QStringLiteral("s-perm"));
        QVERIFY(takeReport(*probe, QStringLiteral("ready")));
        command(*probe, QStringLiteral("permissions"));
        const auto permissions = takeReport(*probe, QStringLiteral("permissions"));
        QVERIFY(permissions);
        QCOMPARE(obj(*permissions).value(QStringLiteral("notification")).toString(), QStringLiteral("denied"));
        // GeolocationPositionError.PERMISSION_DENIED
        QCOMPARE(obj(*permissions).value(QStringLiteral("geolocation")).toString(), QStringLiteral("denied:1"));
        QVERIFY(probe->refusals.contains(QStringLiteral("a permission request")));

        // alert, confirm and prompt return at once, as if dismissed.
        command(*probe, QStringLiteral("dialogs"));
        const auto dialogs = takeReport(*probe, QStringLiteral("dialogs"));
        QVERIFY(dialogs);
        QCOMPARE(obj(*dialogs).value(QStringLiteral("confirmed")).toBool(), false);
        QVERIFY(obj(*dialogs).value(QStringLiteral("answer")).isNull());
        QVERIFY(probe->refusals.contains(QStringLiteral("a dialog")));
    }

    void storageWorksAndEndsWithTheSession()
    {
        auto first = openProbe(QStringLiteral("s-first"));
        QVERIFY(takeReport(*first, QStringLiteral("ready")));
        command(*first, QStringLiteral("storage"));
        auto storage = takeReport(*first, QStringLiteral("storage"));
        QVERIFY(storage);
        QVERIFY(obj(*storage).value(QStringLiteral("before")).isNull());
        QCOMPARE(obj(*storage).value(QStringLiteral("cookieBefore")).toString(), QString());
        QCOMPARE(obj(*storage).value(QStringLiteral("after")).toString(), QStringLiteral("written by s-first"));
        QCOMPARE(obj(*storage).value(QStringLiteral("cookieAfter")).toString(), QStringLiteral("probe=s-first"));

        // Kept across a reload of the same session's page.
        QQuickItem *webView = item("appWebView");
        QVERIFY(webView);
        QMetaObject::invokeMethod(webView, "reload");
        QVERIFY(takeReport(*first, QStringLiteral("ready")));
        command(*first, QStringLiteral("storage"));
        storage = takeReport(*first, QStringLiteral("storage"));
        QVERIFY(storage);
        QCOMPARE(obj(*storage).value(QStringLiteral("before")).toString(), QStringLiteral("written by s-first"));
        QCOMPARE(obj(*storage).value(QStringLiteral("cookieBefore")).toString(), QStringLiteral("probe=s-first"));

        // The session ends while its page is on screen: the view goes first, the page
        // after, and the page's renderer with it.
        webView = item("appWebView");
        const qint64 rendererPid = webView->property("renderProcessPid").toLongLong();
        QVERIFY(rendererPid > 0);
        QVERIFY(QDir(QStringLiteral("/proc/%1").arg(rendererPid)).exists());
        first.reset();
        QVERIFY(QTest::qWaitFor([&] { return !item("appWebView"); }, 2000));
        QVERIFY(QTest::qWaitFor([&] { return !QDir(QStringLiteral("/proc/%1").arg(rendererPid)).exists(); }, 10000));

        auto second = openProbe(QStringLiteral("s-second"));
        QVERIFY(takeReport(*second, QStringLiteral("ready")));
        command(*second, QStringLiteral("storage"));
        storage = takeReport(*second, QStringLiteral("storage"));
        QVERIFY(storage);
        QVERIFY2(obj(*storage).value(QStringLiteral("before")).isNull(),
                 qPrintable(obj(*storage).value(QStringLiteral("before")).toString()));
        QCOMPARE(obj(*storage).value(QStringLiteral("cookieBefore")).toString(), QString());
        QCOMPARE(obj(*storage).value(QStringLiteral("cookieAfter")).toString(), QStringLiteral("probe=s-second"));
    }

    void pageReadsOnlyItsOwnFiles()
    {
        auto probe = openProbe(QStringLiteral("s-files"));
        QVERIFY(takeReport(*probe, QStringLiteral("ready")));
        command(*probe, QStringLiteral("files"),
                {{QStringLiteral("urls"), QJsonArray{QStringLiteral("data.txt"), QStringLiteral("missing.txt"),
                                                     QStringLiteral("kiosk-app://other/index.html"),
                                                     QStringLiteral("file:///etc/hostname")}}});
        const auto files = takeReport(*probe, QStringLiteral("files"));
        QVERIFY(files);
        const QJsonArray results = files->toArray();
        QCOMPARE(results.size(), 4);
        QCOMPARE(results.at(0).toObject().value(QStringLiteral("status")).toInt(), 200);
        QCOMPARE(results.at(0).toObject().value(QStringLiteral("text")).toString(), QStringLiteral("probe data"));
        for (int i = 1; i < 4; ++i) {
            QVERIFY2(results.at(i).toObject().value(QStringLiteral("status")).toInt() != 200,
                     qPrintable(QString::number(i)));
            QCOMPARE(results.at(i).toObject().value(QStringLiteral("text")).toString(), QString());
        }
    }

    void schemeServesOnlyTheAppFolder()
    {
        QTemporaryDir apps;
        QVERIFY(apps.isValid());
        const QDir dir(apps.path());
        QVERIFY(dir.mkpath(QStringLiteral("good/sub")));
        QVERIFY(dir.mkpath(QStringLiteral("2048")));
        QVERIFY(dir.mkpath(QStringLiteral("secret")));
        auto write = [&](const QString &name, const QByteArray &content) {
            QFile file(dir.filePath(name));
            return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
        };
        QVERIFY(write(QStringLiteral("good/index.html"), "<p>good</p>"));
        QVERIFY(write(QStringLiteral("good/sub/app.js"), "1"));
        QVERIFY(write(QStringLiteral("good/.env"), "x"));
        QVERIFY(write(QStringLiteral("2048/index.html"), "x"));
        QVERIFY(write(QStringLiteral("secret/index.html"), "secret"));
        QVERIFY(QFile::link(dir.filePath(QStringLiteral("secret/index.html")), dir.filePath(QStringLiteral("good/out.html"))));
        QVERIFY(QFile::link(dir.filePath(QStringLiteral("good/sub/app.js")), dir.filePath(QStringLiteral("good/in.js"))));
        {
            QFile big(dir.filePath(QStringLiteral("good/big.bin")));
            QVERIFY(big.open(QIODevice::WriteOnly));
            QVERIFY(big.resize(appscheme::maxFileBytes + 1));
        }

        using appscheme::FileRefusal;
        auto resolve = [&](const QString &path) { return appscheme::resolveFile(apps.path(), QStringLiteral("good"), path); };
        auto refusal = [&](const QString &path) -> std::optional<FileRefusal> {
            const auto result = resolve(path);
            if (const auto *r = std::get_if<FileRefusal>(&result))
                return *r;
            return std::nullopt;
        };
        const auto index = resolve(QStringLiteral("/"));
        QVERIFY(std::holds_alternative<appscheme::AppFile>(index));
        QCOMPARE(std::get<appscheme::AppFile>(index).path, QFileInfo(dir.filePath(QStringLiteral("good/index.html"))).canonicalFilePath());
        QCOMPARE(std::get<appscheme::AppFile>(index).mimeType, QByteArrayLiteral("text/html;charset=utf-8"));
        QVERIFY(std::holds_alternative<appscheme::AppFile>(resolve(QStringLiteral("/sub/app.js"))));
        QVERIFY(std::holds_alternative<appscheme::AppFile>(resolve(QStringLiteral("/in.js")))); // a link that stays inside
        QCOMPARE(refusal(QStringLiteral("/../secret/index.html")), FileRefusal::Forbidden);
        QCOMPARE(refusal(QStringLiteral("/sub/../../secret/index.html")), FileRefusal::Forbidden);
        QCOMPARE(refusal(QStringLiteral("/./index.html")), FileRefusal::Forbidden);
        QCOMPARE(refusal(QStringLiteral("/out.html")), FileRefusal::Forbidden); // a link leading out
        QCOMPARE(refusal(QStringLiteral("/.env")), FileRefusal::Forbidden);
        QCOMPARE(refusal(QStringLiteral("/big.bin")), FileRefusal::TooLarge);
        QCOMPARE(refusal(QStringLiteral("/missing.js")), FileRefusal::NotFound);
        QCOMPARE(refusal(QStringLiteral("/sub")), FileRefusal::NotFound); // a folder is no file
        QCOMPARE(appscheme::mimeTypeFor(QStringLiteral("a.MJS")), QByteArrayLiteral("text/javascript;charset=utf-8"));
        QCOMPARE(appscheme::mimeTypeFor(QStringLiteral("a.wasm")), QByteArrayLiteral("application/wasm"));
        QCOMPARE(appscheme::mimeTypeFor(QStringLiteral("noext")), QByteArrayLiteral("application/octet-stream"));

        QVERIFY(SessionView::appExists(apps.path(), QStringLiteral("good")));
        QVERIFY(SessionView::appExists(m_appsDir, QStringLiteral("probe")));
        for (const char *id : {"missing", "../good", "good/..", "", ".", "..", "a..b", "good.", "-x", "g/ood",
                               "2048", "app.0x1f", "sub"})
            QVERIFY2(!SessionView::appExists(apps.path(), QString::fromLatin1(id)), id);
        QCOMPARE(appscheme::startUrl(QStringLiteral("X_Hunt.v2")), QUrl(QStringLiteral("kiosk-app://x_hunt.v2/index.html")));
    }

    // --- flow control, the watchdog and the rest of the API ---

    void overflowFailsTheViewOnce()
    {
        SessionView::Limits limits;
        limits.maxPendingStanzas = 50;
        auto probe = openProbe(QStringLiteral("s-overflow"), limits, false);
        QDomDocument document;
        QDomElement message = document.createElementNS(xmpp::ns::client, QStringLiteral("message"));
        document.appendChild(message);
        for (int i = 0; i < 50; ++i)
            probe->view->deliverStanza(message);
        QVERIFY(probe->failures.isEmpty());
        probe->view->deliverStanza(message);
        QCOMPARE(probe->failures.size(), 1);
        QVERIFY2(probe->failures.constFirst().contains(QStringLiteral("could not keep up")), qPrintable(probe->failures.constFirst()));
        probe->view->deliverStanza(message);
        QCOMPARE(probe->failures.size(), 1);

        limits = {};
        limits.maxPendingBytes = 4096;
        auto bytes = openProbe(QStringLiteral("s-overflow-bytes"), limits, false);
        bytes->view->deliverStanza(QString(1000, u'x'));
        QVERIFY(bytes->failures.isEmpty());
        bytes->view->deliverStanza(QString(1100, u'x'));
        QCOMPARE(bytes->failures.size(), 1);
    }

    void hangingPageIsRestarted()
    {
        SessionView::Limits limits;
        // Short, to keep the test short, with room for a renderer that a busy machine starves
        // for a few seconds.
        limits.watchdogTimeoutMs = 5000;
        auto probe = openProbe(QStringLiteral("s-hang"), limits);
        QVERIFY(takeReport(*probe, QStringLiteral("ready")));
        QQuickItem *webView = item("appWebView");
        QVERIFY(webView);
        const qint64 hungPid = webView->property("renderProcessPid").toLongLong();
        QVERIFY(hungPid > 0);
        // A normal page keeps answering: no restart for longer than the watchdog waits.
        QTest::qWait(11000);
        QVERIFY(probe->problems.isEmpty());

        command(*probe, QStringLiteral("hang"));
        QVERIFY(QTest::qWaitFor([&] { return !probe->problems.isEmpty(); }, 30000));
        QCOMPARE(probe->problems.constFirst(), QStringLiteral("The app stopped responding and was restarted."));
        const auto info = takeReport(*probe, QStringLiteral("ready"));
        QVERIFY(info);
        const QJsonObject restart = obj(*info).value(QStringLiteral("restart")).toObject();
        QCOMPARE(restart.value(QStringLiteral("reason")).toString(), QStringLiteral("stopped responding"));
        // The command it hung on is not given again.
        QCOMPARE(restart.value(QStringLiteral("droppedStanzas")).toInt(), 1);
        QVERIFY(webView->property("renderProcessPid").toLongLong() != hungPid);
        QVERIFY(probe->failures.isEmpty());

        // Works again: stanzas arrive.
        command(*probe, QStringLiteral("received"));
        QVERIFY(takeReport(*probe, QStringLiteral("received")));
    }

    void crashedPageIsRestartedUntilItKeepsCrashing()
    {
        SessionView::Limits limits;
        limits.maxRestarts = 1;
        auto probe = openProbe(QStringLiteral("s-crash"), limits);
        QVERIFY(takeReport(*probe, QStringLiteral("ready")));
        QQuickItem *webView = item("appWebView");
        QVERIFY(webView);

        // Stanzas that arrive while the page is down wait for the new one.
        qint64 pid = webView->property("renderProcessPid").toLongLong();
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
        QVERIFY(QTest::qWaitFor([&] { return !probe->problems.isEmpty(); }, 10000));
        QCOMPARE(probe->problems.constFirst(), QStringLiteral("The app crashed and was restarted."));
        command(*probe, QStringLiteral("received"));
        const auto info = takeReport(*probe, QStringLiteral("ready"));
        QVERIFY(info);
        QCOMPARE(obj(*info).value(QStringLiteral("restart")).toObject().value(QStringLiteral("reason")).toString(),
                 QStringLiteral("crashed"));
        QVERIFY(takeReport(*probe, QStringLiteral("received")));

        // Once more within the window: over the budget, the view gives up.
        QVERIFY(QTest::qWaitFor([&] { return webView->property("renderProcessPid").toLongLong() > 0; }, 5000));
        pid = webView->property("renderProcessPid").toLongLong();
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
        QVERIFY(QTest::qWaitFor([&] { return !probe->failures.isEmpty(); }, 10000));
        QVERIFY2(probe->failures.constFirst().contains(QStringLiteral("kept failing")), qPrintable(probe->failures.constFirst()));
        QCOMPARE(probe->problems.size(), 1);
    }

    void pageThatNeverLoadsIsRestartedThenGivenUp()
    {
        SessionView::Limits limits;
        limits.loadTimeoutMs = 1500;
        limits.maxRestarts = 1;
        auto stuck = openProbe(QStringLiteral("s-stuck"), limits, true, QStringLiteral("stuck"));
        QVERIFY(QTest::qWaitFor([&] { return !stuck->problems.isEmpty(); }, 15000));
        QCOMPARE(stuck->problems.constFirst(), QStringLiteral("The app did not start and was restarted."));
        QVERIFY(QTest::qWaitFor([&] { return !stuck->failures.isEmpty(); }, 15000));
        QCOMPARE(stuck->problems.size(), 1);
        QVERIFY(stuck->reports.isEmpty());

        // Ending the session ends the stuck renderer too.
        const qint64 pid = item("appWebView")->property("renderProcessPid").toLongLong();
        QVERIFY(pid > 0);
        QVERIFY(QDir(QStringLiteral("/proc/%1").arg(pid)).exists());
        stuck.reset();
        QVERIFY(QTest::qWaitFor([&] { return !QDir(QStringLiteral("/proc/%1").arg(pid)).exists(); }, 10000));
    }

    void appCanEndTheSession()
    {
        auto probe = openProbe(QStringLiteral("s-end"));
        QVERIFY(takeReport(*probe, QStringLiteral("ready")));
        QCOMPARE(probe->endRequests, 0);
        command(*probe, QStringLiteral("end"));
        QVERIFY(QTest::qWaitFor([&] { return probe->endRequests == 1; }, 5000));
    }

    void stateGoesInAndSnapshotsComeBack()
    {
        auto probe = openProbe(QStringLiteral("s-state"));
        QVERIFY(takeReport(*probe, QStringLiteral("ready")));

        // No provider yet: an error, not a hang.
        std::optional<xmpp::Result<SessionView::Files>> snapshot;
        probe->view->requestSnapshot(this, [&](const xmpp::Result<SessionView::Files> &r) { snapshot = r; });
        QVERIFY(QTest::qWaitFor([&] { return snapshot.has_value(); }, 5000));
        QVERIFY(!*snapshot);
        QVERIFY2(snapshot->error().detail.contains(QStringLiteral("provideSnapshot")), qPrintable(snapshot->error().detail));

        const QByteArray binary("\x00\x01\xfe\xff", 4);
        probe->view->deliverState({{QStringLiteral("map.json"), QByteArrayLiteral("{\"x\":1}")}, {QStringLiteral("raw.bin"), binary}},
                                  {QStringLiteral("<message xmlns='jabber:client'/>"), QStringLiteral("<presence xmlns='jabber:client'/>")});
        const auto state = takeReport(*probe, QStringLiteral("state"));
        QVERIFY(state);
        const QJsonObject files = obj(*state).value(QStringLiteral("files")).toObject();
        QCOMPARE(files.value(QStringLiteral("map.json")).toString(), QString::fromLatin1(QByteArrayLiteral("{\"x\":1}").toBase64()));
        QCOMPARE(files.value(QStringLiteral("raw.bin")).toString(), QString::fromLatin1(binary.toBase64()));
        QCOMPARE(obj(*state).value(QStringLiteral("log")).toArray().size(), 2);

        command(*probe, QStringLiteral("provide"),
                {{QStringLiteral("files"), QJsonObject{{QStringLiteral("snap.bin"), QString::fromLatin1(binary.toBase64())}}}});
        QVERIFY(takeReport(*probe, QStringLiteral("provided")));
        snapshot.reset();
        probe->view->requestSnapshot(this, [&](const xmpp::Result<SessionView::Files> &r) { snapshot = r; });
        QVERIFY(QTest::qWaitFor([&] { return snapshot.has_value(); }, 5000));
        QVERIFY2(snapshot->ok(), qPrintable(snapshot->ok() ? QString() : snapshot->error().detail));
        QCOMPARE(snapshot->value().value(QStringLiteral("snap.bin")), binary);

        // Files that are no base64, or names that could be paths, are refused.
        command(*probe, QStringLiteral("provide"), {{QStringLiteral("files"), QJsonObject{{QStringLiteral("a"), QStringLiteral("%%%")}}}});
        QVERIFY(takeReport(*probe, QStringLiteral("provided")));
        snapshot.reset();
        probe->view->requestSnapshot(this, [&](const xmpp::Result<SessionView::Files> &r) { snapshot = r; });
        QVERIFY(QTest::qWaitFor([&] { return snapshot.has_value(); }, 5000));
        QVERIFY(!*snapshot);
        command(*probe, QStringLiteral("provide"), {{QStringLiteral("files"), QJsonObject{{QStringLiteral("../a"), QStringLiteral("AA==")}}}});
        QVERIFY(takeReport(*probe, QStringLiteral("provided")));
        snapshot.reset();
        probe->view->requestSnapshot(this, [&](const xmpp::Result<SessionView::Files> &r) { snapshot = r; });
        QVERIFY(QTest::qWaitFor([&] { return snapshot.has_value(); }, 5000));
        QVERIFY(!*snapshot);

        // A view that goes away still answers, exactly once.
        int calls = 0;
        probe->view->requestSnapshot(this, [&](const xmpp::Result<SessionView::Files> &r) {
            ++calls;
            QVERIFY(!r);
        });
        probe.reset();
        QTest::qWait(100);
        QCOMPARE(calls, 1);
    }

    void serializedStanzasStandAlone()
    {
        QDomDocument document;
        QDomElement message = document.createElementNS(xmpp::ns::client, QStringLiteral("message"));
        message.setAttribute(QStringLiteral("to"), QStringLiteral("a@b"));
        QDomElement x = document.createElementNS(QStringLiteral("urn:x"), QStringLiteral("x"));
        message.appendChild(x);
        document.appendChild(message);
        QCOMPARE(SessionView::serializeForPage(message),
                 QStringLiteral("<message xmlns='jabber:client' to='a@b'><x xmlns='urn:x'/></message>"));
    }
};

int main(int argc, char *argv[])
{
    // As kioskd's main() does: both before the application object.
    appscheme::registerScheme();
    QtWebEngineQuick::initialize();
    QGuiApplication app(argc, argv);
    TestWebHost test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_webhost.moc"
