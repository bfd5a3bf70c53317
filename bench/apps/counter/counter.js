// The counter app of bench/bench_page.cpp.
//
// Every stanza: count it, note performance.now(), and read its sent-timestamp
// (stamp='<ms since the epoch, with microseconds>') with a regular expression, which
// keeps the handler cheap. With the param parse=1 the handler parses each stanza with
// DOMParser instead, as a typical app would.
//
// Reports go out with kiosk.send() as <message to='report@bench.test' type='chat'> (param
// report: another address) with <report xmlns='urn:kioskd:bench' name='…'>JSON</report>:
//   progress  {count, t}                after every `every` stanzas (param, default 1000)
//   done      {count, first, last, latencies: [ms…]}   once `expect` stanzas arrived
// t, first, last are performance.timeOrigin + performance.now() (ms since the epoch).
//   replayed  {count, first, last}     after a transferred state's log went through the
//                                      same handling as live stanzas (kiosk.onState)
// A message with <control xmlns='urn:kioskd:bench:control' expect='N'/> starts a run of N
// (answered with a 'reset' report).
'use strict';
(function () {
    const stampPattern = / stamp='([0-9.]+)'/;
    const delayPattern = /<delay xmlns='urn:xmpp:delay' stamp='([^']+)'/;
    let expect = 0, every = 1000, parse = false;
    let reportTo = 'report@bench.test'; // param report: where reports go
    let count = 0;
    let times = null;      // performance.now() per stanza
    let latencies = null;  // arrival - stamp, ms
    let parser = null;
    let shown = 0;

    function report(name, value) {
        const message = document.implementation.createDocument('jabber:client', 'message', null).documentElement;
        message.setAttribute('to', reportTo);
        message.setAttribute('type', 'chat');
        const element = message.ownerDocument.createElementNS('urn:kioskd:bench', 'report');
        element.setAttribute('name', name);
        element.textContent = JSON.stringify(value);
        message.appendChild(element);
        kiosk.send(message).catch(error => console.log('report failed: ' + error));
    }

    function reset(n) {
        expect = n;
        count = 0;
        times = new Float64Array(n);
        latencies = new Float64Array(n);
    }

    function onStanza(xml) {
        const now = performance.now();
        // <control xmlns='urn:kioskd:bench:control' expect='N'/> in a message: start a run.
        if (xml.indexOf('urn:kioskd:bench:control') > 0) {
            control(/ expect='(\d+)'/.exec(xml)[1]);
            return;
        }
        let stamp;
        if (parse) {
            const doc = parser.parseFromString(xml, 'application/xml');
            stamp = parseFloat(doc.documentElement.getAttribute('stamp'));
        } else {
            stamp = parseFloat(stampPattern.exec(xml)[1]);
        }
        if (count < expect) {
            times[count] = now;
            latencies[count] = performance.timeOrigin + now - stamp;
        }
        ++count;
        if (count % every === 0)
            report('progress', {count, t: performance.timeOrigin + performance.now()});
        if (count === expect) {
            report('done', {
                count,
                first: performance.timeOrigin + times[0],
                last: performance.timeOrigin + times[expect - 1],
                // Only for short runs: a kiosk.send() stanza is at most 256 KiB.
                latencies: expect <= 10000 ? Array.from(latencies, v => Math.round(v * 1000) / 1000) : [],
            });
        }
    }

    // A packet log replays through the same work as a live stanza: read its delay stamp.
    function onState(state) {
        const first = performance.timeOrigin + performance.now();
        let replayed = 0;
        for (const xml of state.log) {
            const stamp = parse
                ? parser.parseFromString(xml, 'application/xml').documentElement
                      .getElementsByTagNameNS('urn:xmpp:delay', 'delay')[0].getAttribute('stamp')
                : delayPattern.exec(xml)[1];
            if (stamp)
                ++replayed;
        }
        report('replayed', {count: replayed, first, last: performance.timeOrigin + performance.now()});
    }

    function control(n) {
        reset(parseInt(n, 10));
        report('reset', {expect});
    }

    function paint() {
        if (shown !== count) {
            shown = count;
            document.getElementById('count').textContent = String(count);
        }
        requestAnimationFrame(paint);
    }

    kiosk.ready(info => {
        every = parseInt(info.params.every || '1000', 10);
        parse = info.params.parse === '1';
        reportTo = info.params.report || reportTo;
        parser = new DOMParser();
        kiosk.onStanza(onStanza);
        kiosk.onState(onState);
        report('ready', {parse, every});
        requestAnimationFrame(paint);
    });
})();
