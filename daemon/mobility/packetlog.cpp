#include "packetlog.h"

#include "namespaces.h"
#include "streamparser.h"
#include "xmlwriter.h"

#include <algorithm>
#include <vector>

Q_LOGGING_CATEGORY(lcTransfer, "kioskd.mobility.transfer", QtInfoMsg)

namespace mobility {

namespace {

using xmpp::ErrorCondition;
using xmpp::makeError;

// What <forwarded/>, <delay stamp/> and the jabber:client declaration add to a stanza in
// log.xml (some 160 bytes), rounded up.
constexpr qsizetype forwardingBytesPerEntry = 256;
constexpr qsizetype logElementBytes = 1024;

PacketLog::Limits clamped(PacketLog::Limits limits)
{
    limits.maxCount = std::clamp(limits.maxCount, 1, TransferOffer::maxLogCount);
    limits.maxBytes = std::clamp<qsizetype>(limits.maxBytes, 1, PacketLog::maxBytesCap);
    return limits;
}

bool isNamespaceDeclaration(const QDomAttr &attribute)
{
    const QString name = attribute.name();
    return name == u"xmlns" || name.startsWith(u"xmlns:") ||
           attribute.namespaceURI() == u"http://www.w3.org/2000/xmlns/";
}

bool hasAttributesOtherThanNamespaces(const QDomElement &element)
{
    const QDomNamedNodeMap attributes = element.attributes();
    for (int i = 0; i < attributes.count(); ++i) {
        if (!isNamespaceDeclaration(attributes.item(i).toAttr()))
            return true;
    }
    return false;
}

bool hasText(const QDomElement &element)
{
    for (QDomNode node = element.firstChild(); !node.isNull(); node = node.nextSibling()) {
        if ((node.isText() || node.isCDATASection()) && !node.nodeValue().trimmed().isEmpty())
            return true;
    }
    return false;
}

} // namespace

PacketLog::PacketLog(Limits limits)
    : m_limits(clamped(limits))
{
}

xmpp::Result<int> PacketLog::append(const QDomElement &stanza, const QDateTime &received, QByteArray serialized)
{
    if (!received.isValid())
        return makeError(ErrorCondition::InvalidInput,
                         QStringLiteral("a packet log entry needs a valid reception time"));
    QDateTime stamp = received.toUTC();
    // XEP-0082 writes four-digit years.
    if (stamp.date().year() < 1 || stamp.date().year() > 9999)
        return makeError(ErrorCondition::InvalidInput,
                         QStringLiteral("reception time %1 cannot be written as an XEP-0082 stamp")
                             .arg(stamp.toString(Qt::ISODate)));
    if (!ForwardedStanza::isValidStanza(stanza))
        return makeError(ErrorCondition::InvalidInput,
                         QStringLiteral("only a valid message, presence or iq can go into the "
                                        "packet log"));

    Stored entry;
    if (stanza.namespaceURI() == xmpp::ns::client) {
        entry.xml = serialized.isEmpty() ? xmpp::serializeStanza(stanza) : std::move(serialized);
    } else {
        // Written without a namespace: it is a jabber:client stanza all the same.
        QDomDocument document;
        entry.xml = xmpp::serializeStanza(ForwardedStanza::copyStanza(document, stanza));
    }
    if (entry.xml.size() > m_limits.maxBytes)
        return makeError(ErrorCondition::LimitExceeded,
                         QStringLiteral("a stanza of %1 bytes is larger than the packet log's "
                                        "limit of %2 bytes")
                             .arg(entry.xml.size())
                             .arg(m_limits.maxBytes));
    if (!m_stored.isEmpty() && stamp < m_stored.last().received) {
        qCDebug(lcTransfer) << "packet log: reception time went back by"
                            << stamp.msecsTo(m_stored.last().received)
                            << "ms; keeping the log in order";
        stamp = m_stored.last().received;
    }
    entry.received = stamp;

    const int dropped = makeRoom(entry.xml.size());
    m_bytes += entry.xml.size();
    m_stored.append(std::move(entry));
    // The DOM of entries() describes the old log; it goes with it.
    m_entries.reset();
    return dropped;
}

const QList<PacketLog::Entry> &PacketLog::entries() const
{
    if (m_entries)
        return *m_entries;
    m_entries.emplace();
    if (m_stored.isEmpty())
        return *m_entries;
    // Read back the way they arrived: as stanzas of a jabber:client stream, so that each
    // comes out as it went in (text that is only whitespace included).
    xmpp::StreamParserLimits parserLimits;
    parserLimits.maxStanzaBytes = m_limits.maxBytes;
    xmpp::StreamParser parser(parserLimits);
    const auto opened = parser.feed("<stream:stream xmlns='jabber:client' "
                                    "xmlns:stream='http://etherx.jabber.org/streams'>");
    QList<Entry> entries;
    entries.reserve(m_stored.size());
    for (const Stored &stored : m_stored) {
        const auto events = parser.feed(stored.xml);
        if (events.size() != 1 || events.front().type != xmpp::StreamEvent::Type::Stanza)
            break;
        entries.append({events.front().stanza, stored.received, stored.xml.size()});
    }
    if (opened.size() != 1 || entries.size() != m_stored.size()) {
        qCCritical(lcTransfer) << "packet log: its own serialization did not parse; the log reads as empty";
        return *m_entries;
    }
    *m_entries = std::move(entries);
    return *m_entries;
}

int PacketLog::makeRoom(qsizetype incomingBytes)
{
    int dropped = 0;
    while (!m_stored.isEmpty() && (m_stored.size() + 1 > m_limits.maxCount ||
                                   m_bytes + incomingBytes > m_limits.maxBytes)) {
        m_bytes -= m_stored.first().xml.size();
        m_stored.removeFirst();
        ++dropped;
    }
    if (dropped > 0) {
        m_droppedCount += dropped;
        qCDebug(lcTransfer) << "packet log: dropped" << dropped << "oldest stanzas,"
                            << m_droppedCount << "in all";
    }
    return dropped;
}

PacketLog PacketLog::since(const QDateTime &time) const
{
    PacketLog later(m_limits);
    const QDateTime from = time.toUTC();
    const auto first = std::find_if(m_stored.cbegin(), m_stored.cend(),
                                    [&](const Stored &entry) { return entry.received >= from; });
    for (auto it = first; it != m_stored.cend(); ++it) {
        later.m_stored.append(*it);
        later.m_bytes += it->xml.size();
    }
    return later;
}

QList<QDomElement> PacketLog::toForwarded(QDomDocument &document) const
{
    QList<QDomElement> forwarded;
    forwarded.reserve(m_stored.size());
    for (const Entry &entry : entries())
        forwarded.append(ForwardedStanza{entry.stanza, entry.received}.toDom(document));
    return forwarded;
}

std::optional<PacketLog> PacketLog::fromForwarded(const QList<QDomElement> &forwarded,
                                                  Limits limits)
{
    PacketLog log(limits);
    if (forwarded.size() > log.m_limits.maxCount)
        return std::nullopt;
    for (const QDomElement &element : forwarded) {
        const std::optional<ForwardedStanza> entry = ForwardedStanza::fromDom(element);
        if (!entry)
            return std::nullopt;
        if (!log.isEmpty() && entry->received < log.m_stored.last().received)
            return std::nullopt;
        const xmpp::Result<int> appended = log.append(entry->stanza, entry->received);
        // Dropping would hand the caller less than the sender sent without saying so.
        if (!appended || appended.value() > 0)
            return std::nullopt;
    }
    return log;
}

QByteArray PacketLog::toXml() const
{
    QDomDocument document;
    QDomElement log = document.createElementNS(ns, QStringLiteral("log"));
    for (const QDomElement &forwarded : toForwarded(document))
        log.appendChild(forwarded);
    return xmpp::serializeStanza(log);
}

qsizetype PacketLog::maxXmlBytes(const Limits &limits)
{
    const Limits bounded = clamped(limits);
    return bounded.maxBytes + qsizetype(bounded.maxCount) * forwardingBytesPerEntry +
           logElementBytes;
}

std::optional<PacketLog> PacketLog::fromXml(QByteArrayView xml, Limits limits)
{
    const qsizetype maxBytes = maxXmlBytes(limits);
    if (xml.size() > maxBytes)
        return std::nullopt;

    // The stream parser brings XMPP's restricted XML (no DTD, so no entity expansion)
    // and its size and depth limits; the document goes in as the one stanza of a stream.
    xmpp::StreamParserLimits parserLimits;
    parserLimits.maxStanzaBytes = maxBytes;
    parserLimits.maxDepth += 2; // <log/> and <forwarded/> above each stanza
    xmpp::StreamParser parser(parserLimits);
    std::vector<xmpp::StreamEvent> events =
        parser.feed("<stream:stream xmlns='jabber:client' "
                    "xmlns:stream='http://etherx.jabber.org/streams'>");
    const std::vector<xmpp::StreamEvent> documentEvents = parser.feed(xml);
    events.insert(events.end(), documentEvents.begin(), documentEvents.end());
    const bool closedByDocument =
        std::any_of(documentEvents.begin(), documentEvents.end(), [](const xmpp::StreamEvent &e) {
            return e.type == xmpp::StreamEvent::Type::StreamClosed;
        });
    if (closedByDocument)
        return std::nullopt;
    const std::vector<xmpp::StreamEvent> closing = parser.feed("</stream:stream>");
    events.insert(events.end(), closing.begin(), closing.end());

    if (events.size() != 3 || events[0].type != xmpp::StreamEvent::Type::StreamOpened ||
        events[1].type != xmpp::StreamEvent::Type::Stanza ||
        events[2].type != xmpp::StreamEvent::Type::StreamClosed)
        return std::nullopt;
    const QDomElement log = events[1].stanza;
    if (log.namespaceURI() != ns || log.localName() != u"log" ||
        hasAttributesOtherThanNamespaces(log) || hasText(log))
        return std::nullopt;

    QList<QDomElement> forwarded;
    for (QDomElement child = log.firstChildElement(); !child.isNull();
         child = child.nextSiblingElement()) {
        if (forwarded.size() >= TransferOffer::maxLogCount)
            return std::nullopt;
        forwarded.append(child);
    }
    return fromForwarded(forwarded, limits);
}

} // namespace mobility
