#include "relayanswerer.h"

#include <QTest>

using namespace mobility;
using xmpp::ErrorCondition;

namespace {

// RFC 5802 section 5 example (SCRAM-SHA-1).
const QByteArray rfcClientNonce = "fyko+d2lbbFgONRv9qkxdawL";
const QByteArray rfcServerFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
const QByteArray rfcClientFinal = "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
const QByteArray rfcServerFinal = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";
const QString password = QStringLiteral("pencil");

RelayAnswererOptions fixedNonce()
{
    RelayAnswererOptions options;
    options.clientNonce = rfcClientNonce;
    return options;
}

SaslOffer offerOf(const QStringList &mechanisms, const QList<xmpp::ChannelBinding> &bindings = {})
{
    return SaslOffer{QStringLiteral("s1"), mechanisms, bindings};
}

const xmpp::ChannelBinding tlsUnique{QStringLiteral("tls-unique"), QByteArray("\x0a\x0b\x0c\x0d", 4)};
const xmpp::ChannelBinding tlsExporter{QStringLiteral("tls-exporter"), QByteArray(32, '\x42')};

// The c= attribute of a client-final message.
QByteArray channelBindingAttribute(const QByteArray &clientFinal)
{
    const QByteArray first = clientFinal.split(',').value(0);
    return first.startsWith("c=") ? first.mid(2) : QByteArray();
}

} // namespace

class TestRelayAnswerer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfc5802Exchange()
    {
        RelayAnswerer answerer(QStringLiteral("user"), password, fixedNonce());
        const auto auth = answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")}));
        QVERIFY2(auth.ok(), qPrintable(auth.ok() ? QString() : auth.error().message()));
        QCOMPARE(auth.value().sid, QStringLiteral("s1"));
        QCOMPARE(auth.value().mechanism, QStringLiteral("SCRAM-SHA-1"));
        QCOMPARE(auth.value().initialResponse, QByteArray("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"));
        QCOMPARE(answerer.mechanism(), QStringLiteral("SCRAM-SHA-1"));

        const auto final = answerer.answerChallenge(rfcServerFirst);
        QVERIFY(final.ok());
        QCOMPARE(final.value(), rfcClientFinal);
        QVERIFY(!answerer.isServerVerified());

        QVERIFY(answerer.verifySuccess(rfcServerFinal).ok());
        QVERIFY(answerer.isServerVerified());
        QVERIFY(answerer.isFinished());
    }

    void refusesMechanismsThatRevealThePassword_data()
    {
        QTest::addColumn<QStringList>("offered");
        QTest::newRow("PLAIN") << QStringList{QStringLiteral("PLAIN")};
        QTest::newRow("DIGEST-MD5") << QStringList{QStringLiteral("DIGEST-MD5")};
        QTest::newRow("both") << QStringList{QStringLiteral("PLAIN"), QStringLiteral("DIGEST-MD5")};
        QTest::newRow("unknown") << QStringList{QStringLiteral("X-SECRET-SAUCE")};
        QTest::newRow("unknown SCRAM hash") << QStringList{QStringLiteral("SCRAM-SHA3-512"), QStringLiteral("CRAM-MD5")};
        QTest::newRow("token mechanisms") << QStringList{QStringLiteral("X-OAUTH2"), QStringLiteral("OAUTHBEARER")};
        QTest::newRow("PLUS without binding") << QStringList{QStringLiteral("SCRAM-SHA-256-PLUS"), QStringLiteral("PLAIN")};
    }
    void refusesMechanismsThatRevealThePassword()
    {
        QFETCH(QStringList, offered);
        RelayAnswerer answerer(QStringLiteral("alice"), password);
        const auto auth = answerer.answerOffer(offerOf(offered));
        QVERIFY(!auth.ok());
        QCOMPARE(auth.error().condition, ErrorCondition::NoSuitableMechanism);
        const QString message = auth.error().message();
        for (const QString &mechanism : std::as_const(offered))
            QVERIFY2(message.contains(mechanism), qPrintable(message));
        QVERIFY(!message.contains(password));
        QVERIFY(answerer.isFinished());
        // A refused negotiation stays refused.
        QVERIFY(!answerer.answerChallenge(rfcServerFirst).ok());
    }

    void choosesTheStrongest_data()
    {
        QTest::addColumn<QStringList>("offered");
        QTest::addColumn<bool>("withBinding");
        QTest::addColumn<QString>("expected");
        const QStringList everything = {QStringLiteral("PLAIN"), QStringLiteral("SCRAM-SHA-1"),
                                        QStringLiteral("SCRAM-SHA-256"), QStringLiteral("SCRAM-SHA-512"),
                                        QStringLiteral("SCRAM-SHA-1-PLUS"), QStringLiteral("SCRAM-SHA-256-PLUS"),
                                        QStringLiteral("SCRAM-SHA-512-PLUS")};
        QTest::newRow("all, binding") << everything << true << QStringLiteral("SCRAM-SHA-512-PLUS");
        QTest::newRow("all, no binding") << everything << false << QStringLiteral("SCRAM-SHA-512");
        QTest::newRow("PLUS SHA-1 beats plain SHA-512") << QStringList{QStringLiteral("SCRAM-SHA-512"), QStringLiteral("SCRAM-SHA-1-PLUS")} << true << QStringLiteral("SCRAM-SHA-1-PLUS");
        QTest::newRow("SHA-256 over SHA-1") << QStringList{QStringLiteral("SCRAM-SHA-1"), QStringLiteral("SCRAM-SHA-256"), QStringLiteral("PLAIN")} << false << QStringLiteral("SCRAM-SHA-256");
        QTest::newRow("SCRAM over PLAIN (prosody)") << QStringList{QStringLiteral("PLAIN"), QStringLiteral("SCRAM-SHA-1")} << true << QStringLiteral("SCRAM-SHA-1");
    }
    void choosesTheStrongest()
    {
        QFETCH(QStringList, offered);
        QFETCH(bool, withBinding);
        QFETCH(QString, expected);
        RelayAnswerer answerer(QStringLiteral("alice"), password);
        const auto auth = answerer.answerOffer(offerOf(offered, withBinding ? QList{tlsUnique} : QList<xmpp::ChannelBinding>{}));
        QVERIFY2(auth.ok(), qPrintable(auth.ok() ? QString() : auth.error().message()));
        QCOMPARE(auth.value().mechanism, expected);
    }

    void allowedMechanismsPin()
    {
        RelayAnswererOptions options;
        options.allowedMechanisms = {QStringLiteral("SCRAM-SHA-256")};
        RelayAnswerer answerer(QStringLiteral("alice"), password, options);
        const auto auth = answerer.answerOffer(
            offerOf({QStringLiteral("SCRAM-SHA-512"), QStringLiteral("SCRAM-SHA-256"), QStringLiteral("SCRAM-SHA-256-PLUS")}, {tlsUnique}));
        QVERIFY(auth.ok());
        QCOMPARE(auth.value().mechanism, QStringLiteral("SCRAM-SHA-256"));
        // The server offers -PLUS and the phone chose not to bind: "n", not "y".
        QVERIFY(auth.value().initialResponse.startsWith("n,,n=alice,r="));

        RelayAnswererOptions onlyPlain;
        onlyPlain.allowedMechanisms = {QStringLiteral("PLAIN")};
        RelayAnswerer refusing(QStringLiteral("alice"), password, onlyPlain);
        const auto refused = refusing.answerOffer(offerOf({QStringLiteral("PLAIN"), QStringLiteral("SCRAM-SHA-1")}));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().condition, ErrorCondition::NoSuitableMechanism);
    }

    void bindsWithPlus()
    {
        RelayAnswerer answerer(QStringLiteral("user"), password, fixedNonce());
        const auto auth = answerer.answerOffer(
            offerOf({QStringLiteral("SCRAM-SHA-1-PLUS"), QStringLiteral("SCRAM-SHA-1")}, {tlsUnique}));
        QVERIFY(auth.ok());
        QCOMPARE(auth.value().mechanism, QStringLiteral("SCRAM-SHA-1-PLUS"));
        QCOMPARE(auth.value().initialResponse, QByteArray("p=tls-unique,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"));
        const auto final = answerer.answerChallenge(rfcServerFirst);
        QVERIFY(final.ok());
        // The server checks the display's channel against what the phone signed.
        QCOMPARE(channelBindingAttribute(final.value()), QByteArray("p=tls-unique,," + tlsUnique.data).toBase64());
    }

    void prefersItsOwnBindingOrder()
    {
        RelayAnswerer answerer(QStringLiteral("alice"), password);
        const auto auth = answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-256-PLUS")}, {tlsUnique, tlsExporter}));
        QVERIFY(auth.ok());
        QVERIFY(auth.value().initialResponse.startsWith("p=tls-exporter,,"));
    }

    void ignoresBindingsOfTypesItDoesNotAccept()
    {
        RelayAnswererOptions options;
        options.channelBindingTypes = {QStringLiteral("tls-exporter")};
        RelayAnswerer answerer(QStringLiteral("alice"), password, options);
        const auto auth = answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-256-PLUS"), QStringLiteral("SCRAM-SHA-256")}, {tlsUnique}));
        QVERIFY(auth.ok());
        QCOMPARE(auth.value().mechanism, QStringLiteral("SCRAM-SHA-256"));
        QVERIFY(auth.value().initialResponse.startsWith("n,,"));

        RelayAnswerer onlyPlus(QStringLiteral("alice"), password, options);
        const auto refused = onlyPlus.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-256-PLUS")}, {tlsUnique}));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().condition, ErrorCondition::NoSuitableMechanism);
        QVERIFY2(refused.error().message().contains(QStringLiteral("tls-unique")), qPrintable(refused.error().message()));
    }

    // RFC 5802 section 6: able to bind, but the server lists no -PLUS mechanism.
    void signalsPossibleDowngradeWithY()
    {
        RelayAnswerer answerer(QStringLiteral("user"), password, fixedNonce());
        const auto auth = answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1"), QStringLiteral("PLAIN")}, {tlsUnique}));
        QVERIFY(auth.ok());
        QCOMPARE(auth.value().initialResponse, QByteArray("y,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"));
        const auto final = answerer.answerChallenge(rfcServerFirst);
        QVERIFY(final.ok());
        QCOMPARE(channelBindingAttribute(final.value()), QByteArray("eSws")); // base64("y,,")
    }

    void detectsAWrongServerSignature()
    {
        RelayAnswerer answerer(QStringLiteral("user"), password, fixedNonce());
        QVERIFY(answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        QVERIFY(answerer.answerChallenge(rfcServerFirst).ok());
        const xmpp::Status status = answerer.verifySuccess("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, ErrorCondition::ServerNotVerified);
        QVERIFY(!answerer.isServerVerified());
        QVERIFY(!answerer.verifySuccess(rfcServerFinal).ok()); // no second chance
    }

    void requiresTheServerSignature()
    {
        RelayAnswerer answerer(QStringLiteral("user"), password, fixedNonce());
        QVERIFY(answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        QVERIFY(answerer.answerChallenge(rfcServerFirst).ok());
        const xmpp::Status status = answerer.verifySuccess({});
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, ErrorCondition::ServerNotVerified);
    }

    void refusesSuccessBeforeTheExchange()
    {
        RelayAnswerer answerer(QStringLiteral("user"), password, fixedNonce());
        QVERIFY(answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        const xmpp::Status status = answerer.verifySuccess(rfcServerFinal);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, ErrorCondition::ServerNotVerified);
    }

    void acceptsTheServerFinalAsChallenge()
    {
        RelayAnswerer answerer(QStringLiteral("user"), password, fixedNonce());
        QVERIFY(answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        QVERIFY(answerer.answerChallenge(rfcServerFirst).ok());
        const auto empty = answerer.answerChallenge(rfcServerFinal);
        QVERIFY(empty.ok());
        QVERIFY(empty.value().isEmpty());
        QVERIFY(answerer.isServerVerified());
        QVERIFY(answerer.verifySuccess({}).ok());
        QVERIFY(answerer.isFinished());
    }

    void checksARepeatedServerFinal()
    {
        RelayAnswerer repeated(QStringLiteral("user"), password, fixedNonce());
        QVERIFY(repeated.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        QVERIFY(repeated.answerChallenge(rfcServerFirst).ok());
        QVERIFY(repeated.answerChallenge(rfcServerFinal).ok());
        QVERIFY(repeated.verifySuccess(rfcServerFinal).ok());

        RelayAnswerer contradicted(QStringLiteral("user"), password, fixedNonce());
        QVERIFY(contradicted.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        QVERIFY(contradicted.answerChallenge(rfcServerFirst).ok());
        QVERIFY(contradicted.answerChallenge(rfcServerFinal).ok());
        const xmpp::Status status = contradicted.verifySuccess("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        QCOMPARE(status.ok() ? ErrorCondition::InvalidInput : status.error().condition, ErrorCondition::ServerNotVerified);
    }

    void wrongServerFinalAsChallengeIsRefused()
    {
        RelayAnswerer answerer(QStringLiteral("user"), password, fixedNonce());
        QVERIFY(answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        QVERIFY(answerer.answerChallenge(rfcServerFirst).ok());
        const auto response = answerer.answerChallenge("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        QVERIFY(!response.ok());
        QCOMPARE(response.error().condition, ErrorCondition::ServerNotVerified);
        QVERIFY(!answerer.isServerVerified());
    }

    void reportsServerErrors()
    {
        RelayAnswerer answerer(QStringLiteral("user"), password, fixedNonce());
        QVERIFY(answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        QVERIFY(answerer.answerChallenge(rfcServerFirst).ok());
        const auto response = answerer.answerChallenge("e=invalid-proof");
        QVERIFY(!response.ok());
        QCOMPARE(response.error().condition, ErrorCondition::NotAuthorized);
    }

    void refusesMalformedChallenges_data()
    {
        QTest::addColumn<QByteArray>("challenge");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("not attributes") << QByteArray("hello");
        QTest::newRow("foreign nonce") << QByteArray("r=somebodyelse,s=QSXCR+Q6sek8bf92,i=4096");
        QTest::newRow("nonce not extended") << QByteArray("r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096");
        QTest::newRow("bad salt") << QByteArray("r=fyko+d2lbbFgONRv9qkxdawLx,s=!!,i=4096");
        QTest::newRow("zero iterations") << QByteArray("r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=0");
    }
    void refusesMalformedChallenges()
    {
        QFETCH(QByteArray, challenge);
        RelayAnswerer answerer(QStringLiteral("user"), password, fixedNonce());
        QVERIFY(answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        const auto response = answerer.answerChallenge(challenge);
        QVERIFY(!response.ok());
        QCOMPARE(response.error().condition, ErrorCondition::ProtocolViolation);
    }

    void limitsTheIterationCount()
    {
        RelayAnswerer answerer(QStringLiteral("user"), password, fixedNonce());
        QVERIFY(answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        const auto response = answerer.answerChallenge("r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=2000000000");
        QVERIFY(!response.ok());
        QCOMPARE(response.error().condition, ErrorCondition::LimitExceeded);
    }

    void servesOneNegotiation()
    {
        RelayAnswerer answerer(QStringLiteral("user"), password);
        QVERIFY(answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        const auto again = answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")}));
        QVERIFY(!again.ok());
        QCOMPARE(again.error().condition, ErrorCondition::ProtocolViolation);
    }

    void refusesStepsOutOfOrder()
    {
        RelayAnswerer early(QStringLiteral("user"), password);
        const auto challenge = early.answerChallenge(rfcServerFirst);
        QVERIFY(!challenge.ok());
        QCOMPARE(challenge.error().condition, ErrorCondition::ProtocolViolation);

        RelayAnswerer premature(QStringLiteral("user"), password);
        const xmpp::Status success = premature.verifySuccess(rfcServerFinal);
        QVERIFY(!success.ok());
        QCOMPARE(success.error().condition, ErrorCondition::ProtocolViolation);

        RelayAnswerer finished(QStringLiteral("user"), password, fixedNonce());
        QVERIFY(finished.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")})).ok());
        QVERIFY(finished.answerChallenge(rfcServerFirst).ok());
        QVERIFY(finished.answerChallenge(rfcServerFinal).ok());
        const auto extra = finished.answerChallenge(rfcServerFinal);
        QVERIFY(!extra.ok());
        QCOMPARE(extra.error().condition, ErrorCondition::ProtocolViolation);
    }

    void refusesUnusableCredentials()
    {
        RelayAnswerer answerer(QStringLiteral("user"), QStringLiteral("bad\u0007password"));
        const auto auth = answerer.answerOffer(offerOf({QStringLiteral("SCRAM-SHA-1")}));
        QVERIFY(!auth.ok());
        QCOMPARE(auth.error().condition, ErrorCondition::InvalidInput);
        QVERIFY(!auth.error().message().contains(QStringLiteral("bad\u0007password")));
    }
};

QTEST_GUILESS_MAIN(TestRelayAnswerer)
#include "tst_relayanswerer.moc"
