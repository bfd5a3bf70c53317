#include "sessionsteps.h"

#include "eventlog.h"
#include "protocol.h"
#include "statefolder.h"

#include <QRandomGenerator>

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

void SessionStep::failForReply(const xmpp::Error &error, const QString &request, const QString &refusal)
{
    if (error.condition == xmpp::ErrorCondition::Timeout)
        Q_EMIT failed(ExitStatus::Timeout, QStringLiteral("timeout"), QStringLiteral("the display did not answer %1 in time").arg(request));
    else if (error.condition == xmpp::ErrorCondition::StanzaError)
        Q_EMIT failed(ExitStatus::SessionFailed, error.protocolCondition, refusal);
    else
        Q_EMIT failed(ExitStatus::ConnectionFailed, xmpp::Error::conditionName(error.condition), error.message());
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
        failForReply(error, QStringLiteral("<view/>"),
                     error.protocolCondition == QStringLiteral("item-not-found")
                         ? QStringLiteral("the display has no app '%1'").arg(m_view.app)
                         : QStringLiteral("the display refused the view (%1)").arg(error.protocolCondition));
    });
}

namespace {

QString newTid()
{
    return QStringLiteral("t") + QString::number(QRandomGenerator::system()->generate64(), 36);
}

QString failureCondition(mobility::TransferFailed::Reason reason)
{
    return QStringLiteral("transfer-") + mobility::TransferFailed::reasonName(reason);
}

} // namespace

void SessionStep::failForTransfer(mobility::TransferFailed::Reason reason, const xmpp::Error &error, const QString &what)
{
    Q_EMIT failed(error.condition == xmpp::ErrorCondition::Timeout ? ExitStatus::Timeout : ExitStatus::SessionFailed,
                  failureCondition(reason), QStringLiteral("%1: %2").arg(what, error.detailOrMessage()));
}

TransferReporter::TransferReporter(SessionLink &link, QString tid, QObject *parent)
    : QObject(parent)
    , m_link(link)
    , m_tid(std::move(tid))
{
    connect(&link.transfers(), &mobility::TransferHub::progress, this, [this](const mobility::TransferProgress &progress) {
        if (progress.tid != m_tid)
            return;
        const bool final = progress.bytesTotal > 0 && progress.bytesDone >= progress.bytesTotal;
        if (!final && m_lastReportMs >= 0 && progress.elapsedMs - m_lastReportMs < 1000)
            return;
        m_lastReportMs = progress.elapsedMs;
        m_link.events().write(QStringLiteral("transfer-progress"),
                              {{QStringLiteral("tid"), m_tid},
                               {QStringLiteral("direction"), progress.direction == mobility::TransferDirection::Incoming
                                                                 ? QStringLiteral("in")
                                                                 : QStringLiteral("out")},
                               {QStringLiteral("method"), mobility::transferMethodName(progress.method)},
                               {QStringLiteral("bytes"), progress.bytesDone},
                               {QStringLiteral("total"), progress.bytesTotal}});
    });
}

SendStateStep::SendStateStep(SessionPlan::StateToSend state, QObject *parent)
    : SessionStep(parent)
    , m_state(std::move(state))
    , m_tid(newTid())
{
}

void SendStateStep::start(SessionLink &link)
{
    mobility::TransferHub &hub = link.transfers();
    const qint64 total = m_state.state.fileBytes();
    using mobility::TransferMethod;
    QList<TransferMethod> methods = m_state.methods;
    if (methods.isEmpty())
        methods = mobility::TransferHub::preferredMethods(m_state.state);
    QStringList names;
    for (TransferMethod method : std::as_const(methods))
        names.append(mobility::transferMethodName(method));
    link.events().write(QStringLiteral("sending-state"), {{QStringLiteral("tid"), m_tid},
                                                          {QStringLiteral("files"), int(m_state.state.files.size())},
                                                          {QStringLiteral("log"), int(m_state.state.log.size())},
                                                          {QStringLiteral("bytes"), total},
                                                          {QStringLiteral("methods"), names.join(u',')}});
    new TransferReporter(link, m_tid, this);
    connect(&hub, &mobility::TransferHub::sent, this, [this, &link, total](const QString &tid, TransferMethod method) {
        if (tid != m_tid)
            return;
        link.events().write(QStringLiteral("state-sent"), {{QStringLiteral("tid"), m_tid},
                                                           {QStringLiteral("method"), mobility::transferMethodName(method)},
                                                           {QStringLiteral("bytes"), total}});
        Q_EMIT done();
    });
    connect(&hub, &mobility::TransferHub::failed, this,
            [this](const QString &tid, mobility::TransferDirection direction, mobility::TransferFailed::Reason reason,
                   const xmpp::Error &error) {
        if (tid == m_tid && direction == mobility::TransferDirection::Outgoing)
            failForTransfer(reason, error, QStringLiteral("the state did not reach the display"));
    });
    hub.send(m_tid, m_state.state, methods);
}

PullStateStep::PullStateStep(QString folder, QObject *parent)
    : SessionStep(parent)
    , m_folder(std::move(folder))
    , m_tid(newTid())
{
    m_offerTimer.setSingleShot(true);
}

void PullStateStep::start(SessionLink &link)
{
    mobility::TransferHub &hub = link.transfers();
    link.events().write(QStringLiteral("pulling-state"), {{QStringLiteral("tid"), m_tid}});
    new TransferReporter(link, m_tid, this);
    connect(&m_offerTimer, &QTimer::timeout, this, [this] {
        Q_EMIT failed(ExitStatus::Timeout, QStringLiteral("timeout"), QStringLiteral("the display offered no state in time"));
    });
    // The display's offer stops the wait; the transfer then bounds each of its own steps.
    connect(&hub, &mobility::TransferHub::progress, this, [this](const mobility::TransferProgress &progress) {
        if (progress.tid == m_tid)
            m_offerTimer.stop();
    });
    connect(&hub, &mobility::TransferHub::received, this,
            [this, &link](const QString &tid, const mobility::StateBundle &state, mobility::TransferMethod method) {
        if (tid != m_tid)
            return;
        m_offerTimer.stop();
        if (const auto written = writeStateFolder(m_folder, state); !written) {
            Q_EMIT failed(ExitStatus::UsageError, QStringLiteral("write-failed"), written.error().detail);
            return;
        }
        link.events().write(QStringLiteral("state-received"), {{QStringLiteral("tid"), m_tid},
                                                               {QStringLiteral("method"), mobility::transferMethodName(method)},
                                                               {QStringLiteral("files"), int(state.files.size())},
                                                               {QStringLiteral("log"), int(state.log.size())},
                                                               {QStringLiteral("folder"), m_folder}});
        Q_EMIT done();
    });
    connect(&hub, &mobility::TransferHub::failed, this,
            [this](const QString &tid, mobility::TransferDirection direction, mobility::TransferFailed::Reason reason,
                   const xmpp::Error &error) {
        if (tid != m_tid || direction != mobility::TransferDirection::Incoming)
            return;
        m_offerTimer.stop();
        failForTransfer(reason, error, QStringLiteral("the display's state was not taken"));
    });
    QDomDocument document;
    link.sendToDisplay(mobility::StateRequest{link.sid(), m_tid}.toDom(document), this, [this, &link](const xmpp::IqResult &reply) {
        if (reply.ok()) {
            m_offerTimer.start(link.timeoutMs());
            return;
        }
        const xmpp::Error &error = reply.error();
        failForReply(error, QStringLiteral("<request/>"),
                     QStringLiteral("the display could not hand over its state (%1)").arg(error.protocolCondition));
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
        failForReply(error, QStringLiteral("<end/>"),
                     QStringLiteral("the display refused to end the session (%1)").arg(error.protocolCondition));
    });
}

std::vector<std::unique_ptr<SessionStep>> stepsFor(const SessionPlan &plan)
{
    std::vector<std::unique_ptr<SessionStep>> steps;
    if (plan.view)
        steps.push_back(std::make_unique<ViewStep>(*plan.view));
    if (plan.sendState)
        steps.push_back(std::make_unique<SendStateStep>(*plan.sendState));
    if (plan.holdSeconds)
        steps.push_back(std::make_unique<HoldStep>(*plan.holdSeconds));
    if (plan.pullStateTo)
        steps.push_back(std::make_unique<PullStateStep>(*plan.pullStateTo));
    if (plan.holdUntilEnded)
        steps.push_back(std::make_unique<HoldUntilEndedStep>(PhoneOptions::maxHoldSeconds));
    if (plan.end)
        steps.push_back(std::make_unique<EndStep>());
    return steps;
}

} // namespace phone
