// The chat app (web/apps/chat, docs/chat.md) in the real app host: SessionView, the
// injected `kiosk` API and qml/AppView.qml in the display's screen, with a real web
// engine. Transferred state goes in through SessionView::deliverState(), stanzas through
// deliverStanza(), the history comes back through requestSnapshot(); what the page shows
// is read from its DOM.
#include "appscheme.h"
#include "displaystatus.h"
#include "namespaces.h"
#include "screentesting.h"
#include "sessionview.h"

#include <QDateTime>
#include <QDomDocument>
#include <QFile>
#include <QGuiApplication>
#include <QJSEngine>
#include <QJSValue>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QTest>
#include <QtWebEngineQuick>

#include <memory>
#include <optional>

namespace {

const QString userFullJid = QStringLiteral("alice@example.org/kiosk-lobby-1f2e");
const QString userBareJid = QStringLiteral("alice@example.org");
const QString peerJid = QStringLiteral("bob@example.org");
const QString refusalReason = QStringLiteral("no <send/> rule allows a message to bob@example.org");
constexpr int pageTimeoutMs = 20000;

// Bodies that must come through every step unchanged: non-Latin scripts, characters
// outside the BMP, combining marks, a ZWJ sequence, right-to-left text, markup.
const QString bodyUmlauts = QStringLiteral("Grüße aus Köln — 日本語のテキスト 🎉 עברית");
const QString bodyMarkup = QStringLiteral("<b>not bold</b> &amp; <script>alert(1)</script> \"q\" 'a'");
const QString bodyNoId = QStringLiteral("Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich 🥊");
const QString bodyFromLog = QStringLiteral("Ça va? 👋🏽 e\u0301 👩\u200D👩\u200D👧 𝄞");
const QString bodyCarol = QStringLiteral("Привет из Москвы");
const QString bodyLive = QStringLiteral("Live: ☃ \U0001F680 Ελληνικά");
const QString bodySent = QStringLiteral("Bis gleich! 🚲 ½");

// What the page shows, one entry per row of its list.
struct Row
{
    QString kind; // "in", "out", "day", "group"
    QString who;  // sender name (bubbles), contact name (groups)
    QString time;
    QString text;
};

QJsonObject historyEntry(const QString &id, const QString &from, const QString &to, const QString &stamp,
                         const QString &body, const QString &direction)
{
    return {{QStringLiteral("id"), id},       {QStringLiteral("from"), from}, {QStringLiteral("to"), to},
            {QStringLiteral("stamp"), stamp}, {QStringLiteral("body"), body}, {QStringLiteral("direction"), direction}};
}

QByteArray historyFile(const QJsonArray &messages)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("messages"), messages}})
        .toJson(QJsonDocument::Compact);
}

// A packet log entry as PacketLog::toForwarded() writes it.
QString forwarded(const QString &stamp, const QString &messageXml)
{
    return QStringLiteral("<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='%1'/>%2</forwarded>")
        .arg(stamp, messageXml);
}

QString chatMessage(const QString &from, const QString &id, const QString &body, const QString &type = QStringLiteral("chat"),
                    const QString &delayStamp = QString())
{
    QDomDocument document;
    QDomElement message = document.createElementNS(xmpp::ns::client, QStringLiteral("message"));
    message.setAttribute(QStringLiteral("from"), from);
    message.setAttribute(QStringLiteral("to"), userFullJid);
    if (!type.isEmpty())
        message.setAttribute(QStringLiteral("type"), type);
    if (!id.isEmpty())
        message.setAttribute(QStringLiteral("id"), id);
    if (!body.isNull()) {
        QDomElement element = document.createElementNS(xmpp::ns::client, QStringLiteral("body"));
        element.appendChild(document.createTextNode(body));
        message.appendChild(element);
    }
    if (!delayStamp.isEmpty()) {
        QDomElement delay = document.createElementNS(xmpp::ns::delay, QStringLiteral("delay"));
        delay.setAttribute(QStringLiteral("stamp"), delayStamp);
        message.appendChild(delay);
    }
    document.appendChild(message);
    return SessionView::serializeForPage(message);
}

QString localClock(const QString &stamp)
{
    return QDateTime::fromString(stamp, Qt::ISODateWithMs).toLocalTime().toString(QStringLiteral("HH:mm"));
}

} // namespace

// Receives runJavaScript's results.
class ScriptSink : public QObject
{
    Q_OBJECT

public:
    std::optional<QString> result;
    Q_INVOKABLE void take(const QString &json) { result = json; }
};

class TestChatApp : public QObject
{
    Q_OBJECT

private:
    DisplayStatus m_status;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QString m_appsDir;
    ScriptSink m_sink;
    QJSValue m_callback;

    // One session of the chat app, and what it asked to send.
    struct Chat
    {
        std::unique_ptr<SessionView> view;
        QList<QDomDocument> sent;
        int attached = 0;
    };

    std::unique_ptr<Chat> openChat(const QString &sid, const QVariantMap &params)
    {
        auto chat = std::make_unique<Chat>();
        SessionView::Setup setup;
        setup.sid = sid;
        setup.userJid = userFullJid;
        setup.appId = QStringLiteral("chat");
        setup.params = params;
        setup.appsDir = m_appsDir;
        chat->view = std::make_unique<SessionView>(setup);
        Chat *c = chat.get();
        connect(c->view.get(), &SessionView::sendRequested, this,
                [c](const QDomElement &stanza, const SessionView::SendReply &reply) {
                    QDomDocument copy;
                    copy.appendChild(copy.importNode(stanza, true));
                    c->sent.append(copy);
                    if (stanza.firstChildElement(QStringLiteral("body")).text().contains(QStringLiteral("refuse-me")))
                        reply(xmpp::makeError(xmpp::ErrorCondition::StanzaError, refusalReason, QStringLiteral("not-allowed")));
                    else
                        reply(xmpp::success());
                });
        connect(c->view.get(), &SessionView::pageAttached, this, [c] { ++c->attached; });
        m_status.setState(QStringLiteral("busy"));
        m_status.setSession(sid, QStringLiteral("active"), userBareJid, QStringLiteral("Signed in."));
        m_status.setAppView(c->view.get());
        return chat;
    }

    QQuickItem *webView() const { return m_window->findChild<QQuickItem *>(QStringLiteral("appWebView")); }

    // Runs script in the page (it must give a string) and returns the result.
    std::optional<QString> evaluate(const QString &script)
    {
        QQuickItem *view = webView();
        if (!view)
            return std::nullopt;
        m_sink.result.reset();
        if (!QMetaObject::invokeMethod(view, "runJavaScript", Q_ARG(QString, script), Q_ARG(QJSValue, m_callback)))
            return std::nullopt;
        if (!QTest::qWaitFor([&] { return m_sink.result.has_value(); }, 10000))
            return std::nullopt;
        return m_sink.result;
    }

    // The page's screen as data: its rows, the composer and the status line.
    struct Screen
    {
        QList<Row> rows;
        QString contact;
        QString status;
        bool composerShown = false;
        int markupElements = -1; // elements inside message texts: there must be none
    };

    std::optional<Screen> screen()
    {
        const auto json = evaluate(QStringLiteral(R"((function () {
            const text = (root, selector) => { const e = root.querySelector(selector); return e ? e.textContent : ''; };
            const rows = Array.from(document.querySelectorAll('#messages > li')).map(li => {
                if (li.classList.contains('msg'))
                    return {kind: li.classList.contains('out') ? 'out' : 'in', who: text(li, '.who'),
                            time: text(li, '.time'), text: text(li, '.text')};
                if (li.classList.contains('group'))
                    return {kind: 'group', who: text(li, '.group-name'), time: '', text: text(li, '.group-jid')};
                return {kind: li.className, who: '', time: '', text: li.textContent};
            });
            const status = document.getElementById('status');
            return JSON.stringify({rows, contact: document.getElementById('contact').textContent,
                                   status: status.hidden ? '' : status.textContent,
                                   composerShown: !document.getElementById('composer').hidden,
                                   markup: document.querySelectorAll('#messages .text *').length});
        })())"));
        if (!json)
            return std::nullopt;
        const QJsonObject o = QJsonDocument::fromJson(json->toUtf8()).object();
        Screen s;
        for (const QJsonValue &v : o.value(QStringLiteral("rows")).toArray()) {
            const QJsonObject r = v.toObject();
            s.rows.append({r.value(QStringLiteral("kind")).toString(), r.value(QStringLiteral("who")).toString(),
                           r.value(QStringLiteral("time")).toString(), r.value(QStringLiteral("text")).toString()});
        }
        s.contact = o.value(QStringLiteral("contact")).toString();
        s.status = o.value(QStringLiteral("status")).toString();
        s.composerShown = o.value(QStringLiteral("composerShown")).toBool();
        s.markupElements = o.value(QStringLiteral("markup")).toInt(-1);
        return s;
    }

    static QList<Row> bubbles(const Screen &s)
    {
        QList<Row> result;
        for (const Row &r : s.rows) {
            if (r.kind == QLatin1String("in") || r.kind == QLatin1String("out"))
                result.append(r);
        }
        return result;
    }

    // Waits until the page shows that many message bubbles, and returns its screen (the
    // last one read, when it never did: the caller's checks then say what it showed).
    std::optional<Screen> waitForBubbles(qsizetype count)
    {
        std::optional<Screen> last;
        static_cast<void>(QTest::qWaitFor([&] {
            last = screen();
            return last && bubbles(*last).size() == count;
        }, pageTimeoutMs));
        return last;
    }

    bool waitForPage(const Chat &chat, const QString &contact)
    {
        if (!QTest::qWaitFor([&] { return chat.attached > 0; }, pageTimeoutMs))
            return false;
        return QTest::qWaitFor([&] {
            const auto s = screen();
            return s && s->contact == contact;
        }, pageTimeoutMs);
    }

    static std::optional<QJsonArray> snapshotMessages(SessionView &view, QObject *context)
    {
        std::optional<xmpp::Result<SessionView::Files>> snapshot;
        view.requestSnapshot(context, [&](const xmpp::Result<SessionView::Files> &r) { snapshot = r; });
        if (!QTest::qWaitFor([&] { return snapshot.has_value(); }, 10000) || !snapshot->ok())
            return std::nullopt;
        const SessionView::Files files = snapshot->value();
        if (files.size() != 1 || !files.contains(QStringLiteral("history.json")))
            return std::nullopt;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(files.value(QStringLiteral("history.json")), &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()
            || document.object().value(QStringLiteral("version")).toInt() != 1)
            return std::nullopt;
        return document.object().value(QStringLiteral("messages")).toArray();
    }

    static void deliverLive(Chat &chat, const QString &xml) { chat.view->deliverStanza(xml); }

    // Types text into the page's box and presses its button, as a person would.
    bool typeAndSend(const QString &text)
    {
        const QString literal = QString::fromUtf8(QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact));
        const auto done = evaluate(QStringLiteral(
            "(function () { const input = document.getElementById('text'); input.value = %1[0];"
            " document.getElementById('send').click(); return 'clicked'; })()").arg(literal));
        return done && *done == QLatin1String("clicked");
    }

private Q_SLOTS:
    void initTestCase()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral("^qrc:/")));
        m_appsDir = qEnvironmentVariable("KIOSKD_SOURCE_DIR") + QStringLiteral("/web/apps");
        QVERIFY2(QFile::exists(m_appsDir + QStringLiteral("/chat/index.html")), qPrintable(m_appsDir));
        QVERIFY(SessionView::appExists(m_appsDir, QStringLiteral("chat")));

        m_status.setLabel(QStringLiteral("Hotel Lobby"));
        m_status.setState(QStringLiteral("busy"));
        m_engine = std::make_unique<QQmlApplicationEngine>();
        m_window = loadDisplayWindow(*m_engine, &m_status);
        QVERIFY(m_window);
        m_window->resize(1280, 720);
        QVERIFY(QTest::qWaitForWindowExposed(m_window));

        QJSEngine::setObjectOwnership(&m_sink, QJSEngine::CppOwnership);
        const QJSValue factory = m_engine->evaluate(QStringLiteral("(function (sink) { return function (result) { sink.take(String(result)); }; })"));
        QVERIFY(factory.isCallable());
        m_callback = factory.call({m_engine->newQObject(&m_sink)});
        QVERIFY(m_callback.isCallable());
    }

    void cleanup()
    {
        m_status.setAppView(nullptr);
        m_status.setSession(QString(), QString(), QString(), QString());
        m_status.setState(QStringLiteral("standby"));
    }

    void cleanupTestCase()
    {
        m_callback = QJSValue();
        m_engine.reset();
    }

    void transferredHistoryIsMergedShownAndHandedBack()
    {
        auto chat = openChat(QStringLiteral("s-chat"), {{QStringLiteral("peer"), peerJid}});
        QVERIFY(waitForPage(*chat, peerJid));
        auto shown = screen();
        QVERIFY(shown);
        QVERIFY(bubbles(*shown).isEmpty());
        QVERIFY(shown->composerShown);

        // The phone's history: out of order, with an entry for another contact (kept, not
        // shown), one without an id and one that is no message.
        const QJsonArray history = {
            historyEntry(QStringLiteral("h3"), QStringLiteral("bob@example.org/phone"), userBareJid,
                         QStringLiteral("2025-03-01T09:12:30Z"), QStringLiteral("Später mehr."), QStringLiteral("in")),
            historyEntry(QStringLiteral("h2"), QStringLiteral("alice@example.org/phone"), QStringLiteral("bob@example.org"),
                         QStringLiteral("2025-03-01T09:02:00.250Z"), bodyMarkup, QStringLiteral("out")),
            historyEntry(QStringLiteral("h1"), QStringLiteral("bob@example.org/phone"), QStringLiteral("alice@example.org/phone"),
                         QStringLiteral("2025-03-01T09:00:00Z"), bodyUmlauts, QStringLiteral("in")),
            historyEntry(QString(), QStringLiteral("Bob@Example.org/tablet"), userBareJid,
                         QStringLiteral("2025-03-01T09:10:00Z"), bodyNoId, QStringLiteral("in")),
            historyEntry(QStringLiteral("c1"), QStringLiteral("carol@example.org/home"), userBareJid,
                         QStringLiteral("2025-03-01T08:00:00+01:00"), bodyCarol, QStringLiteral("in")),
            historyEntry(QStringLiteral("x1"), QStringLiteral("bob@example.org/phone"), userBareJid,
                         QStringLiteral("2025-03-01T09:11:00Z"), QStringLiteral("not a direction"), QStringLiteral("sideways")),
        };
        // The packet log, in both shapes an entry may have (the stanza with a <delay/> of
        // its own, or an XEP-0297 <forwarded/> with the <delay/> beside it): one new
        // message (between h2 and the id-less one), a copy of h1 (same id), a copy of the
        // id-less one from another resource a few hundred milliseconds off, and what is no
        // chat message.
        const QStringList log = {
            chatMessage(QStringLiteral("bob@example.org/phone"), QStringLiteral("l1"), bodyFromLog, QStringLiteral("chat"),
                        QStringLiteral("2025-03-01T09:05:00Z")),
            forwarded(QStringLiteral("2025-03-01T09:00:00.000Z"), chatMessage(QStringLiteral("bob@example.org/phone"), QStringLiteral("h1"), bodyUmlauts)),
            forwarded(QStringLiteral("2025-03-01T09:10:00.400Z"), chatMessage(QStringLiteral("bob@example.org/phone"), QString(), bodyNoId, QString())),
            forwarded(QStringLiteral("2025-03-01T09:06:00Z"), chatMessage(QStringLiteral("bob@example.org/phone"), QStringLiteral("l2"), QString())),
            forwarded(QStringLiteral("2025-03-01T09:07:00Z"), chatMessage(QStringLiteral("room@conference.example.org/bob"), QStringLiteral("g1"), QStringLiteral("groupchat"), QStringLiteral("groupchat"))),
            QStringLiteral("<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2025-03-01T09:08:00Z'/>"),
        };
        chat->view->deliverState({{QStringLiteral("history.json"), historyFile(history)}}, log);

        shown = waitForBubbles(5);
        QVERIFY(shown);
        QList<Row> rows = bubbles(*shown);
        QCOMPARE(rows.size(), 5);
        const QList<std::tuple<QString, QString, QString>> expected = {
            {QStringLiteral("in"), QStringLiteral("bob"), bodyUmlauts},
            {QStringLiteral("out"), QStringLiteral("You"), bodyMarkup},
            {QStringLiteral("in"), QStringLiteral("bob"), bodyFromLog},
            {QStringLiteral("in"), QStringLiteral("Bob"), bodyNoId},
            {QStringLiteral("in"), QStringLiteral("bob"), QStringLiteral("Später mehr.")},
        };
        for (qsizetype i = 0; i < expected.size(); ++i) {
            QCOMPARE(rows.at(i).kind, std::get<0>(expected.at(i)));
            QCOMPARE(rows.at(i).who, std::get<1>(expected.at(i)));
            QCOMPARE(rows.at(i).text, std::get<2>(expected.at(i)));
        }
        QCOMPARE(rows.at(0).time, localClock(QStringLiteral("2025-03-01T09:00:00Z")));
        QCOMPARE(rows.at(2).time, localClock(QStringLiteral("2025-03-01T09:05:00Z")));
        // Markup in a body is text, not elements.
        QCOMPARE(shown->markupElements, 0);
        // One day separator before the first bubble of the day.
        QCOMPARE(shown->rows.constFirst().kind, QStringLiteral("day"));

        // A live message goes at the end; no-chat stanzas and other contacts do not show.
        deliverLive(*chat, chatMessage(QStringLiteral("carol@example.org/home"), QStringLiteral("c2"), QStringLiteral("carol live")));
        deliverLive(*chat, chatMessage(QStringLiteral("bob@example.org/phone"), QStringLiteral("e1"), QStringLiteral("an error"), QStringLiteral("error")));
        deliverLive(*chat, QStringLiteral("<message xmlns='jabber:client' from='bob@example.org/phone' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>"));
        deliverLive(*chat, chatMessage(QStringLiteral("bob@example.org/phone"), QStringLiteral("live1"), bodyLive));
        shown = waitForBubbles(6);
        QVERIFY(shown);
        rows = bubbles(*shown);
        QCOMPARE(rows.size(), 6);
        QCOMPARE(rows.last().kind, QStringLiteral("in"));
        QCOMPARE(rows.last().text, bodyLive);
        QCOMPARE(rows.at(4).text, QStringLiteral("Später mehr."));
        // The same stanza again (a page that reloads may see one twice): still one.
        deliverLive(*chat, chatMessage(QStringLiteral("bob@example.org/phone"), QStringLiteral("live1"), bodyLive));
        QTest::qWait(500);
        shown = screen();
        QVERIFY(shown);
        QCOMPARE(bubbles(*shown).size(), 6);

        // Sending from the display: the stanza goes to the peer as a chat message, and
        // shows as the user's.
        QVERIFY(typeAndSend(bodySent));
        QVERIFY(QTest::qWaitFor([&] { return chat->sent.size() == 1; }, 10000));
        const QDomElement stanza = chat->sent.constFirst().documentElement();
        QCOMPARE(stanza.localName(), QStringLiteral("message"));
        QCOMPARE(stanza.namespaceURI(), xmpp::ns::client);
        QCOMPARE(stanza.attribute(QStringLiteral("to")), peerJid);
        QCOMPARE(stanza.attribute(QStringLiteral("type")), QStringLiteral("chat"));
        QCOMPARE(stanza.attribute(QStringLiteral("from")), userFullJid);
        const QString sentId = stanza.attribute(QStringLiteral("id"));
        QVERIFY(!sentId.isEmpty());
        QCOMPARE(stanza.firstChildElement(QStringLiteral("body")).text(), bodySent);
        shown = waitForBubbles(7);
        QVERIFY(shown);
        QCOMPARE(bubbles(*shown).last().kind, QStringLiteral("out"));
        QCOMPARE(bubbles(*shown).last().who, QStringLiteral("You"));
        QCOMPARE(bubbles(*shown).last().text, bodySent);
        QCOMPARE(shown->status, QString());

        // A refused send shows why, and adds nothing.
        QVERIFY(typeAndSend(QStringLiteral("please refuse-me")));
        QVERIFY(QTest::qWaitFor([&] {
            const auto s = screen();
            return s && !s->status.isEmpty();
        }, 10000));
        shown = screen();
        QVERIFY(shown);
        QCOMPARE(shown->status, QStringLiteral("Not sent: ") + refusalReason);
        QCOMPARE(bubbles(*shown).size(), 7);
        QCOMPARE(chat->sent.size(), 2);

        // The history goes back with everything: the merged history in time order, the
        // other contact's messages, the live ones and the sent one, every body exact.
        const auto messages = snapshotMessages(*chat->view, this);
        QVERIFY(messages);
        struct Expected
        {
            QString id, from, to, stamp, body, direction;
        };
        const QList<Expected> back = {
            {QStringLiteral("c1"), QStringLiteral("carol@example.org/home"), userBareJid, QStringLiteral("2025-03-01T08:00:00+01:00"), bodyCarol, QStringLiteral("in")},
            {QStringLiteral("h1"), QStringLiteral("bob@example.org/phone"), QStringLiteral("alice@example.org/phone"), QStringLiteral("2025-03-01T09:00:00Z"), bodyUmlauts, QStringLiteral("in")},
            {QStringLiteral("h2"), QStringLiteral("alice@example.org/phone"), QStringLiteral("bob@example.org"), QStringLiteral("2025-03-01T09:02:00.250Z"), bodyMarkup, QStringLiteral("out")},
            {QStringLiteral("l1"), QStringLiteral("bob@example.org/phone"), userFullJid, QStringLiteral("2025-03-01T09:05:00Z"), bodyFromLog, QStringLiteral("in")},
            {QString(), QStringLiteral("Bob@Example.org/tablet"), userBareJid, QStringLiteral("2025-03-01T09:10:00Z"), bodyNoId, QStringLiteral("in")},
            {QStringLiteral("h3"), QStringLiteral("bob@example.org/phone"), userBareJid, QStringLiteral("2025-03-01T09:12:30Z"), QStringLiteral("Später mehr."), QStringLiteral("in")},
            {QStringLiteral("c2"), QStringLiteral("carol@example.org/home"), userFullJid, QString(), QStringLiteral("carol live"), QStringLiteral("in")},
            {QStringLiteral("live1"), QStringLiteral("bob@example.org/phone"), userFullJid, QString(), bodyLive, QStringLiteral("in")},
            {sentId, userBareJid, peerJid, QString(), bodySent, QStringLiteral("out")},
        };
        QCOMPARE(messages->size(), back.size());
        qint64 previous = 0;
        for (qsizetype i = 0; i < back.size(); ++i) {
            const QJsonObject m = messages->at(i).toObject();
            const Expected &e = back.at(i);
            QCOMPARE(m.value(QStringLiteral("id")).toString(), e.id);
            QCOMPARE(m.value(QStringLiteral("from")).toString(), e.from);
            QCOMPARE(m.value(QStringLiteral("to")).toString(), e.to);
            QCOMPARE(m.value(QStringLiteral("body")).toString(), e.body);
            QCOMPARE(m.value(QStringLiteral("direction")).toString(), e.direction);
            const QString stamp = m.value(QStringLiteral("stamp")).toString();
            if (!e.stamp.isEmpty())
                QCOMPARE(stamp, e.stamp);
            // Stamped by the page when they arrived or went out: now, in order.
            const QDateTime time = QDateTime::fromString(stamp, Qt::ISODateWithMs);
            QVERIFY2(time.isValid(), qPrintable(stamp));
            QVERIFY2(time.toMSecsSinceEpoch() >= previous, qPrintable(stamp));
            previous = time.toMSecsSinceEpoch();
            if (e.stamp.isEmpty())
                QVERIFY2(qAbs(time.secsTo(QDateTime::currentDateTimeUtc())) < 120, qPrintable(stamp));
        }

        // The page restarted (here: reloaded) keeps what it had, and shows it again.
        QMetaObject::invokeMethod(webView(), "reload");
        QVERIFY(QTest::qWaitFor([&] { return chat->attached >= 2; }, pageTimeoutMs));
        shown = waitForBubbles(7);
        QVERIFY(shown);
        QCOMPARE(bubbles(*shown).last().text, bodySent);
        QCOMPARE(bubbles(*shown).at(5).text, bodyLive);
    }

    void withoutPeerEveryChatIsShownByContact()
    {
        auto chat = openChat(QStringLiteral("s-all"), {});
        QVERIFY(waitForPage(*chat, QStringLiteral("All chats")));
        const QJsonArray history = {
            historyEntry(QStringLiteral("b1"), QStringLiteral("bob@example.org/phone"), userBareJid,
                         QStringLiteral("2025-03-01T09:00:00Z"), QStringLiteral("bob first"), QStringLiteral("in")),
            historyEntry(QStringLiteral("c1"), QStringLiteral("carol@example.org/home"), userBareJid,
                         QStringLiteral("2025-03-01T09:01:00Z"), bodyCarol, QStringLiteral("in")),
            historyEntry(QStringLiteral("b2"), userBareJid, QStringLiteral("bob@example.org"),
                         QStringLiteral("2025-03-01T09:02:00Z"), QStringLiteral("to bob"), QStringLiteral("out")),
        };
        chat->view->deliverState({{QStringLiteral("history.json"), historyFile(history)}}, {});
        auto shown = waitForBubbles(3);
        QVERIFY(shown);
        QVERIFY(!shown->composerShown);
        // Contacts in the order of their latest message, the latest last.
        QStringList outline;
        for (const Row &r : std::as_const(shown->rows)) {
            if (r.kind != QLatin1String("day"))
                outline << r.kind + u':' + r.text;
        }
        QCOMPARE(outline, (QStringList{QStringLiteral("group:carol@example.org"), QStringLiteral("in:") + bodyCarol,
                                       QStringLiteral("group:bob@example.org"), QStringLiteral("in:bob first"),
                                       QStringLiteral("out:to bob")}));

        // A new message from carol moves her chat to the bottom.
        chat->view->deliverStanza(chatMessage(QStringLiteral("carol@example.org/home"), QStringLiteral("c2"), QStringLiteral("carol again")));
        shown = waitForBubbles(4);
        QVERIFY(shown);
        QCOMPARE(shown->rows.constFirst().kind, QStringLiteral("group"));
        QCOMPARE(shown->rows.constFirst().text, QStringLiteral("bob@example.org"));
        QCOMPARE(bubbles(*shown).last().text, QStringLiteral("carol again"));
    }

    void damagedStateIsIgnored()
    {
        auto chat = openChat(QStringLiteral("s-bad"), {{QStringLiteral("peer"), peerJid}});
        QVERIFY(waitForPage(*chat, peerJid));
        // Cut-off JSON, an unknown version, log entries that are no XML: nothing shows, and
        // the page goes on working.
        chat->view->deliverState({{QStringLiteral("history.json"), QByteArrayLiteral("{\"version\":1,\"messages\":[")}}, {});
        QTest::qWait(300);
        chat->view->deliverState({{QStringLiteral("history.json"),
                                   QJsonDocument(QJsonObject{{QStringLiteral("version"), 2},
                                                             {QStringLiteral("messages"), QJsonArray{historyEntry(
                                                                  QStringLiteral("v2"), QStringLiteral("bob@example.org"), userBareJid,
                                                                  QStringLiteral("2025-03-01T09:00:00Z"), QStringLiteral("v2"), QStringLiteral("in"))}}})
                                       .toJson()}},
                                 {QStringLiteral("<message"), QStringLiteral("plain text")});
        QTest::qWait(500);
        auto shown = screen();
        QVERIFY(shown);
        QCOMPARE(bubbles(*shown).size(), 0);
        // Still working: a plain stanza in the log (no <forwarded/>) is taken as it is.
        chat->view->deliverState({}, {chatMessage(QStringLiteral("bob@example.org/phone"), QStringLiteral("p1"), QStringLiteral("plain"))});
        shown = waitForBubbles(1);
        QVERIFY(shown);
        QCOMPARE(bubbles(*shown).constFirst().text, QStringLiteral("plain"));
        const auto messages = snapshotMessages(*chat->view, this);
        QVERIFY(messages);
        QCOMPARE(messages->size(), 1);
        QCOMPARE(messages->at(0).toObject().value(QStringLiteral("id")).toString(), QStringLiteral("p1"));
    }
};

int main(int argc, char *argv[])
{
    // As kioskd's main() does: both before the application object.
    appscheme::registerScheme();
    QtWebEngineQuick::initialize();
    QGuiApplication app(argc, argv);
    TestChatApp test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_chatapp.moc"
