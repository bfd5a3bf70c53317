#include "scram.h"

#include <QTest>

using namespace xmpp;

namespace {

Gs2Header noBinding()
{
    return Gs2Header{};
}

// RFC 5802 section 5 example (SCRAM-SHA-1).
const QByteArray rfc5802ClientNonce = "fyko+d2lbbFgONRv9qkxdawL";
const QByteArray rfc5802ServerFirst =
    "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
const QByteArray rfc5802ClientFinal =
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
const QByteArray rfc5802ServerFinal = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";

// RFC 7677 section 3 example (SCRAM-SHA-256).
const QByteArray rfc7677ClientNonce = "rOprNGfwEbeRWgbNEkqO";
const QByteArray rfc7677ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                      "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const QByteArray rfc7677ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const QByteArray rfc7677ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramClient rfc5802Client(const QString &password = QStringLiteral("pencil"))
{
    return ScramClient(ScramAlgorithm::Sha1, QStringLiteral("user"), password, noBinding(),
                       rfc5802ClientNonce);
}

} // namespace

class TestScramClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfc5802Sha1Exchange()
    {
        ScramClient client = rfc5802Client();
        QVERIFY(client.status().ok());
        QCOMPARE(client.clientFirstMessage(), QByteArray("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"));
        const Result<QByteArray> final = client.clientFinalMessage(rfc5802ServerFirst);
        QVERIFY2(final.ok(), qPrintable(final.ok() ? QString() : final.error().message()));
        QCOMPARE(final.value(), rfc5802ClientFinal);
        QVERIFY(client.verifyServerFinal(rfc5802ServerFinal).ok());
    }

    void rfc7677Sha256Exchange()
    {
        ScramClient client(ScramAlgorithm::Sha256, QStringLiteral("user"), QStringLiteral("pencil"),
                           noBinding(), rfc7677ClientNonce);
        QCOMPARE(client.clientFirstMessage(), QByteArray("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        const Result<QByteArray> final = client.clientFinalMessage(rfc7677ServerFirst);
        QVERIFY(final.ok());
        QCOMPARE(final.value(), rfc7677ClientFinal);
        QVERIFY(client.verifyServerFinal(rfc7677ServerFinal).ok());
    }

    // No RFC publishes a SHA-512 example; these values come from an independent
    // implementation (Python's hashlib/hmac) fed the RFC 7677 inputs.
    void sha512Exchange()
    {
        ScramClient client(ScramAlgorithm::Sha512, QStringLiteral("user"), QStringLiteral("pencil"),
                           noBinding(), rfc7677ClientNonce);
        const Result<QByteArray> final = client.clientFinalMessage(rfc7677ServerFirst);
        QVERIFY(final.ok());
        QCOMPARE(final.value(),
                 QByteArray("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                            "p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp"
                            "6dybEmDYXYTxwnYPJQ=="));
        QVERIFY(client
                    .verifyServerFinal("v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtif"
                                       "DSeVGT4+5ZxXnJq199RVG2rR7N7Zw==")
                    .ok());
    }

    // Channel binding data must be covered by c= so the server can detect a relay.
    // Expected values from the same independent implementation as above.
    void plusExchangeCarriesBindingData()
    {
        QByteArray bindingData;
        for (int i = 0; i < 32; ++i)
            bindingData += char(i);
        const Gs2Header header{Gs2Header::Flag::Binding, QStringLiteral("tls-exporter"),
                               bindingData};
        ScramClient client(ScramAlgorithm::Sha256, QStringLiteral("user"), QStringLiteral("pencil"),
                           header, rfc7677ClientNonce);
        QCOMPARE(client.clientFirstMessage(),
                 QByteArray("p=tls-exporter,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        const Result<QByteArray> final = client.clientFinalMessage(rfc7677ServerFirst);
        QVERIFY(final.ok());
        QCOMPARE(final.value(),
                 QByteArray("c=cD10bHMtZXhwb3J0ZXIsLAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f,"
                            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                            "p=QC6CS20quADQRb3mT99YUH+n3VJxUvzuK0K0E1Vrs2M="));
        QVERIFY(client.verifyServerFinal("v=2GiAgapEppLVlUXbxUDksL3VgYHzuqiK5tR4mhJGgvs=").ok());
        const QByteArray c = final.value().split(',').first().mid(2);
        QCOMPARE(QByteArray::fromBase64(c), QByteArray("p=tls-exporter,,") + bindingData);
    }

    void serverNotCapableFlagInBothMessages()
    {
        ScramClient client(ScramAlgorithm::Sha1, QStringLiteral("user"), QStringLiteral("pencil"),
                           Gs2Header{Gs2Header::Flag::ServerNotCapable, {}, {}},
                           rfc5802ClientNonce);
        QVERIFY(client.clientFirstMessage().startsWith("y,,n=user,"));
        const Result<QByteArray> final = client.clientFinalMessage(rfc5802ServerFirst);
        QVERIFY(final.ok());
        QVERIFY(final.value().startsWith("c=eSws,")); // base64("y,,")
    }

    void serverSignatureMismatch()
    {
        ScramClient client = rfc5802Client();
        QVERIFY(client.clientFinalMessage(rfc5802ServerFirst).ok());
        // The signature for a different password: the server does not know ours.
        ScramClient other = rfc5802Client(QStringLiteral("pencil2"));
        QVERIFY(other.clientFinalMessage(rfc5802ServerFirst).ok());
        QByteArray tampered = QByteArray::fromBase64(rfc5802ServerFinal.mid(2));
        tampered[0] = char(tampered.at(0) ^ 0x01);
        const Status status = client.verifyServerFinal("v=" + tampered.toBase64());
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, ErrorCondition::ServerNotVerified);
        // The right signature for another password is also wrong for us.
        const Status otherStatus = other.verifyServerFinal(rfc5802ServerFinal);
        QVERIFY(!otherStatus.ok());
        QCOMPARE(otherStatus.error().condition, ErrorCondition::ServerNotVerified);
        // A truncated signature must not compare equal to a prefix.
        const QByteArray prefix = QByteArray::fromBase64(rfc5802ServerFinal.mid(2)).left(10);
        const Status truncated = client.verifyServerFinal("v=" + prefix.toBase64());
        QVERIFY(!truncated.ok());
        QCOMPARE(truncated.error().condition, ErrorCondition::ServerNotVerified);
    }

    void serverErrorAttribute_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<ErrorCondition>("expected");
        QTest::newRow("invalid-proof")
            << QByteArray("e=invalid-proof") << ErrorCondition::NotAuthorized;
        QTest::newRow("unknown-user")
            << QByteArray("e=unknown-user") << ErrorCondition::NotAuthorized;
        QTest::newRow("other-error") << QByteArray("e=other-error") << ErrorCondition::AuthFailed;
        QTest::newRow("channel-bindings-dont-match")
            << QByteArray("e=channel-bindings-dont-match") << ErrorCondition::AuthFailed;
    }

    void serverErrorAttribute()
    {
        QFETCH(QByteArray, message);
        QFETCH(ErrorCondition, expected);
        ScramClient client = rfc5802Client();
        QVERIFY(client.clientFinalMessage(rfc5802ServerFirst).ok());
        const Status status = client.verifyServerFinal(message);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, expected);
        QVERIFY(status.error().detail.contains(QString::fromLatin1(message.mid(2))));
    }

    void malformedServerFinal_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage") << QByteArray("hello");
        QTest::newRow("unknown attribute") << QByteArray("x=abc");
        QTest::newRow("bad base64") << QByteArray("v=!!!!");
        QTest::newRow("empty signature") << QByteArray("v=");
    }

    void malformedServerFinal()
    {
        QFETCH(QByteArray, message);
        ScramClient client = rfc5802Client();
        QVERIFY(client.clientFinalMessage(rfc5802ServerFirst).ok());
        const Status status = client.verifyServerFinal(message);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, ErrorCondition::ProtocolViolation);
    }

    void serverFinalBeforeClientFinal()
    {
        ScramClient client = rfc5802Client();
        const Status status = client.verifyServerFinal(rfc5802ServerFinal);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().condition, ErrorCondition::ProtocolViolation);
    }

    void serverFirstAnsweredOnlyOnce()
    {
        ScramClient client = rfc5802Client();
        QVERIFY(client.clientFinalMessage(rfc5802ServerFirst).ok());
        const Result<QByteArray> again = client.clientFinalMessage(rfc5802ServerFirst);
        QVERIFY(!again.ok());
        QCOMPARE(again.error().condition, ErrorCondition::ProtocolViolation);
        // The first exchange still verifies.
        QVERIFY(client.verifyServerFinal(rfc5802ServerFinal).ok());
    }

    void nonceMustExtendOurs_data()
    {
        QTest::addColumn<QByteArray>("serverFirst");
        QTest::newRow("unrelated nonce")
            << QByteArray("r=AAAAd2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096");
        QTest::newRow("no server part")
            << QByteArray("r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096");
        QTest::newRow("prefix of ours") << QByteArray("r=fyko+d2lbb,s=QSXCR+Q6sek8bf92,i=4096");
        QTest::newRow("ours in the middle")
            << QByteArray("r=Xfyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4096");
        QTest::newRow("unprintable server part")
            << QByteArray("r=fyko+d2lbbFgONRv9qkxdawL\x7f,s=QSXCR+Q6sek8bf92,i=4096");
    }

    void nonceMustExtendOurs()
    {
        QFETCH(QByteArray, serverFirst);
        ScramClient client = rfc5802Client();
        const Result<QByteArray> final = client.clientFinalMessage(serverFirst);
        QVERIFY(!final.ok());
        QCOMPARE(final.error().condition, ErrorCondition::ProtocolViolation);
    }

    void iterationCount_data()
    {
        QTest::addColumn<QByteArray>("count");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<ErrorCondition>("expected");
        QTest::newRow("1") << QByteArray("1") << true << ErrorCondition::ProtocolViolation;
        QTest::newRow("0") << QByteArray("0") << false << ErrorCondition::ProtocolViolation;
        QTest::newRow("negative") << QByteArray("-4096") << false
                                  << ErrorCondition::ProtocolViolation;
        QTest::newRow("not a number")
            << QByteArray("many") << false << ErrorCondition::ProtocolViolation;
        QTest::newRow("empty") << QByteArray() << false << ErrorCondition::ProtocolViolation;
        QTest::newRow("above limit")
            << QByteArray("1000001") << false << ErrorCondition::LimitExceeded;
        QTest::newRow("huge") << QByteArray("4000000000") << false << ErrorCondition::LimitExceeded;
        QTest::newRow("overflowing")
            << QByteArray("99999999999999999999999") << false << ErrorCondition::ProtocolViolation;
    }

    void iterationCount()
    {
        QFETCH(QByteArray, count);
        QFETCH(bool, accepted);
        QFETCH(ErrorCondition, expected);
        ScramClient client = rfc5802Client();
        const Result<QByteArray> final = client.clientFinalMessage(
            "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=" + count);
        QCOMPARE(final.ok(), accepted);
        if (!accepted)
            QCOMPARE(final.error().condition, expected);
    }

    void malformedServerFirst_data()
    {
        QTest::addColumn<QByteArray>("serverFirst");
        const QByteArray r = "r=fyko+d2lbbFgONRv9qkxdawL3rfc";
        const QByteArray s = "s=QSXCR+Q6sek8bf92";
        const QByteArray i = "i=4096";
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage") << QByteArray("hello world");
        QTest::newRow("missing r") << s + ',' + i;
        QTest::newRow("missing s") << r + ',' + i;
        QTest::newRow("missing i") << r + ',' + s;
        QTest::newRow("wrong order") << s + ',' + r + ',' + i;
        QTest::newRow("salt not base64") << r + ",s=@@not*base64@@," + i;
        QTest::newRow("empty salt") << r + ",s=," + i;
        QTest::newRow("mandatory extension") << "m=ext," + r + ',' + s + ',' + i;
        QTest::newRow("empty attribute") << r + ",," + s + ',' + i;
        QTest::newRow("server error instead") << QByteArray("e=other-error");
    }

    void malformedServerFirst()
    {
        QFETCH(QByteArray, serverFirst);
        ScramClient client = rfc5802Client();
        const Result<QByteArray> final = client.clientFinalMessage(serverFirst);
        QVERIFY(!final.ok());
        QCOMPARE(final.error().condition, ErrorCondition::ProtocolViolation);
    }

    void extensionsAfterIterationCountAreIgnored()
    {
        ScramClient client = rfc5802Client();
        const Result<QByteArray> final =
            client.clientFinalMessage(rfc5802ServerFirst + ",x=future");
        QVERIFY(final.ok());
        // The extension is part of AuthMessage, so the proof differs from the RFC's.
        QVERIFY(final.value() != rfc5802ClientFinal);
        QVERIFY(final.value().startsWith("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p="));
    }

    void usernameEscaping_data()
    {
        QTest::addColumn<QString>("username");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("comma") << QStringLiteral("a,b") << QByteArray("n=a=2Cb,");
        QTest::newRow("equals") << QStringLiteral("a=b") << QByteArray("n=a=3Db,");
        QTest::newRow("both") << QStringLiteral("=,x,=") << QByteArray("n==3D=2Cx=2C=3D,");
        QTest::newRow("escape-like text") << QStringLiteral("=2C") << QByteArray("n==3D2C,");
        QTest::newRow("plain") << QStringLiteral("alice") << QByteArray("n=alice,");
    }

    void usernameEscaping()
    {
        QFETCH(QString, username);
        QFETCH(QByteArray, expected);
        ScramClient client(ScramAlgorithm::Sha256, username, QStringLiteral("pw"), noBinding(),
                           "nonce");
        QCOMPARE(client.clientFirstMessage(), "n,," + expected + "r=nonce");
    }

    void saslPrepOfPasswordAndUsername()
    {
        // U+00AD SOFT HYPHEN is mapped to nothing, U+00A0 to a space (RFC 4013).
        ScramClient softHyphen = rfc5802Client(QStringLiteral(u"pen\u00ADcil"));
        QVERIFY(softHyphen.status().ok());
        const Result<QByteArray> final = softHyphen.clientFinalMessage(rfc5802ServerFirst);
        QVERIFY(final.ok());
        QCOMPARE(final.value(), rfc5802ClientFinal);

        ScramClient username(ScramAlgorithm::Sha1, QStringLiteral(u"us\u00ADer\u2168"),
                             QStringLiteral("pencil"), noBinding(), "abc");
        QCOMPARE(username.clientFirstMessage(), QByteArray("n,,n=userIX,r=abc"));
    }

    void saslPrepRejects_data()
    {
        QTest::addColumn<QString>("username");
        QTest::addColumn<QString>("password");
        QTest::newRow("control character in password")
            << QStringLiteral("user") << QStringLiteral(u"pen\u0007cil");
        QTest::newRow("NUL in password")
            << QStringLiteral("user") << QStringView(u"pen\0cil", 7).toString();
        QTest::newRow("unassigned in password (stored string)")
            << QStringLiteral("user") << QStringLiteral(u"pen\U0001F600cil");
        QTest::newRow("empty username") << QString() << QStringLiteral("pencil");
        QTest::newRow("control character in username")
            << QStringLiteral(u"us\u0001er") << QStringLiteral("pencil");
    }

    void saslPrepRejects()
    {
        QFETCH(QString, username);
        QFETCH(QString, password);
        ScramClient client(ScramAlgorithm::Sha256, username, password, noBinding(), "abc");
        QVERIFY(!client.status().ok());
        QCOMPARE(client.status().error().condition, ErrorCondition::InvalidInput);
        QVERIFY(client.clientFirstMessage().isEmpty());
        const Result<QByteArray> final =
            client.clientFinalMessage("r=abcdef,s=QSXCR+Q6sek8bf92,i=1");
        QVERIFY(!final.ok());
        QCOMPARE(final.error().condition, ErrorCondition::InvalidInput);
    }

    void unassignedCharactersAllowedInUsername()
    {
        // Usernames are query strings (RFC 5802 section 5.1).
        ScramClient client(ScramAlgorithm::Sha256, QStringLiteral(u"\U0001F600"),
                           QStringLiteral("pencil"), noBinding(), "abc");
        QVERIFY(client.status().ok());
        QCOMPARE(client.clientFirstMessage(), QByteArray("n,,n=\xF0\x9F\x98\x80,r=abc"));
    }

    void invalidSetup_data()
    {
        QTest::addColumn<QByteArray>("nonce");
        QTest::addColumn<Gs2Header>("header");
        QTest::newRow("comma in nonce") << QByteArray("ab,c") << Gs2Header{};
        QTest::newRow("space in nonce") << QByteArray("ab c") << Gs2Header{};
        QTest::newRow("binding without data")
            << QByteArray("abc")
            << Gs2Header{Gs2Header::Flag::Binding, QStringLiteral("tls-exporter"), {}};
        QTest::newRow("binding type with comma")
            << QByteArray("abc")
            << Gs2Header{Gs2Header::Flag::Binding, QStringLiteral("tls,unique"), "data"};
    }

    void invalidSetup()
    {
        QFETCH(QByteArray, nonce);
        QFETCH(Gs2Header, header);
        ScramClient client(ScramAlgorithm::Sha256, QStringLiteral("user"), QStringLiteral("pw"),
                           header, nonce);
        QVERIFY(!client.status().ok());
        QCOMPARE(client.status().error().condition, ErrorCondition::InvalidInput);
        QVERIFY(client.clientFirstMessage().isEmpty());
    }

    void generatedNonce()
    {
        ScramClient first(ScramAlgorithm::Sha256, QStringLiteral("user"), QStringLiteral("pw"),
                          noBinding());
        ScramClient second(ScramAlgorithm::Sha256, QStringLiteral("user"), QStringLiteral("pw"),
                           noBinding());
        QVERIFY(first.status().ok());
        QCOMPARE(first.clientNonce().size(), 32); // base64 of 24 bytes
        QCOMPARE(QByteArray::fromBase64(first.clientNonce()).size(), 24);
        QVERIFY(first.clientNonce() != second.clientNonce());
        QVERIFY(!first.clientNonce().contains(','));
        QVERIFY(first.clientFirstMessage().endsWith(",r=" + first.clientNonce()));
    }

    void gs2Flags_data()
    {
        QTest::addColumn<QString>("mechanism");
        QTest::addColumn<QStringList>("offered");
        QTest::addColumn<QList<ChannelBinding>>("bindings");
        QTest::addColumn<bool>("possible");
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("bindingData");

        const ChannelBinding exporter{QStringLiteral("tls-exporter"), "EXPORTER"};
        const ChannelBinding unique{QStringLiteral("tls-unique"), "UNIQUE"};
        const ChannelBinding empty{QStringLiteral("tls-server-end-point"), {}};
        const QStringList plainOnly{QStringLiteral("SCRAM-SHA-256"), QStringLiteral("PLAIN")};
        const QStringList withPlus{QStringLiteral("SCRAM-SHA-256-PLUS"),
                                   QStringLiteral("SCRAM-SHA-256")};

        QTest::newRow("cannot bind, no -PLUS offered")
            << QStringLiteral("SCRAM-SHA-256") << plainOnly << QList<ChannelBinding>{} << true
            << QByteArray("n,,") << QByteArray();
        QTest::newRow("cannot bind, -PLUS offered")
            << QStringLiteral("SCRAM-SHA-256") << withPlus << QList<ChannelBinding>{} << true
            << QByteArray("n,,") << QByteArray();
        QTest::newRow("could bind, server offers no -PLUS")
            << QStringLiteral("SCRAM-SHA-256") << plainOnly << QList<ChannelBinding>{exporter}
            << true << QByteArray("y,,") << QByteArray();
        QTest::newRow("could bind, chose plain although -PLUS offered")
            << QStringLiteral("SCRAM-SHA-256") << withPlus << QList<ChannelBinding>{exporter}
            << true << QByteArray("n,,") << QByteArray();
        QTest::newRow("-PLUS binds with the first usable binding")
            << QStringLiteral("SCRAM-SHA-256-PLUS") << withPlus
            << QList<ChannelBinding>{empty, exporter, unique} << true
            << QByteArray("p=tls-exporter,,") << QByteArray("EXPORTER");
        QTest::newRow("-PLUS without a binding")
            << QStringLiteral("SCRAM-SHA-256-PLUS") << withPlus << QList<ChannelBinding>{empty}
            << false << QByteArray() << QByteArray();
        QTest::newRow("only unusable bindings count as cannot bind")
            << QStringLiteral("SCRAM-SHA-256") << plainOnly << QList<ChannelBinding>{empty} << true
            << QByteArray("n,,") << QByteArray();
    }

    void gs2Flags()
    {
        QFETCH(QString, mechanism);
        QFETCH(QStringList, offered);
        QFETCH(QList<ChannelBinding>, bindings);
        QFETCH(bool, possible);
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, bindingData);
        const std::optional<Gs2Header> result = gs2HeaderFor(mechanism, offered, bindings);
        QCOMPARE(result.has_value(), possible);
        if (!possible)
            return;
        QCOMPARE(result->toBytes(), header);
        QCOMPARE(result->bindingData, bindingData);
    }

    void mechanismNames_data()
    {
        QTest::addColumn<QString>("mechanism");
        QTest::addColumn<int>("algorithm"); // -1: not SCRAM
        QTest::addColumn<bool>("plus");
        QTest::newRow("SHA-1") << QStringLiteral("SCRAM-SHA-1") << int(ScramAlgorithm::Sha1)
                               << false;
        QTest::newRow("SHA-1-PLUS")
            << QStringLiteral("SCRAM-SHA-1-PLUS") << int(ScramAlgorithm::Sha1) << true;
        QTest::newRow("SHA-256") << QStringLiteral("SCRAM-SHA-256") << int(ScramAlgorithm::Sha256)
                                 << false;
        QTest::newRow("SHA-256-PLUS")
            << QStringLiteral("SCRAM-SHA-256-PLUS") << int(ScramAlgorithm::Sha256) << true;
        QTest::newRow("SHA-512") << QStringLiteral("SCRAM-SHA-512") << int(ScramAlgorithm::Sha512)
                                 << false;
        QTest::newRow("SHA-512-PLUS")
            << QStringLiteral("SCRAM-SHA-512-PLUS") << int(ScramAlgorithm::Sha512) << true;
        QTest::newRow("SHA-384") << QStringLiteral("SCRAM-SHA-384") << -1 << false;
        QTest::newRow("PLAIN") << QStringLiteral("PLAIN") << -1 << false;
        QTest::newRow("bare PLUS") << QStringLiteral("SCRAM-PLUS") << -1 << false;
        QTest::newRow("trailing junk") << QStringLiteral("SCRAM-SHA-1-PLUSX") << -1 << false;
    }

    void mechanismNames()
    {
        QFETCH(QString, mechanism);
        QFETCH(int, algorithm);
        QFETCH(bool, plus);
        const std::optional<ScramAlgorithm> parsed = scramAlgorithmFor(mechanism);
        QCOMPARE(parsed.has_value(), algorithm >= 0);
        QCOMPARE(isScramPlus(mechanism), plus);
        if (parsed) {
            QCOMPARE(int(*parsed), algorithm);
            QCOMPARE(scramMechanismName(*parsed, plus), mechanism);
        }
    }

    void wipeSecretClearsOnlyUnsharedBuffers()
    {
        QByteArray secret("top secret");
        secret.detach();
        wipeSecret(secret);
        QVERIFY(secret.isEmpty());

        QByteArray shared("shared secret");
        QByteArray copy = shared;
        wipeSecret(shared);
        QVERIFY(shared.isEmpty());
        QCOMPARE(copy, QByteArray("shared secret"));

        QString text = QStringLiteral("password");
        QString textCopy = text;
        wipeSecret(text);
        QVERIFY(text.isEmpty());
        QCOMPARE(textCopy, QStringLiteral("password"));
    }
};

QTEST_GUILESS_MAIN(TestScramClient)
#include "tst_scramclient.moc"
