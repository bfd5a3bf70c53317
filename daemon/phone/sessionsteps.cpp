#include "sessionsteps.h"

#include "eventlog.h"
#include "protocol.h"

namespace phone {

SessionLink::~SessionLink() = default;
SessionStep::~SessionStep() = default;

HoldStep::HoldStep(int seconds, QObject *parent)
    : SessionStep(parent)
    , m_seconds(seconds)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &SessionStep::done);
}

void HoldStep::start(SessionLink &link)
{
    link.events().write(QStringLiteral("holding"), {{QStringLiteral("seconds"), m_seconds}});
    m_timer.start(std::chrono::seconds(m_seconds));
}

HoldUntilEndedStep::HoldUntilEndedStep(int maxSeconds, QObject *parent)
    : SessionStep(parent)
    , m_maxSeconds(maxSeconds)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        Q_EMIT failed(ExitStatus::Timeout, QStringLiteral("timeout"),
                      QStringLiteral("the display did not end the session within %1 s").arg(m_maxSeconds));
    });
}

void HoldUntilEndedStep::start(SessionLink &link)
{
    link.events().write(QStringLiteral("holding"), {{QStringLiteral("until"), QStringLiteral("ended")}});
    m_timer.start(std::chrono::seconds(m_maxSeconds));
}

ViewStep::ViewStep(mobility::ViewRequest view, QObject *parent)
    : SessionStep(parent)
    , m_view(std::move(view))
{
}

void ViewStep::start(SessionLink &link)
{
    m_view.sid = link.sid();
    QDomDocument document;
    link.events().write(QStringLiteral("view"), {{QStringLiteral("app"), m_view.app}, {QStringLiteral("rules"), int(m_view.rules.size())}});
    link.sendToDisplay(m_view.toDom(document), this, [this](const xmpp::IqResult &reply) {
        if (reply.ok()) {
            Q_EMIT done();
            return;
        }
        const xmpp::Error &error = reply.error();
        if (error.condition == xmpp::ErrorCondition::Timeout)
            Q_EMIT failed(ExitStatus::Timeout, QStringLiteral("timeout"), QStringLiteral("the display did not answer <view/> in time"));
        else if (error.condition == xmpp::ErrorCondition::StanzaError)
            Q_EMIT failed(ExitStatus::SessionFailed, error.protocolCondition,
                          error.protocolCondition == QStringLiteral("item-not-found")
                              ? QStringLiteral("the display has no app '%1'").arg(m_view.app)
                              : QStringLiteral("the display refused the view (%1)").arg(error.protocolCondition));
        else
            Q_EMIT failed(ExitStatus::ConnectionFailed, xmpp::Error::conditionName(error.condition), error.message());
    });
}

void EndStep::start(SessionLink &link)
{
    QDomDocument document;
    const QDomElement end = mobility::SidOnly{mobility::SidOnly::Kind::End, link.sid()}.toDom(document);
    link.events().write(QStringLiteral("ending"));
    link.sendToDisplay(end, this, [this](const xmpp::IqResult &reply) {
        if (reply.ok()) {
            Q_EMIT done();
            return;
        }
        const xmpp::Error &error = reply.error();
        if (error.condition == xmpp::ErrorCondition::Timeout) {
            Q_EMIT failed(ExitStatus::Timeout, QStringLiteral("timeout"),
                          QStringLiteral("the display did not answer <end/> in time"));
        } else if (error.condition == xmpp::ErrorCondition::StanzaError) {
            Q_EMIT failed(ExitStatus::SessionFailed, error.protocolCondition,
                          QStringLiteral("the display refused to end the session (%1)").arg(error.protocolCondition));
        } else {
            Q_EMIT failed(ExitStatus::ConnectionFailed, xmpp::Error::conditionName(error.condition), error.message());
        }
    });
}

std::vector<std::unique_ptr<SessionStep>> stepsFor(const SessionPlan &plan)
{
    std::vector<std::unique_ptr<SessionStep>> steps;
    if (plan.view)
        steps.push_back(std::make_unique<ViewStep>(*plan.view));
    if (plan.holdSeconds)
        steps.push_back(std::make_unique<HoldStep>(*plan.holdSeconds));
    if (plan.holdUntilEnded)
        steps.push_back(std::make_unique<HoldUntilEndedStep>(PhoneOptions::maxHoldSeconds));
    if (plan.end)
        steps.push_back(std::make_unique<EndStep>());
    return steps;
}

} // namespace phone
