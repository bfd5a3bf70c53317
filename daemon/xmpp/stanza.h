#pragma once

#include "error.h"
#include "jid.h"

#include <QDomDocument>
#include <QDomElement>
#include <QString>
#include <QStringView>

#include <optional>

namespace xmpp {

// Value types for the three stanza kinds (RFC 6120 section 8) and their errors.
//
// fromDom() accepts elements in the jabber:client namespace or in no namespace (a DOM
// built with QDomDocument::createElement) and returns std::nullopt for anything RFC
// 6120/6121 does not allow, including a 'from' or 'to' that is not a valid JID.
// toDom() builds elements in jabber:client inside the given document; serialise them
// with serializeStanza(). Absent addresses are null Jids; an absent id is empty.

// The <error/> child of an error stanza (RFC 6120 8.3).
struct StanzaError
{
    enum class Type { Cancel, Continue, Modify, Auth, Wait };

    StanzaError() = default;
    StanzaError(Type errorType, QString definedCondition, QString errorText = {});

    Type type = Type::Cancel;
    // A defined condition of RFC 6120 8.3.3, e.g. "item-not-found". fromDom() reports
    // an unknown one as "undefined-condition", as 8.3.2 requires.
    QString condition = QStringLiteral("undefined-condition");
    QString text;
    // <gone/> and <redirect/> may carry an XMPP URI where the entity can now be reached.
    QString alternateAddress;
    // The entity that generated the error, when it says so.
    QString by;
    // An application-specific condition (RFC 6120 8.3.2): its element name and namespace,
    // e.g. "invalid-token" in urn:kioskd:mobility:0. Empty when there is none.
    QString applicationCondition;
    QString applicationNamespace;

    // From the <error/> element itself. std::nullopt without a valid type or condition.
    static std::optional<StanzaError> fromDom(const QDomElement &error);
    QDomElement toDom(QDomDocument &document) const;
    // ErrorCondition::StanzaError with the condition as protocolCondition.
    Error toError() const;

    static QString typeName(Type type);
    static std::optional<Type> typeFromName(QStringView name);
    static bool isDefinedCondition(QStringView condition);
};

struct Iq
{
    enum class Type { Get, Set, Result, Error };

    QString id;
    Type type = Type::Get;
    Jid from;
    Jid to;
    // The one child of a get or set; the optional child of a result; for an error, the
    // request's payload if the responder echoed it.
    QDomElement payload;
    // Present for type Error. fromDom() supplies undefined-condition when an error iq
    // carries no usable <error/>, so a response is never lost for lack of detail.
    std::optional<StanzaError> error;

    // Requires an id, a known type, exactly one child element for get/set and at most
    // one (besides <error/>) for result/error.
    static std::optional<Iq> fromDom(const QDomElement &iq);
    QDomElement toDom(QDomDocument &document) const;

    // Responses addressed to the requester. 'from' is left empty: the server stamps it,
    // and a client-set 'from' that differs from its full JID is an error.
    static Iq makeResult(const Iq &request, const QDomElement &payload = {});
    static Iq makeError(const Iq &request, const StanzaError &error);

    static QString typeName(Type type);
    static std::optional<Type> typeFromName(QStringView name);
};

struct Message
{
    enum class Type { Normal, Chat, Groupchat, Headline, Error };

    QString id;
    Type type = Type::Normal; // absent or unknown 'type' means normal (RFC 6121 5.2.2)
    Jid from;
    Jid to;
    // The <body/> without xml:lang, or else the first one.
    QString body;
    std::optional<StanzaError> error;
    // The stanza as received, for extensions (receipts, delay, forwarded...). toDom()
    // copies its child elements other than <body/> and <error/> into the new stanza.
    QDomElement element;

    static std::optional<Message> fromDom(const QDomElement &message);
    QDomElement toDom(QDomDocument &document) const;

    static QString typeName(Type type);
};

struct Presence
{
    enum class Type {
        Available, // no 'type' attribute
        Unavailable,
        Subscribe,
        Subscribed,
        Unsubscribe,
        Unsubscribed,
        Probe,
        Error,
    };
    enum class Show { Online, Away, Chat, DoNotDisturb, ExtendedAway };

    QString id;
    Type type = Type::Available;
    Jid from;
    Jid to;
    Show show = Show::Online;
    QString status;   // the <status/> without xml:lang, or else the first one
    int priority = 0; // -128..127 (RFC 6121 4.7.2.3)
    std::optional<StanzaError> error;
    // The stanza as received; toDom() copies its child elements other than <show/>,
    // <status/>, <priority/> and <error/>.
    QDomElement element;

    // std::nullopt for an unknown type or show, or a priority that is not an integer
    // in range.
    static std::optional<Presence> fromDom(const QDomElement &presence);
    QDomElement toDom(QDomDocument &document) const;

    static QString typeName(Type type);
};

} // namespace xmpp
