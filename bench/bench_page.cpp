// The shared view's stanza path with no server: SessionView::deliverStanza() into a real
// web page (bench/apps/counter) on Qt's offscreen platform, shown on the real screen
// (Main.qml) as tests/kiosk/tst_webhost.cpp does.
//
//   bench_page [--messages N] [--rate R --seconds S] [--replay N] [--parse]
//
// --parse: the page parses every stanza with DOMParser.
//
// Phase 1 (throughput): N typical message stanzas, each with a sent-timestamp, as fast as
// the view takes them: at most `window` (9000) stanzas beyond what the page last reported
// (it reports every 1000), so the view's 10 000-stanza limit is never reached.
// Phase 2 (latency): R stanzas/s for S s, each stamped when delivered; the page notes
// arrival - stamp for each (performance.timeOrigin + performance.now() against the
// system clock; both in ms since the epoch).
// Output: "name value unit" lines on stdout.
#include "appscheme.h"
#include "displaystatus.h"
#include "namespaces.h"
#include "qrimageprovider.h"
#include "sessionview.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QTimer>
#include <QtWebEngineQuick>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

namespace {

const QString benchNs = QStringLiteral("urn:kioskd:bench");

double epochMs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1000.0;
}

void emit(const char *name, double value, const char *unit)
{
    std::printf("%s %.6g %s\n", name, value, unit);
    std::fflush(stdout);
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return NAN;
    std::sort(v.begin(), v.end());
    const double rank = p / 100.0 * double(v.size() - 1);
    const auto lo = size_t(std::floor(rank));
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (rank - double(lo));
}

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    appscheme::registerScheme();
    QtWebEngineQuick::initialize();
    QGuiApplication app(argc, argv);

    int messages = 100000;
    int rate = 200;
    int seconds = 10;
    int replay = 10000;
    bool parse = false;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (a == QLatin1String("--messages") && i + 1 < args.size())
            messages = args.at(++i).toInt();
        else if (a == QLatin1String("--rate") && i + 1 < args.size())
            rate = args.at(++i).toInt();
        else if (a == QLatin1String("--seconds") && i + 1 < args.size())
            seconds = args.at(++i).toInt();
        else if (a == QLatin1String("--replay") && i + 1 < args.size())
            replay = args.at(++i).toInt();
        else if (a == QLatin1String("--parse"))
            parse = true;
        else {
            std::fprintf(stderr, "usage: bench_page [--messages N] [--rate R --seconds S] [--replay N] [--parse]\n");
            return 2;
        }
    }

    DisplayStatus status;
    status.setLabel(QStringLiteral("Bench"));
    status.setState(QStringLiteral("busy"));
    QQmlApplicationEngine engine;
    engine.addImageProvider(QStringLiteral("qr"), new QrImageProvider);
    engine.setInitialProperties({{QStringLiteral("display"), QVariant::fromValue<QObject *>(&status)}});
    engine.load(QUrl(QStringLiteral("qrc:/Kioskd/Main.qml")));
    if (engine.rootObjects().size() != 1)
        return 1;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    window->resize(1280, 720);
    window->show();

    SessionView::Setup setup;
    setup.sid = QStringLiteral("s1");
    setup.userJid = QStringLiteral("alice@example.org/kiosk-bench");
    setup.appId = QStringLiteral("counter");
    setup.appsDir = QFileInfo(QString::fromUtf8(__FILE__)).absolutePath() + QStringLiteral("/apps");
    if (qEnvironmentVariableIsSet("KIOSKD_SOURCE_DIR"))
        setup.appsDir = qEnvironmentVariable("KIOSKD_SOURCE_DIR") + QStringLiteral("/bench/apps");
    setup.params = {{QStringLiteral("every"), QStringLiteral("1000")},
                    {QStringLiteral("parse"), parse ? QStringLiteral("1") : QStringLiteral("0")}};
    emit("page_parse_in_page", parse ? 1 : 0, "bool");
    SessionView view(setup);

    std::map<QString, QJsonValue> last; // report name -> latest value
    int progressCount = 0;
    QStringList failures;
    QObject::connect(&view, &SessionView::sendRequested,
                     [&](const QDomElement &stanza, const SessionView::SendReply &reply) {
                         const QDomElement report = stanza.firstChildElement(QStringLiteral("report"));
                         if (report.namespaceURI() == benchNs) {
                             const auto doc = QJsonDocument::fromJson(
                                 QStringLiteral("[%1]").arg(report.text()).toUtf8());
                             const QString name = report.attribute(QStringLiteral("name"));
                             last[name] = doc.array().at(0);
                             if (name == QLatin1String("progress"))
                                 progressCount = doc.array().at(0).toObject().value(QStringLiteral("count")).toInt();
                         }
                         reply(xmpp::success());
                     });
    QObject::connect(&view, &SessionView::failed, [&](const QString &m) { failures << m; });
    QObject::connect(&view, &SessionView::pageProblem, [&](const QString &m) { failures << m; });
    status.setSession(setup.sid, QStringLiteral("active"), QStringLiteral("alice@example.org"), QStringLiteral("Signed in."));
    status.setAppView(&view);

    QElapsedTimer clock;
    clock.start();
    if (!waitFor([&] { return last.count(QStringLiteral("ready")) > 0 || !failures.isEmpty(); }, 30000)
        || !failures.isEmpty()) {
        std::fprintf(stderr, "bench_page: the page did not come up: %s\n", qPrintable(failures.join(u"; ")));
        return 1;
    }
    emit("page_ready_ms", double(clock.elapsed()), "ms");

    QDomDocument document;
    int sequence = 0;
    double deliverNs = 0; // time spent in deliverStanza, DOM building excluded
    auto stanza = [&](bool stampNow) {
        QDomElement message = document.createElementNS(xmpp::ns::client, QStringLiteral("message"));
        message.setAttribute(QStringLiteral("from"), QStringLiteral("game@conference.example.org/bob"));
        message.setAttribute(QStringLiteral("to"), setup.userJid);
        message.setAttribute(QStringLiteral("type"), QStringLiteral("groupchat"));
        message.setAttribute(QStringLiteral("id"), QStringLiteral("m%1").arg(++sequence));
        QDomElement body = document.createElement(QStringLiteral("body"));
        body.appendChild(document.createTextNode(QStringLiteral("move %1 to field %2").arg(sequence).arg(sequence % 199)));
        message.appendChild(body);
        if (stampNow)
            message.setAttribute(QStringLiteral("stamp"), QString::number(epochMs(), 'f', 3));
        QElapsedTimer t;
        t.start();
        view.deliverStanza(message);
        deliverNs += double(t.nsecsElapsed());
    };
    auto control = [&](int expect) {
        QDomElement message = document.createElementNS(xmpp::ns::client, QStringLiteral("message"));
        QDomElement marker = document.createElementNS(QStringLiteral("urn:kioskd:bench:control"), QStringLiteral("control"));
        marker.setAttribute(QStringLiteral("expect"), QString::number(expect));
        message.appendChild(marker);
        last.erase(QStringLiteral("reset"));
        last.erase(QStringLiteral("done"));
        view.deliverStanza(message);
        return waitFor([&] { return last.count(QStringLiteral("reset")) > 0; }, 30000);
    };

    // --- phase 1: throughput ---
    if (messages > 0) {
        if (!control(messages))
            return 1;
        progressCount = 0;
        constexpr int aheadLimit = 9000;
        int delivered = 0;
        deliverNs = 0;
        const double start = epochMs();
        QElapsedTimer wall;
        wall.start();
        while (delivered < messages && failures.isEmpty()) {
            while (delivered < messages && delivered - progressCount < aheadLimit) {
                stanza(true);
                ++delivered;
            }
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            if (wall.elapsed() > 300000)
                break;
        }
        const double fedMs = epochMs() - start;
        if (!waitFor([&] { return last.count(QStringLiteral("done")) > 0 || !failures.isEmpty(); }, 120000)
            || !failures.isEmpty()) {
            std::fprintf(stderr, "bench_page: throughput phase failed: %s (page at %d)\n",
                         qPrintable(failures.join(u"; ")), progressCount);
            return 1;
        }
        const double end = epochMs();
        const QJsonObject done = last[QStringLiteral("done")].toObject();
        const double first = done.value(QStringLiteral("first")).toDouble();
        const double lastT = done.value(QStringLiteral("last")).toDouble();
        emit("page_messages", messages, "stanzas");
        emit("page_stanzas_per_s_in_page", (messages - 1) / ((lastT - first) / 1000.0), "stanza/s");
        emit("page_stanzas_per_s_end_to_end", messages / ((end - start) / 1000.0), "stanza/s");
        emit("page_feed_ms", fedMs, "ms");
        emit("page_deliver_us_per_stanza", deliverNs / messages / 1000.0, "us");
    }

    // --- phase 2: latency at a paced rate ---
    if (rate > 0 && seconds > 0) {
        const int count = rate * seconds;
        if (!control(count))
            return 1;
        int delivered = 0;
        QElapsedTimer paced;
        paced.start();
        QTimer tick;
        tick.setTimerType(Qt::PreciseTimer);
        tick.setInterval(1);
        const double periodNs = 1e9 / rate;
        QObject::connect(&tick, &QTimer::timeout, [&] {
            // Catch up to the schedule: stanza k is due at k * period.
            while (delivered < count && double(paced.nsecsElapsed()) >= delivered * periodNs) {
                stanza(true);
                ++delivered;
            }
            if (delivered >= count)
                tick.stop();
        });
        tick.start();
        if (!waitFor([&] { return last.count(QStringLiteral("done")) > 0 || !failures.isEmpty(); },
                     seconds * 1000 + 60000)
            || !failures.isEmpty()) {
            std::fprintf(stderr, "bench_page: latency phase failed: %s\n", qPrintable(failures.join(u"; ")));
            return 1;
        }
        const QJsonArray list = last[QStringLiteral("done")].toObject().value(QStringLiteral("latencies")).toArray();
        std::vector<double> latencies;
        for (const auto &v : list)
            latencies.push_back(v.toDouble());
        emit("page_paced_rate", rate, "stanza/s");
        emit("page_paced_stanzas", double(latencies.size()), "stanzas");
        emit("page_latency_ms_min", percentile(latencies, 0), "ms");
        emit("page_latency_ms_p50", percentile(latencies, 50), "ms");
        emit("page_latency_ms_p90", percentile(latencies, 90), "ms");
        emit("page_latency_ms_p99", percentile(latencies, 99), "ms");
        emit("page_latency_ms_max", percentile(latencies, 100), "ms");
    }
    // --- phase 3: a transferred packet log replayed into the page ---
    // As Session hands a received state to the view: each stanza with the XEP-0203 delay
    // saying when it first arrived. The default log bound (1000), then N.
    for (const int entries : {1000, replay}) {
        if (entries <= 0)
            continue;
        QStringList log;
        log.reserve(entries);
        for (int i = 0; i < entries; ++i)
            log.append(QStringLiteral("<message xmlns='jabber:client' from='bob@example.org/phone' to='alice@example.org' "
                                      "type='chat' id='h%1'><body>earlier message %1</body>"
                                      "<delay xmlns='urn:xmpp:delay' stamp='2026-01-02T03:04:05.%2Z'/></message>")
                           .arg(i).arg(i % 1000, 3, 10, QLatin1Char('0')));
        last.erase(QStringLiteral("replayed"));
        const double start = epochMs();
        view.deliverState({}, log);
        if (!waitFor([&] { return last.count(QStringLiteral("replayed")) > 0 || !failures.isEmpty(); }, 120000)
            || !failures.isEmpty()) {
            std::fprintf(stderr, "bench_page: replay of %d failed: %s\n", entries, qPrintable(failures.join(u"; ")));
            return 1;
        }
        const QJsonObject replayed = last[QStringLiteral("replayed")].toObject();
        if (replayed.value(QStringLiteral("count")).toInt() != entries) {
            std::fprintf(stderr, "bench_page: the page replayed %d of %d\n", replayed.value(QStringLiteral("count")).toInt(), entries);
            return 1;
        }
        const double handlerMs = replayed.value(QStringLiteral("last")).toDouble() - replayed.value(QStringLiteral("first")).toDouble();
        const double endToEndMs = replayed.value(QStringLiteral("last")).toDouble() - start;
        const QString prefix = QStringLiteral("page_replay_%1_").arg(entries);
        emit(qPrintable(prefix + QStringLiteral("ms_end_to_end")), endToEndMs, "ms");
        emit(qPrintable(prefix + QStringLiteral("stanzas_per_s_end_to_end")), entries / (endToEndMs / 1000.0), "stanza/s");
        emit(qPrintable(prefix + QStringLiteral("stanzas_per_s_in_handler")), entries / (std::max(handlerMs, 0.001) / 1000.0), "stanza/s");
    }
    status.setAppView(nullptr);
    return 0;
}
