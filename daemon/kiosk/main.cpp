// kioskd: lets a passer-by borrow this display for their own session (docs/operating.md).
#include "appscheme.h"
#include "kiosk.h"
#include "kioskconfig.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QtWebEngineQuick>

#include <csignal>
#include <cstdio>
#include <optional>
#include <sys/socket.h>
#include <sys/stat.h>
#include <variant>
#include <unistd.h>

namespace {

int signalPipe[2] = {-1, -1};

void onTerminationSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}

struct Invocation
{
    KioskConfig config;
    Kiosk::Options options;
    bool headless = false;
    bool verbose = false;
};

// Reads the command line and the config file. Returns the exit status when the program
// should end here (help, version, or a usage error already printed as one line).
std::variant<Invocation, int> readInvocation(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Public display that a passer-by can borrow by scanning its QR code."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("Configuration file (INI)."), QStringLiteral("FILE"));
    const QCommandLineOption headless(QStringLiteral("headless"), QStringLiteral("Run without a window system (offscreen)."));
    const QCommandLineOption control(QStringLiteral("control"), QStringLiteral("Listen for control requests on this UNIX socket."), QStringLiteral("PATH"));
    const QCommandLineOption screenshots(QStringLiteral("screenshot-dir"), QStringLiteral("Save a screenshot here whenever the screen changes."), QStringLiteral("DIR"));
    const QCommandLineOption verbose(QStringLiteral("verbose"), QStringLiteral("Log debug messages."));
    parser.addOptions({config, headless, control, screenshots, verbose});
    auto usageError = [](const QString &message) {
        std::fprintf(stderr, "kioskd: %s\n", qPrintable(message));
        return 2;
    };
    if (!parser.parse(arguments))
        return usageError(parser.errorText() + QStringLiteral(" (see kioskd --help)"));
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1' (see kioskd --help)").arg(parser.positionalArguments().first()));
    if (!parser.isSet(config))
        return usageError(QStringLiteral("--config FILE is required (see kioskd --help)"));
    auto loaded = KioskConfig::load(parser.value(config));
    if (!loaded)
        return usageError(loaded.error().detail);
    return Invocation{std::move(loaded).value(), Kiosk::Options{parser.value(control), parser.value(screenshots)},
                      parser.isSet(headless), parser.isSet(verbose)};
}

} // namespace

int main(int argc, char *argv[])
{
    // Arguments and configuration are checked before any window-system code runs, so
    // that a mistake gets exactly one line and status 2.
    std::optional<Invocation> invocation;
    {
        QCoreApplication probe(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("kioskd"));
        QCoreApplication::setApplicationVersion(QStringLiteral(KIOSKD_VERSION));
        auto result = readInvocation(QCoreApplication::arguments());
        if (const int *status = std::get_if<int>(&result))
            return *status;
        invocation = std::move(std::get<Invocation>(result));
    }
    if (invocation->headless) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        // The offscreen platform asks for a runtime directory that headless hosts often lack.
        if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
            const QByteArray runtime = "/tmp/kioskd-runtime-" + QByteArray::number(::getuid());
            ::mkdir(runtime.constData(), 0700);
            qputenv("XDG_RUNTIME_DIR", runtime);
        }
    }
    if (invocation->verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("kioskd.*.debug=true"));

    // Both must precede the QGuiApplication. Neither starts the web engine: that happens
    // when a session first shows an app.
    appscheme::registerScheme();
    QtWebEngineQuick::initialize();

    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("kioskd"));
    QGuiApplication::setApplicationVersion(QStringLiteral(KIOSKD_VERSION));

    Kiosk kiosk(std::move(invocation->config), invocation->options);
    if (!kiosk.start()) {
        std::fprintf(stderr, "kioskd: %s\n", qPrintable(kiosk.errorString()));
        return 1;
    }

    // SIGTERM/SIGINT end sessions cleanly (wipe included) before the process exits.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) == 0) {
        auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &kiosk, [&kiosk] {
            char byte;
            [[maybe_unused]] const auto got = ::read(signalPipe[0], &byte, 1);
            kiosk.shutdown();
        });
        std::signal(SIGTERM, onTerminationSignal);
        std::signal(SIGINT, onTerminationSignal);
    }
    QObject::connect(&kiosk, &Kiosk::stopped, &app, &QCoreApplication::quit);
    return QGuiApplication::exec();
}
