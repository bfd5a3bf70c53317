#pragma once

#include "error.h"

#include <QByteArray>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QObject;

namespace phone {

struct OAuthTokenRequest
{
    QUrl endpoint; // https only: the password is in the body
    QString username; // the bare JID, as ejabberd's token endpoint expects
    QString password;
    QString scope = QStringLiteral("sasl_auth");
    QSslConfiguration tls;
    int timeoutMs = 30'000;
};

// Gets an access token with the OAuth 2.0 password grant (RFC 6749 section 4.3), e.g.
// from ejabberd's /oauth/token. done runs exactly once (unless context is destroyed
// first) with the raw token, or an error: ConnectionFailed, CertificateUntrusted,
// Timeout, NotAuthorized (the endpoint refused the credentials), ProtocolViolation (no
// usable token in the answer). Redirects are not followed, the answer is read up to
// 64 KiB, and neither the password nor the token appears in an error.
void fetchOAuthToken(QNetworkAccessManager &network, OAuthTokenRequest request, QObject *context,
                     std::function<void(const xmpp::Result<QByteArray> &)> done);

} // namespace phone
