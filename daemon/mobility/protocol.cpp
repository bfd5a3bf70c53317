#include "protocol.h"

#include <QDomAttr>
#include <QDomNamedNodeMap>

#include "jid.h"

#include <QDomText>

#include <algorithm>
#include <array>

namespace mobility {

namespace {

constexpr std::array<QStringView, 4> stateNames = {u"connecting", u"authenticating", u"active",
                                                   u"ended"};
// Indexed by SessionNotice::Reason; None has no name on the wire.
constexpr std::array<QStringView, 8> reasonNames = {
    u"", u"phone", u"user", u"idle", u"phone-offline", u"auth-failed", u"error", u"shutdown"};

const QString sidAttribute = QStringLiteral("sid");

// Elements parsed from the wire carry a local name; ones built in-process with
// createElement() only a tag name.
QString localNameOf(const QDomElement &element)
{
    const QString local = element.localName();
    return local.isEmpty() ? element.tagName() : local;
}

bool isMobilityElement(const QDomElement &element, QStringView name)
{
    return !element.isNull() && element.namespaceURI() == ns && localNameOf(element) == name;
}

// A child belongs to the message when it is in the mobility namespace, or in none when a
// caller assembled the tree with createElement() (it then inherits the parent's on the wire).
bool isOwnChild(const QDomElement &child)
{
    return child.namespaceURI() == ns || child.namespaceURI().isEmpty();
}

QList<QDomElement> childElements(const QDomElement &parent)
{
    QList<QDomElement> children;
    for (QDomElement child = parent.firstChildElement(); !child.isNull();
         child = child.nextSiblingElement())
        children.append(child);
    return children;
}

// Character data directly inside an element, whitespace between children excepted.
bool hasText(const QDomElement &element)
{
    for (QDomNode node = element.firstChild(); !node.isNull(); node = node.nextSibling()) {
        if ((node.isText() || node.isCDATASection()) && !node.nodeValue().trimmed().isEmpty())
            return true;
    }
    return false;
}

// No child elements and no text: what <abort/>, <end/> and <session/> must look like.
bool isEmptyElement(const QDomElement &element)
{
    return element.firstChildElement().isNull() && !hasText(element);
}

// The text of an element that may hold nothing else.
std::optional<QString> textOnly(const QDomElement &element)
{
    if (!element.firstChildElement().isNull())
        return std::nullopt;
    return element.text();
}

// Decodes a payload whose size is bounded, refusing oversized text before decoding it.
std::optional<QByteArray> decodeBounded(const QDomElement &element, qsizetype maxBytes)
{
    const std::optional<QString> text = textOnly(element);
    if (!text)
        return std::nullopt;
    const qsizetype maxChars = (maxBytes + 2) / 3 * 4;
    if (text->size() > maxChars)
        return std::nullopt;
    std::optional<QByteArray> decoded = decodePayload(*text);
    if (!decoded || decoded->size() > maxBytes)
        return std::nullopt;
    return decoded;
}

std::optional<QString> validSid(const QDomElement &element)
{
    const QString sid = element.attribute(sidAttribute);
    if (!isValidSid(sid))
        return std::nullopt;
    return sid;
}

bool isBase32Token(QStringView token)
{
    if (token.isEmpty() || token.size() > PairRequest::maxPairingTokenChars)
        return false;
    return std::all_of(token.begin(), token.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'2' && u <= u'7');
    });
}

// RFC 5056 section 7: cb-name = 1*(ALPHA / DIGIT / "." / "-").
bool isValidBindingType(QStringView type)
{
    if (type.isEmpty() || type.size() > SaslOffer::maxChannelBindingTypeChars)
        return false;
    return std::all_of(type.begin(), type.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') ||
               u == u'.' || u == u'-';
    });
}

// Bearer tokens are visible ASCII (RFC 6750 b64token is a subset); anything else, a NUL
// above all, would break the SASL framing the display builds around the token.
bool isPrintableToken(const QByteArray &token)
{
    return !token.isEmpty() &&
           std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool isTokenMechanism(QStringView mechanism)
{
    return mechanism == u"X-OAUTH2" || mechanism == u"OAUTHBEARER";
}

QDomElement createOwn(QDomDocument &document, const QString &name)
{
    return document.createElementNS(ns, name);
}

QDomElement createWithSid(QDomDocument &document, const QString &name, const QString &sid)
{
    QDomElement element = createOwn(document, name);
    element.setAttribute(sidAttribute, sid);
    return element;
}

void appendText(QDomDocument &document, QDomElement &element, const QString &text)
{
    element.appendChild(document.createTextNode(text));
}

template <size_t N>
std::optional<qsizetype> indexIn(const std::array<QStringView, N> &names, QStringView name)
{
    const auto found = std::find(names.begin(), names.end(), name);
    if (found == names.end())
        return std::nullopt;
    return qsizetype(found - names.begin());
}

QString attributeNameOf(const QDomAttr &attribute)
{
    const QString local = attribute.localName();
    return local.isEmpty() ? attribute.name() : local;
}

// Namespace declarations are no attributes in the XML data model, though a DOM may keep
// them as such.
bool isNamespaceDeclaration(const QDomAttr &attribute)
{
    const QString name = attribute.name();
    return name == u"xmlns" || name.startsWith(u"xmlns:") ||
           attribute.namespaceURI() == u"http://www.w3.org/2000/xmlns/";
}

// True when the element carries no attribute but the allowed ones, all in no namespace:
// an attribute the parser does not know could change a message's meaning for its sender.
bool hasOnlyAttributes(const QDomElement &element, std::initializer_list<QStringView> allowed)
{
    const QDomNamedNodeMap attributes = element.attributes();
    for (int i = 0; i < attributes.count(); ++i) {
        const QDomAttr attribute = attributes.item(i).toAttr();
        if (isNamespaceDeclaration(attribute))
            continue;
        if (!attribute.namespaceURI().isEmpty())
            return false;
        const QString name = attributeNameOf(attribute);
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            return false;
    }
    return true;
}

} // namespace

bool isValidSid(QStringView sid)
{
    if (sid.isEmpty() || sid.size() > 64)
        return false;
    return std::all_of(sid.begin(), sid.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') ||
               u == u'.' || u == u'_' || u == u'-';
    });
}

bool isValidMechanismName(QStringView name)
{
    if (name.isEmpty() || name.size() > 20)
        return false;
    return std::all_of(name.begin(), name.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_';
    });
}

QString encodePayload(const QByteArray &data)
{
    if (data.isEmpty())
        return QStringLiteral("=");
    return QString::fromLatin1(data.toBase64());
}

std::optional<QByteArray> decodePayload(QStringView text)
{
    if (text == u"=")
        return QByteArray();
    // Padded, no whitespace, nothing outside the alphabet; and canonical, so one payload
    // has exactly one spelling (RFC 4648 section 3.5).
    if (text.isEmpty() || text.size() % 4 != 0)
        return std::nullopt;
    const qsizetype padding = text.endsWith(u"==") ? 2 : text.endsWith(u'=') ? 1 : 0;
    const QStringView body = text.first(text.size() - padding);
    const bool inAlphabet = std::all_of(body.begin(), body.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') ||
               u == u'+' || u == u'/';
    });
    if (!inAlphabet)
        return std::nullopt;
    const QByteArray encoded = text.toLatin1();
    auto decoded = QByteArray::fromBase64Encoding(encoded, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.toBase64() != encoded)
        return std::nullopt;
    return decoded.decoded;
}

// --- PairRequest ---

std::optional<PairRequest> PairRequest::fromDom(const QDomElement &pair)
{
    if (!isMobilityElement(pair, u"pair") || hasText(pair))
        return std::nullopt;
    PairRequest request;
    const auto sid = validSid(pair);
    if (!sid)
        return std::nullopt;
    request.sid = *sid;
    request.token = pair.attribute(QStringLiteral("token"));
    if (!isBase32Token(request.token))
        return std::nullopt;

    const QList<QDomElement> children = childElements(pair);
    if (children.size() != 1 || !isOwnChild(children.first()) ||
        localNameOf(children.first()) != u"auth")
        return std::nullopt;
    const QDomElement &auth = children.first();
    const QString method = auth.attribute(QStringLiteral("method"));
    if (method == u"sasl-relay") {
        if (auth.hasAttribute(QStringLiteral("mechanism")) || !isEmptyElement(auth))
            return std::nullopt;
        request.method = Method::SaslRelay;
        return request;
    }
    if (method != u"token")
        return std::nullopt;
    request.method = Method::Token;
    request.tokenMechanism = auth.attribute(QStringLiteral("mechanism"));
    if (!isTokenMechanism(request.tokenMechanism))
        return std::nullopt;
    std::optional<QByteArray> token = decodeBounded(auth, maxTokenBytes);
    if (!token || !isPrintableToken(*token))
        return std::nullopt;
    request.oauthToken = std::move(*token);
    return request;
}

QDomElement PairRequest::toDom(QDomDocument &document) const
{
    QDomElement pair = createWithSid(document, QStringLiteral("pair"), sid);
    pair.setAttribute(QStringLiteral("token"), token);
    QDomElement auth = createOwn(document, QStringLiteral("auth"));
    if (method == Method::SaslRelay) {
        auth.setAttribute(QStringLiteral("method"), QStringLiteral("sasl-relay"));
    } else {
        auth.setAttribute(QStringLiteral("method"), QStringLiteral("token"));
        auth.setAttribute(QStringLiteral("mechanism"), tokenMechanism);
        appendText(document, auth, encodePayload(oauthToken));
    }
    pair.appendChild(auth);
    return pair;
}

// --- SaslOffer ---

std::optional<SaslOffer> SaslOffer::fromDom(const QDomElement &sasl)
{
    if (!isMobilityElement(sasl, u"sasl") || hasText(sasl))
        return std::nullopt;
    SaslOffer offer;
    const auto sid = validSid(sasl);
    if (!sid)
        return std::nullopt;
    offer.sid = *sid;

    for (const QDomElement &child : childElements(sasl)) {
        if (!isOwnChild(child))
            return std::nullopt;
        const QString name = localNameOf(child);
        if (name == u"mechanism") {
            const std::optional<QString> mechanism = textOnly(child);
            if (!mechanism || !isValidMechanismName(*mechanism) ||
                offer.mechanisms.size() >= maxMechanisms)
                return std::nullopt;
            offer.mechanisms.append(*mechanism);
        } else if (name == u"channel-binding") {
            xmpp::ChannelBinding binding;
            binding.type = child.attribute(QStringLiteral("type"));
            if (!isValidBindingType(binding.type) ||
                offer.channelBindings.size() >= maxChannelBindings)
                return std::nullopt;
            // One value per type: two would leave open which channel the display is on.
            const bool duplicate = std::any_of(
                offer.channelBindings.cbegin(), offer.channelBindings.cend(),
                [&binding](const xmpp::ChannelBinding &other) { return other.type == binding.type; });
            if (duplicate)
                return std::nullopt;
            std::optional<QByteArray> data = decodeBounded(child, maxChannelBindingBytes);
            if (!data || data->isEmpty())
                return std::nullopt;
            binding.data = std::move(*data);
            offer.channelBindings.append(binding);
        } else {
            return std::nullopt;
        }
    }
    // An offer without a mechanism leaves the phone nothing to answer.
    if (offer.mechanisms.isEmpty())
        return std::nullopt;
    return offer;
}

QDomElement SaslOffer::toDom(QDomDocument &document) const
{
    QDomElement sasl = createWithSid(document, QStringLiteral("sasl"), sid);
    for (const QString &mechanism : mechanisms) {
        QDomElement element = createOwn(document, QStringLiteral("mechanism"));
        appendText(document, element, mechanism);
        sasl.appendChild(element);
    }
    for (const xmpp::ChannelBinding &binding : channelBindings) {
        QDomElement element = createOwn(document, QStringLiteral("channel-binding"));
        element.setAttribute(QStringLiteral("type"), binding.type);
        appendText(document, element, encodePayload(binding.data));
        sasl.appendChild(element);
    }
    return sasl;
}

// --- SaslAuth ---

std::optional<SaslAuth> SaslAuth::fromDom(const QDomElement &auth)
{
    if (!isMobilityElement(auth, u"auth"))
        return std::nullopt;
    SaslAuth result;
    const auto sid = validSid(auth);
    if (!sid)
        return std::nullopt;
    result.sid = *sid;
    result.mechanism = auth.attribute(QStringLiteral("mechanism"));
    if (!isValidMechanismName(result.mechanism))
        return std::nullopt;
    std::optional<QByteArray> response = decodeBounded(auth, SaslPayload::maxBytes);
    if (!response)
        return std::nullopt;
    result.initialResponse = std::move(*response);
    return result;
}

QDomElement SaslAuth::toDom(QDomDocument &document) const
{
    QDomElement auth = createWithSid(document, QStringLiteral("auth"), sid);
    auth.setAttribute(QStringLiteral("mechanism"), mechanism);
    appendText(document, auth, encodePayload(initialResponse));
    return auth;
}

// --- SaslPayload ---

namespace {

constexpr std::array<QStringView, 3> payloadNames = {u"challenge", u"response", u"success"};

} // namespace

std::optional<SaslPayload> SaslPayload::fromDom(const QDomElement &element)
{
    if (element.isNull() || element.namespaceURI() != ns)
        return std::nullopt;
    const auto kindIndex = indexIn(payloadNames, localNameOf(element));
    if (!kindIndex)
        return std::nullopt;
    SaslPayload payload;
    payload.kind = Kind(*kindIndex);
    const auto sid = validSid(element);
    if (!sid)
        return std::nullopt;
    payload.sid = *sid;
    std::optional<QByteArray> data = decodeBounded(element, maxBytes);
    if (!data)
        return std::nullopt;
    payload.data = std::move(*data);
    return payload;
}

QDomElement SaslPayload::toDom(QDomDocument &document) const
{
    QDomElement element =
        createWithSid(document, payloadNames[size_t(kind)].toString(), sid);
    appendText(document, element, encodePayload(data));
    return element;
}

// --- SaslFailure ---

std::optional<SaslFailure> SaslFailure::fromDom(const QDomElement &failure)
{
    if (!isMobilityElement(failure, u"failure") || hasText(failure))
        return std::nullopt;
    SaslFailure result;
    const auto sid = validSid(failure);
    if (!sid)
        return std::nullopt;
    result.sid = *sid;
    const QList<QDomElement> children = childElements(failure);
    if (children.size() != 1 || !isOwnChild(children.first()) ||
        !isEmptyElement(children.first()))
        return std::nullopt;
    result.condition = localNameOf(children.first());
    if (!xmpp::isSaslFailureCondition(result.condition))
        return std::nullopt;
    return result;
}

QDomElement SaslFailure::toDom(QDomDocument &document) const
{
    QDomElement failure = createWithSid(document, QStringLiteral("failure"), sid);
    failure.appendChild(createOwn(document, condition));
    return failure;
}

// --- SidOnly ---

namespace {

constexpr std::array<QStringView, 2> sidOnlyNames = {u"abort", u"end"};

} // namespace

std::optional<SidOnly> SidOnly::fromDom(const QDomElement &element)
{
    if (element.isNull() || element.namespaceURI() != ns || !isEmptyElement(element))
        return std::nullopt;
    const auto kindIndex = indexIn(sidOnlyNames, localNameOf(element));
    if (!kindIndex)
        return std::nullopt;
    const auto sid = validSid(element);
    if (!sid)
        return std::nullopt;
    return SidOnly{Kind(*kindIndex), *sid};
}

QDomElement SidOnly::toDom(QDomDocument &document) const
{
    return createWithSid(document, sidOnlyNames[size_t(kind)].toString(), sid);
}

// --- SessionNotice ---

std::optional<SessionNotice> SessionNotice::fromDom(const QDomElement &session)
{
    if (!isMobilityElement(session, u"session") || !isEmptyElement(session))
        return std::nullopt;
    SessionNotice notice;
    const auto sid = validSid(session);
    if (!sid)
        return std::nullopt;
    notice.sid = *sid;

    const auto stateIndex = indexIn(stateNames, session.attribute(QStringLiteral("state")));
    if (!stateIndex)
        return std::nullopt;
    notice.state = State(*stateIndex);

    if (session.hasAttribute(QStringLiteral("jid"))) {
        const auto jid = xmpp::Jid::parse(session.attribute(QStringLiteral("jid")));
        // The user connection's bound address: always a full JID.
        if (!jid || jid->local().isEmpty() || jid->isBare())
            return std::nullopt;
        notice.jid = jid->toString();
    } else if (notice.state == State::Active) {
        return std::nullopt;
    }

    if (session.hasAttribute(QStringLiteral("reason"))) {
        const QString reason = session.attribute(QStringLiteral("reason"));
        const auto reasonIndex = indexIn(reasonNames, reason);
        if (notice.state != State::Ended || reason.isEmpty() || !reasonIndex)
            return std::nullopt;
        notice.reason = Reason(*reasonIndex);
    }
    return notice;
}

QDomElement SessionNotice::toDom(QDomDocument &document) const
{
    QDomElement session = createWithSid(document, QStringLiteral("session"), sid);
    if (!jid.isEmpty())
        session.setAttribute(QStringLiteral("jid"), jid);
    session.setAttribute(QStringLiteral("state"), stateName(state));
    if (state == State::Ended && reason != Reason::None)
        session.setAttribute(QStringLiteral("reason"), reasonName(reason));
    return session;
}

QString SessionNotice::stateName(State state)
{
    return stateNames[size_t(state)].toString();
}

QString SessionNotice::reasonName(Reason reason)
{
    return reasonNames[size_t(reason)].toString();
}

QString mobilityElementName(const QDomElement &payload)
{
    if (payload.isNull() || payload.namespaceURI() != ns)
        return {};
    return localNameOf(payload);
}

// ---------------------------------------------------------------------------------------
// View and packet filter (section 6)
// ---------------------------------------------------------------------------------------

namespace {
// Named, so that other messages' helpers in this file cannot clash with these.
namespace viewxml {

constexpr std::array<QStringView, 3> filterKindNames = {u"message", u"presence", u"iq"};

const QString kindAttribute = QStringLiteral("kind");
const QString nsAttribute = QStringLiteral("ns");
const QString fromAttribute = QStringLiteral("from");
const QString toAttribute = QStringLiteral("to");
const QString nameAttribute = QStringLiteral("name");

std::optional<ViewRequest::Param> parseParam(const QDomElement &element)
{
    if (!hasOnlyAttributes(element, {u"name"}) || !element.hasAttribute(nameAttribute))
        return std::nullopt;
    ViewRequest::Param param;
    param.name = element.attribute(nameAttribute);
    if (param.name.isEmpty() || param.name.size() > ViewRequest::maxParamNameChars)
        return std::nullopt;
    std::optional<QString> value = textOnly(element);
    if (!value || value->size() > ViewRequest::maxParamValueChars)
        return std::nullopt;
    param.value = std::move(*value);
    return param;
}

std::optional<FilterRule> parseRule(const QDomElement &element)
{
    FilterRule rule;
    const QString name = localNameOf(element);
    if (name == u"accept")
        rule.direction = FilterRule::Direction::Accept;
    else if (name == u"send")
        rule.direction = FilterRule::Direction::Send;
    else
        return std::nullopt;
    const QString &addressAttribute =
        rule.direction == FilterRule::Direction::Accept ? fromAttribute : toAttribute;
    if (!isEmptyElement(element) ||
        !hasOnlyAttributes(element, {kindAttribute, nsAttribute, addressAttribute}))
        return std::nullopt;

    const std::optional<FilterRule::Kind> kind =
        FilterRule::kindFromName(element.attribute(kindAttribute));
    if (!kind)
        return std::nullopt;
    rule.kind = *kind;

    if (element.hasAttribute(nsAttribute)) {
        rule.ns = element.attribute(nsAttribute);
        if (rule.ns.isEmpty() || rule.ns.size() > ViewRequest::maxNamespaceChars)
            return std::nullopt;
    }
    if (element.hasAttribute(addressAttribute)) {
        const QString text = element.attribute(addressAttribute);
        if (text.size() > ViewRequest::maxAddressChars)
            return std::nullopt;
        rule.address = xmpp::Jid::parse(text);
        if (!rule.address)
            return std::nullopt;
    }
    return rule;
}

std::optional<QList<FilterRule>> parseFilter(const QDomElement &filter)
{
    if (!hasOnlyAttributes(filter, {}) || hasText(filter))
        return std::nullopt;
    QList<FilterRule> rules;
    for (const QDomElement &child : childElements(filter)) {
        if (!isOwnChild(child) || rules.size() >= ViewRequest::maxRules)
            return std::nullopt;
        std::optional<FilterRule> rule = parseRule(child);
        if (!rule)
            return std::nullopt;
        rules.append(std::move(*rule));
    }
    return rules;
}

QDomElement ruleToDom(QDomDocument &document, const FilterRule &rule)
{
    const bool accepting = rule.direction == FilterRule::Direction::Accept;
    QDomElement element =
        createOwn(document, accepting ? QStringLiteral("accept") : QStringLiteral("send"));
    element.setAttribute(kindAttribute, FilterRule::kindName(rule.kind));
    if (!rule.ns.isEmpty())
        element.setAttribute(nsAttribute, rule.ns);
    if (rule.address)
        element.setAttribute(accepting ? fromAttribute : toAttribute, rule.address->toString());
    return element;
}

} // namespace viewxml
} // namespace

QString FilterRule::kindName(Kind kind)
{
    return viewxml::filterKindNames[size_t(kind)].toString();
}

std::optional<FilterRule::Kind> FilterRule::kindFromName(QStringView name)
{
    const auto index = indexIn(viewxml::filterKindNames, name);
    if (!index)
        return std::nullopt;
    return Kind(*index);
}

bool ViewRequest::isValidAppId(QStringView app)
{
    if (!isValidSid(app))
        return false;
    const char16_t first = app.front().unicode();
    return (first >= u'A' && first <= u'Z') || (first >= u'a' && first <= u'z') ||
           (first >= u'0' && first <= u'9');
}

std::optional<ViewRequest> ViewRequest::fromDom(const QDomElement &view)
{
    if (!isMobilityElement(view, u"view") || hasText(view) ||
        !hasOnlyAttributes(view, {u"sid", u"app"}))
        return std::nullopt;
    ViewRequest request;
    const auto sid = validSid(view);
    if (!sid)
        return std::nullopt;
    request.sid = *sid;
    request.app = view.attribute(QStringLiteral("app"));
    if (!isValidAppId(request.app))
        return std::nullopt;

    bool haveFilter = false;
    for (const QDomElement &child : childElements(view)) {
        if (!isOwnChild(child))
            return std::nullopt;
        const QString name = localNameOf(child);
        if (name == u"param") {
            std::optional<Param> parsed = viewxml::parseParam(child);
            if (!parsed || request.params.size() >= maxParams || request.param(parsed->name))
                return std::nullopt;
            request.params.append(std::move(*parsed));
        } else if (name == u"filter") {
            if (haveFilter)
                return std::nullopt;
            haveFilter = true;
            std::optional<QList<FilterRule>> rules = viewxml::parseFilter(child);
            if (!rules)
                return std::nullopt;
            request.rules = std::move(*rules);
        } else {
            return std::nullopt;
        }
    }
    if (!haveFilter)
        return std::nullopt;
    return request;
}

QDomElement ViewRequest::toDom(QDomDocument &document) const
{
    QDomElement view = createWithSid(document, QStringLiteral("view"), sid);
    view.setAttribute(QStringLiteral("app"), app);
    for (const Param &parameter : params) {
        QDomElement element = createOwn(document, QStringLiteral("param"));
        element.setAttribute(viewxml::nameAttribute, parameter.name);
        if (!parameter.value.isEmpty())
            appendText(document, element, parameter.value);
        view.appendChild(element);
    }
    QDomElement filter = createOwn(document, QStringLiteral("filter"));
    for (const FilterRule &rule : rules)
        filter.appendChild(viewxml::ruleToDom(document, rule));
    view.appendChild(filter);
    return view;
}

std::optional<QString> ViewRequest::param(QStringView name) const
{
    const auto found = std::find_if(params.cbegin(), params.cend(), [name](const Param &parameter) {
        return parameter.name == name;
    });
    if (found == params.cend())
        return std::nullopt;
    return found->value;
}

} // namespace mobility

// ---------------------------------------------------------------------------------------
// Session transfer (section 7)
// Appended as a section of its own, includes and all, so that it merges cleanly with
// edits to the rest of this file. It uses the general helpers at the top of the file
// and keeps its own in transferxml.
// ---------------------------------------------------------------------------------------

#include "namespaces.h"
#include "stanza.h"

#include <QDomAttr>
#include <QDomNamedNodeMap>

namespace mobility {

namespace {
namespace transferxml {

constexpr std::array<QStringView, 3> transferMethodNames = {u"inband", u"upload", u"bundle"};
// Indexed by TransferFailed::Reason.
constexpr std::array<QStringView, 5> failureReasonNames = {u"digest", u"size", u"archive",
                                                           u"timeout", u"other"};

struct NamedHashAlgorithm
{
    QStringView name;
    QCryptographicHash::Algorithm algorithm;
};

// XEP-0300's names (IANA "Hash Function Textual Names" where there is one).
constexpr std::array<NamedHashAlgorithm, 7> transferHashAlgorithms = {{
    {u"sha-256", QCryptographicHash::Sha256},
    {u"sha-384", QCryptographicHash::Sha384},
    {u"sha-512", QCryptographicHash::Sha512},
    {u"sha3-256", QCryptographicHash::Sha3_256},
    {u"sha3-512", QCryptographicHash::Sha3_512},
    {u"blake2b-256", QCryptographicHash::Blake2b_256},
    {u"blake2b-512", QCryptographicHash::Blake2b_512},
}};

// The longest digest any of them has, in base64.
constexpr qsizetype maxDigestChars = (64 + 2) / 3 * 4;

const QString nameAttribute = QStringLiteral("name");
const QString tidAttribute = QStringLiteral("tid");
const QString typeAttribute = QStringLiteral("type");
const QString sizeAttribute = QStringLiteral("size");
const QString hashAlgoAttribute = QStringLiteral("hash-algo");
const QString urlAttribute = QStringLiteral("url");
const QString seqAttribute = QStringLiteral("seq");
const QString lastAttribute = QStringLiteral("last");
const QString countAttribute = QStringLiteral("count");
const QString reasonAttribute = QStringLiteral("reason");
const QString stampAttribute = QStringLiteral("stamp");

bool isAsciiDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

// A decimal count as the protocol writes it: digits only, no sign, no leading zero but
// in "0", so that one number has one spelling.
std::optional<qint64> parseTransferCount(QStringView text, qint64 max)
{
    if (text.isEmpty() || text.size() > 19 || (text.size() > 1 && text.front() == u'0'))
        return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), isAsciiDigit))
        return std::nullopt;
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value > max)
        return std::nullopt;
    return value;
}

std::optional<bool> parseTransferBoolean(QStringView text)
{
    if (text == u"true")
        return true;
    if (text == u"false")
        return false;
    return std::nullopt;
}

struct SidAndTid
{
    QString sid;
    QString tid;
};

std::optional<SidAndTid> validSidAndTid(const QDomElement &element)
{
    const auto sid = validSid(element);
    const QString tid = element.attribute(tidAttribute);
    if (!sid || !isValidTid(tid))
        return std::nullopt;
    return SidAndTid{*sid, tid};
}

QDomElement createWithSidAndTid(QDomDocument &document, const QString &name, const QString &sid,
                                const QString &tid)
{
    QDomElement element = createWithSid(document, name, sid);
    element.setAttribute(tidAttribute, tid);
    return element;
}

// <name sid tid/> and nothing else: <transferred/> and <request/>.
std::optional<SidAndTid> parseSidAndTidOnly(const QDomElement &element, QStringView name)
{
    if (!isMobilityElement(element, name) || !isEmptyElement(element) ||
        !hasOnlyAttributes(element, {u"sid", u"tid"}))
        return std::nullopt;
    return validSidAndTid(element);
}

// name, size, hash-algo and the digest as text: what a manifest's and an upload's
// <file/> have in common. The caller checks which attributes may appear.
std::optional<TransferFile> parseFileDescription(const QDomElement &element)
{
    TransferFile file;
    file.name = element.attribute(nameAttribute);
    if (!isValidTransferFileName(file.name))
        return std::nullopt;
    const auto size = parseTransferCount(element.attribute(sizeAttribute), TransferFile::maxBytes);
    if (!size)
        return std::nullopt;
    file.size = *size;
    file.hashAlgorithm = element.attribute(hashAlgoAttribute);
    const qsizetype digestSize = transferDigestSize(file.hashAlgorithm);
    if (digestSize == 0)
        return std::nullopt;
    const std::optional<QString> text = textOnly(element);
    if (!text || text->size() > maxDigestChars)
        return std::nullopt;
    std::optional<QByteArray> digest = decodePayload(*text);
    if (!digest || digest->size() != digestSize)
        return std::nullopt;
    file.digest = std::move(*digest);
    return file;
}

QDomElement fileDescriptionToDom(QDomDocument &document, const TransferFile &file)
{
    QDomElement element = createOwn(document, QStringLiteral("file"));
    element.setAttribute(nameAttribute, file.name);
    element.setAttribute(sizeAttribute, QString::number(file.size));
    element.setAttribute(hashAlgoAttribute, file.hashAlgorithm);
    appendText(document, element, encodePayload(file.digest));
    return element;
}

QDomElement methodToDom(QDomDocument &document, TransferMethod method)
{
    QDomElement element = createOwn(document, QStringLiteral("method"));
    element.setAttribute(typeAttribute, transferMethodName(method));
    return element;
}

// The type of a <method/>, known or not, when the element is well-formed.
std::optional<QString> methodType(const QDomElement &method)
{
    if (!isOwnChild(method) || localNameOf(method) != u"method" || !isEmptyElement(method) ||
        !hasOnlyAttributes(method, {u"type"}))
        return std::nullopt;
    const QString type = method.attribute(typeAttribute);
    if (type.isEmpty() || type.size() > TransferOffer::maxMethodTypeChars)
        return std::nullopt;
    const bool wellFormed = std::all_of(type.begin(), type.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' || u == u'.';
    });
    if (!wellFormed)
        return std::nullopt;
    return type;
}

// <manifest><file/>...<log count/></manifest>
bool parseManifest(const QDomElement &manifest, TransferOffer &offer)
{
    if (!hasOnlyAttributes(manifest, {}) || hasText(manifest))
        return false;
    const QList<QDomElement> children = childElements(manifest);
    if (children.isEmpty() || children.size() - 1 > TransferOffer::maxFiles)
        return false;
    qint64 totalBytes = 0;
    for (qsizetype i = 0; i + 1 < children.size(); ++i) {
        const QDomElement &child = children[i];
        if (!isOwnChild(child) || localNameOf(child) != u"file" ||
            !hasOnlyAttributes(child, {u"name", u"size", u"hash-algo"}))
            return false;
        std::optional<TransferFile> file = parseFileDescription(child);
        if (!file)
            return false;
        const bool duplicate =
            std::any_of(offer.files.cbegin(), offer.files.cend(),
                        [&](const TransferFile &other) { return other.name == file->name; });
        totalBytes += file->size;
        if (duplicate || totalBytes > TransferOffer::maxTotalBytes)
            return false;
        offer.files.append(std::move(*file));
    }
    const QDomElement &log = children.last();
    if (!isOwnChild(log) || localNameOf(log) != u"log" || !isEmptyElement(log) ||
        !hasOnlyAttributes(log, {u"count"}))
        return false;
    const auto count =
        parseTransferCount(log.attribute(countAttribute), TransferOffer::maxLogCount);
    if (!count)
        return false;
    offer.logCount = int(*count);
    return true;
}

// The <log/> of a <state/>: one or more <forwarded/>, nothing else.
std::optional<QList<ForwardedStanza>> parseChunkLog(const QDomElement &log)
{
    if (!hasOnlyAttributes(log, {}) || hasText(log))
        return std::nullopt;
    QList<ForwardedStanza> entries;
    for (const QDomElement &child : childElements(log)) {
        if (entries.size() >= TransferOffer::maxLogCount)
            return std::nullopt;
        std::optional<ForwardedStanza> entry = ForwardedStanza::fromDom(child);
        if (!entry)
            return std::nullopt;
        entries.append(std::move(*entry));
    }
    if (entries.isEmpty())
        return std::nullopt;
    return entries;
}

// A <file name>BASE64</file> part, decoding no more than the chunk has left.
std::optional<StateChunk::FilePart> parseFilePart(const QDomElement &element, qsizetype budget)
{
    if (!hasOnlyAttributes(element, {u"name"}))
        return std::nullopt;
    StateChunk::FilePart part;
    part.name = element.attribute(nameAttribute);
    if (!isValidTransferFileName(part.name))
        return std::nullopt;
    const std::optional<QString> text = textOnly(element);
    if (!text)
        return std::nullopt;
    // Refuse oversized text before decoding it; "=" (no data) fits any budget.
    if (*text != u"=" && text->size() > (budget + 2) / 3 * 4)
        return std::nullopt;
    std::optional<QByteArray> data = decodePayload(*text);
    if (!data || data->size() > budget)
        return std::nullopt;
    part.data = std::move(*data);
    return part;
}

std::optional<QUrl> parseUploadUrl(const QString &text)
{
    if (text.isEmpty() || text.size() > StateChunk::maxUrlChars)
        return std::nullopt;
    const QUrl url(text, QUrl::StrictMode);
    // Credentials in the URL would be sent to whoever serves it, and logged on the way.
    if (!url.isValid() || url.scheme() != u"https" || url.host().isEmpty() ||
        !url.userInfo().isEmpty())
        return std::nullopt;
    return url;
}

std::optional<StateChunk::UploadedFile> parseUploadedFile(const QDomElement &element)
{
    if (!hasOnlyAttributes(element, {u"name", u"size", u"hash-algo", u"url"}))
        return std::nullopt;
    std::optional<TransferFile> file = parseFileDescription(element);
    if (!file)
        return std::nullopt;
    std::optional<QUrl> url = parseUploadUrl(element.attribute(urlAttribute));
    if (!url)
        return std::nullopt;
    return StateChunk::UploadedFile{std::move(*file), std::move(*url)};
}

// A deep copy of a stanza into the document. Elements without a namespace take their
// parent's, the stanza itself jabber:client's: a serializer would otherwise write them
// into <forwarded/>'s namespace, where they are no stanza. Comments and processing
// instructions are left behind, as the wire cannot carry them (RFC 6120 11.1).
QDomNode copyIntoNamespace(QDomDocument &document, const QDomNode &node,
                           const QString &inheritedNamespace)
{
    if (node.isText()) // CDATA sections included
        return document.createTextNode(node.nodeValue());
    if (!node.isElement())
        return {};
    const QDomElement source = node.toElement();
    const QString elementNamespace =
        source.namespaceURI().isEmpty() ? inheritedNamespace : source.namespaceURI();
    QDomElement copy = document.createElementNS(elementNamespace, localNameOf(source));
    const QDomNamedNodeMap attributes = source.attributes();
    for (int i = 0; i < attributes.count(); ++i) {
        const QDomAttr attribute = attributes.item(i).toAttr();
        if (attribute.namespaceURI().isEmpty())
            copy.setAttribute(attribute.name(), attribute.value());
        else
            copy.setAttributeNS(attribute.namespaceURI(), attribute.name(), attribute.value());
    }
    for (QDomNode child = source.firstChild(); !child.isNull(); child = child.nextSibling()) {
        const QDomNode childCopy = copyIntoNamespace(document, child, elementNamespace);
        if (!childCopy.isNull())
            copy.appendChild(childCopy);
    }
    return copy;
}

} // namespace transferxml
} // namespace

using namespace transferxml;

bool isValidTid(QStringView tid)
{
    return isValidSid(tid);
}

bool isValidTransferFileName(QStringView name)
{
    if (name.isEmpty() || name == u"." || name == u"..")
        return false;
    qsizetype utf8Bytes = 0;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name[i].unicode();
        if (c < 0x20 || c == 0x7f || c == u'/' || c == u'\\')
            return false;
        if (QChar::isHighSurrogate(c)) {
            if (i + 1 >= name.size() || !name[i + 1].isLowSurrogate())
                return false;
            utf8Bytes += 4;
            ++i;
        } else if (QChar::isLowSurrogate(c)) {
            return false;
        } else {
            utf8Bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
    }
    return utf8Bytes <= 255;
}

std::optional<QCryptographicHash::Algorithm> transferHashAlgorithm(QStringView name)
{
    for (const NamedHashAlgorithm &known : transferHashAlgorithms) {
        if (known.name == name)
            return known.algorithm;
    }
    return std::nullopt;
}

qsizetype transferDigestSize(QStringView hashAlgorithm)
{
    const auto algorithm = transferHashAlgorithm(hashAlgorithm);
    return algorithm ? QCryptographicHash::hashLength(*algorithm) : 0;
}

QString formatXmppDateTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

std::optional<QDateTime> parseXmppDateTime(QStringView text)
{
    // CCYY-MM-DDThh:mm:ss[.s+]TZD, TZD being Z or (+|-)hh:mm (XEP-0082 section 3.2).
    constexpr qsizetype longestText = 19 + 1 + 9 + 6;
    if (text.size() > longestText)
        return std::nullopt;
    auto number = [text](qsizetype at, qsizetype digits) -> std::optional<int> {
        if (at + digits > text.size())
            return std::nullopt;
        int value = 0;
        for (qsizetype i = at; i < at + digits; ++i) {
            if (!isAsciiDigit(text[i]))
                return std::nullopt;
            value = value * 10 + (text[i].unicode() - u'0');
        }
        return value;
    };
    auto isAt = [text](qsizetype at, char16_t c) { return at < text.size() && text[at] == c; };

    const auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
    const auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
    if (!year || !month || !day || !hour || !minute || !second || !isAt(4, u'-') ||
        !isAt(7, u'-') || !isAt(10, u'T') || !isAt(13, u':') || !isAt(16, u':'))
        return std::nullopt;

    qsizetype at = 19;
    int milliseconds = 0;
    if (isAt(at, u'.')) {
        const qsizetype fractionStart = ++at;
        while (at < text.size() && isAsciiDigit(text[at]))
            ++at;
        const qsizetype digits = at - fractionStart;
        if (digits == 0 || digits > 9)
            return std::nullopt;
        for (qsizetype i = 0; i < 3; ++i)
            milliseconds =
                milliseconds * 10 + (i < digits ? text[fractionStart + i].unicode() - u'0' : 0);
    }

    int offsetSeconds = 0;
    if (isAt(at, u'Z')) {
        ++at;
    } else if (isAt(at, u'+') || isAt(at, u'-')) {
        const int sign = isAt(at, u'-') ? -1 : 1;
        const auto offsetHours = number(at + 1, 2), offsetMinutes = number(at + 4, 2);
        if (!offsetHours || !offsetMinutes || !isAt(at + 3, u':') || *offsetHours > 23 ||
            *offsetMinutes > 59)
            return std::nullopt;
        offsetSeconds = sign * (*offsetHours * 3600 + *offsetMinutes * 60);
        at += 6;
    } else {
        return std::nullopt;
    }
    if (at != text.size())
        return std::nullopt;

    const QDate date(*year, *month, *day);
    const QTime time(*hour, *minute, *second, milliseconds);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    return QDateTime(date, time, Qt::OffsetFromUTC, offsetSeconds).toUTC();
}

QString transferMethodName(TransferMethod method)
{
    return transferMethodNames[size_t(method)].toString();
}

std::optional<TransferMethod> transferMethodFromName(QStringView name)
{
    const auto index = indexIn(transferMethodNames, name);
    if (!index)
        return std::nullopt;
    return TransferMethod(*index);
}

// --- ForwardedStanza ---

bool ForwardedStanza::isValidStanza(const QDomElement &stanza)
{
    if (stanza.isNull() ||
        !(stanza.namespaceURI().isEmpty() || stanza.namespaceURI() == xmpp::ns::client))
        return false;
    const QString name = localNameOf(stanza);
    if (name == u"message")
        return xmpp::Message::fromDom(stanza).has_value();
    if (name == u"presence")
        return xmpp::Presence::fromDom(stanza).has_value();
    if (name == u"iq")
        return xmpp::Iq::fromDom(stanza).has_value();
    return false;
}

std::optional<ForwardedStanza> ForwardedStanza::fromDom(const QDomElement &forwarded)
{
    if (forwarded.isNull() || forwarded.namespaceURI() != xmpp::ns::forward ||
        localNameOf(forwarded) != u"forwarded" || hasText(forwarded) ||
        !hasOnlyAttributes(forwarded, {}))
        return std::nullopt;
    const QList<QDomElement> children = childElements(forwarded);
    if (children.size() != 2)
        return std::nullopt;
    const bool delayFirst = children[0].namespaceURI() == xmpp::ns::delay;
    const QDomElement &delay = children[delayFirst ? 0 : 1];
    const QDomElement &stanza = children[delayFirst ? 1 : 0];
    if (delay.namespaceURI() != xmpp::ns::delay || localNameOf(delay) != u"delay" ||
        !isEmptyElement(delay) || !hasOnlyAttributes(delay, {u"stamp"}) || !isValidStanza(stanza))
        return std::nullopt;
    const std::optional<QDateTime> received = parseXmppDateTime(delay.attribute(stampAttribute));
    if (!received)
        return std::nullopt;
    return ForwardedStanza{stanza, *received};
}

QDomElement ForwardedStanza::toDom(QDomDocument &document) const
{
    QDomElement forwarded =
        document.createElementNS(xmpp::ns::forward, QStringLiteral("forwarded"));
    QDomElement delay = document.createElementNS(xmpp::ns::delay, QStringLiteral("delay"));
    delay.setAttribute(stampAttribute, formatXmppDateTime(received));
    forwarded.appendChild(delay);
    forwarded.appendChild(copyStanza(document, stanza));
    return forwarded;
}

QDomElement ForwardedStanza::copyStanza(QDomDocument &document, const QDomElement &stanza)
{
    return copyIntoNamespace(document, stanza, xmpp::ns::client).toElement();
}

// --- TransferOffer ---

std::optional<TransferOffer> TransferOffer::fromDom(const QDomElement &transfer)
{
    if (!isMobilityElement(transfer, u"transfer") || hasText(transfer) ||
        !hasOnlyAttributes(transfer, {u"sid", u"tid"}))
        return std::nullopt;
    const auto ids = validSidAndTid(transfer);
    if (!ids)
        return std::nullopt;
    TransferOffer offer;
    offer.sid = ids->sid;
    offer.tid = ids->tid;

    const QList<QDomElement> children = childElements(transfer);
    // The methods, then the manifest, last.
    if (children.size() < 2 || children.size() - 1 > maxMethodElements)
        return std::nullopt;
    for (qsizetype i = 0; i + 1 < children.size(); ++i) {
        const std::optional<QString> type = methodType(children[i]);
        if (!type)
            return std::nullopt;
        const std::optional<TransferMethod> method = transferMethodFromName(*type);
        if (!method)
            continue;
        if (offer.methods.contains(*method))
            return std::nullopt;
        offer.methods.append(*method);
    }
    if (offer.methods.isEmpty())
        return std::nullopt;

    const QDomElement &manifest = children.last();
    if (!isOwnChild(manifest) || localNameOf(manifest) != u"manifest" ||
        !parseManifest(manifest, offer))
        return std::nullopt;
    return offer;
}

QDomElement TransferOffer::toDom(QDomDocument &document) const
{
    QDomElement transfer = createWithSidAndTid(document, QStringLiteral("transfer"), sid, tid);
    for (const TransferMethod method : methods)
        transfer.appendChild(methodToDom(document, method));
    QDomElement manifest = createOwn(document, QStringLiteral("manifest"));
    for (const TransferFile &file : files)
        manifest.appendChild(fileDescriptionToDom(document, file));
    QDomElement log = createOwn(document, QStringLiteral("log"));
    log.setAttribute(countAttribute, QString::number(logCount));
    manifest.appendChild(log);
    transfer.appendChild(manifest);
    return transfer;
}

// --- TransferAnswer ---

std::optional<TransferAnswer> TransferAnswer::fromDom(const QDomElement &transfer)
{
    if (!isMobilityElement(transfer, u"transfer") || hasText(transfer) ||
        !hasOnlyAttributes(transfer, {u"sid", u"tid"}))
        return std::nullopt;
    const auto ids = validSidAndTid(transfer);
    if (!ids)
        return std::nullopt;
    const QList<QDomElement> children = childElements(transfer);
    if (children.size() != 1)
        return std::nullopt;
    const std::optional<QString> type = methodType(children.first());
    if (!type)
        return std::nullopt;
    // The receiver chooses among the methods offered, which it knows by definition.
    const std::optional<TransferMethod> method = transferMethodFromName(*type);
    if (!method)
        return std::nullopt;
    return TransferAnswer{ids->sid, ids->tid, *method};
}

QDomElement TransferAnswer::toDom(QDomDocument &document) const
{
    QDomElement transfer = createWithSidAndTid(document, QStringLiteral("transfer"), sid, tid);
    transfer.appendChild(methodToDom(document, method));
    return transfer;
}

// --- StateChunk ---

std::optional<StateChunk> StateChunk::fromDom(const QDomElement &state)
{
    if (!isMobilityElement(state, u"state") || hasText(state) ||
        !hasOnlyAttributes(state, {u"sid", u"tid", u"seq", u"last"}))
        return std::nullopt;
    const auto ids = validSidAndTid(state);
    if (!ids)
        return std::nullopt;
    StateChunk chunk;
    chunk.sid = ids->sid;
    chunk.tid = ids->tid;
    if (state.hasAttribute(seqAttribute)) {
        const auto seq = parseTransferCount(state.attribute(seqAttribute), maxSeq);
        if (!seq)
            return std::nullopt;
        chunk.seq = quint32(*seq);
    }
    const auto last = parseTransferBoolean(state.attribute(lastAttribute));
    if (!last)
        return std::nullopt;
    chunk.last = *last;

    qsizetype payloadLeft = maxPayloadBytes;
    bool haveLog = false;
    QStringList names;
    for (const QDomElement &child : childElements(state)) {
        if (!isOwnChild(child))
            return std::nullopt;
        const QString name = localNameOf(child);
        if (name == u"file") {
            if (names.size() >= TransferOffer::maxFiles)
                return std::nullopt;
            if (child.hasAttribute(urlAttribute)) {
                std::optional<UploadedFile> upload = parseUploadedFile(child);
                if (!upload)
                    return std::nullopt;
                names.append(upload->file.name);
                chunk.uploads.append(std::move(*upload));
            } else {
                std::optional<FilePart> part = parseFilePart(child, payloadLeft);
                if (!part)
                    return std::nullopt;
                payloadLeft -= part->data.size();
                names.append(part->name);
                chunk.parts.append(std::move(*part));
            }
            if (names.indexOf(names.last()) != names.size() - 1)
                return std::nullopt;
        } else if (name == u"log") {
            if (haveLog)
                return std::nullopt;
            haveLog = true;
            std::optional<QList<ForwardedStanza>> log = parseChunkLog(child);
            if (!log)
                return std::nullopt;
            chunk.log = std::move(*log);
        } else {
            return std::nullopt;
        }
    }
    // A transfer goes by one method; parts and uploads in one chunk would be two.
    if (!chunk.parts.isEmpty() && !chunk.uploads.isEmpty())
        return std::nullopt;
    return chunk;
}

QDomElement StateChunk::toDom(QDomDocument &document) const
{
    QDomElement state = createWithSidAndTid(document, QStringLiteral("state"), sid, tid);
    state.setAttribute(seqAttribute, QString::number(seq));
    state.setAttribute(lastAttribute, last ? QStringLiteral("true") : QStringLiteral("false"));
    for (const FilePart &part : parts) {
        QDomElement element = createOwn(document, QStringLiteral("file"));
        element.setAttribute(nameAttribute, part.name);
        appendText(document, element, encodePayload(part.data));
        state.appendChild(element);
    }
    for (const UploadedFile &upload : uploads) {
        QDomElement element = fileDescriptionToDom(document, upload.file);
        element.setAttribute(urlAttribute, upload.url.toString(QUrl::FullyEncoded));
        state.appendChild(element);
    }
    if (!log.isEmpty()) {
        QDomElement element = createOwn(document, QStringLiteral("log"));
        for (const ForwardedStanza &entry : log)
            element.appendChild(entry.toDom(document));
        state.appendChild(element);
    }
    return state;
}

// --- Transferred ---

std::optional<Transferred> Transferred::fromDom(const QDomElement &transferred)
{
    const auto ids = parseSidAndTidOnly(transferred, u"transferred");
    if (!ids)
        return std::nullopt;
    return Transferred{ids->sid, ids->tid};
}

QDomElement Transferred::toDom(QDomDocument &document) const
{
    return createWithSidAndTid(document, QStringLiteral("transferred"), sid, tid);
}

// --- TransferFailed ---

std::optional<TransferFailed> TransferFailed::fromDom(const QDomElement &failed)
{
    if (!isMobilityElement(failed, u"transfer-failed") || !isEmptyElement(failed) ||
        !hasOnlyAttributes(failed, {u"sid", u"tid", u"reason"}))
        return std::nullopt;
    const auto ids = validSidAndTid(failed);
    if (!ids)
        return std::nullopt;
    const auto reasonIndex = indexIn(failureReasonNames, failed.attribute(reasonAttribute));
    if (!reasonIndex)
        return std::nullopt;
    return TransferFailed{ids->sid, ids->tid, Reason(*reasonIndex)};
}

QDomElement TransferFailed::toDom(QDomDocument &document) const
{
    QDomElement failed = createWithSidAndTid(document, QStringLiteral("transfer-failed"), sid, tid);
    failed.setAttribute(reasonAttribute, reasonName(reason));
    return failed;
}

QString TransferFailed::reasonName(Reason reason)
{
    return failureReasonNames[size_t(reason)].toString();
}

// --- StateRequest ---

std::optional<StateRequest> StateRequest::fromDom(const QDomElement &request)
{
    const auto ids = parseSidAndTidOnly(request, u"request");
    if (!ids)
        return std::nullopt;
    return StateRequest{ids->sid, ids->tid};
}

QDomElement StateRequest::toDom(QDomDocument &document) const
{
    return createWithSidAndTid(document, QStringLiteral("request"), sid, tid);
}

} // namespace mobility
