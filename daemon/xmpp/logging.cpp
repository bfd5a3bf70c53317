#include "logging.h"

Q_LOGGING_CATEGORY(lcXmppTransport, "kioskd.xmpp.transport", QtInfoMsg)
Q_LOGGING_CATEGORY(lcXmppStream, "kioskd.xmpp.stream", QtInfoMsg)
Q_LOGGING_CATEGORY(lcXmppSasl, "kioskd.xmpp.sasl", QtInfoMsg)
Q_LOGGING_CATEGORY(lcXmppClient, "kioskd.xmpp.client", QtInfoMsg)
