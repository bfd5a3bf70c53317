#include "transfer.h"

#include "httpupload.h"
#include "namespaces.h"
#include "packetlog.h"

#include <QLocale>
#include <QNetworkAccessManager>
#include <QSet>
#include <QTimer>

#include <algorithm>

using xmpp::ErrorCondition;
using Reason = mobility::TransferFailed::Reason;

namespace mobility {

namespace {

// Markup around one part, upload or logged stanza inside a <state/>, beyond its payload:
// generous, so that a chunk planned to chunkBytes stays under the protocol's 64 KiB.
constexpr qsizetype elementOverhead = 256;
// The archive's name when a bundle travels as one file.
const QString bundleFileName = QStringLiteral("bundle.zip");
// Outdated tids remembered per hub (see m_finishedTids).
constexpr int maxFinishedTids = 16;
constexpr qint64 progressIntervalMs = 100;
constexpr int refusalReasonWaitMs = 5000;

qsizetype base64Size(qsizetype bytes)
{
    return (bytes + 2) / 3 * 4;
}

// What a logged stanza costs inside a chunk: the stanza plus <forwarded/> and <delay/>.
qsizetype logEntryCost(const PacketLog::Entry &entry)
{
    return entry.bytes + elementOverhead;
}

qsizetype partCost(const QString &name, qsizetype bytes)
{
    // Names are escaped in the attribute: up to 6 bytes for one character ("&quot;").
    return elementOverhead + 6 * name.size() + base64Size(bytes);
}

qsizetype uploadCost(const StateChunk::UploadedFile &upload)
{
    return elementOverhead + 6 * upload.file.name.size() + 5 * upload.url.toString(QUrl::FullyEncoded).size() +
           base64Size(upload.file.digest.size());
}

xmpp::Error errorFor(Reason reason, const QString &detail)
{
    switch (reason) {
    case Reason::Digest:
        return xmpp::makeError(ErrorCondition::InvalidInput, detail);
    case Reason::Size:
        return xmpp::makeError(ErrorCondition::LimitExceeded, detail);
    case Reason::Archive:
        return xmpp::makeError(ErrorCondition::InvalidInput, detail);
    case Reason::Timeout:
        return xmpp::makeError(ErrorCondition::Timeout, detail);
    case Reason::Other:
        break;
    }
    return xmpp::makeError(ErrorCondition::ProtocolViolation, detail);
}

// The protocol's reason for an error met on this side.
Reason reasonFor(const xmpp::Error &error)
{
    switch (error.condition) {
    case ErrorCondition::Timeout:
        return Reason::Timeout;
    case ErrorCondition::LimitExceeded:
        return Reason::Size;
    default:
        return Reason::Other;
    }
}

QString formatBytes(qint64 bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

} // namespace

QString TransferProgress::describe() const
{
    QString text = QStringLiteral("%1 of %2").arg(formatBytes(bytesDone), formatBytes(bytesTotal));
    if (elapsedMs >= 500 && bytesDone > 0 && bytesTotal > bytesDone) {
        const double rate = double(bytesDone) / double(elapsedMs); // bytes per ms
        const qint64 leftSeconds = qMax<qint64>(1, qint64((bytesTotal - bytesDone) / rate / 1000.0 + 0.5));
        text += leftSeconds < 120 ? QStringLiteral(", about %1 s left").arg(leftSeconds)
                                  : QStringLiteral(", about %1 min left").arg((leftSeconds + 30) / 60);
    }
    return text;
}

// --- chunk planning ---------------------------------------------------------------------

namespace {

// Cuts what a transfer sends in <state/> chunks: file parts first, then the log, then the
// uploaded files' descriptions, each chunk within the budget.
class ChunkPlanner
{
public:
    struct Source
    {
        QString name;
        QByteArray data;
    };

    ChunkPlanner(QString sid, QString tid, qsizetype budget) : m_sid(std::move(sid)), m_tid(std::move(tid)), m_budget(budget) {}

    QList<Source> parts;
    QList<PacketLog::Entry> log;
    QList<StateChunk::UploadedFile> uploads;

    // The next chunk and the file bytes in it.
    std::pair<StateChunk, qint64> next()
    {
        StateChunk chunk;
        chunk.sid = m_sid;
        chunk.tid = m_tid;
        chunk.seq = m_seq++;
        qsizetype room = m_budget;
        qint64 fileBytes = 0;
        while (m_part < parts.size()) {
            const Source &source = parts[m_part];
            const qsizetype left = source.data.size() - m_offset;
            const qsizetype fixed = partCost(source.name, 0);
            if (room <= fixed + 4)
                break;
            const qsizetype take = qMin(left, (room - fixed) / 4 * 3);
            if (take <= 0 && left > 0)
                break;
            chunk.parts.append({source.name, source.data.mid(m_offset, take)});
            room -= partCost(source.name, take);
            fileBytes += take;
            m_offset += take;
            if (m_offset >= source.data.size()) {
                ++m_part;
                m_offset = 0;
            }
        }
        // Parts and uploads never share a chunk (one method per chunk).
        while (m_part >= parts.size() && m_log < log.size() && logEntryCost(log[m_log]) <= room) {
            chunk.log.append({log[m_log].stanza, log[m_log].received});
            room -= logEntryCost(log[m_log]);
            ++m_log;
        }
        while (m_part >= parts.size() && m_log >= log.size() && chunk.parts.isEmpty() && m_upload < uploads.size() &&
               uploadCost(uploads[m_upload]) <= room) {
            room -= uploadCost(uploads[m_upload]);
            chunk.uploads.append(uploads[m_upload++]);
        }
        chunk.last = m_part >= parts.size() && m_log >= log.size() && m_upload >= uploads.size();
        return {std::move(chunk), fileBytes};
    }

private:
    QString m_sid;
    QString m_tid;
    qsizetype m_budget;
    qsizetype m_part = 0;
    qsizetype m_offset = 0;
    qsizetype m_log = 0;
    qsizetype m_upload = 0;
    quint32 m_seq = 0;
};

} // namespace

// --- outgoing ---------------------------------------------------------------------------

class TransferHub::Outgoing : public QObject
{
public:
    Outgoing(TransferHub &hub, QString tid, StateBundle state, QList<TransferMethod> methods)
        : m_hub(hub), m_tid(std::move(tid)), m_state(std::move(state)), m_wanted(std::move(methods))
    {
        m_clock.start();
        m_outcomeTimer.setSingleShot(true);
        connect(&m_outcomeTimer, &QTimer::timeout, this, [this] {
            if (m_refusal)
                fail(Reason::Other, *m_refusal);
            else
                fail(Reason::Timeout, QStringLiteral("the peer did not confirm the transfer in time"));
        });
    }

    QString tid() const { return m_tid; }

    void start()
    {
        auto manifest = m_state.manifest(m_hub.m_limits.hashAlgorithm);
        if (!manifest) {
            fail(Reason::Other, manifest.error().detail);
            return;
        }
        m_manifest = manifest.value();
        for (const TransferFile &file : std::as_const(m_manifest))
            m_total += file.size;
        m_logFitsChunks = std::all_of(m_state.log.entries().begin(), m_state.log.entries().end(),
                                      [this](const PacketLog::Entry &entry) { return logEntryCost(entry) <= chunkBudget(); });
        const bool mayUpload = m_wanted.contains(TransferMethod::Upload) || m_wanted.contains(TransferMethod::Bundle);
        xmpp::Client *account = m_hub.m_peer.uploadAccount;
        if (mayUpload && account && account->isOnline()) {
            xmpp::discoverUploadService(*account, this, [this](const xmpp::Result<xmpp::HttpUploadService> &service) {
                if (service)
                    m_service = service.value();
                offer();
            });
            return;
        }
        offer();
    }

    // The receiver's <transferred/> (success) or <transfer-failed/>.
    void outcome(std::optional<Reason> failure)
    {
        if (!failure) {
            m_hub.finishOutgoing(std::nullopt);
            return;
        }
        fail(*failure, QStringLiteral("the peer could not take the state (%1)").arg(TransferFailed::reasonName(*failure)));
    }

    TransferMethod method() const { return m_method; }

private:
    qsizetype chunkBudget() const { return m_hub.m_limits.chunkBytes; }

    bool fitsService(qint64 size) const
    {
        return m_service && (!m_service->maxFileSize || size <= *m_service->maxFileSize);
    }

    void offer()
    {
        QList<TransferMethod> methods;
        for (TransferMethod method : std::as_const(m_wanted)) {
            if (methods.contains(method))
                continue;
            bool possible = true;
            if (method == TransferMethod::Inband)
                possible = m_logFitsChunks;
            else if (method == TransferMethod::Upload)
                possible = m_logFitsChunks && std::all_of(m_manifest.begin(), m_manifest.end(), [this](const TransferFile &file) {
                               return fitsService(file.size);
                           });
            if (possible)
                methods.append(method);
        }
        if (methods.isEmpty()) {
            fail(Reason::Other, m_logFitsChunks ? QStringLiteral("none of the methods asked for can carry this state "
                                                                 "(upload needs an XEP-0363 service on the account's server)")
                                                : QStringLiteral("a logged stanza is too big for a chunk; only a bundle can carry this log"));
            return;
        }
        m_offered = methods;
        TransferOffer offer;
        offer.sid = m_hub.m_peer.sid;
        offer.tid = m_tid;
        offer.methods = methods;
        offer.files = m_manifest;
        if (m_hub.m_fault.corruptDigest && !offer.files.isEmpty())
            offer.files.first().digest[0] = char(offer.files.first().digest.at(0) ^ 0x5a);
        offer.logCount = int(m_state.log.size());
        QDomDocument document;
        m_hub.sendToPeer(offer.toDom(document), this, [this](const xmpp::IqResult &reply) {
            if (!reply) {
                const xmpp::Error &error = reply.error();
                fail(error.condition == ErrorCondition::Timeout ? Reason::Timeout : Reason::Other,
                     error.condition == ErrorCondition::StanzaError
                         ? QStringLiteral("the peer refused the offer (%1)").arg(error.protocolCondition)
                         : error.message());
                return;
            }
            const auto answer = TransferAnswer::fromDom(reply.value().firstChildElement());
            if (!answer || answer->tid != m_tid || !m_offered.contains(answer->method)) {
                fail(Reason::Other, QStringLiteral("the peer's answer to the offer names no method offered"));
                return;
            }
            m_method = answer->method;
            run();
        });
    }

    void run()
    {
        m_planner.emplace(m_hub.m_peer.sid, m_tid, chunkBudget());
        switch (m_method) {
        case TransferMethod::Inband:
            for (auto it = m_state.files.cbegin(); it != m_state.files.cend(); ++it)
                m_planner->parts.append({it.key(), it.value()});
            m_planner->log = m_state.log.entries();
            sendNextChunk();
            return;
        case TransferMethod::Upload:
            m_planner->log = m_state.log.entries();
            for (auto it = m_state.files.cbegin(); it != m_state.files.cend(); ++it) {
                // Empty files need no upload: a file nothing arrived for is empty.
                if (!it.value().isEmpty())
                    m_toUpload.append(it.key());
            }
            uploadNext();
            return;
        case TransferMethod::Bundle: {
            auto zip = m_hub.m_fault.rawBundle.isEmpty() ? m_state.toZip(m_hub.m_limits.bundle)
                                                         : xmpp::Result<QByteArray>(m_hub.m_fault.rawBundle);
            if (!zip) {
                fail(reasonFor(zip.error()), zip.error().detail);
                return;
            }
            m_bundle = std::move(zip).value();
            m_total = m_bundle.size();
            if (fitsService(m_bundle.size())) {
                m_toUpload.append(bundleFileName);
                uploadNext();
            } else {
                m_planner->parts.append({bundleFileName, m_bundle});
                sendNextChunk();
            }
            return;
        }
        }
    }

    const QByteArray &dataFor(const QString &name) const
    {
        return m_method == TransferMethod::Bundle ? m_bundle : *m_state.files.find(name);
    }

    // A file's manifest entry was written when the transfer started; only the archive of
    // a bundle is new.
    TransferFile describedUpload(const QString &name) const
    {
        if (m_method == TransferMethod::Bundle)
            return StateBundle::describe(bundleFileName, m_bundle, m_hub.m_limits.hashAlgorithm).value();
        return *std::find_if(m_manifest.cbegin(), m_manifest.cend(), [&](const TransferFile &file) { return file.name == name; });
    }

    void uploadNext()
    {
        if (m_toUpload.isEmpty()) {
            sendNextChunk();
            return;
        }
        xmpp::Client *account = m_hub.m_peer.uploadAccount;
        if (!account || !account->isOnline()) {
            fail(Reason::Other, QStringLiteral("the account for uploads went offline"));
            return;
        }
        const QString name = m_toUpload.takeFirst();
        const QString contentType = QStringLiteral("application/octet-stream");
        xmpp::requestUploadSlot(*account, *m_service, name, dataFor(name).size(), contentType, this,
                                [this, name, contentType](const xmpp::Result<xmpp::HttpUploadSlot> &slot) {
            if (!slot) {
                fail(reasonFor(slot.error()), QStringLiteral("no upload slot for %1: %2").arg(name, slot.error().message()));
                return;
            }
            const QByteArray &data = dataFor(name);
            xmpp::HttpUploadSlot uploadSlot = slot.value();
            auto *put = xmpp::HttpFileTransfer::put(m_hub.network(), uploadSlot, data, contentType, m_hub.m_peer.tls,
                                                    {m_hub.m_limits.stepTimeoutMs}, this);
            const qint64 before = m_done;
            connect(put, &xmpp::HttpFileTransfer::progress, this, [this, before](qint64 done, qint64) {
                m_done = before + done;
                report(false);
            });
            connect(put, &xmpp::HttpFileTransfer::finished, this,
                    [this, put, name, before, getUrl = uploadSlot.getUrl](const xmpp::Result<QByteArray> &result) {
                put->deleteLater();
                if (!result) {
                    fail(reasonFor(result.error()), QStringLiteral("uploading %1 failed: %2").arg(name, result.error().message()));
                    return;
                }
                const QByteArray &uploaded = dataFor(name);
                m_done = before + uploaded.size();
                m_uploadedBytes += uploaded.size();
                m_planner->uploads.append({describedUpload(name), getUrl});
                uploadNext();
            });
        });
    }

    void sendNextChunk()
    {
        auto [chunk, fileBytes] = m_planner->next();
        const bool last = chunk.last;
        QDomDocument document;
        m_hub.sendToPeer(chunk.toDom(document), this, [this, last, fileBytes](const xmpp::IqResult &reply) {
            if (!reply) {
                const xmpp::Error &error = reply.error();
                if (error.condition == ErrorCondition::StanzaError) {
                    // The receiver follows a refusal with <transfer-failed/> naming the
                    // reason (digest, size, ...); wait a moment for it rather than guess.
                    m_refusal = QStringLiteral("the peer refused part of the state (%1)").arg(error.protocolCondition);
                    m_outcomeTimer.start(refusalReasonWaitMs);
                    return;
                }
                fail(error.condition == ErrorCondition::Timeout ? Reason::Timeout : Reason::Other, error.message());
                return;
            }
            m_done += fileBytes;
            report(last);
            if (!last) {
                sendNextChunk();
                return;
            }
            // The receiver may still download: allow it a step plus a second per MiB.
            m_outcomeTimer.start(m_hub.m_limits.stepTimeoutMs + int(qMin<qint64>(m_uploadedBytes / 1024, 600'000)));
        });
    }

    void report(bool final)
    {
        const qint64 now = m_clock.elapsed();
        if (!final && now - m_lastReportMs < progressIntervalMs)
            return;
        m_lastReportMs = now;
        Q_EMIT m_hub.progress({m_tid, TransferDirection::Outgoing, m_method, qMin(m_done, m_total), m_total, now});
    }

    void fail(Reason reason, const QString &detail)
    {
        m_hub.finishOutgoing(Failure{reason, errorFor(reason, detail)});
    }

    TransferHub &m_hub;
    QString m_tid;
    StateBundle m_state;
    QList<TransferMethod> m_wanted;
    QList<TransferMethod> m_offered;
    TransferMethod m_method = TransferMethod::Inband;
    QList<TransferFile> m_manifest;
    bool m_logFitsChunks = true;
    std::optional<xmpp::HttpUploadService> m_service;
    std::optional<ChunkPlanner> m_planner;
    QStringList m_toUpload;
    QByteArray m_bundle;
    qint64 m_total = 0;
    qint64 m_done = 0;
    qint64 m_uploadedBytes = 0;
    QElapsedTimer m_clock;
    qint64 m_lastReportMs = -progressIntervalMs;
    QTimer m_outcomeTimer;
    std::optional<QString> m_refusal;
};

// --- incoming ---------------------------------------------------------------------------

class TransferHub::Incoming : public QObject
{
public:
    Incoming(TransferHub &hub, TransferOffer offer, TransferMethod method)
        : m_hub(hub), m_offer(std::move(offer)), m_method(method)
    {
        m_clock.start();
        for (const TransferFile &file : std::as_const(m_offer.files)) {
            m_declared.insert(file.name, file);
            m_total += file.size;
        }
        m_stepTimer.setSingleShot(true);
        connect(&m_stepTimer, &QTimer::timeout, this, [this] {
            fail(Reason::Timeout, QStringLiteral("the state stopped arriving"));
        });
        m_stepTimer.start(m_hub.m_limits.stepTimeoutMs);
    }

    QString tid() const { return m_offer.tid; }

    // Takes one chunk; a refusal names why, and the transfer has then failed.
    std::optional<std::pair<Reason, QString>> take(const StateChunk &chunk)
    {
        if (m_lastSeen)
            return std::pair{Reason::Other, QStringLiteral("state arrived after the last chunk")};
        if (chunk.seq != m_nextSeq)
            return std::pair{Reason::Other, QStringLiteral("chunk %1 arrived where %2 was due").arg(chunk.seq).arg(m_nextSeq)};
        ++m_nextSeq;
        m_stepTimer.start(m_hub.m_limits.stepTimeoutMs);
        if (m_method == TransferMethod::Inband && !chunk.uploads.isEmpty())
            return std::pair{Reason::Other, QStringLiteral("an inband transfer carried uploaded files")};
        if (m_method == TransferMethod::Bundle && !chunk.log.isEmpty())
            return std::pair{Reason::Other, QStringLiteral("a bundle's log belongs in its archive")};
        for (const StateChunk::FilePart &part : chunk.parts) {
            if (auto refusal = takePart(part))
                return refusal;
        }
        for (const StateChunk::UploadedFile &upload : chunk.uploads) {
            if (auto refusal = takeUpload(upload))
                return refusal;
        }
        if (m_log.size() + chunk.log.size() > m_offer.logCount)
            return std::pair{Reason::Size, QStringLiteral("more logged stanzas than the offer's %1").arg(m_offer.logCount)};
        m_log.append(chunk.log);
        m_done = qMin(m_total, m_received);
        report(false);
        m_lastSeen = chunk.last;
        return std::nullopt;
    }

    // After the last chunk: download what was uploaded, then verify everything.
    void complete()
    {
        m_stepTimer.stop();
        downloadNext();
    }

private:
    std::optional<std::pair<Reason, QString>> takePart(const StateChunk::FilePart &part)
    {
        if (m_method == TransferMethod::Bundle) {
            if (auto refusal = takeBundleName(part.name))
                return refusal;
            // The archive is a little bigger than what it holds; anything far beyond is not
            // the state offered.
            if (m_bundle.size() + part.data.size() > m_hub.m_limits.maxStateBytes + bundleSlack())
                return std::pair{Reason::Size, QStringLiteral("the archive is bigger than the state offered")};
            m_bundle.append(part.data);
            m_received += part.data.size();
            return std::nullopt;
        }
        const auto declared = m_declared.constFind(part.name);
        if (declared == m_declared.cend())
            return std::pair{Reason::Other, QStringLiteral("a file the offer did not name arrived")};
        if (m_uploads.contains(part.name))
            return std::pair{Reason::Other, QStringLiteral("a file arrived both uploaded and inband")};
        QByteArray &data = m_files[part.name];
        if (data.size() + part.data.size() > declared->size)
            return std::pair{Reason::Size, QStringLiteral("a file is bigger than the offer said")};
        data.append(part.data);
        m_received += part.data.size();
        return std::nullopt;
    }

    std::optional<std::pair<Reason, QString>> takeUpload(const StateChunk::UploadedFile &upload)
    {
        if (m_method == TransferMethod::Bundle) {
            if (auto refusal = takeBundleName(upload.file.name))
                return refusal;
            if (!m_bundle.isEmpty() || m_bundleUpload)
                return std::pair{Reason::Other, QStringLiteral("the archive arrived twice")};
            if (upload.file.size > m_hub.m_limits.maxStateBytes + bundleSlack())
                return std::pair{Reason::Size, QStringLiteral("the archive is bigger than the state offered")};
            m_bundleUpload = upload;
            m_total = upload.file.size;
            return std::nullopt;
        }
        const auto declared = m_declared.constFind(upload.file.name);
        if (declared == m_declared.cend())
            return std::pair{Reason::Other, QStringLiteral("a file the offer did not name arrived")};
        if (m_uploads.contains(upload.file.name) || m_files.contains(upload.file.name))
            return std::pair{Reason::Other, QStringLiteral("a file arrived twice")};
        if (upload.file.size != declared->size || upload.file.hashAlgorithm != declared->hashAlgorithm ||
            upload.file.digest != declared->digest)
            return std::pair{Reason::Digest, QStringLiteral("an uploaded file is not the one the offer described")};
        m_uploads.insert(upload.file.name, upload);
        return std::nullopt;
    }

    std::optional<std::pair<Reason, QString>> takeBundleName(const QString &name)
    {
        if (m_bundleName.isEmpty())
            m_bundleName = name;
        else if (name != m_bundleName)
            return std::pair{Reason::Archive, QStringLiteral("a bundle is one archive, but two files arrived")};
        return std::nullopt;
    }

    qint64 bundleSlack() const
    {
        // ZIP headers per entry, the log, and stored rather than deflated data.
        return qint64(m_offer.files.size() + 1) * 1024 + PacketLog::maxXmlBytes(m_hub.m_limits.bundle.log);
    }

    void downloadNext()
    {
        std::optional<StateChunk::UploadedFile> next;
        if (m_bundleUpload) {
            next = m_bundleUpload;
            m_bundleUpload.reset();
        } else if (!m_uploads.isEmpty()) {
            next = m_uploads.take(m_uploads.firstKey());
        }
        if (!next) {
            verify();
            return;
        }
        const StateChunk::UploadedFile upload = *next;
        auto *get = xmpp::HttpFileTransfer::get(m_hub.network(), upload.url, upload.file.size, m_hub.m_peer.tls,
                                                {m_hub.m_limits.stepTimeoutMs}, this);
        const qint64 before = m_received;
        connect(get, &xmpp::HttpFileTransfer::progress, this, [this, before](qint64 done, qint64) {
            m_done = qMin(m_total, before + done);
            report(false);
        });
        connect(get, &xmpp::HttpFileTransfer::finished, this, [this, get, upload, before](const xmpp::Result<QByteArray> &result) {
            get->deleteLater();
            if (!result) {
                const Reason reason = reasonFor(result.error());
                fail(reason, QStringLiteral("downloading %1 failed: %2").arg(upload.file.name, result.error().message()));
                return;
            }
            if (const auto mismatch = StateBundle::verify(upload.file, result.value())) {
                fail(*mismatch, QStringLiteral("%1 is not what was announced (%2)")
                                    .arg(upload.file.name, TransferFailed::reasonName(*mismatch)));
                return;
            }
            m_received = before + result.value().size();
            if (m_method == TransferMethod::Bundle) {
                m_bundle = result.value();
            } else {
                m_files.insert(upload.file.name, result.value());
                // Its description is the offer's (takeUpload() checked): verified once.
                m_verifiedFiles.insert(upload.file.name);
            }
            downloadNext();
        });
    }

    void verify()
    {
        StateBundle state;
        if (m_method == TransferMethod::Bundle) {
            auto bundle = StateBundle::fromZip(m_bundle, m_hub.m_limits.bundle);
            m_bundle.clear();
            if (!bundle) {
                const Reason reason = bundle.error().condition == ErrorCondition::LimitExceeded ? Reason::Size : Reason::Archive;
                fail(reason, QStringLiteral("the archive was refused: %1").arg(bundle.error().detail));
                return;
            }
            state = std::move(bundle).value();
            if (state.files.size() != m_declared.size()) {
                fail(Reason::Archive, QStringLiteral("the archive holds %1 files; the offer named %2")
                                          .arg(state.files.size())
                                          .arg(m_declared.size()));
                return;
            }
        } else {
            state.log = PacketLog(m_hub.m_limits.bundle.log);
            for (const ForwardedStanza &entry : std::as_const(m_log)) {
                auto appended = state.log.append(entry.stanza, entry.received);
                if (!appended || appended.value() > 0) {
                    fail(Reason::Size, QStringLiteral("the packet log is over this side's limits"));
                    return;
                }
            }
            m_log.clear();
            for (const TransferFile &file : std::as_const(m_offer.files))
                state.files.insert(file.name, m_files.take(file.name));
        }
        for (const TransferFile &file : std::as_const(m_offer.files)) {
            const auto data = state.files.constFind(file.name);
            if (data == state.files.cend()) {
                fail(Reason::Archive, QStringLiteral("%1 is missing from the archive").arg(file.name));
                return;
            }
            if (m_verifiedFiles.contains(file.name))
                continue;
            if (const auto mismatch = StateBundle::verify(file, *data)) {
                fail(*mismatch, QStringLiteral("%1 is not what the offer described (%2)")
                                    .arg(file.name, TransferFailed::reasonName(*mismatch)));
                return;
            }
        }
        if (state.log.size() != m_offer.logCount) {
            fail(Reason::Other, QStringLiteral("%1 logged stanzas arrived; the offer said %2").arg(state.log.size()).arg(m_offer.logCount));
            return;
        }
        m_done = m_total;
        report(true);
        m_hub.incomingVerified(std::move(state));
    }

    void report(bool final)
    {
        const qint64 now = m_clock.elapsed();
        if (!final && now - m_lastReportMs < progressIntervalMs)
            return;
        m_lastReportMs = now;
        Q_EMIT m_hub.progress({m_offer.tid, TransferDirection::Incoming, m_method, m_done, m_total, now});
    }

    void fail(Reason reason, const QString &detail)
    {
        m_hub.finishIncoming({reason, errorFor(reason, detail)}, true);
    }

public:
    TransferMethod method() const { return m_method; }

private:
    TransferHub &m_hub;
    TransferOffer m_offer;
    TransferMethod m_method;
    QMap<QString, TransferFile> m_declared;
    quint32 m_nextSeq = 0;
    bool m_lastSeen = false;
    QMap<QString, QByteArray> m_files;
    QMap<QString, StateChunk::UploadedFile> m_uploads;
    QSet<QString> m_verifiedFiles;
    QList<ForwardedStanza> m_log;
    QString m_bundleName;
    QByteArray m_bundle;
    std::optional<StateChunk::UploadedFile> m_bundleUpload;
    qint64 m_total = 0;
    qint64 m_received = 0;
    qint64 m_done = 0;
    QElapsedTimer m_clock;
    qint64 m_lastReportMs = -progressIntervalMs;
    QTimer m_stepTimer;
};

// --- hub --------------------------------------------------------------------------------

TransferHub::TransferHub(TransferPeer peer, TransferLimits limits, QObject *parent)
    : QObject(parent), m_peer(std::move(peer)), m_limits(std::move(limits))
{
    qRegisterMetaType<mobility::TransferProgress>();
}

TransferHub::~TransferHub() = default;

bool TransferHub::handles(QStringView payloadName)
{
    return payloadName == u"transfer" || payloadName == u"state" || payloadName == u"transferred" ||
           payloadName == u"transfer-failed";
}

void TransferHub::handleRequest(const QDomElement &iq)
{
    const QString name = iq.firstChildElement().tagName();
    if (name == u"transfer")
        onOffer(iq);
    else if (name == u"state")
        onState(iq);
    else if (name == u"transferred" || name == u"transfer-failed")
        onOutcome(iq);
    else
        reply(iq, QStringLiteral("cancel"), QStringLiteral("feature-not-implemented"));
}

std::optional<TransferMethod> TransferHub::chooseMethod(const TransferOffer &offer, const TransferLimits &limits)
{
    qint64 total = 0;
    for (const TransferFile &file : offer.files)
        total += file.size;
    if (offer.logCount > limits.bundle.log.maxCount)
        return std::nullopt;
    for (TransferMethod method : offer.methods) {
        switch (method) {
        case TransferMethod::Inband:
            if (total <= limits.maxInbandBytes)
                return method;
            break;
        case TransferMethod::Upload:
            if (total <= limits.maxStateBytes)
                return method;
            break;
        case TransferMethod::Bundle:
            // log.xml is an entry too.
            if (total <= limits.maxStateBytes && offer.files.size() < limits.bundle.maxEntries &&
                total <= limits.bundle.maxExpandedBytes)
                return method;
            break;
        }
    }
    return std::nullopt;
}

QList<TransferMethod> TransferHub::preferredMethods(const StateBundle &state)
{
    constexpr qint64 inbandFirstUpTo = 1024 * 1024;
    if (state.fileBytes() <= inbandFirstUpTo)
        return {TransferMethod::Inband, TransferMethod::Upload, TransferMethod::Bundle};
    return {TransferMethod::Upload, TransferMethod::Bundle, TransferMethod::Inband};
}

void TransferHub::send(const QString &tid, StateBundle state, QList<TransferMethod> methods)
{
    if (m_outgoing) {
        Q_EMIT failed(tid, TransferDirection::Outgoing, Reason::Other,
                      xmpp::makeError(ErrorCondition::LimitExceeded, QStringLiteral("another transfer to the peer is running")));
        return;
    }
    m_outgoing = std::make_unique<Outgoing>(*this, tid, std::move(state), std::move(methods));
    m_outgoing->start();
}

void TransferHub::abortAll(const xmpp::Error &why, bool tellPeer)
{
    if (m_incoming)
        finishIncoming({reasonFor(why), why}, tellPeer);
    if (m_outgoing)
        finishOutgoing(Failure{reasonFor(why), why});
}

bool TransferHub::isSending() const
{
    return bool(m_outgoing);
}

bool TransferHub::isReceiving() const
{
    return bool(m_incoming);
}

void TransferHub::reply(const QDomElement &iq, const QString &type, const QString &condition)
{
    if (!m_peer.signalling)
        return;
    if (condition.isEmpty())
        m_peer.signalling->replyResult(iq);
    else
        m_peer.signalling->replyError(iq, type, condition);
}

void TransferHub::sendToPeer(const QDomElement &payload, QObject *context, xmpp::IqCallback callback)
{
    if (!m_peer.signalling) {
        callback(xmpp::makeError(ErrorCondition::Cancelled, QStringLiteral("the connection to the peer is gone")));
        return;
    }
    m_peer.signalling->sendRequest(m_peer.peerJid, payload, context, std::move(callback), m_limits.stepTimeoutMs);
}

void TransferHub::onOffer(const QDomElement &iq)
{
    const auto offer = TransferOffer::fromDom(iq.firstChildElement());
    if (!offer || offer->sid != m_peer.sid) {
        reply(iq, QStringLiteral("modify"), QStringLiteral("bad-request"));
        return;
    }
    if (m_incoming) {
        reply(iq, QStringLiteral("wait"), QStringLiteral("resource-constraint"));
        return;
    }
    const auto method = chooseMethod(*offer, m_limits);
    if (!method) {
        reply(iq, QStringLiteral("modify"), QStringLiteral("not-acceptable"));
        return;
    }
    TransferAnswer answer;
    answer.sid = offer->sid;
    answer.tid = offer->tid;
    answer.method = *method;
    QDomDocument document;
    if (m_peer.signalling)
        m_peer.signalling->replyResult(iq, answer.toDom(document));
    m_incoming = std::make_unique<Incoming>(*this, *offer, *method);
    Q_EMIT progress({offer->tid, TransferDirection::Incoming, *method, 0, 0, 0});
}

void TransferHub::onState(const QDomElement &iq)
{
    const auto chunk = StateChunk::fromDom(iq.firstChildElement());
    if (!chunk || chunk->sid != m_peer.sid) {
        reply(iq, QStringLiteral("modify"), QStringLiteral("bad-request"));
        return;
    }
    if (!m_incoming || m_incoming->tid() != chunk->tid) {
        reply(iq, QStringLiteral("cancel"), QStringLiteral("item-not-found"));
        return;
    }
    if (const auto refusal = m_incoming->take(*chunk)) {
        reply(iq, QStringLiteral("modify"), QStringLiteral("not-acceptable"));
        finishIncoming({refusal->first, errorFor(refusal->first, refusal->second)}, true);
        return;
    }
    reply(iq);
    if (chunk->last)
        m_incoming->complete();
}

void TransferHub::onOutcome(const QDomElement &iq)
{
    const QDomElement payload = iq.firstChildElement();
    std::optional<Reason> failure;
    QString tid;
    if (payload.tagName() == u"transferred") {
        const auto done = Transferred::fromDom(payload);
        if (!done || done->sid != m_peer.sid) {
            reply(iq, QStringLiteral("modify"), QStringLiteral("bad-request"));
            return;
        }
        tid = done->tid;
    } else {
        const auto failedTransfer = TransferFailed::fromDom(payload);
        if (!failedTransfer || failedTransfer->sid != m_peer.sid) {
            reply(iq, QStringLiteral("modify"), QStringLiteral("bad-request"));
            return;
        }
        tid = failedTransfer->tid;
        failure = failedTransfer->reason;
    }
    if (m_outgoing && m_outgoing->tid() == tid) {
        reply(iq);
        m_outgoing->outcome(failure);
        return;
    }
    // An outcome for a transfer that already ended here is still welcome.
    if (m_finishedTids.contains(tid))
        reply(iq);
    else
        reply(iq, QStringLiteral("cancel"), QStringLiteral("item-not-found"));
}

void TransferHub::finishOutgoing(const std::optional<Failure> &failure)
{
    if (!m_outgoing)
        return;
    std::unique_ptr<Outgoing> outgoing = std::move(m_outgoing);
    const QString tid = outgoing->tid();
    const TransferMethod method = outgoing->method();
    rememberFinished(tid);
    // This may run inside one of its callbacks.
    outgoing.release()->deleteLater();
    if (!failure)
        Q_EMIT sent(tid, method);
    else
        Q_EMIT failed(tid, TransferDirection::Outgoing, failure->reason, failure->error);
}

void TransferHub::finishIncoming(const Failure &failure, bool tellPeer)
{
    if (!m_incoming)
        return;
    std::unique_ptr<Incoming> incoming = std::move(m_incoming);
    const QString tid = incoming->tid();
    incoming.release()->deleteLater();
    if (tellPeer) {
        TransferFailed message;
        message.sid = m_peer.sid;
        message.tid = tid;
        message.reason = failure.reason;
        QDomDocument document;
        sendToPeer(message.toDom(document), nullptr, [](const xmpp::IqResult &) {});
    }
    Q_EMIT failed(tid, TransferDirection::Incoming, failure.reason, failure.error);
}

void TransferHub::incomingVerified(StateBundle state)
{
    std::unique_ptr<Incoming> incoming = std::move(m_incoming);
    const QString tid = incoming->tid();
    const TransferMethod method = incoming->method();
    incoming.release()->deleteLater();
    Q_EMIT received(tid, state, method);
    Transferred done;
    done.sid = m_peer.sid;
    done.tid = tid;
    QDomDocument document;
    sendToPeer(done.toDom(document), nullptr, [](const xmpp::IqResult &) {});
}

void TransferHub::rememberFinished(const QString &tid)
{
    m_finishedTids.append(tid);
    while (m_finishedTids.size() > maxFinishedTids)
        m_finishedTids.removeFirst();
}

QNetworkAccessManager &TransferHub::network()
{
    if (m_peer.network)
        return *m_peer.network;
    if (!m_ownNetwork)
        m_ownNetwork = std::make_unique<QNetworkAccessManager>();
    return *m_ownNetwork;
}

} // namespace mobility
