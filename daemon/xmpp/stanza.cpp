#include "stanza.h"

#include "namespaces.h"

#include <QDomText>

#include <algorithm>
#include <array>
#include <vector>

namespace xmpp {

namespace {

const QString xmlNamespace = QStringLiteral("http://www.w3.org/XML/1998/namespace");

QString localNameOf(const QDomElement &element)
{
    // Elements made with createElement() have no local name, only a tag name.
    return element.namespaceURI().isNull() ? element.tagName() : element.localName();
}

bool isClientElement(const QDomElement &element, QStringView name)
{
    const QString uri = element.namespaceURI();
    return (uri.isEmpty() || uri == ns::client) && localNameOf(element) == name;
}

bool hasLang(const QDomElement &element)
{
    return element.hasAttributeNS(xmlNamespace, QStringLiteral("lang")) ||
           element.hasAttribute(QStringLiteral("xml:lang"));
}

std::vector<QDomElement> childElements(const QDomElement &parent)
{
    std::vector<QDomElement> children;
    for (QDomElement child = parent.firstChildElement(); !child.isNull();
         child = child.nextSiblingElement()) {
        children.push_back(child);
    }
    return children;
}

// The text of the first matching child without xml:lang, or else of the first one;
// null when there is none.
QString preferredChildText(const QDomElement &parent, QStringView name)
{
    QString fallback;
    bool haveFallback = false;
    for (QDomElement child = parent.firstChildElement(); !child.isNull();
         child = child.nextSiblingElement()) {
        if (!isClientElement(child, name))
            continue;
        if (!hasLang(child))
            return child.text();
        if (!haveFallback) {
            fallback = child.text();
            haveFallback = true;
        }
    }
    return fallback;
}

// Reads an optional JID attribute; false when present but not a valid JID.
bool readJid(const QDomElement &element, const QString &attribute, Jid &out)
{
    if (!element.hasAttribute(attribute)) {
        out = Jid();
        return true;
    }
    std::optional<Jid> parsed = Jid::parse(element.attribute(attribute));
    if (!parsed)
        return false;
    out = std::move(*parsed);
    return true;
}

void writeAddressing(QDomElement &element, const QString &id, const Jid &from, const Jid &to)
{
    if (!id.isEmpty())
        element.setAttribute(QStringLiteral("id"), id);
    if (!from.isNull())
        element.setAttribute(QStringLiteral("from"), from.toString());
    if (!to.isNull())
        element.setAttribute(QStringLiteral("to"), to.toString());
}

void appendTextChild(QDomDocument &document, QDomElement &parent, const QString &name,
                     const QString &text)
{
    QDomElement child = document.createElementNS(ns::client, name);
    child.appendChild(document.createTextNode(text));
    parent.appendChild(child);
}

StanzaError errorChild(const QDomElement &stanza)
{
    for (QDomElement child = stanza.firstChildElement(); !child.isNull();
         child = child.nextSiblingElement()) {
        if (isClientElement(child, u"error")) {
            if (std::optional<StanzaError> error = StanzaError::fromDom(child))
                return *error;
            break;
        }
    }
    return StanzaError{};
}

// Copies what the value type does not model, so a received stanza survives a round
// trip through fromDom()/toDom().
void copyExtensions(QDomDocument &document, const QDomElement &from, QDomElement &to,
                    std::initializer_list<QStringView> modelled)
{
    for (QDomElement child = from.firstChildElement(); !child.isNull();
         child = child.nextSiblingElement()) {
        const bool isModelled =
            std::any_of(modelled.begin(), modelled.end(),
                        [&](QStringView name) { return isClientElement(child, name); });
        if (!isModelled)
            to.appendChild(document.importNode(child, true));
    }
}

template <typename Enum, size_t N>
std::optional<Enum> lookupName(const std::array<QStringView, N> &names, QStringView name)
{
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
        return std::nullopt;
    return Enum(it - names.begin());
}

constexpr std::array<QStringView, 5> stanzaErrorTypeNames = {u"cancel", u"continue", u"modify",
                                                             u"auth", u"wait"};
constexpr std::array<QStringView, 4> iqTypeNames = {u"get", u"set", u"result", u"error"};
constexpr std::array<QStringView, 5> messageTypeNames = {u"normal", u"chat", u"groupchat",
                                                         u"headline", u"error"};
constexpr std::array<QStringView, 8> presenceTypeNames = {
    QStringView(),  u"unavailable",  u"subscribe", u"subscribed",
    u"unsubscribe", u"unsubscribed", u"probe",     u"error"};
constexpr std::array<QStringView, 5> showNames = {QStringView(), u"away", u"chat", u"dnd", u"xa"};

// RFC 6120 section 8.3.3.
constexpr std::array<QStringView, 22> definedConditions = {
    u"bad-request",
    u"conflict",
    u"feature-not-implemented",
    u"forbidden",
    u"gone",
    u"internal-server-error",
    u"item-not-found",
    u"jid-malformed",
    u"not-acceptable",
    u"not-allowed",
    u"not-authorized",
    u"policy-violation",
    u"recipient-unavailable",
    u"redirect",
    u"registration-required",
    u"remote-server-not-found",
    u"remote-server-timeout",
    u"resource-constraint",
    u"service-unavailable",
    u"subscription-required",
    u"undefined-condition",
    u"unexpected-request",
};

bool carriesAddress(QStringView condition)
{
    return condition == u"gone" || condition == u"redirect";
}

} // namespace

// --- StanzaError ---

StanzaError::StanzaError(Type errorType, QString definedCondition, QString errorText)
    : type(errorType)
    , condition(std::move(definedCondition))
    , text(std::move(errorText))
{
}

QString StanzaError::typeName(Type type)
{
    return stanzaErrorTypeNames[size_t(type)].toString();
}

std::optional<StanzaError::Type> StanzaError::typeFromName(QStringView name)
{
    return lookupName<Type>(stanzaErrorTypeNames, name);
}

bool StanzaError::isDefinedCondition(QStringView condition)
{
    return std::find(definedConditions.begin(), definedConditions.end(), condition) !=
           definedConditions.end();
}

std::optional<StanzaError> StanzaError::fromDom(const QDomElement &error)
{
    if (!isClientElement(error, u"error"))
        return std::nullopt;
    const std::optional<Type> type = typeFromName(error.attribute(QStringLiteral("type")));
    if (!type)
        return std::nullopt;

    StanzaError result;
    result.type = *type;
    result.by = error.attribute(QStringLiteral("by"));
    bool haveCondition = false;
    for (QDomElement child = error.firstChildElement(); !child.isNull();
         child = child.nextSiblingElement()) {
        // Application-specific conditions live in other namespaces and refine the defined
        // condition (RFC 6120 8.3.2); the first one is kept by name and namespace.
        if (child.namespaceURI() != ns::stanzaErrors) {
            if (result.applicationCondition.isEmpty()) {
                result.applicationCondition = child.localName();
                result.applicationNamespace = child.namespaceURI();
            }
            continue;
        }
        const QString name = child.localName();
        if (name == u"text") {
            if (result.text.isEmpty())
                result.text = child.text();
            continue;
        }
        if (haveCondition)
            continue;
        haveCondition = true;
        result.condition = isDefinedCondition(name) ? name : QStringLiteral("undefined-condition");
        if (carriesAddress(name))
            result.alternateAddress = child.text().trimmed();
    }
    if (!haveCondition)
        return std::nullopt;
    return result;
}

QDomElement StanzaError::toDom(QDomDocument &document) const
{
    QDomElement error = document.createElementNS(ns::client, QStringLiteral("error"));
    error.setAttribute(QStringLiteral("type"), typeName(type));
    if (!by.isEmpty())
        error.setAttribute(QStringLiteral("by"), by);
    // Anything else would not be a well-formed element name, let alone a defined one.
    const QString conditionName =
        isDefinedCondition(condition) ? condition : QStringLiteral("undefined-condition");
    QDomElement conditionElement = document.createElementNS(ns::stanzaErrors, conditionName);
    if (!alternateAddress.isEmpty() && carriesAddress(conditionName))
        conditionElement.appendChild(document.createTextNode(alternateAddress));
    error.appendChild(conditionElement);
    if (!text.isEmpty()) {
        QDomElement textElement =
            document.createElementNS(ns::stanzaErrors, QStringLiteral("text"));
        textElement.appendChild(document.createTextNode(text));
        error.appendChild(textElement);
    }
    if (!applicationCondition.isEmpty() && !applicationNamespace.isEmpty())
        error.appendChild(document.createElementNS(applicationNamespace, applicationCondition));
    return error;
}

Error StanzaError::toError() const
{
    Error error = makeError(ErrorCondition::StanzaError, text, condition);
    error.applicationCondition = applicationCondition;
    return error;
}

// --- Iq ---

QString Iq::typeName(Type type)
{
    return iqTypeNames[size_t(type)].toString();
}

std::optional<Iq::Type> Iq::typeFromName(QStringView name)
{
    return lookupName<Type>(iqTypeNames, name);
}

std::optional<Iq> Iq::fromDom(const QDomElement &iq)
{
    if (!isClientElement(iq, u"iq"))
        return std::nullopt;
    Iq result;
    result.id = iq.attribute(QStringLiteral("id"));
    if (result.id.isEmpty())
        return std::nullopt;
    const std::optional<Type> type = typeFromName(iq.attribute(QStringLiteral("type")));
    if (!type)
        return std::nullopt;
    result.type = *type;
    if (!readJid(iq, QStringLiteral("from"), result.from) ||
        !readJid(iq, QStringLiteral("to"), result.to)) {
        return std::nullopt;
    }

    const std::vector<QDomElement> children = childElements(iq);
    switch (result.type) {
    case Type::Get:
    case Type::Set:
        if (children.size() != 1)
            return std::nullopt;
        result.payload = children.front();
        break;
    case Type::Result:
        if (children.size() > 1)
            return std::nullopt;
        if (!children.empty())
            result.payload = children.front();
        break;
    case Type::Error: {
        QDomElement errorElement;
        for (const QDomElement &child : children) {
            if (errorElement.isNull() && isClientElement(child, u"error")) {
                errorElement = child;
            } else if (result.payload.isNull()) {
                result.payload = child;
            } else {
                return std::nullopt;
            }
        }
        std::optional<StanzaError> error;
        if (!errorElement.isNull())
            error = StanzaError::fromDom(errorElement);
        result.error = error ? *error : StanzaError{};
        break;
    }
    }
    return result;
}

QDomElement Iq::toDom(QDomDocument &document) const
{
    QDomElement iq = document.createElementNS(ns::client, QStringLiteral("iq"));
    writeAddressing(iq, id, from, to);
    iq.setAttribute(QStringLiteral("type"), typeName(type));
    if (!payload.isNull())
        iq.appendChild(document.importNode(payload, true));
    if (type == Type::Error)
        iq.appendChild(error.value_or(StanzaError{}).toDom(document));
    return iq;
}

Iq Iq::makeResult(const Iq &request, const QDomElement &payload)
{
    Iq result;
    result.id = request.id;
    result.type = Type::Result;
    result.to = request.from;
    result.payload = payload;
    return result;
}

Iq Iq::makeError(const Iq &request, const StanzaError &error)
{
    Iq result;
    result.id = request.id;
    result.type = Type::Error;
    result.to = request.from;
    result.error = error;
    return result;
}

// --- Message ---

QString Message::typeName(Type type)
{
    return messageTypeNames[size_t(type)].toString();
}

std::optional<Message> Message::fromDom(const QDomElement &message)
{
    if (!isClientElement(message, u"message"))
        return std::nullopt;
    Message result;
    result.id = message.attribute(QStringLiteral("id"));
    result.type = lookupName<Type>(messageTypeNames, message.attribute(QStringLiteral("type")))
                      .value_or(Type::Normal);
    if (!readJid(message, QStringLiteral("from"), result.from) ||
        !readJid(message, QStringLiteral("to"), result.to)) {
        return std::nullopt;
    }
    result.body = preferredChildText(message, u"body");
    if (result.type == Type::Error)
        result.error = errorChild(message);
    result.element = message;
    return result;
}

QDomElement Message::toDom(QDomDocument &document) const
{
    QDomElement message = document.createElementNS(ns::client, QStringLiteral("message"));
    writeAddressing(message, id, from, to);
    if (type != Type::Normal)
        message.setAttribute(QStringLiteral("type"), typeName(type));
    if (!body.isEmpty())
        appendTextChild(document, message, QStringLiteral("body"), body);
    if (!element.isNull())
        copyExtensions(document, element, message, {u"body", u"error"});
    if (type == Type::Error)
        message.appendChild(error.value_or(StanzaError{}).toDom(document));
    return message;
}

// --- Presence ---

QString Presence::typeName(Type type)
{
    return presenceTypeNames[size_t(type)].toString();
}

std::optional<Presence> Presence::fromDom(const QDomElement &presence)
{
    if (!isClientElement(presence, u"presence"))
        return std::nullopt;
    Presence result;
    result.id = presence.attribute(QStringLiteral("id"));
    if (presence.hasAttribute(QStringLiteral("type"))) {
        const QString typeText = presence.attribute(QStringLiteral("type"));
        // The empty name stands for "available", which is never written out.
        const std::optional<Type> type =
            typeText.isEmpty() ? std::nullopt : lookupName<Type>(presenceTypeNames, typeText);
        if (!type)
            return std::nullopt;
        result.type = *type;
    }
    if (!readJid(presence, QStringLiteral("from"), result.from) ||
        !readJid(presence, QStringLiteral("to"), result.to)) {
        return std::nullopt;
    }

    for (QDomElement child = presence.firstChildElement(); !child.isNull();
         child = child.nextSiblingElement()) {
        if (isClientElement(child, u"show")) {
            const QString showText = child.text().trimmed();
            const std::optional<Show> show =
                showText.isEmpty() ? std::nullopt : lookupName<Show>(showNames, showText);
            if (!show)
                return std::nullopt;
            result.show = *show;
        } else if (isClientElement(child, u"priority")) {
            bool isNumber = false;
            const int priority = child.text().trimmed().toInt(&isNumber);
            if (!isNumber || priority < -128 || priority > 127)
                return std::nullopt;
            result.priority = priority;
        }
    }
    result.status = preferredChildText(presence, u"status");
    if (result.type == Type::Error)
        result.error = errorChild(presence);
    result.element = presence;
    return result;
}

QDomElement Presence::toDom(QDomDocument &document) const
{
    QDomElement presence = document.createElementNS(ns::client, QStringLiteral("presence"));
    writeAddressing(presence, id, from, to);
    if (type != Type::Available)
        presence.setAttribute(QStringLiteral("type"), typeName(type));
    if (show != Show::Online)
        appendTextChild(document, presence, QStringLiteral("show"),
                        showNames[size_t(show)].toString());
    if (!status.isEmpty())
        appendTextChild(document, presence, QStringLiteral("status"), status);
    if (priority != 0) {
        appendTextChild(document, presence, QStringLiteral("priority"),
                        QString::number(std::clamp(priority, -128, 127)));
    }
    if (!element.isNull())
        copyExtensions(document, element, presence, {u"show", u"status", u"priority", u"error"});
    if (type == Type::Error)
        presence.appendChild(error.value_or(StanzaError{}).toDom(document));
    return presence;
}

} // namespace xmpp
