#include "error.h"

namespace xmpp {

QString Error::conditionName(ErrorCondition condition)
{
    switch (condition) {
    case ErrorCondition::HostNotFound: return QStringLiteral("host-not-found");
    case ErrorCondition::ConnectionFailed: return QStringLiteral("connection-failed");
    case ErrorCondition::ConnectionLost: return QStringLiteral("connection-lost");
    case ErrorCondition::Timeout: return QStringLiteral("timeout");
    case ErrorCondition::TlsFailed: return QStringLiteral("tls-failed");
    case ErrorCondition::CertificateUntrusted: return QStringLiteral("certificate-untrusted");
    case ErrorCondition::TlsUnavailable: return QStringLiteral("tls-unavailable");
    case ErrorCondition::StreamError: return QStringLiteral("stream-error");
    case ErrorCondition::ProtocolViolation: return QStringLiteral("protocol-violation");
    case ErrorCondition::NotAuthorized: return QStringLiteral("not-authorized");
    case ErrorCondition::AuthFailed: return QStringLiteral("auth-failed");
    case ErrorCondition::NoSuitableMechanism: return QStringLiteral("no-suitable-mechanism");
    case ErrorCondition::ServerNotVerified: return QStringLiteral("server-not-verified");
    case ErrorCondition::AuthAborted: return QStringLiteral("auth-aborted");
    case ErrorCondition::BindFailed: return QStringLiteral("bind-failed");
    case ErrorCondition::StanzaError: return QStringLiteral("stanza-error");
    case ErrorCondition::Cancelled: return QStringLiteral("cancelled");
    case ErrorCondition::LimitExceeded: return QStringLiteral("limit-exceeded");
    case ErrorCondition::InvalidInput: return QStringLiteral("invalid-input");
    case ErrorCondition::HttpFailed: return QStringLiteral("http-failed");
    }
    return QStringLiteral("unknown");
}

static QString advice(ErrorCondition condition)
{
    switch (condition) {
    case ErrorCondition::HostNotFound:
        return QStringLiteral("The server's address could not be found; check the domain or set host and port.");
    case ErrorCondition::ConnectionFailed:
        return QStringLiteral("The server could not be reached; check that it runs and that host and port are right.");
    case ErrorCondition::ConnectionLost:
        return QStringLiteral("The connection to the server was lost; it will be retried.");
    case ErrorCondition::Timeout:
        return QStringLiteral("The server did not answer in time; check the network and the server's load.");
    case ErrorCondition::TlsFailed:
        return QStringLiteral("The encrypted connection could not be set up; check the server's TLS configuration.");
    case ErrorCondition::CertificateUntrusted:
        return QStringLiteral("The server's certificate is not trusted for this domain; install its CA (ca-file) or fix the certificate.");
    case ErrorCondition::TlsUnavailable:
        return QStringLiteral("The server does not offer encryption; enable TLS on the server.");
    case ErrorCondition::StreamError:
        return QStringLiteral("The server closed the stream with an error.");
    case ErrorCondition::ProtocolViolation:
        return QStringLiteral("The peer sent data that XMPP does not allow.");
    case ErrorCondition::NotAuthorized:
        return QStringLiteral("The server rejected the credentials; check the account name and password.");
    case ErrorCondition::AuthFailed:
        return QStringLiteral("Signing in failed.");
    case ErrorCondition::NoSuitableMechanism:
        return QStringLiteral("The server offers no sign-in method that is safe here; enable SCRAM on the server.");
    case ErrorCondition::ServerNotVerified:
        return QStringLiteral("The server could not prove that it knows the account; do not trust this connection.");
    case ErrorCondition::AuthAborted:
        return QStringLiteral("Signing in was aborted.");
    case ErrorCondition::BindFailed:
        return QStringLiteral("The server refused to bind a resource.");
    case ErrorCondition::StanzaError:
        return QStringLiteral("The request was refused.");
    case ErrorCondition::Cancelled:
        return QStringLiteral("The request was cancelled because the connection closed.");
    case ErrorCondition::LimitExceeded:
        return QStringLiteral("A size or count limit was reached.");
    case ErrorCondition::InvalidInput:
        return QStringLiteral("The input was malformed.");
    case ErrorCondition::HttpFailed:
        return QStringLiteral("The web server refused the request.");
    }
    return {};
}

QString Error::message() const
{
    QString text = advice(condition);
    if (!protocolCondition.isEmpty())
        text += QStringLiteral(" (%1)").arg(protocolCondition);
    if (!detail.isEmpty())
        text += QStringLiteral(" Detail: %1").arg(detail);
    return text;
}

} // namespace xmpp
