// kiosk-phone: plays the phone's side of kioskd's session-mobility protocol (docs/phone.md).
#include "eventlog.h"
#include "phoneoptions.h"
#include "phonesession.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int signalPipe[2] = {-1, -1};

void onTerminationSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}

// SIGINT and SIGTERM reach the event loop through a socket pair, where the session can
// end itself properly.
void routeTerminationSignals(phone::PhoneSession &session)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &session);
    QObject::connect(notifier, &QSocketNotifier::activated, &session, [&session] {
        char byte;
        [[maybe_unused]] const auto read = ::read(signalPipe[0], &byte, 1);
        session.interrupt();
    });
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kiosk-phone"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KIOSKD_VERSION));

    auto parsed = phone::parseCommandLine(QCoreApplication::arguments());
    if (const auto *information = std::get_if<phone::InformationRequest>(&parsed)) {
        std::fputs(qPrintable(information->text), stdout);
        return 0;
    }
    if (const auto *error = std::get_if<xmpp::Error>(&parsed)) {
        std::fprintf(stderr, "kiosk-phone: %s\n", qPrintable(error->detail));
        return int(phone::ExitStatus::UsageError);
    }
    phone::PhoneOptions options = std::get<phone::PhoneOptions>(std::move(parsed));

    // stdout is for the JSON events; the log on stderr stays quiet unless asked for.
    QLoggingCategory::setFilterRules(options.verbose ? QStringLiteral("kioskd.*=true")
                                                     : QStringLiteral("kioskd.*.debug=false\nkioskd.*.info=false"));

    // A reader that stops reading (| head -1) must not kill the phone mid-session.
    ::signal(SIGPIPE, SIG_IGN);
    phone::EventLog events;
    phone::PhoneSession session(std::move(options), events);
    QObject::connect(&session, &phone::PhoneSession::finished, &app,
                     [](phone::ExitStatus status) { QCoreApplication::exit(int(status)); });
    routeTerminationSignals(session);
    session.start();
    return QCoreApplication::exec();
}
