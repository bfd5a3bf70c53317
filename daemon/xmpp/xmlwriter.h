#pragma once

#include <QByteArray>
#include <QDomElement>
#include <QString>
#include <QStringView>

namespace xmpp {

// Serialises one stanza (or nonza) as it goes on the wire inside a client stream:
// compact UTF-8, jabber:client as the default namespace and 'stream' bound to the
// streams namespace, so a jabber:client element carries no xmlns and children only
// declare a namespace where it changes. Elements created without a namespace
// (QDomDocument::createElement) inherit their parent's. Comments, processing
// instructions and entity references are dropped (RFC 6120 11.1 forbids them), and
// characters XML 1.0 cannot carry are replaced by U+FFFD so the output is always
// well-formed.
QByteArray serializeStanza(const QDomElement &stanza);

// <?xml version='1.0'?><stream:stream ... version='1.0'> for a client-to-server stream.
// 'from' and 'lang' are left out when empty.
QByteArray streamHeader(const QString &to, const QString &from = {},
                        const QString &lang = QStringLiteral("en"));

// <stream:error><condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>[<text>]</stream:error>
QByteArray streamErrorElement(const QString &condition, const QString &text = {});

// </stream:stream>
QByteArray streamFooter();

// Escaping for character data and for attribute values in either quote style.
QString escapeXmlText(QStringView text);
QString escapeXmlAttribute(QStringView value);

} // namespace xmpp
