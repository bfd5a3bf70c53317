#include "kioskconfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>

namespace {

using xmpp::ErrorCondition;

xmpp::Error problem(const QString &path, const QString &text)
{
    return xmpp::makeError(ErrorCondition::InvalidInput, QStringLiteral("%1: %2").arg(path, text));
}

// QSettings splits unquoted values at commas; a label like "Lobby, 2nd floor" is one value.
QString text(const QSettings &settings, const QString &key)
{
    const QVariant value = settings.value(key);
    if (value.userType() == QMetaType::QStringList)
        return value.toStringList().join(QStringLiteral(", ")).trimmed();
    return value.toString().trimmed();
}

std::optional<int> integerIn(const QString &value, int low, int high)
{
    bool ok = false;
    const int number = value.toInt(&ok);
    if (!ok || number < low || number > high)
        return std::nullopt;
    return number;
}

// "host:port" or "host:port direct"; IPv6 literals in brackets.
std::optional<xmpp::ServerAddress> parseRoute(const QString &value)
{
    QStringList words = value.split(u' ', Qt::SkipEmptyParts);
    if (words.isEmpty() || words.size() > 2)
        return std::nullopt;
    xmpp::ServerAddress address;
    if (words.size() == 2) {
        if (words[1] == QStringLiteral("direct"))
            address.tls = xmpp::TlsMode::DirectTls;
        else if (words[1] != QStringLiteral("starttls"))
            return std::nullopt;
    }
    const QString &hostPort = words[0];
    const qsizetype colon = hostPort.lastIndexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    address.host = hostPort.left(colon);
    if (address.host.startsWith(u'[') && address.host.endsWith(u']'))
        address.host = address.host.mid(1, address.host.size() - 2);
    const auto port = integerIn(hostPort.mid(colon + 1), 1, 65535);
    if (!port || address.host.isEmpty())
        return std::nullopt;
    address.port = quint16(*port);
    return address;
}

} // namespace

xmpp::Result<KioskConfig> KioskConfig::load(const QString &path)
{
    const QFileInfo file(path);
    if (!file.exists())
        return problem(path, QStringLiteral("config file not found"));
    if (!file.isFile() || !file.isReadable())
        return problem(path, QStringLiteral("config file is not a readable file"));
    QSettings settings(path, QSettings::IniFormat);
    if (settings.status() != QSettings::NoError)
        return problem(path, QStringLiteral("not a valid INI file"));

    KioskConfig config;
    const QString jidText = text(settings, QStringLiteral("device/jid"));
    if (jidText.isEmpty())
        return problem(path, QStringLiteral("[device] jid is missing"));
    const auto jid = xmpp::Jid::parse(jidText);
    if (!jid || jid->local().isEmpty())
        return problem(path, QStringLiteral("[device] jid '%1' is not an account JID like lobby@example.org/display").arg(jidText));
    config.deviceJid = jid->resource().isEmpty() ? *jid->withResource(u"display") : *jid;

    const QString passwordFile = text(settings, QStringLiteral("device/password-file"));
    if (passwordFile.isEmpty())
        return problem(path, QStringLiteral("[device] password-file is missing"));
    // Relative paths are relative to the config file, so a config and its secret can move together.
    const QString passwordPath = QFileInfo(passwordFile).isAbsolute() ? passwordFile : file.absoluteDir().filePath(passwordFile);
    QFile secret(passwordPath);
    if (!secret.open(QIODevice::ReadOnly))
        return problem(path, QStringLiteral("[device] password-file %1 cannot be read: %2").arg(passwordPath, secret.errorString()));
    if (secret.size() > maxPasswordFileBytes)
        return problem(path, QStringLiteral("[device] password-file %1 is larger than %2 bytes").arg(passwordPath).arg(maxPasswordFileBytes));
    QByteArray password = secret.read(maxPasswordFileBytes);
    while (password.endsWith('\n') || password.endsWith('\r'))
        password.chop(1);
    if (password.isEmpty())
        return problem(path, QStringLiteral("[device] password-file %1 is empty").arg(passwordPath));
    config.devicePassword = QString::fromUtf8(password);
    password.fill('\0');

    const QString tls = text(settings, QStringLiteral("device/tls"));
    xmpp::TlsMode tlsMode = xmpp::TlsMode::StartTls;
    if (tls == QStringLiteral("direct"))
        tlsMode = xmpp::TlsMode::DirectTls;
    else if (!tls.isEmpty() && tls != QStringLiteral("starttls"))
        return problem(path, QStringLiteral("[device] tls must be starttls or direct, not '%1'").arg(tls));
    const QString host = text(settings, QStringLiteral("device/host"));
    const QString portText = text(settings, QStringLiteral("device/port"));
    std::optional<int> port;
    if (!portText.isEmpty()) {
        port = integerIn(portText, 1, 65535);
        if (!port)
            return problem(path, QStringLiteral("[device] port must be a number from 1 to 65535, not '%1'").arg(portText));
    }
    if (!host.isEmpty() || port || !tls.isEmpty()) {
        const int defaultPort = tlsMode == xmpp::TlsMode::DirectTls ? 5223 : 5222;
        config.deviceServer = xmpp::ServerAddress{host.isEmpty() ? config.deviceJid.domain() : host,
                                                  quint16(port.value_or(defaultPort)), tlsMode};
    }

    const QString caFile = text(settings, QStringLiteral("device/ca-file"));
    if (!caFile.isEmpty()) {
        const QString caPath = QFileInfo(caFile).isAbsolute() ? caFile : file.absoluteDir().filePath(caFile);
        QFile ca(caPath);
        if (!ca.open(QIODevice::ReadOnly))
            return problem(path, QStringLiteral("[device] ca-file %1 cannot be read: %2").arg(caPath, ca.errorString()));
        if (ca.size() > maxCaFileBytes)
            return problem(path, QStringLiteral("[device] ca-file %1 is larger than %2 bytes").arg(caPath).arg(maxCaFileBytes));
        config.extraCaCertificates = QSslCertificate::fromData(ca.read(maxCaFileBytes), QSsl::Pem);
        if (config.extraCaCertificates.isEmpty())
            return problem(path, QStringLiteral("[device] ca-file %1 holds no PEM certificate").arg(caPath));
    }

    config.label = text(settings, QStringLiteral("display/label"));
    if (config.label.isEmpty())
        config.label = config.deviceJid.local();
    if (config.label.size() > 100)
        return problem(path, QStringLiteral("[display] label is longer than 100 characters"));
    const struct
    {
        const char *section;
        const char *key;
        int low, high;
        int *target;
    } numbers[] = {
        {"display", "pairing-rotation", 10, 3600, &config.pairingRotationSeconds},
        {"display", "idle-timeout", 10, 86400, &config.idleTimeoutSeconds},
        {"display", "max-sessions", 1, 16, &config.maxSessions},
        {"display", "phone-offline-grace", 5, 3600, &config.phoneOfflineGraceSeconds},
        // A state is held in memory while it moves.
        {"transfer", "max-state-mb", 1, 1024, &config.maxStateMegabytes},
        {"transfer", "max-inband-mb", 1, 1024, &config.maxInbandMegabytes},
    };
    for (const auto &number : numbers) {
        const QString key = QLatin1String(number.section) + u'/' + QLatin1String(number.key);
        const QString value = text(settings, key);
        if (value.isEmpty())
            continue;
        const auto parsed = integerIn(value, number.low, number.high);
        if (!parsed)
            return problem(path, QStringLiteral("[%1] %2 must be a number from %3 to %4, not '%5'")
                                     .arg(QLatin1String(number.section), QLatin1String(number.key))
                                     .arg(number.low).arg(number.high).arg(value));
        *number.target = *parsed;
    }

    settings.beginGroup(QStringLiteral("domains"));
    for (const QString &domain : settings.childKeys()) {
        const QString value = text(settings, domain);
        const auto route = parseRoute(value);
        if (!route)
            return problem(path, QStringLiteral("[domains] %1 must be host:port or host:port direct, not '%2'").arg(domain, value));
        config.domainServers.insert(domain.toLower(), *route);
    }
    settings.endGroup();

    config.appsDir = text(settings, QStringLiteral("apps/dir"));
    if (config.appsDir.isEmpty())
        config.appsDir = QStringLiteral("/usr/share/kioskd/apps");
    else if (!QFileInfo(config.appsDir).isAbsolute())
        config.appsDir = file.absoluteDir().filePath(config.appsDir);
    return config;
}

std::optional<xmpp::ServerAddress> KioskConfig::serverFor(const QString &domain) const
{
    if (const auto it = domainServers.constFind(domain.toLower()); it != domainServers.cend())
        return *it;
    if (deviceServer && domain.compare(deviceJid.domain(), Qt::CaseInsensitive) == 0)
        return deviceServer;
    return std::nullopt;
}
