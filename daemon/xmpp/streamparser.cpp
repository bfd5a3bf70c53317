#include "streamparser.h"

#include "logging.h"
#include "namespaces.h"
#include "xmlwriter.h"

#include <QDomDocument>
#include <QDomText>
#include <QXmlStreamReader>

#include <algorithm>
#include <cstring>
#include <utility>

namespace xmpp {

namespace {

const QString xmlNamespace = QStringLiteral("http://www.w3.org/XML/1998/namespace");

enum class Phase { Prolog, Stanzas, Closed, Failed };

// Where the framing scanner stands. It understands just enough XML to find where each
// top-level element ends, to count its bytes and depth before the XML reader sees it,
// and to spot the constructs RFC 6120 11.1 forbids; the XML reader does the rest.
enum class Lex {
    // Before and inside the stream header.
    PrologStart,
    PrologTagOpen,
    XmlDeclaration,
    PrologMisc,
    HeaderTag,
    HeaderAttributeValue,
    // Inside the stream.
    Between,
    TagOpen,
    StartTag,
    AttributeValue,
    EndTag,
    Text,
    Bang,
    CDataOpening,
    CData,
    Reference,
};

bool isXmlWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool endsName(char c)
{
    return isXmlWhitespace(c) || c == '<' || c == '>' || c == '&' || c == '\'' || c == '"' ||
           c == '=' || c == ';';
}

Error violation(const char *protocolCondition, QString detail)
{
    return makeError(ErrorCondition::ProtocolViolation, std::move(detail),
                     QString::fromLatin1(protocolCondition));
}

Error notWellFormed(QString detail)
{
    return violation("not-well-formed", std::move(detail));
}

Error restrictedXml(QString detail)
{
    return violation("restricted-xml", std::move(detail));
}

Error overLimit(QString detail)
{
    return makeError(ErrorCondition::LimitExceeded, std::move(detail),
                     QStringLiteral("policy-violation"));
}

// QXmlStreamReader (Qt 6.4) reports malformed UTF-8 only when it gets the whole
// document at once; fed incrementally it stalls silently and keeps buffering. So the
// bytes are checked here before it sees them (Unicode 15, table 3-7: no overlong
// forms, surrogates or code points above U+10FFFF), across any split.
class Utf8Validator
{
public:
    bool feed(const char *data, qsizetype size)
    {
        const auto *bytes = reinterpret_cast<const unsigned char *>(data);
        qsizetype i = 0;
        while (i < size) {
            if (m_needed == 0) {
                while (i + 8 <= size) {
                    quint64 word;
                    std::memcpy(&word, bytes + i, sizeof word);
                    if (word & 0x8080808080808080ULL)
                        break;
                    i += 8;
                }
                if (i == size)
                    break;
                const unsigned char lead = bytes[i++];
                if (lead < 0x80)
                    continue;
                if (lead >= 0xC2 && lead <= 0xDF) {
                    m_needed = 1;
                } else if (lead >= 0xE0 && lead <= 0xEF) {
                    m_needed = 2;
                    if (lead == 0xE0)
                        m_lower = 0xA0;
                    else if (lead == 0xED)
                        m_upper = 0x9F;
                } else if (lead >= 0xF0 && lead <= 0xF4) {
                    m_needed = 3;
                    if (lead == 0xF0)
                        m_lower = 0x90;
                    else if (lead == 0xF4)
                        m_upper = 0x8F;
                } else {
                    return false;
                }
            } else {
                const unsigned char continuation = bytes[i++];
                if (continuation < m_lower || continuation > m_upper)
                    return false;
                m_lower = 0x80;
                m_upper = 0xBF;
                --m_needed;
            }
        }
        return true;
    }

    void reset() { *this = Utf8Validator(); }

private:
    int m_needed = 0;
    unsigned char m_lower = 0x80;
    unsigned char m_upper = 0xBF;
};

} // namespace

struct StreamParser::Private
{
    explicit Private(StreamParserLimits parserLimits)
        : limits(parserLimits)
    {
    }

    StreamParserLimits limits;
    std::vector<StreamEvent> *events = nullptr;

    Phase phase = Phase::Prolog;

    // Framing scanner.
    Lex lex = Lex::PrologStart;
    Lex afterReference = Lex::Text;
    char quote = 0;
    bool slashPending = false;    // the last tag byte was '/': '>' ends an empty element
    bool questionPending = false; // the last declaration byte was '?'
    bool declarationAllowed = true;
    int depth = 0;          // elements open in the current stanza
    int attributeCount = 0; // attribute values seen in the current start tag
    int cdataMatched = 0;   // bytes of "CDATA[" seen after "<!["
    int bracketRun = 0;     // consecutive ']' inside CDATA or text
    char referenceName[4] = {};
    int referenceLength = 0;
    bool referenceIsCharacter = false;
    qsizetype unitBytes = 0; // bytes of the current top-level element seen so far
    QByteArray headerBytes;
    Utf8Validator utf8;

    // XML reader and the stanza it is building.
    std::unique_ptr<QXmlStreamReader> reader;
    QByteArray readerPrimer; // re-opens the stream element for a fresh reader
    qsizetype readerBytes = 0;
    QDomDocument document;
    QDomElement current;
    int domDepth = 0;
    std::vector<QString> namespaceCache;

    void clear();
    void fail(Error error);
    void emitEvent(StreamEvent::Type type, QDomElement stanza = {}, StreamHeader header = {});

    qsizetype scanProlog(const char *data, qsizetype size, qsizetype pos);
    bool stepProlog(char c);
    void openStream();

    qsizetype scanContent(const char *data, qsizetype size, qsizetype pos);
    void forward(const char *data, qsizetype length);
    void drainReader();
    void startElement();
    void appendText();
    void recycleReader();
    const QString &internNamespace(QStringView uri);

    void beginReference(Lex returnTo);
    bool stepReference(char c);
};

void StreamParser::Private::clear()
{
    phase = Phase::Prolog;
    lex = Lex::PrologStart;
    slashPending = false;
    questionPending = false;
    declarationAllowed = true;
    bracketRun = 0;
    depth = 0;
    unitBytes = 0;
    headerBytes = QByteArray();
    utf8.reset();
    reader.reset();
    readerPrimer.clear();
    readerBytes = 0;
    document = QDomDocument();
    current = QDomElement();
    domDepth = 0;
}

void StreamParser::Private::fail(Error error)
{
    qCDebug(lcXmppStream).noquote()
        << "incoming stream failed:" << error.protocolCondition << error.detail;
    phase = Phase::Failed;
    reader.reset();
    document = QDomDocument();
    current = QDomElement();
    headerBytes = QByteArray();
    StreamEvent event;
    event.type = StreamEvent::Type::Failed;
    event.error = std::move(error);
    events->push_back(std::move(event));
}

void StreamParser::Private::emitEvent(StreamEvent::Type type, QDomElement stanza,
                                      StreamHeader header)
{
    StreamEvent event;
    event.type = type;
    event.stanza = std::move(stanza);
    event.header = std::move(header);
    events->push_back(std::move(event));
}

// --- Prolog and stream header ---

qsizetype StreamParser::Private::scanProlog(const char *data, qsizetype size, qsizetype pos)
{
    if (lex == Lex::PrologStart) {
        // Whitespace before the header is not XML, but a peer's keepalive can land
        // just before a restarted stream; it is dropped rather than buffered.
        while (pos < size && isXmlWhitespace(data[pos]))
            ++pos;
        if (pos == size)
            return size;
    }
    const qsizetype start = pos;
    const qsizetype budget = limits.maxHeaderBytes - headerBytes.size();
    const qsizetype end = size - start > budget ? start + std::max<qsizetype>(budget, 0) : size;
    for (qsizetype i = start; i < end; ++i) {
        const bool headerComplete = stepProlog(data[i]);
        if (phase == Phase::Failed)
            return size;
        if (headerComplete) {
            headerBytes.append(data + start, i + 1 - start);
            openStream();
            return i + 1;
        }
    }
    headerBytes.append(data + start, end - start);
    if (end < size) {
        fail(overLimit(
            QStringLiteral("stream header longer than %1 bytes").arg(limits.maxHeaderBytes)));
        return size;
    }
    return size;
}

// Returns true on the '>' that ends the stream header.
bool StreamParser::Private::stepProlog(char c)
{
    switch (lex) {
    case Lex::PrologStart:
    case Lex::PrologMisc:
        if (c == '<')
            lex = Lex::PrologTagOpen;
        else if (!isXmlWhitespace(c))
            fail(notWellFormed(QStringLiteral("character data before the stream header")));
        return false;
    case Lex::PrologTagOpen:
        // Only the very first construct may be the XML declaration.
        if (std::exchange(declarationAllowed, false) && c == '?') {
            lex = Lex::XmlDeclaration;
        } else if (c == '?') {
            fail(restrictedXml(QStringLiteral("processing instruction")));
        } else if (c == '!') {
            fail(restrictedXml(QStringLiteral("document type declaration or comment")));
        } else if (c == '/' || endsName(c)) {
            fail(notWellFormed(QStringLiteral("malformed stream header")));
        } else {
            lex = Lex::HeaderTag;
        }
        return false;
    case Lex::XmlDeclaration:
        if (c == '>' && questionPending) {
            questionPending = false;
            lex = Lex::PrologMisc;
        } else {
            questionPending = c == '?';
        }
        return false;
    case Lex::HeaderTag:
        if (c == '>')
            return true;
        if (c == '\'' || c == '"') {
            quote = c;
            lex = Lex::HeaderAttributeValue;
        } else if (c == '<') {
            fail(notWellFormed(QStringLiteral("'<' inside the stream header")));
        }
        slashPending = c == '/';
        return false;
    case Lex::HeaderAttributeValue:
        if (c == quote)
            lex = Lex::HeaderTag;
        else if (c == '&')
            beginReference(Lex::HeaderAttributeValue);
        else if (c == '<')
            fail(notWellFormed(QStringLiteral("'<' in an attribute value")));
        return false;
    case Lex::Reference:
        stepReference(c);
        return false;
    default:
        Q_UNREACHABLE();
    }
    return false;
}

void StreamParser::Private::openStream()
{
    // A processing instruction that merely starts like the declaration ("<?xml-foo")
    // is still a processing instruction.
    if (headerBytes.startsWith("<?")) {
        const bool isDeclaration = headerBytes.size() > 5 && headerBytes.startsWith("<?xml") &&
                                   (isXmlWhitespace(headerBytes.at(5)) || headerBytes.at(5) == '?');
        if (!isDeclaration) {
            fail(restrictedXml(QStringLiteral("processing instruction")));
            return;
        }
    }
    if (!utf8.feed(headerBytes.constData(), headerBytes.size())) {
        fail(notWellFormed(QStringLiteral("invalid UTF-8")));
        return;
    }
    reader = std::make_unique<QXmlStreamReader>();
    reader->addData(headerBytes);
    headerBytes = QByteArray();
    const bool selfClosing = slashPending;
    slashPending = false;

    while (true) {
        switch (reader->readNext()) {
        case QXmlStreamReader::StartDocument: {
            const QStringView encoding = reader->documentEncoding();
            if (!encoding.isEmpty() && encoding.compare(u"UTF-8", Qt::CaseInsensitive) != 0) {
                fail(violation(
                    "unsupported-encoding",
                    QStringLiteral("the stream declares encoding %1").arg(encoding.toString())));
                return;
            }
            break;
        }
        case QXmlStreamReader::StartElement: {
            if (reader->namespaceUri() != ns::stream || reader->name() != u"stream") {
                fail(violation("invalid-namespace",
                               QStringLiteral("the stream element is {%1}%2, not {%3}stream")
                                   .arg(reader->namespaceUri().toString(),
                                        reader->name().toString(), ns::stream)));
                return;
            }
            const QXmlStreamNamespaceDeclarations declarations = reader->namespaceDeclarations();
            const auto defaultDeclaration =
                std::find_if(declarations.begin(), declarations.end(),
                             [](const QXmlStreamNamespaceDeclaration &declaration) {
                                 return declaration.prefix().isEmpty();
                             });
            if (defaultDeclaration == declarations.end() ||
                defaultDeclaration->namespaceUri() != ns::client) {
                fail(violation(
                    "invalid-namespace",
                    QStringLiteral("the stream's content namespace is not %1").arg(ns::client)));
                return;
            }

            QString primer = u'<' + reader->qualifiedName().toString();
            for (const QXmlStreamNamespaceDeclaration &declaration : declarations) {
                primer += declaration.prefix().isEmpty()
                              ? QStringLiteral(" xmlns='")
                              : QStringLiteral(" xmlns:") + declaration.prefix().toString() +
                                    QStringLiteral("='");
                primer += escapeXmlAttribute(declaration.namespaceUri()) + u'\'';
            }
            primer += u'>';
            readerPrimer = primer.toUtf8();
            readerBytes = 0;

            const QXmlStreamAttributes attributes = reader->attributes();
            StreamHeader header;
            header.from = attributes.value(QLatin1String("from")).toString();
            header.to = attributes.value(QLatin1String("to")).toString();
            header.id = attributes.value(QLatin1String("id")).toString();
            header.version = attributes.value(QLatin1String("version")).toString();
            header.lang = attributes.value(xmlNamespace, QLatin1String("lang")).toString();
            emitEvent(StreamEvent::Type::StreamOpened, {}, std::move(header));
            phase = Phase::Stanzas;
            lex = Lex::Between;
            if (!selfClosing)
                return;
            break;
        }
        case QXmlStreamReader::EndElement:
            emitEvent(StreamEvent::Type::StreamClosed);
            phase = Phase::Closed;
            reader.reset();
            return;
        case QXmlStreamReader::Invalid:
            if (reader->error() == QXmlStreamReader::PrematureEndOfDocumentError)
                fail(notWellFormed(QStringLiteral("incomplete stream header")));
            else
                fail(notWellFormed(reader->errorString()));
            return;
        case QXmlStreamReader::Comment:
        case QXmlStreamReader::DTD:
        case QXmlStreamReader::ProcessingInstruction:
        case QXmlStreamReader::EntityReference:
            fail(restrictedXml(reader->tokenString()));
            return;
        default:
            break;
        }
    }
}

// --- Stream content ---

void StreamParser::Private::beginReference(Lex returnTo)
{
    afterReference = returnTo;
    referenceLength = 0;
    referenceIsCharacter = false;
    lex = Lex::Reference;
}

// Lets character references and the five predefined entities through: without a DTD
// no other entity can be defined, and RFC 6120 11.1 forbids DTDs.
bool StreamParser::Private::stepReference(char c)
{
    if (c == ';') {
        if (referenceLength == 0 || (referenceIsCharacter && referenceLength == 1)) {
            fail(notWellFormed(QStringLiteral("empty reference")));
            return false;
        }
        if (!referenceIsCharacter) {
            const QByteArrayView name(referenceName, referenceLength);
            if (name != "lt" && name != "gt" && name != "amp" && name != "quot" && name != "apos") {
                fail(restrictedXml(QStringLiteral("reference to an undeclared entity")));
                return false;
            }
        }
        lex = afterReference;
        return true;
    }
    if (endsName(c)) {
        fail(notWellFormed(QStringLiteral("unterminated reference")));
        return false;
    }
    if (referenceLength == 0 && c == '#') {
        referenceIsCharacter = true;
        referenceLength = 1;
        return true;
    }
    if (referenceIsCharacter) {
        // Leading zeros are legal, so the length is not otherwise bounded.
        if (++referenceLength > 32) {
            fail(notWellFormed(QStringLiteral("character reference too long")));
            return false;
        }
        return true;
    }
    if (referenceLength == int(sizeof(referenceName))) {
        fail(restrictedXml(QStringLiteral("reference to an undeclared entity")));
        return false;
    }
    referenceName[referenceLength++] = c;
    return true;
}

qsizetype StreamParser::Private::scanContent(const char *data, qsizetype size, qsizetype pos)
{
    qsizetype start = pos;
    if (lex == Lex::Between) {
        while (pos < size && isXmlWhitespace(data[pos]))
            ++pos;
        if (pos == size)
            return size;
        if (data[pos] != '<') {
            fail(violation("bad-format", QStringLiteral("character data between stanzas")));
            return size;
        }
        start = pos++;
        lex = Lex::TagOpen;
        bracketRun = 0;
        depth = 0;
        unitBytes = 0;
        slashPending = false;
    }
    const qsizetype budget = limits.maxStanzaBytes - unitBytes;
    const qsizetype end = size - start > budget ? start + std::max<qsizetype>(budget, 0) : size;

    qsizetype i = pos;
    bool unitComplete = false;
    while (i < end && !unitComplete) {
        const char c = data[i];
        switch (lex) {
        case Lex::Text: {
            // The common case: run to the next markup. ']' and '>' stop the run too,
            // because "]]>" may not appear in text.
            const qsizetype runStart = i;
            while (i < end && data[i] != '<' && data[i] != '&' && data[i] != ']' && data[i] != '>')
                ++i;
            if (i > runStart)
                bracketRun = 0;
            if (i == end)
                continue;
            switch (data[i]) {
            case '<':
                lex = Lex::TagOpen;
                bracketRun = 0;
                break;
            case '&':
                beginReference(Lex::Text);
                bracketRun = 0;
                break;
            case ']':
                ++bracketRun;
                break;
            default: // '>'
                if (bracketRun >= 2)
                    fail(notWellFormed(QStringLiteral("']]>' in character data")));
                bracketRun = 0;
                break;
            }
            break;
        }
        case Lex::TagOpen:
            if (c == '/') {
                lex = Lex::EndTag;
            } else if (c == '!') {
                lex = Lex::Bang;
            } else if (c == '?') {
                fail(restrictedXml(QStringLiteral("processing instruction")));
            } else if (endsName(c)) {
                fail(notWellFormed(QStringLiteral("malformed tag")));
            } else {
                lex = Lex::StartTag;
                slashPending = false;
                attributeCount = 0;
            }
            break;
        case Lex::StartTag:
            if (c == '>') {
                if (depth + 1 > limits.maxDepth) {
                    fail(overLimit(
                        QStringLiteral("elements nested deeper than %1").arg(limits.maxDepth)));
                } else if (slashPending) {
                    unitComplete = depth == 0;
                    lex = Lex::Text;
                } else if (++depth > limits.maxDepth) {
                    fail(overLimit(
                        QStringLiteral("elements nested deeper than %1").arg(limits.maxDepth)));
                } else {
                    lex = Lex::Text;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                lex = Lex::AttributeValue;
                slashPending = false;
                if (++attributeCount > limits.maxAttributes) {
                    fail(overLimit(QStringLiteral("more than %1 attributes on an element")
                                       .arg(limits.maxAttributes)));
                }
            } else if (c == '<') {
                fail(notWellFormed(QStringLiteral("'<' inside a tag")));
            } else {
                slashPending = c == '/';
            }
            break;
        case Lex::AttributeValue:
            while (i < end && data[i] != quote && data[i] != '&' && data[i] != '<')
                ++i;
            if (i == end)
                continue;
            if (data[i] == quote)
                lex = Lex::StartTag;
            else if (data[i] == '&')
                beginReference(Lex::AttributeValue);
            else
                fail(notWellFormed(QStringLiteral("'<' in an attribute value")));
            break;
        case Lex::EndTag:
            if (c == '>') {
                // depth 0: this closes the stream element itself.
                unitComplete = depth == 0 || --depth == 0;
                lex = Lex::Text;
            } else if (c == '<' || c == '\'' || c == '"') {
                fail(notWellFormed(QStringLiteral("malformed end tag")));
            }
            break;
        case Lex::Bang:
            if (c == '[' && depth > 0) {
                lex = Lex::CDataOpening;
                cdataMatched = 0;
            } else if (c == '[') {
                fail(violation("bad-format", QStringLiteral("character data between stanzas")));
            } else if (c == '-') {
                fail(restrictedXml(QStringLiteral("comment")));
            } else {
                fail(restrictedXml(QStringLiteral("document type or markup declaration")));
            }
            break;
        case Lex::CDataOpening:
            if (c != "CDATA["[cdataMatched]) {
                fail(notWellFormed(QStringLiteral("malformed CDATA section")));
            } else if (++cdataMatched == 6) {
                lex = Lex::CData;
                bracketRun = 0;
            }
            break;
        case Lex::CData:
            if (c == '>' && bracketRun >= 2) {
                lex = Lex::Text;
                bracketRun = 0;
                break;
            }
            bracketRun = c == ']' ? bracketRun + 1 : 0;
            break;
        case Lex::Reference:
            stepReference(c);
            break;
        default:
            Q_UNREACHABLE();
        }
        if (phase == Phase::Failed)
            return size;
        ++i;
    }

    if (unitComplete) {
        unitBytes = 0;
        lex = Lex::Between;
        forward(data + start, i - start);
        if (phase == Phase::Stanzas && domDepth == 0 && readerBytes >= limits.readerRecycleBytes) {
            recycleReader();
        }
        return phase == Phase::Stanzas ? i : size;
    }
    if (end < size) {
        fail(overLimit(QStringLiteral("stanza larger than %1 bytes").arg(limits.maxStanzaBytes)));
        return size;
    }
    // Parsing the partial stanza now spreads the work and keeps the raw bytes from
    // piling up; the DOM under construction takes their place.
    unitBytes += end - start;
    forward(data + start, end - start);
    return size;
}

void StreamParser::Private::forward(const char *data, qsizetype length)
{
    if (length <= 0)
        return;
    if (!utf8.feed(data, length)) {
        fail(notWellFormed(QStringLiteral("invalid UTF-8")));
        return;
    }
    reader->addData(QByteArray(data, length));
    readerBytes += length;
    drainReader();
}

void StreamParser::Private::drainReader()
{
    while (true) {
        switch (reader->readNext()) {
        case QXmlStreamReader::Invalid:
            if (reader->error() != QXmlStreamReader::PrematureEndOfDocumentError)
                fail(notWellFormed(reader->errorString()));
            return;
        case QXmlStreamReader::StartElement:
            startElement();
            break;
        case QXmlStreamReader::EndElement:
            if (domDepth == 0) {
                emitEvent(StreamEvent::Type::StreamClosed);
                phase = Phase::Closed;
                reader.reset();
                return;
            }
            if (--domDepth == 0) {
                emitEvent(StreamEvent::Type::Stanza, std::exchange(current, QDomElement()));
                document = QDomDocument();
            } else {
                current = current.parentNode().toElement();
            }
            break;
        case QXmlStreamReader::Characters:
            if (domDepth > 0)
                appendText();
            break;
        case QXmlStreamReader::Comment:
        case QXmlStreamReader::DTD:
        case QXmlStreamReader::ProcessingInstruction:
        case QXmlStreamReader::EntityReference:
            // The scanner stops these first; this is the second line of defence.
            fail(restrictedXml(reader->tokenString()));
            return;
        default:
            break;
        }
    }
}

const QString &StreamParser::Private::internNamespace(QStringView uri)
{
    // A stream uses a handful of namespaces; sharing one QString per namespace saves
    // an allocation per element.
    for (const QString &known : namespaceCache) {
        if (known == uri)
            return known;
    }
    if (namespaceCache.size() >= 32)
        namespaceCache.erase(namespaceCache.begin());
    namespaceCache.push_back(uri.toString());
    return namespaceCache.back();
}

void StreamParser::Private::startElement()
{
    if (domDepth == 0)
        document = QDomDocument();
    QDomElement element = document.createElementNS(internNamespace(reader->namespaceUri()),
                                                   reader->qualifiedName().toString());
    const QXmlStreamAttributes attributes = reader->attributes();
    for (const QXmlStreamAttribute &attribute : attributes) {
        if (attribute.namespaceUri().isEmpty()) {
            element.setAttribute(attribute.qualifiedName().toString(),
                                 attribute.value().toString());
        } else {
            element.setAttributeNS(attribute.namespaceUri().toString(),
                                   attribute.qualifiedName().toString(),
                                   attribute.value().toString());
        }
    }
    // Appended, not left as an orphan: an orphan QDomElement that outlives its
    // QDomDocument keeps a dangling owner pointer.
    if (domDepth == 0)
        document.appendChild(element);
    else
        current.appendChild(element);
    current = element;
    ++domDepth;
}

void StreamParser::Private::appendText()
{
    // The reader may deliver one run of text in pieces (around references, or where
    // input was split); one text node per run keeps the tree independent of that.
    const QString text = reader->text().toString();
    QDomNode last = current.lastChild();
    if (last.isText())
        last.toText().appendData(text);
    else
        current.appendChild(document.createTextNode(text));
}

void StreamParser::Private::recycleReader()
{
    reader = std::make_unique<QXmlStreamReader>();
    reader->addData(readerPrimer);
    readerBytes = 0;
    while (true) {
        const QXmlStreamReader::TokenType token = reader->readNext();
        if (token == QXmlStreamReader::StartElement)
            return;
        if (token == QXmlStreamReader::Invalid) {
            fail(notWellFormed(QStringLiteral("cannot re-open the stream element: %1")
                                   .arg(reader->errorString())));
            return;
        }
    }
}

// --- StreamParser ---

StreamParser::StreamParser(StreamParserLimits limits)
    : d(std::make_unique<Private>(limits))
{
}

StreamParser::~StreamParser() = default;

const StreamParserLimits &StreamParser::limits() const
{
    return d->limits;
}

void StreamParser::reset()
{
    d->clear();
}

std::vector<StreamEvent> StreamParser::feed(QByteArrayView bytes)
{
    std::vector<StreamEvent> events;
    if (d->phase != Phase::Prolog && d->phase != Phase::Stanzas)
        return events;
    d->events = &events;
    const char *data = bytes.data();
    const qsizetype size = bytes.size();
    qsizetype pos = 0;
    while (pos < size) {
        if (d->phase == Phase::Prolog)
            pos = d->scanProlog(data, size, pos);
        else if (d->phase == Phase::Stanzas)
            pos = d->scanContent(data, size, pos);
        else
            break;
    }
    d->events = nullptr;
    return events;
}

} // namespace xmpp
