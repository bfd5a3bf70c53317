#include "loginsteps.h"

#include "logging.h"
#include "namespaces.h"
#include "transport.h"

#include <QRandomGenerator>

namespace xmpp {

namespace {

QDomElement element(const QString &ns, const QString &name, const QString &text = {})
{
    QDomDocument document;
    QDomElement result = document.createElementNS(ns, name);
    if (!text.isEmpty())
        result.appendChild(document.createTextNode(text));
    return result;
}

// RFC 6120 6.4.2: "=" stands for an empty payload; anything else must be valid base64.
std::optional<QByteArray> decodeSaslPayload(const QString &text)
{
    const QByteArray trimmed = text.trimmed().toLatin1();
    if (trimmed.isEmpty() || trimmed == "=")
        return QByteArray();
    auto decoded = QByteArray::fromBase64Encoding(trimmed, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

QString randomId()
{
    return QString::number(QRandomGenerator::global()->generate64(), 36);
}

} // namespace

StreamChannel::~StreamChannel() = default;

LoginStep::LoginStep(StreamChannel &channel, int timeoutMs, QObject *parent)
    : QObject(parent)
    , m_channel(channel)
    , m_timeoutMs(timeoutMs)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        fail(makeError(ErrorCondition::Timeout, QStringLiteral("the server did not answer %1 within %2 s")
                                                    .arg(m_waitingFor).arg(m_timeoutMs / 1000)));
    });
}

LoginStep::~LoginStep() = default;

void LoginStep::cancel()
{
    m_done = true;
    m_timer.stop();
}

void LoginStep::waitForServer(const QString &what)
{
    m_waitingFor = what;
    m_timer.start(m_timeoutMs);
}

void LoginStep::stopWaiting()
{
    m_timer.stop();
}

void LoginStep::succeed(bool restartStream)
{
    if (m_done)
        return;
    m_done = true;
    m_timer.stop();
    Q_EMIT finished(restartStream);
}

void LoginStep::fail(const Error &error)
{
    if (m_done)
        return;
    m_done = true;
    m_timer.stop();
    Q_EMIT failed(error);
}

// --- STARTTLS ---------------------------------------------------------------------------

void StartTlsStep::begin(const QDomElement &)
{
    connect(&m_channel.transport(), &Transport::encrypted, this, [this] { succeed(true); });
    m_channel.sendElement(element(ns::tls, QStringLiteral("starttls")));
    waitForServer(QStringLiteral("<starttls/>"));
}

bool StartTlsStep::handle(const QDomElement &reply)
{
    if (reply.namespaceURI() != ns::tls)
        return false;
    if (reply.tagName() == QStringLiteral("proceed")) {
        // The handshake has its own timeout in the transport.
        stopWaiting();
        m_channel.transport().startTls();
    } else {
        fail(makeError(ErrorCondition::TlsFailed, QStringLiteral("the server refused to start TLS")));
    }
    return true;
}

// --- SASL -------------------------------------------------------------------------------

SaslStep::SaslStep(StreamChannel &channel, int timeoutMs, std::unique_ptr<SaslMechanism> mechanism,
                   int mechanismTimeoutMs, QObject *parent)
    : LoginStep(channel, timeoutMs, parent)
    , m_mechanism(std::move(mechanism))
    , m_mechanismTimeoutMs(mechanismTimeoutMs)
{
    m_mechanismTimer.setSingleShot(true);
    connect(&m_mechanismTimer, &QTimer::timeout, this, [this] {
        m_mechanism->abort();
        sendSasl(QStringLiteral("abort"), {});
        fail(makeError(ErrorCondition::Timeout, QStringLiteral("the authentication mechanism did not answer within %1 s")
                                                    .arg(m_mechanismTimeoutMs / 1000)));
    });
    connect(m_mechanism.get(), &SaslMechanism::started, this, [this](const QString &name, const QByteArray &initial) {
        m_mechanismTimer.stop();
        m_mechanismName = name;
        qCDebug(lcXmppSasl) << "authenticating with" << name;
        sendSasl(QStringLiteral("auth"), initial, name);
        waitForServer(QStringLiteral("<auth/>"));
    });
    connect(m_mechanism.get(), &SaslMechanism::responseReady, this, [this](const QByteArray &response) {
        m_mechanismTimer.stop();
        sendSasl(QStringLiteral("response"), response);
        waitForServer(QStringLiteral("<response/>"));
    });
    connect(m_mechanism.get(), &SaslMechanism::succeeded, this, [this] {
        m_mechanismTimer.stop();
        succeed(true);
    });
    connect(m_mechanism.get(), &SaslMechanism::failed, this, [this](const Error &error) {
        m_mechanismTimer.stop();
        // Tell the server we give up if it is still waiting for us (RFC 6120 6.4.5).
        sendSasl(QStringLiteral("abort"), {});
        fail(error);
    });
}

SaslStep::~SaslStep() = default;

void SaslStep::begin(const QDomElement &features)
{
    const QDomElement mechanisms = features.firstChildElement(QStringLiteral("mechanisms"));
    waitForMechanism(QStringLiteral("choose a mechanism"));
    m_mechanism->start(m_channel.saslContext(mechanisms));
}

void SaslStep::cancel()
{
    m_mechanismTimer.stop();
    m_mechanism->abort();
    LoginStep::cancel();
}

void SaslStep::waitForMechanism(const QString &)
{
    m_mechanismTimer.start(m_mechanismTimeoutMs);
}

void SaslStep::sendSasl(const QString &name, const QByteArray &payload, const QString &mechanism)
{
    QString text;
    if (name == QStringLiteral("auth") || name == QStringLiteral("response"))
        text = payload.isEmpty() ? QStringLiteral("=") : QString::fromLatin1(payload.toBase64());
    QDomElement stanza = element(ns::sasl, name, text);
    if (!mechanism.isEmpty())
        stanza.setAttribute(QStringLiteral("mechanism"), mechanism);
    m_channel.sendElement(stanza);
}

bool SaslStep::handle(const QDomElement &reply)
{
    if (reply.namespaceURI() != ns::sasl)
        return false;
    stopWaiting();
    const QString name = reply.tagName();
    if (name == QStringLiteral("challenge") || name == QStringLiteral("success")) {
        const auto payload = decodeSaslPayload(reply.text());
        if (!payload) {
            fail(makeError(ErrorCondition::ProtocolViolation, QStringLiteral("the server sent invalid base64 in <%1/>").arg(name),
                           QStringLiteral("incorrect-encoding")));
            return true;
        }
        waitForMechanism(name);
        if (name == QStringLiteral("challenge"))
            m_mechanism->handleChallenge(*payload);
        else
            m_mechanism->handleSuccess(*payload);
    } else if (name == QStringLiteral("failure")) {
        QString condition = QStringLiteral("not-authorized");
        QString text;
        for (QDomElement child = reply.firstChildElement(); !child.isNull(); child = child.nextSiblingElement()) {
            if (child.tagName() == QStringLiteral("text"))
                text = child.text();
            else
                condition = child.tagName();
        }
        const Error error = saslFailureToError(condition, text);
        m_mechanism->handleFailure(error);
        fail(error);
    } else {
        fail(makeError(ErrorCondition::ProtocolViolation, QStringLiteral("unexpected <%1/> during authentication").arg(name)));
    }
    return true;
}

// --- resource binding -------------------------------------------------------------------

BindStep::BindStep(StreamChannel &channel, int timeoutMs, QString resource, QObject *parent)
    : LoginStep(channel, timeoutMs, parent)
    , m_resource(std::move(resource))
{
}

void BindStep::begin(const QDomElement &features)
{
    const QDomElement session = features.firstChildElement(QStringLiteral("session"));
    m_sessionNeeded = !session.isNull() && session.namespaceURI() == ns::session
                      && session.firstChildElement(QStringLiteral("optional")).isNull();
    QDomDocument document;
    QDomElement iq = document.createElementNS(ns::client, QStringLiteral("iq"));
    m_pendingId = randomId();
    iq.setAttribute(QStringLiteral("type"), QStringLiteral("set"));
    iq.setAttribute(QStringLiteral("id"), m_pendingId);
    QDomElement bind = document.createElementNS(ns::bind, QStringLiteral("bind"));
    if (!m_resource.isEmpty()) {
        QDomElement resource = document.createElementNS(ns::bind, QStringLiteral("resource"));
        resource.appendChild(document.createTextNode(m_resource));
        bind.appendChild(resource);
    }
    iq.appendChild(bind);
    m_channel.sendElement(iq);
    waitForServer(QStringLiteral("the bind request"));
}

bool BindStep::handle(const QDomElement &reply)
{
    if (reply.tagName() != QStringLiteral("iq") || reply.attribute(QStringLiteral("id")) != m_pendingId)
        return false;
    stopWaiting();
    const QString type = reply.attribute(QStringLiteral("type"));
    if (type != QStringLiteral("result")) {
        QString condition;
        const QDomElement error = reply.firstChildElement(QStringLiteral("error"));
        for (QDomElement child = error.firstChildElement(); !child.isNull(); child = child.nextSiblingElement()) {
            if (child.namespaceURI() == ns::stanzaErrors && child.tagName() != QStringLiteral("text"))
                condition = child.tagName();
        }
        fail(makeError(ErrorCondition::BindFailed, m_boundJid.isEmpty() ? QStringLiteral("resource binding refused")
                                                                        : QStringLiteral("session request refused"),
                       condition));
        return true;
    }
    if (m_boundJid.isEmpty()) {
        m_boundJid = reply.firstChildElement(QStringLiteral("bind")).firstChildElement(QStringLiteral("jid")).text().trimmed();
        if (m_boundJid.isEmpty()) {
            fail(makeError(ErrorCondition::BindFailed, QStringLiteral("the server bound no JID")));
            return true;
        }
        if (m_sessionNeeded) {
            QDomDocument document;
            QDomElement iq = document.createElementNS(ns::client, QStringLiteral("iq"));
            m_pendingId = randomId();
            iq.setAttribute(QStringLiteral("type"), QStringLiteral("set"));
            iq.setAttribute(QStringLiteral("id"), m_pendingId);
            iq.appendChild(document.createElementNS(ns::session, QStringLiteral("session")));
            m_channel.sendElement(iq);
            waitForServer(QStringLiteral("the session request"));
            return true;
        }
    }
    succeed(false);
    return true;
}

} // namespace xmpp
