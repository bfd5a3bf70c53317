#pragma once

#include "error.h"
#include "iqtracker.h"
#include "jid.h"
#include "reconnectpolicy.h"
#include "sasl.h"
#include "streamparser.h"
#include "transport.h"

#include <QDomElement>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSslCertificate>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace xmpp {

class LoginStep;
class ServerResolver;
class ClientStreamChannel;

// What the client answers to XEP-0030 disco#info queries for its own JID.
struct DiscoIdentity
{
    QString category;
    QString type;
    QString name;
};

struct ClientTimeouts
{
    int connectMs = 10'000;       // TCP connect and each TLS handshake
    int stepMs = 15'000;          // each wait for the server during login
    int mechanismMs = 60'000;     // each wait for the SASL mechanism (a relay may ask a phone)
    int iqMs = 30'000;            // default for sendIq()
    int pingIntervalMs = 60'000;  // XEP-0199 ping to the server when nothing arrived
    int pingTimeoutMs = 20'000;
    int keepaliveMs = 30'000;     // whitespace keepalive when nothing was sent
    int closeMs = 3'000;          // wait for the server's </stream:stream>
};

struct ClientConfig
{
    // Bare JID of the account, optionally with the resource to ask for.
    Jid jid;
    // Where to connect; without it the domain's SRV records, then the domain itself.
    std::optional<ServerAddress> server;
    // TLS settings shared across connections (see TcpTransport::tlsConfiguration()).
    QSslConfiguration tls = TcpTransport::tlsConfiguration();
    // A fresh mechanism for each login attempt (it owns the credentials).
    std::function<std::unique_ptr<SaslMechanism>()> mechanism;
    // Replaces the network in tests.
    std::function<std::unique_ptr<Transport>()> transport;
    // Initial presence; std::nullopt sends none.
    std::optional<int> presencePriority = 0;
    QList<DiscoIdentity> discoIdentities = {{QStringLiteral("client"), QStringLiteral("pc"), QString()}};
    QStringList discoFeatures;
    ClientTimeouts timeouts;
    StreamParserLimits limits;
    // Automatic reconnection after a failure; std::nullopt: stay disconnected.
    std::optional<ReconnectPolicy> reconnect;
};

// An XMPP client connection (RFC 6120/6121): connects, negotiates TLS, SASL and a
// resource, then sends and receives stanzas. Asynchronous throughout: every operation
// reports through a signal or a callback run exactly once, and every wait is bounded.
class Client : public QObject
{
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Negotiating, Online, Closing };
    Q_ENUM(State)

    explicit Client(ClientConfig config, QObject *parent = nullptr);
    ~Client() override;

    // -> online() | disconnected(error); reconnects on its own when a policy is set.
    void connectToServer();
    // Clean close: unavailable presence, </stream:stream>, waits briefly for the server.
    // -> disconnected(success()). Stops automatic reconnection.
    void disconnectFromServer();

    State state() const { return m_state; }
    bool isOnline() const { return m_state == State::Online; }
    // The full JID the server bound; empty when not online.
    QString boundJid() const { return m_boundJid; }
    const ClientConfig &config() const { return m_config; }
    // Name of the SASL mechanism used by the last successful login.
    QString authenticationMechanism() const { return m_mechanismName; }
    bool isEncrypted() const;

    // Sends a stanza (jabber:client); false when not online or the stanza is not one.
    bool send(const QDomElement &stanza);
    // Sends an IQ get/set, adding an id when missing; callback gets the reply exactly once.
    void sendIq(QDomElement iq, QObject *context, IqCallback callback, int timeoutMs = -1);
    // The same for a payload: wraps it in an <iq type='set' to='to'/> (get when isGet).
    void sendRequest(const QString &to, const QDomElement &payload, QObject *context, IqCallback callback,
                     int timeoutMs = -1, bool isGet = false);

    // Handles IQ get/set requests whose payload is in namespace `ns`; the handler must
    // answer (result or error) through send(). Unhandled requests get <service-unavailable/>.
    using IqHandler = std::function<void(const QDomElement &iq)>;
    void setIqHandler(const QString &ns, IqHandler handler);
    // Gets every request no namespace handler takes, before the automatic error.
    void setFallbackIqHandler(IqHandler handler);

    // Answers a request with an empty result or the given error condition.
    void replyResult(const QDomElement &request, const QDomElement &payload = {});
    void replyError(const QDomElement &request, const QString &type, const QString &condition,
                    const QDomElement &applicationCondition = {});

    static QString newStanzaId();

Q_SIGNALS:
    void stateChanged(xmpp::Client::State state);
    void online();
    // status.ok(): closed on request. Otherwise why the connection ended.
    void disconnected(const xmpp::Status &status);
    void reconnectScheduled(int delayMs);
    void messageReceived(const QDomElement &message);
    void presenceReceived(const QDomElement &presence);
    // IQ results and errors that answer no request sent through sendIq() (e.g. requests
    // another layer sent with send()).
    void iqReplyReceived(const QDomElement &iq);

private:
    friend class ClientStreamChannel;
    void setState(State state);
    void tryNextAddress();
    void openStream();
    void onBytes(const QByteArray &bytes);
    void onStreamElement(const QDomElement &element);
    void onFeatures(const QDomElement &features);
    void startStep(std::unique_ptr<LoginStep> step, const QDomElement &features);
    void becomeOnline();
    void dispatchStanza(const QDomElement &stanza);
    void handleIqRequest(const QDomElement &iq);
    void answerDisco(const QDomElement &iq);
    void fail(const Error &error);
    void finishDisconnect(const Status &status);
    void sendRaw(const QByteArray &bytes);
    void sendStreamError(const QString &condition, const QString &text = {});
    void sendPing();
    void scheduleReconnect(const Error &cause);

    ClientConfig m_config;
    State m_state = State::Disconnected;
    std::unique_ptr<Transport> m_transport;
    std::unique_ptr<ClientStreamChannel> m_channel;
    std::unique_ptr<LoginStep> m_step;
    std::unique_ptr<ServerResolver> m_resolver;
    StreamParser m_parser;
    IqTracker m_iqTracker;
    QList<ServerAddress> m_addresses;
    std::optional<Error> m_lastAddressError;
    QString m_boundJid;
    QString m_mechanismName;
    QDomElement m_features;
    bool m_authenticated = false;
    bool m_userClosing = false;
    QHash<QString, IqHandler> m_iqHandlers;
    IqHandler m_fallbackIqHandler;
    QTimer m_pingTimer;
    QTimer m_keepaliveTimer;
    QTimer m_closeTimer;
    QTimer m_reconnectTimer;
    QElapsedTimer m_onlineSince;
    int m_reconnectAttempt = 0;
    bool m_pingOutstanding = false;
};

} // namespace xmpp
