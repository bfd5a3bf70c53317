// The bookkeeping of bench/page_prosody.py's page receivers, shared by the kiosk app
// (index.html, stanzas from kiosk.onStanza) and the Strophe.js pages (strophe.html, in
// headless Chromium), so that the pages differ only in how stanzas reach them.
//
// The stream is a chat room's: every message of a run carries
//   <m xmlns='urn:kioskd:bench:stream' run='R' seq='K' stamp='T'/>
// with seq 0..N-1 and T the sender's clock (ms since the epoch, with microseconds) when it
// built the message. The run is framed by
//   <control xmlns='urn:kioskd:bench:stream' run='R' phase='start' expect='N'/>
//   <control xmlns='urn:kioskd:bench:stream' run='R' phase='end'/>
// The room delivers each occupant's messages in order, so the end marker comes after all
// of that run's messages have come or been lost; it is answered with a 'done' report:
//   {run, expect, count, duplicates, outOfOrder, first, last, skew, latencies: [µs…]}
// first and last: when the first and the last counted message reached the handler;
// latencies: arrival - stamp per message in µs (integers), in arrival order, left out
// (empty) for runs of more than 25 000 messages, which would not fit in one report
// stanza; skew: Date.now() minus this page's clock, to see that the two agree.
// Arrival times are performance.timeOrigin + performance.now().
'use strict';
(function (global) {
    const maxLatencies = 25000;

    class BenchStream {
        // report(name, value): how the page hands a report to bench/page_prosody.py.
        constructor(report) {
            this.report = report;
            this.run = null;
        }

        static now() {
            return performance.timeOrigin + performance.now();
        }

        start(run, expect) {
            this.run = run;
            this.expect = expect;
            this.count = 0;
            this.duplicates = 0;
            this.outOfOrder = 0;
            this.lastSeq = -1;
            this.first = 0;
            this.last = 0;
            this.seen = new Uint8Array(expect);
            this.latencies = expect <= maxLatencies ? new Int32Array(expect) : null;
        }

        // A control element's attributes: phase 'start' (with expect) or 'end'.
        control(run, phase, expect) {
            if (phase === 'start') {
                this.start(run, expect);
                this.report('started', {run, expect});
            } else if (phase === 'end' && run === this.run) {
                this.report('done', this.summary());
                this.run = null;
            }
        }

        // One message of the stream; now is BenchStream.now() as the handler began.
        message(run, seq, stamp, now) {
            if (run !== this.run || !(seq >= 0 && seq < this.expect))
                return;
            if (this.seen[seq]) {
                ++this.duplicates;
                return;
            }
            this.seen[seq] = 1;
            if (seq < this.lastSeq)
                ++this.outOfOrder;
            this.lastSeq = seq;
            if (this.count === 0)
                this.first = now;
            this.last = now;
            if (this.latencies)
                this.latencies[this.count] = Math.round((now - stamp) * 1000);
            ++this.count;
        }

        // Shows the count on screen once a frame, as an app would show what came in.
        showCount(element) {
            let shown = -1;
            const paint = () => {
                const count = this.count || 0;
                if (count !== shown) {
                    shown = count;
                    element.textContent = String(count);
                }
                requestAnimationFrame(paint);
            };
            requestAnimationFrame(paint);
        }

        summary() {
            return {
                run: this.run, expect: this.expect, count: this.count, duplicates: this.duplicates,
                outOfOrder: this.outOfOrder, first: this.first, last: this.last,
                skew: Date.now() - BenchStream.now(),
                latencies: this.latencies ? Array.from(this.latencies.subarray(0, this.count)) : [],
            };
        }
    }

    global.BenchStream = BenchStream;
})(window);
