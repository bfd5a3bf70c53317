#include "pairinggate.h"

namespace mobility {

PairingGate::PairingGate(PairingTokens &tokens, Limits limits, Now now)
    : m_tokens(tokens)
    , m_limits(limits)
    , m_now(std::move(now))
{
}

PairingGate::Verdict PairingGate::check(const QString &senderBareJid, const std::optional<PairRequest> &request,
                                        bool slotFree)
{
    if (!request)
        return Verdict::Malformed;
    if (const auto sender = m_senders.constFind(senderBareJid);
        sender != m_senders.cend() && m_now() < sender->lockedUntil)
        return Verdict::LockedOut;
    if (!slotFree)
        return Verdict::Busy;
    if (!m_tokens.consume(request->token)) {
        recordBadToken(senderBareJid);
        return Verdict::InvalidToken;
    }
    return Verdict::Accept;
}

void PairingGate::recordBadToken(const QString &senderBareJid)
{
    const auto now = m_now();
    if (!m_senders.contains(senderBareJid) && int(m_senders.size()) >= m_limits.maxTrackedSenders)
        forgetStale();
    Sender &sender = m_senders[senderBareJid];
    sender.badTokens.push_back(now);
    while (!sender.badTokens.empty() && sender.badTokens.front() <= now - m_limits.window)
        sender.badTokens.pop_front();
    if (int(sender.badTokens.size()) >= m_limits.badTokensForLockout) {
        sender.lockedUntil = now + m_limits.lockout;
        sender.badTokens.clear();
    }
}

void PairingGate::forgetStale()
{
    const auto now = m_now();
    m_senders.removeIf([&](const auto &entry) {
        const Sender &sender = entry.value();
        const bool recent = !sender.badTokens.empty() && sender.badTokens.back() > now - m_limits.window;
        return !recent && sender.lockedUntil <= now;
    });
    // Still full of active senders (a flood): drop the least dangerous half, those not locked out.
    if (int(m_senders.size()) >= m_limits.maxTrackedSenders)
        m_senders.removeIf([&](const auto &entry) { return entry.value().lockedUntil <= now; });
}

xmpp::StanzaError PairingGate::errorFor(Verdict verdict)
{
    using Type = xmpp::StanzaError::Type;
    switch (verdict) {
    case Verdict::Malformed:
        return {Type::Modify, QStringLiteral("bad-request"), QStringLiteral("the pair request is malformed")};
    case Verdict::LockedOut:
        return {Type::Wait, QStringLiteral("policy-violation"), QStringLiteral("too many wrong codes; wait a minute")};
    case Verdict::Busy:
        return {Type::Wait, QStringLiteral("resource-constraint"), QStringLiteral("the display is in use")};
    case Verdict::InvalidToken:
        return {Type::Cancel, QStringLiteral("not-authorized"), QStringLiteral("the code is unknown, used or expired; scan it again")};
    case Verdict::Accept:
        break;
    }
    return {Type::Cancel, QStringLiteral("undefined-condition")};
}

QDomElement PairingGate::invalidTokenCondition(QDomDocument &document)
{
    return document.createElementNS(ns, QStringLiteral("invalid-token"));
}

} // namespace mobility
