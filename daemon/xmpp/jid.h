#pragma once

#include <QHashFunctions>
#include <QMetaType>
#include <QString>
#include <QStringView>

#include <optional>

namespace xmpp {

// An XMPP address: [localpart@]domainpart[/resourcepart] (RFC 7622 section 3.1).
//
// The parts are held in their canonical (prepared) form, so two Jids compare equal
// exactly when they address the same entity. Preparation uses libidn's stringprep
// profiles of RFC 6122 (nodeprep, nameprep, resourceprep) rather than the PRECIS
// profiles RFC 7622 specifies: no PRECIS library is packaged for the target system,
// and for the addresses seen in practice (ASCII, Latin, CJK, emoji in resources) both
// give the same result. Known differences: RFC 6122 allows some compatibility
// characters PRECIS rejects, and resources are NFKC-normalised rather than NFC.
class Jid
{
public:
    // The null Jid: no domain. Not a valid address; what an absent 'from'/'to' yields.
    Jid() = default;

    // Parses and prepares "local@domain/resource". std::nullopt when the text is not a
    // valid address: an empty part where a separator announces one ("@d", "l@", "d/"),
    // a prohibited character, or a part longer than 1023 bytes once prepared.
    static std::optional<Jid> parse(QStringView text);
    // Builds from separate parts; an empty local or resource means "absent".
    static std::optional<Jid> fromParts(QStringView local, QStringView domain,
                                        QStringView resource = {});

    const QString &local() const { return m_local; }
    const QString &domain() const { return m_domain; }
    const QString &resource() const { return m_resource; }

    bool isNull() const { return m_domain.isEmpty(); }
    bool isBare() const { return m_resource.isEmpty(); }
    bool isDomain() const { return m_local.isEmpty() && m_resource.isEmpty(); }

    Jid bare() const;
    // std::nullopt when the resource is empty or not valid.
    std::optional<Jid> withResource(QStringView resource) const;

    QString toString() const;

    friend bool operator==(const Jid &, const Jid &) = default;

private:
    static std::optional<Jid> parseUncached(QStringView text);
    QString m_local;
    QString m_domain;
    QString m_resource;
};

size_t qHash(const Jid &jid, size_t seed = 0) noexcept;

// The largest prepared part RFC 7622 allows, in UTF-8 bytes.
inline constexpr qsizetype maxJidPartBytes = 1023;

} // namespace xmpp

Q_DECLARE_TYPEINFO(xmpp::Jid, Q_RELOCATABLE_TYPE);
Q_DECLARE_METATYPE(xmpp::Jid)
