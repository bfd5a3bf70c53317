#include "appscheme.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLoggingCategory>
#include <QWebEngineUrlRequestInfo>
#include <QWebEngineUrlRequestJob>
#include <QWebEngineUrlScheme>

Q_LOGGING_CATEGORY(lcWeb, "kioskd.web", QtInfoMsg)

namespace appscheme {

void registerScheme()
{
    QWebEngineUrlScheme scheme(schemeName);
    // Host syntax gives every app a tuple origin of its own (web storage needs one);
    // secure makes it a secure context like https; CORS-enabled lets module scripts and
    // workers load from it.
    scheme.setSyntax(QWebEngineUrlScheme::Syntax::Host);
    scheme.setFlags(QWebEngineUrlScheme::SecureScheme | QWebEngineUrlScheme::CorsEnabled);
    QWebEngineUrlScheme::registerScheme(scheme);
}

namespace {

bool isAppIdCharacter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
        || c == u'.' || c == u'-' || c == u'_';
}

// What the URL standard's IPv4 parser takes for a number: decimal, octal or 0x-hex.
bool looksLikeNumber(QStringView part)
{
    if (part.startsWith(u"0x") || part.startsWith(u"0X")) {
        for (const QChar c : part.mid(2)) {
            if (!c.isDigit() && !((c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F')))
                return false;
        }
        return true;
    }
    for (const QChar c : part) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return !part.isEmpty();
}

} // namespace

bool isUsableAppId(QStringView appId)
{
    if (appId.isEmpty() || appId.size() > 64 || !appId.front().isLetterOrNumber())
        return false;
    for (const QChar c : appId) {
        if (!isAppIdCharacter(c))
            return false;
    }
    const auto parts = appId.split(u'.');
    for (const QStringView part : parts) {
        if (part.isEmpty())
            return false;
    }
    return !looksLikeNumber(parts.back());
}

bool appExists(const QString &appsDir, const QString &appId)
{
    return std::holds_alternative<AppFile>(resolveFile(appsDir, appId, QStringLiteral("/")));
}

QString hostFor(const QString &appId)
{
    return appId.toLower();
}

QUrl startUrl(const QString &appId)
{
    QUrl url;
    url.setScheme(QString::fromLatin1(schemeName));
    url.setHost(hostFor(appId));
    url.setPath(QStringLiteral("/index.html"));
    return url;
}

QByteArray mimeTypeFor(const QString &fileName)
{
    static const QHash<QString, QByteArray> byExtension = {
        {QStringLiteral("html"), "text/html;charset=utf-8"},
        {QStringLiteral("htm"), "text/html;charset=utf-8"},
        {QStringLiteral("js"), "text/javascript;charset=utf-8"},
        {QStringLiteral("mjs"), "text/javascript;charset=utf-8"},
        {QStringLiteral("css"), "text/css;charset=utf-8"},
        {QStringLiteral("json"), "application/json"},
        {QStringLiteral("map"), "application/json"},
        {QStringLiteral("geojson"), "application/geo+json"},
        {QStringLiteral("webmanifest"), "application/manifest+json"},
        {QStringLiteral("xml"), "application/xml"},
        {QStringLiteral("txt"), "text/plain;charset=utf-8"},
        {QStringLiteral("csv"), "text/csv;charset=utf-8"},
        {QStringLiteral("svg"), "image/svg+xml"},
        {QStringLiteral("png"), "image/png"},
        {QStringLiteral("jpg"), "image/jpeg"},
        {QStringLiteral("jpeg"), "image/jpeg"},
        {QStringLiteral("gif"), "image/gif"},
        {QStringLiteral("webp"), "image/webp"},
        {QStringLiteral("avif"), "image/avif"},
        {QStringLiteral("ico"), "image/x-icon"},
        {QStringLiteral("wasm"), "application/wasm"},
        {QStringLiteral("woff"), "font/woff"},
        {QStringLiteral("woff2"), "font/woff2"},
        {QStringLiteral("ttf"), "font/ttf"},
        {QStringLiteral("otf"), "font/otf"},
        {QStringLiteral("mp3"), "audio/mpeg"},
        {QStringLiteral("ogg"), "audio/ogg"},
        {QStringLiteral("oga"), "audio/ogg"},
        {QStringLiteral("wav"), "audio/wav"},
        {QStringLiteral("mp4"), "video/mp4"},
        {QStringLiteral("webm"), "video/webm"},
    };
    const QString extension = QFileInfo(fileName).suffix().toLower();
    return byExtension.value(extension, QByteArrayLiteral("application/octet-stream"));
}

std::variant<AppFile, FileRefusal> resolveFile(const QString &appsDir, const QString &appId,
                                               const QString &urlPath)
{
    if (!isUsableAppId(appId))
        return FileRefusal::NotFound;
    // The app's folder may itself be a link (an operator's choice); what it holds may
    // not lead out of it.
    const QString appRoot = QFileInfo(QDir(appsDir).filePath(appId)).canonicalFilePath();
    if (appRoot.isEmpty() || !QFileInfo(appRoot).isDir())
        return FileRefusal::NotFound;

    QString path = urlPath;
    if (path.isEmpty() || path.endsWith(u'/'))
        path += QStringLiteral("index.html");
    if (!path.startsWith(u'/') || path.contains(QChar(0)))
        return FileRefusal::Forbidden;
    const auto segments = QStringView(path).mid(1).split(u'/');
    for (const QStringView segment : segments) {
        // Chromium has already resolved "." and ".." in the URL; a segment that still
        // holds one was smuggled in encoded. Hidden names are an app's tooling, not its
        // content (.git, .env).
        if (segment.isEmpty() || segment.startsWith(u'.'))
            return FileRefusal::Forbidden;
    }

    const QFileInfo requested(appRoot + path);
    const QString canonical = requested.canonicalFilePath();
    if (canonical.isEmpty())
        return FileRefusal::NotFound;
    if (!canonical.startsWith(appRoot + u'/'))
        return FileRefusal::Forbidden;
    const QFileInfo target(canonical);
    if (!target.isFile() || !target.isReadable())
        return FileRefusal::NotFound;
    if (target.size() > maxFileBytes)
        return FileRefusal::TooLarge;
    return AppFile{canonical, mimeTypeFor(canonical)};
}

AppSchemeHandler::AppSchemeHandler(QString appsDir, QString appId, QObject *parent)
    : QWebEngineUrlSchemeHandler(parent)
    , m_appsDir(std::move(appsDir))
    , m_appId(std::move(appId))
    , m_host(hostFor(m_appId))
{
}

void AppSchemeHandler::requestStarted(QWebEngineUrlRequestJob *job)
{
    const QUrl url = job->requestUrl();
    if (url.host() != m_host) {
        Q_EMIT refused(QStringLiteral("a file of another origin"));
        job->fail(QWebEngineUrlRequestJob::RequestDenied);
        return;
    }
    const QByteArray method = job->requestMethod();
    if (method != "GET" && method != "HEAD") {
        job->fail(QWebEngineUrlRequestJob::RequestDenied);
        return;
    }
    const auto resolved = resolveFile(m_appsDir, m_appId, url.path(QUrl::FullyDecoded));
    if (const FileRefusal *refusal = std::get_if<FileRefusal>(&resolved)) {
        switch (*refusal) {
        case FileRefusal::NotFound:
            qCDebug(lcWeb) << "app" << m_appId << "asked for a file it does not have";
            job->fail(QWebEngineUrlRequestJob::UrlNotFound);
            break;
        case FileRefusal::Forbidden:
            qCInfo(lcWeb) << "app" << m_appId << "asked for a file outside its folder";
            Q_EMIT refused(QStringLiteral("a file outside the app's folder"));
            job->fail(QWebEngineUrlRequestJob::RequestDenied);
            break;
        case FileRefusal::TooLarge:
            qCWarning(lcWeb) << "app" << m_appId << "has a file over" << maxFileBytes
                                   << "bytes:" << url.path();
            job->fail(QWebEngineUrlRequestJob::RequestFailed);
            break;
        }
        return;
    }
    const AppFile &file = std::get<AppFile>(resolved);
    // Owned by the job: Qt WebEngine reads it as the page needs and deletes it with the job.
    auto *device = new QFile(file.path, job);
    if (!device->open(QIODevice::ReadOnly)) {
        job->fail(QWebEngineUrlRequestJob::RequestFailed);
        return;
    }
    job->reply(file.mimeType, device);
}

AppRequestInterceptor::AppRequestInterceptor(QString appId, QObject *parent)
    : QWebEngineUrlRequestInterceptor(parent)
    , m_host(hostFor(appId))
{
}

void AppRequestInterceptor::interceptRequest(QWebEngineUrlRequestInfo &info)
{
    const QUrl url = info.requestUrl();
    const QString scheme = url.scheme();
    const bool ownOrigin = scheme == QLatin1String(schemeName) && url.host() == m_host;
    const bool frame = info.resourceType() == QWebEngineUrlRequestInfo::ResourceTypeMainFrame
        || info.resourceType() == QWebEngineUrlRequestInfo::ResourceTypeSubFrame;
    bool allowed = ownOrigin;
    if (!allowed && !frame) {
        allowed = scheme == QLatin1String("https") || scheme == QLatin1String("wss")
            || scheme == QLatin1String("data") || scheme == QLatin1String("blob");
    }
    if (allowed)
        return;
    qCInfo(lcWeb) << "refused a request for" << scheme << (frame ? "frame" : "resource");
    info.block(true);
    Q_EMIT refused(frame ? QStringLiteral("a page outside the app") : QStringLiteral("a %1: resource").arg(scheme));
}

} // namespace appscheme
