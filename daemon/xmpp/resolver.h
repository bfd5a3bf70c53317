#pragma once

#include "transport.h"

#include <QList>
#include <QObject>
#include <QTimer>

class QDnsLookup;

namespace xmpp {

// Finds where a domain's XMPP service listens: SRV records for _xmpps-client._tcp
// (direct TLS, XEP-0368) and _xmpp-client._tcp (STARTTLS), ordered by priority and
// weight; without records, the domain itself on port 5222.
class ServerResolver : public QObject
{
    Q_OBJECT
public:
    explicit ServerResolver(QObject *parent = nullptr);
    ~ServerResolver() override;

    // -> resolved(addresses) within timeoutMs even if DNS hangs; empty only when the
    // domain's records say it offers no XMPP service.
    void resolve(const QString &domain, int timeoutMs = 5000);

    struct SrvRecord
    {
        QString target;
        quint16 port;
        quint16 priority;
        quint16 weight;
        TlsMode tls;
    };
    // Orders records as RFC 2782 asks (priority, then weight, heavier first in this simple
    // deterministic form); "." as the only target means the service is not offered.
    static QList<ServerAddress> order(QList<SrvRecord> records, const QString &domain);

Q_SIGNALS:
    void resolved(const QList<xmpp::ServerAddress> &addresses);

private:
    void finishIfDone();

    QString m_domain;
    QList<SrvRecord> m_records;
    QList<QDnsLookup *> m_pending;
    QTimer m_timeout;
};

} // namespace xmpp
