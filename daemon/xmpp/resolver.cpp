#include "resolver.h"

#include "logging.h"

#include <QDnsLookup>

#include <algorithm>

namespace xmpp {

ServerResolver::ServerResolver(QObject *parent)
    : QObject(parent)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        qCInfo(lcXmppTransport) << "SRV lookup for" << m_domain << "timed out; using what arrived";
        for (QDnsLookup *lookup : std::as_const(m_pending)) {
            lookup->disconnect(this);
            lookup->abort();
            lookup->deleteLater();
        }
        m_pending.clear();
        finishIfDone();
    });
}

ServerResolver::~ServerResolver() = default;

void ServerResolver::resolve(const QString &domain, int timeoutMs)
{
    m_domain = domain;
    m_records.clear();
    const std::pair<QString, TlsMode> services[] = {
        {QStringLiteral("_xmpps-client._tcp."), TlsMode::DirectTls},
        {QStringLiteral("_xmpp-client._tcp."), TlsMode::StartTls},
    };
    for (const auto &[prefix, tls] : services) {
        auto *lookup = new QDnsLookup(QDnsLookup::SRV, prefix + domain, this);
        m_pending.append(lookup);
        connect(lookup, &QDnsLookup::finished, this, [this, lookup, mode = tls] {
            if (lookup->error() == QDnsLookup::NoError) {
                for (const QDnsServiceRecord &record : lookup->serviceRecords())
                    m_records.append({record.target(), record.port(), record.priority(), record.weight(), mode});
            }
            m_pending.removeOne(lookup);
            lookup->deleteLater();
            finishIfDone();
        });
        lookup->lookup();
    }
    m_timeout.start(timeoutMs);
}

void ServerResolver::finishIfDone()
{
    if (!m_pending.isEmpty())
        return;
    m_timeout.stop();
    Q_EMIT resolved(order(m_records, m_domain));
}

QList<ServerAddress> ServerResolver::order(QList<SrvRecord> records, const QString &domain)
{
    const bool refused = std::any_of(records.cbegin(), records.cend(), [](const SrvRecord &r) {
        return r.target.isEmpty() || r.target == QStringLiteral(".");
    });
    records.removeIf([](const SrvRecord &r) { return r.target.isEmpty() || r.target == QStringLiteral("."); });
    if (records.isEmpty()) {
        // RFC 6120 3.2.1: a lone "." target says the service is decidedly not offered.
        if (refused)
            return {};
        return {ServerAddress{domain, 5222, TlsMode::StartTls}};
    }
    std::stable_sort(records.begin(), records.end(), [](const SrvRecord &a, const SrvRecord &b) {
        if (a.priority != b.priority)
            return a.priority < b.priority;
        if (a.weight != b.weight)
            return a.weight > b.weight;
        // At equal rank, direct TLS saves a round trip.
        return a.tls == TlsMode::DirectTls && b.tls != TlsMode::DirectTls;
    });
    QList<ServerAddress> addresses;
    for (const SrvRecord &record : records) {
        QString target = record.target;
        if (target.endsWith(u'.'))
            target.chop(1);
        addresses.append({target, record.port, record.tls});
    }
    return addresses;
}

} // namespace xmpp
