#include "iqtracker.h"

#include <QDomDocument>
#include <QTest>

using namespace xmpp;

namespace {

QDomElement reply(const QString &type, const QString &id, const QString &from)
{
    QDomDocument document;
    QDomElement iq = document.createElementNS(QStringLiteral("jabber:client"), QStringLiteral("iq"));
    iq.setAttribute(QStringLiteral("type"), type);
    iq.setAttribute(QStringLiteral("id"), id);
    if (!from.isEmpty())
        iq.setAttribute(QStringLiteral("from"), from);
    if (type == QStringLiteral("error")) {
        QDomElement error = document.createElementNS(QStringLiteral("jabber:client"), QStringLiteral("error"));
        error.setAttribute(QStringLiteral("type"), QStringLiteral("cancel"));
        error.appendChild(document.createElementNS(QStringLiteral("urn:ietf:params:xml:ns:xmpp-stanzas"), QStringLiteral("forbidden")));
        error.appendChild(document.createElementNS(QStringLiteral("urn:example:app"), QStringLiteral("why-not")));
        iq.appendChild(error);
    }
    document.appendChild(iq);
    return iq;
}

const QString own = QStringLiteral("alice@example.org/desk");

} // namespace

class TestIqTracker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void senderRules_data()
    {
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("from");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("peer answers") << "bob@example.org/x" << "bob@example.org/x" << true;
        QTest::newRow("other resource") << "bob@example.org/x" << "bob@example.org/y" << false;
        QTest::newRow("spoofer") << "bob@example.org/x" << "mallory@example.org/x" << false;
        QTest::newRow("no from for peer") << "bob@example.org/x" << "" << false;
        QTest::newRow("server for account, no from") << "" << "" << true;
        QTest::newRow("server for account, bare") << "" << "alice@example.org" << true;
        QTest::newRow("server for account, full") << "" << "alice@example.org/desk" << true;
        QTest::newRow("account, someone else") << "" << "bob@example.org" << false;
        QTest::newRow("to own bare, no from") << "alice@example.org" << "" << true;
        QTest::newRow("domain") << "example.org" << "example.org" << true;
        QTest::newRow("domain spoofed") << "example.org" << "evil.example" << false;
        QTest::newRow("case of domain") << "bob@EXAMPLE.org/x" << "bob@example.org/x" << true;
    }
    void senderRules()
    {
        QFETCH(QString, to);
        QFETCH(QString, from);
        QFETCH(bool, accepted);
        QCOMPARE(IqTracker::senderMatches(to, from, own), accepted);
    }

    void answersEachRequestExactlyOnce()
    {
        IqTracker tracker;
        int calls = 0;
        tracker.track(QStringLiteral("1"), QStringLiteral("bob@example.org/x"), own, 10'000, nullptr,
                      [&calls](const IqResult &result) { calls += result.ok() ? 1 : 100; });
        QVERIFY(!tracker.handleReply(reply(QStringLiteral("result"), QStringLiteral("1"), QStringLiteral("mallory@example.org/x"))));
        QVERIFY(tracker.handleReply(reply(QStringLiteral("result"), QStringLiteral("1"), QStringLiteral("bob@example.org/x"))));
        QVERIFY(!tracker.handleReply(reply(QStringLiteral("result"), QStringLiteral("1"), QStringLiteral("bob@example.org/x"))));
        tracker.cancelAll(makeError(ErrorCondition::Cancelled));
        QCOMPARE(calls, 1);
        QCOMPARE(tracker.pendingCount(), 0);
    }

    void errorRepliesKeepTheirConditions()
    {
        IqTracker tracker;
        std::optional<IqResult> outcome;
        tracker.track(QStringLiteral("e"), QString(), own, 10'000, nullptr, [&outcome](const IqResult &r) { outcome = r; });
        QVERIFY(tracker.handleReply(reply(QStringLiteral("error"), QStringLiteral("e"), QString())));
        QVERIFY(outcome && !outcome->ok());
        QCOMPARE(outcome->error().condition, ErrorCondition::StanzaError);
        QCOMPARE(outcome->error().protocolCondition, QStringLiteral("forbidden"));
        QCOMPARE(outcome->error().applicationCondition, QStringLiteral("why-not"));
    }

    void timesOut()
    {
        IqTracker tracker;
        std::optional<IqResult> outcome;
        tracker.track(QStringLiteral("t"), QString(), own, 30, nullptr, [&outcome](const IqResult &r) { outcome = r; });
        QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 10000);
        QCOMPARE(outcome->error().condition, ErrorCondition::Timeout);
        QCOMPARE(tracker.pendingCount(), 0);
    }

    void capsPendingRequests()
    {
        IqTracker tracker;
        tracker.setMaxPending(3);
        int refused = 0;
        for (int i = 0; i < 5; ++i)
            tracker.track(QString::number(i), QString(), own, 10'000, nullptr, [&refused](const IqResult &r) {
                if (!r.ok() && r.error().condition == ErrorCondition::LimitExceeded)
                    ++refused;
            });
        QCOMPARE(tracker.pendingCount(), 3);
        QCOMPARE(refused, 2);
    }

    void refusesDuplicateIds()
    {
        IqTracker tracker;
        std::optional<IqResult> second;
        tracker.track(QStringLiteral("same"), QString(), own, 10'000, nullptr, [](const IqResult &) {});
        tracker.track(QStringLiteral("same"), QString(), own, 10'000, nullptr, [&second](const IqResult &r) { second = r; });
        QVERIFY(second && !second->ok());
        QCOMPARE(second->error().condition, ErrorCondition::InvalidInput);
    }

    void aDestroyedContextIsNotCalled()
    {
        IqTracker tracker;
        bool called = false;
        auto context = std::make_unique<QObject>();
        tracker.track(QStringLiteral("c"), QString(), own, 10'000, context.get(), [&called](const IqResult &) { called = true; });
        context.reset();
        QVERIFY(tracker.handleReply(reply(QStringLiteral("result"), QStringLiteral("c"), QString())));
        QVERIFY(!called);
    }
};

QTEST_GUILESS_MAIN(TestIqTracker)
#include "tst_iqtracker.moc"
