#pragma once

#include "error.h"
#include "jid.h"
#include "pairuri.h"
#include "protocol.h"
#include "statebundle.h"
#include "transfer.h"
#include "transport.h"

#include <QSslCertificate>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>
#include <variant>

namespace phone {

// kiosk-phone's exit statuses (docs/phone.md).
enum class ExitStatus {
    Success = 0,          // the session became active (and, if asked, ended cleanly)
    SessionFailed = 1,    // refused mechanisms, server not verified, auth-failed, error
    UsageError = 2,       // bad command line or unreadable input; one line on stderr
    ConnectionFailed = 3, // the phone's own connection (or token request) failed
    PairingRefused = 4,   // the pair request was answered with an error
    Timeout = 5,          // the display did not answer in time
};

enum class AuthMethod { SaslRelay, Token };

// What to do once the session is active. Steps run in this order; later kinds of step
// (view, transfer) get a field here and a step class in sessionsteps.h.
struct SessionPlan
{
    std::optional<mobility::ViewRequest> view; // show an app on the display first (--view)
    // Then move state to the display (--send-state, read when the options are parsed).
    struct StateToSend
    {
        mobility::StateBundle state;
        QList<mobility::TransferMethod> methods;
    };
    std::optional<StateToSend> sendState;
    std::optional<int> holdSeconds; // keep the session this long
    bool holdUntilEnded = false;    // keep it until the display ends it
    std::optional<QString> pullStateTo; // then take the display's state back into this folder
    bool end = false;               // then send <end/> and wait for the ended notice
};

// The command line, checked and with every input read: what PhoneSession runs.
struct PhoneOptions
{
    xmpp::Jid jid; // the user's account, with the phone's resource
    QString password;
    // What the phone answers the display's relay with; the account password unless
    // --relay-password-file says otherwise (a phone may hold the two apart).
    std::optional<QString> relayPassword;
    std::optional<xmpp::ServerAddress> server; // none: SRV lookup
    QList<QSslCertificate> extraCaCertificates;
    int timeoutMs = 30'000;
    bool verbose = false;

    mobility::PairUri pairUri;
    xmpp::Jid displayJid;
    QString sid;
    AuthMethod authMethod = AuthMethod::SaslRelay;
    QString mechanism;  // relay: one SCRAM mechanism to pin; token: X-OAUTH2 or OAUTHBEARER
    QByteArray token;   // Token: from --token-file
    QUrl oauthUrl;      // Token: fetch the token here instead
    SessionPlan plan;
    mobility::SenderFault fault; // --fault, for testing displays

    static constexpr int maxHoldSeconds = 24 * 60 * 60;
    static constexpr int maxTimeoutSeconds = 3600;
    static constexpr qint64 maxSecretFileBytes = 8192;
    static constexpr int qrReadTimeoutMs = 10'000;
    static constexpr qint64 maxFaultBundleBytes = 256 * 1024 * 1024;
};

// Help or version text to print on stdout before exiting with status 0.
struct InformationRequest
{
    QString text;
};

// Parses the arguments (argv[0] first) and reads the files and environment they refer
// to: the password (--password-file or KIOSK_PHONE_PASSWORD, which is then removed from
// the environment so child processes never see it), the CA file, the token file and the
// QR code image (through zbarimg). A usage error's detail is the one line to print.
std::variant<PhoneOptions, InformationRequest, xmpp::Error> parseCommandLine(const QStringList &arguments);

} // namespace phone
