#pragma once

// The packet filter of a split session (docs/protocol.md section 6): which stanzas on
// the user connection the view may see, and which it may send.

#include "error.h"
#include "jid.h"
#include "protocol.h"

#include <QDomElement>
#include <QList>

namespace mobility {

// Built from a <view/>'s rules. Deny by default: a stanza passes only when some rule of
// its direction (<accept/> for received stanzas, <send/> for the view's own) matches it,
// and a rule matches only when every attribute it has matches:
//
// - kind: the stanza's element name, message, presence or iq, in jabber:client (or in
//   no namespace, for stanzas built in memory).
// - ns: the namespace of at least one direct child element of the stanza. Grandchildren
//   do not count, and neither does the stanza's own namespace.
// - address: 'from' of a received stanza (<accept from/>), 'to' of a sent one
//   (<send to/>), compared in canonical form (so case-insensitive where preparation
//   maps case: localpart and domain, not the resource):
//   - a full JID, "alice@example.org/phone" or "example.org/res", matches exactly itself;
//   - a bare JID, "alice@example.org", matches itself and any of its full JIDs;
//   - a domain, "example.org", matches every JID whose domainpart is exactly that domain:
//     "example.org", "example.org/res", "alice@example.org", "alice@example.org/phone".
//     Subdomains are other domains: it does not match "conference.example.org" nor
//     "room@conference.example.org", since a domain's owner need not run its subdomains.
//   A stanza without the address, or with one that is not a valid JID, matches no rule
//   that names an address; rules without one do not look at it.
//
// IQ responses are filtered like any other stanza: the protocol makes no exception for
// results to requests the view sent, so those need an <accept/> too.
class ViewFilter
{
public:
    // No rules: everything is denied.
    ViewFilter() = default;
    explicit ViewFilter(const QList<FilterRule> &rules);

    // Whether a stanza received on the user connection may reach the view. Always false
    // for stanzas isAlwaysHandledByDisplay() claims, whatever the rules.
    bool accepts(const QDomElement &stanza) const;

    // Whether the view may send this stanza. A refusal says why in the detail, naming
    // the stanza's kind and address and what the filter misses, e.g. "no <send/> rule
    // allows a message to bob@example.org". Refusals by the filter have condition
    // StanzaError with "not-allowed" (RFC 6120 8.3.3.10: sending to a blocked address);
    // an element that is no stanza at all has InvalidInput with "bad-request".
    xmpp::Status allowsSending(const QDomElement &stanza) const;

    // IQ gets for XEP-0199 ping and XEP-0030 disco#info, from anyone: the display
    // answers these itself and never shows them to the view. The IQ must have its
    // payload as the one child RFC 6120 8.2.3 allows a get.
    static bool isAlwaysHandledByDisplay(const QDomElement &stanza);

    // The address part of rule matching, as described above.
    static bool addressMatches(const xmpp::Jid &ruleAddress, const xmpp::Jid &stanzaAddress);

    const QList<FilterRule> &acceptRules() const { return m_acceptRules; }
    const QList<FilterRule> &sendRules() const { return m_sendRules; }

private:
    QList<FilterRule> m_acceptRules;
    QList<FilterRule> m_sendRules;
};

} // namespace mobility
