#pragma once

#include "pairingtokens.h"
#include "protocol.h"
#include "stanza.h"

#include <QHash>
#include <QString>

#include <chrono>
#include <deque>
#include <optional>

namespace mobility {

// Decides on <pair/> requests (protocol section 2), checking in the protocol's order:
// malformed, rate limit, busy, token -- so a busy display never spends a valid token and
// a locked-out sender learns nothing about tokens.
class PairingGate
{
public:
    using Clock = PairingTokens::Clock;
    using Now = PairingTokens::Now;

    struct Limits
    {
        int badTokensForLockout = 5;
        std::chrono::seconds window{60};  // bad tokens counted within this span
        std::chrono::seconds lockout{60}; // after the last bad token
        int maxTrackedSenders = 10'000;   // memory bound under a flood of senders
    };

    enum class Verdict { Accept, Malformed, LockedOut, Busy, InvalidToken };

    PairingGate(PairingTokens &tokens, Limits limits, Now now = &Clock::now);

    // request: the parsed <pair/>, std::nullopt when it did not parse. On Accept the
    // token is spent.
    Verdict check(const QString &senderBareJid, const std::optional<PairRequest> &request, bool slotFree);

    // The stanza error the protocol names for a refusal.
    static xmpp::StanzaError errorFor(Verdict verdict);
    // The protocol's application condition for a bad token, <invalid-token/> in m:.
    static QDomElement invalidTokenCondition(QDomDocument &document);

    int trackedSenders() const { return int(m_senders.size()); }

private:
    struct Sender
    {
        std::deque<Clock::time_point> badTokens;
        Clock::time_point lockedUntil{};
    };
    void recordBadToken(const QString &sender);
    void forgetStale();

    PairingTokens &m_tokens;
    Limits m_limits;
    Now m_now;
    QHash<QString, Sender> m_senders;
};

} // namespace mobility
