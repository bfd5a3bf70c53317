#pragma once

#include <QByteArray>
#include <QLoggingCategory>
#include <QString>
#include <QUrl>
#include <QWebEngineUrlRequestInterceptor>
#include <QWebEngineUrlSchemeHandler>

#include <variant>

// Apps, their pages and the bridge to them (no page content or stanza is ever logged).
Q_DECLARE_LOGGING_CATEGORY(lcWeb)

// Installed HTML5 apps and the origin each one is served from (docs/app-api.md).
//
// An app is the folder <apps dir>/<app id> with an index.html. Its page is loaded from
// kiosk-app://<app id, lower case>/index.html: an origin of its own, never file://, so
// that web storage works and the page can read nothing of the machine but its folder.
namespace appscheme {

inline const QByteArray schemeName = QByteArrayLiteral("kiosk-app");

// Makes the scheme known to Qt WebEngine (standard host syntax, secure, CORS-enabled for
// module scripts and workers). Call once, before the QGuiApplication is created.
void registerScheme();

// Whether appId can name an app here: 1-64 of [A-Za-z0-9._-], starting with a letter or
// digit, no empty '.'-separated part, and a last part that is not a number. The last rule
// is the web's, not ours: a host whose last part is a number is an IPv4 address ("2048"
// becomes "0.0.8.0"), and the app's origin must be its own name.
bool isUsableAppId(QStringView appId);

// Whether <appsDir>/<appId>/index.html exists for a usable id. Unknown or unusable ids
// are answered with <item-not-found/> by the caller.
bool appExists(const QString &appsDir, const QString &appId);

// The host of the app's origin: the id in lower case (URL hosts have no case).
QString hostFor(const QString &appId);
// kiosk-app://<host>/index.html
QUrl startUrl(const QString &appId);

struct AppFile
{
    QString path;        // canonical, inside the app's folder
    QByteArray mimeType; // by extension; text types with charset=utf-8
};

enum class FileRefusal {
    NotFound, // no such file (or a directory, or the app itself is missing)
    Forbidden, // outside the app's folder: "..", a hidden name, a symlink pointing out
    TooLarge,  // over maxFileBytes
};

// Which file of the app a URL path (decoded, e.g. "/js/app.js") names, if the app may
// serve it: "/" and paths ending in "/" mean index.html, "." and ".." segments and hidden
// names (".git") are refused, and so is anything whose canonical path (symlinks resolved)
// leaves the app's folder.
std::variant<AppFile, FileRefusal> resolveFile(const QString &appsDir, const QString &appId,
                                               const QString &urlPath);

QByteArray mimeTypeFor(const QString &fileName);

// One file of an app is never larger than this; apps needing more split their data.
constexpr qint64 maxFileBytes = 16 * 1024 * 1024;

// Serves one app's folder under its origin; any other host of the scheme is refused.
// One per session profile, so a page can reach no other app's files.
class AppSchemeHandler : public QWebEngineUrlSchemeHandler
{
    Q_OBJECT
public:
    AppSchemeHandler(QString appsDir, QString appId, QObject *parent = nullptr);

    void requestStarted(QWebEngineUrlRequestJob *job) override;

Q_SIGNALS:
    // A request was refused; `what` names the kind of refusal, never the user's data.
    void refused(const QString &what);

private:
    QString m_appsDir;
    QString m_appId;
    QString m_host;
};

// The session profile's network confinement, behind the view's own navigation checks:
// frames load only from the app's origin, and no request reaches file:, qrc: or
// plain-text http:/ws: (https and wss subresources stay possible for apps that use
// online services).
class AppRequestInterceptor : public QWebEngineUrlRequestInterceptor
{
    Q_OBJECT
public:
    explicit AppRequestInterceptor(QString appId, QObject *parent = nullptr);

    void interceptRequest(QWebEngineUrlRequestInfo &info) override;

Q_SIGNALS:
    void refused(const QString &what);

private:
    QString m_host;
};

} // namespace appscheme
