#pragma once

#include <QRandomGenerator>

#include <chrono>

namespace xmpp {

// When to try again after a connection failed: exponential backoff with a cap and
// random jitter, so a fleet of displays that lost the same server does not return in one
// wave. Attempts only start counting from zero again once a connection stayed up for
// `stableAfter`, so a server that accepts and then drops every login is not hammered.
class ReconnectPolicy
{
public:
    using Duration = std::chrono::milliseconds;

    Duration initialDelay{1000};
    Duration maxDelay{60'000};
    Duration stableAfter{30'000};
    double factor = 2.0;

    // The wait before attempt number `attempt` (0 = first retry): uniformly random in
    // [d/2, d] with d = min(maxDelay, initialDelay * factor^attempt).
    Duration delayFor(int attempt, QRandomGenerator &random) const;
    Duration delayFor(int attempt) const { return delayFor(attempt, *QRandomGenerator::global()); }
};

} // namespace xmpp
