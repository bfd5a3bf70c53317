#include "pairinggate.h"

#include <QTest>

using namespace std::chrono_literals;
using mobility::PairingGate;
using mobility::PairingTokens;
using mobility::PairRequest;
using Verdict = PairingGate::Verdict;

class TestPairingGate : public QObject
{
    Q_OBJECT

    PairingTokens::Clock::time_point now = PairingTokens::Clock::time_point(5000s);
    PairingTokens::Now clock() { return [this] { return now; }; }

    static PairRequest request(const QString &token)
    {
        PairRequest pair;
        pair.sid = QStringLiteral("s1");
        pair.token = token;
        return pair;
    }

private Q_SLOTS:
    void acceptsTheCurrentTokenOnce()
    {
        PairingTokens tokens(60s, 10s, clock());
        PairingGate gate(tokens, {}, clock());
        const QString token = tokens.current();
        QCOMPARE(gate.check(QStringLiteral("a@x"), request(token), true), Verdict::Accept);
        QCOMPARE(gate.check(QStringLiteral("a@x"), request(token), true), Verdict::InvalidToken);
    }

    void checksRunInTheProtocolsOrder()
    {
        PairingTokens tokens(60s, 10s, clock());
        PairingGate gate(tokens, {}, clock());
        // Malformed beats everything.
        QCOMPARE(gate.check(QStringLiteral("a@x"), std::nullopt, false), Verdict::Malformed);
        // Busy before token: a busy display must not spend a valid token.
        const QString token = tokens.current();
        QCOMPARE(gate.check(QStringLiteral("a@x"), request(token), false), Verdict::Busy);
        QCOMPARE(gate.check(QStringLiteral("a@x"), request(token), true), Verdict::Accept);
    }

    void locksOutAfterFiveBadTokensWithinAMinute()
    {
        PairingTokens tokens(60s, 10s, clock());
        PairingGate gate(tokens, {}, clock());
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(gate.check(QStringLiteral("m@x"), request(QStringLiteral("WRONG%1").arg(i)), true), Verdict::InvalidToken);
            now += 5s;
        }
        // Every further request is refused, even with the valid token, which stays unspent.
        const QString token = tokens.current();
        QCOMPARE(gate.check(QStringLiteral("m@x"), request(token), true), Verdict::LockedOut);
        QCOMPARE(gate.check(QStringLiteral("m@x"), std::nullopt, true), Verdict::Malformed);
        // Others are not affected.
        QCOMPARE(gate.check(QStringLiteral("other@x"), request(token), true), Verdict::Accept);
    }

    void lockoutEndsAMinuteAfterTheLastBadToken()
    {
        PairingTokens tokens(3600s, 10s, clock());
        PairingGate gate(tokens, {}, clock());
        for (int i = 0; i < 5; ++i)
            gate.check(QStringLiteral("m@x"), request(QStringLiteral("WRONG")), true);
        now += 59s;
        QCOMPARE(gate.check(QStringLiteral("m@x"), request(tokens.current()), true), Verdict::LockedOut);
        now += 1s;
        QCOMPARE(gate.check(QStringLiteral("m@x"), request(tokens.current()), true), Verdict::Accept);
    }

    void badTokensSpreadOverMoreThanAMinuteDoNotLock()
    {
        PairingTokens tokens(3600s, 10s, clock());
        PairingGate gate(tokens, {}, clock());
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(gate.check(QStringLiteral("slow@x"), request(QStringLiteral("WRONG")), true), Verdict::InvalidToken);
            now += 16s; // at most four within any 60 s
        }
        QCOMPARE(gate.check(QStringLiteral("slow@x"), request(tokens.current()), true), Verdict::Accept);
    }

    void memoryStaysBoundedUnderAFloodOfSenders()
    {
        PairingTokens tokens(60s, 10s, clock());
        PairingGate::Limits limits;
        limits.maxTrackedSenders = 100;
        PairingGate gate(tokens, limits, clock());
        for (int i = 0; i < 1000; ++i)
            gate.check(QStringLiteral("bot%1@x").arg(i), request(QStringLiteral("WRONG")), true);
        QVERIFY(gate.trackedSenders() <= 100);
    }

    void errorsAreTheOnesTheProtocolNames()
    {
        using Type = xmpp::StanzaError::Type;
        QCOMPARE(PairingGate::errorFor(Verdict::Malformed).condition, QStringLiteral("bad-request"));
        QCOMPARE(PairingGate::errorFor(Verdict::Malformed).type, Type::Modify);
        QCOMPARE(PairingGate::errorFor(Verdict::LockedOut).condition, QStringLiteral("policy-violation"));
        QCOMPARE(PairingGate::errorFor(Verdict::LockedOut).type, Type::Wait);
        QCOMPARE(PairingGate::errorFor(Verdict::Busy).condition, QStringLiteral("resource-constraint"));
        QCOMPARE(PairingGate::errorFor(Verdict::Busy).type, Type::Wait);
        QCOMPARE(PairingGate::errorFor(Verdict::InvalidToken).condition, QStringLiteral("not-authorized"));
        QCOMPARE(PairingGate::errorFor(Verdict::InvalidToken).type, Type::Cancel);
        QDomDocument document;
        const QDomElement condition = PairingGate::invalidTokenCondition(document);
        QCOMPARE(condition.tagName(), QStringLiteral("invalid-token"));
        QCOMPARE(condition.namespaceURI(), QStringLiteral("urn:kioskd:mobility:0"));
    }
};

QTEST_GUILESS_MAIN(TestPairingGate)
#include "tst_pairinggate.moc"
