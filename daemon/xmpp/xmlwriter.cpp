#include "xmlwriter.h"

#include "namespaces.h"

#include <QDomAttr>
#include <QDomNamedNodeMap>

#include <algorithm>
#include <utility>
#include <vector>

namespace xmpp {

namespace {

const QString xmlNamespace = QStringLiteral("http://www.w3.org/XML/1998/namespace");
const QString xmlnsNamespace = QStringLiteral("http://www.w3.org/2000/xmlns/");

enum class EscapeMode { Text, Attribute };

void appendEscaped(QString &out, QStringView text, EscapeMode mode)
{
    constexpr QChar replacementCharacter(0xFFFD);
    const qsizetype size = text.size();
    qsizetype runStart = 0;
    auto flush = [&](qsizetype upTo) {
        if (upTo > runStart)
            out.append(text.mid(runStart, upTo - runStart));
    };
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t c = text[i].unicode();
        // Most characters pass unchanged; keep that test as cheap as possible.
        if (c >= 0x20 && c < 0xD800 && c != u'&' && c != u'<' && c != u'>' &&
            (mode == EscapeMode::Text || (c != u'\'' && c != u'"'))) {
            continue;
        }
        QLatin1String replacement;
        switch (c) {
        case u'&':
            replacement = QLatin1String("&amp;");
            break;
        case u'<':
            replacement = QLatin1String("&lt;");
            break;
        // Escaped everywhere so that "]]>" can never appear in character data.
        case u'>':
            replacement = QLatin1String("&gt;");
            break;
        case u'\'':
            replacement = QLatin1String("&apos;");
            break;
        case u'"':
            replacement = QLatin1String("&quot;");
            break;
        // Parsers turn a literal CR (and, in attributes, tab and LF) into something
        // else; character references survive.
        case u'\r':
            replacement = QLatin1String("&#13;");
            break;
        case u'\t':
            if (mode == EscapeMode::Text)
                continue;
            replacement = QLatin1String("&#9;");
            break;
        case u'\n':
            if (mode == EscapeMode::Text)
                continue;
            replacement = QLatin1String("&#10;");
            break;
        default:
            break;
        }
        if (replacement.size() > 0) {
            flush(i);
            out.append(replacement);
            runStart = i + 1;
            continue;
        }
        if (QChar::isHighSurrogate(c) && i + 1 < size && text[i + 1].isLowSurrogate()) {
            ++i;
            continue;
        }
        const bool representable =
            c >= 0x20 && !QChar::isSurrogate(c) && c != 0xFFFE && c != 0xFFFF;
        if (representable)
            continue;
        flush(i);
        out.append(replacementCharacter);
        runStart = i + 1;
    }
    flush(size);
}

// In-scope prefix bindings, innermost last. An empty prefix is the default namespace.
class NamespaceScope
{
public:
    NamespaceScope()
    {
        m_bindings.push_back({QString(), ns::client});
        m_bindings.push_back({QStringLiteral("stream"), ns::stream});
    }

    size_t mark() const { return m_bindings.size(); }
    void release(size_t mark) { m_bindings.resize(mark); }

    const QString *uriFor(QStringView prefix) const
    {
        for (auto it = m_bindings.rbegin(); it != m_bindings.rend(); ++it) {
            if (it->prefix == prefix)
                return &it->uri;
        }
        return nullptr;
    }

    // A non-empty prefix currently bound to uri, if any.
    const QString *prefixFor(QStringView uri) const
    {
        if (uri.isEmpty())
            return nullptr;
        for (auto it = m_bindings.rbegin(); it != m_bindings.rend(); ++it) {
            if (!it->prefix.isEmpty() && it->uri == uri && uriFor(it->prefix) == &it->uri)
                return &it->prefix;
        }
        return nullptr;
    }

    bool declaredSince(size_t mark, QStringView prefix) const
    {
        for (size_t i = mark; i < m_bindings.size(); ++i) {
            if (m_bindings[i].prefix == prefix)
                return true;
        }
        return false;
    }

    void bind(const QString &prefix, const QString &uri) { m_bindings.push_back({prefix, uri}); }

    QString unusedPrefix() const
    {
        for (int n = 1;; ++n) {
            QString candidate = QStringLiteral("ns%1").arg(n);
            if (!uriFor(candidate))
                return candidate;
        }
    }

private:
    struct Binding
    {
        QString prefix;
        QString uri;
    };
    std::vector<Binding> m_bindings;
};

void appendDeclaration(QString &out, const QString &prefix, const QString &uri)
{
    out += prefix.isEmpty() ? QLatin1String(" xmlns='") : QLatin1String(" xmlns:");
    if (!prefix.isEmpty()) {
        out += prefix;
        out += QLatin1String("='");
    }
    appendEscaped(out, uri, EscapeMode::Attribute);
    out += u'\'';
}

void appendAttribute(QString &out, QStringView name, QStringView value)
{
    out += u' ';
    out += name;
    out += QLatin1String("='");
    appendEscaped(out, value, EscapeMode::Attribute);
    out += u'\'';
}

class Serializer
{
public:
    QString out;

    void writeElement(const QDomElement &element)
    {
        const size_t mark = m_scope.mark();
        const QString name = elementName(element);
        out += u'<';
        out += name;
        writeAttributes(element, mark);

        bool hasContent = false;
        for (QDomNode child = element.firstChild(); !child.isNull(); child = child.nextSibling()) {
            if (child.isElement()) {
                openContent(hasContent);
                writeElement(child.toElement());
            } else if (child.isText()) { // CDATA sections included
                const QString data = child.nodeValue();
                if (data.isEmpty())
                    continue;
                openContent(hasContent);
                appendEscaped(out, data, EscapeMode::Text);
            }
        }
        if (hasContent) {
            out += QLatin1String("</");
            out += name;
            out += u'>';
        } else {
            out += QLatin1String("/>");
        }
        m_scope.release(mark);
    }

private:
    NamespaceScope m_scope;

    void openContent(bool &hasContent)
    {
        if (!hasContent)
            out += u'>';
        hasContent = true;
    }

    void declare(const QString &prefix, const QString &uri)
    {
        m_scope.bind(prefix, uri);
        appendDeclaration(out, prefix, uri);
    }

    QString elementName(const QDomElement &element)
    {
        const QString uri = element.namespaceURI();
        if (uri.isNull()) // created without namespace: belongs to its parent's
            return element.tagName();
        const QString prefix = element.prefix();
        const QString local = element.localName();
        if (prefix == u"xml")
            return prefix + u':' + local;
        if (prefix.isEmpty()) {
            const QString *defaultUri = m_scope.uriFor(u"");
            if (defaultUri && *defaultUri == uri)
                return local;
            if (const QString *bound = m_scope.prefixFor(uri))
                return *bound + u':' + local;
            // Deferred: the start tag is not open yet when the name is computed.
            m_pendingDeclarations.push_back({QString(), uri});
            m_scope.bind(QString(), uri);
            return local;
        }
        const QString *bound = m_scope.uriFor(prefix);
        if (!bound || *bound != uri) {
            m_pendingDeclarations.push_back({prefix, uri});
            m_scope.bind(prefix, uri);
        }
        return prefix + u':' + local;
    }

    void writeAttributes(const QDomElement &element, size_t mark)
    {
        for (const auto &[prefix, uri] : m_pendingDeclarations)
            appendDeclaration(out, prefix, uri);
        m_pendingDeclarations.clear();

        // Declarations an attribute needs go out as they are found; the attributes
        // follow, sorted, because QDom keeps them in hash order, which changes from run
        // to run.
        std::vector<std::pair<QString, QString>> named;
        const QDomNamedNodeMap attributes = element.attributes();
        for (int i = 0; i < attributes.count(); ++i) {
            const QDomAttr attribute = attributes.item(i).toAttr();
            const QString uri = attribute.namespaceURI();
            QString value = attribute.value();
            if (uri.isNull()) {
                QString name = attribute.name();
                if (name == u"xmlns")
                    continue; // the element's own namespace decides the default
                if (name.startsWith(u"xmlns:")) {
                    writeExplicitDeclaration(name.mid(6), value, mark);
                    continue;
                }
                named.emplace_back(std::move(name), std::move(value));
            } else if (uri == xmlnsNamespace) {
                if (attribute.prefix() == u"xmlns")
                    writeExplicitDeclaration(attribute.localName(), value, mark);
            } else if (uri == xmlNamespace) {
                named.emplace_back(QLatin1String("xml:") + attribute.localName(), std::move(value));
            } else {
                named.emplace_back(attributePrefix(attribute, uri) + u':' + attribute.localName(),
                                   std::move(value));
            }
        }
        std::sort(named.begin(), named.end());
        for (const auto &[name, value] : named)
            appendAttribute(out, name, value);
    }

    // Declarations kept as attributes by a DOM built elsewhere: needed when a prefix is
    // used only inside attribute values (QNames), harmless otherwise.
    void writeExplicitDeclaration(const QString &prefix, const QString &uri, size_t mark)
    {
        if (prefix.isEmpty() || prefix == u"xml" || prefix == u"xmlns")
            return;
        const QString *bound = m_scope.uriFor(prefix);
        if ((bound && *bound == uri) || m_scope.declaredSince(mark, prefix))
            return;
        declare(prefix, uri);
    }

    QString attributePrefix(const QDomAttr &attribute, const QString &uri)
    {
        QString prefix = attribute.prefix();
        if (!prefix.isEmpty()) {
            const QString *bound = m_scope.uriFor(prefix);
            if (bound && *bound == uri)
                return prefix;
        }
        if (const QString *bound = m_scope.prefixFor(uri))
            return *bound;
        if (prefix.isEmpty() || m_scope.uriFor(prefix))
            prefix = m_scope.unusedPrefix();
        declare(prefix, uri);
        return prefix;
    }

    struct PendingDeclaration
    {
        QString prefix;
        QString uri;
    };
    std::vector<PendingDeclaration> m_pendingDeclarations;
};

} // namespace

QString escapeXmlText(QStringView text)
{
    QString out;
    out.reserve(text.size());
    appendEscaped(out, text, EscapeMode::Text);
    return out;
}

QString escapeXmlAttribute(QStringView value)
{
    QString out;
    out.reserve(value.size());
    appendEscaped(out, value, EscapeMode::Attribute);
    return out;
}

QByteArray serializeStanza(const QDomElement &stanza)
{
    if (stanza.isNull())
        return {};
    Serializer serializer;
    serializer.writeElement(stanza);
    return serializer.out.toUtf8();
}

QByteArray streamHeader(const QString &to, const QString &from, const QString &lang)
{
    QString out = QStringLiteral("<?xml version='1.0'?><stream:stream");
    appendDeclaration(out, QString(), ns::client);
    appendDeclaration(out, QStringLiteral("stream"), ns::stream);
    appendAttribute(out, u"to", to);
    if (!from.isEmpty())
        appendAttribute(out, u"from", from);
    if (!lang.isEmpty())
        appendAttribute(out, u"xml:lang", lang);
    appendAttribute(out, u"version", u"1.0");
    out += u'>';
    return out.toUtf8();
}

QByteArray streamErrorElement(const QString &condition, const QString &text)
{
    QString out = QStringLiteral("<stream:error><");
    out += condition;
    appendDeclaration(out, QString(), ns::streamErrors);
    out += QLatin1String("/>");
    if (!text.isEmpty()) {
        out += QLatin1String("<text");
        appendDeclaration(out, QString(), ns::streamErrors);
        out += u'>';
        appendEscaped(out, text, EscapeMode::Text);
        out += QLatin1String("</text>");
    }
    out += QLatin1String("</stream:error>");
    return out.toUtf8();
}

QByteArray streamFooter()
{
    return QByteArrayLiteral("</stream:stream>");
}

} // namespace xmpp
