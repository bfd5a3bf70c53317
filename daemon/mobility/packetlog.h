#pragma once

// The packet log of a session (docs/protocol.md section 7): the stanzas a session
// received, kept so that the side taking the session over can replay what arrived after
// the state snapshot it got.

#include "error.h"
#include "protocol.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QDomDocument>
#include <QDomElement>
#include <QList>
#include <QLoggingCategory>
#include <optional>

// Session transfer: the packet log and state bundles.
Q_DECLARE_LOGGING_CATEGORY(lcTransfer)

namespace mobility {

struct PacketLogLimits
{
    // Raised to 1 and lowered to TransferOffer::maxLogCount when outside.
    int maxCount = 1000;
    // Serialized bytes of all stanzas; raised to 1 and lowered to PacketLog::maxBytesCap.
    qsizetype maxBytes = 1024 * 1024;
};

// Bounded by count and by serialized size: appending beyond either drops the oldest
// stanzas, since a replay is only useful for what arrived recently. Entries are kept in
// the order they were received; their time stamps never go backwards (see append()).
//
// Memory: entries are kept serialized, so maxBytes is about what the log holds. A DOM
// tree of the entries is built when entries() is first asked for (a transfer, a
// replay), not while the log fills: a session logs every stanza its view is shown.
class PacketLog
{
public:
    using Limits = PacketLogLimits;

    struct Entry
    {
        // A copy in jabber:client, held by the log: treat it as read-only. Valid until
        // the log changes.
        QDomElement stanza;
        QDateTime received;  // UTC, milliseconds
        qsizetype bytes = 0; // serialized, as xmpp::serializeStanza() writes it
    };

    explicit PacketLog(Limits limits = {});

    // Adds a stanza received at that time and returns how many of the oldest entries were
    // dropped to stay within the limits. Refuses (InvalidInput) an invalid time or an
    // element ForwardedStanza::isValidStanza() rejects, and (LimitExceeded) a stanza that
    // alone is over maxBytes, leaving the log as it was. A time before the newest entry's
    // is recorded as that entry's: clocks step back, and the log must stay in order for
    // since() to find what came after a snapshot. serialized, when given, is
    // xmpp::serializeStanza(stanza), which a caller that needs it too need not compute twice.
    xmpp::Result<int> append(const QDomElement &stanza, const QDateTime &received, QByteArray serialized = {});

    // Oldest first. The reference is good until the log changes.
    const QList<Entry> &entries() const;
    qsizetype size() const { return m_stored.size(); }
    bool isEmpty() const { return m_stored.isEmpty(); }
    qsizetype bytes() const { return m_bytes; }
    // Entries dropped for the limits over the life of this log.
    qint64 droppedCount() const { return m_droppedCount; }
    const Limits &limits() const { return m_limits; }

    // The entries received at or after the given time, with the same limits: the part of
    // the log a receiver needs on top of a snapshot taken at that time. "At" is included
    // because stamps have millisecond resolution; a stanza from the snapshot's own
    // millisecond may so be replayed although the snapshot has it already, which is
    // better than losing one that it has not.
    PacketLog since(const QDateTime &time) const;

    // XEP-0297 <forwarded/> elements with XEP-0203 <delay stamp/>, oldest first.
    QList<QDomElement> toForwarded(QDomDocument &document) const;
    // The reverse, strictly: every element must be a valid ForwardedStanza, stamps must
    // not go backwards, and the whole must fit the limits (nothing is dropped).
    static std::optional<PacketLog> fromForwarded(const QList<QDomElement> &forwarded,
                                                  Limits limits = {});

    // The log as a document of its own: <log xmlns='urn:kioskd:mobility:0'> holding the
    // <forwarded/> elements, UTF-8, no XML declaration. This is log.xml in a state bundle.
    QByteArray toXml() const;
    // Parses toXml()'s format with the restricted XML of XMPP streams (no DTD, no entity
    // declarations), as strictly as fromForwarded().
    static std::optional<PacketLog> fromXml(QByteArrayView xml, Limits limits = {});
    // The longest document fromXml() reads for those limits: the stanzas plus room for
    // each one's <forwarded/> and <delay/>.
    static qsizetype maxXmlBytes(const Limits &limits);

    // Upper bound for Limits::maxBytes.
    static constexpr qsizetype maxBytesCap = 64 * 1024 * 1024;

private:
    // Drops the oldest entries until one of the given size fits; returns how many.
    int makeRoom(qsizetype incomingBytes);

    struct Stored
    {
        QByteArray xml; // as xmpp::serializeStanza() writes it, jabber:client implicit
        QDateTime received;
    };

    Limits m_limits;
    QList<Stored> m_stored;
    qsizetype m_bytes = 0;
    qint64 m_droppedCount = 0;
    // entries(), built from m_stored on demand; gone whenever m_stored changes.
    mutable std::optional<QList<Entry>> m_entries;
};

} // namespace mobility
