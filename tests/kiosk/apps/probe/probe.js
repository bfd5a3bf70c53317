// Runs in the page as an app would: only the `kiosk` API and the web platform.
'use strict';

const probeNs = 'urn:kioskd:test:probe';
const received = [];
let snapshotFiles = null;

// One report per stanza to report@probe.test, built as a DOM element so that
// kiosk.send() gets to serialize one too.
function report(name, value) {
    const doc = document.implementation.createDocument('jabber:client', 'message', null);
    const message = doc.documentElement;
    message.setAttribute('to', 'report@probe.test');
    const body = doc.createElementNS(probeNs, 'report');
    body.setAttribute('name', name);
    body.textContent = JSON.stringify(value === undefined ? null : value);
    message.appendChild(body);
    return kiosk.send(message);
}

function xhr(url) {
    return new Promise(resolve => {
        const request = new XMLHttpRequest();
        request.open('GET', url);
        request.onload = () => resolve({status: request.status, text: request.responseText.trim()});
        request.onerror = () => resolve({status: -1, text: ''});
        request.send();
    });
}

const commands = {
    received() {
        report('received', received.splice(0));
    },
    send(args) {
        kiosk.send(args.xml)
            .then(id => report('sent', {ok: true, id}))
            .catch(error => report('sent', {ok: false, error: error.message, isError: error instanceof Error}));
    },
    storage() {
        const result = {before: localStorage.getItem('probe'), cookieBefore: document.cookie};
        kiosk.ready(info => {
            localStorage.setItem('probe', 'written by ' + info.sid);
            document.cookie = 'probe=' + info.sid + '; path=/';
            document.cookie = 'gone=1; max-age=0';
            result.after = localStorage.getItem('probe');
            result.cookieAfter = document.cookie;
            report('storage', result);
        });
    },
    navigate() {
        location.href = 'https://example.org/';
        setTimeout(() => report('navigate', {href: location.href}), 1500);
    },
    open() {
        const opened = window.open('https://example.org/', '_blank');
        report('open', {opened: opened !== null && opened !== undefined, href: location.href});
    },
    permissions() {
        const result = {};
        const done = () => {
            if ('notification' in result && 'geolocation' in result)
                report('permissions', result);
        };
        Notification.requestPermission().then(permission => {
            result.notification = permission;
            done();
        });
        navigator.geolocation.getCurrentPosition(
            () => { result.geolocation = 'granted'; done(); },
            error => { result.geolocation = 'denied:' + error.code; done(); });
    },
    dialogs() {
        alert('probe');
        const confirmed = confirm('probe?');
        const answer = prompt('probe', 'default');
        report('dialogs', {confirmed, answer});
    },
    download() {
        const link = document.createElement('a');
        link.href = URL.createObjectURL(new Blob(['probe'], {type: 'text/plain'}));
        link.download = 'probe.txt';
        document.body.appendChild(link);
        link.click();
        setTimeout(() => report('download', {href: location.href}), 1000);
    },
    files(args) {
        Promise.all(args.urls.map(xhr)).then(results => report('files', results));
    },
    provide(args) {
        snapshotFiles = args.files;
        kiosk.provideSnapshot(() => Promise.resolve({files: snapshotFiles}));
        report('provided', true);
    },
    late() {
        // Registered long after ready and state arrived: both must still come.
        kiosk.ready(info => {
            kiosk.onState(state => report('late', {sid: info.sid, files: Object.keys(state.files)}));
        });
    },
    hang() {
        for (;;) {}
    },
    end() {
        kiosk.end();
    },
};

kiosk.onStanza(xml => {
    const stanza = new DOMParser().parseFromString(xml, 'application/xml').documentElement;
    const command = stanza.getElementsByTagNameNS(probeNs, 'command')[0];
    if (!command) {
        received.push({id: stanza.getAttribute('id'), ns: stanza.namespaceURI});
        return;
    }
    const name = command.getAttribute('name');
    commands[name](JSON.parse(command.textContent || '{}'));
});

kiosk.onState(state => report('state', {files: state.files, log: state.log}));

kiosk.ready(info => report('ready', info));
