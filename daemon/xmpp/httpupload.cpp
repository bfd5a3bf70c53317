#include "httpupload.h"

#include "client.h"
#include "jid.h"
#include "namespaces.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>
#include <vector>

Q_LOGGING_CATEGORY(lcHttpUpload, "kioskd.xmpp.upload", QtInfoMsg)

namespace xmpp {

namespace {

const QString uploadNs = QStringLiteral("urn:xmpp:http:upload:0");
const QString dataFormsNs = QStringLiteral("jabber:x:data");
constexpr int maxContentTypeLength = 255;
constexpr int maxReasonPhraseLength = 100;
// What the network manager may hold for a download before we take it: bounds memory on
// top of maxBytes without slowing large transfers.
constexpr qint64 maxReadBuffer = 1024 * 1024;
constexpr qint64 minReadBuffer = 16 * 1024;
// The most of an error answer's body read (and dropped) to let the reply end by itself.
constexpr qint64 maxDrainBytes = 64 * 1024;

// Owns a callback until it has run once. The callback always runs on a later turn of the
// event loop: never inside the call that started the operation, and never when the
// context (this object's parent) is gone.
template <typename T>
class PendingOperation : public QObject
{
public:
    using Callback = std::function<void(const Result<T> &)>;

    PendingOperation(QObject *context, Callback callback)
        : QObject(context)
        , m_callback(std::move(callback))
    {
    }

    void finish(Result<T> result)
    {
        if (m_done)
            return;
        m_done = true;
        QTimer::singleShot(0, this, [this, result = std::move(result)] {
            Callback callback = std::move(m_callback);
            // The callback may destroy the context and with it this object.
            deleteLater();
            callback(result);
        });
    }
    bool isDone() const { return m_done; }

private:
    Callback m_callback;
    bool m_done = false;
};

// XML 1.0 cannot carry C0 controls, and a person reads file names: no C1 controls either.
bool isCleanText(QStringView text)
{
    if (!text.isValidUtf16())
        return false;
    for (QChar c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 || (u >= 0x7f && u <= 0x9f) || u == 0xfffe || u == 0xffff)
            return false;
    }
    return true;
}

bool isValidContentType(QStringView type)
{
    if (type.size() > maxContentTypeLength || !type.contains(u'/'))
        return false;
    return std::all_of(type.begin(), type.end(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() < 0x7f; });
}

// XEP-0363: the requesting entity strips newlines from header names and values; any
// other control character has no place in an HTTP field either.
QByteArray stripControls(const QByteArray &bytes)
{
    QByteArray result;
    result.reserve(bytes.size());
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 0x20 && u != 0x7f) || u == '\t')
            result.append(c);
    }
    return result.trimmed();
}

// The header in its canonical spelling, or std::nullopt for one XEP-0363 does not allow.
std::optional<std::pair<QByteArray, QByteArray>> allowedHeader(const QByteArray &rawName, const QByteArray &rawValue)
{
    static const QByteArray allowed[] = {QByteArrayLiteral("Authorization"), QByteArrayLiteral("Cookie"),
                                         QByteArrayLiteral("Expires")};
    const QByteArray name = stripControls(rawName);
    for (const QByteArray &canonical : allowed) {
        if (name.compare(canonical, Qt::CaseInsensitive) == 0)
            return std::pair{canonical, stripControls(rawValue)};
    }
    return std::nullopt;
}

std::optional<Error> checkHttpsUrl(const QUrl &url, const QString &what)
{
    if (!url.isValid() || url.isRelative() || url.host().isEmpty())
        return makeError(ErrorCondition::ProtocolViolation, QStringLiteral("the %1 URL is not a valid absolute URL").arg(what));
    const QString scheme = url.scheme().toLower();
    if (scheme == QStringLiteral("http"))
        return makeError(ErrorCondition::TlsUnavailable,
                         QStringLiteral("the %1 URL %2 is plain http; only https is used").arg(what, loggableUrl(url)));
    if (scheme != QStringLiteral("https"))
        return makeError(ErrorCondition::ProtocolViolation,
                         QStringLiteral("the %1 URL has the scheme %2; only https is used").arg(what, scheme.left(16)));
    if (!url.userInfo().isEmpty())
        return makeError(ErrorCondition::ProtocolViolation, QStringLiteral("the %1 URL carries user credentials").arg(what));
    return std::nullopt;
}

Result<QUrl> slotUrl(const QDomElement &element, const QString &what)
{
    if (element.isNull())
        return makeError(ErrorCondition::ProtocolViolation, QStringLiteral("the slot has no <%1/> URL").arg(what));
    const QString text = element.attribute(QStringLiteral("url")).trimmed();
    if (text.isEmpty())
        return makeError(ErrorCondition::ProtocolViolation, QStringLiteral("the slot's <%1/> has no url").arg(what));
    if (text.size() > maxSlotUrlLength)
        return makeError(ErrorCondition::LimitExceeded,
                         QStringLiteral("the slot's %1 URL is longer than %2 characters").arg(what).arg(maxSlotUrlLength));
    const QUrl url(text, QUrl::StrictMode);
    if (const auto error = checkHttpsUrl(url, what))
        return *error;
    return url;
}

QDomElement childElement(const QDomElement &parent, const QString &name, const QString &ns)
{
    for (QDomElement child = parent.firstChildElement(name); !child.isNull(); child = child.nextSiblingElement(name)) {
        if (child.namespaceURI() == ns)
            return child;
    }
    return {};
}

// Finds the account's upload service; see discoverUploadService().
class UploadDiscovery : public PendingOperation<HttpUploadService>
{
public:
    using PendingOperation::PendingOperation;

    void start(Client &client)
    {
        m_client = &client;
        m_domain = client.config().jid.domain();
        m_timeoutMs = std::clamp(client.config().timeouts.iqMs, 1, maxUploadDiscoTimeoutMs);
        QDomDocument document;
        client.sendRequest(m_domain, document.createElementNS(ns::discoItems, QStringLiteral("query")), this,
                           [this](const IqResult &reply) { onItems(reply); }, m_timeoutMs, true);
    }

private:
    enum class State { Pending, NotService, Service, Failed };
    struct Candidate
    {
        QString jid;
        State state = State::Pending;
        std::optional<HttpUploadService> service;
        std::optional<Error> error;
    };

    void onItems(const IqResult &reply)
    {
        if (!reply.ok()) {
            qCInfo(lcHttpUpload) << "disco#items of" << m_domain << "failed:" << reply.error().message();
            finish(reply.error());
            return;
        }
        const QDomElement query = childElement(reply.value(), QStringLiteral("query"), ns::discoItems);
        if (query.isNull()) {
            finish(makeError(ErrorCondition::ProtocolViolation,
                             QStringLiteral("%1 answered disco#items without a <query/>").arg(m_domain)));
            return;
        }
        QStringList jids;
        int skipped = 0;
        for (QDomElement item = query.firstChildElement(QStringLiteral("item")); !item.isNull();
             item = item.nextSiblingElement(QStringLiteral("item"))) {
            // Items with a node are parts of an entity, not services of their own.
            if (item.namespaceURI() != ns::discoItems || item.hasAttribute(QStringLiteral("node")))
                continue;
            const auto jid = Jid::parse(item.attribute(QStringLiteral("jid")));
            if (!jid || jids.contains(jid->toString()))
                continue;
            if (jids.size() == maxUploadDiscoItems) {
                ++skipped;
                continue;
            }
            jids.append(jid->toString());
        }
        if (skipped > 0)
            qCInfo(lcHttpUpload) << m_domain << "lists" << jids.size() + skipped << "items; asking the first" << jids.size();
        m_candidates.reserve(jids.size());
        for (const QString &jid : std::as_const(jids))
            m_candidates.push_back(Candidate{jid, State::Pending, std::nullopt, std::nullopt});
        if (m_candidates.empty()) {
            decide();
            return;
        }
        QDomDocument document;
        const QDomElement info = document.createElementNS(ns::discoInfo, QStringLiteral("query"));
        for (std::size_t i = 0; i < m_candidates.size() && !isDone(); ++i) {
            if (!m_client) {
                finish(makeError(ErrorCondition::Cancelled, QStringLiteral("the client was destroyed")));
                return;
            }
            m_client->sendRequest(m_candidates[i].jid, info, this, [this, i](const IqResult &answer) { onInfo(i, answer); },
                                  m_timeoutMs, true);
        }
    }

    void onInfo(std::size_t index, const IqResult &reply)
    {
        if (isDone())
            return;
        Candidate &candidate = m_candidates[index];
        if (reply.ok()) {
            candidate.service = uploadServiceFromDiscoInfo(
                candidate.jid, childElement(reply.value(), QStringLiteral("query"), ns::discoInfo));
            candidate.state = candidate.service ? State::Service : State::NotService;
        } else {
            qCDebug(lcHttpUpload) << "disco#info of" << candidate.jid << "failed:" << reply.error().message();
            candidate.error = reply.error();
            candidate.state = State::Failed;
        }
        decide();
    }

    void decide()
    {
        for (const Candidate &candidate : m_candidates) {
            // An earlier item that has not answered yet may still be the one to use.
            if (candidate.state == State::Pending)
                return;
            if (candidate.state == State::Service) {
                qCInfo(lcHttpUpload) << "upload service:" << candidate.jid << "limit"
                                     << (candidate.service->maxFileSize ? QString::number(*candidate.service->maxFileSize)
                                                                        : QStringLiteral("none"));
                finish(*candidate.service);
                return;
            }
        }
        for (const Candidate &candidate : m_candidates) {
            if (candidate.state == State::Failed && candidate.error->condition != ErrorCondition::StanzaError) {
                Error error = *candidate.error;
                error.detail = QStringLiteral("%1 did not answer disco#info: %2").arg(candidate.jid, error.detail);
                finish(error);
                return;
            }
        }
        qCInfo(lcHttpUpload) << m_domain << "offers no upload service among" << m_candidates.size() << "items";
        finish(makeError(ErrorCondition::StanzaError,
                         QStringLiteral("%1 offers no XEP-0363 upload service (%2 items asked)").arg(m_domain).arg(m_candidates.size()),
                         QStringLiteral("service-unavailable")));
    }

    QPointer<Client> m_client;
    QString m_domain;
    int m_timeoutMs = maxUploadDiscoTimeoutMs;
    std::vector<Candidate> m_candidates;
};

QString reasonFor(int status, const QByteArray &phrase)
{
    QString reason;
    for (const char c : phrase.left(maxReasonPhraseLength)) {
        if (c >= 0x20 && c < 0x7f)
            reason.append(QLatin1Char(c));
    }
    reason = reason.trimmed();
    if (!reason.isEmpty())
        return reason;
    // HTTP/2 carries no reason phrase.
    switch (status) {
    case 400: return QStringLiteral("Bad Request");
    case 401: return QStringLiteral("Unauthorized");
    case 403: return QStringLiteral("Forbidden");
    case 404: return QStringLiteral("Not Found");
    case 405: return QStringLiteral("Method Not Allowed");
    case 408: return QStringLiteral("Request Timeout");
    case 409: return QStringLiteral("Conflict");
    case 410: return QStringLiteral("Gone");
    case 411: return QStringLiteral("Length Required");
    case 413: return QStringLiteral("Content Too Large");
    case 415: return QStringLiteral("Unsupported Media Type");
    case 429: return QStringLiteral("Too Many Requests");
    case 500: return QStringLiteral("Internal Server Error");
    case 502: return QStringLiteral("Bad Gateway");
    case 503: return QStringLiteral("Service Unavailable");
    case 504: return QStringLiteral("Gateway Timeout");
    default: return {};
    }
}

} // namespace

QString loggableUrl(const QUrl &url)
{
    return url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

std::optional<HttpUploadService> uploadServiceFromDiscoInfo(const QString &jid, const QDomElement &query)
{
    bool advertised = false;
    for (QDomElement feature = query.firstChildElement(QStringLiteral("feature")); !feature.isNull();
         feature = feature.nextSiblingElement(QStringLiteral("feature"))) {
        if (feature.namespaceURI() == ns::discoInfo && feature.attribute(QStringLiteral("var")) == uploadNs) {
            advertised = true;
            break;
        }
    }
    if (!advertised)
        return std::nullopt;
    HttpUploadService service{jid, std::nullopt};
    // XEP-0128: the limit travels in a form whose FORM_TYPE is the upload namespace.
    for (QDomElement form = query.firstChildElement(QStringLiteral("x")); !form.isNull();
         form = form.nextSiblingElement(QStringLiteral("x"))) {
        if (form.namespaceURI() != dataFormsNs)
            continue;
        QString formType;
        QString maxSize;
        for (QDomElement field = form.firstChildElement(QStringLiteral("field")); !field.isNull();
             field = field.nextSiblingElement(QStringLiteral("field"))) {
            const QString var = field.attribute(QStringLiteral("var"));
            const QString value = field.firstChildElement(QStringLiteral("value")).text().trimmed();
            if (var == QStringLiteral("FORM_TYPE"))
                formType = value;
            else if (var == QStringLiteral("max-file-size"))
                maxSize = value;
        }
        if (formType != uploadNs || maxSize.isEmpty())
            continue;
        bool ok = false;
        const qint64 limit = maxSize.toLongLong(&ok);
        if (ok && limit > 0)
            service.maxFileSize = limit;
        else
            qCWarning(lcHttpUpload) << jid << "states an unusable max-file-size" << maxSize.left(32);
        break;
    }
    return service;
}

Result<HttpUploadSlot> parseUploadSlot(const QDomElement &slot)
{
    if (slot.isNull() || slot.tagName() != QStringLiteral("slot") || slot.namespaceURI() != uploadNs)
        return makeError(ErrorCondition::ProtocolViolation, QStringLiteral("the reply carries no upload <slot/>"));
    const QDomElement putElement = childElement(slot, QStringLiteral("put"), uploadNs);
    const auto put = slotUrl(putElement, QStringLiteral("put"));
    if (!put)
        return put.error();
    const auto get = slotUrl(childElement(slot, QStringLiteral("get"), uploadNs), QStringLiteral("get"));
    if (!get)
        return get.error();
    HttpUploadSlot result{put.value(), {}, get.value()};
    int count = 0;
    for (QDomElement header = putElement.firstChildElement(QStringLiteral("header")); !header.isNull();
         header = header.nextSiblingElement(QStringLiteral("header"))) {
        if (header.namespaceURI() != uploadNs)
            continue;
        if (++count > maxSlotHeaders)
            return makeError(ErrorCondition::LimitExceeded, QStringLiteral("the slot asks for more than %1 headers").arg(maxSlotHeaders));
        const QString value = header.text();
        if (value.size() > maxSlotHeaderValueLength)
            return makeError(ErrorCondition::LimitExceeded,
                             QStringLiteral("a slot header is longer than %1 characters").arg(maxSlotHeaderValueLength));
        const QByteArray name = header.attribute(QStringLiteral("name")).left(64).toUtf8();
        // XEP-0363 tells the client to ignore any other header.
        if (const auto allowed = allowedHeader(name, value.toUtf8()))
            result.putHeaders.append(*allowed);
        else
            qCDebug(lcHttpUpload) << "ignored the slot header" << stripControls(name);
    }
    return result;
}

void discoverUploadService(Client &client, QObject *context, std::function<void(const Result<HttpUploadService> &)> callback)
{
    auto *discovery = new UploadDiscovery(context, std::move(callback));
    discovery->start(client);
}

void requestUploadSlot(Client &client, const HttpUploadService &service, const QString &fileName, qint64 size,
                       const QString &contentType, QObject *context, std::function<void(const Result<HttpUploadSlot> &)> callback)
{
    auto *request = new PendingOperation<HttpUploadSlot>(context, std::move(callback));
    if (!Jid::parse(service.jid)) {
        request->finish(makeError(ErrorCondition::InvalidInput, QStringLiteral("no upload service to ask")));
        return;
    }
    if (fileName.trimmed().isEmpty() || fileName.size() > maxUploadFileNameLength || !isCleanText(fileName)) {
        request->finish(makeError(ErrorCondition::InvalidInput,
                                  QStringLiteral("the file name must be 1-%1 characters without control characters")
                                      .arg(maxUploadFileNameLength)));
        return;
    }
    if (!contentType.isEmpty() && !isValidContentType(contentType)) {
        request->finish(makeError(ErrorCondition::InvalidInput, QStringLiteral("not a content type: %1").arg(contentType.left(64))));
        return;
    }
    if (size < 0) {
        request->finish(makeError(ErrorCondition::InvalidInput, QStringLiteral("a file size of %1 bytes").arg(size)));
        return;
    }
    if (service.maxFileSize && size > *service.maxFileSize) {
        qCInfo(lcHttpUpload) << "refused to ask for a slot of" << size << "bytes: the limit of" << service.jid << "is"
                             << *service.maxFileSize;
        request->finish(makeError(ErrorCondition::LimitExceeded, QStringLiteral("%1 bytes is more than the %2 bytes %3 accepts")
                                                                     .arg(size)
                                                                     .arg(*service.maxFileSize)
                                                                     .arg(service.jid)));
        return;
    }
    QDomDocument document;
    QDomElement element = document.createElementNS(uploadNs, QStringLiteral("request"));
    element.setAttribute(QStringLiteral("filename"), fileName);
    element.setAttribute(QStringLiteral("size"), QString::number(size));
    if (!contentType.isEmpty())
        element.setAttribute(QStringLiteral("content-type"), contentType);
    const QString jid = service.jid;
    client.sendRequest(jid, element, request, [request, jid](const IqResult &reply) {
        if (!reply.ok()) {
            qCInfo(lcHttpUpload) << jid << "gave no slot:" << reply.error().message();
            request->finish(reply.error());
            return;
        }
        Result<HttpUploadSlot> slot = parseUploadSlot(childElement(reply.value(), QStringLiteral("slot"), uploadNs));
        if (slot)
            qCDebug(lcHttpUpload) << "slot from" << jid << "to" << loggableUrl(slot.value().putUrl);
        else
            qCWarning(lcHttpUpload) << "unusable slot from" << jid << ":" << slot.error().message();
        request->finish(std::move(slot));
    }, -1, true);
}

HttpFileTransfer::HttpFileTransfer(Direction direction, const QUrl &url, const QSslConfiguration &tls,
                                   HttpTransferLimits limits, QObject *parent)
    : QObject(parent)
    , m_direction(direction)
    , m_url(url)
    , m_tls(tls)
    , m_limits(limits)
{
    if (m_limits.stallTimeoutMs <= 0)
        m_limits.stallTimeoutMs = HttpTransferLimits{}.stallTimeoutMs;
    m_stallTimer.setSingleShot(true);
    connect(&m_stallTimer, &QTimer::timeout, this, &HttpFileTransfer::onStall);
}

HttpFileTransfer::~HttpFileTransfer()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

static QNetworkRequest transferRequest(const QUrl &url, const QSslConfiguration &tls)
{
    QNetworkRequest request(url);
    request.setSslConfiguration(tls);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::AuthenticationReuseAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::AutoDeleteReplyOnFinishAttribute, false);
    return request;
}

// The network manager pools connections by host and port alone, and a pooled connection
// keeps the TLS settings (and trust store) of the request that opened it. Transfers
// therefore go through a child of the caller's manager for each TLS configuration:
// connections are shared between transfers that trust alike, never otherwise. Callers
// pass copies of one configuration, which compare equal at once.
static QNetworkAccessManager &managerFor(QNetworkAccessManager &network, const QSslConfiguration &tls)
{
    static const char tlsProperty[] = "kioskdUploadTls";
    for (QNetworkAccessManager *child : network.findChildren<QNetworkAccessManager *>(Qt::FindDirectChildrenOnly)) {
        const QVariant configured = child->property(tlsProperty);
        if (configured.isValid() && configured.value<QSslConfiguration>() == tls)
            return *child;
    }
    auto *manager = new QNetworkAccessManager(&network);
    manager->setProperty(tlsProperty, QVariant::fromValue(tls));
    manager->setProxy(network.proxy());
    manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    manager->setAutoDeleteReplies(false);
    return *manager;
}

HttpFileTransfer *HttpFileTransfer::put(QNetworkAccessManager &network, const HttpUploadSlot &slot, QByteArray data,
                                        const QString &contentType, const QSslConfiguration &tls, HttpTransferLimits limits,
                                        QObject *parent)
{
    auto *transfer = new HttpFileTransfer(Direction::Upload, slot.putUrl, tls, limits, parent);
    if (const auto error = checkHttpsUrl(slot.putUrl, QStringLiteral("put"))) {
        transfer->failLater(*error);
        return transfer;
    }
    if (!contentType.isEmpty() && !isValidContentType(contentType)) {
        transfer->failLater(makeError(ErrorCondition::InvalidInput, QStringLiteral("not a content type: %1").arg(contentType.left(64))));
        return transfer;
    }
    QNetworkRequest request = transferRequest(slot.putUrl, tls);
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      contentType.isEmpty() ? QStringLiteral("application/octet-stream") : contentType);
    // A slot built by hand gets the same filtering as one parsed from a reply.
    for (const auto &[name, value] : slot.putHeaders.mid(0, maxSlotHeaders)) {
        if (const auto allowed = allowedHeader(name, value.left(maxSlotHeaderValueLength)))
            request.setRawHeader(allowed->first, allowed->second);
    }
    qCInfo(lcHttpUpload) << "uploading" << data.size() << "bytes to" << loggableUrl(slot.putUrl);
    transfer->start(managerFor(network, tls).put(request, data));
    return transfer;
}

HttpFileTransfer *HttpFileTransfer::get(QNetworkAccessManager &network, const QUrl &url, qint64 maxBytes,
                                        const QSslConfiguration &tls, HttpTransferLimits limits, QObject *parent)
{
    auto *transfer = new HttpFileTransfer(Direction::Download, url, tls, limits, parent);
    transfer->m_maxBytes = maxBytes;
    if (const auto error = checkHttpsUrl(url, QStringLiteral("download"))) {
        transfer->failLater(*error);
        return transfer;
    }
    if (maxBytes < 0) {
        transfer->failLater(makeError(ErrorCondition::InvalidInput, QStringLiteral("a download limit of %1 bytes").arg(maxBytes)));
        return transfer;
    }
    QNetworkRequest request = transferRequest(url, tls);
    // The limit counts the bytes of the file itself, not of a compressed encoding of it.
    request.setRawHeader(QByteArrayLiteral("Accept-Encoding"), QByteArrayLiteral("identity"));
    qCInfo(lcHttpUpload) << "downloading at most" << maxBytes << "bytes from" << loggableUrl(url);
    QNetworkReply *reply = managerFor(network, tls).get(request);
    reply->setReadBufferSize(std::clamp(maxBytes + 1, minReadBuffer, maxReadBuffer));
    transfer->start(reply);
    return transfer;
}

void HttpFileTransfer::start(QNetworkReply *reply)
{
    m_reply = reply;
    connect(reply, &QNetworkReply::metaDataChanged, this, &HttpFileTransfer::onMetaData);
    connect(reply, &QNetworkReply::readyRead, this, &HttpFileTransfer::onReadyRead);
    connect(reply, &QNetworkReply::encrypted, this, &HttpFileTransfer::onEncrypted);
    connect(reply, &QNetworkReply::finished, this, &HttpFileTransfer::onReplyFinished);
    connect(reply, &QNetworkReply::sslErrors, this, [this](const QList<QSslError> &errors) {
        // Never ignored: the handshake fails, and this says why.
        QStringList problems;
        for (const QSslError &error : errors.mid(0, 8))
            problems << error.errorString();
        m_tlsProblem = problems.join(QStringLiteral("; "));
    });
    if (m_direction == Direction::Upload) {
        connect(reply, &QNetworkReply::uploadProgress, this, [this](qint64 done, qint64 total) {
            touch();
            // Qt reports (0, 0) once the body is out; the count only ever grows here.
            if (done < m_progressDone)
                return;
            m_progressDone = done;
            Q_EMIT progress(done, total);
        });
    } else {
        connect(reply, &QNetworkReply::downloadProgress, this, [this](qint64 done, qint64 total) {
            touch();
            if (!m_finished)
                Q_EMIT progress(done, total);
        });
    }
    m_stallTimer.start(m_limits.stallTimeoutMs);
}

void HttpFileTransfer::failLater(const Error &error)
{
    QTimer::singleShot(0, this, [this, error] { finish(error); });
}

void HttpFileTransfer::abort()
{
    finish(makeError(ErrorCondition::Cancelled, QStringLiteral("the transfer was aborted")));
}

void HttpFileTransfer::touch()
{
    if (!m_finished)
        m_stallTimer.start(m_limits.stallTimeoutMs);
}

void HttpFileTransfer::onStall()
{
    finish(makeError(ErrorCondition::Timeout, QStringLiteral("no data moved for %1 s (%2)")
                                                  .arg(m_limits.stallTimeoutMs / 1000.0)
                                                  .arg(loggableUrl(m_url))));
}

void HttpFileTransfer::onEncrypted()
{
    touch();
    if (!m_reply || m_finished)
        return;
    // managerFor() keeps connections of other trust settings apart; should one slip through
    // all the same, it carries nothing.
    const QSslConfiguration used = m_reply->sslConfiguration();
    const bool verified = used.peerVerifyMode() != QSslSocket::VerifyNone || m_tls.peerVerifyMode() == QSslSocket::VerifyNone;
    if (!verified || used.caCertificates() != m_tls.caCertificates()) {
        finish(makeError(ErrorCondition::TlsFailed,
                         QStringLiteral("the connection to %1 was set up with other TLS settings").arg(m_url.host())));
    }
}

void HttpFileTransfer::onMetaData()
{
    touch();
    if (!m_reply || m_finished)
        return;
    if (m_reply->attribute(QNetworkRequest::ConnectionEncryptedAttribute).toBool())
        onEncrypted();
    if (m_finished)
        return;
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        return;
    const int code = status.toInt();
    if (code < 200 || code > 299) {
        QString detail = QStringLiteral("HTTP %1 %2").arg(code).arg(
            reasonFor(code, m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray()));
        if (code >= 300 && code < 400)
            detail += QStringLiteral(" (redirects are not followed)");
        detail += QStringLiteral(" for %1 %2").arg(m_direction == Direction::Upload ? QStringLiteral("PUT") : QStringLiteral("GET"),
                                                   loggableUrl(m_url));
        finish(makeError(ErrorCondition::HttpFailed, detail.simplified()), true);
        return;
    }
    if (m_direction != Direction::Download)
        return;
    const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
    if (!length.isValid())
        return;
    const qint64 announced = length.toLongLong();
    if (announced > m_maxBytes) {
        finish(makeError(ErrorCondition::LimitExceeded, QStringLiteral("the file has %1 bytes, more than the %2 allowed (%3)")
                                                            .arg(announced)
                                                            .arg(m_maxBytes)
                                                            .arg(loggableUrl(m_url))));
        return;
    }
    if (announced > m_body.capacity())
        m_body.reserve(announced);
}

void HttpFileTransfer::onReadyRead()
{
    touch();
    if (!m_reply || m_finished)
        return;
    const qint64 available = m_reply->bytesAvailable();
    if (m_direction == Direction::Upload) {
        // The body of a success is of no use; that of a failure was refused in onMetaData().
        m_reply->skip(available);
        return;
    }
    if (available > m_maxBytes - m_body.size()) {
        finish(makeError(ErrorCondition::LimitExceeded, QStringLiteral("the file is larger than the %1 bytes allowed (%2)")
                                                            .arg(m_maxBytes)
                                                            .arg(loggableUrl(m_url))));
        return;
    }
    m_body.append(m_reply->read(available));
}

void HttpFileTransfer::onReplyFinished()
{
    if (!m_reply || m_finished)
        return;
    onMetaData();
    if (m_finished)
        return;
    if (m_reply->error() != QNetworkReply::NoError) {
        finish(networkError());
        return;
    }
    if (!m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid()) {
        finish(makeError(ErrorCondition::ProtocolViolation, QStringLiteral("no HTTP status from %1").arg(loggableUrl(m_url))));
        return;
    }
    onReadyRead();
    if (m_finished)
        return;
    finish(m_direction == Direction::Download ? std::exchange(m_body, {}) : QByteArray());
}

Error HttpFileTransfer::networkError() const
{
    // Qt's error strings may quote the whole URL, and with it a token in the query.
    QString text = m_reply->errorString();
    for (const QString &form : {m_url.toString(), m_url.toString(QUrl::FullyEncoded), m_url.toDisplayString()})
        text.replace(form, loggableUrl(m_url));
    const bool answered = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid();
    const QString where = QStringLiteral("%1 (%2)").arg(text.left(300), loggableUrl(m_url));
    switch (m_reply->error()) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyNotFoundError:
        return makeError(ErrorCondition::ConnectionFailed, where);
    case QNetworkReply::HostNotFoundError:
        return makeError(ErrorCondition::HostNotFound, where);
    case QNetworkReply::RemoteHostClosedError:
        return makeError(ErrorCondition::ConnectionLost, where);
    case QNetworkReply::TimeoutError:
    case QNetworkReply::ProxyTimeoutError:
        return makeError(ErrorCondition::Timeout, where);
    case QNetworkReply::SslHandshakeFailedError:
        if (!m_tlsProblem.isEmpty())
            return makeError(ErrorCondition::CertificateUntrusted, QStringLiteral("%1 (%2)").arg(m_tlsProblem, m_url.host()));
        return makeError(ErrorCondition::TlsFailed, where);
    case QNetworkReply::OperationCanceledError:
        return makeError(ErrorCondition::Cancelled, where);
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProtocolInvalidOperationError:
    case QNetworkReply::ProtocolFailure:
    case QNetworkReply::TooManyRedirectsError:
    case QNetworkReply::InsecureRedirectError:
        return makeError(ErrorCondition::ProtocolViolation, where);
    default:
        return makeError(answered ? ErrorCondition::ConnectionLost : ErrorCondition::ConnectionFailed, where);
    }
}

void HttpFileTransfer::finish(const Result<QByteArray> &result, bool drain)
{
    if (m_finished)
        return;
    m_finished = true;
    m_stallTimer.stop();
    if (m_reply) {
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        reply->disconnect(this);
        if (!reply->isRunning()) {
            reply->deleteLater();
        } else if (drain) {
            // An error answer ends by itself in a moment, and aborting it races with Qt's
            // own report of the status. Its body is thrown away, and cut short when long.
            auto discarded = std::make_shared<qint64>(0);
            connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
            connect(reply, &QNetworkReply::readyRead, reply, [reply, discarded] {
                *discarded += reply->skip(reply->bytesAvailable());
                if (*discarded > maxDrainBytes)
                    QMetaObject::invokeMethod(reply, &QNetworkReply::abort, Qt::QueuedConnection);
            });
            QTimer::singleShot(m_limits.stallTimeoutMs, reply, &QNetworkReply::abort);
        } else {
            // Often called from one of the reply's own signals, which an abort() inside
            // would interrupt half-way: stop it on the next turn of the event loop.
            connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
            QMetaObject::invokeMethod(reply, &QNetworkReply::abort, Qt::QueuedConnection);
        }
    }
    const char *what = m_direction == Direction::Upload ? "upload to" : "download from";
    if (result)
        qCInfo(lcHttpUpload) << what << loggableUrl(m_url) << "done";
    else
        qCInfo(lcHttpUpload) << what << loggableUrl(m_url) << "failed:" << Error::conditionName(result.error().condition)
                             << result.error().detail;
    Q_EMIT finished(result);
}

} // namespace xmpp
