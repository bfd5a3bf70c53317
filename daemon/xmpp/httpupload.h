#pragma once

#include "error.h"

#include <QByteArray>
#include <QDomElement>
#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <optional>
#include <utility>

class QNetworkAccessManager;
class QNetworkReply;

Q_DECLARE_LOGGING_CATEGORY(lcHttpUpload)

namespace xmpp {

class Client;

// XEP-0363 HTTP File Upload: find the account's upload service, ask it for a slot, then
// move the bytes with one HTTPS request. Nothing here logs a URL's query or user info:
// slot URLs may carry their authorisation there.

struct HttpUploadService
{
    QString jid;
    // From the service's x-data field max-file-size; without it the service states no limit.
    std::optional<qint64> maxFileSize;
};

struct HttpUploadSlot
{
    QUrl putUrl;
    // Only the headers XEP-0363 lets a service ask for (Authorization, Cookie, Expires).
    QList<std::pair<QByteArray, QByteArray>> putHeaders;
    QUrl getUrl;
};

struct HttpTransferLimits
{
    int stallTimeoutMs = 30'000; // no bytes moved for this long -> Timeout
};

// Bounds on what discovery and slot requests take from a server.
inline constexpr int maxUploadDiscoItems = 32;         // disco#info queries per discovery; later items ignored
inline constexpr int maxUploadDiscoTimeoutMs = 10'000; // per query; the client's iqMs when lower
inline constexpr int maxSlotUrlLength = 8192;
inline constexpr int maxSlotHeaders = 16;
inline constexpr int maxSlotHeaderValueLength = 8192;
inline constexpr int maxUploadFileNameLength = 1024;

// XEP-0030 disco#items on the client's own domain, then disco#info on each item (at most
// maxUploadDiscoItems, in parallel) -> the first item, in the server's order, that
// advertises urn:xmpp:http:upload:0.
//
// Without such an item: ErrorCondition::StanzaError with protocolCondition
// "service-unavailable" -- what a server answers for a service it does not offer -- unless
// an item that might have been the service did not answer (Timeout) or the connection
// closed (Cancelled); then that error, since trying again later may succeed. A failed
// disco#items is reported as it is.
//
// The callback runs exactly once, never before this function returns, unless context is
// destroyed first.
void discoverUploadService(Client &client, QObject *context,
                           std::function<void(const Result<HttpUploadService> &)> callback);

// <request xmlns='urn:xmpp:http:upload:0' filename size content-type/> -> slot. Only https
// put/get URLs (an http one: TlsUnavailable; one missing or malformed: ProtocolViolation;
// past maxSlotUrlLength, or more than maxSlotHeaders headers: LimitExceeded); only the
// headers XEP-0363 allows, control characters (newlines) stripped, the others dropped as
// the XEP requires. A size over service.maxFileSize is refused locally with LimitExceeded,
// without asking; a bad file name or content type with InvalidInput. contentType may be
// empty (no content-type attribute). A refusal by the service is its StanzaError. Callback
// as for discoverUploadService().
void requestUploadSlot(Client &client, const HttpUploadService &service, const QString &fileName, qint64 size,
                       const QString &contentType, QObject *context,
                       std::function<void(const Result<HttpUploadSlot> &)> callback);

// The service, if this disco#info <query/> advertises XEP-0363.
std::optional<HttpUploadService> uploadServiceFromDiscoInfo(const QString &jid, const QDomElement &query);
// A <slot xmlns='urn:xmpp:http:upload:0'/> checked as requestUploadSlot() describes.
Result<HttpUploadSlot> parseUploadSlot(const QDomElement &slot);
// The URL for a log line: scheme, host, port and path, never user info, query or fragment.
QString loggableUrl(const QUrl &url);

// One HTTP PUT (upload) or GET (download) over TLS with the given QSslConfiguration (the
// same trust as the XMPP connections, e.g. Client::config().tls), no redirects followed,
// https only. No cookies, cache or stored credentials of the network manager take part.
//
// QNetworkAccessManager pools connections by host and port, whatever TLS settings opened
// them. Transfers therefore run on a child manager of `network` per TLS configuration
// (created on first use, same proxy): transfers that trust alike share connections, and no
// request ever rides a connection set up under other CAs. Call from network's thread.
//
// Statuses other than 2xx end in HttpFailed ("HTTP 413 ..."), redirects included; trust
// failures in CertificateUntrusted, a refused connection in ConnectionFailed, a stall in
// Timeout. The caller owns the object (delete it, or deleteLater() from finished()).
class HttpFileTransfer : public QObject
{
    Q_OBJECT
public:
    ~HttpFileTransfer() override;

    // An empty contentType is sent as application/octet-stream. The slot's headers are
    // filtered again as parseUploadSlot() does.
    static HttpFileTransfer *put(QNetworkAccessManager &network, const HttpUploadSlot &slot, QByteArray data,
                                 const QString &contentType, const QSslConfiguration &tls,
                                 HttpTransferLimits limits = {}, QObject *parent = nullptr);
    // Fails with LimitExceeded as soon as the Content-Length or the bytes received exceed
    // maxBytes (aborting the download, never buffering more).
    static HttpFileTransfer *get(QNetworkAccessManager &network, const QUrl &url, qint64 maxBytes,
                                 const QSslConfiguration &tls, HttpTransferLimits limits = {},
                                 QObject *parent = nullptr);

    // finished(Cancelled) once, at once; nothing when already finished.
    void abort();

Q_SIGNALS:
    void progress(qint64 bytesDone, qint64 bytesTotal); // bytesTotal -1 when unknown
    // GET: the body; PUT: empty. Exactly once.
    void finished(const xmpp::Result<QByteArray> &result);

private:
    enum class Direction { Upload, Download };
    HttpFileTransfer(Direction direction, const QUrl &url, const QSslConfiguration &tls, HttpTransferLimits limits,
                     QObject *parent);
    void start(QNetworkReply *reply);
    void failLater(const Error &error);
    void onMetaData();
    void onReadyRead();
    void onEncrypted();
    void onReplyFinished();
    void onStall();
    void touch();
    void finish(const Result<QByteArray> &result, bool drain = false);
    Error networkError() const;

    Direction m_direction;
    QUrl m_url;
    QSslConfiguration m_tls;
    HttpTransferLimits m_limits;
    QPointer<QNetworkReply> m_reply;
    QTimer m_stallTimer;
    QByteArray m_body;
    qint64 m_maxBytes = 0;
    qint64 m_progressDone = 0;
    QString m_tlsProblem;
    bool m_finished = false;
};

} // namespace xmpp
