#pragma once

#include "error.h"
#include "jid.h"
#include "transport.h"

#include <QHash>
#include <QSslCertificate>
#include <QString>

#include <optional>

// kioskd's configuration file (INI, see docs/operating.md), validated as a whole so that
// a mistake is reported at start-up in one line naming the file, section and key.
struct KioskConfig
{
    xmpp::Jid deviceJid;                          // with resource ("display" when none given)
    QString devicePassword;                       // from password-file; never logged
    std::optional<xmpp::ServerAddress> deviceServer; // host/port/tls; none: SRV lookup
    QList<QSslCertificate> extraCaCertificates;   // ca-file, for every connection
    QString label;
    int pairingRotationSeconds = 60;
    int idleTimeoutSeconds = 300;
    int maxSessions = 1;
    int phoneOfflineGraceSeconds = 60;
    // [transfer]: the largest state a phone may move here, and by inband.
    int maxStateMegabytes = 64;
    int maxInbandMegabytes = 16;
    QHash<QString, xmpp::ServerAddress> domainServers; // user domain -> where to connect
    QString appsDir;

    // Reads and checks the file; the error's detail is the one line to print.
    static xmpp::Result<KioskConfig> load(const QString &path);

    // Where to connect for a user of this domain (none: SRV lookup).
    std::optional<xmpp::ServerAddress> serverFor(const QString &domain) const;

    static constexpr qint64 maxPasswordFileBytes = 4096;
    static constexpr qint64 maxCaFileBytes = 1024 * 1024;
};
