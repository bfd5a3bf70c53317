#pragma once

#include "error.h"

#include <QByteArrayView>
#include <QDomElement>
#include <QString>

#include <memory>
#include <vector>

namespace xmpp {

struct StreamParserLimits
{
    // Largest top-level element, counted in wire bytes from its '<' to its last '>'.
    qsizetype maxStanzaBytes = 256 * 1024;
    // Deepest element nesting inside a stanza; the stanza itself is depth 1.
    int maxDepth = 32;
    // Largest prolog plus stream header (<?xml ...?><stream:stream ...>).
    qsizetype maxHeaderBytes = 8 * 1024;
    // Most attributes (namespace declarations included) on one element inside a
    // stanza. QXmlStreamReader checks for duplicates in quadratic time: 256 KiB of
    // attributes on one element cost a second of CPU.
    int maxAttributes = 128;
    // Not a limit on the peer: after this many stanza bytes the XML reader is replaced
    // by a fresh one at the next stanza boundary, so its memory cannot grow with the
    // age of the stream whatever the Qt version does with consumed input.
    qsizetype readerRecycleBytes = 4 * 1024 * 1024;
};

struct StreamHeader
{
    QString from;
    QString to;
    QString id;
    QString version;
    QString lang;
};

struct StreamEvent
{
    enum class Type { StreamOpened, Stanza, StreamClosed, Failed };

    Type type = Type::Failed;
    StreamHeader header; // StreamOpened
    // Stanza: a depth-1 child of <stream:stream> (stanzas and nonzas alike), with
    // namespaces resolved as on the wire. It outlives the QDomDocument it was built in,
    // so its ownerDocument() is null: build replies in a QDomDocument of your own.
    QDomElement stanza;
    // Failed: condition ProtocolViolation or LimitExceeded; protocolCondition is the
    // RFC 6120 stream error condition to send before closing the stream.
    Error error;
};

// Incremental parser for the XML stream a server sends a client (RFC 6120 section 4).
//
// Input may be split anywhere, including inside a UTF-8 sequence or a tag. The parser
// holds only the stream header while it arrives, the stanza currently arriving (never
// more than maxStanzaBytes of it) and the XML reader's bounded state: memory does not
// grow with the length of the stream. RFC 6120's restricted XML is enforced before
// anything reaches the XML reader: DTDs, comments, processing instructions other than
// the leading XML declaration, and entity references other than the five predefined
// and character references fail the stream with "restricted-xml".
//
// The stanza under construction is a QDom tree, which can take some 70 times the
// wire size in the worst case (a stanza of nothing but empty elements): about 18 MB
// at the default maxStanzaBytes.
//
// Not thread-safe; one instance per incoming stream.
class StreamParser
{
public:
    explicit StreamParser(StreamParserLimits limits = {});
    ~StreamParser();
    StreamParser(const StreamParser &) = delete;
    StreamParser &operator=(const StreamParser &) = delete;

    // Parses the next bytes of the stream and returns what they completed, in order.
    // After a Failed event the stream is dead: further calls return nothing until
    // reset(). After StreamClosed, further bytes are ignored until reset().
    std::vector<StreamEvent> feed(QByteArrayView bytes);

    // Expect a new stream header, as after STARTTLS or SASL success (RFC 6120 5.4.3.3,
    // 6.4.6) or for a new connection. Discards anything buffered and clears a failure.
    // Call it when handling <proceed/> or <success/>: feed() has already consumed the
    // rest of its input as part of the old stream, which is safe because the server
    // sends nothing of the new stream before it has the client's new header.
    void reset();

    const StreamParserLimits &limits() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace xmpp
