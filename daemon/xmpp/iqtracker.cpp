#include "iqtracker.h"

#include "jid.h"
#include "logging.h"
#include "stanza.h"

namespace xmpp {

IqTracker::IqTracker(QObject *parent)
    : QObject(parent)
{
}

IqTracker::~IqTracker() = default;

void IqTracker::track(const QString &id, const QString &to, const QString &ownJid, int timeoutMs,
                      QObject *context, IqCallback callback)
{
    if (int(m_pending.size()) >= m_maxPending) {
        callback(makeError(ErrorCondition::LimitExceeded,
                           QStringLiteral("more than %1 requests waiting for replies").arg(m_maxPending)));
        return;
    }
    if (m_pending.contains(id)) {
        callback(makeError(ErrorCondition::InvalidInput, QStringLiteral("IQ id %1 is already waiting").arg(id)));
        return;
    }
    Pending pending;
    pending.to = to;
    pending.ownJid = ownJid;
    pending.context = context;
    pending.hasContext = context != nullptr;
    pending.callback = std::move(callback);
    pending.timer = std::make_unique<QTimer>();
    pending.timer->setSingleShot(true);
    connect(pending.timer.get(), &QTimer::timeout, this, [this, id, timeoutMs] {
        finish(id, makeError(ErrorCondition::Timeout, QStringLiteral("no reply within %1 ms").arg(timeoutMs)));
    });
    pending.timer->start(timeoutMs);
    m_pending.emplace(id, std::move(pending));
}

bool IqTracker::handleReply(const QDomElement &iq)
{
    const QString type = iq.attribute(QStringLiteral("type"));
    if (type != QStringLiteral("result") && type != QStringLiteral("error"))
        return false;
    const QString id = iq.attribute(QStringLiteral("id"));
    const auto it = m_pending.find(id);
    if (it == m_pending.end())
        return false;
    const QString from = iq.attribute(QStringLiteral("from"));
    if (!senderMatches(it->second.to, from, it->second.ownJid)) {
        qCWarning(lcXmppClient) << "ignored a reply to" << id << "from" << from << "instead of"
                                << (it->second.to.isEmpty() ? QStringLiteral("the own account") : it->second.to);
        return false;
    }
    if (type == QStringLiteral("result")) {
        finish(id, iq);
    } else {
        const auto error = StanzaError::fromDom(iq.firstChildElement(QStringLiteral("error")));
        finish(id, error ? error->toError()
                         : makeError(ErrorCondition::StanzaError, QStringLiteral("error reply without a condition"),
                                     QStringLiteral("undefined-condition")));
    }
    return true;
}

void IqTracker::cancelAll(const Error &error)
{
    std::vector<QString> ids;
    ids.reserve(m_pending.size());
    for (const auto &[id, pending] : m_pending)
        ids.push_back(id);
    for (const QString &id : ids)
        finish(id, error);
}

void IqTracker::finish(const QString &id, const IqResult &result)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    Pending pending = std::move(it->second);
    m_pending.erase(it);
    pending.timer->stop();
    if (pending.hasContext && !pending.context)
        return; // the waiting object is gone
    pending.callback(result);
}

bool IqTracker::senderMatches(const QString &to, const QString &from, const QString &ownJid)
{
    const auto own = Jid::parse(ownJid);
    if (to.isEmpty() || (own && Jid::parse(to) == own->bare())) {
        // Requests to the own account are answered by the server on its behalf.
        if (from.isEmpty())
            return true;
        const auto sender = Jid::parse(from);
        return sender && own && (*sender == own->bare() || *sender == *own);
    }
    const auto expected = Jid::parse(to);
    const auto sender = Jid::parse(from);
    return expected && sender && *expected == *sender;
}

} // namespace xmpp
