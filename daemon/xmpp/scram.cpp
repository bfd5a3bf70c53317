#include "scram.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <algorithm>
#include <array>
#include <cstring>
#include <idn-free.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stringprep.h>

namespace xmpp {

namespace {

constexpr QStringView scramPrefix = u"SCRAM-";
constexpr QStringView plusSuffix = u"-PLUS";
constexpr qsizetype generatedNonceBytes = 24;

QCryptographicHash::Algorithm hashFor(ScramAlgorithm algorithm)
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

QByteArray hmac(const QByteArray &key, const QByteArray &message, ScramAlgorithm algorithm)
{
    return QMessageAuthenticationCode::hash(message, key, hashFor(algorithm));
}

Error malformed(const QString &detail)
{
    return makeError(ErrorCondition::ProtocolViolation, detail);
}

// RFC 5802: printable = %x21-2B / %x2D-7E, i.e. visible ASCII without ','.
bool isPrintableNonce(const QByteArray &nonce)
{
    if (nonce.isEmpty())
        return false;
    for (char c : nonce) {
        if (c < 0x21 || c > 0x7E || c == ',')
            return false;
    }
    return true;
}

// RFC 5056 cb-name: 1*(ALPHA / DIGIT / "." / "-").
bool isValidBindingType(const QString &type)
{
    if (type.isEmpty())
        return false;
    for (QChar c : type) {
        const char16_t u = c.unicode();
        const bool allowed = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') ||
                             (u >= u'0' && u <= u'9') || u == u'.' || u == u'-';
        if (!allowed)
            return false;
    }
    return true;
}

// SASLprep (RFC 4013) through libidn; nullopt when the string has prohibited or
// (for stored strings) unassigned characters.
std::optional<QByteArray> saslPrep(const QString &input, bool storedString)
{
    // libidn takes a NUL-terminated string; an embedded NUL is prohibited anyway.
    if (input.contains(QChar(u'\0')))
        return std::nullopt;
    QByteArray utf8 = input.toUtf8();
    char *prepared = nullptr;
    const auto flags = storedString ? STRINGPREP_NO_UNASSIGNED : Stringprep_profile_flags(0);
    const int rc = stringprep_profile(utf8.constData(), &prepared, "SASLprep", flags);
    wipeSecret(utf8);
    if (rc != STRINGPREP_OK) {
        if (prepared)
            idn_free(prepared);
        return std::nullopt;
    }
    const size_t length = std::strlen(prepared);
    QByteArray result(prepared, qsizetype(length));
    OPENSSL_cleanse(prepared, length);
    idn_free(prepared);
    return result;
}

// RFC 5802 saslname: ',' and '=' would end or confuse the attribute.
QByteArray escapeSaslName(const QByteArray &name)
{
    QByteArray escaped;
    escaped.reserve(name.size());
    for (char c : name) {
        if (c == '=')
            escaped += "=3D";
        else if (c == ',')
            escaped += "=2C";
        else
            escaped += c;
    }
    return escaped;
}

// Splits "a=x,b=y" into attributes. Empty optional when an element is not "letter=".
std::optional<QList<QByteArray>> splitAttributes(const QByteArray &message)
{
    QList<QByteArray> attributes = message.split(',');
    for (const QByteArray &attribute : std::as_const(attributes)) {
        if (attribute.size() < 2 || attribute.at(1) != '=')
            return std::nullopt;
        const char name = attribute.at(0);
        if (!((name >= 'a' && name <= 'z') || (name >= 'A' && name <= 'Z')))
            return std::nullopt;
    }
    return attributes;
}

std::optional<QByteArray> decodeBase64Strict(QByteArrayView encoded)
{
    if (encoded.isEmpty())
        return std::nullopt;
    auto decoded = QByteArray::fromBase64Encoding(encoded.toByteArray(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return decoded.decoded;
}

bool constantTimeEqual(const QByteArray &a, const QByteArray &b)
{
    // The lengths are public (fixed by the hash); only the contents must not leak timing.
    if (a.size() != b.size())
        return false;
    return CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

} // namespace

std::optional<ScramAlgorithm> scramAlgorithmFor(QStringView mechanism)
{
    if (!mechanism.startsWith(scramPrefix, Qt::CaseInsensitive))
        return std::nullopt;
    QStringView hash = mechanism.mid(scramPrefix.size());
    if (hash.endsWith(plusSuffix, Qt::CaseInsensitive))
        hash.chop(plusSuffix.size());
    if (hash.compare(u"SHA-1", Qt::CaseInsensitive) == 0)
        return ScramAlgorithm::Sha1;
    if (hash.compare(u"SHA-256", Qt::CaseInsensitive) == 0)
        return ScramAlgorithm::Sha256;
    if (hash.compare(u"SHA-512", Qt::CaseInsensitive) == 0)
        return ScramAlgorithm::Sha512;
    return std::nullopt;
}

bool isScramPlus(QStringView mechanism)
{
    return scramAlgorithmFor(mechanism).has_value() &&
           mechanism.endsWith(plusSuffix, Qt::CaseInsensitive);
}

QString scramMechanismName(ScramAlgorithm algorithm, bool plus)
{
    QString name;
    switch (algorithm) {
    case ScramAlgorithm::Sha1:
        name = QStringLiteral("SCRAM-SHA-1");
        break;
    case ScramAlgorithm::Sha256:
        name = QStringLiteral("SCRAM-SHA-256");
        break;
    case ScramAlgorithm::Sha512:
        name = QStringLiteral("SCRAM-SHA-512");
        break;
    }
    if (plus)
        name += plusSuffix;
    return name;
}

QByteArray Gs2Header::toBytes() const
{
    switch (flag) {
    case Flag::ClientNotCapable:
        return QByteArrayLiteral("n,,");
    case Flag::ServerNotCapable:
        return QByteArrayLiteral("y,,");
    case Flag::Binding:
        return "p=" + bindingType.toLatin1() + ",,";
    }
    return QByteArrayLiteral("n,,");
}

std::optional<Gs2Header> gs2HeaderFor(QStringView mechanism, const QStringList &offeredMechanisms,
                                      const QList<ChannelBinding> &channelBindings)
{
    const ChannelBinding *usable = nullptr;
    for (const ChannelBinding &binding : channelBindings) {
        if (isValidBindingType(binding.type) && !binding.data.isEmpty()) {
            usable = &binding;
            break;
        }
    }

    if (isScramPlus(mechanism)) {
        if (!usable)
            return std::nullopt;
        return Gs2Header{Gs2Header::Flag::Binding, usable->type, usable->data};
    }

    if (!usable)
        return Gs2Header{};
    const bool serverOffersPlus = std::any_of(offeredMechanisms.cbegin(), offeredMechanisms.cend(),
                                              [](const QString &m) { return isScramPlus(m); });
    if (serverOffersPlus)
        return Gs2Header{};
    return Gs2Header{Gs2Header::Flag::ServerNotCapable, {}, {}};
}

void wipeSecret(QByteArray &secret)
{
    if (!secret.isEmpty() && secret.isDetached())
        OPENSSL_cleanse(secret.data(), size_t(secret.size()));
    secret.clear();
}

void wipeSecret(QString &secret)
{
    if (!secret.isEmpty() && secret.isDetached())
        OPENSSL_cleanse(secret.data(), size_t(secret.size()) * sizeof(QChar));
    secret.clear();
}

ScramClient::ScramClient(ScramAlgorithm algorithm, QString username, QString password,
                         Gs2Header gs2Header, QByteArray clientNonce)
    : m_algorithm(algorithm)
    , m_gs2Header(std::move(gs2Header))
    , m_clientNonce(std::move(clientNonce))
{
    std::optional<QByteArray> preparedPassword = saslPrep(password, true);
    wipeSecret(password);
    std::optional<QByteArray> preparedUsername = saslPrep(username, false);

    if (m_clientNonce.isEmpty()) {
        std::array<quint32, generatedNonceBytes / sizeof(quint32)> random;
        QRandomGenerator::system()->fillRange(random.data(), random.size());
        m_clientNonce =
            QByteArray(reinterpret_cast<const char *>(random.data()), generatedNonceBytes)
                .toBase64();
    }

    if (!preparedUsername || preparedUsername->isEmpty()) {
        m_setupError = makeError(ErrorCondition::InvalidInput,
                                 QStringLiteral("the username is empty or has characters SASLprep "
                                                "does not allow"));
    } else if (!preparedPassword) {
        m_setupError = makeError(ErrorCondition::InvalidInput,
                                 QStringLiteral("the password has characters SASLprep does not "
                                                "allow (control characters, or characters "
                                                "unassigned in Unicode 3.2)"));
    } else if (!isPrintableNonce(m_clientNonce)) {
        m_setupError = makeError(ErrorCondition::InvalidInput,
                                 QStringLiteral("the client nonce must be printable ASCII "
                                                "without ','"));
    } else if (m_gs2Header.flag == Gs2Header::Flag::Binding &&
               (!isValidBindingType(m_gs2Header.bindingType) ||
                m_gs2Header.bindingData.isEmpty())) {
        m_setupError = makeError(ErrorCondition::InvalidInput,
                                 QStringLiteral("channel binding needs a valid type and data"));
    }

    if (m_setupError) {
        if (preparedPassword)
            wipeSecret(*preparedPassword);
        return;
    }
    m_preparedUsername = std::move(*preparedUsername);
    m_preparedPassword = std::move(*preparedPassword);
}

ScramClient::~ScramClient()
{
    wipeSecret(m_preparedPassword);
    wipeSecret(m_expectedServerSignature);
}

Status ScramClient::status() const
{
    if (m_setupError)
        return *m_setupError;
    return success();
}

QByteArray ScramClient::clientFirstMessage() const
{
    if (m_setupError)
        return {};
    return m_gs2Header.toBytes() + "n=" + escapeSaslName(m_preparedUsername) +
           ",r=" + m_clientNonce;
}

Result<QByteArray> ScramClient::clientFinalMessage(const QByteArray &serverFirstMessage)
{
    if (m_setupError)
        return *m_setupError;
    if (!m_expectedServerSignature.isEmpty())
        return malformed(QStringLiteral("the server's first SCRAM message was already answered"));

    const auto attributes = splitAttributes(serverFirstMessage);
    if (!attributes || attributes->isEmpty())
        return malformed(QStringLiteral("the server's first SCRAM message is not a list of "
                                        "attributes"));
    if (attributes->first().startsWith("m="))
        return malformed(QStringLiteral("the server requires a SCRAM extension (m=) this "
                                        "client does not know"));
    if (attributes->size() < 3 || !attributes->at(0).startsWith("r=") ||
        !attributes->at(1).startsWith("s=") || !attributes->at(2).startsWith("i=")) {
        return malformed(QStringLiteral("the server's first SCRAM message lacks r=, s= or i= "
                                        "in that order"));
    }

    const QByteArray nonce = attributes->at(0).mid(2);
    if (!isPrintableNonce(nonce))
        return malformed(QStringLiteral("the server's SCRAM nonce has forbidden characters"));
    // The server must echo our nonce and add its own: otherwise the exchange could be a
    // replay of a recorded one.
    if (nonce.size() <= m_clientNonce.size() || !nonce.startsWith(m_clientNonce))
        return malformed(QStringLiteral("the server's SCRAM nonce does not extend the client's"));

    const std::optional<QByteArray> salt =
        decodeBase64Strict(QByteArrayView(attributes->at(1)).sliced(2));
    if (!salt || salt->isEmpty())
        return malformed(QStringLiteral("the server's SCRAM salt is not valid base64"));

    const QByteArray iterationText = attributes->at(2).mid(2);
    const bool wellFormedCount = !iterationText.isEmpty() && iterationText.size() <= 10 &&
                                 std::all_of(iterationText.cbegin(), iterationText.cend(),
                                             [](char c) { return c >= '0' && c <= '9'; });
    if (!wellFormedCount)
        return malformed(QStringLiteral("the server's SCRAM iteration count is not a number"));
    const qlonglong iterations = iterationText.toLongLong();
    if (iterations < 1)
        return malformed(QStringLiteral("the server's SCRAM iteration count is below 1"));
    if (iterations > maxIterations) {
        return makeError(ErrorCondition::LimitExceeded,
                         QStringLiteral("the server asks for %1 SCRAM iterations, more than the "
                                        "%2 this client allows")
                             .arg(iterations)
                             .arg(maxIterations));
    }

    const QByteArray channelBindingInput = m_gs2Header.flag == Gs2Header::Flag::Binding
                                               ? m_gs2Header.toBytes() + m_gs2Header.bindingData
                                               : m_gs2Header.toBytes();
    const QByteArray finalWithoutProof = "c=" + channelBindingInput.toBase64() + ",r=" + nonce;
    const QByteArray clientFirstBare =
        "n=" + escapeSaslName(m_preparedUsername) + ",r=" + m_clientNonce;
    const QByteArray authMessage =
        clientFirstBare + ',' + serverFirstMessage + ',' + finalWithoutProof;

    const QCryptographicHash::Algorithm hash = hashFor(m_algorithm);
    // OpenSSL's PBKDF2 is about four times faster than QPasswordDigestor's, which hashes
    // byte by byte; the relay's handover waits for this on the phone.
    QByteArray saltedPassword(QCryptographicHash::hashLength(hash), '\0');
    const EVP_MD *digest = hash == QCryptographicHash::Sha1     ? EVP_sha1()
                           : hash == QCryptographicHash::Sha256 ? EVP_sha256()
                                                                : EVP_sha512();
    if (PKCS5_PBKDF2_HMAC(m_preparedPassword.constData(), int(m_preparedPassword.size()),
                          reinterpret_cast<const unsigned char *>(salt->constData()), int(salt->size()),
                          int(iterations), digest, int(saltedPassword.size()),
                          reinterpret_cast<unsigned char *>(saltedPassword.data())) != 1) {
        wipeSecret(m_preparedPassword);
        return makeError(ErrorCondition::InvalidInput, QStringLiteral("the key derivation failed"));
    }
    wipeSecret(m_preparedPassword);

    QByteArray clientKey = hmac(saltedPassword, QByteArrayLiteral("Client Key"), m_algorithm);
    QByteArray serverKey = hmac(saltedPassword, QByteArrayLiteral("Server Key"), m_algorithm);
    wipeSecret(saltedPassword);
    QByteArray storedKey = QCryptographicHash::hash(clientKey, hash);
    QByteArray clientSignature = hmac(storedKey, authMessage, m_algorithm);
    wipeSecret(storedKey);

    QByteArray proof = clientKey;
    for (qsizetype i = 0; i < proof.size(); ++i)
        proof[i] = char(proof.at(i) ^ clientSignature.at(i));
    wipeSecret(clientKey);
    wipeSecret(clientSignature);

    m_expectedServerSignature = hmac(serverKey, authMessage, m_algorithm);
    wipeSecret(serverKey);

    return finalWithoutProof + ",p=" + proof.toBase64();
}

Status ScramClient::verifyServerFinal(const QByteArray &serverFinalMessage) const
{
    if (m_expectedServerSignature.isEmpty())
        return malformed(QStringLiteral("a SCRAM server-final message came before the "
                                        "client's final message"));

    const auto attributes = splitAttributes(serverFinalMessage);
    if (!attributes || attributes->isEmpty())
        return malformed(QStringLiteral("the server's final SCRAM message is not a list of "
                                        "attributes"));
    const QByteArray &first = attributes->first();
    if (first.startsWith("e=")) {
        const QByteArray reason = first.mid(2);
        const bool credentialsRejected = reason == "invalid-proof" || reason == "unknown-user";
        // The reason is a token from RFC 5802's server-error-value list, not a secret;
        // anything outside visible ASCII is dropped rather than echoed to logs.
        QString readable;
        for (char c : reason) {
            if (c >= 0x20 && c < 0x7F)
                readable += QLatin1Char(c);
        }
        return makeError(credentialsRejected ? ErrorCondition::NotAuthorized
                                             : ErrorCondition::AuthFailed,
                         QStringLiteral("the server reported SCRAM error \"%1\"").arg(readable));
    }
    if (!first.startsWith("v="))
        return malformed(QStringLiteral("the server's final SCRAM message has neither v= nor e="));

    const std::optional<QByteArray> signature = decodeBase64Strict(QByteArrayView(first).sliced(2));
    if (!signature)
        return malformed(QStringLiteral("the server's SCRAM signature is not valid base64"));
    if (!constantTimeEqual(*signature, m_expectedServerSignature)) {
        return makeError(ErrorCondition::ServerNotVerified,
                         QStringLiteral("the server's SCRAM signature is wrong"));
    }
    return success();
}

std::optional<QString> strongestScramMechanism(const QStringList &offered, bool canBind,
                                               const std::function<bool(const QString &)> &allowed)
{
    constexpr ScramAlgorithm strongestFirst[] = {ScramAlgorithm::Sha512, ScramAlgorithm::Sha256,
                                                 ScramAlgorithm::Sha1};
    for (bool plus : {true, false}) {
        if (plus && !canBind)
            continue;
        for (ScramAlgorithm candidate : strongestFirst) {
            const QString name = scramMechanismName(candidate, plus);
            if (offered.contains(name, Qt::CaseInsensitive) && allowed(name))
                return name;
        }
    }
    return std::nullopt;
}

} // namespace xmpp
