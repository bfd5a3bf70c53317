// The `kiosk` API for apps on a kioskd display (docs/app-api.md).
//
// kioskd injects this script into an app's page before the page's own scripts run,
// wrapped in one function together with Qt's qwebchannel.js (so QWebChannel is in scope
// here and nowhere else). It talks to the display through one Qt WebChannel object,
// "kioskBridge" (daemon/kiosk/kioskbridge.h); the display checks everything it gets.
(function () {
    'use strict';

    if (window.kiosk)
        return;

    let bridge = null;          // the channel object, once connected
    let info = null;            // {sid, user, app, params}, once attached
    const whenConnected = [];   // calls made before the channel was up

    const readyCallbacks = [];
    const stanzaHandlers = [];
    const stateHandlers = [];
    let lastState = null;
    let snapshotProvider = null;

    const pendingSends = new Map();
    let lastSendId = 0;

    // An exception in an app's callback must not stop the others or the stanzas after
    // it; it still reaches window.onerror and the console, as an uncaught one would.
    function rethrowLater(error) {
        setTimeout(() => { throw error; }, 0);
    }

    function callSafely(callback, argument) {
        try {
            callback(argument);
        } catch (error) {
            rethrowLater(error);
        }
    }

    function withBridge(call) {
        if (bridge)
            call(bridge);
        else
            whenConnected.push(call);
    }

    function frozenCopy(value) {
        if (value === null || typeof value !== 'object')
            return value;
        const copy = Array.isArray(value) ? [] : {};
        for (const key of Object.keys(value))
            copy[key] = frozenCopy(value[key]);
        return Object.freeze(copy);
    }

    function onStanzas(batch, list) {
        for (const xml of list) {
            for (const handler of stanzaHandlers.slice())
                callSafely(handler, xml);
        }
        bridge.stanzasHandled(batch);
    }

    function onState(state) {
        lastState = frozenCopy(state);
        if (!info)
            return; // given out with ready, below
        for (const handler of stateHandlers.slice())
            callSafely(handler, lastState);
    }

    function onSendDone(requestId, error, stanzaId) {
        const pending = pendingSends.get(requestId);
        if (!pending)
            return;
        pendingSends.delete(requestId);
        if (error)
            pending.reject(new Error(error));
        else
            pending.resolve(stanzaId);
    }

    function isBase64Files(files) {
        if (files === null || typeof files !== 'object' || Array.isArray(files))
            return false;
        return Object.keys(files).every(name => typeof files[name] === 'string');
    }

    function onSnapshotRequested(requestId) {
        if (!snapshotProvider) {
            bridge.snapshotDone(requestId, {}, 'the app did not call kiosk.provideSnapshot()');
            return;
        }
        Promise.resolve()
            .then(() => snapshotProvider())
            .then(snapshot => {
                const files = snapshot && snapshot.files;
                if (!isBase64Files(files)) {
                    bridge.snapshotDone(requestId, {},
                        'kiosk.provideSnapshot() must give {files: {name: base64 string}}');
                    return;
                }
                bridge.snapshotDone(requestId, files, '');
            })
            .catch(error => {
                bridge.snapshotDone(requestId, {}, 'kiosk.provideSnapshot() failed: ' + error);
            });
    }

    function attached(channelBridge, attachInfo) {
        info = frozenCopy(attachInfo);
        bridge = channelBridge;
        for (const call of whenConnected.splice(0))
            call(bridge);
        for (const callback of readyCallbacks.splice(0))
            callSafely(callback, info);
        if (lastState) {
            for (const handler of stateHandlers.slice())
                callSafely(handler, lastState);
        }
        if (stanzaHandlers.length > 0)
            bridge.listen();
    }

    let connectAttempts = 0;
    let channelUp = false;

    function connect() {
        // The transport appears with the page's scripting context; wait for it rather
        // than assume which comes first.
        if (typeof qt === 'undefined' || !qt.webChannelTransport) {
            setTimeout(connect, 10);
            return;
        }
        // The display may not hear a message sent this early (it does not, in a page
        // reloaded after its renderer crashed): ask again until it answers.
        const attempt = ++connectAttempts;
        setTimeout(() => {
            if (!channelUp && attempt === connectAttempts)
                connect();
        }, Math.min(2000, 250 * attempt));
        new QWebChannel(qt.webChannelTransport, channel => {
            if (channelUp || attempt !== connectAttempts)
                return;
            channelUp = true;
            const channelBridge = channel.objects.kioskBridge;
            channelBridge.stanzas.connect(onStanzas);
            channelBridge.state.connect(onState);
            channelBridge.sendDone.connect(onSendDone);
            channelBridge.snapshotRequested.connect(onSnapshotRequested);
            channelBridge.ping.connect(serial => channelBridge.pong(serial));
            channelBridge.attach(attachInfo => attached(channelBridge, attachInfo));
        });
    }

    function serialize(xml) {
        if (typeof Node !== 'undefined' && xml instanceof Node)
            return new XMLSerializer().serializeToString(xml);
        return xml;
    }

    const api = {
        // kiosk.ready(info => ...): info is {sid, user, app, params}. Also returns a
        // promise of info. Callbacks registered after the page connected run at once
        // (asynchronously).
        ready(callback) {
            return new Promise(resolve => {
                const run = readyInfo => {
                    if (typeof callback === 'function')
                        callSafely(callback, readyInfo);
                    resolve(readyInfo);
                };
                if (info)
                    setTimeout(() => run(info), 0);
                else
                    readyCallbacks.push(run);
            });
        },

        // kiosk.onStanza(xml => ...): every stanza the filter let through, in arrival
        // order, as an XML string. Stanzas wait at the display until the first handler
        // is registered; every handler gets each stanza from then on.
        onStanza(handler) {
            if (typeof handler !== 'function')
                throw new TypeError('kiosk.onStanza() takes a function');
            stanzaHandlers.push(handler);
            if (stanzaHandlers.length === 1)
                withBridge(b => b.listen());
        },

        // kiosk.send(xml) -> Promise of the stanza's id; rejects with an Error whose
        // message says why when the display does not send it. xml: a string or a DOM
        // element.
        send(xml) {
            xml = serialize(xml);
            if (typeof xml !== 'string')
                return Promise.reject(new TypeError('kiosk.send() takes a stanza as an XML string or element'));
            return new Promise((resolve, reject) => {
                const requestId = ++lastSendId;
                pendingSends.set(requestId, {resolve, reject});
                withBridge(b => b.send(requestId, xml));
            });
        },

        // kiosk.onState(state => ...): transferred state {files: {name: base64},
        // log: [xml, ...]}. A handler registered later still gets the latest state.
        onState(handler) {
            if (typeof handler !== 'function')
                throw new TypeError('kiosk.onState() takes a function');
            stateHandlers.push(handler);
            if (info && lastState) {
                const state = lastState;
                setTimeout(() => callSafely(handler, state), 0);
            }
        },

        // kiosk.provideSnapshot(() => ({files: {name: base64}})): how the display gets
        // the app's state back (pull-back). The function may return a promise.
        provideSnapshot(provider) {
            if (typeof provider !== 'function')
                throw new TypeError('kiosk.provideSnapshot() takes a function');
            snapshotProvider = provider;
        },

        // kiosk.end(): ends the session, as the display's End button does.
        end() {
            withBridge(b => b.end());
        },
    };

    // document.cookie for the app's origin. Qt WebEngine 6.4 keeps cookies for http(s)
    // only, so on kiosk-app: the browser's own accessor stores nothing; this jar stands
    // in for it, with the same syntax and rules for what scripts can see (name=value,
    // Path, Expires, Max-Age; HttpOnly cookies cannot be set from scripts). It lives in
    // the origin's localStorage under one reserved key, so it has the lifetime of the
    // session's other storage: it survives reloads and goes when the session ends.
    function installCookieJar() {
        const storageKey = 'kiosk:cookies';
        const maxCookies = 180;
        const maxCookieChars = 4096;

        function load() {
            try {
                const cookies = JSON.parse(localStorage.getItem(storageKey) || '[]');
                return Array.isArray(cookies) ? cookies : [];
            } catch (error) {
                return [];
            }
        }
        function save(cookies) {
            try {
                if (cookies.length === 0)
                    localStorage.removeItem(storageKey);
                else
                    localStorage.setItem(storageKey, JSON.stringify(cookies));
            } catch (error) {
                // Storage full: the cookie is dropped, as a browser drops one it cannot keep.
            }
        }
        function alive(cookie, now) {
            return cookie.expires === null || cookie.expires > now;
        }
        function defaultPath() {
            const path = location.pathname;
            const slash = path.lastIndexOf('/');
            return slash <= 0 ? '/' : path.substring(0, slash);
        }
        function pathMatches(cookiePath, requestPath) {
            if (requestPath === cookiePath)
                return true;
            if (!requestPath.startsWith(cookiePath))
                return false;
            return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
        }

        function getCookies() {
            const now = Date.now();
            const path = location.pathname;
            return load()
                .filter(cookie => alive(cookie, now) && pathMatches(cookie.path, path))
                .sort((a, b) => b.path.length - a.path.length || a.created - b.created)
                .map(cookie => cookie.name === '' ? cookie.value : cookie.name + '=' + cookie.value)
                .join('; ');
        }

        function setCookie(text) {
            text = String(text);
            if (text.length > maxCookieChars)
                return;
            const parts = text.split(';');
            const pair = parts.shift();
            const equals = pair.indexOf('=');
            const name = equals < 0 ? '' : pair.substring(0, equals).trim();
            const value = (equals < 0 ? pair : pair.substring(equals + 1)).trim();
            if (name === '' && value === '')
                return;
            let path = null;
            let expires = null;
            let maxAge = null;
            for (const attribute of parts) {
                const attributeEquals = attribute.indexOf('=');
                const key = (attributeEquals < 0 ? attribute : attribute.substring(0, attributeEquals)).trim().toLowerCase();
                const attributeValue = attributeEquals < 0 ? '' : attribute.substring(attributeEquals + 1).trim();
                if (key === 'httponly') {
                    return;
                } else if (key === 'path' && attributeValue.startsWith('/')) {
                    path = attributeValue;
                } else if (key === 'expires') {
                    const time = Date.parse(attributeValue);
                    if (!isNaN(time))
                        expires = time;
                } else if (key === 'max-age' && /^-?\d+$/.test(attributeValue)) {
                    maxAge = parseInt(attributeValue, 10);
                } else if (key === 'domain' && attributeValue !== '' &&
                           attributeValue.replace(/^\./, '').toLowerCase() !== location.hostname) {
                    return; // a cookie for another host is refused, as browsers do
                }
            }
            if (maxAge !== null)
                expires = Date.now() + maxAge * 1000;
            if (path === null)
                path = defaultPath();

            const now = Date.now();
            const cookies = load().filter(cookie => alive(cookie, now));
            const index = cookies.findIndex(cookie => cookie.name === name && cookie.path === path);
            const created = index >= 0 ? cookies[index].created : now;
            if (index >= 0)
                cookies.splice(index, 1);
            if (expires === null || expires > now) {
                cookies.push({name, value, path, expires, created});
                while (cookies.length > maxCookies)
                    cookies.shift();
            }
            save(cookies);
        }

        Object.defineProperty(Document.prototype, 'cookie', {
            get() { return this === document ? getCookies() : ''; },
            set(text) {
                if (this === document)
                    setCookie(text);
            },
            configurable: true,
            enumerable: true,
        });
    }

    Object.defineProperty(window, 'kiosk', {
        value: Object.freeze(api),
        writable: false,
        configurable: false,
        enumerable: true,
    });

    if (location.protocol === 'kiosk-app:')
        installCookieJar();
    connect();
})();
