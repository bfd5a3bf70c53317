// XEP-0363 HTTP File Upload against a real server's upload component (KIOSKD_TEST_SERVER:
// prosody or ejabberd), over HTTPS with the same trust as the XMPP connection.
#include "client.h"
#include "httpupload.h"
#include "testservers.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QRandomGenerator>
#include <QSignalSpy>

using namespace xmpp;

namespace {

constexpr qint64 serverLimit = 64 * 1024 * 1024; // both fixtures configure this

template <typename T>
QString describe(const Result<T> &result)
{
    return result.ok() ? QStringLiteral("ok") : Error::conditionName(result.error().condition) + u' ' + result.error().message();
}

QByteArray randomBytes(qint64 size)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(data.data()), size / 4);
    return data;
}

} // namespace

class TestHttpUpload : public QObject
{
    Q_OBJECT

    TestServer server;
    std::unique_ptr<Client> client;
    QNetworkAccessManager network;
    HttpUploadService service;

    template <typename T>
    static Result<T> waitFor(std::optional<Result<T>> &result, int timeoutMs = 20'000)
    {
        if (!QTest::qWaitFor([&] { return result.has_value(); }, timeoutMs))
            return makeError(ErrorCondition::Timeout, QStringLiteral("the test waited in vain"));
        return *result;
    }

    Result<HttpUploadService> discover()
    {
        std::optional<Result<HttpUploadService>> result;
        QObject context; // no late callback into `result` once this returns
        discoverUploadService(*client, &context, [&result](const Result<HttpUploadService> &r) { result = r; });
        return waitFor(result);
    }

    Result<HttpUploadSlot> requestSlot(const HttpUploadService &from, const QString &name, qint64 size)
    {
        std::optional<Result<HttpUploadSlot>> result;
        QObject context;
        requestUploadSlot(*client, from, name, size, QStringLiteral("application/octet-stream"), &context,
                          [&result](const Result<HttpUploadSlot> &r) { result = r; });
        return waitFor(result);
    }

    static Result<QByteArray> finish(HttpFileTransfer *transfer, int timeoutMs = 120'000)
    {
        std::unique_ptr<HttpFileTransfer> owner(transfer);
        QSignalSpy finished(transfer, &HttpFileTransfer::finished);
        // A real event loop: the network manager feeds an upload to its thread through this
        // one, and qWaitFor()'s naps between turns would make that crawl.
        if (finished.isEmpty() && !finished.wait(timeoutMs))
            return makeError(ErrorCondition::Timeout, QStringLiteral("the test waited in vain"));
        return finished.first().first().value<Result<QByteArray>>();
    }

    // Uploads data and returns where to fetch it.
    Result<QUrl> upload(const QByteArray &data, const QString &name)
    {
        const auto slot = requestSlot(service, name, data.size());
        if (!slot)
            return slot.error();
        const auto put = finish(HttpFileTransfer::put(network, slot.value(), data, QStringLiteral("application/octet-stream"),
                                                      client->config().tls));
        if (!put)
            return put.error();
        return slot.value().getUrl;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const auto loaded = TestServer::load();
        QVERIFY2(loaded, "no server description: run through ctest (KIOSKD_TEST_SERVER, KIOSKD_TEST_SERVERS)");
        server = *loaded;
        client = std::make_unique<Client>(server.clientConfig(QStringLiteral("alice"), TlsMode::DirectTls, QStringLiteral("upload")));
        QSignalSpy online(client.get(), &Client::online);
        client->connectToServer();
        QVERIFY(online.wait(20'000));
        const auto found = discover();
        QVERIFY2(found.ok(), qPrintable(describe(found)));
        service = found.value();
    }

    void cleanupTestCase()
    {
        if (!client)
            return;
        QSignalSpy closed(client.get(), &Client::disconnected);
        client->disconnectFromServer();
        closed.wait(5000);
    }

    void discoversTheService()
    {
        const auto found = discover();
        QVERIFY2(found.ok(), qPrintable(describe(found)));
        QCOMPARE(found.value().jid, server.string("upload_service"));
        QCOMPARE(found.value().maxFileSize, std::optional<qint64>(serverLimit));
    }

    void uploadsAndDownloadsByteIdentical_data()
    {
        QTest::addColumn<qint64>("size");
        QTest::newRow("1 MiB") << qint64(1024 * 1024);
        QTest::newRow("20 MiB") << qint64(20 * 1024 * 1024);
    }
    void uploadsAndDownloadsByteIdentical()
    {
        QFETCH(qint64, size);
        const QByteArray data = randomBytes(size);
        const auto slot = requestSlot(service, QStringLiteral("random %1.bin").arg(size), size);
        QVERIFY2(slot.ok(), qPrintable(describe(slot)));
        QCOMPARE(slot.value().putUrl.scheme(), QStringLiteral("https"));

        QElapsedTimer clock;
        clock.start();
        HttpFileTransfer *put = HttpFileTransfer::put(network, slot.value(), data, QStringLiteral("application/octet-stream"),
                                                      client->config().tls);
        QSignalSpy uploadProgress(put, &HttpFileTransfer::progress);
        const auto uploaded = finish(put);
        const qint64 uploadMs = clock.restart();
        QVERIFY2(uploaded.ok(), qPrintable(describe(uploaded)));
        QVERIFY(!uploadProgress.isEmpty());

        HttpFileTransfer *get = HttpFileTransfer::get(network, slot.value().getUrl, size, client->config().tls);
        QSignalSpy downloadProgress(get, &HttpFileTransfer::progress);
        const auto downloaded = finish(get);
        const qint64 downloadMs = clock.elapsed();
        QVERIFY2(downloaded.ok(), qPrintable(describe(downloaded)));
        QVERIFY(!downloadProgress.isEmpty());
        QCOMPARE(downloaded.value().size(), size);
        QVERIFY(downloaded.value() == data);
        qInfo("%s: %lld bytes up in %lld ms, down in %lld ms", qPrintable(server.name), size, uploadMs, downloadMs);
    }

    void refusesAFileOverTheLimit()
    {
        // Known from discovery: refused without asking.
        const auto local = requestSlot(service, QStringLiteral("huge.bin"), serverLimit + 1);
        QVERIFY(!local.ok());
        QCOMPARE(local.error().condition, ErrorCondition::LimitExceeded);

        // Not known: the server refuses it itself.
        const auto remote = requestSlot({service.jid, std::nullopt}, QStringLiteral("huge.bin"), serverLimit + 1);
        QVERIFY(!remote.ok());
        QCOMPARE(remote.error().condition, ErrorCondition::StanzaError);
    }

    void downloadOverMaxBytesFails()
    {
        const auto url = upload(randomBytes(256 * 1024), QStringLiteral("capped.bin"));
        QVERIFY2(url.ok(), qPrintable(describe(url)));
        const auto result = finish(HttpFileTransfer::get(network, url.value(), 1000, client->config().tls));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().condition, ErrorCondition::LimitExceeded);
    }

    void downloadWithoutTheTestCaFails()
    {
        const auto url = upload(randomBytes(1024), QStringLiteral("trusted.bin"));
        QVERIFY2(url.ok(), qPrintable(describe(url)));
        // The same network manager that just fetched from this host with the test CA.
        const auto fetched = finish(HttpFileTransfer::get(network, url.value(), 1024, client->config().tls));
        QVERIFY2(fetched.ok(), qPrintable(describe(fetched)));
        const auto result = finish(HttpFileTransfer::get(network, url.value(), 1024, TcpTransport::tlsConfiguration()));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().condition, ErrorCondition::CertificateUntrusted);
        QVERIFY2(result.error().message().contains(QStringLiteral("certificate")), qPrintable(result.error().message()));
    }
};

QTEST_GUILESS_MAIN(TestHttpUpload)
#include "tst_httpupload.moc"
