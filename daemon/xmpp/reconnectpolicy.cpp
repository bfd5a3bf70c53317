#include "reconnectpolicy.h"

#include <algorithm>
#include <cmath>

namespace xmpp {

ReconnectPolicy::Duration ReconnectPolicy::delayFor(int attempt, QRandomGenerator &random) const
{
    const double exponent = std::clamp(attempt, 0, 62);
    const double ceiling = std::min<double>(double(maxDelay.count()), double(initialDelay.count()) * std::pow(factor, exponent));
    const auto high = qint64(ceiling);
    const qint64 low = high / 2;
    return Duration(low + (high > low ? qint64(random.bounded(quint64(high - low + 1))) : 0));
}

} // namespace xmpp
