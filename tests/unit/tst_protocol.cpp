#include "overthewire.h"
#include "protocol.h"
#include "streamparser.h"
#include "xmlwriter.h"

#include <QTest>

using namespace mobility;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(mobility::PairRequest)
Q_DECLARE_METATYPE(mobility::SessionNotice)

namespace {

// Which fromDom() to run on a row of the parser table.
bool parsesAs(const QString &parser, const QDomElement &element)
{
    if (parser == u"pair")
        return PairRequest::fromDom(element).has_value();
    if (parser == u"sasl")
        return SaslOffer::fromDom(element).has_value();
    if (parser == u"auth")
        return SaslAuth::fromDom(element).has_value();
    if (parser == u"payload")
        return SaslPayload::fromDom(element).has_value();
    if (parser == u"failure")
        return SaslFailure::fromDom(element).has_value();
    if (parser == u"sid-only")
        return SidOnly::fromDom(element).has_value();
    if (parser == u"session")
        return SessionNotice::fromDom(element).has_value();
    qFatal("unknown parser in the test table");
}

const QString validToken = QStringLiteral("ABCDEFGHIJKLMNOPQRST");

QString base64Of(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QString repeated(const QString &element, int count)
{
    QString all;
    for (int i = 0; i < count; ++i)
        all += element.arg(i);
    return all;
}

} // namespace

class TestProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sidSyntax_data()
    {
        QTest::addColumn<QString>("sid");
        QTest::addColumn<bool>("valid");
        QTest::newRow("short") << QStringLiteral("s1") << true;
        QTest::newRow("all classes") << QStringLiteral("Az09._-") << true;
        QTest::newRow("64 chars") << QString(64, u'a') << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("65 chars") << QString(65, u'a') << false;
        QTest::newRow("space") << QStringLiteral("s 1") << false;
        QTest::newRow("slash") << QStringLiteral("s/1") << false;
        QTest::newRow("non-ascii") << QStringLiteral("s\u00e9") << false;
    }
    void sidSyntax()
    {
        QFETCH(QString, sid);
        QFETCH(bool, valid);
        QCOMPARE(isValidSid(sid), valid);
    }

    void payloadEncoding()
    {
        QCOMPARE(encodePayload(QByteArray()), QStringLiteral("="));
        QCOMPARE(decodePayload(u"="), std::optional<QByteArray>(QByteArray()));
        QByteArray everyByte;
        for (int i = 0; i < 256; ++i)
            everyByte.append(char(i));
        QCOMPARE(decodePayload(encodePayload(everyByte)), std::optional<QByteArray>(everyByte));
        QCOMPARE(encodePayload("n,,n=user"), QStringLiteral("biwsbj11c2Vy"));
        QCOMPARE(decodePayload(u"biwsbj11c2Vy"), std::optional<QByteArray>("n,,n=user"));
    }

    void rejectsMalformedBase64_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("space") << QStringLiteral(" ");
        QTest::newRow("no padding") << QStringLiteral("YQ");
        QTest::newRow("short padding") << QStringLiteral("YQ=");
        QTest::newRow("three pads") << QStringLiteral("Y===");
        QTest::newRow("only pads") << QStringLiteral("====");
        QTest::newRow("non-canonical") << QStringLiteral("YR==");
        QTest::newRow("line break") << QStringLiteral("YQ==\n");
        QTest::newRow("inner space") << QStringLiteral("YW Jj");
        QTest::newRow("padding inside") << QStringLiteral("YQ==YQ==");
        QTest::newRow("url alphabet") << QStringLiteral("-_-_");
        QTest::newRow("not ascii") << QStringLiteral("YW\u00e9j");
    }
    void rejectsMalformedBase64()
    {
        QFETCH(QString, text);
        QVERIFY(!decodePayload(text));
    }

    void mechanismNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("scram") << QStringLiteral("SCRAM-SHA-256-PLUS") << true;
        QTest::newRow("underscore") << QStringLiteral("X_Y") << true;
        QTest::newRow("20 chars") << QString(20, u'A') << true;
        QTest::newRow("21 chars") << QString(21, u'A') << false;
        QTest::newRow("lower case") << QStringLiteral("scram-sha-1") << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("space") << QStringLiteral("SCRAM SHA") << false;
    }
    void mechanismNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isValidMechanismName(name), valid);
    }

    void pairRequestRoundTrips_data()
    {
        QTest::addColumn<PairRequest>("request");
        QTest::newRow("relay") << PairRequest{QStringLiteral("s1"), validToken,
                                              PairRequest::Method::SaslRelay, {}, {}};
        QTest::newRow("x-oauth2") << PairRequest{QStringLiteral("a.B_c-9"), validToken.toLower(),
                                                 PairRequest::Method::Token, QStringLiteral("X-OAUTH2"),
                                                 QByteArray("eyJhbGciOi.J9-_~+/=")};
        QTest::newRow("oauthbearer") << PairRequest{QStringLiteral("s2"), QStringLiteral("A2"),
                                                    PairRequest::Method::Token,
                                                    QStringLiteral("OAUTHBEARER"),
                                                    QByteArray(PairRequest::maxTokenBytes, 'x')};
    }
    void pairRequestRoundTrips()
    {
        QFETCH(PairRequest, request);
        const auto parsed = PairRequest::fromDom(overTheWire(request));
        QVERIFY(parsed);
        QCOMPARE(parsed->sid, request.sid);
        QCOMPARE(parsed->token, request.token);
        QCOMPARE(parsed->method, request.method);
        QCOMPARE(parsed->tokenMechanism, request.tokenMechanism);
        QCOMPARE(parsed->oauthToken, request.oauthToken);
    }

    void saslOfferRoundTrips()
    {
        SaslOffer offer;
        offer.sid = QStringLiteral("s1");
        offer.mechanisms = {QStringLiteral("SCRAM-SHA-256-PLUS"), QStringLiteral("SCRAM-SHA-1"),
                            QStringLiteral("PLAIN")};
        offer.channelBindings = {{QStringLiteral("tls-unique"), QByteArray("\x01\x02\xff", 3)},
                                 {QStringLiteral("tls-exporter"), QByteArray(32, '\x7f')}};
        const auto parsed = SaslOffer::fromDom(overTheWire(offer));
        QVERIFY(parsed);
        QCOMPARE(parsed->sid, offer.sid);
        QCOMPARE(parsed->mechanisms, offer.mechanisms);
        QCOMPARE(parsed->channelBindings.size(), 2);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(parsed->channelBindings[i].type, offer.channelBindings[i].type);
            QCOMPARE(parsed->channelBindings[i].data, offer.channelBindings[i].data);
        }

        SaslOffer withoutBindings{QStringLiteral("s9"), {QStringLiteral("SCRAM-SHA-1")}, {}};
        const auto plain = SaslOffer::fromDom(overTheWire(withoutBindings));
        QVERIFY(plain);
        QVERIFY(plain->channelBindings.isEmpty());
    }

    void saslAuthRoundTrips_data()
    {
        QTest::addColumn<QByteArray>("initialResponse");
        QTest::newRow("scram") << QByteArray("n,,n=alice,r=abc");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("largest") << QByteArray(SaslPayload::maxBytes, '\0');
    }
    void saslAuthRoundTrips()
    {
        QFETCH(QByteArray, initialResponse);
        const SaslAuth auth{QStringLiteral("s1"), QStringLiteral("SCRAM-SHA-1"), initialResponse};
        const auto parsed = SaslAuth::fromDom(overTheWire(auth));
        QVERIFY(parsed);
        QCOMPARE(parsed->sid, auth.sid);
        QCOMPARE(parsed->mechanism, auth.mechanism);
        QCOMPARE(parsed->initialResponse, initialResponse);
    }

    void saslPayloadRoundTrips_data()
    {
        QTest::addColumn<SaslPayload::Kind>("kind");
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("elementName");
        QTest::newRow("challenge") << SaslPayload::Kind::Challenge << QByteArray("r=abc,s=c2FsdA==,i=4096") << QStringLiteral("challenge");
        QTest::newRow("response") << SaslPayload::Kind::Response << QByteArray("c=biws,r=abc,p=xyz") << QStringLiteral("response");
        QTest::newRow("success") << SaslPayload::Kind::Success << QByteArray("v=abc") << QStringLiteral("success");
        QTest::newRow("empty response") << SaslPayload::Kind::Response << QByteArray() << QStringLiteral("response");
        QTest::newRow("binary") << SaslPayload::Kind::Challenge << QByteArray("\0\x01\xfe\xff", 4) << QStringLiteral("challenge");
    }
    void saslPayloadRoundTrips()
    {
        QFETCH(SaslPayload::Kind, kind);
        QFETCH(QByteArray, data);
        QFETCH(QString, elementName);
        const SaslPayload payload{kind, QStringLiteral("s1"), data};
        const QDomElement element = overTheWire(payload);
        QCOMPARE(mobilityElementName(element), elementName);
        const auto parsed = SaslPayload::fromDom(element);
        QVERIFY(parsed);
        QCOMPARE(parsed->kind, kind);
        QCOMPARE(parsed->sid, payload.sid);
        QCOMPARE(parsed->data, data);
    }

    void saslFailureRoundTrips_data()
    {
        QTest::addColumn<QString>("condition");
        for (const char *condition : {"aborted", "account-disabled", "credentials-expired",
                                      "encryption-required", "incorrect-encoding", "invalid-authzid",
                                      "invalid-mechanism", "malformed-request", "mechanism-too-weak",
                                      "not-authorized", "temporary-auth-failure"})
            QTest::newRow(condition) << QString::fromLatin1(condition);
    }
    void saslFailureRoundTrips()
    {
        QFETCH(QString, condition);
        const SaslFailure failure{QStringLiteral("s1"), condition};
        const auto parsed = SaslFailure::fromDom(overTheWire(failure));
        QVERIFY(parsed);
        QCOMPARE(parsed->sid, failure.sid);
        QCOMPARE(parsed->condition, condition);
    }

    void sidOnlyRoundTrips_data()
    {
        QTest::addColumn<SidOnly::Kind>("kind");
        QTest::addColumn<QString>("elementName");
        QTest::newRow("abort") << SidOnly::Kind::Abort << QStringLiteral("abort");
        QTest::newRow("end") << SidOnly::Kind::End << QStringLiteral("end");
    }
    void sidOnlyRoundTrips()
    {
        QFETCH(SidOnly::Kind, kind);
        QFETCH(QString, elementName);
        const QDomElement element = overTheWire(SidOnly{kind, QStringLiteral("s1")});
        QCOMPARE(mobilityElementName(element), elementName);
        const auto parsed = SidOnly::fromDom(element);
        QVERIFY(parsed);
        QCOMPARE(parsed->kind, kind);
        QCOMPARE(parsed->sid, QStringLiteral("s1"));
    }

    void sessionNoticeRoundTrips_data()
    {
        using State = SessionNotice::State;
        using Reason = SessionNotice::Reason;
        QTest::addColumn<SessionNotice>("notice");
        QTest::addColumn<QString>("stateName");
        QTest::addColumn<QString>("reasonName");
        const QString jid = QStringLiteral("alice@example.org/kiosk-lobby-3f9a");
        QTest::newRow("connecting") << SessionNotice{QStringLiteral("s1"), {}, State::Connecting, Reason::None} << QStringLiteral("connecting") << QString();
        QTest::newRow("authenticating") << SessionNotice{QStringLiteral("s1"), {}, State::Authenticating, Reason::None} << QStringLiteral("authenticating") << QString();
        QTest::newRow("active") << SessionNotice{QStringLiteral("s1"), jid, State::Active, Reason::None} << QStringLiteral("active") << QString();
        QTest::newRow("ended bare") << SessionNotice{QStringLiteral("s1"), {}, State::Ended, Reason::None} << QStringLiteral("ended") << QString();
        const std::pair<Reason, const char *> reasons[] = {
            {Reason::Phone, "phone"}, {Reason::User, "user"}, {Reason::Idle, "idle"},
            {Reason::PhoneOffline, "phone-offline"}, {Reason::AuthFailed, "auth-failed"},
            {Reason::Error, "error"}, {Reason::Shutdown, "shutdown"}};
        for (const auto &[reason, name] : reasons) {
            QTest::addRow("ended %s", name) << SessionNotice{QStringLiteral("s1"), jid, State::Ended, reason}
                                            << QStringLiteral("ended") << QString::fromLatin1(name);
        }
    }
    void sessionNoticeRoundTrips()
    {
        QFETCH(SessionNotice, notice);
        QFETCH(QString, stateName);
        QFETCH(QString, reasonName);
        const QDomElement element = overTheWire(notice);
        QCOMPARE(element.attribute(QStringLiteral("state")), stateName);
        QCOMPARE(element.attribute(QStringLiteral("reason")), reasonName);
        QCOMPARE(SessionNotice::stateName(notice.state), stateName);
        QCOMPARE(SessionNotice::reasonName(notice.reason), reasonName);
        const auto parsed = SessionNotice::fromDom(element);
        QVERIFY(parsed);
        QCOMPARE(parsed->sid, notice.sid);
        QCOMPARE(parsed->jid, notice.jid);
        QCOMPARE(parsed->state, notice.state);
        QCOMPARE(parsed->reason, notice.reason);
    }

    // The protocol text's own examples, as another implementation would write them.
    void parsesTheProtocolExamples()
    {
        const auto pair = PairRequest::fromDom(receive(QStringLiteral(
            "<pair xmlns='urn:kioskd:mobility:0' sid='s1' token='TOKEN'><auth method='sasl-relay'/></pair>")));
        QVERIFY(pair);
        QCOMPARE(pair->token, QStringLiteral("TOKEN"));
        const auto offer = SaslOffer::fromDom(receive(QStringLiteral(
            "<sasl xmlns='urn:kioskd:mobility:0' sid='s1'>\n"
            "  <mechanism>SCRAM-SHA-256-PLUS</mechanism>\n  <mechanism>SCRAM-SHA-256</mechanism>\n"
            "  <mechanism>SCRAM-SHA-1</mechanism>\n  <mechanism>PLAIN</mechanism>\n"
            "  <channel-binding type='tls-unique'>AAEC</channel-binding>\n</sasl>")));
        QVERIFY(offer);
        QCOMPARE(offer->mechanisms.size(), 4);
        QCOMPARE(offer->channelBindings.first().data, QByteArray("\0\1\2", 3));
        const auto session = SessionNotice::fromDom(receive(QStringLiteral(
            "<session xmlns='urn:kioskd:mobility:0' sid='s1' jid='alice@example.org/kiosk-lobby-3f9a' state='active'/>")));
        QVERIFY(session);
        QCOMPARE(session->state, SessionNotice::State::Active);
        // A prefix instead of a default namespace is the same element.
        const auto prefixed = SidOnly::fromDom(receive(QStringLiteral("<m:end xmlns:m='urn:kioskd:mobility:0' sid='s1'/>")));
        QVERIFY(prefixed);
        QCOMPARE(prefixed->kind, SidOnly::Kind::End);
    }

    // Each row is a valid message with one thing changed; the valid originals are rows too,
    // so a parser that refuses everything fails here.
    void parsesOnlyWhatTheProtocolAllows_data()
    {
        QTest::addColumn<QString>("parser");
        QTest::addColumn<QString>("xml");
        QTest::addColumn<bool>("accepted");

        const QString m = QStringLiteral("xmlns='urn:kioskd:mobility:0'");
        const auto pair = [&](const QString &attributes, const QString &children) {
            return QStringLiteral("<pair %1 %2>%3</pair>").arg(m, attributes, children);
        };
        const QString sidToken = QStringLiteral("sid='s1' token='%1'").arg(validToken);
        const QString relay = QStringLiteral("<auth method='sasl-relay'/>");
        const auto tokenAuth = [](const QString &mechanism, const QString &content) {
            return QStringLiteral("<auth method='token' mechanism='%1'>%2</auth>").arg(mechanism, content);
        };
        const QString token = base64Of("abc.def-ghi");

        QTest::newRow("pair: valid relay") << u"pair"_s << pair(sidToken, relay) << true;
        QTest::newRow("pair: valid token") << u"pair"_s << pair(sidToken, tokenAuth(QStringLiteral("X-OAUTH2"), token)) << true;
        QTest::newRow("pair: lower-case token") << u"pair"_s << pair(QStringLiteral("sid='s1' token='abcdefgh234567'"), relay) << true;
        QTest::newRow("pair: wrong namespace") << u"pair"_s << QStringLiteral("<pair xmlns='urn:kioskd:mobility:1' %1>%2</pair>").arg(sidToken, relay) << false;
        QTest::newRow("pair: no namespace") << u"pair"_s << QStringLiteral("<pair %1>%2</pair>").arg(sidToken, relay) << false;
        QTest::newRow("pair: other element") << u"pair"_s << QStringLiteral("<pairing %1 %2>%3</pairing>").arg(m, sidToken, relay) << false;
        QTest::newRow("pair: no sid") << u"pair"_s << pair(QStringLiteral("token='%1'").arg(validToken), relay) << false;
        QTest::newRow("pair: empty sid") << u"pair"_s << pair(QStringLiteral("sid='' token='%1'").arg(validToken), relay) << false;
        QTest::newRow("pair: long sid") << u"pair"_s << pair(QStringLiteral("sid='%1' token='%2'").arg(QString(65, u's'), validToken), relay) << false;
        QTest::newRow("pair: bad sid") << u"pair"_s << pair(QStringLiteral("sid='s 1' token='%1'").arg(validToken), relay) << false;
        QTest::newRow("pair: no token") << u"pair"_s << pair(QStringLiteral("sid='s1'"), relay) << false;
        QTest::newRow("pair: token not base32") << u"pair"_s << pair(QStringLiteral("sid='s1' token='ABC1'"), relay) << false;
        QTest::newRow("pair: token padded") << u"pair"_s << pair(QStringLiteral("sid='s1' token='ABCD===='"), relay) << false;
        QTest::newRow("pair: token too long") << u"pair"_s << pair(QStringLiteral("sid='s1' token='%1'").arg(QString(129, u'A')), relay) << false;
        QTest::newRow("pair: no auth") << u"pair"_s << pair(sidToken, QString()) << false;
        QTest::newRow("pair: two auths") << u"pair"_s << pair(sidToken, relay + relay) << false;
        QTest::newRow("pair: extra child") << u"pair"_s << pair(sidToken, relay + QStringLiteral("<x/>")) << false;
        QTest::newRow("pair: text") << u"pair"_s << pair(sidToken, relay + QStringLiteral("hello")) << false;
        QTest::newRow("pair: auth elsewhere") << u"pair"_s << pair(sidToken, QStringLiteral("<auth xmlns='urn:other' method='sasl-relay'/>")) << false;
        QTest::newRow("pair: unknown method") << u"pair"_s << pair(sidToken, QStringLiteral("<auth method='password'/>")) << false;
        QTest::newRow("pair: no method") << u"pair"_s << pair(sidToken, QStringLiteral("<auth/>")) << false;
        QTest::newRow("pair: relay with mechanism") << u"pair"_s << pair(sidToken, QStringLiteral("<auth method='sasl-relay' mechanism='X-OAUTH2'/>")) << false;
        QTest::newRow("pair: relay with data") << u"pair"_s << pair(sidToken, QStringLiteral("<auth method='sasl-relay'>%1</auth>").arg(token)) << false;
        QTest::newRow("pair: token without mechanism") << u"pair"_s << pair(sidToken, QStringLiteral("<auth method='token'>%1</auth>").arg(token)) << false;
        QTest::newRow("pair: token via PLAIN") << u"pair"_s << pair(sidToken, tokenAuth(QStringLiteral("PLAIN"), token)) << false;
        QTest::newRow("pair: token lower-case mechanism") << u"pair"_s << pair(sidToken, tokenAuth(QStringLiteral("x-oauth2"), token)) << false;
        QTest::newRow("pair: empty token") << u"pair"_s << pair(sidToken, tokenAuth(QStringLiteral("X-OAUTH2"), QStringLiteral("="))) << false;
        QTest::newRow("pair: missing token") << u"pair"_s << pair(sidToken, tokenAuth(QStringLiteral("X-OAUTH2"), QString())) << false;
        QTest::newRow("pair: token bad base64") << u"pair"_s << pair(sidToken, tokenAuth(QStringLiteral("X-OAUTH2"), QStringLiteral("dG9rZW4"))) << false;
        QTest::newRow("pair: token non-canonical") << u"pair"_s << pair(sidToken, tokenAuth(QStringLiteral("X-OAUTH2"), QStringLiteral("dG9rZW5="))) << false;
        QTest::newRow("pair: token with NUL") << u"pair"_s << pair(sidToken, tokenAuth(QStringLiteral("X-OAUTH2"), base64Of(QByteArray("a\0b", 3)))) << false;
        QTest::newRow("pair: token too large") << u"pair"_s << pair(sidToken, tokenAuth(QStringLiteral("X-OAUTH2"), base64Of(QByteArray(PairRequest::maxTokenBytes + 1, 'x')))) << false;

        const auto sasl = [&](const QString &children) {
            return QStringLiteral("<sasl %1 sid='s1'>%2</sasl>").arg(m, children);
        };
        const QString scram = QStringLiteral("<mechanism>SCRAM-SHA-1</mechanism>");
        const auto binding = [](const QString &type, const QString &data) {
            return QStringLiteral("<channel-binding type='%1'>%2</channel-binding>").arg(type, data);
        };
        const QString tlsUnique = binding(QStringLiteral("tls-unique"), base64Of("0123456789ab"));
        QTest::newRow("sasl: valid") << u"sasl"_s << sasl(scram + tlsUnique) << true;
        QTest::newRow("sasl: 64 mechanisms") << u"sasl"_s << sasl(repeated(QStringLiteral("<mechanism>M%1</mechanism>"), 64)) << true;
        QTest::newRow("sasl: 8 bindings") << u"sasl"_s << sasl(scram + repeated(binding(QStringLiteral("t%1"), QStringLiteral("AAAA")), 8)) << true;
        QTest::newRow("sasl: wrong namespace") << u"sasl"_s << QStringLiteral("<sasl xmlns='urn:ietf:params:xml:ns:xmpp-sasl' sid='s1'>%1</sasl>").arg(scram) << false;
        QTest::newRow("sasl: no sid") << u"sasl"_s << QStringLiteral("<sasl %1>%2</sasl>").arg(m, scram) << false;
        QTest::newRow("sasl: no mechanism") << u"sasl"_s << sasl(tlsUnique) << false;
        QTest::newRow("sasl: 65 mechanisms") << u"sasl"_s << sasl(repeated(QStringLiteral("<mechanism>M%1</mechanism>"), 65)) << false;
        QTest::newRow("sasl: lower-case mechanism") << u"sasl"_s << sasl(QStringLiteral("<mechanism>scram-sha-1</mechanism>")) << false;
        QTest::newRow("sasl: padded mechanism") << u"sasl"_s << sasl(QStringLiteral("<mechanism> SCRAM-SHA-1 </mechanism>")) << false;
        QTest::newRow("sasl: empty mechanism") << u"sasl"_s << sasl(QStringLiteral("<mechanism/>")) << false;
        QTest::newRow("sasl: long mechanism") << u"sasl"_s << sasl(QStringLiteral("<mechanism>%1</mechanism>").arg(QString(21, u'A'))) << false;
        QTest::newRow("sasl: mechanism with child") << u"sasl"_s << sasl(QStringLiteral("<mechanism><b/>PLAIN</mechanism>")) << false;
        QTest::newRow("sasl: binding without type") << u"sasl"_s << sasl(scram + QStringLiteral("<channel-binding>AAAA</channel-binding>")) << false;
        QTest::newRow("sasl: binding type with space") << u"sasl"_s << sasl(scram + binding(QStringLiteral("tls unique"), QStringLiteral("AAAA"))) << false;
        QTest::newRow("sasl: binding without data") << u"sasl"_s << sasl(scram + binding(QStringLiteral("tls-unique"), QStringLiteral("="))) << false;
        QTest::newRow("sasl: binding bad base64") << u"sasl"_s << sasl(scram + binding(QStringLiteral("tls-unique"), QStringLiteral("AA*A"))) << false;
        QTest::newRow("sasl: binding twice") << u"sasl"_s << sasl(scram + tlsUnique + tlsUnique) << false;
        QTest::newRow("sasl: 9 bindings") << u"sasl"_s << sasl(scram + repeated(binding(QStringLiteral("t%1"), QStringLiteral("AAAA")), 9)) << false;
        QTest::newRow("sasl: binding too large") << u"sasl"_s << sasl(scram + binding(QStringLiteral("tls-unique"), base64Of(QByteArray(SaslOffer::maxChannelBindingBytes + 1, 'b')))) << false;
        QTest::newRow("sasl: unknown child") << u"sasl"_s << sasl(scram + QStringLiteral("<hint/>")) << false;
        QTest::newRow("sasl: text") << u"sasl"_s << sasl(scram + QStringLiteral("PLAIN")) << false;

        const auto auth = [&](const QString &attributes, const QString &content) {
            return QStringLiteral("<auth %1 %2>%3</auth>").arg(m, attributes, content);
        };
        const QString sidMechanism = QStringLiteral("sid='s1' mechanism='SCRAM-SHA-1'");
        QTest::newRow("auth: valid") << u"auth"_s << auth(sidMechanism, base64Of("n,,n=alice,r=x")) << true;
        QTest::newRow("auth: empty response") << u"auth"_s << auth(sidMechanism, QStringLiteral("=")) << true;
        QTest::newRow("auth: no sid") << u"auth"_s << auth(QStringLiteral("mechanism='SCRAM-SHA-1'"), QStringLiteral("=")) << false;
        QTest::newRow("auth: no mechanism") << u"auth"_s << auth(QStringLiteral("sid='s1'"), QStringLiteral("=")) << false;
        QTest::newRow("auth: bad mechanism") << u"auth"_s << auth(QStringLiteral("sid='s1' mechanism='scram'"), QStringLiteral("=")) << false;
        QTest::newRow("auth: no response") << u"auth"_s << auth(sidMechanism, QString()) << false;
        QTest::newRow("auth: bad base64") << u"auth"_s << auth(sidMechanism, QStringLiteral("n,,n=alice")) << false;
        QTest::newRow("auth: too large") << u"auth"_s << auth(sidMechanism, base64Of(QByteArray(SaslPayload::maxBytes + 1, 'a'))) << false;
        QTest::newRow("auth: child") << u"auth"_s << auth(sidMechanism, QStringLiteral("<x/>")) << false;
        QTest::newRow("auth: sasl namespace") << u"auth"_s << QStringLiteral("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' %1>=</auth>").arg(sidMechanism) << false;

        const auto payload = [&](const QString &name, const QString &attributes, const QString &content) {
            return QStringLiteral("<%1 %2 %3>%4</%1>").arg(name, m, attributes, content);
        };
        const QString sid = QStringLiteral("sid='s1'");
        const QString data = base64Of("r=abc,s=QSXCR+Q6sek8bf92,i=4096");
        QTest::newRow("payload: valid challenge") << u"payload"_s << payload(QStringLiteral("challenge"), sid, data) << true;
        QTest::newRow("payload: valid response") << u"payload"_s << payload(QStringLiteral("response"), sid, QStringLiteral("=")) << true;
        QTest::newRow("payload: valid success") << u"payload"_s << payload(QStringLiteral("success"), sid, data) << true;
        QTest::newRow("payload: largest") << u"payload"_s << payload(QStringLiteral("challenge"), sid, base64Of(QByteArray(SaslPayload::maxBytes, 'a'))) << true;
        QTest::newRow("payload: unknown element") << u"payload"_s << payload(QStringLiteral("chalenge"), sid, data) << false;
        QTest::newRow("payload: failure is not one") << u"payload"_s << payload(QStringLiteral("failure"), sid, data) << false;
        QTest::newRow("payload: no sid") << u"payload"_s << payload(QStringLiteral("challenge"), QString(), data) << false;
        QTest::newRow("payload: bad sid") << u"payload"_s << payload(QStringLiteral("challenge"), QStringLiteral("sid='a/b'"), data) << false;
        QTest::newRow("payload: no data") << u"payload"_s << payload(QStringLiteral("success"), sid, QString()) << false;
        QTest::newRow("payload: bad base64") << u"payload"_s << payload(QStringLiteral("challenge"), sid, QStringLiteral("r=abc")) << false;
        QTest::newRow("payload: too large") << u"payload"_s << payload(QStringLiteral("challenge"), sid, base64Of(QByteArray(SaslPayload::maxBytes + 1, 'a'))) << false;
        QTest::newRow("payload: wrong namespace") << u"payload"_s << QStringLiteral("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl' sid='s1'>%1</challenge>").arg(data) << false;

        const auto failure = [&](const QString &children) {
            return QStringLiteral("<failure %1 sid='s1'>%2</failure>").arg(m, children);
        };
        QTest::newRow("failure: valid") << u"failure"_s << failure(QStringLiteral("<not-authorized/>")) << true;
        QTest::newRow("failure: no condition") << u"failure"_s << failure(QString()) << false;
        QTest::newRow("failure: unknown condition") << u"failure"_s << failure(QStringLiteral("<bad-password/>")) << false;
        QTest::newRow("failure: stanza condition") << u"failure"_s << failure(QStringLiteral("<item-not-found/>")) << false;
        QTest::newRow("failure: two conditions") << u"failure"_s << failure(QStringLiteral("<aborted/><not-authorized/>")) << false;
        QTest::newRow("failure: condition with text") << u"failure"_s << failure(QStringLiteral("<not-authorized>no</not-authorized>")) << false;
        QTest::newRow("failure: condition elsewhere") << u"failure"_s << failure(QStringLiteral("<not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")) << false;
        QTest::newRow("failure: no sid") << u"failure"_s << QStringLiteral("<failure %1><aborted/></failure>").arg(m) << false;

        QTest::newRow("sid-only: valid abort") << u"sid-only"_s << QStringLiteral("<abort %1 sid='s1'/>").arg(m) << true;
        QTest::newRow("sid-only: valid end") << u"sid-only"_s << QStringLiteral("<end %1 sid='s1'/>").arg(m) << true;
        QTest::newRow("sid-only: unknown") << u"sid-only"_s << QStringLiteral("<stop %1 sid='s1'/>").arg(m) << false;
        QTest::newRow("sid-only: no sid") << u"sid-only"_s << QStringLiteral("<end %1/>").arg(m) << false;
        QTest::newRow("sid-only: bad sid") << u"sid-only"_s << QStringLiteral("<end %1 sid='%2'/>").arg(m, QString(65, u'x')) << false;
        QTest::newRow("sid-only: text") << u"sid-only"_s << QStringLiteral("<end %1 sid='s1'>now</end>").arg(m) << false;
        QTest::newRow("sid-only: child") << u"sid-only"_s << QStringLiteral("<abort %1 sid='s1'><reason/></abort>").arg(m) << false;
        QTest::newRow("sid-only: wrong namespace") << u"sid-only"_s << QStringLiteral("<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl' sid='s1'/>") << false;

        const auto session = [&](const QString &attributes) {
            return QStringLiteral("<session %1 sid='s1' %2/>").arg(m, attributes);
        };
        const QString jid = QStringLiteral("jid='alice@example.org/kiosk-1'");
        QTest::newRow("session: valid active") << u"session"_s << session(jid + QStringLiteral(" state='active'")) << true;
        QTest::newRow("session: valid ended") << u"session"_s << session(QStringLiteral("state='ended' reason='idle'")) << true;
        QTest::newRow("session: valid connecting") << u"session"_s << session(QStringLiteral("state='connecting'")) << true;
        QTest::newRow("session: no state") << u"session"_s << session(jid) << false;
        QTest::newRow("session: unknown state") << u"session"_s << session(QStringLiteral("state='paused'")) << false;
        QTest::newRow("session: upper-case state") << u"session"_s << session(QStringLiteral("state='ENDED'")) << false;
        QTest::newRow("session: active without jid") << u"session"_s << session(QStringLiteral("state='active'")) << false;
        QTest::newRow("session: invalid jid") << u"session"_s << session(QStringLiteral("jid='@x/y' state='active'")) << false;
        QTest::newRow("session: bare jid") << u"session"_s << session(QStringLiteral("jid='alice@example.org' state='active'")) << false;
        QTest::newRow("session: reason when active") << u"session"_s << session(jid + QStringLiteral(" state='active' reason='user'")) << false;
        QTest::newRow("session: unknown reason") << u"session"_s << session(QStringLiteral("state='ended' reason='bored'")) << false;
        QTest::newRow("session: empty reason") << u"session"_s << session(QStringLiteral("state='ended' reason=''")) << false;
        QTest::newRow("session: no sid") << u"session"_s << QStringLiteral("<session %1 state='ended'/>").arg(m) << false;
        QTest::newRow("session: child") << u"session"_s << QStringLiteral("<session %1 sid='s1' state='ended'><x/></session>").arg(m) << false;
    }
    void parsesOnlyWhatTheProtocolAllows()
    {
        QFETCH(QString, parser);
        QFETCH(QString, xml);
        QFETCH(bool, accepted);
        const QDomElement element = receive(xml);
        QVERIFY2(!element.isNull(), "the test's XML is not well-formed");
        QCOMPARE(parsesAs(parser, element), accepted);
    }

    void elementNames()
    {
        QCOMPARE(mobilityElementName(receive(QStringLiteral("<view xmlns='urn:kioskd:mobility:0' sid='s1'/>"))), QStringLiteral("view"));
        QCOMPARE(mobilityElementName(receive(QStringLiteral("<query xmlns='jabber:iq:version'/>"))), QString());
        QCOMPARE(mobilityElementName(QDomElement()), QString());
    }

    // Callers may assemble a message with createElement(): children without a namespace
    // inherit the parent's on the wire, so they are accepted in memory too.
    void acceptsChildrenBuiltWithoutNamespace()
    {
        QDomDocument document;
        QDomElement sasl = document.createElementNS(ns, QStringLiteral("sasl"));
        sasl.setAttribute(QStringLiteral("sid"), QStringLiteral("s1"));
        QDomElement mechanism = document.createElement(QStringLiteral("mechanism"));
        mechanism.appendChild(document.createTextNode(QStringLiteral("SCRAM-SHA-1")));
        sasl.appendChild(mechanism);
        const auto offer = SaslOffer::fromDom(sasl);
        QVERIFY(offer);
        QCOMPARE(offer->mechanisms, QStringList{QStringLiteral("SCRAM-SHA-1")});
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
