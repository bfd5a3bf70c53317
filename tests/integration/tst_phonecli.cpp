// kiosk-phone, the built binary, against a real server (KIOSKD_TEST_SERVER: prosody or
// ejabberd). The display is played by the test itself: an xmpp::Client logged in as the
// display's account, which answers pair requests and sends relay requests as scripted.
#include "client.h"
#include "namespaces.h"
#include "protocol.h"
#include "relaymechanism.h"
#include "testservers.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QPasswordDigestor>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>
#include <qrencode.h>

using namespace xmpp;
using namespace mobility;

namespace {

const QString phonePath = QStringLiteral(KIOSK_PHONE_PATH);
const QString pairingToken = QStringLiteral("PHONECLITESTTOKEN234");

// The running kiosk-phone: its JSON events as they arrive, and its exit status.
class PhoneProcess
{
public:
    PhoneProcess() { m_process.setProcessChannelMode(QProcess::SeparateChannels); }
    ~PhoneProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    void start(const QStringList &arguments, const QProcessEnvironment &environment)
    {
        m_process.setProcessEnvironment(environment);
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, [this] { readEvents(); });
        m_process.start(phonePath, arguments);
    }

    // The first event named `name` (matching `accept`), waiting for it if need be.
    std::optional<QJsonObject> waitForEvent(const QString &name, int timeoutMs = 20'000,
                                            const std::function<bool(const QJsonObject &)> &accept = {})
    {
        std::optional<QJsonObject> found;
        (void)QTest::qWaitFor(
            [&] {
                for (const QJsonObject &event : std::as_const(m_events)) {
                    if (event.value(QStringLiteral("event")).toString() == name && (!accept || accept(event))) {
                        found = event;
                        return true;
                    }
                }
                return m_process.state() == QProcess::NotRunning && !m_process.bytesAvailable();
            },
            timeoutMs);
        return found;
    }

    // The exit status, or -1 when it did not exit within the time.
    int waitForExit(int timeoutMs = 30'000)
    {
        if (!QTest::qWaitFor([&] { return m_process.state() == QProcess::NotRunning; }, timeoutMs))
            return -1;
        readEvents();
        m_stderr += m_process.readAllStandardError();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

    void terminate() { m_process.terminate(); }
    const QList<QJsonObject> &events() const { return m_events; }
    QByteArray stdoutText() const { return m_stdout; }
    QByteArray stderrText() const { return m_stderr; }
    QString transcript() const
    {
        return QStringLiteral("stdout:\n%1stderr:\n%2").arg(QString::fromUtf8(m_stdout), QString::fromUtf8(m_stderr));
    }

private:
    void readEvents()
    {
        const QByteArray bytes = m_process.readAllStandardOutput();
        m_stdout += bytes;
        m_pending += bytes;
        qsizetype newline;
        while ((newline = m_pending.indexOf('\n')) >= 0) {
            const QByteArray line = m_pending.left(newline);
            m_pending.remove(0, newline + 1);
            const QJsonDocument document = QJsonDocument::fromJson(line);
            // Anything that is not a JSON object is kept as an event the tests never expect.
            m_events.append(document.isObject() ? document.object()
                                                : QJsonObject{{QStringLiteral("event"), QStringLiteral("not-json")}});
        }
    }

    QProcess m_process;
    QList<QJsonObject> m_events;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QByteArray m_pending;
};

// The display's device connection, as far as these tests need one.
class FakeDisplay
{
public:
    // What the display does with a pair request; default: accept it.
    std::function<void(FakeDisplay &, const QDomElement &iq)> onPair = [](FakeDisplay &display, const QDomElement &iq) {
        display.client->replyResult(iq);
    };

    bool start(const TestServer &server, const QString &resource = QStringLiteral("phonecli-display"))
    {
        client = std::make_unique<Client>(server.clientConfig(QStringLiteral("display"), TlsMode::StartTls, resource));
        client->setIqHandler(mobility::ns, [this](const QDomElement &iq) {
            requests.append(iq);
            if (mobilityElementName(iq.firstChildElement()) == u"pair")
                onPair(*this, iq);
            else
                client->replyResult(iq);
        });
        QSignalSpy online(client.get(), &Client::online);
        client->connectToServer();
        return online.wait(20'000);
    }

    QString jid() const { return client->boundJid(); }

    // The first request named `name` the phone sent, waiting for it if need be.
    std::optional<QDomElement> waitForRequest(const QString &name, int timeoutMs = 20'000)
    {
        std::optional<QDomElement> found;
        (void)QTest::qWaitFor(
            [&] {
                for (const QDomElement &iq : std::as_const(requests)) {
                    if (mobilityElementName(iq.firstChildElement()) == name) {
                        found = iq;
                        return true;
                    }
                }
                return false;
            },
            timeoutMs);
        return found;
    }

    // Sends payload to `to` in an IQ set and waits for the reply.
    IqResult ask(const QString &to, const QDomElement &payload, Client *via = nullptr)
    {
        QDomDocument document;
        QDomElement iq = document.createElementNS(xmpp::ns::client, QStringLiteral("iq"));
        iq.setAttribute(QStringLiteral("type"), QStringLiteral("set"));
        iq.setAttribute(QStringLiteral("to"), to);
        iq.appendChild(document.importNode(payload, true));
        std::optional<IqResult> reply;
        (via ? via : client.get())->sendIq(iq, nullptr, [&reply](const IqResult &result) { reply = result; }, 15'000);
        if (!QTest::qWaitFor([&] { return reply.has_value(); }, 20'000))
            return makeError(ErrorCondition::Timeout, QStringLiteral("the test waited in vain"));
        return *reply;
    }

    template <typename Message> IqResult send(const QString &to, const Message &message, Client *via = nullptr)
    {
        QDomDocument document;
        return ask(to, message.toDom(document), via);
    }

    std::unique_ptr<Client> client;
    QList<QDomElement> requests;
};

QString stanzaCondition(const IqResult &result)
{
    return result.ok() ? QStringLiteral("(result)") : result.error().protocolCondition;
}

QByteArray hmacSha1(const QByteArray &key, const QByteArray &message)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha1);
}

// The server's half of a SCRAM-SHA-1 exchange, computed independently of the code
// under test (RFC 5802 section 3), so the test can check the phone's proof and sign.
struct ScramServerSide
{
    QByteArray clientFirstBare;
    QByteArray serverFirst;
    QByteArray saltedPassword;

    ScramServerSide(const QByteArray &clientFirst, const QString &password)
    {
        clientFirstBare = clientFirst.mid(clientFirst.indexOf(",,") + 2);
        const QByteArray clientNonce = clientFirstBare.mid(clientFirstBare.indexOf(",r=") + 3);
        const QByteArray salt = "phonecli-salt";
        serverFirst = "r=" + clientNonce + "ServerPart,s=" + salt.toBase64() + ",i=4096";
        saltedPassword = QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha1, password.toUtf8(), salt, 4096, 20);
    }

    // The proof the client must send, and the signature the server answers with.
    QByteArray expectedClientFinal(const QByteArray &channelBinding) const
    {
        const QByteArray withoutProof = "c=" + channelBinding + ",r=" + serverFirst.mid(2, serverFirst.indexOf(',') - 2);
        const QByteArray authMessage = clientFirstBare + ',' + serverFirst + ',' + withoutProof;
        const QByteArray clientKey = hmacSha1(saltedPassword, "Client Key");
        const QByteArray signature = hmacSha1(QCryptographicHash::hash(clientKey, QCryptographicHash::Sha1), authMessage);
        QByteArray proof = clientKey;
        for (int i = 0; i < proof.size(); ++i)
            proof[i] = char(proof[i] ^ signature[i]);
        return withoutProof + ",p=" + proof.toBase64();
    }
    QByteArray serverFinal(const QByteArray &clientFinal) const
    {
        const QByteArray withoutProof = clientFinal.left(clientFinal.indexOf(",p="));
        const QByteArray authMessage = clientFirstBare + ',' + serverFirst + ',' + withoutProof;
        return "v=" + hmacSha1(hmacSha1(saltedPassword, "Server Key"), authMessage).toBase64();
    }
};

bool writeQrCode(const QString &text, const QString &path)
{
    QRcode *code = QRcode_encodeString(text.toUtf8().constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!code)
        return false;
    const int scale = 6;
    const int quiet = 4;
    const int size = (code->width + 2 * quiet) * scale;
    QImage image(size, size, QImage::Format_Grayscale8);
    image.fill(255);
    for (int y = 0; y < code->width; ++y) {
        for (int x = 0; x < code->width; ++x) {
            if (code->data[y * code->width + x] & 1) {
                for (int dy = 0; dy < scale; ++dy)
                    for (int dx = 0; dx < scale; ++dx)
                        image.setPixel((x + quiet) * scale + dx, (y + quiet) * scale + dy, qRgb(0, 0, 0));
            }
        }
    }
    QRcode_free(code);
    return image.save(path, "PNG");
}

} // namespace

class TestPhoneCli : public QObject
{
    Q_OBJECT

    TestServer server;
    QTemporaryDir scratch;
    int runCounter = 0;

    TestAccount alice() const { return server.account(QStringLiteral("alice")); }

    QString pairUri(const QString &displayJid) const
    {
        return QStringLiteral("xmpp:%1?kiosk;pair=%2;name=Phone%20CLI%20test").arg(displayJid, pairingToken);
    }

    // The phone's connection options, with a resource of its own for each run.
    QStringList connectionArguments()
    {
        return {QStringLiteral("--jid"), alice().jid,
                QStringLiteral("--resource"), QStringLiteral("phonecli-%1-%2").arg(QCoreApplication::applicationPid()).arg(++runCounter),
                QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                QStringLiteral("--port"), QString::number(server.port("starttls_port")),
                QStringLiteral("--ca-file"), server.caFile()};
    }

    QProcessEnvironment environmentWithPassword(const QString &password) const
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("KIOSK_PHONE_PASSWORD"));
        if (!password.isNull())
            environment.insert(QStringLiteral("KIOSK_PHONE_PASSWORD"), password);
        return environment;
    }

    // Starts the phone pairing with `display`; extra arguments are appended.
    void startPairing(PhoneProcess &phone, const QString &displayJid, const QString &sid, const QStringList &extra = {})
    {
        phone.start(QStringList{QStringLiteral("pair")} + connectionArguments()
                        + QStringList{QStringLiteral("--uri"), pairUri(displayJid), QStringLiteral("--sid"), sid,
                                      QStringLiteral("--timeout"), QStringLiteral("10")}
                        + extra,
                    environmentWithPassword(alice().password));
    }

    // Pairs and returns the phone's full JID (the pair request's sender).
    QString pairedPhone(FakeDisplay &display, PhoneProcess &phone)
    {
        const auto pair = display.waitForRequest(QStringLiteral("pair"));
        if (!pair || !phone.waitForEvent(QStringLiteral("paired")))
            return {};
        return pair->attribute(QStringLiteral("from"));
    }

    // Plays the relay with a test-computed SCRAM-SHA-1 server, then reports the session active.
    bool activate(FakeDisplay &display, const QString &phoneJid, const QString &sid)
    {
        const IqResult chosen = display.send(phoneJid, SaslOffer{sid, {QStringLiteral("SCRAM-SHA-1")}, {}});
        const auto auth = chosen.ok() ? SaslAuth::fromDom(chosen.value().firstChildElement()) : std::nullopt;
        if (!auth)
            return false;
        const ScramServerSide scram(auth->initialResponse, alice().password);
        const IqResult answered = display.send(phoneJid, SaslPayload{SaslPayload::Kind::Challenge, sid, scram.serverFirst});
        const auto response = answered.ok() ? SaslPayload::fromDom(answered.value().firstChildElement()) : std::nullopt;
        return response && display.send(phoneJid, SaslPayload{SaslPayload::Kind::Success, sid, scram.serverFinal(response->data)}).ok()
               && display.send(phoneJid, SessionNotice{sid, alice().jid + QStringLiteral("/kiosk-phonecli"),
                                                       SessionNotice::State::Active, SessionNotice::Reason::None}).ok();
    }

    static SessionNotice ended(const QString &sid, SessionNotice::Reason reason)
    {
        return SessionNotice{sid, {}, SessionNotice::State::Ended, reason};
    }

    // A usage error: status 2, nothing on stdout, exactly one line on stderr.
    static void verifyUsageError(PhoneProcess &phone, const QString &expectedText = {})
    {
        QCOMPARE(phone.waitForExit(), 2);
        QVERIFY2(phone.stdoutText().isEmpty(), qPrintable(phone.transcript()));
        const QByteArray error = phone.stderrText();
        QVERIFY2(error.startsWith("kiosk-phone: ") && error.endsWith('\n') && error.count('\n') == 1, qPrintable(phone.transcript()));
        if (!expectedText.isEmpty())
            QVERIFY2(QString::fromUtf8(error).contains(expectedText), qPrintable(phone.transcript()));
    }

private Q_SLOTS:
    void initTestCase()
    {
        const auto loaded = TestServer::load();
        QVERIFY2(loaded, "no server description: run through ctest (KIOSKD_TEST_SERVER, KIOSKD_TEST_SERVERS)");
        server = *loaded;
        QVERIFY(scratch.isValid());
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("mentions");
        const QString uri = QStringLiteral("xmpp:lobby@localhost/display?kiosk;pair=ABCDEF");
        const QStringList base = {QStringLiteral("pair"), QStringLiteral("--jid"), QStringLiteral("alice@localhost"),
                                  QStringLiteral("--uri"), uri};
        const auto with = [&](const QStringList &extra) { return base + extra; };
        QTest::newRow("nothing") << QStringList{} << QStringLiteral("command");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("pear")} << QStringLiteral("pear");
        QTest::newRow("extra argument") << with({QStringLiteral("now")}) << QStringLiteral("now");
        QTest::newRow("unknown option") << with({QStringLiteral("--colour")}) << QStringLiteral("colour");
        QTest::newRow("missing value") << with({QStringLiteral("--sid")}) << QStringLiteral("sid");
        QTest::newRow("no jid") << QStringList{QStringLiteral("pair"), QStringLiteral("--uri"), uri} << QStringLiteral("--jid");
        QTest::newRow("domain as jid") << QStringList{QStringLiteral("pair"), QStringLiteral("--jid"), QStringLiteral("localhost"), QStringLiteral("--uri"), uri} << QStringLiteral("--jid");
        QTest::newRow("no uri") << QStringList{QStringLiteral("pair"), QStringLiteral("--jid"), QStringLiteral("alice@localhost")} << QStringLiteral("--uri");
        QTest::newRow("uri and qr") << with({QStringLiteral("--qr"), QStringLiteral("code.png")}) << QStringLiteral("--qr");
        QTest::newRow("uri twice") << with({QStringLiteral("--uri"), uri}) << QStringLiteral("more than once");
        QTest::newRow("bad uri") << QStringList{QStringLiteral("pair"), QStringLiteral("--jid"), QStringLiteral("alice@localhost"), QStringLiteral("--uri"), QStringLiteral("https://example.org/")} << QStringLiteral("pair URI");
        QTest::newRow("bad tls") << with({QStringLiteral("--tls"), QStringLiteral("always")}) << QStringLiteral("--tls");
        QTest::newRow("bad port") << with({QStringLiteral("--port"), QStringLiteral("70000")}) << QStringLiteral("--port");
        QTest::newRow("bad timeout") << with({QStringLiteral("--timeout"), QStringLiteral("0")}) << QStringLiteral("--timeout");
        QTest::newRow("bad sid") << with({QStringLiteral("--sid"), QStringLiteral("a b")}) << QStringLiteral("--sid");
        QTest::newRow("bad auth") << with({QStringLiteral("--auth"), QStringLiteral("password")}) << QStringLiteral("--auth");
        QTest::newRow("token without source") << with({QStringLiteral("--auth"), QStringLiteral("token")}) << QStringLiteral("--token-file");
        QTest::newRow("token file with relay") << with({QStringLiteral("--token-file"), QStringLiteral("t")}) << QStringLiteral("--auth token");
        QTest::newRow("plain relay") << with({QStringLiteral("--mechanism"), QStringLiteral("PLAIN")}) << QStringLiteral("SCRAM");
        QTest::newRow("plain token") << with({QStringLiteral("--auth"), QStringLiteral("token"), QStringLiteral("--token-file"), QStringLiteral("t"), QStringLiteral("--mechanism"), QStringLiteral("PLAIN")}) << QStringLiteral("X-OAUTH2");
        QTest::newRow("http oauth") << with({QStringLiteral("--auth"), QStringLiteral("token"), QStringLiteral("--oauth-url"), QStringLiteral("http://localhost/oauth/token")}) << QStringLiteral("https");
        QTest::newRow("negative hold") << with({QStringLiteral("--hold"), QStringLiteral("-1")}) << QStringLiteral("--hold");
        QTest::newRow("two holds") << with({QStringLiteral("--hold"), QStringLiteral("1"), QStringLiteral("--hold-until-ended")}) << QStringLiteral("exclude");
        QTest::newRow("end while held") << with({QStringLiteral("--end"), QStringLiteral("--hold-until-ended")}) << QStringLiteral("exclude");
        QTest::newRow("missing ca file") << with({QStringLiteral("--ca-file"), QStringLiteral("/nonexistent/ca.pem")}) << QStringLiteral("/nonexistent/ca.pem");
        QTest::newRow("missing qr image") << QStringList{QStringLiteral("pair"), QStringLiteral("--jid"), QStringLiteral("alice@localhost"), QStringLiteral("--qr"), QStringLiteral("/nonexistent/code.png")} << QStringLiteral("QR");
    }
    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, mentions);
        PhoneProcess phone;
        phone.start(arguments, environmentWithPassword(QStringLiteral("irrelevant")));
        verifyUsageError(phone, mentions);
    }

    void imageWithoutQrCodeIsAUsageError()
    {
        const QString path = scratch.filePath(QStringLiteral("blank.png"));
        QImage blank(64, 64, QImage::Format_Grayscale8);
        blank.fill(255);
        QVERIFY(blank.save(path, "PNG"));
        PhoneProcess phone;
        phone.start({QStringLiteral("pair"), QStringLiteral("--jid"), alice().jid, QStringLiteral("--qr"), path},
                    environmentWithPassword(QStringLiteral("irrelevant")));
        verifyUsageError(phone, QStringLiteral("no QR code"));
    }

    void passwordIsRequired_data()
    {
        QTest::addColumn<QStringList>("passwordArguments");
        QTest::addColumn<QString>("environmentPassword");
        QTest::newRow("none") << QStringList{} << QString();
        QTest::newRow("empty variable") << QStringList{} << QStringLiteral("");
        QTest::newRow("missing file") << QStringList{QStringLiteral("--password-file"), QStringLiteral("/nonexistent/secret")} << QString();
        QTest::newRow("empty file") << QStringList{QStringLiteral("--password-file"), QStringLiteral("/dev/null")} << QString();
    }
    void passwordIsRequired()
    {
        QFETCH(QStringList, passwordArguments);
        QFETCH(QString, environmentPassword);
        PhoneProcess phone;
        phone.start(QStringList{QStringLiteral("pair")} + connectionArguments() + passwordArguments
                        + QStringList{QStringLiteral("--uri"), pairUri(QStringLiteral("lobby@localhost/display"))},
                    environmentWithPassword(environmentPassword));
        verifyUsageError(phone, QStringLiteral("password"));
    }

    void wrongPasswordFailsTheOwnConnection()
    {
        const QString wrong = QStringLiteral("pw-wrong-%1").arg(QCoreApplication::applicationPid());
        PhoneProcess phone;
        phone.start(QStringList{QStringLiteral("pair")} + connectionArguments()
                        + QStringList{QStringLiteral("--uri"), pairUri(server.account(QStringLiteral("display")).jid + QStringLiteral("/display"))},
                    environmentWithPassword(wrong));
        QCOMPARE(phone.waitForExit(), 3);
        const auto error = phone.waitForEvent(QStringLiteral("error"), 0);
        QVERIFY2(error, qPrintable(phone.transcript()));
        QCOMPARE(error->value(QStringLiteral("condition")).toString(), QStringLiteral("not-authorized"));
        QVERIFY(!phone.waitForEvent(QStringLiteral("online"), 0));
        QVERIFY(!phone.stdoutText().contains(wrong.toUtf8()) && !phone.stderrText().contains(wrong.toUtf8()));
    }

    // Nobody answers for the display: the server refuses on its behalf (service-unavailable),
    // which kiosk-phone reports as a refused pairing (status 4), not as a timeout.
    void displayNotOnline_data()
    {
        QTest::addColumn<QString>("displayJid");
        const QString domain = server.domain();
        QTest::newRow("offline resource") << QStringLiteral("lobby@%1/no-such-display").arg(domain);
        QTest::newRow("bare jid") << QStringLiteral("lobby@%1").arg(domain);
        QTest::newRow("no such account") << QStringLiteral("nobody-here@%1/display").arg(domain);
    }
    void displayNotOnline()
    {
        QFETCH(QString, displayJid);
        // The password from a file this time.
        const QString passwordFile = scratch.filePath(QStringLiteral("alice.secret"));
        QFile file(passwordFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(alice().password.toUtf8() + '\n');
        file.close();

        PhoneProcess phone;
        phone.start(QStringList{QStringLiteral("pair")} + connectionArguments()
                        + QStringList{QStringLiteral("--password-file"), passwordFile, QStringLiteral("--uri"), pairUri(displayJid)},
                    environmentWithPassword(QString()));
        QCOMPARE(phone.waitForExit(), 4);
        const auto online = phone.waitForEvent(QStringLiteral("online"), 0);
        QVERIFY2(online, qPrintable(phone.transcript()));
        QVERIFY(online->value(QStringLiteral("jid")).toString().startsWith(alice().jid + u'/'));
        const auto pairing = phone.waitForEvent(QStringLiteral("pairing"), 0);
        QVERIFY(pairing);
        QCOMPARE(pairing->value(QStringLiteral("display")).toString(), displayJid);
        QCOMPARE(pairing->value(QStringLiteral("name")).toString(), QStringLiteral("Phone CLI test"));
        const auto error = phone.waitForEvent(QStringLiteral("error"), 0);
        QVERIFY(error);
        QCOMPARE(error->value(QStringLiteral("condition")).toString(), QStringLiteral("service-unavailable"));
        QCOMPARE(error->value(QStringLiteral("step")).toString(), QStringLiteral("pair"));
        QVERIFY(!phone.stdoutText().contains(alice().password.toUtf8()));
    }

    void pairingRefused_data()
    {
        QTest::addColumn<QString>("errorType");
        QTest::addColumn<QString>("condition");
        QTest::addColumn<bool>("invalidToken");
        QTest::newRow("invalid token") << QStringLiteral("cancel") << QStringLiteral("not-authorized") << true;
        QTest::newRow("busy") << QStringLiteral("wait") << QStringLiteral("resource-constraint") << false;
        QTest::newRow("locked out") << QStringLiteral("wait") << QStringLiteral("policy-violation") << false;
        QTest::newRow("malformed") << QStringLiteral("modify") << QStringLiteral("bad-request") << false;
    }
    void pairingRefused()
    {
        QFETCH(QString, errorType);
        QFETCH(QString, condition);
        QFETCH(bool, invalidToken);
        FakeDisplay display;
        display.onPair = [&](FakeDisplay &self, const QDomElement &iq) {
            QDomDocument document;
            const QDomElement application = invalidToken ? document.createElementNS(mobility::ns, QStringLiteral("invalid-token")) : QDomElement();
            self.client->replyError(iq, errorType, condition, application);
        };
        QVERIFY(display.start(server));
        PhoneProcess phone;
        startPairing(phone, display.jid(), QStringLiteral("refused-1"));
        QCOMPARE(phone.waitForExit(), 4);
        const auto error = phone.waitForEvent(QStringLiteral("error"), 0);
        QVERIFY2(error, qPrintable(phone.transcript()));
        QCOMPARE(error->value(QStringLiteral("condition")).toString(), condition);
        QVERIFY(!error->value(QStringLiteral("message")).toString().isEmpty());

        // What the display received is a valid pair request with the URI's token.
        const auto pair = display.waitForRequest(QStringLiteral("pair"), 0);
        QVERIFY(pair);
        const auto request = PairRequest::fromDom(pair->firstChildElement());
        QVERIFY(request);
        QCOMPARE(request->sid, QStringLiteral("refused-1"));
        QCOMPARE(request->token, pairingToken);
        QCOMPARE(request->method, PairRequest::Method::SaslRelay);
    }

    void pairsFromAQrCode()
    {
        FakeDisplay display;
        display.onPair = [](FakeDisplay &self, const QDomElement &iq) {
            self.client->replyError(iq, QStringLiteral("wait"), QStringLiteral("resource-constraint"));
        };
        QVERIFY(display.start(server));
        const QString image = scratch.filePath(QStringLiteral("pair.png"));
        QVERIFY(writeQrCode(pairUri(display.jid()), image));
        PhoneProcess phone;
        phone.start(QStringList{QStringLiteral("pair")} + connectionArguments() + QStringList{QStringLiteral("--qr"), image},
                    environmentWithPassword(alice().password));
        QCOMPARE(phone.waitForExit(), 4);
        const auto pair = display.waitForRequest(QStringLiteral("pair"), 0);
        QVERIFY2(pair, qPrintable(phone.transcript()));
        const auto request = PairRequest::fromDom(pair->firstChildElement());
        QVERIFY(request);
        QCOMPARE(request->token, pairingToken);
        QVERIFY(isValidSid(request->sid)); // generated
    }

    void silentDisplayTimesOut()
    {
        FakeDisplay display;
        display.onPair = [](FakeDisplay &, const QDomElement &) {}; // never answers
        QVERIFY(display.start(server));
        PhoneProcess phone;
        QElapsedTimer clock;
        clock.start();
        phone.start(QStringList{QStringLiteral("pair")} + connectionArguments()
                        + QStringList{QStringLiteral("--uri"), pairUri(display.jid()), QStringLiteral("--sid"), QStringLiteral("silent"),
                                      QStringLiteral("--timeout"), QStringLiteral("2")},
                    environmentWithPassword(alice().password));
        QCOMPARE(phone.waitForExit(), 5);
        // Well under the default of 30 s, with room for start-up, login and close on a busy machine.
        QVERIFY2(clock.elapsed() < 25'000, "the timeout was not applied");
        const auto error = phone.waitForEvent(QStringLiteral("error"), 0);
        QVERIFY(error);
        QCOMPARE(error->value(QStringLiteral("condition")).toString(), QStringLiteral("timeout"));
        // Late as it is, the display learns that the phone gave up.
        const auto abort = display.waitForRequest(QStringLiteral("abort"), 5000);
        QVERIFY(abort);
        QCOMPARE(abort->firstChildElement().attribute(QStringLiteral("sid")), QStringLiteral("silent"));
    }

    void refusesMechanismsThatRevealThePassword_data()
    {
        QTest::addColumn<QStringList>("mechanisms");
        QTest::newRow("PLAIN") << QStringList{QStringLiteral("PLAIN")};
        QTest::newRow("DIGEST-MD5 and PLAIN") << QStringList{QStringLiteral("DIGEST-MD5"), QStringLiteral("PLAIN")};
        QTest::newRow("unknown") << QStringList{QStringLiteral("X-SECRET")};
    }
    void refusesMechanismsThatRevealThePassword()
    {
        QFETCH(QStringList, mechanisms);
        FakeDisplay display;
        QVERIFY(display.start(server));
        PhoneProcess phone;
        const QString sid = QStringLiteral("plain-1");
        startPairing(phone, display.jid(), sid);
        const QString phoneJid = pairedPhone(display, phone);
        QVERIFY2(!phoneJid.isEmpty(), qPrintable(phone.transcript()));

        const IqResult answer = display.send(phoneJid, SaslOffer{sid, mechanisms, {}});
        QCOMPARE(stanzaCondition(answer), QStringLiteral("not-acceptable"));
        const auto offer = phone.waitForEvent(QStringLiteral("sasl-offer"));
        QVERIFY(offer);
        QCOMPARE(offer->value(QStringLiteral("mechanisms")).toArray().toVariantList().size(), mechanisms.size());
        const auto error = phone.waitForEvent(QStringLiteral("error"));
        QVERIFY(error);
        QCOMPARE(error->value(QStringLiteral("condition")).toString(), QStringLiteral("no-suitable-mechanism"));
        for (const QString &mechanism : std::as_const(mechanisms))
            QVERIFY(error->value(QStringLiteral("message")).toString().contains(mechanism));

        // The display then ends the session as auth-failed.
        QVERIFY(display.send(phoneJid, ended(sid, SessionNotice::Reason::AuthFailed)).ok());
        QCOMPARE(phone.waitForExit(), 1);
        const auto endedEvent = phone.waitForEvent(QStringLiteral("ended"), 0);
        QVERIFY(endedEvent);
        QCOMPARE(endedEvent->value(QStringLiteral("reason")).toString(), QStringLiteral("auth-failed"));
    }

    // The whole relay against a SCRAM "server" computed by the test: the phone's proof
    // is checked, the session becomes active, is held and ended.
    void completesARelayedScramExchange()
    {
        FakeDisplay display;
        QVERIFY(display.start(server));
        PhoneProcess phone;
        const QString sid = QStringLiteral("scram-1");
        startPairing(phone, display.jid(), sid, {QStringLiteral("--hold"), QStringLiteral("1"), QStringLiteral("--end")});
        const QString phoneJid = pairedPhone(display, phone);
        QVERIFY2(!phoneJid.isEmpty(), qPrintable(phone.transcript()));

        const IqResult chosen = display.send(phoneJid, SaslOffer{sid, {QStringLiteral("PLAIN"), QStringLiteral("SCRAM-SHA-1")}, {}});
        QVERIFY2(chosen.ok(), qPrintable(stanzaCondition(chosen)));
        const auto auth = SaslAuth::fromDom(chosen.value().firstChildElement());
        QVERIFY(auth);
        QCOMPARE(auth->sid, sid);
        QCOMPARE(auth->mechanism, QStringLiteral("SCRAM-SHA-1"));
        QVERIFY2(auth->initialResponse.startsWith("n,,n=alice,r="), auth->initialResponse.constData());

        const ScramServerSide scram(auth->initialResponse, alice().password);
        const IqResult answered = display.send(phoneJid, SaslPayload{SaslPayload::Kind::Challenge, sid, scram.serverFirst});
        QVERIFY(answered.ok());
        const auto response = SaslPayload::fromDom(answered.value().firstChildElement());
        QVERIFY(response);
        QCOMPARE(response->kind, SaslPayload::Kind::Response);
        QCOMPARE(response->data, scram.expectedClientFinal("biws"));

        QVERIFY(display.send(phoneJid, SaslPayload{SaslPayload::Kind::Success, sid, scram.serverFinal(response->data)}).ok());
        QVERIFY(phone.waitForEvent(QStringLiteral("server-verified")));

        const QString userJid = alice().jid + QStringLiteral("/kiosk-phonecli");
        QElapsedTimer held;
        held.start();
        QVERIFY(display.send(phoneJid, SessionNotice{sid, userJid, SessionNotice::State::Active, SessionNotice::Reason::None}).ok());
        const auto end = display.waitForRequest(QStringLiteral("end"));
        QVERIFY2(end, qPrintable(phone.transcript()));
        QVERIFY2(held.elapsed() >= 900, "--hold 1 did not hold");
        QCOMPARE(end->attribute(QStringLiteral("from")), phoneJid);
        QVERIFY(phone.waitForEvent(QStringLiteral("session"), 0, [&](const QJsonObject &event) {
            return event.value(QStringLiteral("state")) == QStringLiteral("active") && event.value(QStringLiteral("jid")) == userJid;
        }));
        QVERIFY(display.send(phoneJid, ended(sid, SessionNotice::Reason::Phone)).ok());
        QCOMPARE(phone.waitForExit(), 0);
        QVERIFY(!phone.stdoutText().contains(alice().password.toUtf8()));
    }

    void distrustsAWrongServerSignature()
    {
        FakeDisplay display;
        QVERIFY(display.start(server));
        PhoneProcess phone;
        const QString sid = QStringLiteral("forged-1");
        startPairing(phone, display.jid(), sid);
        const QString phoneJid = pairedPhone(display, phone);
        QVERIFY2(!phoneJid.isEmpty(), qPrintable(phone.transcript()));
        const IqResult chosen = display.send(phoneJid, SaslOffer{sid, {QStringLiteral("SCRAM-SHA-1")}, {}});
        QVERIFY(chosen.ok());
        const ScramServerSide scram(SaslAuth::fromDom(chosen.value().firstChildElement())->initialResponse, alice().password);
        QVERIFY(display.send(phoneJid, SaslPayload{SaslPayload::Kind::Challenge, sid, scram.serverFirst}).ok());

        const IqResult verdict = display.send(phoneJid, SaslPayload{SaslPayload::Kind::Success, sid, "v=AAAAAAAAAAAAAAAAAAAAAAAAAAA="});
        QCOMPARE(stanzaCondition(verdict), QStringLiteral("not-authorized"));
        const auto error = phone.waitForEvent(QStringLiteral("error"));
        QVERIFY(error);
        QCOMPARE(error->value(QStringLiteral("condition")).toString(), QStringLiteral("server-not-verified"));
        QVERIFY(!phone.waitForEvent(QStringLiteral("server-verified"), 0));
        QVERIFY(display.send(phoneJid, ended(sid, SessionNotice::Reason::AuthFailed)).ok());
        QCOMPARE(phone.waitForExit(), 1);
    }

    void endsASessionTheServerNeverProved()
    {
        FakeDisplay display;
        QVERIFY(display.start(server));
        PhoneProcess phone;
        const QString sid = QStringLiteral("unproved-1");
        startPairing(phone, display.jid(), sid);
        const QString phoneJid = pairedPhone(display, phone);
        QVERIFY2(!phoneJid.isEmpty(), qPrintable(phone.transcript()));
        QVERIFY(display.send(phoneJid, SaslOffer{sid, {QStringLiteral("SCRAM-SHA-1")}, {}}).ok());
        QVERIFY(display.send(phoneJid, SessionNotice{sid, alice().jid + QStringLiteral("/k"), SessionNotice::State::Active,
                                                     SessionNotice::Reason::None}).ok());
        QVERIFY2(display.waitForRequest(QStringLiteral("end")), qPrintable(phone.transcript()));
        QVERIFY(display.send(phoneJid, ended(sid, SessionNotice::Reason::Phone)).ok());
        QCOMPARE(phone.waitForExit(), 1);
        const auto error = phone.waitForEvent(QStringLiteral("error"), 0);
        QVERIFY(error);
        QCOMPARE(error->value(QStringLiteral("condition")).toString(), QStringLiteral("server-not-verified"));
    }

    void answersOnlyTheDisplay()
    {
        FakeDisplay display;
        QVERIFY(display.start(server));
        FakeDisplay intruder;
        QVERIFY(intruder.start(server, QStringLiteral("phonecli-intruder")));
        PhoneProcess phone;
        const QString sid = QStringLiteral("guarded-1");
        startPairing(phone, display.jid(), sid);
        const QString phoneJid = pairedPhone(display, phone);
        QVERIFY2(!phoneJid.isEmpty(), qPrintable(phone.transcript()));

        const SaslOffer offer{sid, {QStringLiteral("SCRAM-SHA-1")}, {}};
        QCOMPARE(stanzaCondition(intruder.send(phoneJid, offer)), QStringLiteral("forbidden"));
        QCOMPARE(stanzaCondition(display.send(phoneJid, SaslOffer{QStringLiteral("other-sid"), offer.mechanisms, {}})),
                 QStringLiteral("item-not-found"));
        QDomDocument document;
        QDomElement view = document.createElementNS(mobility::ns, QStringLiteral("view"));
        view.setAttribute(QStringLiteral("sid"), sid);
        QCOMPARE(stanzaCondition(display.ask(phoneJid, view)), QStringLiteral("feature-not-implemented"));
        QDomElement empty = document.createElementNS(mobility::ns, QStringLiteral("sasl"));
        empty.setAttribute(QStringLiteral("sid"), sid);
        QCOMPARE(stanzaCondition(display.ask(phoneJid, empty)), QStringLiteral("bad-request"));
        QCOMPARE(stanzaCondition(display.send(phoneJid, SaslPayload{SaslPayload::Kind::Challenge, sid, "r=x"})),
                 QStringLiteral("unexpected-request"));

        // None of that disturbed the session: the real offer is still answered.
        QVERIFY(display.send(phoneJid, offer).ok());
        QVERIFY(display.send(phoneJid, ended(sid, SessionNotice::Reason::Error)).ok());
        QCOMPARE(phone.waitForExit(), 1);
    }

    void waitsForTheRelayWithinTheTimeout()
    {
        FakeDisplay display;
        QVERIFY(display.start(server));
        PhoneProcess phone;
        phone.start(QStringList{QStringLiteral("pair")} + connectionArguments()
                        + QStringList{QStringLiteral("--uri"), pairUri(display.jid()), QStringLiteral("--sid"), QStringLiteral("stalled"),
                                      QStringLiteral("--timeout"), QStringLiteral("5")},
                    environmentWithPassword(alice().password));
        QVERIFY(!pairedPhone(display, phone).isEmpty());
        // No offer follows.
        QCOMPARE(phone.waitForExit(), 5);
        QVERIFY(display.waitForRequest(QStringLiteral("abort"), 5000));
    }

    // The display side of the relay from the project (mobility::RelayMechanism) signs a
    // user connection in to the real server through kiosk-phone.
    void signsTheDisplayInThroughTheRealServer()
    {
        FakeDisplay display;
        QVERIFY(display.start(server));
        PhoneProcess phone;
        const QString sid = QStringLiteral("real-1");
        startPairing(phone, display.jid(), sid, {QStringLiteral("--end")});
        const QString phoneJid = pairedPhone(display, phone);
        QVERIFY2(!phoneJid.isEmpty(), qPrintable(phone.transcript()));

        ClientConfig userConfig = server.clientConfig(QStringLiteral("alice"), TlsMode::StartTls, QStringLiteral("kiosk-phonecli"));
        Client *device = display.client.get();
        userConfig.mechanism = [device, phoneJid, sid] { return std::make_unique<RelayMechanism>(*device, phoneJid, sid); };
        userConfig.presencePriority = -1;
        Client user(userConfig);
        QSignalSpy online(&user, &Client::online);
        QSignalSpy disconnected(&user, &Client::disconnected);
        user.connectToServer();
        QVERIFY2(QTest::qWaitFor([&] { return !online.isEmpty() || !disconnected.isEmpty(); }, 30'000), qPrintable(phone.transcript()));
        if (online.isEmpty())
            QFAIL(qPrintable(disconnected.first().first().value<Status>().error().message() + u'\n' + phone.transcript()));

        const auto choice = phone.waitForEvent(QStringLiteral("sasl-choice"), 0);
        QVERIFY(choice);
        QCOMPARE(choice->value(QStringLiteral("mechanism")).toString(), user.authenticationMechanism());
        QVERIFY(user.authenticationMechanism().startsWith(QStringLiteral("SCRAM-")));
        QVERIFY(phone.waitForEvent(QStringLiteral("server-verified"), 0));

        QVERIFY(display.send(phoneJid, SessionNotice{sid, user.boundJid(), SessionNotice::State::Active, SessionNotice::Reason::None}).ok());
        QVERIFY2(display.waitForRequest(QStringLiteral("end")), qPrintable(phone.transcript()));
        user.disconnectFromServer();
        QVERIFY(display.send(phoneJid, ended(sid, SessionNotice::Reason::Phone)).ok());
        QCOMPARE(phone.waitForExit(), 0);
    }

    void leavesTheSessionRunningWithoutEnd()
    {
        FakeDisplay display;
        QVERIFY(display.start(server));
        PhoneProcess phone;
        const QString sid = QStringLiteral("kept-1");
        startPairing(phone, display.jid(), sid);
        const QString phoneJid = pairedPhone(display, phone);
        QVERIFY(!phoneJid.isEmpty());
        const IqResult chosen = display.send(phoneJid, SaslOffer{sid, {QStringLiteral("SCRAM-SHA-1")}, {}});
        QVERIFY(chosen.ok());
        const ScramServerSide scram(SaslAuth::fromDom(chosen.value().firstChildElement())->initialResponse, alice().password);
        const IqResult answered = display.send(phoneJid, SaslPayload{SaslPayload::Kind::Challenge, sid, scram.serverFirst});
        QVERIFY(answered.ok());
        const QByteArray clientFinal = SaslPayload::fromDom(answered.value().firstChildElement())->data;
        // The signature as a final challenge this time (RFC 6120 6.4.6): empty response.
        const IqResult last = display.send(phoneJid, SaslPayload{SaslPayload::Kind::Challenge, sid, scram.serverFinal(clientFinal)});
        QVERIFY(last.ok());
        QCOMPARE(SaslPayload::fromDom(last.value().firstChildElement())->data, QByteArray());
        QVERIFY(display.send(phoneJid, SaslPayload{SaslPayload::Kind::Success, sid, {}}).ok());
        QVERIFY(display.send(phoneJid, SessionNotice{sid, alice().jid + QStringLiteral("/k"), SessionNotice::State::Active,
                                                     SessionNotice::Reason::None}).ok());
        QCOMPARE(phone.waitForExit(), 0);
        QVERIFY(!display.waitForRequest(QStringLiteral("end"), 500));
    }

    void terminationEndsTheSession()
    {
        FakeDisplay display;
        QVERIFY(display.start(server));
        PhoneProcess phone;
        const QString sid = QStringLiteral("interrupted-1");
        startPairing(phone, display.jid(), sid, {QStringLiteral("--hold-until-ended")});
        const QString phoneJid = pairedPhone(display, phone);
        QVERIFY2(!phoneJid.isEmpty(), qPrintable(phone.transcript()));
        QVERIFY(activate(display, phoneJid, sid));
        QVERIFY2(phone.waitForEvent(QStringLiteral("holding")), qPrintable(phone.transcript()));
        QVERIFY(!display.waitForRequest(QStringLiteral("end"), 0));
        phone.terminate();
        QVERIFY2(display.waitForRequest(QStringLiteral("end")), qPrintable(phone.transcript()));
        QVERIFY(display.send(phoneJid, ended(sid, SessionNotice::Reason::Phone)).ok());
        QCOMPARE(phone.waitForExit(), 0);
        QVERIFY(phone.waitForEvent(QStringLiteral("interrupted"), 0));
    }

    void handsOverAToken_data()
    {
        QTest::addColumn<bool>("fromEndpoint");
        QTest::newRow("token file") << false;
        QTest::newRow("oauth endpoint") << true;
    }
    void handsOverAToken()
    {
        QFETCH(bool, fromEndpoint);
        if (fromEndpoint && !server.info.contains(QStringLiteral("oauth_token_url")))
            QSKIP("this server has no OAuth endpoint");
        FakeDisplay display;
        QVERIFY(display.start(server));
        QStringList tokenArguments = {QStringLiteral("--auth"), QStringLiteral("token"), QStringLiteral("--hold-until-ended")};
        const QByteArray fileToken = "file-token.0123456789-_~+/";
        if (fromEndpoint) {
            tokenArguments << QStringLiteral("--oauth-url") << server.string("oauth_token_url");
        } else {
            const QString tokenFile = scratch.filePath(QStringLiteral("token"));
            QFile file(tokenFile);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(fileToken + '\n');
            file.close();
            tokenArguments << QStringLiteral("--token-file") << tokenFile;
        }
        PhoneProcess phone;
        const QString sid = QStringLiteral("token-1");
        startPairing(phone, display.jid(), sid, tokenArguments);
        const QString phoneJid = pairedPhone(display, phone);
        QVERIFY2(!phoneJid.isEmpty(), qPrintable(phone.transcript()));
        const auto request = PairRequest::fromDom(display.waitForRequest(QStringLiteral("pair"), 0)->firstChildElement());
        QVERIFY(request);
        QCOMPARE(request->method, PairRequest::Method::Token);
        QCOMPARE(request->tokenMechanism, QStringLiteral("X-OAUTH2"));
        QVERIFY(!phone.stdoutText().contains(request->oauthToken));

        if (fromEndpoint) {
            // The token is good for signing in as the user.
            ClientConfig userConfig = server.clientConfig(QStringLiteral("alice"), TlsMode::DirectTls, QStringLiteral("kiosk-token"));
            const QString token = QString::fromLatin1(request->oauthToken);
            userConfig.mechanism = [token] { return std::make_unique<TokenMechanism>(token, QStringLiteral("X-OAUTH2")); };
            Client user(userConfig);
            QSignalSpy online(&user, &Client::online);
            user.connectToServer();
            QVERIFY(online.wait(20'000));
            user.disconnectFromServer();
        } else {
            QCOMPARE(request->oauthToken, fileToken);
        }

        QVERIFY(display.send(phoneJid, SessionNotice{sid, alice().jid + QStringLiteral("/k"), SessionNotice::State::Active,
                                                     SessionNotice::Reason::None}).ok());
        QVERIFY(phone.waitForEvent(QStringLiteral("holding")));
        QVERIFY(display.send(phoneJid, ended(sid, SessionNotice::Reason::User)).ok());
        QCOMPARE(phone.waitForExit(), 0);
    }
};

QTEST_GUILESS_MAIN(TestPhoneCli)
#include "tst_phonecli.moc"
