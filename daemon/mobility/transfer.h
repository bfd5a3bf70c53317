#pragma once

// Session transfer (protocol section 7, docs/protocol.md): moving a session's state --
// files plus the packet log -- between phone and display, in either direction, by one of
// three methods, and applying it only once every byte is verified.

#include "client.h"
#include "error.h"
#include "protocol.h"
#include "statebundle.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>

#include <memory>

class QNetworkAccessManager;

namespace mobility {

struct TransferLimits
{
    // Sum of the file sizes (log aside) a receiver takes by upload or bundle.
    qint64 maxStateBytes = 64 * 1024 * 1024;
    // The same by inband: every chunk crosses both servers as an acknowledged IQ, so
    // beyond a few MiB upload is the better way, and servers' rate limits bite.
    qint64 maxInbandBytes = 16 * 1024 * 1024;
    // Every wait on the peer: an IQ's answer, the next chunk, HTTP without progress.
    int stepTimeoutMs = 30'000;
    // What one <state/> chunk carries, serialized: file parts (base64), logged stanzas,
    // uploaded files' descriptions. The rest of the IQ fits in what is left of the
    // protocol's 64 KiB. A logged stanza bigger than this can only travel in a bundle.
    qsizetype chunkBytes = 60 * 1024;
    // Archives and logs as a receiver accepts them (also what a sender's bundles obey).
    StateBundleLimits bundle;
    // For the digests a sender writes.
    QString hashAlgorithm = QStringLiteral("sha-256");
};

enum class TransferDirection { Outgoing, Incoming };

struct TransferProgress
{
    QString tid;
    TransferDirection direction = TransferDirection::Incoming;
    TransferMethod method = TransferMethod::Inband;
    qint64 bytesDone = 0;
    qint64 bytesTotal = 0; // what the manifest declares; bundles' archives differ a little
    qint64 elapsedMs = 0;

    // "3.1 MB of 20 MB, about 4 s left" (no time estimate in the first half second).
    QString describe() const;
};

// How one side reaches the other and the outside world for the transfers of a session.
struct TransferPeer
{
    QString sid;
    // The connection on which the transfer's IQs go to and come from the peer.
    QPointer<xmpp::Client> signalling;
    QString peerJid;
    // The account whose server's XEP-0363 service uploads go to; null: no upload.
    QPointer<xmpp::Client> uploadAccount;
    // Downloads and uploads; the hub makes its own when none is given.
    QPointer<QNetworkAccessManager> network;
    // Trust for HTTPS (the same as for the XMPP connections).
    QSslConfiguration tls;
};

// Deliberate mistakes a sender can make, to test receivers with (kiosk-phone --fault). A
// correct sender never needs them.
struct SenderFault
{
    // The manifest's first file carries a wrong digest.
    bool corruptDigest = false;
    // Sent as the bundle's archive, as it is, instead of one made from the state.
    QByteArray rawBundle;
};

// The transfers of one session, both ways, with one peer. The owner routes the peer's
// transfer IQs here (after checking who sent them, protocol section 9), asks it to send
// state, and applies what received() hands over. At most one transfer runs per
// direction; destroying the hub drops them without a word to the peer.
class TransferHub : public QObject
{
    Q_OBJECT
public:
    TransferHub(TransferPeer peer, TransferLimits limits = {}, QObject *parent = nullptr);
    ~TransferHub() override;

    // <transfer/>, <state/>, <transferred/> and <transfer-failed/>: the IQ requests this
    // hub answers. <request/> (pull-back) is the owner's to answer.
    static bool handles(QStringView payloadName);
    // Answers an IQ set carrying one of those payloads, for this hub's sid.
    void handleRequest(const QDomElement &iq);

    // Offers state to the peer by these methods, in this order of preference; methods
    // that cannot carry this state here (no upload service, a logged stanza too big for a
    // chunk) are left out. Ends in sent() or failed().
    void send(const QString &tid, StateBundle state, QList<TransferMethod> methods);

    // Fails every running transfer with this error (the peer went away, the session ends);
    // the peer is told of incoming ones only when tellPeer.
    void abortAll(const xmpp::Error &why, bool tellPeer);

    // Applies to the transfers send() starts from now on.
    void setSenderFault(SenderFault fault) { m_fault = std::move(fault); }

    bool isSending() const;
    bool isReceiving() const;
    const TransferLimits &limits() const { return m_limits; }

    // The method a receiver with these limits picks from an offer, if any.
    static std::optional<TransferMethod> chooseMethod(const TransferOffer &offer, const TransferLimits &limits);
    // The order a sender offers methods in when nobody chose: small states go fastest
    // in-band (an upload costs a slot and two HTTPS connections first), big ones by HTTP.
    static QList<TransferMethod> preferredMethods(const StateBundle &state);

Q_SIGNALS:
    // At most every 100 ms per transfer, and once at the end.
    void progress(const mobility::TransferProgress &progress);
    // Incoming state that verified; the peer is told <transferred/> right after.
    void received(const QString &tid, const mobility::StateBundle &state, mobility::TransferMethod method);
    // The peer confirmed with <transferred/>.
    void sent(const QString &tid, mobility::TransferMethod method);
    // Nothing was applied (incoming), or the peer did not take the state (outgoing).
    // error.message() is for people; reason is the protocol's.
    void failed(const QString &tid, mobility::TransferDirection direction, mobility::TransferFailed::Reason reason,
                const xmpp::Error &error);

private:
    class Outgoing;
    class Incoming;
    friend class Outgoing;
    friend class Incoming;

    void onOffer(const QDomElement &iq);
    void onState(const QDomElement &iq);
    void onOutcome(const QDomElement &iq);
    void reply(const QDomElement &iq, const QString &type = {}, const QString &condition = {});
    void sendToPeer(const QDomElement &payload, QObject *context, xmpp::IqCallback callback);
    struct Failure
    {
        TransferFailed::Reason reason;
        xmpp::Error error;
    };
    // std::nullopt: the peer confirmed.
    void finishOutgoing(const std::optional<Failure> &failure);
    void finishIncoming(const Failure &failure, bool tellPeer);
    void incomingVerified(StateBundle state);
    void rememberFinished(const QString &tid);
    QNetworkAccessManager &network();

    TransferPeer m_peer;
    TransferLimits m_limits;
    std::unique_ptr<Outgoing> m_outgoing;
    std::unique_ptr<Incoming> m_incoming;
    // Outgoing tids that ended here before the peer's outcome arrived: that outcome still
    // gets a result rather than an error.
    QStringList m_finishedTids;
    std::unique_ptr<QNetworkAccessManager> m_ownNetwork;
    SenderFault m_fault;
};

} // namespace mobility

Q_DECLARE_METATYPE(mobility::TransferProgress)
