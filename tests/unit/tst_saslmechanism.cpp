#include "sasl.h"
#include "scram.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QPasswordDigestor>
#include <QTest>

using namespace xmpp;

namespace {

// Everything a mechanism said, in order, so a test can check that each call was
// answered by exactly one signal.
struct Transcript
{
    QStringList events;
    QString mechanism;
    QByteArray lastData;
    std::optional<Error> error;
};

void record(SaslMechanism &mechanism, Transcript &transcript)
{
    QObject::connect(&mechanism, &SaslMechanism::started, &mechanism,
                     [&transcript](const QString &name, const QByteArray &initial) {
                         transcript.events << QStringLiteral("started");
                         transcript.mechanism = name;
                         transcript.lastData = initial;
                     });
    QObject::connect(&mechanism, &SaslMechanism::responseReady, &mechanism,
                     [&transcript](const QByteArray &response) {
                         transcript.events << QStringLiteral("response");
                         transcript.lastData = response;
                     });
    QObject::connect(&mechanism, &SaslMechanism::succeeded, &mechanism,
                     [&transcript] { transcript.events << QStringLiteral("succeeded"); });
    QObject::connect(&mechanism, &SaslMechanism::failed, &mechanism,
                     [&transcript](const Error &error) {
                         transcript.events << QStringLiteral("failed");
                         transcript.error = error;
                     });
}

QStringList events(std::initializer_list<const char *> names)
{
    QStringList list;
    for (const char *name : names)
        list << QString::fromLatin1(name);
    return list;
}

const QStringList allScram = {
    QStringLiteral("SCRAM-SHA-1"),   QStringLiteral("SCRAM-SHA-1-PLUS"),
    QStringLiteral("SCRAM-SHA-256"), QStringLiteral("SCRAM-SHA-256-PLUS"),
    QStringLiteral("SCRAM-SHA-512"), QStringLiteral("SCRAM-SHA-512-PLUS"),
};
const ChannelBinding exporterBinding{QStringLiteral("tls-exporter"), QByteArray(32, '\x5a')};

SaslContext contextWith(const QStringList &offered, bool tls = true,
                        const QList<ChannelBinding> &bindings = {})
{
    SaslContext context;
    context.username = QStringLiteral("alice");
    context.domain = QStringLiteral("example.org");
    context.tlsActive = tls;
    context.offeredMechanisms = offered;
    context.channelBindings = bindings;
    return context;
}

// The server side of SCRAM, written from RFC 5802 independently of ScramClient, so the
// mechanism can be driven through complete exchanges with any client nonce.
class ScramServer
{
public:
    ScramServer(ScramAlgorithm algorithm, QByteArray password, QByteArray bindingData = {})
        : m_hash(hashOf(algorithm))
        , m_password(std::move(password))
        , m_bindingData(std::move(bindingData))
    {
    }

    QByteArray serverFirst(const QByteArray &clientFirst)
    {
        const qsizetype flagEnd = clientFirst.indexOf(',');
        const qsizetype headerEnd = clientFirst.indexOf(',', flagEnd + 1);
        m_gs2Header = clientFirst.left(headerEnd + 1);
        m_clientFirstBare = clientFirst.mid(headerEnd + 1);
        const QByteArray clientNonce = m_clientFirstBare.mid(m_clientFirstBare.indexOf(",r=") + 3);
        m_serverFirst =
            "r=" + clientNonce + "3rfcNHYJY1ZVvWVs7j,s=" + m_salt.toBase64() + ",i=4096";
        return m_serverFirst;
    }

    // The server-final message for a valid proof, "e=..." otherwise.
    QByteArray serverFinal(const QByteArray &clientFinal)
    {
        const qsizetype proofAt = clientFinal.lastIndexOf(",p=");
        const QByteArray withoutProof = clientFinal.left(proofAt);
        const QByteArray proof = QByteArray::fromBase64(clientFinal.mid(proofAt + 3));
        if (!withoutProof.startsWith("c=" + (m_gs2Header + m_bindingData).toBase64() + ','))
            return "e=channel-bindings-dont-match";

        const QByteArray authMessage = m_clientFirstBare + ',' + m_serverFirst + ',' + withoutProof;
        const QByteArray salted = QPasswordDigestor::deriveKeyPbkdf2(
            m_hash, m_password, m_salt, 4096, quint64(QCryptographicHash::hashLength(m_hash)));
        const QByteArray storedKey = QCryptographicHash::hash(
            QMessageAuthenticationCode::hash("Client Key", salted, m_hash), m_hash);
        const QByteArray clientSignature =
            QMessageAuthenticationCode::hash(authMessage, storedKey, m_hash);
        if (proof.size() != clientSignature.size())
            return "e=invalid-proof";
        QByteArray clientKey = proof;
        for (qsizetype i = 0; i < clientKey.size(); ++i)
            clientKey[i] = char(clientKey.at(i) ^ clientSignature.at(i));
        if (QCryptographicHash::hash(clientKey, m_hash) != storedKey)
            return "e=invalid-proof";
        const QByteArray serverKey = QMessageAuthenticationCode::hash("Server Key", salted, m_hash);
        return "v=" + QMessageAuthenticationCode::hash(authMessage, serverKey, m_hash).toBase64();
    }

    QByteArray gs2Header() const { return m_gs2Header; }

private:
    static QCryptographicHash::Algorithm hashOf(ScramAlgorithm algorithm)
    {
        switch (algorithm) {
        case ScramAlgorithm::Sha1:
            return QCryptographicHash::Sha1;
        case ScramAlgorithm::Sha256:
            return QCryptographicHash::Sha256;
        case ScramAlgorithm::Sha512:
            return QCryptographicHash::Sha512;
        }
        return QCryptographicHash::Sha256;
    }

    QCryptographicHash::Algorithm m_hash;
    QByteArray m_password;
    QByteArray m_bindingData;
    QByteArray m_salt = "NaCl-for-tests";
    QByteArray m_gs2Header;
    QByteArray m_clientFirstBare;
    QByteArray m_serverFirst;
};

// Starts a SCRAM-SHA-256 exchange and answers the server-first message; returns the
// server-final message the test server computed.
QByteArray runToServerFinal(PasswordMechanism &mechanism, Transcript &transcript,
                            ScramServer &server)
{
    mechanism.start(contextWith({QStringLiteral("SCRAM-SHA-256")}));
    mechanism.handleChallenge(server.serverFirst(transcript.lastData));
    return server.serverFinal(transcript.lastData);
}

} // namespace

class TestSaslMechanism : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void selectionOrder_data()
    {
        QTest::addColumn<QStringList>("offered");
        QTest::addColumn<bool>("canBind");
        QTest::addColumn<bool>("allowPlain");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QByteArray>("gs2Header");

        const QString plain = QStringLiteral("PLAIN");
        QTest::newRow("everything, can bind")
            << (allScram + QStringList{plain}) << true << true
            << QStringLiteral("SCRAM-SHA-512-PLUS") << QByteArray("p=tls-exporter,,");
        QTest::newRow("everything, cannot bind")
            << (allScram + QStringList{plain}) << false << true << QStringLiteral("SCRAM-SHA-512")
            << QByteArray("n,,");
        QTest::newRow("256-PLUS beats 1-PLUS")
            << QStringList{QStringLiteral("SCRAM-SHA-1-PLUS"), QStringLiteral("SCRAM-SHA-256-PLUS"),
                           QStringLiteral("SCRAM-SHA-512")}
            << true << false << QStringLiteral("SCRAM-SHA-256-PLUS")
            << QByteArray("p=tls-exporter,,");
        QTest::newRow("any -PLUS beats a stronger hash without binding")
            << QStringList{QStringLiteral("SCRAM-SHA-512"), QStringLiteral("SCRAM-SHA-1-PLUS")}
            << true << false << QStringLiteral("SCRAM-SHA-1-PLUS")
            << QByteArray("p=tls-exporter,,");
        QTest::newRow("SHA-256 over SHA-1")
            << QStringList{QStringLiteral("SCRAM-SHA-1"), QStringLiteral("SCRAM-SHA-256")} << false
            << false << QStringLiteral("SCRAM-SHA-256") << QByteArray("n,,");
        QTest::newRow("could bind but no -PLUS offered: y flag")
            << QStringList{QStringLiteral("SCRAM-SHA-1"), QStringLiteral("SCRAM-SHA-256")} << true
            << false << QStringLiteral("SCRAM-SHA-256") << QByteArray("y,,");
        QTest::newRow("SCRAM-SHA-1 over allowed PLAIN")
            << QStringList{plain, QStringLiteral("SCRAM-SHA-1")} << false << true
            << QStringLiteral("SCRAM-SHA-1") << QByteArray("n,,");
        QTest::newRow("PLAIN when allowed and nothing else")
            << QStringList{plain, QStringLiteral("DIGEST-MD5")} << false << true << plain
            << QByteArray();
        QTest::newRow("case-insensitive names")
            << QStringList{QStringLiteral("scram-sha-256")} << false << false
            << QStringLiteral("SCRAM-SHA-256") << QByteArray("n,,");
    }

    void selectionOrder()
    {
        QFETCH(QStringList, offered);
        QFETCH(bool, canBind);
        QFETCH(bool, allowPlain);
        QFETCH(QString, expected);
        QFETCH(QByteArray, gs2Header);

        PasswordMechanism mechanism(QStringLiteral("secret"), PasswordPolicy{.allowPlain = allowPlain, .onlyMechanisms = {}});
        Transcript transcript;
        record(mechanism, transcript);
        mechanism.start(contextWith(offered, true,
                                    canBind ? QList<ChannelBinding>{exporterBinding}
                                            : QList<ChannelBinding>{}));
        QCOMPARE(transcript.events, events({"started"}));
        QCOMPARE(transcript.mechanism, expected);
        QCOMPARE(mechanism.mechanism(), expected);
        if (!gs2Header.isEmpty())
            QVERIFY(transcript.lastData.startsWith(gs2Header + "n=alice,r="));
    }

    void noSuitableMechanism_data()
    {
        QTest::addColumn<QStringList>("offered");
        QTest::addColumn<bool>("tls");
        QTest::addColumn<bool>("allowPlain");
        QTest::addColumn<QStringList>("detailMentions");

        const QString plain = QStringLiteral("PLAIN");
        QTest::newRow("PLAIN not allowed by policy")
            << QStringList{plain} << true << false
            << QStringList{plain, QStringLiteral("not allowed")};
        QTest::newRow("PLAIN allowed but no TLS")
            << QStringList{plain} << false << true
            << QStringList{plain, QStringLiteral("not encrypted")};
        QTest::newRow("nothing offered")
            << QStringList{} << true << true << QStringList{QStringLiteral("no SASL mechanism")};
        QTest::newRow("unknown mechanisms")
            << QStringList{QStringLiteral("DIGEST-MD5"), QStringLiteral("CRAM-MD5")} << true << true
            << QStringList{QStringLiteral("DIGEST-MD5, CRAM-MD5")};
        QTest::newRow("only -PLUS offered, no binding")
            << QStringList{QStringLiteral("SCRAM-SHA-256-PLUS")} << true << false
            << QStringList{QStringLiteral("SCRAM-SHA-256-PLUS"), QStringLiteral("channel binding")};
    }

    void noSuitableMechanism()
    {
        QFETCH(QStringList, offered);
        QFETCH(bool, tls);
        QFETCH(bool, allowPlain);
        QFETCH(QStringList, detailMentions);

        PasswordMechanism mechanism(QStringLiteral("secret"), PasswordPolicy{.allowPlain = allowPlain, .onlyMechanisms = {}});
        Transcript transcript;
        record(mechanism, transcript);
        mechanism.start(contextWith(offered, tls));
        QCOMPARE(transcript.events, events({"failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::NoSuitableMechanism);
        for (const QString &mention : std::as_const(detailMentions))
            QVERIFY2(transcript.error->detail.contains(mention),
                     qPrintable(transcript.error->detail));
        QVERIFY(!transcript.error->detail.contains(QStringLiteral("secret")));
        QVERIFY(mechanism.mechanism().isEmpty());
    }

    void plainExchange()
    {
        PasswordMechanism mechanism(QStringLiteral(u"s\u00e9cret"), PasswordPolicy{.allowPlain = true, .onlyMechanisms = {}});
        Transcript transcript;
        record(mechanism, transcript);
        mechanism.start(contextWith({QStringLiteral("PLAIN")}));
        QCOMPARE(transcript.mechanism, QStringLiteral("PLAIN"));
        QCOMPARE(transcript.lastData, QByteArray("\0alice\0s\xc3\xa9"
                                                 "cret",
                                                 14));
        mechanism.handleSuccess({});
        QCOMPARE(transcript.events, events({"started", "succeeded"}));
    }

    void plainRejectsChallenges()
    {
        PasswordMechanism mechanism(QStringLiteral("secret"), PasswordPolicy{.allowPlain = true, .onlyMechanisms = {}});
        Transcript transcript;
        record(mechanism, transcript);
        mechanism.start(contextWith({QStringLiteral("PLAIN")}));
        mechanism.handleChallenge("more?");
        QCOMPARE(transcript.events, events({"started", "failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::ProtocolViolation);
    }

    void scramExchange_data()
    {
        QTest::addColumn<QString>("offered");
        QTest::addColumn<int>("algorithm");
        QTest::addColumn<bool>("bind");
        QTest::newRow("SHA-1") << QStringLiteral("SCRAM-SHA-1") << int(ScramAlgorithm::Sha1)
                               << false;
        QTest::newRow("SHA-256") << QStringLiteral("SCRAM-SHA-256") << int(ScramAlgorithm::Sha256)
                                 << false;
        QTest::newRow("SHA-512") << QStringLiteral("SCRAM-SHA-512") << int(ScramAlgorithm::Sha512)
                                 << false;
        QTest::newRow("SHA-256-PLUS")
            << QStringLiteral("SCRAM-SHA-256-PLUS") << int(ScramAlgorithm::Sha256) << true;
        QTest::newRow("SHA-512-PLUS")
            << QStringLiteral("SCRAM-SHA-512-PLUS") << int(ScramAlgorithm::Sha512) << true;
    }

    void scramExchange()
    {
        QFETCH(QString, offered);
        QFETCH(int, algorithm);
        QFETCH(bool, bind);

        PasswordMechanism mechanism(QStringLiteral(u"p\u00e4ssword"));
        Transcript transcript;
        record(mechanism, transcript);
        ScramServer server(ScramAlgorithm(algorithm), QByteArray("p\xc3\xa4ssword"),
                           bind ? exporterBinding.data : QByteArray());
        mechanism.start(
            contextWith({offered}, true,
                        bind ? QList<ChannelBinding>{exporterBinding} : QList<ChannelBinding>{}));
        QCOMPARE(transcript.mechanism, offered);
        mechanism.handleChallenge(server.serverFirst(transcript.lastData));
        QCOMPARE(server.gs2Header(), bind ? QByteArray("p=tls-exporter,,") : QByteArray("n,,"));
        const QByteArray serverFinal = server.serverFinal(transcript.lastData);
        QVERIFY2(serverFinal.startsWith("v="), serverFinal.constData());
        mechanism.handleSuccess(serverFinal);
        QCOMPARE(transcript.events, events({"started", "response", "succeeded"}));
    }

    void wrongPasswordIsNotAuthorized()
    {
        PasswordMechanism mechanism(QStringLiteral("wrong"));
        Transcript transcript;
        record(mechanism, transcript);
        ScramServer server(ScramAlgorithm::Sha256, "right");
        const QByteArray serverFinal = runToServerFinal(mechanism, transcript, server);
        QCOMPARE(serverFinal, QByteArray("e=invalid-proof"));
        // Servers send e= either as a challenge or as success data; both must fail.
        mechanism.handleChallenge(serverFinal);
        QCOMPARE(transcript.events, events({"started", "response", "failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::NotAuthorized);
    }

    void serverFinalAsChallenge()
    {
        PasswordMechanism mechanism(QStringLiteral("pencil"));
        Transcript transcript;
        record(mechanism, transcript);
        ScramServer server(ScramAlgorithm::Sha256, "pencil");
        const QByteArray serverFinal = runToServerFinal(mechanism, transcript, server);
        mechanism.handleChallenge(serverFinal);
        QCOMPARE(transcript.events, events({"started", "response", "response"}));
        QCOMPARE(transcript.lastData, QByteArray());
        mechanism.handleSuccess({});
        QCOMPARE(transcript.events, events({"started", "response", "response", "succeeded"}));
    }

    void serverFinalAsChallengeRepeatedInSuccess()
    {
        PasswordMechanism mechanism(QStringLiteral("pencil"));
        Transcript transcript;
        record(mechanism, transcript);
        ScramServer server(ScramAlgorithm::Sha256, "pencil");
        const QByteArray serverFinal = runToServerFinal(mechanism, transcript, server);
        mechanism.handleChallenge(serverFinal);
        mechanism.handleSuccess(serverFinal);
        QCOMPARE(transcript.events, events({"started", "response", "response", "succeeded"}));

        // A repeated signature that differs from the verified one is still a forgery.
        PasswordMechanism second(QStringLiteral("pencil"));
        Transcript secondTranscript;
        record(second, secondTranscript);
        ScramServer secondServer(ScramAlgorithm::Sha256, "pencil");
        const QByteArray secondFinal = runToServerFinal(second, secondTranscript, secondServer);
        second.handleChallenge(secondFinal);
        second.handleSuccess("v=" + QByteArray(32, 'x').toBase64());
        QCOMPARE(secondTranscript.events, events({"started", "response", "response", "failed"}));
        QCOMPARE(secondTranscript.error->condition, ErrorCondition::ServerNotVerified);
    }

    void serverFinalAsChallengeWithWrongSignature()
    {
        PasswordMechanism mechanism(QStringLiteral("pencil"));
        Transcript transcript;
        record(mechanism, transcript);
        ScramServer server(ScramAlgorithm::Sha256, "someone else's");
        const QByteArray serverFinal = runToServerFinal(mechanism, transcript, server);
        QVERIFY(serverFinal.startsWith("e="));
        // A forged v= (what a server not knowing the password might send).
        mechanism.handleChallenge("v=" + QByteArray(32, 'x').toBase64());
        QCOMPARE(transcript.events, events({"started", "response", "failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::ServerNotVerified);
    }

    void successWithWrongSignature()
    {
        PasswordMechanism mechanism(QStringLiteral("pencil"));
        Transcript transcript;
        record(mechanism, transcript);
        ScramServer server(ScramAlgorithm::Sha256, "pencil");
        QByteArray serverFinal = runToServerFinal(mechanism, transcript, server);
        QByteArray signature = QByteArray::fromBase64(serverFinal.mid(2));
        signature[5] = char(signature.at(5) ^ 0x40);
        mechanism.handleSuccess("v=" + signature.toBase64());
        QCOMPARE(transcript.events, events({"started", "response", "failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::ServerNotVerified);
    }

    void successWithoutSignatureIsNotTrusted()
    {
        PasswordMechanism mechanism(QStringLiteral("pencil"));
        Transcript transcript;
        record(mechanism, transcript);
        ScramServer server(ScramAlgorithm::Sha256, "pencil");
        runToServerFinal(mechanism, transcript, server);
        mechanism.handleSuccess({});
        QCOMPARE(transcript.events, events({"started", "response", "failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::ServerNotVerified);
    }

    void successBeforeServerFirstIsNotTrusted()
    {
        PasswordMechanism mechanism(QStringLiteral("pencil"));
        Transcript transcript;
        record(mechanism, transcript);
        mechanism.start(contextWith({QStringLiteral("SCRAM-SHA-1")}));
        mechanism.handleSuccess({});
        QCOMPARE(transcript.events, events({"started", "failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::ServerNotVerified);
    }

    void malformedServerFirst()
    {
        PasswordMechanism mechanism(QStringLiteral("pencil"));
        Transcript transcript;
        record(mechanism, transcript);
        mechanism.start(contextWith({QStringLiteral("SCRAM-SHA-1")}));
        mechanism.handleChallenge("s=QSXCR+Q6sek8bf92,i=4096");
        QCOMPARE(transcript.events, events({"started", "failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::ProtocolViolation);
    }

    void challengeAfterVerifiedServerFinal()
    {
        PasswordMechanism mechanism(QStringLiteral("pencil"));
        Transcript transcript;
        record(mechanism, transcript);
        ScramServer server(ScramAlgorithm::Sha256, "pencil");
        const QByteArray serverFinal = runToServerFinal(mechanism, transcript, server);
        mechanism.handleChallenge(serverFinal);
        mechanism.handleChallenge(serverFinal);
        QCOMPARE(transcript.events, events({"started", "response", "response", "failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::ProtocolViolation);
    }

    void invalidCredentialsFailAtStart()
    {
        PasswordMechanism noUser(QStringLiteral("pencil"));
        Transcript first;
        record(noUser, first);
        SaslContext context = contextWith({QStringLiteral("SCRAM-SHA-256")});
        context.username.clear();
        noUser.start(context);
        QCOMPARE(first.events, events({"failed"}));
        QCOMPARE(first.error->condition, ErrorCondition::InvalidInput);

        PasswordMechanism badPassword(QStringLiteral(u"bell\u0007"));
        Transcript second;
        record(badPassword, second);
        badPassword.start(contextWith({QStringLiteral("SCRAM-SHA-256")}));
        QCOMPARE(second.events, events({"failed"}));
        QCOMPARE(second.error->condition, ErrorCondition::InvalidInput);
    }

    void singleUse()
    {
        PasswordMechanism mechanism(QStringLiteral("pencil"));
        Transcript transcript;
        record(mechanism, transcript);
        mechanism.start(contextWith({QStringLiteral("SCRAM-SHA-256")}));
        mechanism.start(contextWith({QStringLiteral("SCRAM-SHA-256")}));
        QCOMPARE(transcript.events, events({"started", "failed"}));
    }

    void failureAndAbortEmitNothing()
    {
        PasswordMechanism failedOne(QStringLiteral("pencil"));
        Transcript first;
        record(failedOne, first);
        failedOne.start(contextWith({QStringLiteral("SCRAM-SHA-256")}));
        failedOne.handleFailure(saslFailureToError(QStringLiteral("not-authorized"), {}));
        QCOMPARE(first.events, events({"started"}));
        // The negotiation is over: a late challenge is an error, not a new exchange.
        failedOne.handleChallenge("r=x,s=QSXCR+Q6sek8bf92,i=1");
        QCOMPARE(first.events, events({"started", "failed"}));

        TokenMechanism aborted(QStringLiteral("token"));
        Transcript second;
        record(aborted, second);
        aborted.start(contextWith({QStringLiteral("OAUTHBEARER")}));
        aborted.abort();
        QCOMPARE(second.events, events({"started"}));
    }

    void tokenPayloads_data()
    {
        QTest::addColumn<QStringList>("offered");
        QTest::addColumn<QString>("preferred");
        QTest::addColumn<QString>("username");
        QTest::addColumn<QString>("expectedMechanism");
        QTest::addColumn<QByteArray>("expectedPayload");

        const QString bearer = QStringLiteral("OAUTHBEARER");
        const QString xoauth = QStringLiteral("X-OAUTH2");
        const QByteArray bearerPayload = "n,a=alice@example.org,\x01"
                                         "auth=Bearer t0k.en\x01\x01";
        const QByteArray xoauthPayload("\0alice\0t0k.en", 13);
        QTest::newRow("OAUTHBEARER by default")
            << QStringList{xoauth, bearer} << QString() << QStringLiteral("alice") << bearer
            << bearerPayload;
        QTest::newRow("X-OAUTH2 when only it is offered")
            << QStringList{QStringLiteral("PLAIN"), xoauth} << QString() << QStringLiteral("alice")
            << xoauth << xoauthPayload;
        QTest::newRow("preferred X-OAUTH2") << QStringList{bearer, xoauth} << xoauth
                                            << QStringLiteral("alice") << xoauth << xoauthPayload;
        QTest::newRow("authzid escaping")
            << QStringList{bearer} << bearer << QStringLiteral("a=b,c") << bearer
            << QByteArray("n,a=a=3Db=2Cc@example.org,\x01"
                          "auth=Bearer t0k.en\x01\x01");
    }

    void tokenPayloads()
    {
        QFETCH(QStringList, offered);
        QFETCH(QString, preferred);
        QFETCH(QString, username);
        QFETCH(QString, expectedMechanism);
        QFETCH(QByteArray, expectedPayload);

        TokenMechanism mechanism(QStringLiteral("t0k.en"), preferred);
        Transcript transcript;
        record(mechanism, transcript);
        SaslContext context = contextWith(offered);
        context.username = username;
        mechanism.start(context);
        QCOMPARE(transcript.events, events({"started"}));
        QCOMPARE(transcript.mechanism, expectedMechanism);
        QCOMPARE(transcript.lastData, expectedPayload);
        mechanism.handleSuccess({});
        QCOMPARE(transcript.events, events({"started", "succeeded"}));
    }

    void tokenNotUsable_data()
    {
        QTest::addColumn<QStringList>("offered");
        QTest::addColumn<QString>("preferred");
        QTest::addColumn<bool>("tls");
        QTest::newRow("not offered")
            << QStringList{QStringLiteral("PLAIN"), QStringLiteral("SCRAM-SHA-1")} << QString()
            << true;
        QTest::newRow("preferred not offered")
            << QStringList{QStringLiteral("OAUTHBEARER")} << QStringLiteral("X-OAUTH2") << true;
        QTest::newRow("preferred is no token mechanism")
            << QStringList{QStringLiteral("PLAIN")} << QStringLiteral("PLAIN") << true;
        QTest::newRow("no TLS") << QStringList{QStringLiteral("OAUTHBEARER")} << QString() << false;
    }

    void tokenNotUsable()
    {
        QFETCH(QStringList, offered);
        QFETCH(QString, preferred);
        QFETCH(bool, tls);
        TokenMechanism mechanism(QStringLiteral("t0k.en"), preferred);
        Transcript transcript;
        record(mechanism, transcript);
        mechanism.start(contextWith(offered, tls));
        QCOMPARE(transcript.events, events({"failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::NoSuitableMechanism);
        QVERIFY(!transcript.error->detail.contains(QStringLiteral("t0k.en")));
    }

    void oauthBearerErrorChallenge()
    {
        TokenMechanism mechanism(QStringLiteral("t0k.en"));
        Transcript transcript;
        record(mechanism, transcript);
        mechanism.start(contextWith({QStringLiteral("OAUTHBEARER")}));
        mechanism.handleChallenge(R"({"status":"invalid_token","scope":"xmpp"})");
        QCOMPARE(transcript.events, events({"started", "response"}));
        QCOMPARE(transcript.lastData, QByteArray("\x01"));
        QCOMPARE(mechanism.serverErrorStatus(), QStringLiteral("invalid_token"));
        mechanism.handleFailure(saslFailureToError(QStringLiteral("not-authorized"), {}));
        QCOMPARE(transcript.events, events({"started", "response"}));
    }

    void oauthBearerSuccessAfterErrorIsViolation()
    {
        TokenMechanism mechanism(QStringLiteral("t0k.en"));
        Transcript transcript;
        record(mechanism, transcript);
        mechanism.start(contextWith({QStringLiteral("OAUTHBEARER")}));
        mechanism.handleChallenge(R"({"status":"invalid_token"})");
        mechanism.handleSuccess({});
        QCOMPARE(transcript.events, events({"started", "response", "failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::ProtocolViolation);
    }

    void xOauth2RejectsChallenges()
    {
        TokenMechanism mechanism(QStringLiteral("t0k.en"));
        Transcript transcript;
        record(mechanism, transcript);
        mechanism.start(contextWith({QStringLiteral("X-OAUTH2")}));
        mechanism.handleChallenge("anything");
        QCOMPARE(transcript.events, events({"started", "failed"}));
        QCOMPARE(transcript.error->condition, ErrorCondition::ProtocolViolation);
    }

    void failureMapping_data()
    {
        QTest::addColumn<QString>("condition");
        QTest::addColumn<ErrorCondition>("expected");
        QTest::newRow("not-authorized")
            << QStringLiteral("not-authorized") << ErrorCondition::NotAuthorized;
        for (const char *name :
             {"aborted", "account-disabled", "credentials-expired", "encryption-required",
              "incorrect-encoding", "invalid-authzid", "invalid-mechanism", "malformed-request",
              "mechanism-too-weak", "temporary-auth-failure", "some-future-condition"}) {
            QTest::newRow(name) << QString::fromLatin1(name) << ErrorCondition::AuthFailed;
        }
    }

    void failureMapping()
    {
        QFETCH(QString, condition);
        QFETCH(ErrorCondition, expected);
        const Error error = saslFailureToError(condition, QStringLiteral("server says no"));
        QCOMPARE(error.condition, expected);
        QCOMPARE(error.protocolCondition, condition);
        QCOMPARE(error.detail, QStringLiteral("server says no"));
        QVERIFY(error.message().contains(condition));
    }
};

QTEST_GUILESS_MAIN(TestSaslMechanism)
#include "tst_saslmechanism.moc"
