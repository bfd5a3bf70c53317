#include "jid.h"

#include <QAbstractSocket>
#include <QHostAddress>

#include <stringprep.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace xmpp {

namespace {

enum class Part { Local, Domain, Resource };

const Stringprep_profile *profileFor(Part part)
{
    switch (part) {
    case Part::Local:
        return stringprep_xmpp_nodeprep;
    case Part::Domain:
        return stringprep_nameprep;
    case Part::Resource:
        return stringprep_xmpp_resourceprep;
    }
    return nullptr;
}

int applyProfile(Part part, char *buffer, size_t capacity)
{
    // What the stringprep_xmpp_nodeprep()-style macros expand to, minus their plain 0
    // for the flags, which C++ will not convert to the enum. No flags: unassigned code
    // points stay allowed, as for RFC 3454 "queries", because Unicode 3.2 leaves
    // unassigned much that is in everyday use now (most emoji, for a start).
    return stringprep(buffer, capacity, Stringprep_profile_flags(0), profileFor(part));
}

std::optional<QString> prepare(Part part, QStringView input)
{
    // The C API stops at NUL: an embedded one would silently cut the part short.
    if (input.isEmpty() || input.contains(QChar(u'\0')))
        return std::nullopt;
    const QByteArray utf8 = input.toUtf8();
    // Preparation can grow the text (case folding, NFKC) or shrink it (characters
    // mapped to nothing); the result must fit 1023 bytes either way, and a result that
    // does not fit the buffer is rejected by stringprep as too long.
    const size_t capacity = size_t(std::max(utf8.size(), maxJidPartBytes)) + 1;
    std::vector<char> buffer(capacity, '\0');
    std::memcpy(buffer.data(), utf8.constData(), size_t(utf8.size()));
    if (applyProfile(part, buffer.data(), capacity) != STRINGPREP_OK)
        return std::nullopt;
    const size_t length = std::strlen(buffer.data());
    if (length == 0 || length > size_t(maxJidPartBytes))
        return std::nullopt;
    return QString::fromUtf8(buffer.data(), qsizetype(length));
}

bool isAsciiLabelCharacter(QChar c)
{
    // Letters, digits and hyphen (RFC 1034), plus underscore, which deployed service
    // and component names use although DNS host names may not.
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-' || c == u'_';
}

bool hasValidLabels(const QString &domain)
{
    qsizetype labelLength = 0;
    bool labelIsAscii = true;
    for (const QChar c : domain) {
        if (c == u'.') {
            if (labelLength == 0 || (labelIsAscii && labelLength > 63))
                return false;
            labelLength = 0;
            labelIsAscii = true;
            continue;
        }
        if (c.unicode() < 0x80) {
            if (!isAsciiLabelCharacter(c))
                return false;
        } else {
            // The DNS length limit applies to the punycode form, which libidn's
            // stringprep does not compute; leave non-ASCII labels to the length limit
            // of the whole part.
            labelIsAscii = false;
        }
        ++labelLength;
    }
    return labelLength > 0 && !(labelIsAscii && labelLength > 63);
}

std::optional<QString> prepareDomain(QStringView input)
{
    QString domain = input.toString();
    // Ideographic and full-width full stops separate labels like '.' (RFC 7622 3.2).
    for (QChar &c : domain) {
        if (c == QChar(0x3002) || c == QChar(0xFF0E) || c == QChar(0xFF61))
            c = u'.';
    }
    // A fully-qualified name's final dot is not part of the address (RFC 7622 3.2).
    if (domain.endsWith(u'.'))
        domain.chop(1);
    if (domain.isEmpty())
        return std::nullopt;

    if (domain.startsWith(u'[')) {
        if (!domain.endsWith(u']'))
            return std::nullopt;
        QHostAddress address;
        if (!address.setAddress(domain.mid(1, domain.size() - 2)) ||
            address.protocol() != QAbstractSocket::IPv6Protocol) {
            return std::nullopt;
        }
        return domain.toLower();
    }

    std::optional<QString> prepared = prepare(Part::Domain, domain);
    if (!prepared)
        return std::nullopt;
    QString lowered = prepared->toLower();
    if (!hasValidLabels(lowered))
        return std::nullopt;
    return lowered;
}

} // namespace

std::optional<Jid> Jid::fromParts(QStringView local, QStringView domain, QStringView resource)
{
    Jid jid;
    if (!local.isEmpty()) {
        std::optional<QString> prepared = prepare(Part::Local, local);
        if (!prepared)
            return std::nullopt;
        jid.m_local = std::move(*prepared);
    }
    std::optional<QString> preparedDomain = prepareDomain(domain);
    if (!preparedDomain)
        return std::nullopt;
    jid.m_domain = std::move(*preparedDomain);
    if (!resource.isEmpty()) {
        std::optional<QString> prepared = prepare(Part::Resource, resource);
        if (!prepared)
            return std::nullopt;
        jid.m_resource = std::move(*prepared);
    }
    return jid;
}

std::optional<Jid> Jid::parse(QStringView text)
{
    // Streams name the same few addresses over and over (a room, its occupants, the
    // user), and preparing a JID (stringprep) costs microseconds each time: the last few
    // results are kept per thread. The result depends on the text alone.
    struct Remembered
    {
        QString text;
        std::optional<Jid> jid;
    };
    constexpr qsizetype rememberedCount = 8;
    constexpr qsizetype maxRememberedChars = 256;
    thread_local std::array<Remembered, rememberedCount> remembered;
    thread_local qsizetype nextSlot = 0;
    for (const Remembered &entry : remembered) {
        if (!entry.text.isNull() && entry.text == text)
            return entry.jid;
    }
    std::optional<Jid> jid = parseUncached(text);
    if (text.size() <= maxRememberedChars) {
        remembered[nextSlot] = {text.toString(), jid};
        nextSlot = (nextSlot + 1) % rememberedCount;
    }
    return jid;
}

std::optional<Jid> Jid::parseUncached(QStringView text)
{
    // The first '/' starts the resource, which may itself contain '@' and '/'; the
    // localpart is what precedes the first '@' before that (RFC 7622 3.2).
    const qsizetype slash = text.indexOf(u'/');
    const QStringView head = slash < 0 ? text : text.left(slash);
    const QStringView resource = slash < 0 ? QStringView() : text.mid(slash + 1);
    if (slash >= 0 && resource.isEmpty())
        return std::nullopt;
    const qsizetype at = head.indexOf(u'@');
    const QStringView local = at < 0 ? QStringView() : head.left(at);
    const QStringView domain = at < 0 ? head : head.mid(at + 1);
    if (at >= 0 && local.isEmpty())
        return std::nullopt;
    return fromParts(local, domain, resource);
}

Jid Jid::bare() const
{
    Jid jid = *this;
    jid.m_resource.clear();
    return jid;
}

std::optional<Jid> Jid::withResource(QStringView resource) const
{
    if (isNull() || resource.isEmpty())
        return std::nullopt;
    std::optional<QString> prepared = prepare(Part::Resource, resource);
    if (!prepared)
        return std::nullopt;
    Jid jid = *this;
    jid.m_resource = std::move(*prepared);
    return jid;
}

QString Jid::toString() const
{
    QString text;
    text.reserve(m_local.size() + m_domain.size() + m_resource.size() + 2);
    if (!m_local.isEmpty())
        text += m_local + u'@';
    text += m_domain;
    if (!m_resource.isEmpty())
        text += u'/' + m_resource;
    return text;
}

size_t qHash(const Jid &jid, size_t seed) noexcept
{
    return qHashMulti(seed, jid.local(), jid.domain(), jid.resource());
}

} // namespace xmpp
