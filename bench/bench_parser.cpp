// Throughput of the incoming-stream parser on one core: a synthetic server stream of
// typical chat messages, fed in 4 KiB reads as a socket would deliver it.
//
// Usage: bench_parser [stanza-count]   (default 200000)
// Output: one "name value" line per figure.

#include "streamparser.h"
#include "xmlwriter.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>

#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>

using namespace xmpp;

namespace {

constexpr qsizetype readSize = 4096;
constexpr int runs = 5;

long statusKb(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLong();
    }
    return -1;
}

QByteArray syntheticStream(qsizetype stanzaCount)
{
    QByteArray stream =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        "xmlns:stream='http://etherx.jabber.org/streams' from='e' id='bench' version='1.0' "
        "xml:lang='en'>";
    stream.reserve(stanzaCount * 96 + 256);
    for (qsizetype i = 0; i < stanzaCount; ++i) {
        stream += "<message from='a@b/c' to='d@e/f' type='chat' id='x";
        stream += QByteArray::number(i);
        stream += "'><body>hello there</body></message>";
    }
    stream += "</stream:stream>";
    return stream;
}

// Returns the stanza count, or -1 if the stream did not parse as expected.
qsizetype parseOnce(const QByteArray &stream)
{
    StreamParser parser;
    qsizetype stanzas = 0;
    bool closed = false;
    const QByteArrayView all(stream);
    for (qsizetype offset = 0; offset < all.size(); offset += readSize) {
        const std::vector<StreamEvent> events =
            parser.feed(all.sliced(offset, std::min(readSize, all.size() - offset)));
        for (const StreamEvent &event : events) {
            if (event.type == StreamEvent::Type::Stanza)
                ++stanzas;
            else if (event.type == StreamEvent::Type::StreamClosed)
                closed = true;
            else if (event.type == StreamEvent::Type::Failed)
                return -1;
        }
    }
    return closed ? stanzas : -1;
}

void print(const char *name, double value)
{
    std::printf("%s %.0f\n", name, value);
}

} // namespace

int main(int argc, char **argv)
{
    const qsizetype stanzaCount = argc > 1 ? std::atoll(argv[1]) : 200'000;
    if (stanzaCount <= 0) {
        std::fprintf(stderr, "usage: %s [stanza-count]\n", argv[0]);
        return 2;
    }

    // One core, so the figure does not depend on what else the machine runs.
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) {
        for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
            if (CPU_ISSET(cpu, &cpus)) {
                CPU_ZERO(&cpus);
                CPU_SET(cpu, &cpus);
                sched_setaffinity(0, sizeof cpus, &cpus);
                break;
            }
        }
    }

    const QByteArray stream = syntheticStream(stanzaCount);
    const long rssBeforeKb = statusKb("VmHWM");

    qint64 bestNs = std::numeric_limits<qint64>::max();
    for (int run = 0; run < runs; ++run) {
        QElapsedTimer timer;
        timer.start();
        const qsizetype parsed = parseOnce(stream);
        const qint64 elapsedNs = timer.nsecsElapsed();
        if (parsed != stanzaCount) {
            std::fprintf(stderr, "parse failed: %lld of %lld stanzas\n", qlonglong(parsed),
                         qlonglong(stanzaCount));
            return 1;
        }
        bestNs = std::min(bestNs, elapsedNs);
    }
    const double seconds = double(bestNs) / 1e9;
    const long peakKb = statusKb("VmHWM");

    // The other direction, for comparison: one parsed stanza serialised repeatedly.
    StreamParser parser;
    const std::vector<StreamEvent> sample =
        parser.feed(stream.left(stream.indexOf("</message>") + 10));
    const QDomElement stanza = sample.back().stanza;
    qint64 bestSerializeNs = std::numeric_limits<qint64>::max();
    qsizetype serializedBytes = 0;
    for (int run = 0; run < runs; ++run) {
        QElapsedTimer timer;
        timer.start();
        serializedBytes = 0;
        for (qsizetype i = 0; i < stanzaCount; ++i)
            serializedBytes += serializeStanza(stanza).size();
        bestSerializeNs = std::min(bestSerializeNs, timer.nsecsElapsed());
    }

    print("parser_stanzas", double(stanzaCount));
    print("parser_stream_bytes", double(stream.size()));
    print("parser_stanzas_per_s", double(stanzaCount) / seconds);
    std::printf("parser_mb_per_s %.1f\n", double(stream.size()) / seconds / 1e6);
    std::printf("parser_ns_per_stanza %.0f\n", double(bestNs) / double(stanzaCount));
    print("parser_rss_before_parse_kb", double(rssBeforeKb));
    print("parser_peak_rss_kb", double(peakKb));
    print("parser_peak_rss_growth_kb", double(peakKb - rssBeforeKb));
    print("serializer_stanzas_per_s", double(stanzaCount) / (double(bestSerializeNs) / 1e9));
    return serializedBytes > 0 ? 0 : 1;
}
