#include "resolver.h"

#include <QSignalSpy>
#include <QTest>

using xmpp::ServerAddress;
using xmpp::ServerResolver;
using xmpp::TlsMode;

class TestServerResolver : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fallsBackToTheDomainWithoutRecords()
    {
        const auto addresses = ServerResolver::order({}, QStringLiteral("example.org"));
        QCOMPARE(addresses.size(), 1);
        QCOMPARE(addresses.first(), (ServerAddress{QStringLiteral("example.org"), 5222, TlsMode::StartTls}));
    }

    void ordersByPriorityThenWeight()
    {
        const QList<ServerResolver::SrvRecord> records = {
            {QStringLiteral("c.example.org."), 5222, 20, 0, TlsMode::StartTls},
            {QStringLiteral("a.example.org."), 5222, 10, 5, TlsMode::StartTls},
            {QStringLiteral("b.example.org."), 5223, 10, 50, TlsMode::DirectTls},
        };
        const auto addresses = ServerResolver::order(records, QStringLiteral("example.org"));
        QCOMPARE(addresses.size(), 3);
        QCOMPARE(addresses[0], (ServerAddress{QStringLiteral("b.example.org"), 5223, TlsMode::DirectTls}));
        QCOMPARE(addresses[1], (ServerAddress{QStringLiteral("a.example.org"), 5222, TlsMode::StartTls}));
        QCOMPARE(addresses[2], (ServerAddress{QStringLiteral("c.example.org"), 5222, TlsMode::StartTls}));
    }

    void prefersDirectTlsAtEqualRank()
    {
        const QList<ServerResolver::SrvRecord> records = {
            {QStringLiteral("x.example.org"), 5222, 0, 0, TlsMode::StartTls},
            {QStringLiteral("x.example.org"), 5223, 0, 0, TlsMode::DirectTls},
        };
        const auto addresses = ServerResolver::order(records, QStringLiteral("example.org"));
        QCOMPARE(addresses.first().tls, TlsMode::DirectTls);
    }

    void aDotTargetMeansNoService()
    {
        const QList<ServerResolver::SrvRecord> records = {{QStringLiteral("."), 0, 0, 0, TlsMode::StartTls}};
        QVERIFY(ServerResolver::order(records, QStringLiteral("example.org")).isEmpty());
    }

    void answersForADomainWithoutRecords()
    {
        // .invalid never resolves (RFC 2606); the resolver must still answer, with the fallback.
        ServerResolver resolver;
        QSignalSpy resolved(&resolver, &ServerResolver::resolved);
        resolver.resolve(QStringLiteral("kioskd-test.invalid"), 3000);
        QVERIFY(resolved.wait(15000));
        const auto addresses = resolved.first().first().value<QList<ServerAddress>>();
        QCOMPARE(addresses.size(), 1);
        QCOMPARE(addresses.first().port, quint16(5222));
    }
};

QTEST_GUILESS_MAIN(TestServerResolver)
#include "tst_serverresolver.moc"
