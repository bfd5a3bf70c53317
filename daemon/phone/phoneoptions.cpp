#include "phoneoptions.h"

#include "protocol.h"
#include "relayanswerer.h"
#include "scram.h"
#include "statefolder.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>

#include <algorithm>

namespace phone {

namespace {

// One --accept/--send rule: KIND[,ns=NS][,from=JID|,to=JID].
xmpp::Result<mobility::FilterRule> filterRuleFrom(const QString &text, mobility::FilterRule::Direction direction)
{
    const QString option = direction == mobility::FilterRule::Direction::Accept ? QStringLiteral("--accept") : QStringLiteral("--send");
    const QString addressKey = direction == mobility::FilterRule::Direction::Accept ? QStringLiteral("from") : QStringLiteral("to");
    const auto bad = [&](const QString &why) {
        return xmpp::makeError(xmpp::ErrorCondition::InvalidInput, QStringLiteral("%1 %2: %3").arg(option, text, why));
    };
    const QStringList parts = text.split(u',');
    mobility::FilterRule rule;
    rule.direction = direction;
    const auto kind = mobility::FilterRule::kindFromName(parts.first().trimmed());
    if (!kind)
        return bad(QStringLiteral("the kind must be message, presence or iq"));
    rule.kind = *kind;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const qsizetype equals = parts[i].indexOf(u'=');
        const QString key = parts[i].left(equals).trimmed();
        const QString value = parts[i].mid(equals + 1).trimmed();
        if (equals <= 0 || value.isEmpty())
            return bad(QStringLiteral("expected KEY=VALUE after the kind"));
        if (key == QStringLiteral("ns")) {
            rule.ns = value;
        } else if (key == addressKey) {
            const auto address = xmpp::Jid::parse(value);
            if (!address)
                return bad(QStringLiteral("'%1' is not a JID").arg(value));
            rule.address = *address;
        } else {
            return bad(QStringLiteral("unknown key '%1' (ns or %2)").arg(key, addressKey));
        }
    }
    return rule;
}

xmpp::Result<mobility::ViewRequest> viewRequestFrom(const QString &app, const QStringList &params,
                                                    const QStringList &accepts, const QStringList &sends)
{
    mobility::ViewRequest request;
    request.sid = QStringLiteral("pending"); // the session's sid is filled in when the step runs
    request.app = app;
    if (!mobility::ViewRequest::isValidAppId(app))
        return xmpp::makeError(xmpp::ErrorCondition::InvalidInput, QStringLiteral("--view %1: not an app id (1-64 of A-Z a-z 0-9 . _ -)").arg(app));
    for (const QString &param : params) {
        const qsizetype equals = param.indexOf(u'=');
        if (equals <= 0)
            return xmpp::makeError(xmpp::ErrorCondition::InvalidInput, QStringLiteral("--param %1: expected NAME=VALUE").arg(param));
        request.params.append({param.left(equals), param.mid(equals + 1)});
    }
    for (const auto &[texts, direction] : {std::pair{accepts, mobility::FilterRule::Direction::Accept},
                                           std::pair{sends, mobility::FilterRule::Direction::Send}}) {
        for (const QString &text : texts) {
            auto rule = filterRuleFrom(text, direction);
            if (!rule)
                return rule.error();
            request.rules.append(rule.value());
        }
    }
    // The same limits the display applies: check them here for a clear message.
    QDomDocument document;
    if (!mobility::ViewRequest::fromDom(request.toDom(document)))
        return xmpp::makeError(xmpp::ErrorCondition::InvalidInput,
                               QStringLiteral("--view %1: too many or too long parameters or rules, or duplicate parameter names").arg(app));
    return request;
}


const QString seeHelp = QStringLiteral(" (see kiosk-phone --help)");
const char passwordVariable[] = "KIOSK_PHONE_PASSWORD";

xmpp::Error usage(const QString &message)
{
    return xmpp::makeError(xmpp::ErrorCondition::InvalidInput, message);
}

// Reads a small secret file; trailing line breaks are not part of the secret.
xmpp::Result<QByteArray> readSecretFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return usage(QStringLiteral("%1 %2 cannot be read: %3").arg(what, path, file.errorString()));
    if (file.size() > PhoneOptions::maxSecretFileBytes) {
        return usage(QStringLiteral("%1 %2 is larger than %3 bytes")
                         .arg(what, path)
                         .arg(PhoneOptions::maxSecretFileBytes));
    }
    QByteArray content = file.read(PhoneOptions::maxSecretFileBytes);
    while (content.endsWith('\n') || content.endsWith('\r'))
        content.chop(1);
    if (content.isEmpty())
        return usage(QStringLiteral("%1 %2 is empty").arg(what, path));
    return content;
}

// The QR code's text through zbarimg (zbar-tools), the first symbol that is a pair URI.
xmpp::Result<mobility::PairUri> readPairUriFromQr(const QString &imagePath)
{
    QProcess zbar;
    zbar.setProcessChannelMode(QProcess::SeparateChannels);
    zbar.start(QStringLiteral("zbarimg"), {QStringLiteral("--raw"), QStringLiteral("-q"), imagePath});
    if (!zbar.waitForStarted(PhoneOptions::qrReadTimeoutMs))
        return usage(QStringLiteral("--qr needs zbarimg (package zbar-tools), which could not be started"));
    if (!zbar.waitForFinished(PhoneOptions::qrReadTimeoutMs)) {
        zbar.kill();
        zbar.waitForFinished(1000);
        return usage(QStringLiteral("zbarimg did not read %1 within %2 s")
                         .arg(imagePath)
                         .arg(PhoneOptions::qrReadTimeoutMs / 1000));
    }
    // A pair URI is short; a QR code holds at most about 4 KiB anyway.
    const QByteArray output = zbar.readAllStandardOutput().left(64 * 1024);
    if (zbar.exitStatus() != QProcess::NormalExit || zbar.exitCode() != 0 || output.trimmed().isEmpty())
        return usage(QStringLiteral("no QR code found in %1").arg(imagePath));
    for (const QByteArray &line : output.split('\n')) {
        if (auto uri = mobility::PairUri::parse(QString::fromUtf8(line.trimmed())))
            return *uri;
    }
    return usage(QStringLiteral("the QR code in %1 is not a kiosk pair URI").arg(imagePath));
}

QString generatedSid()
{
    const quint64 random = QRandomGenerator::system()->generate64();
    return QStringLiteral("s") + QString::number(random, 16);
}

std::optional<int> boundedInteger(const QString &text, int minimum, int maximum)
{
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok || value < minimum || value > maximum)
        return std::nullopt;
    return value;
}

QString helpText(const QCommandLineParser &parser)
{
    return parser.helpText() + QStringLiteral(R"(
Commands:
  pair    Pair with the display of a pair URI (--uri) or QR code image (--qr), sign
          its user connection in (SASL relay or token), keep the session as told
          by --hold/--hold-until-ended, and end it with --end.

The password comes from --password-file or the environment variable
KIOSK_PHONE_PASSWORD, never from the command line. Events are printed on stdout as
one JSON object per line. Exit status: 0 success, 1 the session failed, 2 usage
error, 3 the phone's own connection failed, 4 the display refused pairing,
5 timeout. See docs/phone.md.
)");
}

} // namespace

std::variant<PhoneOptions, InformationRequest, xmpp::Error> parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("The phone's side of kioskd's session-mobility protocol, for demos, tests and scripts."));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("pair (the only command so far)"));

    const QCommandLineOption jid(QStringLiteral("jid"), QStringLiteral("The user's account, e.g. alice@example.org."), QStringLiteral("JID"));
    const QCommandLineOption passwordFile(QStringLiteral("password-file"), QStringLiteral("File holding the password (else $KIOSK_PHONE_PASSWORD)."), QStringLiteral("FILE"));
    const QCommandLineOption relayPasswordFile(QStringLiteral("relay-password-file"), QStringLiteral("pair: answer the display's SASL relay with the password in this file instead (default: the account password)."), QStringLiteral("FILE"));
    const QCommandLineOption resource(QStringLiteral("resource"), QStringLiteral("The phone's resource (default: phone)."), QStringLiteral("RESOURCE"));
    const QCommandLineOption host(QStringLiteral("host"), QStringLiteral("Connect here instead of looking up SRV records."), QStringLiteral("HOST"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Port (default 5222 with starttls, 5223 with direct)."), QStringLiteral("PORT"));
    const QCommandLineOption tls(QStringLiteral("tls"), QStringLiteral("starttls (default) or direct."), QStringLiteral("MODE"));
    const QCommandLineOption caFile(QStringLiteral("ca-file"), QStringLiteral("Extra CA certificates (PEM) to trust."), QStringLiteral("FILE"));
    const QCommandLineOption timeout(QStringLiteral("timeout"), QStringLiteral("Longest wait for the display, in seconds (default 30)."), QStringLiteral("SECONDS"));
    const QCommandLineOption verbose(QStringLiteral("verbose"), QStringLiteral("Debug log on stderr (never secrets)."));
    const QCommandLineOption uri(QStringLiteral("uri"), QStringLiteral("pair: the display's pair URI (xmpp:...?kiosk;pair=...)."), QStringLiteral("URI"));
    const QCommandLineOption qr(QStringLiteral("qr"), QStringLiteral("pair: read the pair URI from this QR code image (needs zbarimg)."), QStringLiteral("IMAGE"));
    const QCommandLineOption sid(QStringLiteral("sid"), QStringLiteral("pair: the session id (default: random)."), QStringLiteral("SID"));
    const QCommandLineOption auth(QStringLiteral("auth"), QStringLiteral("pair: relay (default) or token."), QStringLiteral("METHOD"));
    const QCommandLineOption tokenFile(QStringLiteral("token-file"), QStringLiteral("pair --auth token: file holding the OAuth token."), QStringLiteral("FILE"));
    const QCommandLineOption oauthUrl(QStringLiteral("oauth-url"), QStringLiteral("pair --auth token: fetch a token from this OAuth endpoint (https)."), QStringLiteral("URL"));
    const QCommandLineOption mechanism(QStringLiteral("mechanism"), QStringLiteral("pair: relay: the one SCRAM mechanism to allow; token: X-OAUTH2 (default) or OAUTHBEARER."), QStringLiteral("MECHANISM"));
    const QCommandLineOption hold(QStringLiteral("hold"), QStringLiteral("pair: keep the active session this many seconds."), QStringLiteral("SECONDS"));
    const QCommandLineOption holdUntilEnded(QStringLiteral("hold-until-ended"), QStringLiteral("pair: keep the active session until the display ends it."));
    const QCommandLineOption view(QStringLiteral("view"), QStringLiteral("pair: once active, show this app on the display."), QStringLiteral("APP"));
    const QCommandLineOption param(QStringLiteral("param"), QStringLiteral("pair --view: an app parameter NAME=VALUE (repeatable)."), QStringLiteral("NAME=VALUE"));
    const QCommandLineOption accept(QStringLiteral("accept"), QStringLiteral("pair --view: a stanza the view may see, KIND[,ns=NS][,from=JID] (repeatable)."), QStringLiteral("RULE"));
    const QCommandLineOption sendRule(QStringLiteral("send"), QStringLiteral("pair --view: a stanza the view may send, KIND[,ns=NS][,to=JID] (repeatable)."), QStringLiteral("RULE"));
    const QCommandLineOption sendState(QStringLiteral("send-state"), QStringLiteral("pair: once active (and after --view), move the state in this folder to the display (files; log.xml is the packet log)."), QStringLiteral("DIR"));
    const QCommandLineOption methods(QStringLiteral("methods"), QStringLiteral("pair --send-state: the methods to offer, in order (default: inband,upload,bundle up to 1 MiB, else upload,bundle,inband)."), QStringLiteral("LIST"));
    const QCommandLineOption pullState(QStringLiteral("pull-state"), QStringLiteral("pair: after --hold, take the display's state back into this new or empty folder."), QStringLiteral("DIR"));
    const QCommandLineOption fault(QStringLiteral("fault"), QStringLiteral("pair --send-state, for testing displays: corrupt-digest, or bundle-file=ZIP (send ZIP as it is as the bundle)."), QStringLiteral("FAULT"));
    const QCommandLineOption end(QStringLiteral("end"), QStringLiteral("pair: end the session (after --hold) and wait for the display to confirm."));
    parser.addOptions({jid, passwordFile, relayPasswordFile, resource, host, port, tls, caFile, timeout, verbose, uri, qr, sid, auth,
                       tokenFile, oauthUrl, mechanism, hold, holdUntilEnded, view, param, accept, sendRule, sendState, methods, pullState,
                       fault, end});

    if (!parser.parse(arguments))
        return usage(parser.errorText() + seeHelp);
    if (parser.isSet(helpOption))
        return InformationRequest{helpText(parser)};
    if (parser.isSet(versionOption))
        return InformationRequest{QCoreApplication::applicationName() + u' ' + QCoreApplication::applicationVersion() + u'\n'};
    // The view's parameters and rules are lists; every other option is given once.
    static const QStringList repeatable = {QStringLiteral("param"), QStringLiteral("accept"), QStringLiteral("send")};
    for (const QString &name : parser.optionNames()) {
        if (!repeatable.contains(name) && parser.values(name).size() > 1)
            return usage(QStringLiteral("--%1 given more than once").arg(name));
    }

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usage(QStringLiteral("no command given; the command is pair") + seeHelp);
    if (positional.first() != u"pair")
        return usage(QStringLiteral("unknown command '%1'; the command is pair").arg(positional.first()) + seeHelp);
    if (positional.size() > 1)
        return usage(QStringLiteral("unexpected argument '%1'").arg(positional.at(1)) + seeHelp);

    PhoneOptions options;
    options.verbose = parser.isSet(verbose);

    // --- the phone's account and connection ---
    if (!parser.isSet(jid))
        return usage(QStringLiteral("--jid is required") + seeHelp);
    const auto accountJid = xmpp::Jid::parse(parser.value(jid));
    if (!accountJid || accountJid->local().isEmpty())
        return usage(QStringLiteral("--jid %1 is not a user's address (local@domain)").arg(parser.value(jid)));
    QString resourceName = accountJid->resource();
    if (parser.isSet(resource) || resourceName.isEmpty())
        resourceName = parser.isSet(resource) ? parser.value(resource) : QStringLiteral("phone");
    const auto fullJid = accountJid->bare().withResource(resourceName);
    if (!fullJid)
        return usage(QStringLiteral("--resource %1 is not a valid resource").arg(resourceName));
    options.jid = *fullJid;

    if (parser.isSet(host) || parser.isSet(port) || parser.isSet(tls)) {
        xmpp::ServerAddress address;
        address.host = parser.isSet(host) ? parser.value(host) : options.jid.domain();
        if (address.host.isEmpty())
            return usage(QStringLiteral("--host is empty"));
        const QString tlsMode = parser.isSet(tls) ? parser.value(tls) : QStringLiteral("starttls");
        if (tlsMode == u"starttls")
            address.tls = xmpp::TlsMode::StartTls;
        else if (tlsMode == u"direct")
            address.tls = xmpp::TlsMode::DirectTls;
        else
            return usage(QStringLiteral("--tls must be starttls or direct, not '%1'").arg(tlsMode));
        address.port = address.tls == xmpp::TlsMode::StartTls ? 5222 : 5223;
        if (parser.isSet(port)) {
            const auto number = boundedInteger(parser.value(port), 1, 65535);
            if (!number)
                return usage(QStringLiteral("--port must be a number from 1 to 65535, not '%1'").arg(parser.value(port)));
            address.port = quint16(*number);
        }
        options.server = address;
    }

    if (parser.isSet(timeout)) {
        const auto seconds = boundedInteger(parser.value(timeout), 1, PhoneOptions::maxTimeoutSeconds);
        if (!seconds) {
            return usage(QStringLiteral("--timeout must be a number of seconds from 1 to %1, not '%2'")
                             .arg(PhoneOptions::maxTimeoutSeconds)
                             .arg(parser.value(timeout)));
        }
        options.timeoutMs = *seconds * 1000;
    }

    // --- pair ---
    if (parser.isSet(uri) == parser.isSet(qr))
        return usage(QStringLiteral("pair needs exactly one of --uri and --qr") + seeHelp);
    if (parser.isSet(sid)) {
        options.sid = parser.value(sid);
        if (!mobility::isValidSid(options.sid))
            return usage(QStringLiteral("--sid must be 1-64 characters of A-Z a-z 0-9 . _ -"));
    } else {
        options.sid = generatedSid();
    }

    const QString authName = parser.isSet(auth) ? parser.value(auth) : QStringLiteral("relay");
    if (authName == u"relay")
        options.authMethod = AuthMethod::SaslRelay;
    else if (authName == u"token")
        options.authMethod = AuthMethod::Token;
    else
        return usage(QStringLiteral("--auth must be relay or token, not '%1'").arg(authName));

    if (options.authMethod == AuthMethod::SaslRelay) {
        if (parser.isSet(tokenFile) || parser.isSet(oauthUrl))
            return usage(QStringLiteral("--token-file and --oauth-url need --auth token"));
        options.mechanism = parser.value(mechanism);
        if (!options.mechanism.isEmpty() && !mobility::RelayAnswerer::isAcceptableMechanism(options.mechanism)) {
            return usage(QStringLiteral("--mechanism %1: the relay answers only SCRAM-SHA-1, SCRAM-SHA-256, "
                                        "SCRAM-SHA-512 and their -PLUS forms")
                             .arg(options.mechanism));
        }
    } else {
        if (parser.isSet(tokenFile) == parser.isSet(oauthUrl))
            return usage(QStringLiteral("--auth token needs exactly one of --token-file and --oauth-url"));
        options.mechanism = parser.isSet(mechanism) ? parser.value(mechanism) : QStringLiteral("X-OAUTH2");
        if (options.mechanism != u"X-OAUTH2" && options.mechanism != u"OAUTHBEARER")
            return usage(QStringLiteral("--mechanism with --auth token must be X-OAUTH2 or OAUTHBEARER, not '%1'").arg(options.mechanism));
        if (parser.isSet(oauthUrl)) {
            options.oauthUrl = QUrl(parser.value(oauthUrl), QUrl::StrictMode);
            // The password travels in the request body.
            if (!options.oauthUrl.isValid() || options.oauthUrl.scheme() != u"https" || options.oauthUrl.host().isEmpty())
                return usage(QStringLiteral("--oauth-url must be an https:// URL"));
        }
    }

    if (parser.isSet(hold) && parser.isSet(holdUntilEnded))
        return usage(QStringLiteral("--hold and --hold-until-ended exclude each other"));
    if (parser.isSet(end) && parser.isSet(holdUntilEnded))
        return usage(QStringLiteral("--end and --hold-until-ended exclude each other: the display ends that session"));
    if (parser.isSet(hold)) {
        const auto seconds = boundedInteger(parser.value(hold), 0, PhoneOptions::maxHoldSeconds);
        if (!seconds) {
            return usage(QStringLiteral("--hold must be a number of seconds from 0 to %1, not '%2'")
                             .arg(PhoneOptions::maxHoldSeconds)
                             .arg(parser.value(hold)));
        }
        options.plan.holdSeconds = *seconds;
    }
    options.plan.holdUntilEnded = parser.isSet(holdUntilEnded);
    options.plan.end = parser.isSet(end);
    if (parser.isSet(view)) {
        auto request = viewRequestFrom(parser.value(view), parser.values(param), parser.values(accept), parser.values(sendRule));
        if (!request)
            return usage(request.error().detail);
        options.plan.view = std::move(request).value();
    } else if (parser.isSet(param) || parser.isSet(accept) || parser.isSet(sendRule)) {
        return usage(QStringLiteral("--param, --accept and --send go with --view APP") + seeHelp);
    }
    if (parser.isSet(sendState)) {
        auto state = readStateFolder(parser.value(sendState));
        if (!state)
            return usage(state.error().detail);
        SessionPlan::StateToSend toSend{std::move(state).value(), {}};
        if (parser.isSet(methods)) {
            for (const QString &name : parser.value(methods).split(u',')) {
                const auto method = mobility::transferMethodFromName(name.trimmed());
                if (!method)
                    return usage(QStringLiteral("--methods: '%1' is not inband, upload or bundle").arg(name));
                if (toSend.methods.contains(*method))
                    return usage(QStringLiteral("--methods names %1 twice").arg(name));
                toSend.methods.append(*method);
            }
        }
        options.plan.sendState = std::move(toSend);
    } else if (parser.isSet(methods) || parser.isSet(fault)) {
        return usage(QStringLiteral("--methods and --fault go with --send-state DIR") + seeHelp);
    }
    if (parser.isSet(fault)) {
        const QString kind = parser.value(fault);
        if (kind == u"corrupt-digest") {
            options.fault.corruptDigest = true;
        } else if (kind.startsWith(u"bundle-file=")) {
            QFile archive(kind.mid(12));
            if (!archive.open(QIODevice::ReadOnly))
                return usage(QStringLiteral("--fault bundle-file: %1 cannot be read: %2").arg(archive.fileName(), archive.errorString()));
            options.fault.rawBundle = archive.read(PhoneOptions::maxFaultBundleBytes + 1);
            if (options.fault.rawBundle.isEmpty() || options.fault.rawBundle.size() > PhoneOptions::maxFaultBundleBytes)
                return usage(QStringLiteral("--fault bundle-file: %1 must hold 1 byte to %2 bytes").arg(archive.fileName()).arg(PhoneOptions::maxFaultBundleBytes));
        } else {
            return usage(QStringLiteral("--fault must be corrupt-digest or bundle-file=ZIP, not '%1'").arg(kind));
        }
    }
    if (parser.isSet(pullState)) {
        if (auto target = checkStateFolderTarget(parser.value(pullState)); !target)
            return usage(target.error().detail);
        options.plan.pullStateTo = QFileInfo(parser.value(pullState)).absoluteFilePath();
    }

    // --- inputs: files, environment, QR code ---
    // Read (and removed) in every case, so no child process inherits it.
    QByteArray passwordFromEnvironment = qgetenv(passwordVariable);
    qunsetenv(passwordVariable);
    if (parser.isSet(passwordFile)) {
        auto password = readSecretFile(parser.value(passwordFile), QStringLiteral("--password-file"));
        xmpp::wipeSecret(passwordFromEnvironment);
        if (!password)
            return password.error();
        options.password = QString::fromUtf8(password.value());
        xmpp::wipeSecret(password.value());
    } else if (!passwordFromEnvironment.isEmpty()) {
        options.password = QString::fromUtf8(passwordFromEnvironment);
        xmpp::wipeSecret(passwordFromEnvironment);
    } else {
        return usage(QStringLiteral("no password: give --password-file FILE or set KIOSK_PHONE_PASSWORD"));
    }

    if (parser.isSet(relayPasswordFile)) {
        auto relayPassword = readSecretFile(parser.value(relayPasswordFile), QStringLiteral("--relay-password-file"));
        if (!relayPassword)
            return relayPassword.error();
        options.relayPassword = QString::fromUtf8(relayPassword.value());
        xmpp::wipeSecret(relayPassword.value());
    }

    if (parser.isSet(caFile)) {
        QFile file(parser.value(caFile));
        if (!file.open(QIODevice::ReadOnly))
            return usage(QStringLiteral("--ca-file %1 cannot be read: %2").arg(file.fileName(), file.errorString()));
        options.extraCaCertificates = QSslCertificate::fromData(file.read(1024 * 1024), QSsl::Pem);
        if (options.extraCaCertificates.isEmpty())
            return usage(QStringLiteral("--ca-file %1 holds no PEM certificate").arg(file.fileName()));
    }

    if (parser.isSet(tokenFile)) {
        auto token = readSecretFile(parser.value(tokenFile), QStringLiteral("--token-file"));
        if (!token)
            return token.error();
        options.token = token.value().trimmed();
        xmpp::wipeSecret(token.value());
        if (options.token.size() > mobility::PairRequest::maxTokenBytes)
            return usage(QStringLiteral("--token-file holds more than %1 bytes").arg(mobility::PairRequest::maxTokenBytes));
        const bool visibleAscii = std::all_of(options.token.cbegin(), options.token.cend(), [](char c) { return c > 0x20 && c < 0x7f; });
        if (options.token.isEmpty() || !visibleAscii)
            return usage(QStringLiteral("--token-file must hold one token of visible ASCII characters"));
    }

    if (parser.isSet(uri)) {
        const auto parsed = mobility::PairUri::parse(parser.value(uri));
        if (!parsed)
            return usage(QStringLiteral("--uri is not a kiosk pair URI (xmpp:JID?kiosk;pair=TOKEN)"));
        options.pairUri = *parsed;
    } else {
        auto parsed = readPairUriFromQr(parser.value(qr));
        if (!parsed)
            return parsed.error();
        options.pairUri = parsed.value();
    }
    const auto display = xmpp::Jid::parse(options.pairUri.jid);
    if (!display)
        return usage(QStringLiteral("the pair URI's address %1 is not a valid JID").arg(options.pairUri.jid));
    options.displayJid = *display;
    return options;
}

} // namespace phone
