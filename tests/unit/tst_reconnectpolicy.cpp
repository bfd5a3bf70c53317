#include "reconnectpolicy.h"

#include <QTest>

using namespace std::chrono_literals;
using xmpp::ReconnectPolicy;

class TestReconnectPolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void growsExponentiallyWithinJitterBounds()
    {
        ReconnectPolicy policy;
        policy.initialDelay = 1000ms;
        policy.maxDelay = 60'000ms;
        QRandomGenerator random(42);
        for (int attempt = 0; attempt < 12; ++attempt) {
            const qint64 ceiling = std::min<qint64>(60'000, 1000LL << attempt);
            for (int sample = 0; sample < 200; ++sample) {
                const qint64 delay = policy.delayFor(attempt, random).count();
                QVERIFY2(delay >= ceiling / 2 && delay <= ceiling,
                         qPrintable(QStringLiteral("attempt %1: %2 ms outside [%3, %4]").arg(attempt).arg(delay).arg(ceiling / 2).arg(ceiling)));
            }
        }
    }

    void neverExceedsTheCap()
    {
        ReconnectPolicy policy;
        policy.maxDelay = 30'000ms;
        QRandomGenerator random(7);
        for (int attempt : {10, 20, 62, 1000, -5})
            QVERIFY(policy.delayFor(attempt, random) <= 30'000ms);
    }

    void jitterSpreadsAFleet()
    {
        // Displays that lost the same server must not all come back in the same second.
        ReconnectPolicy policy;
        QRandomGenerator random(1);
        QSet<qint64> seconds;
        for (int display = 0; display < 100; ++display)
            seconds.insert(policy.delayFor(5, random).count() / 1000);
        QVERIFY2(seconds.size() >= 10, qPrintable(QString::number(seconds.size())));
    }

    void firstRetryIsQuick()
    {
        ReconnectPolicy policy;
        QRandomGenerator random(3);
        QVERIFY(policy.delayFor(0, random) <= 1000ms);
        QVERIFY(policy.delayFor(0, random) >= 500ms);
    }
};

QTEST_GUILESS_MAIN(TestReconnectPolicy)
#include "tst_reconnectpolicy.moc"
