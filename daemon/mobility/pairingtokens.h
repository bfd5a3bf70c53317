#pragma once

#include <QString>

#include <chrono>
#include <functional>
#include <optional>

namespace mobility {

// The one-time tokens a display shows in its QR code (protocol section 1).
// A token is valid until it is used once, or until it is replaced by rotation plus a
// grace period (so a code scanned just before it changed still works). Using a token
// replaces it at once. Pure logic with an injectable clock; the daemon drives rotation.
class PairingTokens
{
public:
    using Clock = std::chrono::steady_clock;
    using Now = std::function<Clock::time_point()>;

    static constexpr int tokenLength = 20; // base32 characters: 100 random bits

    explicit PairingTokens(std::chrono::seconds rotationPeriod = std::chrono::seconds(60),
                           std::chrono::seconds grace = std::chrono::seconds(10), Now now = &Clock::now);

    // The token to show now (rotating first if it is due).
    QString current();
    // Time left until current() changes by itself.
    std::chrono::milliseconds untilRotation() const;
    std::chrono::seconds rotationPeriod() const { return m_rotationPeriod; }

    // Replaces the token now. With keepGrace the replaced one keeps working for the grace
    // period (timed rotation); without, it dies at once (after a session, on a leak).
    void rotate(bool keepGrace);
    // Accepts a token once: true if it is the current one or the previous one within its
    // grace period. A match is spent: the token is replaced. Case-insensitive.
    bool consume(const QString &token);

    // 100 bits from the system CSPRNG, RFC 4648 base32 without padding.
    static QString generate();

private:
    void rotateIfDue();
    static bool sameToken(const QString &a, const QString &b);

    std::chrono::seconds m_rotationPeriod;
    std::chrono::seconds m_grace;
    Now m_now;
    QString m_current;
    Clock::time_point m_rotatesAt;
    QString m_previous;
    Clock::time_point m_previousValidUntil;
};

} // namespace mobility
