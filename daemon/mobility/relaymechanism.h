#pragma once

#include "client.h"
#include "sasl.h"

#include <QString>

namespace mobility {

// SASL by proxy (protocol section 3): the display's user connection authenticates with
// whatever the phone answers. Each server message is relayed to the phone over the
// display's device connection as an IQ, and the phone's answer goes back to the server
// unchanged; the display never holds the password. Every relay step waits at most
// stepTimeoutMs for the phone.
class RelayMechanism : public xmpp::SaslMechanism
{
    Q_OBJECT
public:
    static constexpr int defaultStepTimeoutMs = 30'000;

    RelayMechanism(xmpp::Client &device, QString phoneJid, QString sid,
                   int stepTimeoutMs = defaultStepTimeoutMs, QObject *parent = nullptr);
    ~RelayMechanism() override;

    void start(const xmpp::SaslContext &context) override;
    void handleChallenge(const QByteArray &challenge) override;
    void handleSuccess(const QByteArray &additionalData) override;
    void handleFailure(const xmpp::Error &error) override;
    void abort() override;

    // The phone sent <abort/>: the negotiation ends with AuthAborted.
    void abortedByPhone();

    QString chosenMechanism() const { return m_mechanism; }

private:
    // Sends payload to the phone; done gets the phone's reply element or the error.
    void ask(const QDomElement &payload, std::function<void(const xmpp::IqResult &)> done);
    void tell(const QDomElement &payload);
    void finishWith(const xmpp::Error &error);
    xmpp::Error phoneError(const xmpp::Error &error, const QString &step) const;

    xmpp::Client &m_device;
    QString m_phoneJid;
    QString m_sid;
    int m_stepTimeoutMs;
    QString m_mechanism;
    QStringList m_offered;
    bool m_finished = false;
};

} // namespace mobility
