#pragma once

#include <QString>

namespace xmpp::ns {

inline const QString client = QStringLiteral("jabber:client");
inline const QString stream = QStringLiteral("http://etherx.jabber.org/streams");
inline const QString streamErrors = QStringLiteral("urn:ietf:params:xml:ns:xmpp-streams");
inline const QString stanzaErrors = QStringLiteral("urn:ietf:params:xml:ns:xmpp-stanzas");
inline const QString tls = QStringLiteral("urn:ietf:params:xml:ns:xmpp-tls");
inline const QString sasl = QStringLiteral("urn:ietf:params:xml:ns:xmpp-sasl");
inline const QString bind = QStringLiteral("urn:ietf:params:xml:ns:xmpp-bind");
inline const QString session = QStringLiteral("urn:ietf:params:xml:ns:xmpp-session");
inline const QString discoInfo = QStringLiteral("http://jabber.org/protocol/disco#info");
inline const QString discoItems = QStringLiteral("http://jabber.org/protocol/disco#items");
inline const QString ping = QStringLiteral("urn:xmpp:ping");
inline const QString channelBinding = QStringLiteral("urn:xmpp:sasl-cb:0");
inline const QString delay = QStringLiteral("urn:xmpp:delay");
inline const QString forward = QStringLiteral("urn:xmpp:forward:0");

} // namespace xmpp::ns
