#include "client.h"

#include "logging.h"
#include "loginsteps.h"
#include "namespaces.h"
#include "resolver.h"
#include "stanza.h"
#include "xmlwriter.h"

#include <QRandomGenerator>

namespace xmpp {

class ClientStreamChannel : public StreamChannel
{
public:
    explicit ClientStreamChannel(Client &client) : m_client(client) {}

    void sendElement(const QDomElement &element) override { m_client.sendRaw(serializeStanza(element)); }
    Transport &transport() override { return *m_client.m_transport; }

    SaslContext saslContext(const QDomElement &mechanisms) const override
    {
        SaslContext context;
        context.username = m_client.m_config.jid.local();
        context.domain = m_client.m_config.jid.domain();
        context.tlsActive = m_client.m_transport->isEncrypted();
        for (QDomElement m = mechanisms.firstChildElement(QStringLiteral("mechanism")); !m.isNull();
             m = m.nextSiblingElement(QStringLiteral("mechanism")))
            context.offeredMechanisms.append(m.text().trimmed());
        // XEP-0440 lists the binding types the server supports; without the list, servers
        // of this era support tls-unique only.
        QStringList serverTypes;
        const QDomElement advertised = m_client.m_features.firstChildElement(QStringLiteral("sasl-channel-binding"));
        for (QDomElement t = advertised.firstChildElement(QStringLiteral("channel-binding")); !t.isNull();
             t = t.nextSiblingElement(QStringLiteral("channel-binding")))
            serverTypes.append(t.attribute(QStringLiteral("type")));
        if (advertised.isNull())
            serverTypes.append(QStringLiteral("tls-unique"));
        for (const ChannelBinding &binding : m_client.m_transport->channelBindings()) {
            if (serverTypes.contains(binding.type))
                context.channelBindings.append(binding);
        }
        return context;
    }

private:
    Client &m_client;
};

Client::Client(ClientConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_parser(m_config.limits)
{
    m_pingTimer.setSingleShot(true);
    connect(&m_pingTimer, &QTimer::timeout, this, &Client::sendPing);
    m_keepaliveTimer.setSingleShot(true);
    connect(&m_keepaliveTimer, &QTimer::timeout, this, [this] { sendRaw(QByteArrayLiteral(" ")); });
    m_closeTimer.setSingleShot(true);
    connect(&m_closeTimer, &QTimer::timeout, this, [this] { finishDisconnect(success()); });
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &Client::connectToServer);
}

Client::~Client()
{
    if (m_step)
        m_step->cancel();
    if (m_transport) {
        m_transport->disconnect(this);
        m_transport->abort();
    }
    m_iqTracker.cancelAll(makeError(ErrorCondition::Cancelled, QStringLiteral("the client was destroyed")));
}

QString Client::newStanzaId()
{
    const quint64 high = QRandomGenerator::global()->generate64();
    const quint32 low = QRandomGenerator::global()->generate();
    return QString::number(high, 36) + QString::number(low, 36);
}

bool Client::isEncrypted() const
{
    return m_transport && m_transport->isEncrypted();
}

void Client::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void Client::connectToServer()
{
    if (m_state != State::Disconnected)
        return;
    m_reconnectTimer.stop();
    m_userClosing = false;
    m_authenticated = false;
    m_boundJid.clear();
    m_lastAddressError.reset();
    m_onlineSince.invalidate();
    setState(State::Connecting);
    if (m_config.server) {
        m_addresses = {*m_config.server};
        tryNextAddress();
        return;
    }
    m_resolver = std::make_unique<ServerResolver>();
    connect(m_resolver.get(), &ServerResolver::resolved, this, [this](const QList<ServerAddress> &addresses) {
        m_resolver.release()->deleteLater();
        if (m_state != State::Connecting)
            return;
        m_addresses = addresses;
        if (m_addresses.isEmpty()) {
            fail(makeError(ErrorCondition::HostNotFound,
                           QStringLiteral("%1 says it offers no XMPP service").arg(m_config.jid.domain())));
            return;
        }
        tryNextAddress();
    });
    m_resolver->resolve(m_config.jid.domain());
}

void Client::tryNextAddress()
{
    if (m_addresses.isEmpty()) {
        fail(m_lastAddressError.value_or(makeError(ErrorCondition::HostNotFound)));
        return;
    }
    const ServerAddress address = m_addresses.takeFirst();
    if (m_transport) {
        m_transport->disconnect(this);
        m_transport.release()->deleteLater();
    }
    if (m_config.transport) {
        m_transport = m_config.transport();
    } else {
        auto tcp = std::make_unique<TcpTransport>(m_config.tls);
        tcp->setConnectTimeout(m_config.timeouts.connectMs);
        m_transport = std::move(tcp);
    }
    m_channel = std::make_unique<ClientStreamChannel>(*this);
    connect(m_transport.get(), &Transport::opened, this, [this] {
        setState(State::Negotiating);
        openStream();
    });
    connect(m_transport.get(), &Transport::received, this, &Client::onBytes);
    connect(m_transport.get(), &Transport::closed, this, [this] {
        if (m_state == State::Closing)
            finishDisconnect(success());
        else
            fail(makeError(ErrorCondition::ConnectionLost, QStringLiteral("the connection closed")));
    });
    connect(m_transport.get(), &Transport::failed, this, [this](const Error &error) {
        if (m_state == State::Connecting && !m_addresses.isEmpty()) {
            qCInfo(lcXmppClient) << "could not connect:" << error.message() << "- trying the next address";
            m_lastAddressError = error;
            tryNextAddress();
        } else if (m_state == State::Closing) {
            finishDisconnect(success());
        } else {
            fail(error);
        }
    });
    qCDebug(lcXmppClient) << "connecting to" << address.toString();
    m_transport->open(address, m_config.jid.domain());
}

void Client::openStream()
{
    m_parser.reset();
    m_features = QDomElement();
    // RFC 6120 4.7.1: announce who we are only once the stream is confidential.
    const QString from = isEncrypted() ? m_config.jid.bare().toString() : QString();
    sendRaw(streamHeader(m_config.jid.domain(), from));
    // Waiting for <stream:features/>; the steps time their own waits.
    m_closeTimer.stop();
    m_pingTimer.start(m_config.timeouts.stepMs);
}

void Client::onBytes(const QByteArray &bytes)
{
    if (m_state == State::Online)
        m_pingTimer.start(m_config.timeouts.pingIntervalMs);
    const std::vector<StreamEvent> events = m_parser.feed(bytes);
    const Transport *transport = m_transport.get();
    for (const StreamEvent &event : events) {
        if (m_state == State::Disconnected || m_transport.get() != transport)
            return;
        switch (event.type) {
        case StreamEvent::Type::StreamOpened:
            break;
        case StreamEvent::Type::Stanza:
            onStreamElement(event.stanza);
            break;
        case StreamEvent::Type::StreamClosed:
            if (m_state == State::Closing) {
                m_transport->close();
            } else {
                sendRaw(streamFooter());
                fail(makeError(ErrorCondition::ConnectionLost, QStringLiteral("the server closed the stream")));
            }
            return;
        case StreamEvent::Type::Failed:
            qCWarning(lcXmppStream) << "invalid input from the server:" << event.error.message();
            sendStreamError(event.error.protocolCondition.isEmpty() ? QStringLiteral("not-well-formed")
                                                                    : event.error.protocolCondition);
            fail(event.error);
            return;
        }
    }
}

void Client::onStreamElement(const QDomElement &element)
{
    if (element.namespaceURI() == ns::stream) {
        if (element.tagName() == QStringLiteral("features")) {
            onFeatures(element);
        } else if (element.tagName() == QStringLiteral("error")) {
            QString condition;
            QString text;
            for (QDomElement child = element.firstChildElement(); !child.isNull(); child = child.nextSiblingElement()) {
                if (child.namespaceURI() != ns::streamErrors)
                    continue;
                if (child.tagName() == QStringLiteral("text"))
                    text = child.text();
                else
                    condition = child.tagName();
            }
            fail(makeError(ErrorCondition::StreamError, text, condition.isEmpty() ? QStringLiteral("undefined-condition") : condition));
        }
        return;
    }
    if (m_step && m_step->handle(element))
        return;
    if (m_state == State::Online || m_state == State::Closing)
        dispatchStanza(element);
    else
        qCDebug(lcXmppClient) << "ignored" << element.tagName() << "during login";
}

void Client::onFeatures(const QDomElement &features)
{
    m_pingTimer.stop();
    m_features = features;
    auto has = [&features](const QString &name, const QString &ns) {
        const QDomElement child = features.firstChildElement(name);
        return !child.isNull() && child.namespaceURI() == ns;
    };
    if (!isEncrypted()) {
        // TLS is never optional for this client.
        if (!has(QStringLiteral("starttls"), ns::tls)) {
            fail(makeError(ErrorCondition::TlsUnavailable, QStringLiteral("%1 offers no STARTTLS").arg(m_config.jid.domain())));
            return;
        }
        startStep(std::make_unique<StartTlsStep>(*m_channel, m_config.timeouts.stepMs), features);
    } else if (!m_authenticated) {
        if (!has(QStringLiteral("mechanisms"), ns::sasl) || !m_config.mechanism) {
            fail(makeError(ErrorCondition::NoSuitableMechanism, QStringLiteral("the server offers no SASL authentication")));
            return;
        }
        startStep(std::make_unique<SaslStep>(*m_channel, m_config.timeouts.stepMs, m_config.mechanism(),
                                             m_config.timeouts.mechanismMs),
                  features);
    } else if (has(QStringLiteral("bind"), ns::bind)) {
        startStep(std::make_unique<BindStep>(*m_channel, m_config.timeouts.stepMs, m_config.jid.resource()), features);
    } else {
        fail(makeError(ErrorCondition::BindFailed, QStringLiteral("the server offers no resource binding")));
    }
}

void Client::startStep(std::unique_ptr<LoginStep> step, const QDomElement &features)
{
    if (m_step)
        m_step.release()->deleteLater();
    m_step = std::move(step);
    LoginStep *current = m_step.get();
    connect(current, &LoginStep::finished, this, [this, current](bool restartStream) {
        if (m_step.get() != current)
            return;
        if (auto *sasl = qobject_cast<SaslStep *>(current)) {
            m_authenticated = true;
            m_mechanismName = sasl->mechanismName();
        }
        if (auto *bind = qobject_cast<BindStep *>(current))
            m_boundJid = bind->boundJid();
        m_step.release()->deleteLater();
        if (restartStream)
            openStream();
        else
            becomeOnline();
    });
    connect(current, &LoginStep::failed, this, [this, current](const Error &error) {
        if (m_step.get() == current)
            fail(error);
    });
    current->begin(features);
}

void Client::becomeOnline()
{
    setState(State::Online);
    m_onlineSince.start();
    m_pingTimer.start(m_config.timeouts.pingIntervalMs);
    m_keepaliveTimer.start(m_config.timeouts.keepaliveMs);
    if (m_config.presencePriority) {
        QDomDocument document;
        QDomElement presence = document.createElementNS(ns::client, QStringLiteral("presence"));
        QDomElement priority = document.createElementNS(ns::client, QStringLiteral("priority"));
        priority.appendChild(document.createTextNode(QString::number(*m_config.presencePriority)));
        presence.appendChild(priority);
        send(presence);
    }
    qCInfo(lcXmppClient) << "online as" << m_boundJid << "using" << m_mechanismName;
    Q_EMIT online();
}

void Client::dispatchStanza(const QDomElement &stanza)
{
    const QString name = stanza.tagName();
    if (stanza.namespaceURI() != ns::client) {
        qCDebug(lcXmppClient) << "ignored a top-level" << name << "in" << stanza.namespaceURI();
        return;
    }
    if (name == QStringLiteral("iq")) {
        const QString type = stanza.attribute(QStringLiteral("type"));
        if (type == QStringLiteral("result") || type == QStringLiteral("error")) {
            if (!m_iqTracker.handleReply(stanza))
                Q_EMIT iqReplyReceived(stanza);
        }
        else if (type == QStringLiteral("get") || type == QStringLiteral("set"))
            handleIqRequest(stanza);
        else if (stanza.hasAttribute(QStringLiteral("id")))
            replyError(stanza, QStringLiteral("modify"), QStringLiteral("bad-request"));
    } else if (name == QStringLiteral("message")) {
        Q_EMIT messageReceived(stanza);
    } else if (name == QStringLiteral("presence")) {
        Q_EMIT presenceReceived(stanza);
    } else {
        sendStreamError(QStringLiteral("unsupported-stanza-type"));
        fail(makeError(ErrorCondition::ProtocolViolation, QStringLiteral("the server sent a <%1/> stanza").arg(name),
                       QStringLiteral("unsupported-stanza-type")));
    }
}

void Client::handleIqRequest(const QDomElement &iq)
{
    const QDomElement payload = iq.firstChildElement();
    if (!iq.hasAttribute(QStringLiteral("id")))
        return; // cannot be answered; RFC 6120 8.2.3 makes it invalid
    if (payload.isNull() || !payload.nextSiblingElement().isNull()) {
        replyError(iq, QStringLiteral("modify"), QStringLiteral("bad-request"));
        return;
    }
    const QString payloadNs = payload.namespaceURI();
    const bool isGet = iq.attribute(QStringLiteral("type")) == QStringLiteral("get");
    if (payloadNs == ns::ping && payload.tagName() == QStringLiteral("ping") && isGet) {
        replyResult(iq);
        return;
    }
    if (payloadNs == ns::discoInfo && payload.tagName() == QStringLiteral("query") && isGet) {
        answerDisco(iq);
        return;
    }
    if (const auto handler = m_iqHandlers.constFind(payloadNs); handler != m_iqHandlers.cend()) {
        (*handler)(iq);
        return;
    }
    if (m_fallbackIqHandler) {
        m_fallbackIqHandler(iq);
        return;
    }
    replyError(iq, QStringLiteral("cancel"), QStringLiteral("service-unavailable"));
}

void Client::answerDisco(const QDomElement &iq)
{
    const QString node = iq.firstChildElement().attribute(QStringLiteral("node"));
    if (!node.isEmpty()) {
        replyError(iq, QStringLiteral("cancel"), QStringLiteral("item-not-found"));
        return;
    }
    QDomDocument document;
    QDomElement query = document.createElementNS(ns::discoInfo, QStringLiteral("query"));
    for (const DiscoIdentity &identity : std::as_const(m_config.discoIdentities)) {
        QDomElement element = document.createElementNS(ns::discoInfo, QStringLiteral("identity"));
        element.setAttribute(QStringLiteral("category"), identity.category);
        element.setAttribute(QStringLiteral("type"), identity.type);
        if (!identity.name.isEmpty())
            element.setAttribute(QStringLiteral("name"), identity.name);
        query.appendChild(element);
    }
    QStringList features = {ns::discoInfo, ns::ping};
    for (const QString &feature : std::as_const(m_config.discoFeatures)) {
        if (!features.contains(feature))
            features.append(feature);
    }
    features.sort();
    for (const QString &feature : std::as_const(features)) {
        QDomElement element = document.createElementNS(ns::discoInfo, QStringLiteral("feature"));
        element.setAttribute(QStringLiteral("var"), feature);
        query.appendChild(element);
    }
    replyResult(iq, query);
}

void Client::setIqHandler(const QString &ns, IqHandler handler)
{
    if (handler)
        m_iqHandlers.insert(ns, std::move(handler));
    else
        m_iqHandlers.remove(ns);
}

void Client::setFallbackIqHandler(IqHandler handler)
{
    m_fallbackIqHandler = std::move(handler);
}

// The skeleton of a reply: same id, addressed to the requester.
static QDomElement replyTo(QDomDocument &document, const QDomElement &request, const QString &type)
{
    QDomElement iq = document.createElementNS(ns::client, QStringLiteral("iq"));
    iq.setAttribute(QStringLiteral("type"), type);
    iq.setAttribute(QStringLiteral("id"), request.attribute(QStringLiteral("id")));
    if (request.hasAttribute(QStringLiteral("from")))
        iq.setAttribute(QStringLiteral("to"), request.attribute(QStringLiteral("from")));
    return iq;
}

void Client::replyResult(const QDomElement &request, const QDomElement &payload)
{
    QDomDocument document;
    QDomElement iq = replyTo(document, request, QStringLiteral("result"));
    if (!payload.isNull())
        iq.appendChild(document.importNode(payload, true));
    send(iq);
}

void Client::replyError(const QDomElement &request, const QString &type, const QString &condition,
                        const QDomElement &applicationCondition)
{
    QDomDocument document;
    QDomElement iq = replyTo(document, request, QStringLiteral("error"));
    StanzaError error;
    error.type = StanzaError::typeFromName(type).value_or(StanzaError::Type::Cancel);
    error.condition = condition;
    QDomElement errorElement = error.toDom(document);
    if (!applicationCondition.isNull())
        errorElement.appendChild(document.importNode(applicationCondition, true));
    iq.appendChild(errorElement);
    send(iq);
}

bool Client::send(const QDomElement &stanza)
{
    if (m_state != State::Online)
        return false;
    const QString name = stanza.tagName();
    if (name != QStringLiteral("message") && name != QStringLiteral("presence") && name != QStringLiteral("iq"))
        return false;
    sendRaw(serializeStanza(stanza));
    return true;
}

void Client::sendIq(QDomElement iq, QObject *context, IqCallback callback, int timeoutMs)
{
    if (m_state != State::Online) {
        callback(makeError(ErrorCondition::Cancelled, QStringLiteral("not connected")));
        return;
    }
    if (!iq.hasAttribute(QStringLiteral("id")))
        iq.setAttribute(QStringLiteral("id"), newStanzaId());
    m_iqTracker.track(iq.attribute(QStringLiteral("id")), iq.attribute(QStringLiteral("to")), m_boundJid,
                      timeoutMs < 0 ? m_config.timeouts.iqMs : timeoutMs, context, std::move(callback));
    send(iq);
}

void Client::sendRequest(const QString &to, const QDomElement &payload, QObject *context, IqCallback callback,
                         int timeoutMs, bool isGet)
{
    QDomDocument document;
    QDomElement iq = document.createElementNS(ns::client, QStringLiteral("iq"));
    iq.setAttribute(QStringLiteral("type"), isGet ? QStringLiteral("get") : QStringLiteral("set"));
    if (!to.isEmpty())
        iq.setAttribute(QStringLiteral("to"), to);
    iq.appendChild(document.importNode(payload, true));
    sendIq(iq, context, std::move(callback), timeoutMs);
}

void Client::sendPing()
{
    if (m_state == State::Negotiating && !m_step) {
        fail(makeError(ErrorCondition::Timeout, QStringLiteral("the server sent no stream features within %1 s")
                                                    .arg(m_config.timeouts.stepMs / 1000)));
        return;
    }
    if (m_state != State::Online || m_pingOutstanding)
        return;
    QDomDocument document;
    m_pingOutstanding = true;
    sendRequest(m_config.jid.domain(), document.createElementNS(ns::ping, QStringLiteral("ping")), this, [this](const IqResult &result) {
        m_pingOutstanding = false;
        // Any reply, even an error, proves the stream is alive.
        if (!result.ok() && result.error().condition == ErrorCondition::Timeout)
            fail(makeError(ErrorCondition::ConnectionLost, QStringLiteral("the server stopped answering pings")));
    }, m_config.timeouts.pingTimeoutMs, true);
}

void Client::sendRaw(const QByteArray &bytes)
{
    if (!m_transport)
        return;
    if (m_state == State::Online)
        m_keepaliveTimer.start(m_config.timeouts.keepaliveMs);
    m_transport->write(bytes);
}

void Client::sendStreamError(const QString &condition, const QString &text)
{
    sendRaw(streamErrorElement(condition, text) + streamFooter());
}

void Client::disconnectFromServer()
{
    m_userClosing = true;
    m_reconnectTimer.stop();
    switch (m_state) {
    case State::Disconnected:
    case State::Closing:
        return;
    case State::Connecting:
        finishDisconnect(success());
        return;
    case State::Negotiating:
    case State::Online:
        break;
    }
    if (m_state == State::Online) {
        QDomDocument document;
        QDomElement presence = document.createElementNS(ns::client, QStringLiteral("presence"));
        presence.setAttribute(QStringLiteral("type"), QStringLiteral("unavailable"));
        send(presence);
    }
    if (m_step) {
        m_step->cancel();
        m_step.release()->deleteLater();
    }
    setState(State::Closing);
    sendRaw(streamFooter());
    m_pingTimer.stop();
    m_keepaliveTimer.stop();
    m_closeTimer.start(m_config.timeouts.closeMs);
}

void Client::fail(const Error &error)
{
    if (m_state == State::Disconnected)
        return;
    qCInfo(lcXmppClient) << "connection to" << m_config.jid.domain() << "ended:" << Error::conditionName(error.condition)
                         << error.protocolCondition << error.detail;
    finishDisconnect(error);
    if (!m_userClosing)
        scheduleReconnect(error);
}

void Client::finishDisconnect(const Status &status)
{
    if (m_state == State::Disconnected)
        return;
    m_pingTimer.stop();
    m_keepaliveTimer.stop();
    m_closeTimer.stop();
    m_pingOutstanding = false;
    if (m_step) {
        m_step->cancel();
        m_step.release()->deleteLater();
    }
    if (m_resolver) {
        m_resolver->disconnect(this);
        m_resolver.release()->deleteLater();
    }
    if (m_transport) {
        m_transport->disconnect(this);
        m_transport->abort();
        m_transport.release()->deleteLater();
    }
    m_boundJid.clear();
    setState(State::Disconnected);
    m_iqTracker.cancelAll(makeError(ErrorCondition::Cancelled, QStringLiteral("the connection closed")));
    Q_EMIT disconnected(status);
}

void Client::scheduleReconnect(const Error &cause)
{
    if (!m_config.reconnect || m_state != State::Disconnected)
        return;
    const ReconnectPolicy &policy = *m_config.reconnect;
    if (m_onlineSince.isValid() && m_onlineSince.elapsed() >= policy.stableAfter.count())
        m_reconnectAttempt = 0;
    int delay = int(policy.delayFor(m_reconnectAttempt).count());
    m_reconnectAttempt = std::min(m_reconnectAttempt + 1, 62);
    switch (cause.condition) {
    case ErrorCondition::NotAuthorized:
    case ErrorCondition::CertificateUntrusted:
    case ErrorCondition::NoSuitableMechanism:
    case ErrorCondition::ServerNotVerified:
    case ErrorCondition::TlsUnavailable:
        // A configuration problem will not fix itself soon: retry rarely.
        delay = int(policy.maxDelay.count());
        break;
    default:
        break;
    }
    qCInfo(lcXmppClient) << "reconnecting in" << delay << "ms";
    m_reconnectTimer.start(delay);
    Q_EMIT reconnectScheduled(delay);
}

} // namespace xmpp
