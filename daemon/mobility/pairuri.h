#pragma once

#include <QString>

#include <optional>

namespace mobility {

// The display's advertisement (protocol section 1), an RFC 5122 XMPP URI:
//   xmpp:lobby@example.org/display?kiosk;pair=TOKEN;name=Hotel%20Lobby
struct PairUri
{
    QString jid;   // the display's full JID
    QString token; // one-time pairing token
    QString name;  // human label; may be empty

    QString toString() const;
    // Accepts what toString() makes, case-insensitive for the "xmpp" scheme; anything
    // else (another action, a missing token) gives std::nullopt.
    static std::optional<PairUri> parse(const QString &uri);

    bool operator==(const PairUri &) const = default;
};

} // namespace mobility
