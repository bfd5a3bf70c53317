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
