#include "oauthtoken.h"

#include "protocol.h"
#include "scram.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>

namespace phone {

namespace {

constexpr qint64 maxAnswerBytes = 64 * 1024;

QByteArray formField(const char *name, const QString &value)
{
    return QByteArray(name) + '=' + QUrl::toPercentEncoding(value);
}

// What the endpoint says went wrong, reduced to something safe to print.
QString printable(const QString &text)
{
    QString result;
    for (QChar c : text.left(200)) {
        if (c.unicode() >= 0x20 && c.unicode() < 0x7f)
            result += c;
    }
    return result;
}

xmpp::Result<QByteArray> interpret(QNetworkReply &reply, const QString &endpoint)
{
    const int httpStatus = reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply.read(maxAnswerBytes + 1);
    if (httpStatus == 0) {
        switch (reply.error()) {
        case QNetworkReply::SslHandshakeFailedError:
            return xmpp::makeError(xmpp::ErrorCondition::CertificateUntrusted,
                                   QStringLiteral("the OAuth endpoint %1: %2").arg(endpoint, reply.errorString()));
        case QNetworkReply::OperationCanceledError:
        case QNetworkReply::TimeoutError:
            return xmpp::makeError(xmpp::ErrorCondition::Timeout,
                                   QStringLiteral("the OAuth endpoint %1 did not answer in time").arg(endpoint));
        default:
            return xmpp::makeError(xmpp::ErrorCondition::ConnectionFailed,
                                   QStringLiteral("the OAuth endpoint %1 could not be reached: %2").arg(endpoint, reply.errorString()));
        }
    }
    if (body.size() > maxAnswerBytes) {
        return xmpp::makeError(xmpp::ErrorCondition::LimitExceeded,
                               QStringLiteral("the OAuth endpoint's answer is larger than %1 bytes").arg(maxAnswerBytes));
    }
    const QJsonObject answer = QJsonDocument::fromJson(body).object();
    if (httpStatus != 200) {
        const QString reason = printable(answer.value(QStringLiteral("error")).toString());
        const bool credentialsRefused = httpStatus == 401 || reason == u"invalid_grant" || reason == u"invalid_client";
        return xmpp::makeError(credentialsRefused ? xmpp::ErrorCondition::NotAuthorized : xmpp::ErrorCondition::AuthFailed,
                               QStringLiteral("the OAuth endpoint %1 answered HTTP %2%3")
                                   .arg(endpoint)
                                   .arg(httpStatus)
                                   .arg(reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason)));
    }
    QByteArray token = answer.value(QStringLiteral("access_token")).toString().toLatin1();
    const bool usable = !token.isEmpty() && token.size() <= mobility::PairRequest::maxTokenBytes
                        && std::all_of(token.cbegin(), token.cend(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (!usable) {
        xmpp::wipeSecret(token);
        return xmpp::makeError(xmpp::ErrorCondition::ProtocolViolation,
                               QStringLiteral("the OAuth endpoint %1 sent no usable access_token").arg(endpoint));
    }
    return token;
}

} // namespace

void fetchOAuthToken(QNetworkAccessManager &network, OAuthTokenRequest request, QObject *context,
                     std::function<void(const xmpp::Result<QByteArray> &)> done)
{
    QNetworkRequest http(request.endpoint);
    http.setSslConfiguration(request.tls);
    http.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
    // A redirect would carry the password somewhere nobody asked for.
    http.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    http.setTransferTimeout(request.timeoutMs);

    QByteArray body = formField("grant_type", QStringLiteral("password")) + '&' + formField("username", request.username)
                      + '&' + formField("password", request.password) + '&' + formField("scope", request.scope);
    xmpp::wipeSecret(request.password);
    QNetworkReply *reply = network.post(http, body);
    xmpp::wipeSecret(body);
    // Beyond this the download stalls and the transfer timeout ends it.
    reply->setReadBufferSize(maxAnswerBytes + 1);
    const QString endpoint = request.endpoint.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
    QObject::connect(reply, &QNetworkReply::finished, context, [reply, endpoint, done = std::move(done)] {
        reply->deleteLater();
        done(interpret(*reply, endpoint));
    });
}

} // namespace phone
