#include "viewfilter.h"

#include "namespaces.h"

#include <QStringList>
#include <algorithm>
#include <iterator>
#include <optional>

namespace mobility {

namespace {

using Kind = FilterRule::Kind;

const QString typeAttribute = QStringLiteral("type");
const QString fromAttribute = QStringLiteral("from");
const QString toAttribute = QStringLiteral("to");

// Elements parsed from the wire carry a local name; ones built in-process with
// createElement() only a tag name.
QString localNameOf(const QDomElement &element)
{
    const QString local = element.localName();
    return local.isEmpty() ? element.tagName() : local;
}

// The kind of a stanza; std::nullopt for anything that is no stanza of a client stream.
std::optional<Kind> stanzaKind(const QDomElement &element)
{
    if (element.isNull())
        return std::nullopt;
    const QString uri = element.namespaceURI();
    if (!uri.isEmpty() && uri != xmpp::ns::client)
        return std::nullopt;
    return FilterRule::kindFromName(localNameOf(element));
}

bool hasChildIn(const QDomElement &stanza, const QString &childNamespace)
{
    for (QDomElement child = stanza.firstChildElement(); !child.isNull();
         child = child.nextSiblingElement()) {
        if (child.namespaceURI() == childNamespace)
            return true;
    }
    return false;
}

// A stanza's 'from' or 'to' as the rules see it.
struct StanzaAddress
{
    bool present = false;
    QString text;                 // as written, for error messages
    std::optional<xmpp::Jid> jid; // std::nullopt when absent or not a valid JID
};

StanzaAddress addressOf(const QDomElement &stanza, const QString &attribute)
{
    StanzaAddress address;
    address.present = stanza.hasAttribute(attribute);
    if (!address.present)
        return address;
    address.text = stanza.attribute(attribute);
    // Text too long to be a JID is not worth preparing.
    if (address.text.size() <= ViewRequest::maxAddressChars)
        address.jid = xmpp::Jid::parse(address.text);
    return address;
}

bool addressAllows(const FilterRule &rule, const StanzaAddress &address)
{
    return !rule.address ||
           (address.jid && ViewFilter::addressMatches(*rule.address, *address.jid));
}

bool namespaceAllows(const FilterRule &rule, const QDomElement &stanza)
{
    return rule.ns.isEmpty() || hasChildIn(stanza, rule.ns);
}

bool anyRuleMatches(const QList<FilterRule> &rules, const QDomElement &stanza, Kind kind,
                    const StanzaAddress &address)
{
    return std::any_of(rules.cbegin(), rules.cend(), [&](const FilterRule &rule) {
        return rule.kind == kind && namespaceAllows(rule, stanza) && addressAllows(rule, address);
    });
}

// --- Refusal messages: written for the developer of the view, who has to fix its filter.

QString kindPhrase(Kind kind)
{
    switch (kind) {
    case Kind::Message:
        return QStringLiteral("a message");
    case Kind::Presence:
        return QStringLiteral("presence");
    case Kind::Iq:
        return QStringLiteral("an IQ");
    }
    return {};
}

// Whatever the view wrote, cut short and stripped of control characters, so a log line
// stays one readable line.
QString sanitizedForMessage(const QString &text)
{
    constexpr qsizetype maxChars = 64;
    QString shown = text.left(maxChars);
    for (QChar &c : shown) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u'?';
    }
    if (text.size() > maxChars)
        shown += QStringLiteral("...");
    return shown;
}

// "a message to bob@example.org", "presence without a 'to' address", ...
QString describeStanza(Kind kind, const StanzaAddress &to)
{
    QString phrase = kindPhrase(kind);
    if (!to.present)
        return phrase + QStringLiteral(" without a 'to' address");
    if (!to.jid)
        return phrase +
               QStringLiteral(" to the invalid address '%1'").arg(sanitizedForMessage(to.text));
    return phrase + QStringLiteral(" to ") + to.jid->toString();
}

// "urn:a", "urn:a or urn:b", "urn:a or urn:b or urn:c (or 2 more namespaces)"
QString namespaceChoice(const QList<FilterRule> &rules)
{
    constexpr qsizetype maxListed = 3;
    QStringList namespaces;
    for (const FilterRule &rule : rules) {
        if (!namespaces.contains(rule.ns))
            namespaces.append(rule.ns);
    }
    QString choice = namespaces.mid(0, maxListed).join(QStringLiteral(" or "));
    if (namespaces.size() > maxListed)
        choice += QStringLiteral(" (or %1 more namespaces)").arg(namespaces.size() - maxListed);
    return choice;
}

xmpp::Error refusal(QString detail)
{
    return xmpp::makeError(xmpp::ErrorCondition::StanzaError, std::move(detail),
                           QStringLiteral("not-allowed"));
}

} // namespace

ViewFilter::ViewFilter(const QList<FilterRule> &rules)
{
    for (const FilterRule &rule : rules) {
        if (rule.direction == FilterRule::Direction::Accept)
            m_acceptRules.append(rule);
        else
            m_sendRules.append(rule);
    }
}

bool ViewFilter::accepts(const QDomElement &stanza) const
{
    const std::optional<Kind> kind = stanzaKind(stanza);
    if (!kind || isAlwaysHandledByDisplay(stanza))
        return false;
    return anyRuleMatches(m_acceptRules, stanza, *kind, addressOf(stanza, fromAttribute));
}

xmpp::Status ViewFilter::allowsSending(const QDomElement &stanza) const
{
    const std::optional<Kind> kind = stanzaKind(stanza);
    if (!kind) {
        const QString name = stanza.isNull() ? QStringLiteral("nothing")
                                             : QStringLiteral("<%1/>").arg(localNameOf(stanza));
        return xmpp::makeError(xmpp::ErrorCondition::InvalidInput,
                               QStringLiteral("%1 is no stanza: a view sends only message, "
                                              "presence and iq in jabber:client")
                                   .arg(sanitizedForMessage(name)),
                               QStringLiteral("bad-request"));
    }
    const StanzaAddress to = addressOf(stanza, toAttribute);
    if (anyRuleMatches(m_sendRules, stanza, *kind, to))
        return xmpp::success();

    // Explain the refusal by the first test that rules out every <send/> of this kind.
    const QString stanzaDescription = describeStanza(*kind, to);
    QList<FilterRule> candidates;
    std::copy_if(m_sendRules.cbegin(), m_sendRules.cend(), std::back_inserter(candidates),
                 [&](const FilterRule &rule) { return rule.kind == *kind; });
    if (candidates.isEmpty())
        return refusal(QStringLiteral("no <send/> rule allows %1").arg(stanzaDescription));

    const QString ruleName = QStringLiteral("<send kind='%1'/>").arg(FilterRule::kindName(*kind));
    candidates.removeIf([&](const FilterRule &rule) { return !addressAllows(rule, to); });
    if (candidates.isEmpty()) {
        const QString reason = to.jid ? QStringLiteral("no %1 rule covers that address")
                                      : QStringLiteral("every %1 rule names an address");
        return refusal(
            QStringLiteral("%1 is not allowed: %2").arg(stanzaDescription, reason.arg(ruleName)));
    }
    // Every remaining rule names a namespace the stanza has no child in.
    return refusal(QStringLiteral("%1 is not allowed without a child element in %2")
                       .arg(stanzaDescription, namespaceChoice(candidates)));
}

bool ViewFilter::isAlwaysHandledByDisplay(const QDomElement &stanza)
{
    if (stanzaKind(stanza) != Kind::Iq || stanza.attribute(typeAttribute) != u"get")
        return false;
    const QDomElement payload = stanza.firstChildElement();
    if (payload.isNull() || !payload.nextSiblingElement().isNull())
        return false;
    const QString payloadNamespace = payload.namespaceURI();
    const QString payloadName = localNameOf(payload);
    return (payloadNamespace == xmpp::ns::ping && payloadName == u"ping") ||
           (payloadNamespace == xmpp::ns::discoInfo && payloadName == u"query");
}

bool ViewFilter::addressMatches(const xmpp::Jid &ruleAddress, const xmpp::Jid &stanzaAddress)
{
    if (ruleAddress.isNull() || stanzaAddress.isNull())
        return false;
    if (!ruleAddress.isBare())
        return stanzaAddress == ruleAddress;
    if (ruleAddress.isDomain())
        return stanzaAddress.domain() == ruleAddress.domain();
    return stanzaAddress.bare() == ruleAddress;
}

} // namespace mobility
