// XEP-0363: slot and service parsing, discovery and slot requests against a scripted
// server, and HTTP transfers against a small HTTPS server on 127.0.0.1.
#include "client.h"
#include "fakelogin.h"
#include "httpupload.h"

#include <QNetworkAccessManager>
#include <QPointer>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTest>

using namespace xmpp;

namespace {

// Self-signed for localhost and 127.0.0.1, valid 2024-2124; trusted only by these tests.
const QByteArray serverCertificate = R"(-----BEGIN CERTIFICATE-----
MIIBZzCCAQ6gAwIBAgICEAAwCgYIKoZIzj0EAwIwFDESMBAGA1UEAwwJbG9jYWxo
b3N0MCAXDTI0MDEwMTAwMDAwMFoYDzIxMjQwMTAxMDAwMDAwWjAUMRIwEAYDVQQD
DAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQXnOuQ2z07FbrD
miymNFobn/wq6nv7KtbJcC4dPOoQOBgG5wF02dOlaKUVccId1UnuufjWXeV6tYn0
SUnYfAF3o04wTDAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwDwYDVR0TAQH/
BAUwAwEB/zAdBgNVHQ4EFgQUAL2dTTQLtYUDjY4x6UFqMH0nHoowCgYIKoZIzj0E
AwIDRwAwRAIgId2MOEsUnTI/y+4PmT8lFLCftZcn16JDNiJ60HHe3bgCIGJ16tUY
DnmC9VotxUNE1k1xJL9b/rd99o8Un9fW8WGn
-----END CERTIFICATE-----
)";
const QByteArray serverKey = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg283+T9Vqbfz3451q
p2J3DVm74o08TTwqPokZNLdOHeqhRANCAAQXnOuQ2z07FbrDmiymNFobn/wq6nv7
KtbJcC4dPOoQOBgG5wF02dOlaKUVccId1UnuufjWXeV6tYn0SUnYfAF3
-----END PRIVATE KEY-----
)";

QDomElement parseElement(const QByteArray &xml)
{
    QDomDocument document;
    document.setContent(xml, true);
    return document.documentElement();
}

QDomElement slotElement(const QByteArray &children)
{
    return parseElement("<slot xmlns='urn:xmpp:http:upload:0'>" + children + "</slot>");
}

const QByteArray uploadInfo = "<query xmlns='http://jabber.org/protocol/disco#info'>"
                              "<identity category='store' type='file' name='HTTP File Upload'/>"
                              "<feature var='urn:xmpp:http:upload:0'/>"
                              "<x xmlns='jabber:x:data' type='result'>"
                              "<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload:0</value></field>"
                              "<field var='max-file-size'><value>1000</value></field></x></query>";

// One HTTP/1.1 request as the server saw it.
struct SeenRequest
{
    QByteArray method;
    QByteArray path;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
};

// An HTTPS server on 127.0.0.1 that hands each complete request to `respond`.
class TinyHttpsServer : public QObject
{
    Q_OBJECT
public:
    std::function<void(QSslSocket *socket, const SeenRequest &request)> respond;
    QList<SeenRequest> requests;
    int disconnects = 0;

    bool listen()
    {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate(serverCertificate));
        tls.setPrivateKey(QSslKey(serverKey, QSsl::Ec));
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server.setSslConfiguration(tls);
        connect(&m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (auto *socket = qobject_cast<QSslSocket *>(m_server.nextPendingConnection()))
                serve(socket);
        });
        return m_server.listen(QHostAddress::LocalHost);
    }
    QUrl url(const QString &path) const
    {
        return QUrl(QStringLiteral("https://localhost:%1%2").arg(m_server.serverPort()).arg(path));
    }

private:
    void serve(QSslSocket *socket)
    {
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QSslSocket::disconnected, this, [this, socket] {
            ++disconnects;
            socket->deleteLater();
        });
        connect(socket, &QSslSocket::readyRead, this, [this, socket, buffer] {
            buffer->append(socket->readAll());
            const qsizetype headEnd = buffer->indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            SeenRequest request;
            const QList<QByteArray> lines = buffer->left(headEnd).split('\n');
            const QList<QByteArray> start = lines.first().trimmed().split(' ');
            request.method = start.value(0);
            request.path = start.value(1);
            for (const QByteArray &line : lines.mid(1)) {
                const qsizetype colon = line.indexOf(':');
                request.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
            }
            const qsizetype length = request.header("Content-Length").toLongLong();
            if (buffer->size() < headEnd + 4 + length)
                return;
            request.body = buffer->mid(headEnd + 4, length);
            buffer->remove(0, headEnd + 4 + length);
            requests.append(request);
            if (respond)
                respond(socket, request);
        });
    }

    QSslServer m_server;
};

void answer(QSslSocket *socket, const QByteArray &status, const QByteArray &body, const QByteArray &extraHeaders = {})
{
    socket->write("HTTP/1.1 " + status + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n"
                  + body);
}

} // namespace

class TestHttpUpload : public QObject
{
    Q_OBJECT

    QPointer<FakeTransport> transport;
    std::unique_ptr<Client> client;
    // Receives the callbacks; gone before the results they would write to.
    std::unique_ptr<QObject> context;
    QNetworkAccessManager network;
    QSslConfiguration trusting = TcpTransport::tlsConfiguration({QSslCertificate(serverCertificate)});

    ClientConfig config() { return fakeClientConfig(transport, TlsMode::DirectTls); }

    // Plays a server through SASL and bind; leaves the client online.
    void login(ClientConfig cfg)
    {
        client = std::make_unique<Client>(std::move(cfg));
        QVERIFY(playFakeLogin(*client, transport));
    }

    // The IQs the client wrote since the last call.
    QList<QDomElement> sentIqs()
    {
        const QDomElement root = parseElement("<r xmlns='jabber:client'>" + transport->takeWritten() + "</r>");
        QList<QDomElement> iqs;
        for (QDomElement iq = root.firstChildElement(QStringLiteral("iq")); !iq.isNull(); iq = iq.nextSiblingElement(QStringLiteral("iq")))
            iqs.append(iq);
        return iqs;
    }

    void reply(const QDomElement &request, const QByteArray &payload)
    {
        transport->serverSends("<iq type='result' id='" + request.attribute(QStringLiteral("id")).toUtf8() + "' from='"
                               + request.attribute(QStringLiteral("to")).toUtf8() + "'>" + payload + "</iq>");
    }

    static Result<QByteArray> waitFor(HttpFileTransfer *transfer, int timeoutMs = 10'000)
    {
        QSignalSpy finished(transfer, &HttpFileTransfer::finished);
        if (!finished.wait(timeoutMs))
            return makeError(ErrorCondition::Timeout, QStringLiteral("the test waited in vain"));
        return finished.first().first().value<Result<QByteArray>>();
    }

private Q_SLOTS:
    void init() { context = std::make_unique<QObject>(); }
    void cleanup()
    {
        context.reset();
        client.reset();
    }

    void parsesASlot()
    {
        const auto slot = parseUploadSlot(slotElement(
            "<put url='https://upload.example.org/f/abc/photo%20one.jpg?token=secret'>"
            "<header name='authorization'>Basic Zm9v\nYmFy</header>"
            "<header name='Cookie'>foo=bar; user=romeo</header>"
            "<header name='Expires'>Tue, 19 Nov 2024 08:00:00 GMT</header>"
            "<header name='X-Evil'>1</header>"
            "<header name='Host'>elsewhere.example</header></put>"
            "<get url='https://download.example.org/f/abc/photo%20one.jpg'/>"));
        QVERIFY2(slot.ok(), qPrintable(slot.ok() ? QString() : slot.error().message()));
        QCOMPARE(slot.value().putUrl.query(), QStringLiteral("token=secret"));
        QCOMPARE(slot.value().getUrl.host(), QStringLiteral("download.example.org"));
        const QList<std::pair<QByteArray, QByteArray>> expected = {
            {"Authorization", "Basic Zm9vYmFy"},
            {"Cookie", "foo=bar; user=romeo"},
            {"Expires", "Tue, 19 Nov 2024 08:00:00 GMT"},
        };
        QCOMPARE(slot.value().putHeaders, expected);
        QCOMPARE(loggableUrl(slot.value().putUrl), QStringLiteral("https://upload.example.org/f/abc/photo one.jpg"));
    }

    void refusesUnusableSlots_data()
    {
        QTest::addColumn<QByteArray>("children");
        QTest::addColumn<ErrorCondition>("condition");
        const QByteArray get = "<get url='https://example.org/g'/>";
        const QByteArray put = "<put url='https://example.org/p'/>";
        QTest::newRow("http put") << "<put url='http://example.org/p'/>" + get << ErrorCondition::TlsUnavailable;
        QTest::newRow("http get") << put + "<get url='http://example.org/g'/>" << ErrorCondition::TlsUnavailable;
        QTest::newRow("other scheme") << "<put url='ftp://example.org/p'/>" + get << ErrorCondition::ProtocolViolation;
        QTest::newRow("relative") << "<put url='/p'/>" + get << ErrorCondition::ProtocolViolation;
        QTest::newRow("credentials") << "<put url='https://u:pw@example.org/p'/>" + get << ErrorCondition::ProtocolViolation;
        QTest::newRow("missing get") << put << ErrorCondition::ProtocolViolation;
        QTest::newRow("missing put") << get << ErrorCondition::ProtocolViolation;
        QTest::newRow("empty get") << put + "<get/>" << ErrorCondition::ProtocolViolation;
        QTest::newRow("old text form") << QByteArray("<put>https://example.org/p</put><get>https://example.org/g</get>")
                                       << ErrorCondition::ProtocolViolation;
        QTest::newRow("long url") << "<put url='https://example.org/" + QByteArray(9000, 'a') + "'/>" + get
                                  << ErrorCondition::LimitExceeded;
        QTest::newRow("many headers") << "<put url='https://example.org/p'>"
                                             + QByteArray("<header name='Cookie'>a=b</header>").repeated(17) + "</put>" + get
                                      << ErrorCondition::LimitExceeded;
    }
    void refusesUnusableSlots()
    {
        QFETCH(QByteArray, children);
        QFETCH(ErrorCondition, condition);
        const auto slot = parseUploadSlot(slotElement(children));
        QVERIFY(!slot.ok());
        QCOMPARE(slot.error().condition, condition);
        QVERIFY2(!slot.error().message().contains(QStringLiteral("pw")), qPrintable(slot.error().message()));
    }

    void refusesWhatIsNoSlot()
    {
        QCOMPARE(parseUploadSlot(QDomElement()).error().condition, ErrorCondition::ProtocolViolation);
        QCOMPARE(parseUploadSlot(parseElement("<slot xmlns='urn:xmpp:http:upload:1'><put url='https://a/p'/><get url='https://a/g'/></slot>"))
                     .error()
                     .condition,
                 ErrorCondition::ProtocolViolation);
    }

    void readsTheServiceFromDiscoInfo()
    {
        auto service = uploadServiceFromDiscoInfo(QStringLiteral("upload.example.org"), parseElement(uploadInfo));
        QVERIFY(service);
        QCOMPARE(service->jid, QStringLiteral("upload.example.org"));
        QCOMPARE(service->maxFileSize, std::optional<qint64>(1000));

        service = uploadServiceFromDiscoInfo(QStringLiteral("u"), parseElement("<query xmlns='http://jabber.org/protocol/disco#info'>"
                                                                               "<feature var='urn:xmpp:http:upload:0'/></query>"));
        QVERIFY(service);
        QVERIFY(!service->maxFileSize);

        // A limit in another form, or one that is no number, is no limit.
        service = uploadServiceFromDiscoInfo(
            QStringLiteral("u"), parseElement("<query xmlns='http://jabber.org/protocol/disco#info'><feature var='urn:xmpp:http:upload:0'/>"
                                              "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE'><value>urn:example</value></field>"
                                              "<field var='max-file-size'><value>5</value></field></x>"
                                              "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE'><value>urn:xmpp:http:upload:0</value></field>"
                                              "<field var='max-file-size'><value>-5</value></field></x></query>"));
        QVERIFY(service);
        QVERIFY(!service->maxFileSize);

        QVERIFY(!uploadServiceFromDiscoInfo(QStringLiteral("u"), parseElement("<query xmlns='http://jabber.org/protocol/disco#info'>"
                                                                              "<feature var='urn:xmpp:http:upload'/></query>")));
    }

    void discoversTheFirstServiceInTheServersOrder()
    {
        login(config());
        std::optional<Result<HttpUploadService>> result;
        discoverUploadService(*client, context.get(), [&result](const Result<HttpUploadService> &r) { result = r; });
        QList<QDomElement> iqs = sentIqs();
        QCOMPARE(iqs.size(), 1);
        QCOMPARE(iqs.first().attribute(QStringLiteral("to")), QStringLiteral("example.org"));
        QCOMPARE(iqs.first().attribute(QStringLiteral("type")), QStringLiteral("get"));
        QCOMPARE(iqs.first().firstChildElement().namespaceURI(), QStringLiteral("http://jabber.org/protocol/disco#items"));
        reply(iqs.first(), "<query xmlns='http://jabber.org/protocol/disco#items'>"
                           "<item jid='conference.example.org'/><item jid='upload.example.org' name='Upload'/>"
                           "<item jid='example.org' node='announce'/><item jid='upload.example.org'/>"
                           "<item jid='not a jid@@'/><item jid='other-upload.example.org'/></query>");
        iqs = sentIqs();
        QCOMPARE(iqs.size(), 3);
        QCOMPARE(iqs[0].attribute(QStringLiteral("to")), QStringLiteral("conference.example.org"));
        QCOMPARE(iqs[1].attribute(QStringLiteral("to")), QStringLiteral("upload.example.org"));
        QCOMPARE(iqs[2].attribute(QStringLiteral("to")), QStringLiteral("other-upload.example.org"));
        // The later service answers first; the earlier item decides.
        reply(iqs[2], uploadInfo);
        reply(iqs[1], uploadInfo);
        QTest::qWait(20);
        QVERIFY(!result);
        reply(iqs[0], "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='conference' type='text'/>"
                      "<feature var='http://jabber.org/protocol/muc'/></query>");
        QTRY_VERIFY(result);
        QVERIFY(result->ok());
        QCOMPARE(result->value().jid, QStringLiteral("upload.example.org"));
        QCOMPARE(result->value().maxFileSize, std::optional<qint64>(1000));
    }

    void reportsNoServiceAsServiceUnavailable()
    {
        login(config());
        std::optional<Result<HttpUploadService>> result;
        discoverUploadService(*client, context.get(), [&result](const Result<HttpUploadService> &r) { result = r; });
        QList<QDomElement> iqs = sentIqs();
        reply(iqs.first(), "<query xmlns='http://jabber.org/protocol/disco#items'><item jid='conference.example.org'/>"
                           "<item jid='broken.example.org'/></query>");
        iqs = sentIqs();
        QCOMPARE(iqs.size(), 2);
        reply(iqs[0], "<query xmlns='http://jabber.org/protocol/disco#info'/>");
        transport->serverSends("<iq type='error' id='" + iqs[1].attribute(QStringLiteral("id")).toUtf8()
                               + "' from='broken.example.org'><error type='cancel'><remote-server-not-found "
                                 "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
        QTRY_VERIFY(result);
        QVERIFY(!result->ok());
        QCOMPARE(result->error().condition, ErrorCondition::StanzaError);
        QCOMPARE(result->error().protocolCondition, QStringLiteral("service-unavailable"));

        // A domain without items says the same.
        result.reset();
        discoverUploadService(*client, context.get(), [&result](const Result<HttpUploadService> &r) { result = r; });
        reply(sentIqs().first(), "<query xmlns='http://jabber.org/protocol/disco#items'/>");
        QTRY_VERIFY(result);
        QCOMPARE(result->error().protocolCondition, QStringLiteral("service-unavailable"));
    }

    void asksAtMost32Items()
    {
        login(config());
        std::optional<Result<HttpUploadService>> result;
        discoverUploadService(*client, context.get(), [&result](const Result<HttpUploadService> &r) { result = r; });
        QByteArray items;
        for (int i = 0; i < 100; ++i)
            items += "<item jid='c" + QByteArray::number(i) + ".example.org'/>";
        reply(sentIqs().first(), "<query xmlns='http://jabber.org/protocol/disco#items'>" + items + "</query>");
        const QList<QDomElement> iqs = sentIqs();
        QCOMPARE(iqs.size(), maxUploadDiscoItems);
        QCOMPARE(iqs.last().attribute(QStringLiteral("to")), QStringLiteral("c31.example.org"));
    }

    void anUnansweredItemIsATimeout()
    {
        ClientConfig cfg = config();
        cfg.timeouts.iqMs = 200;
        login(cfg);
        std::optional<Result<HttpUploadService>> result;
        discoverUploadService(*client, context.get(), [&result](const Result<HttpUploadService> &r) { result = r; });
        reply(sentIqs().first(), "<query xmlns='http://jabber.org/protocol/disco#items'><item jid='slow.example.org'/>"
                                 "<item jid='conference.example.org'/></query>");
        const QList<QDomElement> iqs = sentIqs();
        reply(iqs[1], "<query xmlns='http://jabber.org/protocol/disco#info'/>");
        QTRY_VERIFY(result);
        QCOMPARE(result->error().condition, ErrorCondition::Timeout);
        QVERIFY2(result->error().detail.contains(QStringLiteral("slow.example.org")), qPrintable(result->error().detail));
    }

    void discoveryEndsWhenTheConnectionCloses()
    {
        login(config());
        std::optional<Result<HttpUploadService>> result;
        discoverUploadService(*client, context.get(), [&result](const Result<HttpUploadService> &r) { result = r; });
        transport->serverDrops();
        QTRY_VERIFY(result);
        QCOMPARE(result->error().condition, ErrorCondition::Cancelled);

        // Offline from the start: still asynchronous, still exactly once.
        int calls = 0;
        discoverUploadService(*client, context.get(), [&calls](const Result<HttpUploadService> &r) {
            QCOMPARE(r.error().condition, ErrorCondition::Cancelled);
            ++calls;
        });
        QCOMPARE(calls, 0);
        QTest::qWait(20);
        QCOMPARE(calls, 1);
    }

    void noCallbackOnceTheContextIsGone()
    {
        login(config());
        bool called = false;
        auto owner = std::make_unique<QObject>();
        discoverUploadService(*client, owner.get(), [&called](const Result<HttpUploadService> &) { called = true; });
        const QList<QDomElement> iqs = sentIqs();
        owner.reset();
        reply(iqs.first(), "<query xmlns='http://jabber.org/protocol/disco#items'/>");
        QTest::qWait(20);
        QVERIFY(!called);
    }

    void requestsASlot()
    {
        login(config());
        const HttpUploadService service{QStringLiteral("upload.example.org"), 1000};
        std::optional<Result<HttpUploadSlot>> result;
        requestUploadSlot(*client, service, QStringLiteral("très cool.jpg"), 1000, QStringLiteral("image/jpeg"), context.get(),
                          [&result](const Result<HttpUploadSlot> &r) { result = r; });
        const QList<QDomElement> iqs = sentIqs();
        QCOMPARE(iqs.size(), 1);
        QCOMPARE(iqs.first().attribute(QStringLiteral("to")), QStringLiteral("upload.example.org"));
        QCOMPARE(iqs.first().attribute(QStringLiteral("type")), QStringLiteral("get"));
        const QDomElement request = iqs.first().firstChildElement(QStringLiteral("request"));
        QCOMPARE(request.namespaceURI(), QStringLiteral("urn:xmpp:http:upload:0"));
        QCOMPARE(request.attribute(QStringLiteral("filename")), QStringLiteral("très cool.jpg"));
        QCOMPARE(request.attribute(QStringLiteral("size")), QStringLiteral("1000"));
        QCOMPARE(request.attribute(QStringLiteral("content-type")), QStringLiteral("image/jpeg"));
        reply(iqs.first(), "<slot xmlns='urn:xmpp:http:upload:0'><put url='https://upload.example.org/p?t=1'>"
                           "<header name='Authorization'>Bearer x</header></put><get url='https://upload.example.org/g'/></slot>");
        QTRY_VERIFY(result);
        QVERIFY(result->ok());
        QCOMPARE(result->value().putHeaders.size(), 1);

        // A refusal comes back as the stanza error.
        result.reset();
        requestUploadSlot(*client, service, QStringLiteral("a.bin"), 10, {}, context.get(),
                          [&result](const Result<HttpUploadSlot> &r) { result = r; });
        const QDomElement second = sentIqs().first();
        QVERIFY(!second.firstChildElement().hasAttribute(QStringLiteral("content-type")));
        transport->serverSends("<iq type='error' id='" + second.attribute(QStringLiteral("id")).toUtf8()
                               + "' from='upload.example.org'><error type='wait'><resource-constraint "
                                 "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
        QTRY_VERIFY(result);
        QCOMPARE(result->error().condition, ErrorCondition::StanzaError);
        QCOMPARE(result->error().protocolCondition, QStringLiteral("resource-constraint"));
    }

    void refusesAnOversizeFileWithoutAsking()
    {
        login(config());
        std::optional<Result<HttpUploadSlot>> result;
        requestUploadSlot(*client, {QStringLiteral("upload.example.org"), 1000}, QStringLiteral("big.bin"), 1001, {}, context.get(),
                          [&result](const Result<HttpUploadSlot> &r) { result = r; });
        QVERIFY(!result);
        QTRY_VERIFY(result);
        QCOMPARE(result->error().condition, ErrorCondition::LimitExceeded);
        QVERIFY(transport->written.isEmpty());
    }

    void refusesBadRequestsWithoutAsking_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<qint64>("size");
        QTest::addColumn<QString>("contentType");
        QTest::newRow("empty name") << QString() << qint64(1) << QString();
        QTest::newRow("newline in name") << QStringLiteral("a\nb") << qint64(1) << QString();
        QTest::newRow("long name") << QString(2000, u'a') << qint64(1) << QString();
        QTest::newRow("negative size") << QStringLiteral("a") << qint64(-1) << QString();
        QTest::newRow("bad type") << QStringLiteral("a") << qint64(1) << QStringLiteral("text/plain\r\nX: y");
    }
    void refusesBadRequestsWithoutAsking()
    {
        QFETCH(QString, fileName);
        QFETCH(qint64, size);
        QFETCH(QString, contentType);
        login(config());
        std::optional<Result<HttpUploadSlot>> result;
        requestUploadSlot(*client, {QStringLiteral("upload.example.org"), std::nullopt}, fileName, size, contentType, context.get(),
                          [&result](const Result<HttpUploadSlot> &r) { result = r; });
        QTRY_VERIFY(result);
        QCOMPARE(result->error().condition, ErrorCondition::InvalidInput);
        QVERIFY(transport->written.isEmpty());
    }

    void getReturnsTheBody()
    {
        TinyHttpsServer server;
        QVERIFY(server.listen());
        server.respond = [](QSslSocket *socket, const SeenRequest &) { answer(socket, "200 OK", "hello"); };
        HttpFileTransfer *transfer = HttpFileTransfer::get(network, server.url(QStringLiteral("/f?token=1")), 5, trusting, {}, this);
        QSignalSpy progress(transfer, &HttpFileTransfer::progress);
        const auto result = waitFor(transfer);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message()));
        QCOMPARE(result.value(), QByteArray("hello"));
        QVERIFY(!progress.isEmpty());
        QCOMPARE(server.requests.first().method, QByteArray("GET"));
        QCOMPARE(server.requests.first().path, QByteArray("/f?token=1"));
        QCOMPARE(server.requests.first().header("Accept-Encoding"), QByteArray("identity"));
        delete transfer;
    }

    void getRefusesAnAnnouncedLengthOverTheLimit()
    {
        TinyHttpsServer server;
        QVERIFY(server.listen());
        server.respond = [](QSslSocket *socket, const SeenRequest &) { answer(socket, "200 OK", QByteArray(1000, 'x')); };
        const auto result = waitFor(HttpFileTransfer::get(network, server.url(QStringLiteral("/f")), 999, trusting, {}, this));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().condition, ErrorCondition::LimitExceeded);
    }

    void getAbortsAnEndlessBodyAtTheLimit()
    {
        TinyHttpsServer server;
        QVERIFY(server.listen());
        qint64 sent = 0;
        server.respond = [&sent](QSslSocket *socket, const SeenRequest &) {
            socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            // Another chunk whenever the last one left; the client must hang up.
            auto more = [socket, &sent] {
                if (socket->bytesToWrite() > 0 || sent > 256 * 1024 * 1024)
                    return;
                const QByteArray chunk(64 * 1024, 'x');
                socket->write(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
                sent += chunk.size();
            };
            QObject::connect(socket, &QSslSocket::encryptedBytesWritten, socket, more);
            more();
        };
        const qint64 limit = 300 * 1024;
        const auto result = waitFor(HttpFileTransfer::get(network, server.url(QStringLiteral("/f")), limit, trusting, {}, this));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().condition, ErrorCondition::LimitExceeded);
        QTRY_COMPARE(server.disconnects, 1);
        QVERIFY2(sent < 64 * 1024 * 1024, qPrintable(QString::number(sent)));
    }

    void getRefusesPlainHttp()
    {
        auto *transfer = HttpFileTransfer::get(network, QUrl(QStringLiteral("http://127.0.0.1:1/f")), 10, trusting, {}, this);
        QSignalSpy finished(transfer, &HttpFileTransfer::finished);
        QVERIFY(finished.isEmpty());
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().first().value<Result<QByteArray>>().error().condition, ErrorCondition::TlsUnavailable);
    }

    void httpErrorsCarryTheStatus()
    {
        TinyHttpsServer server;
        QVERIFY(server.listen());
        server.respond = [](QSslSocket *socket, const SeenRequest &) { answer(socket, "404 Not Found", "no such file"); };
        const auto result = waitFor(HttpFileTransfer::get(network, server.url(QStringLiteral("/f?secret=1")), 100, trusting, {}, this));
        QCOMPARE(result.error().condition, ErrorCondition::HttpFailed);
        QVERIFY2(result.error().detail.startsWith(QStringLiteral("HTTP 404 Not Found")), qPrintable(result.error().detail));
        QVERIFY2(!result.error().message().contains(QStringLiteral("secret")), qPrintable(result.error().message()));
        QCOMPARE(Error::conditionName(ErrorCondition::HttpFailed), QStringLiteral("http-failed"));
    }

    void redirectsAreNotFollowed()
    {
        TinyHttpsServer server;
        QVERIFY(server.listen());
        const QByteArray target = server.url(QStringLiteral("/elsewhere")).toEncoded();
        server.respond = [target](QSslSocket *socket, const SeenRequest &request) {
            if (request.path == "/f")
                answer(socket, "302 Found", {}, "Location: " + target + "\r\n");
            else
                answer(socket, "200 OK", "moved");
        };
        const auto result = waitFor(HttpFileTransfer::get(network, server.url(QStringLiteral("/f")), 100, trusting, {}, this));
        QCOMPARE(result.error().condition, ErrorCondition::HttpFailed);
        QVERIFY2(result.error().detail.startsWith(QStringLiteral("HTTP 302")), qPrintable(result.error().detail));
        QCOMPARE(server.requests.size(), 1);
    }

    void untrustedServerIsRefused()
    {
        TinyHttpsServer server;
        QVERIFY(server.listen());
        server.respond = [](QSslSocket *socket, const SeenRequest &) { answer(socket, "200 OK", "hello"); };
        const auto result = waitFor(HttpFileTransfer::get(network, server.url(QStringLiteral("/f")), 100,
                                                          TcpTransport::tlsConfiguration(), {}, this));
        QCOMPARE(result.error().condition, ErrorCondition::CertificateUntrusted);
        QVERIFY(server.requests.isEmpty());
    }

    void refusedConnectionIsReported()
    {
        // Bound but not listening: connecting is refused, and nobody else can take the port.
        QTcpSocket placeholder;
        QVERIFY(placeholder.bind(QHostAddress::LocalHost, 0));
        const quint16 port = placeholder.localPort();
        const auto result = waitFor(HttpFileTransfer::get(network, QUrl(QStringLiteral("https://127.0.0.1:%1/f").arg(port)), 100,
                                                          trusting, {}, this));
        QCOMPARE(result.error().condition, ErrorCondition::ConnectionFailed);
    }

    void aStallIsATimeout()
    {
        TinyHttpsServer server;
        QVERIFY(server.listen());
        server.respond = [](QSslSocket *socket, const SeenRequest &) {
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this much");
        };
        HttpTransferLimits limits;
        limits.stallTimeoutMs = 1500;
        const auto result = waitFor(HttpFileTransfer::get(network, server.url(QStringLiteral("/f")), 100, trusting, limits, this));
        QCOMPARE(result.error().condition, ErrorCondition::Timeout);
        QTRY_COMPARE(server.disconnects, 1);
    }

    void putSendsTheBodyAndOnlyAllowedHeaders()
    {
        TinyHttpsServer server;
        QVERIFY(server.listen());
        server.respond = [](QSslSocket *socket, const SeenRequest &) { answer(socket, "201 Created", "thanks"); };
        HttpUploadSlot slot;
        slot.putUrl = server.url(QStringLiteral("/p?token=1"));
        slot.getUrl = server.url(QStringLiteral("/g"));
        slot.putHeaders = {{"Authorization", "Bearer a\r\nX-Injected: 1"}, {"X-Evil", "1"}, {"cookie", "c=d"}};
        const QByteArray data(100'000, 'd');
        HttpFileTransfer *transfer = HttpFileTransfer::put(network, slot, data, QStringLiteral("image/png"), trusting, {}, this);
        QSignalSpy progress(transfer, &HttpFileTransfer::progress);
        const auto result = waitFor(transfer);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message()));
        QVERIFY(result.value().isEmpty());
        QCOMPARE(server.requests.size(), 1);
        const SeenRequest &request = server.requests.first();
        QCOMPARE(request.method, QByteArray("PUT"));
        QCOMPARE(request.path, QByteArray("/p?token=1"));
        QCOMPARE(request.body, data);
        QCOMPARE(request.header("Content-Type"), QByteArray("image/png"));
        QCOMPARE(request.header("Authorization"), QByteArray("Bearer aX-Injected: 1"));
        QCOMPARE(request.header("Cookie"), QByteArray("c=d"));
        QVERIFY(request.header("X-Evil").isEmpty());
        QVERIFY(request.header("X-Injected").isEmpty());
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), data.size());
    }

    void putReportsTheStatus()
    {
        TinyHttpsServer server;
        QVERIFY(server.listen());
        server.respond = [](QSslSocket *socket, const SeenRequest &) { answer(socket, "413 Payload Too Large", "too big"); };
        const HttpUploadSlot slot{server.url(QStringLiteral("/p")), {}, server.url(QStringLiteral("/g"))};
        const auto result = waitFor(HttpFileTransfer::put(network, slot, "data", {}, trusting, {}, this));
        QCOMPARE(result.error().condition, ErrorCondition::HttpFailed);
        QVERIFY2(result.error().detail.startsWith(QStringLiteral("HTTP 413 Payload Too Large")), qPrintable(result.error().detail));
        QCOMPARE(server.requests.first().header("Content-Type"), QByteArray("application/octet-stream"));
    }

    void abortFinishesOnceWithCancelled()
    {
        TinyHttpsServer server;
        QVERIFY(server.listen());
        HttpFileTransfer *transfer = HttpFileTransfer::get(network, server.url(QStringLiteral("/f")), 100, trusting, {}, this);
        QSignalSpy finished(transfer, &HttpFileTransfer::finished);
        QTRY_COMPARE(server.requests.size(), 1);
        transfer->abort();
        transfer->abort();
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().first().value<Result<QByteArray>>().error().condition, ErrorCondition::Cancelled);
        QTRY_COMPARE(server.disconnects, 1);
        QTest::qWait(50);
        QCOMPARE(finished.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestHttpUpload)
#include "tst_httpupload.moc"
