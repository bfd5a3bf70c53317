#pragma once

// Access to the real servers the fixtures started (tests/fixtures/servers.py): their
// description from info.json, and halting/resuming them. Header-only, for tests.

#include "client.h"
#include "sasl.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSslCertificate>
#include <QTest>

#include <optional>

struct TestAccount
{
    QString jid;
    QString local;
    QString password;
};

struct TestServer
{
    QString name;      // prosody | ejabberd
    QString directory; // the fixtures' --dir
    QString variant;
    QJsonObject info;

    QString domain() const { return info.value(QStringLiteral("domain")).toString(); }
    quint16 port(const char *key) const { return quint16(info.value(QLatin1String(key)).toInt()); }
    QString caFile() const { return info.value(QStringLiteral("ca_file")).toString(); }
    QString string(const char *key) const { return info.value(QLatin1String(key)).toString(); }
    TestAccount account(const QString &role) const
    {
        const QJsonObject user = info.value(QStringLiteral("users")).toObject().value(role).toObject();
        return {user.value(QStringLiteral("jid")).toString(), user.value(QStringLiteral("local")).toString(),
                user.value(QStringLiteral("password")).toString()};
    }
    QList<QSslCertificate> caCertificates() const { return QSslCertificate::fromPath(caFile()); }
    xmpp::ServerAddress address(xmpp::TlsMode tls = xmpp::TlsMode::StartTls) const
    {
        return {QStringLiteral("127.0.0.1"), tls == xmpp::TlsMode::StartTls ? port("starttls_port") : port("direct_tls_port"), tls};
    }

    // A client for `role` that trusts only the test CA.
    xmpp::ClientConfig clientConfig(const QString &role, xmpp::TlsMode tls = xmpp::TlsMode::StartTls,
                                    const QString &resource = QStringLiteral("test"),
                                    xmpp::PasswordPolicy policy = {}) const
    {
        xmpp::ClientConfig config;
        config.jid = *xmpp::Jid::parse(account(role).jid + u'/' + resource);
        config.server = address(tls);
        config.tls = xmpp::TcpTransport::tlsConfiguration(caCertificates());
        const QString password = account(role).password;
        config.mechanism = [password, policy] { return std::make_unique<xmpp::PasswordMechanism>(password, policy); };
        return config;
    }

    // Runs servers.py COMMAND (halt, resume) for this server; true on success.
    bool control(const QString &command) const
    {
        QProcess process;
        QStringList arguments = {QString::fromLocal8Bit(qgetenv("KIOSKD_SOURCE_DIR")) + QStringLiteral("/tests/fixtures/servers.py"),
                                 command, name, QStringLiteral("--dir"), directory};
        if (!variant.isEmpty())
            arguments << QStringLiteral("--variant") << variant;
        process.start(QStringLiteral("/usr/bin/python3"), arguments);
        return process.waitForFinished(90'000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    }

    // The server named by KIOSKD_TEST_SERVER (or `name`), as the fixture described it.
    static std::optional<TestServer> load(QString name = {}, const QString &variant = {})
    {
        if (name.isEmpty())
            name = QString::fromLocal8Bit(qgetenv("KIOSKD_TEST_SERVER"));
        TestServer server{name, QString::fromLocal8Bit(qgetenv("KIOSKD_TEST_SERVERS")), variant, {}};
        QFile file(server.directory + u'/' + name + (variant.isEmpty() ? QString() : u'-' + variant) + QStringLiteral("/info.json"));
        if (name.isEmpty() || !file.open(QIODevice::ReadOnly))
            return std::nullopt;
        server.info = QJsonDocument::fromJson(file.readAll()).object();
        return server;
    }
};
