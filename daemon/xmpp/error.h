#pragma once

#include <QString>

#include <type_traits>
#include <utility>
#include <variant>

namespace xmpp {

// The closed set of ways an XMPP operation can fail. Callers switch on this; the
// protocol-level detail (which stream, SASL or stanza condition) travels alongside.
enum class ErrorCondition {
    HostNotFound,         // no address for the server (SRV, A/AAAA)
    ConnectionFailed,     // TCP connection refused or unreachable
    ConnectionLost,       // an established connection dropped
    Timeout,              // a network wait ran past its limit
    TlsFailed,            // TLS handshake failed for a reason other than trust
    CertificateUntrusted, // server certificate not trusted or not for this host
    TlsUnavailable,       // TLS required but the server does not offer it
    StreamError,          // the peer ended the stream with <stream:error/>
    ProtocolViolation,    // the peer sent something RFC 6120 does not allow
    NotAuthorized,        // credentials rejected (SASL <not-authorized/>)
    AuthFailed,           // any other SASL failure
    NoSuitableMechanism,  // no offered SASL mechanism is acceptable
    ServerNotVerified,    // the server failed to prove it knows the credentials
    AuthAborted,          // the mechanism (e.g. a relayed peer) gave up
    BindFailed,           // resource binding refused
    StanzaError,          // a request was answered with a stanza error
    Cancelled,            // the connection closed while the request was pending
    LimitExceeded,        // a local size or count limit was reached
    InvalidInput,         // an argument or document was malformed
    HttpFailed,           // an HTTP server answered with a status other than 2xx
};

struct Error
{
    ErrorCondition condition = ErrorCondition::ProtocolViolation;
    // RFC 6120 defined-condition element name (stream, SASL or stanza) where one applies.
    QString protocolCondition;
    // Extra human-readable context. Never holds credentials.
    QString detail;
    // For stanza errors: the application-specific condition's element name, if any.
    QString applicationCondition;

    // One line for a person: what happened and what to do about it.
    QString message() const;
    // The detail where there is one (it tells this error's own story), else message().
    QString detailOrMessage() const { return detail.isEmpty() ? message() : detail; }
    // Stable lower-case identifier of the condition, e.g. "certificate-untrusted".
    static QString conditionName(ErrorCondition condition);
};

inline Error makeError(ErrorCondition condition, QString detail = {}, QString protocolCondition = {})
{
    return Error{condition, std::move(protocolCondition), std::move(detail), {}};
}

// A value or the error that prevented it.
template <typename T = std::monostate>
class Result
{
public:
    // Default: a default value (for Status, success); lets Qt carry results in signals.
    Result()
        requires std::is_default_constructible_v<T>
        : m_data(std::in_place_index<0>)
    {
    }
    Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return std::get<0>(m_data); }
    T &value() & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

using Status = Result<std::monostate>;
inline Status success() { return Status(std::monostate{}); }

} // namespace xmpp
