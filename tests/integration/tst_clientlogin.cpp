// The XMPP core against a real server (KIOSKD_TEST_SERVER: prosody or ejabberd).
#include "client.h"
#include "namespaces.h"
#include "testservers.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QUrlQuery>

using namespace xmpp;

class TestClientLogin : public QObject
{
    Q_OBJECT

    TestServer server;

    // Connects and waits for the outcome: online, or the error that ended it.
    static Status connectAndWait(Client &client, int timeoutMs = 20'000)
    {
        QSignalSpy online(&client, &Client::online);
        QSignalSpy disconnected(&client, &Client::disconnected);
        client.connectToServer();
        if (!QTest::qWaitFor([&] { return !online.isEmpty() || !disconnected.isEmpty(); }, timeoutMs))
            return makeError(ErrorCondition::Timeout, QStringLiteral("the test waited in vain"));
        if (!online.isEmpty())
            return success();
        return disconnected.first().first().value<Status>();
    }

    QString fetchOAuthToken(const QString &role)
    {
        QNetworkAccessManager network;
        QNetworkRequest request(QUrl(server.string("oauth_token_url")));
        QSslConfiguration tls = TcpTransport::tlsConfiguration(server.caCertificates());
        request.setSslConfiguration(tls);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
        QUrlQuery form;
        form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("password"));
        form.addQueryItem(QStringLiteral("username"), server.account(role).jid);
        form.addQueryItem(QStringLiteral("password"), server.account(role).password);
        form.addQueryItem(QStringLiteral("scope"), QStringLiteral("sasl_auth"));
        QNetworkReply *reply = network.post(request, form.toString(QUrl::FullyEncoded).toUtf8());
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!finished.wait(15'000))
            return {};
        const auto body = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return body.value(QStringLiteral("access_token")).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const auto loaded = TestServer::load();
        QVERIFY2(loaded, "no server description: run through ctest (KIOSKD_TEST_SERVER, KIOSKD_TEST_SERVERS)");
        server = *loaded;
    }

    void logsInOverStartTlsAndDirectTls_data()
    {
        QTest::addColumn<TlsMode>("tls");
        QTest::newRow("starttls") << TlsMode::StartTls;
        QTest::newRow("direct") << TlsMode::DirectTls;
    }
    void logsInOverStartTlsAndDirectTls()
    {
        QFETCH(TlsMode, tls);
        Client client(server.clientConfig(QStringLiteral("alice"), tls));
        const Status status = connectAndWait(client);
        QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().message()));
        QVERIFY(client.isEncrypted());
        QCOMPARE(client.boundJid(), server.account(QStringLiteral("alice")).jid + QStringLiteral("/test"));
        // The strongest mechanism the server offers without channel binding.
        QCOMPARE(client.authenticationMechanism(),
                 server.name == QStringLiteral("prosody") ? QStringLiteral("SCRAM-SHA-1") : QStringLiteral("SCRAM-SHA-512"));
        QSignalSpy closed(&client, &Client::disconnected);
        client.disconnectFromServer();
        QVERIFY(closed.wait(5000));
        QVERIFY(closed.first().first().value<Status>().ok());
    }

    void logsInWithEachScramVariant_data()
    {
        QTest::addColumn<QString>("mechanism");
        for (const QString &m : {QStringLiteral("SCRAM-SHA-1"), QStringLiteral("SCRAM-SHA-256"), QStringLiteral("SCRAM-SHA-512")})
            QTest::newRow(qPrintable(m)) << m;
    }
    void logsInWithEachScramVariant()
    {
        QFETCH(QString, mechanism);
        if (!server.info.value(QStringLiteral("sasl_mechanisms")).toVariant().toStringList().contains(mechanism))
            QSKIP("this server does not offer the mechanism");
        PasswordPolicy policy;
        policy.onlyMechanisms = {mechanism};
        Client client(server.clientConfig(QStringLiteral("bob"), TlsMode::StartTls, QStringLiteral("scram"), policy));
        const Status status = connectAndWait(client);
        QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().message()));
        QCOMPARE(client.authenticationMechanism(), mechanism);
    }

    void logsInWithAnOAuthToken()
    {
        if (!server.info.contains(QStringLiteral("oauth_token_url")))
            QSKIP("this server has no OAuth endpoint");
        const QString token = fetchOAuthToken(QStringLiteral("alice"));
        QVERIFY(!token.isEmpty());
        ClientConfig config = server.clientConfig(QStringLiteral("alice"), TlsMode::DirectTls, QStringLiteral("token"));
        config.mechanism = [token] { return std::make_unique<TokenMechanism>(token, QStringLiteral("X-OAUTH2")); };
        Client client(config);
        const Status status = connectAndWait(client);
        QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().message()));
        QCOMPARE(client.authenticationMechanism(), QStringLiteral("X-OAUTH2"));
    }

    void wrongPasswordIsReportedClearly()
    {
        ClientConfig config = server.clientConfig(QStringLiteral("alice"));
        config.mechanism = [] { return std::make_unique<PasswordMechanism>(QStringLiteral("not the password")); };
        Client client(config);
        const Status status = connectAndWait(client);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, ErrorCondition::NotAuthorized);
        QVERIFY2(status.error().message().contains(QStringLiteral("password")), qPrintable(status.error().message()));
    }

    void untrustedCertificateIsRefused_data()
    {
        QTest::addColumn<TlsMode>("tls");
        QTest::newRow("starttls") << TlsMode::StartTls;
        QTest::newRow("direct") << TlsMode::DirectTls;
    }
    void untrustedCertificateIsRefused()
    {
        QFETCH(TlsMode, tls);
        ClientConfig config = server.clientConfig(QStringLiteral("alice"), tls);
        config.tls = TcpTransport::tlsConfiguration(); // the system store only
        Client client(config);
        const Status status = connectAndWait(client);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, ErrorCondition::CertificateUntrusted);
        QVERIFY2(status.error().message().contains(QStringLiteral("certificate")), qPrintable(status.error().message()));
    }

    void certificateForAnotherNameIsRefused()
    {
        ClientConfig config = server.clientConfig(QStringLiteral("alice"), TlsMode::DirectTls);
        config.jid = *Jid::parse(QStringLiteral("alice@not-this-server.example/test"));
        Client client(config);
        const Status status = connectAndWait(client);
        QVERIFY(!status.ok());
        // ejabberd presents its certificate, which does not name the domain; Prosody already
        // refuses the unknown name (SNI) in the handshake.
        QVERIFY2(status.error().condition == ErrorCondition::CertificateUntrusted
                     || (server.name == QStringLiteral("prosody") && status.error().condition == ErrorCondition::TlsFailed),
                 qPrintable(status.error().message()));
    }

    void exchangesMessagesWithAnIndependentClient()
    {
        QProcess peer;
        peer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        peer.start(QStringLiteral("/usr/bin/python3"),
                   {QString::fromLocal8Bit(qgetenv("KIOSKD_SOURCE_DIR")) + QStringLiteral("/tests/interop/echo_peer.py"), server.name,
                    QStringLiteral("bob")});
        QVERIFY(QTest::qWaitFor([&] { return peer.canReadLine() || peer.state() == QProcess::NotRunning; }, 30'000));
        const QString ready = QString::fromUtf8(peer.readLine()).trimmed();
        QVERIFY2(ready.startsWith(QStringLiteral("ready ")), qPrintable(ready));
        const QString peerJid = ready.mid(6);

        Client client(server.clientConfig(QStringLiteral("alice"), TlsMode::DirectTls, QStringLiteral("interop")));
        QVERIFY(connectAndWait(client).ok());
        QSignalSpy messages(&client, &Client::messageReceived);
        QDomDocument document;
        QDomElement message = document.createElementNS(ns::client, QStringLiteral("message"));
        message.setAttribute(QStringLiteral("to"), peerJid);
        message.setAttribute(QStringLiteral("type"), QStringLiteral("chat"));
        QDomElement body = document.createElementNS(ns::client, QStringLiteral("body"));
        body.appendChild(document.createTextNode(QStringLiteral("gr\u00fc\u00dfe <&> \U0001F600")));
        message.appendChild(body);
        QVERIFY(client.send(message));
        QVERIFY(QTest::qWaitFor([&] { return !messages.isEmpty(); }, 10'000));
        const QDomElement reply = messages.first().first().value<QDomElement>();
        QCOMPARE(reply.attribute(QStringLiteral("from")), peerJid);
        QCOMPARE(reply.firstChildElement(QStringLiteral("body")).text(), QStringLiteral("echo: gr\u00fc\u00dfe <&> \U0001F600"));
        peer.closeWriteChannel();
        QVERIFY(peer.waitForFinished(10'000));
    }

    void reconnectsWhenTheServerRestarts()
    {
        ClientConfig config = server.clientConfig(QStringLiteral("alice"), TlsMode::StartTls, QStringLiteral("restart"));
        ReconnectPolicy policy;
        policy.initialDelay = std::chrono::milliseconds(200);
        policy.maxDelay = std::chrono::milliseconds(2000);
        config.reconnect = policy;
        config.timeouts.pingIntervalMs = 2000;
        config.timeouts.pingTimeoutMs = 2000;
        Client client(config);
        QVERIFY(connectAndWait(client).ok());
        QSignalSpy online(&client, &Client::online);
        QSignalSpy disconnected(&client, &Client::disconnected);
        QVERIFY(server.control(QStringLiteral("halt")));
        QVERIFY(QTest::qWaitFor([&] { return !disconnected.isEmpty(); }, 15'000));
        QVERIFY(!disconnected.first().first().value<Status>().ok());
        QVERIFY(server.control(QStringLiteral("resume")));
        QVERIFY2(QTest::qWaitFor([&] { return !online.isEmpty(); }, 30'000), "the client did not come back by itself");
        QVERIFY(client.isOnline());
    }
};

QTEST_GUILESS_MAIN(TestClientLogin)
#include "tst_clientlogin.moc"
