#pragma once

#include <QLoggingCategory>

// One category per part of the core; enable with e.g. QT_LOGGING_RULES="kioskd.xmpp.*=true".
// Nothing logged under these categories contains a password, token or SASL payload.
Q_DECLARE_LOGGING_CATEGORY(lcXmppTransport)
Q_DECLARE_LOGGING_CATEGORY(lcXmppStream)
Q_DECLARE_LOGGING_CATEGORY(lcXmppSasl)
Q_DECLARE_LOGGING_CATEGORY(lcXmppClient)
