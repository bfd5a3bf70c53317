#include "pairingtokens.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace std::chrono_literals;
using mobility::PairingTokens;

class TestPairingTokens : public QObject
{
    Q_OBJECT

    PairingTokens::Clock::time_point now = PairingTokens::Clock::time_point(1000s);
    PairingTokens make(std::chrono::seconds rotation = 60s)
    {
        return PairingTokens(rotation, 10s, [this] { return now; });
    }

private Q_SLOTS:
    void tokensAreBase32WithAtLeast80Bits()
    {
        const QRegularExpression base32(QStringLiteral("^[A-Z2-7]+$"));
        QSet<QString> seen;
        for (int i = 0; i < 1000; ++i) {
            const QString token = PairingTokens::generate();
            QVERIFY(base32.match(token).hasMatch());
            QVERIFY(token.size() * 5 >= 80);
            seen.insert(token);
        }
        QCOMPARE(seen.size(), 1000);
    }

    void aTokenWorksOnceAndIsReplaced()
    {
        auto tokens = make();
        const QString token = tokens.current();
        QVERIFY(tokens.consume(token));
        QVERIFY(!tokens.consume(token));
        QVERIFY(tokens.current() != token);
    }

    void matchingIgnoresCase()
    {
        auto tokens = make();
        QVERIFY(tokens.consume(tokens.current().toLower()));
    }

    void unknownTokensAreRefused()
    {
        auto tokens = make();
        QVERIFY(!tokens.consume(QStringLiteral("AAAAAAAAAAAAAAAAAAAA")));
        QVERIFY(!tokens.consume(QString()));
        QVERIFY(!tokens.consume(tokens.current().left(10)));
    }

    void rotationKeepsTheOldTokenForTheGracePeriod()
    {
        auto tokens = make();
        const QString first = tokens.current();
        now += 60s;
        const QString second = tokens.current();
        QVERIFY(second != first);
        now += 9s;
        QVERIFY(tokens.consume(first)); // scanned just before the code changed
        QVERIFY(!tokens.consume(first));
        QVERIFY(tokens.consume(second));
    }

    void theOldTokenDiesAfterTheGracePeriod()
    {
        auto tokens = make();
        const QString first = tokens.current();
        now += 60s;
        QVERIFY(tokens.current() != first);
        now += 10s;
        QVERIFY(!tokens.consume(first));
    }

    void rotationHappensEvenIfNobodyAsks()
    {
        auto tokens = make();
        const QString first = tokens.current();
        now += 65s;
        // Nobody called current() at the rotation time; the grace still counts from it.
        QVERIFY(tokens.consume(first));
        const QString shown = tokens.current();
        now += 200s; // several periods: tokens from long ago are dead
        QVERIFY(!tokens.consume(shown));
    }

    void forcedRotationKillsTheOldTokenAtOnce()
    {
        auto tokens = make();
        const QString first = tokens.current();
        tokens.rotate(false);
        QVERIFY(!tokens.consume(first));
    }

    void reportsTimeUntilRotation()
    {
        auto tokens = make(30s);
        QCOMPARE(tokens.untilRotation(), 30'000ms);
        now += 12s;
        QCOMPARE(tokens.untilRotation(), 18'000ms);
        now += 40s;
        tokens.current();
        QCOMPARE(tokens.untilRotation(), 8'000ms);
    }
};

QTEST_GUILESS_MAIN(TestPairingTokens)
#include "tst_pairingtokens.moc"
