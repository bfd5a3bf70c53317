// Receive throughput of xmpp::Client against a real server: logs in, announces its full
// JID, then counts incoming <message/> stanzas whose body starts with a marker until it
// has the expected number or gives up. bench/receive_slixmpp.py is the same receiver in
// slixmpp; bench/run drives both with bench/send_slixmpp.py as the sender.
//
// Usage: bench_receive --info INFO.json --count N --marker M [--role bob]
//                      [--resource R] [--timeout SECONDS]
// Output: "ready FULL-JID" once online, then one "name value" line per figure.
// Timestamps are CLOCK_MONOTONIC nanoseconds, as Python's time.monotonic_ns(), so the
// runner can line them up with the sender's.

#include "client.h"
#include "sasl.h"
#include "transport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslCertificate>
#include <QTimer>

#include <sys/resource.h>

#include <cstdio>
#include <ctime>

namespace {

qint64 monotonicNs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// User plus system time of the whole process: the receiver's own cost per message,
// whatever the sender and the server leave of the machine.
qint64 cpuNs()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto ns = [](const timeval &t) { return qint64(t.tv_sec) * 1'000'000'000 + qint64(t.tv_usec) * 1000; };
    return ns(usage.ru_utime) + ns(usage.ru_stime);
}

long peakRssKb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

int fail(const QString &message)
{
    std::fprintf(stderr, "bench_receive: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Counts marked messages received through a real XMPP server."));
    parser.addHelpOption();
    const QCommandLineOption infoOption(QStringLiteral("info"), QStringLiteral("The fixture's info.json."), QStringLiteral("FILE"));
    const QCommandLineOption countOption(QStringLiteral("count"), QStringLiteral("Messages to wait for."), QStringLiteral("N"));
    const QCommandLineOption markerOption(QStringLiteral("marker"), QStringLiteral("Body prefix of the counted messages."), QStringLiteral("TEXT"));
    const QCommandLineOption roleOption(QStringLiteral("role"), QStringLiteral("Account in info.json users (default bob)."), QStringLiteral("ROLE"), QStringLiteral("bob"));
    const QCommandLineOption resourceOption(QStringLiteral("resource"), QStringLiteral("Resource to bind."), QStringLiteral("R"), QStringLiteral("bench-qt"));
    const QCommandLineOption timeoutOption(QStringLiteral("timeout"), QStringLiteral("Give up this many seconds after going online (default 120)."), QStringLiteral("SECONDS"), QStringLiteral("120"));
    parser.addOptions({infoOption, countOption, markerOption, roleOption, resourceOption, timeoutOption});
    parser.process(app);

    bool countOk = false;
    const qint64 expected = parser.value(countOption).toLongLong(&countOk);
    bool timeoutOk = false;
    const int timeoutSeconds = parser.value(timeoutOption).toInt(&timeoutOk);
    const QString marker = parser.value(markerOption);
    if (!countOk || expected <= 0 || !timeoutOk || timeoutSeconds <= 0 || marker.isEmpty())
        return fail(QStringLiteral("need --count N > 0, --marker TEXT and a positive --timeout"));

    QFile infoFile(parser.value(infoOption));
    if (!infoFile.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1").arg(infoFile.fileName()));
    const QJsonObject info = QJsonDocument::fromJson(infoFile.readAll()).object();
    const QJsonObject account = info.value(QStringLiteral("users")).toObject().value(parser.value(roleOption)).toObject();
    const auto jid = xmpp::Jid::parse(account.value(QStringLiteral("jid")).toString() + u'/' + parser.value(resourceOption));
    if (!jid)
        return fail(QStringLiteral("no account '%1' in %2").arg(parser.value(roleOption), infoFile.fileName()));

    // The same trust as the tests: the fixture's CA and nothing else.
    xmpp::ClientConfig config;
    config.jid = *jid;
    config.server = xmpp::ServerAddress{info.value(QStringLiteral("host")).toString(),
                                        quint16(info.value(QStringLiteral("starttls_port")).toInt()), xmpp::TlsMode::StartTls};
    config.tls = xmpp::TcpTransport::tlsConfiguration(QSslCertificate::fromPath(info.value(QStringLiteral("ca_file")).toString()));
    const QString password = account.value(QStringLiteral("password")).toString();
    config.mechanism = [password] { return std::make_unique<xmpp::PasswordMechanism>(password); };

    xmpp::Client client(config);
    qint64 received = 0;
    qint64 firstNs = 0;
    qint64 lastNs = 0;
    qint64 firstCpuNs = 0;
    qint64 lastCpuNs = 0;
    int exitCode = 1;
    bool finished = false;
    QTimer deadline;
    deadline.setSingleShot(true);

    auto finish = [&](int code) {
        finished = true;
        exitCode = code;
        if (received > 0 && received < expected)
            lastCpuNs = cpuNs(); // timed out: an upper bound, idle time included
        deadline.stop();
        std::printf("receive_count %lld\n", qlonglong(received));
        std::printf("receive_expected %lld\n", qlonglong(expected));
        if (received >= 2) {
            const double seconds = double(lastNs - firstNs) / 1e9;
            std::printf("receive_first_ns %lld\n", qlonglong(firstNs));
            std::printf("receive_last_ns %lld\n", qlonglong(lastNs));
            std::printf("receive_seconds %.6f\n", seconds);
            std::printf("receive_msgs_per_s %.1f\n", double(received - 1) / seconds);
            std::printf("receive_cpu_seconds %.6f\n", double(lastCpuNs - firstCpuNs) / 1e9);
            std::printf("receive_cpu_us_per_msg %.2f\n", double(lastCpuNs - firstCpuNs) / 1e3 / double(received - 1));
        }
        std::printf("receive_peak_rss_kb %ld\n", peakRssKb());
        std::fflush(stdout);
        // Leave cleanly so the server does not keep a half-open session for the next round.
        if (client.state() != xmpp::Client::State::Disconnected)
            client.disconnectFromServer();
        else
            app.exit(exitCode);
        QTimer::singleShot(5000, &app, [&app, &exitCode] { app.exit(exitCode); });
    };

    QObject::connect(&deadline, &QTimer::timeout, &app, [&] {
        std::fprintf(stderr, "bench_receive: timed out with %lld of %lld messages\n", qlonglong(received), qlonglong(expected));
        finish(1);
    });
    bool wentOnline = false;
    QObject::connect(&client, &xmpp::Client::online, &app, [&] {
        wentOnline = true;
        deadline.start(timeoutSeconds * 1000);
        std::printf("ready %s\n", qPrintable(client.boundJid()));
        std::fflush(stdout);
    });
    QObject::connect(&client, &xmpp::Client::disconnected, &app, [&](const xmpp::Status &status) {
        if (!status.ok() && received < expected) {
            std::fprintf(stderr, "bench_receive: disconnected: %s\n", qPrintable(status.error().message()));
            exitCode = 1;
        }
        app.exit(exitCode);
    });
    QObject::connect(&client, &xmpp::Client::messageReceived, &app, [&](const QDomElement &message) {
        if (finished)
            return; // stragglers after a timeout must not change the report
        // What any chat client does with a message: find and read its body.
        if (!message.firstChildElement(QStringLiteral("body")).text().startsWith(marker))
            return;
        // getrusage() is a system call: once at each end, or it shows in the profile.
        lastNs = monotonicNs();
        if (++received == 1) {
            firstNs = lastNs;
            firstCpuNs = cpuNs();
        }
        if (received == expected) {
            lastCpuNs = cpuNs();
            finish(0);
        }
    });

    // Login has its own step timeouts; this bounds the whole of it.
    QTimer loginDeadline;
    loginDeadline.setSingleShot(true);
    QObject::connect(&loginDeadline, &QTimer::timeout, &app, [&] {
        if (!wentOnline) {
            std::fprintf(stderr, "bench_receive: not online after 30 s\n");
            app.exit(2);
        }
    });
    loginDeadline.start(30'000);
    client.connectToServer();
    return app.exec();
}
