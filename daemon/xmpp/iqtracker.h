#pragma once

#include "error.h"

#include <QDomElement>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

namespace xmpp {

// The reply to an IQ request: the <iq type='result'/> element, or why there is none
// (StanzaError for an <iq type='error'/>, Timeout, Cancelled on disconnect).
using IqResult = Result<QDomElement>;
using IqCallback = std::function<void(const IqResult &)>;

// Maps outstanding IQ ids to the callback waiting for the reply. Each callback runs
// exactly once: with the reply, a timeout, or cancellation -- unless its context object
// was destroyed first. Replies from anyone but the addressee are ignored (RFC 6120 8.1.2.1
// leaves spoofing checks to the client).
class IqTracker : public QObject
{
    Q_OBJECT
public:
    static constexpr int defaultMaxPending = 1000;

    explicit IqTracker(QObject *parent = nullptr);
    ~IqTracker() override;

    // Waits for the reply to the request with this id that was sent to `to` (empty: to the
    // own account). ownJid is the full JID the request was sent from. Refused with
    // LimitExceeded (callback called at once) past maxPending requests.
    void track(const QString &id, const QString &to, const QString &ownJid, int timeoutMs,
               QObject *context, IqCallback callback);

    // Offers a received <iq type='result|error'/>; true when it answered a pending request.
    bool handleReply(const QDomElement &iq);

    // Ends every pending request with this error (e.g. Cancelled on disconnect).
    void cancelAll(const Error &error);

    int pendingCount() const { return int(m_pending.size()); }
    void setMaxPending(int count) { m_maxPending = count; }

    // Whether `from` may answer a request sent to `to` by ownJid.
    static bool senderMatches(const QString &to, const QString &from, const QString &ownJid);

private:
    struct Pending
    {
        QString to;
        QString ownJid;
        QPointer<QObject> context;
        bool hasContext = false;
        IqCallback callback;
        std::unique_ptr<QTimer> timer;
    };
    void finish(const QString &id, const IqResult &result);

    std::unordered_map<QString, Pending> m_pending;
    int m_maxPending = defaultMaxPending;
};

} // namespace xmpp
