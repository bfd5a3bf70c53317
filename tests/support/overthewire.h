#pragma once

// For protocol tests: a payload parsed the way a client receives it (inside an IQ inside
// a jabber:client stream), and a message serialized onto the wire and parsed back.

#include "streamparser.h"
#include "xmlwriter.h"

#include <QDomDocument>
#include <QString>

inline QDomElement receive(const QString &payloadXml)
{
    xmpp::StreamParser parser;
    const std::vector<xmpp::StreamEvent> events = parser.feed(
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
        "<iq type='set' id='i1'>" +
        payloadXml.toUtf8() + "</iq>");
    if (events.size() != 2 || events[1].type != xmpp::StreamEvent::Type::Stanza)
        return {};
    return events[1].stanza.firstChildElement();
}

template <typename T> QDomElement overTheWire(const T &message)
{
    QDomDocument document;
    const QByteArray wire = xmpp::serializeStanza(message.toDom(document));
    return receive(QString::fromUtf8(wire));
}
