#include "pairingtokens.h"

#include <QRandomGenerator>

namespace mobility {

PairingTokens::PairingTokens(std::chrono::seconds rotationPeriod, std::chrono::seconds grace, Now now)
    : m_rotationPeriod(rotationPeriod)
    , m_grace(grace)
    , m_now(std::move(now))
{
    m_current = generate();
    m_rotatesAt = m_now() + m_rotationPeriod;
}

QString PairingTokens::generate()
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    QString token;
    token.reserve(tokenLength);
    QRandomGenerator *random = QRandomGenerator::system();
    for (int i = 0; i < tokenLength; ++i)
        token.append(QLatin1Char(alphabet[random->bounded(32)]));
    return token;
}

void PairingTokens::rotateIfDue()
{
    const auto now = m_now();
    if (now < m_rotatesAt)
        return;
    // Several periods may have passed (a suspended machine): only the last one's token
    // could have been on screen, and it gets its grace from its own rotation time.
    const auto periods = (now - m_rotatesAt) / m_rotationPeriod;
    const auto lastRotation = m_rotatesAt + periods * m_rotationPeriod;
    if (periods == 0) {
        m_previous = m_current;
        m_previousValidUntil = lastRotation + m_grace;
    } else {
        m_previous.clear();
    }
    m_current = generate();
    m_rotatesAt = lastRotation + m_rotationPeriod;
}

QString PairingTokens::current()
{
    rotateIfDue();
    return m_current;
}

std::chrono::milliseconds PairingTokens::untilRotation() const
{
    const auto left = m_rotatesAt - m_now();
    return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(left));
}

void PairingTokens::rotate(bool keepGrace)
{
    if (keepGrace) {
        m_previous = m_current;
        m_previousValidUntil = m_now() + m_grace;
    } else {
        m_previous.clear();
    }
    m_current = generate();
    m_rotatesAt = m_now() + m_rotationPeriod;
}

bool PairingTokens::sameToken(const QString &a, const QString &b)
{
    if (a.size() != b.size() || a.isEmpty())
        return false;
    // Compare every character so the time taken says nothing about a near miss.
    char16_t difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= char16_t(a[i].toUpper().unicode() ^ b[i].toUpper().unicode());
    return difference == 0;
}

bool PairingTokens::consume(const QString &token)
{
    rotateIfDue();
    if (sameToken(token, m_current)) {
        rotate(false);
        return true;
    }
    if (!m_previous.isEmpty() && m_now() < m_previousValidUntil && sameToken(token, m_previous)) {
        m_previous.clear();
        return true;
    }
    return false;
}

} // namespace mobility
