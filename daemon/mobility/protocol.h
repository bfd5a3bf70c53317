#pragma once

// The session-mobility protocol's messages (docs/protocol.md, namespace
// urn:kioskd:mobility:0) as value types. Each has fromDom(), which takes the payload
// element (the child of the <iq/>) and returns std::nullopt for anything the protocol
// does not allow, and toDom(), which builds it in the given document.

#include "error.h"
#include "jid.h"
#include "sasl.h"

#include <QByteArray>
#include <QDomDocument>
#include <QDomElement>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace mobility {

inline const QString ns = QStringLiteral("urn:kioskd:mobility:0");

// 1-64 characters of [A-Za-z0-9._-].
bool isValidSid(QStringView sid);

// Base64 as the protocol writes it: RFC 4648 without line breaks, "=" for empty data.
QString encodePayload(const QByteArray &data);
std::optional<QByteArray> decodePayload(QStringView text);

// A SASL mechanism name as RFC 4422 section 3.1 defines it: 1-20 characters of
// [A-Z0-9_-].
bool isValidMechanismName(QStringView name);

// Phone -> display: <pair sid token><auth method .../></pair>
struct PairRequest
{
    enum class Method { SaslRelay, Token };

    QString sid;
    QString token;
    Method method = Method::SaslRelay;
    QString tokenMechanism; // Token: X-OAUTH2 or OAUTHBEARER
    QByteArray oauthToken;  // Token: the raw token (decoded)

    static std::optional<PairRequest> fromDom(const QDomElement &pair);
    QDomElement toDom(QDomDocument &document) const;

    static constexpr qsizetype maxTokenBytes = 8192;
    // The pairing token: base32 (RFC 4648 alphabet, either case, no padding).
    static constexpr qsizetype maxPairingTokenChars = 128;
};

// Display -> phone: the server's mechanisms and the channel bindings on offer.
struct SaslOffer
{
    QString sid;
    QStringList mechanisms;
    QList<xmpp::ChannelBinding> channelBindings;

    static std::optional<SaslOffer> fromDom(const QDomElement &sasl);
    QDomElement toDom(QDomDocument &document) const;

    static constexpr int maxMechanisms = 64;
    static constexpr int maxChannelBindings = 8;
    static constexpr qsizetype maxChannelBindingBytes = 1024;
    static constexpr qsizetype maxChannelBindingTypeChars = 64;
};

// Phone -> display (payload of the result to a SaslOffer): the choice and initial response.
struct SaslAuth
{
    QString sid;
    QString mechanism;
    QByteArray initialResponse;

    static std::optional<SaslAuth> fromDom(const QDomElement &auth);
    QDomElement toDom(QDomDocument &document) const;
};

// One relayed SASL payload: <challenge/>, <response/> or <success/> with base64 text.
struct SaslPayload
{
    enum class Kind { Challenge, Response, Success };

    Kind kind = Kind::Challenge;
    QString sid;
    QByteArray data;

    static std::optional<SaslPayload> fromDom(const QDomElement &element);
    QDomElement toDom(QDomDocument &document) const;

    static constexpr qsizetype maxBytes = 16 * 1024;
};

// Display -> phone: the server's <failure/>, condition as in RFC 6120 6.5.
struct SaslFailure
{
    QString sid;
    QString condition;

    static std::optional<SaslFailure> fromDom(const QDomElement &failure);
    QDomElement toDom(QDomDocument &document) const;
};

// Either direction: <abort sid/>; phone -> display: <end sid/>.
struct SidOnly
{
    enum class Kind { Abort, End };

    Kind kind = Kind::Abort;
    QString sid;

    static std::optional<SidOnly> fromDom(const QDomElement &element);
    QDomElement toDom(QDomDocument &document) const;
};

// Display -> phone: <session sid jid state reason/>.
struct SessionNotice
{
    enum class State { Connecting, Authenticating, Active, Ended };
    enum class Reason { None, Phone, User, Idle, PhoneOffline, AuthFailed, Error, Shutdown };

    QString sid;
    QString jid; // the user connection's full JID, once known
    State state = State::Connecting;
    Reason reason = Reason::None; // only with Ended

    static std::optional<SessionNotice> fromDom(const QDomElement &session);
    QDomElement toDom(QDomDocument &document) const;

    static QString stateName(State state);
    static QString reasonName(Reason reason);
};

// The name of a payload's element when it is in the mobility namespace, else empty.
QString mobilityElementName(const QDomElement &payload);

// ---------------------------------------------------------------------------------------
// View and packet filter (section 6): <view/> and the rules of its <filter/>.
// ---------------------------------------------------------------------------------------

// One <accept kind ns from/> or <send kind ns to/>. Which stanzas it matches is up to
// ViewFilter (viewfilter.h), which is where the matching rules are written down.
struct FilterRule
{
    enum class Direction { Accept, Send };
    enum class Kind { Message, Presence, Iq };

    Direction direction = Direction::Accept;
    Kind kind = Kind::Message;
    // The namespace one of the stanza's child elements must be in; empty: any stanza.
    QString ns;
    // 'from' of an <accept/>, 'to' of a <send/>: a bare, full or domain JID; absent: any.
    std::optional<xmpp::Jid> address;

    // "message", "presence" or "iq": the stanza element name the kind stands for.
    static QString kindName(Kind kind);
    static std::optional<Kind> kindFromName(QStringView name);

    friend bool operator==(const FilterRule &, const FilterRule &) = default;
};

// Phone -> display: which app to show, its parameters and the view's packet filter.
//   <view sid app><param name>value</param>...<filter><accept/>...<send/>...</filter></view>
// fromDom() requires exactly one <filter/> (it may be empty), so a later <view/> that
// leaves the filter out is refused instead of being read as either "keep" or "deny all".
// Unknown attributes and children are refused everywhere.
struct ViewRequest
{
    struct Param
    {
        QString name;
        QString value;

        friend bool operator==(const Param &, const Param &) = default;
    };

    QString sid;
    QString app;
    QList<Param> params;     // in document order, names unique
    QList<FilterRule> rules; // <accept/> and <send/> in document order

    static std::optional<ViewRequest> fromDom(const QDomElement &view);
    QDomElement toDom(QDomDocument &document) const;

    // The value of the parameter with that name, if there is one.
    std::optional<QString> param(QStringView name) const;

    // The sid syntax (1-64 of [A-Za-z0-9._-]) starting with a letter or digit: an app id
    // names a directory of installed apps, so "." and ".." must not be one.
    static bool isValidAppId(QStringView app);

    static constexpr int maxParams = 32;
    static constexpr qsizetype maxParamNameChars = 64;
    static constexpr qsizetype maxParamValueChars = 1024;
    static constexpr int maxRules = 64;
    static constexpr qsizetype maxNamespaceChars = 1024;
    // The longest text that can be a JID (three parts of 1023 bytes and two separators),
    // checked before the costlier preparation.
    static constexpr qsizetype maxAddressChars = 3 * xmpp::maxJidPartBytes + 2;

    friend bool operator==(const ViewRequest &, const ViewRequest &) = default;
};

} // namespace mobility

// ---------------------------------------------------------------------------------------
// Session transfer (section 7): <transfer/> offers and answers, <state/> chunks, the
// receiver's <transferred/> or <transfer-failed/>, and the phone's <request/>.
// Appended as a section of its own, includes and all, so that it merges cleanly with
// edits to the rest of this header.
// ---------------------------------------------------------------------------------------

#include <QCryptographicHash>
#include <QDateTime>
#include <QUrl>

namespace mobility {

// A transfer id: the sid's syntax (1-64 of [A-Za-z0-9._-]).
bool isValidTid(QStringView tid);

// The name of a transferred file: 1-255 bytes of UTF-8 without '/', '\', control
// characters (NUL among them) or unpaired surrogates, and not "." or "..". State is flat,
// so a receiver may use a name as a file name in a directory of its own without ever
// leaving that directory.
bool isValidTransferFileName(QStringView name);

// The XEP-0300 algorithms a transfer accepts for digests: sha-256, sha-384, sha-512,
// sha3-256, sha3-512, blake2b-256 and blake2b-512. std::nullopt for any other name,
// sha-1 and md5 included: a digest has to hold against a peer who chooses the data.
std::optional<QCryptographicHash::Algorithm> transferHashAlgorithm(QStringView name);
// The digest length in bytes for one of those names; 0 for any other.
qsizetype transferDigestSize(QStringView hashAlgorithm);

// XEP-0082 DateTime, as XEP-0203 <delay stamp/> carries it. formatXmppDateTime() writes
// UTC with milliseconds ("2024-05-01T12:00:00.250Z"); parseXmppDateTime() accepts any
// zone offset and 1-9 fraction digits (kept to the millisecond) and returns UTC.
QString formatXmppDateTime(const QDateTime &time);
std::optional<QDateTime> parseXmppDateTime(QStringView text);

enum class TransferMethod { Inband, Upload, Bundle };

// "inband", "upload", "bundle".
QString transferMethodName(TransferMethod method);
std::optional<TransferMethod> transferMethodFromName(QStringView name);

// One file as a manifest or an upload describes it:
//   <file name size hash-algo>BASE64-DIGEST</file>
struct TransferFile
{
    QString name;
    qint64 size = 0;
    QString hashAlgorithm; // an XEP-0300 name transferHashAlgorithm() knows
    QByteArray digest;     // raw, exactly transferDigestSize(hashAlgorithm) bytes

    // Largest size any one file may declare: far beyond what a receiver accepts, small
    // enough that sums of up to maxFiles sizes cannot overflow.
    static constexpr qint64 maxBytes = qint64(1) << 32;

    friend bool operator==(const TransferFile &, const TransferFile &) = default;
};

// XEP-0297 <forwarded xmlns='urn:xmpp:forward:0'/> around one stanza, with the XEP-0203
// <delay xmlns='urn:xmpp:delay' stamp/> of when it was received: one packet-log entry.
struct ForwardedStanza
{
    // A message, presence or iq in jabber:client (or in no namespace, when built in
    // memory) that the stanza value types of the XMPP core accept.
    QDomElement stanza;
    QDateTime received; // UTC, milliseconds

    // Exactly one <delay/> (with a stamp and nothing else) and one valid stanza, in
    // either order, and nothing more.
    static std::optional<ForwardedStanza> fromDom(const QDomElement &forwarded);
    // Copies the stanza into the document; elements that have no namespace there are put
    // in jabber:client, as XEP-0297 requires of a forwarded stanza.
    QDomElement toDom(QDomDocument &document) const;

    // Whether an element is a stanza that fromDom() accepts inside <forwarded/>.
    static bool isValidStanza(const QDomElement &stanza);
    // A deep copy of a stanza in the document, as toDom() makes it.
    static QDomElement copyStanza(QDomDocument &document, const QDomElement &stanza);
};

// Sender -> receiver: the methods it can send by, in its order of preference, and what
// it will send.
//   <transfer sid tid><method type/>...<manifest><file/>...<log count/></manifest></transfer>
// <method/> types this version does not know are skipped rather than refused, since the
// receiver picks "the first offered method it supports"; at least one known one is
// required and none may repeat. <log count/> is required, once, after the files.
struct TransferOffer
{
    QString sid;
    QString tid;
    QList<TransferMethod> methods;
    QList<TransferFile> files; // names unique
    int logCount = 0;          // stanzas in the packet log that comes with the state

    static std::optional<TransferOffer> fromDom(const QDomElement &transfer);
    QDomElement toDom(QDomDocument &document) const;

    static constexpr int maxFiles = 1000;
    // <method/> elements, known or not.
    static constexpr int maxMethodElements = 8;
    static constexpr qsizetype maxMethodTypeChars = 32;
    // Sum of all file sizes.
    static constexpr qint64 maxTotalBytes = qint64(1) << 32;
    static constexpr int maxLogCount = 10000;

    friend bool operator==(const TransferOffer &, const TransferOffer &) = default;
};

// Receiver -> sender, as the result to an offer: <transfer sid tid><method type/></transfer>
// with exactly one method this version knows. A refusal is an IQ error (not-acceptable).
struct TransferAnswer
{
    QString sid;
    QString tid;
    TransferMethod method = TransferMethod::Inband;

    static std::optional<TransferAnswer> fromDom(const QDomElement &transfer);
    QDomElement toDom(QDomDocument &document) const;

    friend bool operator==(const TransferAnswer &, const TransferAnswer &) = default;
};

// Sender -> receiver: one piece of the state.
//   <state sid tid seq last><file name>BASE64</file>...<log><forwarded/>...</log></state>
//   <state sid tid seq last><file name size hash-algo url>DIGEST</file>...</state>
// A file's parts join in seq order, the <log/>s' stanzas likewise. One chunk carries
// either parts (inband) or uploaded files, not both; a name appears at most once in it;
// at most one <log/>, never empty. 'seq' may be left out (the protocol's upload example
// does) and then reads as 0; toDom() always writes it. 'last' is "true" or "false".
struct StateChunk
{
    struct FilePart
    {
        QString name;
        QByteArray data;

        friend bool operator==(const FilePart &, const FilePart &) = default;
    };
    struct UploadedFile
    {
        TransferFile file;
        QUrl url; // https, with a host and no user information

        friend bool operator==(const UploadedFile &, const UploadedFile &) = default;
    };

    QString sid;
    QString tid;
    quint32 seq = 0;
    bool last = false;
    QList<FilePart> parts;
    QList<UploadedFile> uploads;
    QList<ForwardedStanza> log; // oldest first

    static std::optional<StateChunk> fromDom(const QDomElement &state);
    QDomElement toDom(QDomDocument &document) const;

    // Decoded bytes of all parts of one chunk. Keeping a serialized chunk under 64 KiB
    // is the sender's job (base64 alone makes these 88 KiB); a receiver refuses more.
    static constexpr qsizetype maxPayloadBytes = 64 * 1024;
    // TransferOffer::maxTotalBytes in chunks of a few KiB, with room to spare; small
    // enough that a counter never wraps.
    static constexpr quint32 maxSeq = 1u << 20;
    static constexpr qsizetype maxUrlChars = 4096;
};

// Receiver -> sender, ending a transfer that succeeded: <transferred sid tid/>.
struct Transferred
{
    QString sid;
    QString tid;

    static std::optional<Transferred> fromDom(const QDomElement &transferred);
    QDomElement toDom(QDomDocument &document) const;

    friend bool operator==(const Transferred &, const Transferred &) = default;
};

// Receiver -> sender, ending a transfer that failed: <transfer-failed sid tid reason/>.
struct TransferFailed
{
    enum class Reason { Digest, Size, Archive, Timeout, Other };

    QString sid;
    QString tid;
    Reason reason = Reason::Other;

    static std::optional<TransferFailed> fromDom(const QDomElement &failed);
    QDomElement toDom(QDomDocument &document) const;

    static QString reasonName(Reason reason);

    friend bool operator==(const TransferFailed &, const TransferFailed &) = default;
};

// Phone -> display, "pull back": <request sid tid/>; the display answers with a result
// and then offers a transfer with that tid.
struct StateRequest
{
    QString sid;
    QString tid;

    static std::optional<StateRequest> fromDom(const QDomElement &request);
    QDomElement toDom(QDomDocument &document) const;

    friend bool operator==(const StateRequest &, const StateRequest &) = default;
};

} // namespace mobility
