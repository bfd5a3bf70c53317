// TransferHub: two hubs, a phone's and a display's, each on a Client logged in over a
// fake transport, with the test as the server between them. Inband and bundle-by-inband
// transfers, chunk sizes, what a receiver refuses, timeouts, aborts, the method choice
// and the progress text. Uploads run against real servers (tests/integration).
#include "fakelogin.h"
#include "namespaces.h"
#include "transfer.h"
#include "xmlwriter.h"

#include <QSignalSpy>
#include <QTest>

using namespace mobility;
using xmpp::Client;

namespace {

const QString phoneJid = QStringLiteral("alice@example.org/phone");
const QString displayJid = QStringLiteral("lobby@example.org/display");
const QString sid = QStringLiteral("s1");
constexpr qsizetype protocolChunkLimit = 64 * 1024;

StateBundle stateOf(const QMap<QString, QByteArray> &files, int logCount)
{
    StateBundle state;
    state.files = files;
    QDomDocument document;
    for (int i = 0; i < logCount; ++i) {
        QDomElement message = document.createElementNS(xmpp::ns::client, QStringLiteral("message"));
        message.setAttribute(QStringLiteral("from"), QStringLiteral("bob@example.org/pc"));
        message.setAttribute(QStringLiteral("type"), QStringLiteral("chat"));
        message.setAttribute(QStringLiteral("id"), QStringLiteral("m%1").arg(i));
        QDomElement body = document.createElementNS(xmpp::ns::client, QStringLiteral("body"));
        body.appendChild(document.createTextNode(QStringLiteral("message %1 \u00e9\u4e2d").arg(i)));
        message.appendChild(body);
        const QDateTime when = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC).addMSecs(i);
        if (!state.log.append(message, when))
            qFatal("the test's log entry was refused");
    }
    return state;
}

QByteArray patternBytes(qsizetype size)
{
    QByteArray data(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char((i * 7919 + (i >> 8) * 31) & 0xff);
    return data;
}

} // namespace

class TestTransferHub : public QObject
{
    Q_OBJECT

    struct Side
    {
        QPointer<FakeTransport> transport;
        std::unique_ptr<Client> client;
        std::unique_ptr<TransferHub> hub;
    };
    Side m_phone;
    Side m_display;
    QTimer m_pump;
    bool m_phoneReachable = true;
    // Serialized sizes of the <state/> IQs the phone sent.
    QList<qsizetype> m_stateSizes;
    // Applied to each stanza on its way from the phone, before it is delivered.
    std::function<void(QDomElement &)> m_tamper;

    void setUpSide(Side &side, const QString &jid, const QString &peer, TransferLimits limits)
    {
        side.client = std::make_unique<Client>(fakeClientConfig(side.transport, xmpp::TlsMode::DirectTls, jid));
        QVERIFY(playFakeLogin(*side.client, side.transport));
        TransferPeer transferPeer;
        transferPeer.sid = sid;
        transferPeer.signalling = side.client.get();
        transferPeer.peerJid = peer;
        side.hub = std::make_unique<TransferHub>(transferPeer, limits);
        TransferHub *hub = side.hub.get();
        side.client->setIqHandler(ns, [hub, client = side.client.get()](const QDomElement &iq) {
            if (TransferHub::handles(iq.firstChildElement().tagName()))
                hub->handleRequest(iq);
            else
                client->replyError(iq, QStringLiteral("cancel"), QStringLiteral("feature-not-implemented"));
        });
    }

    // The server: what one side wrote goes to the other, stamped with the sender's JID.
    void forward(Side &from, const QString &fromJid, Side &to, bool fromPhone)
    {
        if (!from.transport || !to.transport)
            return;
        const QByteArray written = from.transport->takeWritten();
        if (written.isEmpty() || (fromPhone && !m_phoneReachable))
            return;
        QDomDocument document;
        QVERIFY(document.setContent("<r xmlns='jabber:client'>" + written + "</r>", true));
        for (QDomElement stanza = document.documentElement().firstChildElement(); !stanza.isNull();
             stanza = stanza.nextSiblingElement()) {
            if (stanza.tagName() != u"iq")
                continue; // presence and the like: nothing for the hubs
            stanza.setAttribute(QStringLiteral("from"), fromJid);
            if (fromPhone && m_tamper)
                m_tamper(stanza);
            const QByteArray wire = xmpp::serializeStanza(stanza);
            if (fromPhone && stanza.firstChildElement().tagName() == u"state")
                m_stateSizes.append(wire.size());
            to.transport->serverSends(wire);
        }
    }

    void setUpHubs(TransferLimits phoneLimits, TransferLimits displayLimits)
    {
        setUpSide(m_phone, phoneJid, displayJid, phoneLimits);
        setUpSide(m_display, displayJid, phoneJid, displayLimits);
        m_pump.setInterval(1);
        connect(&m_pump, &QTimer::timeout, this, [this] {
            forward(m_phone, phoneJid, m_display, true);
            forward(m_display, displayJid, m_phone, false);
        });
        m_pump.start();
    }

private Q_SLOTS:
    void init()
    {
        m_phoneReachable = true;
        m_stateSizes.clear();
        m_tamper = nullptr;
    }

    void cleanup()
    {
        m_pump.stop();
        m_pump.disconnect();
        for (Side *side : {&m_phone, &m_display}) {
            side->hub.reset();
            side->client.reset();
        }
    }

    void inbandMovesFilesAndLogInSmallChunks()
    {
        setUpHubs({}, {});
        const StateBundle state = stateOf({{QStringLiteral("snapshot.xml"), patternBytes(200'000)},
                                           {QStringLiteral("empty.txt"), QByteArray()},
                                           {QStringLiteral("caf\u00e9.json"), QByteArray("{\"a\": 1}")}},
                                          30);
        QSignalSpy received(m_display.hub.get(), &TransferHub::received);
        QSignalSpy sent(m_phone.hub.get(), &TransferHub::sent);
        QSignalSpy failedDisplay(m_display.hub.get(), &TransferHub::failed);
        QSignalSpy progress(m_display.hub.get(), &TransferHub::progress);
        m_phone.hub->send(QStringLiteral("t1"), state, {TransferMethod::Inband});
        QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, 10000);
        QCOMPARE(failedDisplay.size(), 0);
        QCOMPARE(received.size(), 1);
        QCOMPARE(received.first().at(0).toString(), QStringLiteral("t1"));
        QCOMPARE(received.first().at(2).value<TransferMethod>(), TransferMethod::Inband);
        const auto got = received.first().at(1).value<StateBundle>();
        QCOMPARE(got.files, state.files);
        QCOMPARE(got.log.size(), 30);
        QCOMPARE(got.log.entries().first().received, state.log.entries().first().received);
        QCOMPARE(got.log.entries().last().stanza.attribute(QStringLiteral("id")), QStringLiteral("m29"));
        // 200 kB base64 is about 267 kB: several chunks, each under the protocol's 64 KiB.
        QVERIFY2(m_stateSizes.size() >= 5, qPrintable(QString::number(m_stateSizes.size())));
        for (qsizetype size : std::as_const(m_stateSizes))
            QVERIFY2(size < protocolChunkLimit, qPrintable(QString::number(size)));
        QVERIFY(!progress.isEmpty());
        const auto last = progress.last().first().value<TransferProgress>();
        QCOMPARE(last.bytesDone, last.bytesTotal);
        QVERIFY(!m_phone.hub->isSending());
        QVERIFY(!m_display.hub->isReceiving());
    }

    void bundleWithoutUploadServiceGoesInband()
    {
        setUpHubs({}, {});
        const StateBundle state = stateOf({{QStringLiteral("a.bin"), patternBytes(90'000)}}, 3);
        QSignalSpy received(m_display.hub.get(), &TransferHub::received);
        QSignalSpy sent(m_phone.hub.get(), &TransferHub::sent);
        m_phone.hub->send(QStringLiteral("t2"), state, {TransferMethod::Bundle});
        QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, 10000);
        QCOMPARE(sent.first().at(1).value<TransferMethod>(), TransferMethod::Bundle);
        QCOMPARE(received.size(), 1);
        const auto got = received.first().at(1).value<StateBundle>();
        QCOMPARE(got.files, state.files);
        QCOMPARE(got.log.size(), 3);
    }

    void corruptedDigestAppliesNothingAndNamesTheReason()
    {
        setUpHubs({}, {});
        m_phone.hub->setSenderFault({true, {}});
        QSignalSpy received(m_display.hub.get(), &TransferHub::received);
        QSignalSpy failedDisplay(m_display.hub.get(), &TransferHub::failed);
        QSignalSpy failedPhone(m_phone.hub.get(), &TransferHub::failed);
        m_phone.hub->send(QStringLiteral("t3"), stateOf({{QStringLiteral("a.txt"), "hello"}}, 0), {TransferMethod::Inband});
        QTRY_COMPARE_WITH_TIMEOUT(failedPhone.size(), 1, 10000);
        QCOMPARE(failedDisplay.size(), 1);
        QCOMPARE(failedDisplay.first().at(2).value<TransferFailed::Reason>(), TransferFailed::Reason::Digest);
        QCOMPARE(failedPhone.first().at(2).value<TransferFailed::Reason>(), TransferFailed::Reason::Digest);
        QCOMPARE(received.size(), 0);
    }

    void receiverRefusesStateOverItsLimit()
    {
        TransferLimits small;
        small.maxInbandBytes = 1000;
        small.maxStateBytes = 1000;
        setUpHubs({}, small);
        QSignalSpy failedPhone(m_phone.hub.get(), &TransferHub::failed);
        QSignalSpy received(m_display.hub.get(), &TransferHub::received);
        m_phone.hub->send(QStringLiteral("t4"), stateOf({{QStringLiteral("a.bin"), patternBytes(5000)}}, 0),
                          {TransferMethod::Inband, TransferMethod::Bundle});
        QTRY_COMPARE_WITH_TIMEOUT(failedPhone.size(), 1, 10000);
        const auto error = failedPhone.first().at(3).value<xmpp::Error>();
        QVERIFY2(error.message().contains(u"not-acceptable"), qPrintable(error.message()));
        QCOMPARE(received.size(), 0);
        QVERIFY(m_stateSizes.isEmpty());
    }

    void chunkOutOfOrderFailsTheTransfer()
    {
        setUpHubs({}, {});
        // The phone's second chunk claims to be the third.
        int stateChunks = 0;
        m_tamper = [&](QDomElement &iq) {
            QDomElement state = iq.firstChildElement();
            if (state.tagName() == u"state" && ++stateChunks == 2)
                state.setAttribute(QStringLiteral("seq"), QStringLiteral("2"));
        };
        QSignalSpy failedDisplay(m_display.hub.get(), &TransferHub::failed);
        QSignalSpy received(m_display.hub.get(), &TransferHub::received);
        QSignalSpy failedPhone(m_phone.hub.get(), &TransferHub::failed);
        m_phone.hub->send(QStringLiteral("t5"), stateOf({{QStringLiteral("a.bin"), patternBytes(150'000)}}, 0),
                          {TransferMethod::Inband});
        QTRY_COMPARE_WITH_TIMEOUT(failedDisplay.size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(failedPhone.size(), 1, 10000);
        QCOMPARE(received.size(), 0);
        QVERIFY(!m_display.hub->isReceiving());
    }

    void silentSenderTimesOut()
    {
        TransferLimits quick;
        quick.stepTimeoutMs = 300;
        setUpHubs(quick, quick);
        QSignalSpy failedDisplay(m_display.hub.get(), &TransferHub::failed);
        QSignalSpy failedPhone(m_phone.hub.get(), &TransferHub::failed);
        QSignalSpy received(m_display.hub.get(), &TransferHub::received);
        // The offer gets through, then the phone is gone.
        m_tamper = [&](QDomElement &iq) {
            if (iq.firstChildElement().tagName() == u"state")
                m_phoneReachable = false;
        };
        m_phone.hub->send(QStringLiteral("t6"), stateOf({{QStringLiteral("a.bin"), patternBytes(100'000)}}, 0),
                          {TransferMethod::Inband});
        QTRY_COMPARE_WITH_TIMEOUT(failedDisplay.size(), 1, 5000);
        QCOMPARE(failedDisplay.first().at(2).value<TransferFailed::Reason>(), TransferFailed::Reason::Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(failedPhone.size(), 1, 5000);
        QCOMPARE(received.size(), 0);
    }

    void abortDropsBothDirections()
    {
        setUpHubs({}, {});
        QSignalSpy failedPhone(m_phone.hub.get(), &TransferHub::failed);
        QSignalSpy failedDisplay(m_display.hub.get(), &TransferHub::failed);
        QSignalSpy received(m_display.hub.get(), &TransferHub::received);
        QSignalSpy progress(m_display.hub.get(), &TransferHub::progress);
        m_phone.hub->send(QStringLiteral("t7"), stateOf({{QStringLiteral("a.bin"), patternBytes(2'000'000)}}, 0),
                          {TransferMethod::Inband});
        QTRY_VERIFY_WITH_TIMEOUT(m_display.hub->isReceiving(), 5000);
        m_display.hub->abortAll(xmpp::makeError(xmpp::ErrorCondition::Cancelled, QStringLiteral("the session ended")), true);
        QCOMPARE(failedDisplay.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(failedPhone.size(), 1, 5000);
        QTest::qWait(100);
        QCOMPARE(received.size(), 0);
        QVERIFY(!m_display.hub->isReceiving());
        QVERIFY(!m_phone.hub->isSending());
    }

    void secondSendWhileOneRunsIsRefused()
    {
        setUpHubs({}, {});
        QSignalSpy failedPhone(m_phone.hub.get(), &TransferHub::failed);
        QSignalSpy sent(m_phone.hub.get(), &TransferHub::sent);
        m_phone.hub->send(QStringLiteral("t8"), stateOf({{QStringLiteral("a.txt"), "a"}}, 0), {TransferMethod::Inband});
        m_phone.hub->send(QStringLiteral("t9"), stateOf({{QStringLiteral("b.txt"), "b"}}, 0), {TransferMethod::Inband});
        QCOMPARE(failedPhone.size(), 1);
        QCOMPARE(failedPhone.first().at(0).toString(), QStringLiteral("t9"));
        QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, 10000);
        QCOMPARE(sent.first().at(0).toString(), QStringLiteral("t8"));
    }

    void chooseMethod_data()
    {
        QTest::addColumn<QList<TransferMethod>>("offered");
        QTest::addColumn<qint64>("bytes");
        QTest::addColumn<int>("files");
        QTest::addColumn<int>("logCount");
        QTest::addColumn<int>("expected"); // -1: refused
        using M = TransferMethod;
        const qint64 mib = 1024 * 1024;
        QTest::newRow("first offered that fits") << QList{M::Upload, M::Inband} << mib << 1 << 0 << int(M::Upload);
        QTest::newRow("inband up to its limit") << QList{M::Inband} << 16 * mib << 1 << 0 << int(M::Inband);
        QTest::newRow("inband over its limit, upload next") << QList{M::Inband, M::Upload} << 16 * mib + 1 << 1 << 0 << int(M::Upload);
        QTest::newRow("over the state limit") << QList{M::Inband, M::Upload, M::Bundle} << 64 * mib + 1 << 1 << 0 << -1;
        QTest::newRow("bundle of too many files") << QList{M::Bundle} << qint64(10) << 1000 << 0 << -1;
        QTest::newRow("bundle just within the entries") << QList{M::Bundle} << qint64(10) << 999 << 0 << int(M::Bundle);
        QTest::newRow("log over the limit") << QList{M::Inband} << qint64(10) << 1 << 1001 << -1;
        QTest::newRow("nothing offered") << QList<M>{} << qint64(10) << 1 << 0 << -1;
    }

    void chooseMethod()
    {
        QFETCH(QList<TransferMethod>, offered);
        QFETCH(qint64, bytes);
        QFETCH(int, files);
        QFETCH(int, logCount);
        QFETCH(int, expected);
        TransferOffer offer;
        offer.sid = sid;
        offer.tid = QStringLiteral("t");
        offer.methods = offered;
        offer.logCount = logCount;
        for (int i = 0; i < files; ++i)
            offer.files.append({QStringLiteral("f%1").arg(i), i == 0 ? bytes : 0, QStringLiteral("sha-256"), QByteArray(32, 'x')});
        const auto method = TransferHub::chooseMethod(offer, {});
        QCOMPARE(method ? int(*method) : -1, expected);
    }

    void progressText_data()
    {
        QTest::addColumn<qint64>("done");
        QTest::addColumn<qint64>("total");
        QTest::addColumn<qint64>("elapsedMs");
        QTest::addColumn<QString>("expected");
        QTest::newRow("start, no estimate yet") << qint64(0) << qint64(20'000'000) << qint64(0) << QStringLiteral("0 bytes of 20.0 MB");
        QTest::newRow("too early to estimate") << qint64(1'000'000) << qint64(20'000'000) << qint64(400) << QStringLiteral("1.0 MB of 20.0 MB");
        QTest::newRow("seconds left") << qint64(5'000'000) << qint64(20'000'000) << qint64(1000) << QStringLiteral("5.0 MB of 20.0 MB, about 3 s left");
        QTest::newRow("minutes left") << qint64(100'000) << qint64(20'000'000) << qint64(1000) << QStringLiteral("100.0 kB of 20.0 MB, about 3 min left");
        QTest::newRow("done") << qint64(20'000'000) << qint64(20'000'000) << qint64(4000) << QStringLiteral("20.0 MB of 20.0 MB");
    }

    void progressText()
    {
        QFETCH(qint64, done);
        QFETCH(qint64, total);
        QFETCH(qint64, elapsedMs);
        QFETCH(QString, expected);
        TransferProgress progress;
        progress.bytesDone = done;
        progress.bytesTotal = total;
        progress.elapsedMs = elapsedMs;
        QCOMPARE(progress.describe(), expected);
    }
};

QTEST_GUILESS_MAIN(TestTransferHub)
#include "tst_transferhub.moc"
