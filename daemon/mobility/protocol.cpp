#include "protocol.h"

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
        !viewxml::hasOnlyAttributes(view, {u"sid", u"app"}))
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
