/* Chat for kioskd: the phone's recent conversation on the big screen, and back.
 *
 * The phone hands over its history (history.json) and the packet log of what arrived
 * since; the page merges both, shows the messages with one contact (param `peer`) or with
 * everyone, adds what arrives and what is sent here, and gives the whole history back as
 * history.json when the phone pulls the session back. See docs/chat.md.
 *
 * Everything from outside (file contents, stanzas, params, refusal reasons) reaches the
 * DOM as text nodes only. No network resources, no frameworks; written for Chromium 108
 * (Qt WebEngine 6.4). Without `kiosk` (a plain browser) it shows a stand-in conversation.
 */
(function () {
  'use strict';

  const NS_CLIENT = 'jabber:client';
  const NS_SERVER = 'jabber:server';
  const NS_FORWARD = 'urn:xmpp:forward:0';
  const NS_DELAY = 'urn:xmpp:delay';

  const HISTORY_FILE = 'history.json';
  const HISTORY_VERSION = 1;
  const STORE_KEY = 'chat:history';           // sessionStorage: survives a restarted page
  const MAX_MESSAGES = 2000;                   // the newest are kept
  const MAX_SHOWN = 300;                       // bubbles on screen; the rest stays in the history
  const MAX_BODY = 16384;                      // UTF-16 units; longer bodies are cut
  const MAX_STANZA = 256 * 1024;
  const MAX_LOG = 5000;
  const MAX_FILE_CHARS = 48 * 1024 * 1024;     // base64 of history.json
  const MAX_SNAPSHOT_BYTES = 24 * 1024 * 1024; // under the display's 32 MiB for all files
  const MAX_JID = 3071;
  const MAX_ID = 256;
  const MAX_REASON = 240;

  // XEP-0082 DateTime; the fraction is cut to milliseconds before Date.parse, which does
  // not take more digits everywhere.
  const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;
  // Characters XML 1.0 cannot carry: a body with one would make the stanza unsendable.
  const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

  // ------------------------------------------------------------------ state
  let ready = false;
  let user = '';           // the user's bare JID, as given
  let peer = '';           // params.peer as a bare JID, as given ('' = every contact)
  let pendingState = null; // state that came before kiosk.ready
  const early = [];        // stanzas that came before kiosk.ready
  let send = null;         // xml => Promise of the id

  // The history, ordered by time (then by arrival for equal times).
  const messages = [];
  const byId = new Map();       // idKey -> message
  const byContent = new Map();  // contentKey -> message
  let arrival = 0;
  let freshSeq = 0;             // the newest live message, lit for a moment
  let freshTimer = 0;

  // ------------------------------------------------------------------ helpers
  function $(id) { return document.getElementById(id); }
  function safe(fn) {
    try { return fn(); } catch (e) { return undefined; }
  }
  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  // The JID without its resource. Neither localpart nor domain may hold a '/'.
  function bareOf(jid) {
    if (typeof jid !== 'string') return '';
    const slash = jid.indexOf('/');
    return (slash < 0 ? jid : jid.substring(0, slash)).trim();
  }
  // For comparing JIDs: localpart and domain are case-insensitive.
  function keyOf(jid) { return bareOf(jid).toLowerCase(); }
  function looksLikeJid(bare) {
    return bare.length > 0 && bare.length <= MAX_JID && /^(?:[^@\/\s]+@)?[^@\/\s]+$/.test(bare);
  }
  function nameOf(jid) {
    const bare = bareOf(jid);
    const at = bare.indexOf('@');
    return at > 0 ? bare.substring(0, at) : bare;
  }

  function parseStamp(stamp) {
    if (typeof stamp !== 'string' || stamp.length > 64) return null;
    const m = STAMP.exec(stamp);
    if (!m) return null;
    const t = Date.parse(m[1] + (m[2] ? '.' + (m[2] + '00').substring(0, 3) : '') + m[3]);
    return isFinite(t) ? t : null;
  }

  // Cut at a character boundary: half a surrogate pair would not survive UTF-8.
  function clip(text, max) {
    if (text.length <= max) return text;
    let cut = max;
    const code = text.charCodeAt(cut - 1);
    if (code >= 0xD800 && code <= 0xDBFF) cut--;
    return text.substring(0, cut) + '…';
  }

  // base64 <-> UTF-8 text. btoa/atob work on Latin-1 only, so the bytes go through them.
  function textToBase64(text) {
    const bytes = new TextEncoder().encode(text);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000)
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }
  function base64ToText(b64) {
    const binary = atob(b64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder('utf-8').decode(bytes);
  }

  // ------------------------------------------------------------------ the history
  // A message as kept: {id, from, to, stamp, body, direction} as in history.json, plus
  // t (ms since the epoch), contact (the other side, compared lower case) and seq.
  function makeMessage(id, from, to, stamp, body, direction) {
    if (direction !== 'in' && direction !== 'out') return null;
    if (typeof body !== 'string' || body.trim() === '') return null;
    const t = parseStamp(stamp);
    if (t === null) return null;
    from = typeof from === 'string' && from.length <= MAX_JID ? from : '';
    to = typeof to === 'string' && to.length <= MAX_JID ? to : '';
    const contact = keyOf(direction === 'in' ? from : to);
    if (!looksLikeJid(contact)) return null;
    id = typeof id === 'string' && id.length <= MAX_ID ? id : '';
    return { id, from, to, stamp, body: clip(body, MAX_BODY), direction, t, contact, seq: 0 };
  }

  // Stanza ids are chosen by the sender, so they are unique per contact and direction only.
  function idKey(m) { return m.direction + ' ' + m.contact + ' ' + m.id; }
  // Without an id: the same sender, body and second. Clients differ in how precisely they
  // keep time, the phone's history and the display's log may not agree on milliseconds.
  function contentKey(m) { return m.direction + ' ' + m.contact + ' ' + Math.floor(m.t / 1000) + ' ' + m.body; }

  function comesBefore(a, b) { return a.t < b.t || (a.t === b.t && a.seq < b.seq); }

  // Adds a message unless it is one the history has; returns whether it was added.
  function add(m) {
    if (!m) return false;
    const ik = m.id ? idKey(m) : '';
    if (ik && byId.has(ik)) return false;
    const ck = contentKey(m);
    const same = byContent.get(ck);
    if (same && (!m.id || !same.id)) {
      if (ik) {       // the copy with an id tells later copies apart
        same.id = m.id;
        byId.set(ik, same);
      }
      return false;
    }
    m.seq = ++arrival;
    let lo = 0, hi = messages.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (comesBefore(messages[mid], m)) lo = mid + 1; else hi = mid;
    }
    messages.splice(lo, 0, m);
    if (ik) byId.set(ik, m);
    if (!byContent.has(ck)) byContent.set(ck, m);
    let kept = true;
    while (messages.length > MAX_MESSAGES) {
      const oldest = messages.shift();
      forget(oldest);
      if (oldest === m) kept = false;
    }
    return kept;
  }
  function forget(m) {
    if (m.id && byId.get(idKey(m)) === m) byId.delete(idKey(m));
    const ck = contentKey(m);
    if (byContent.get(ck) === m) byContent.delete(ck);
  }

  function toJson(m) {
    return { id: m.id, from: m.from, to: m.to, stamp: m.stamp, body: m.body, direction: m.direction };
  }
  // history.json: UTF-8 JSON. JSON.stringify writes lone surrogates as escapes, so any
  // string survives the trip through UTF-8. Over the size bound the oldest messages go.
  function historyText() {
    let list = messages;
    for (;;) {
      const text = JSON.stringify({ version: HISTORY_VERSION, messages: list.map(toJson) });
      if (list.length === 0 || text.length <= MAX_SNAPSHOT_BYTES / 3 ||
          new TextEncoder().encode(text).length <= MAX_SNAPSHOT_BYTES)
        return text;
      list = list.slice(Math.max(1, Math.floor(list.length / 10)));
    }
  }
  function readHistory(text) {
    const doc = JSON.parse(text);
    if (!doc || typeof doc !== 'object' || doc.version !== HISTORY_VERSION || !Array.isArray(doc.messages))
      return [];
    return doc.messages.slice(-MAX_MESSAGES * 2).map(o => (o && typeof o === 'object')
      ? makeMessage(o.id, o.from, o.to, o.stamp, o.body, o.direction) : null);
  }

  // ------------------------------------------------------------------ stanzas
  function childOf(parent, localName, ns) {
    for (let c = parent.firstElementChild; c; c = c.nextElementSibling) {
      if (c.localName === localName && c.namespaceURI === ns) return c;
    }
    return null;
  }
  function delayStamp(parent) {
    const delay = childOf(parent, 'delay', NS_DELAY);
    const stamp = delay ? delay.getAttribute('stamp') : null;
    return parseStamp(stamp) === null ? '' : stamp;
  }

  // A chat message from a stanza or an XEP-0297 <forwarded/> (the packet log), or null.
  // Its time: the message's own <delay/> (offline delivery), else the forwarding's, else
  // now.
  function messageFromXml(xml) {
    if (typeof xml !== 'string' || xml.length === 0 || xml.length > MAX_STANZA) return null;
    const doc = new DOMParser().parseFromString(xml, 'application/xml');
    if (!doc || !doc.documentElement || doc.getElementsByTagName('parsererror').length) return null;
    let root = doc.documentElement;
    let stamp = '';
    if (root.localName === 'forwarded' && root.namespaceURI === NS_FORWARD) {
      stamp = delayStamp(root);
      root = childOf(root, 'message', NS_CLIENT) || childOf(root, 'message', NS_SERVER);
      if (!root) return null;
    }
    const ns = root.namespaceURI;
    if (root.localName !== 'message' || (ns !== NS_CLIENT && ns !== NS_SERVER)) return null;
    const type = root.getAttribute('type') || 'normal';
    if (type !== 'chat' && type !== 'normal') return null;
    const body = childOf(root, 'body', ns);
    if (!body) return null;
    stamp = delayStamp(root) || stamp || new Date().toISOString();
    const from = root.getAttribute('from') || '';
    const to = root.getAttribute('to') || '';
    if (!from) return null;
    // What the user sent from another of their clients comes back from their own JID.
    const direction = user && keyOf(from) === keyOf(user) ? 'out' : 'in';
    return makeMessage(root.getAttribute('id') || '', from, to, stamp, body.textContent, direction);
  }

  // ------------------------------------------------------------------ screen
  let renderPending = false;
  let rendered = false;
  function changed() {
    saveSoon();
    if (renderPending) return;
    renderPending = true;
    setTimeout(render, 0);
  }

  function clockOf(t) {
    const d = new Date(t);
    return pad2(d.getHours()) + ':' + pad2(d.getMinutes());
  }
  function dayOf(t) {
    const d = new Date(t);
    return d.getFullYear() + '-' + d.getMonth() + '-' + d.getDate();
  }
  function dayLabel(t) {
    const today = new Date();
    const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (dayOf(t) === dayOf(today.getTime())) return 'Today';
    if (dayOf(t) === dayOf(yesterday.getTime())) return 'Yesterday';
    const d = new Date(t);
    const options = { weekday: 'long', day: 'numeric', month: 'long' };
    if (d.getFullYear() !== today.getFullYear()) options.year = 'numeric';
    return safe(() => d.toLocaleDateString(undefined, options)) || d.toDateString();
  }

  function element(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function bubble(m) {
    const li = element('li', 'msg ' + m.direction);
    li.dataset.id = m.id;
    const box = element('div', 'bubble');
    const meta = element('div', 'meta');
    const who = element('span', 'who', m.direction === 'out' ? 'You' : nameOf(m.from));
    who.title = m.direction === 'out' ? user : bareOf(m.from);
    const time = element('time', 'time', clockOf(m.t));
    time.dateTime = new Date(m.t).toISOString();
    meta.append(who, time);
    const text = element('div', 'text', m.body);
    text.dir = 'auto';
    box.append(meta, text);
    li.append(box);
    if (m.seq === freshSeq) li.classList.add('fresh');
    return li;
  }

  function appendRun(list, run) {
    let day = '';
    for (const m of run) {
      if (dayOf(m.t) !== day) {
        day = dayOf(m.t);
        list.append(element('li', 'day', dayLabel(m.t)));
      }
      list.append(bubble(m));
    }
  }

  function render() {
    renderPending = false;
    const main = $('conversation');
    const atBottom = main.scrollHeight - main.scrollTop - main.clientHeight < main.clientHeight * 0.1 + 8;
    const all = peer ? messages.filter(m => m.contact === keyOf(peer)) : messages;
    const shown = all.slice(-MAX_SHOWN);
    const list = $('messages');
    list.textContent = '';
    if (peer) {
      appendRun(list, shown);
    } else {
      // One group per contact; the one with the latest message last, nearest the eye.
      const groups = new Map();
      for (const m of shown) {
        if (!groups.has(m.contact)) groups.set(m.contact, []);
        groups.get(m.contact).push(m);
      }
      const ordered = Array.from(groups.values()).sort((a, b) => comesBefore(a[a.length - 1], b[b.length - 1]) ? -1 : 1);
      for (const run of ordered) {
        const last = run[run.length - 1];
        const header = element('li', 'group');
        header.dataset.contact = last.contact;
        header.append(element('span', 'group-name', nameOf(last.direction === 'in' ? last.from : last.to)),
                      element('span', 'group-jid', bareOf(last.direction === 'in' ? last.from : last.to)));
        list.append(header);
        appendRun(list, run);
      }
    }
    const hidden = all.length - shown.length;
    $('earlier').hidden = hidden === 0;
    $('earlier').textContent = hidden === 1 ? '1 earlier message' : hidden + ' earlier messages';
    $('empty').hidden = all.length > 0;
    $('count').hidden = all.length === 0;
    $('count').textContent = all.length === 1 ? '1 message' : all.length + ' messages';
    if (atBottom || !rendered) main.scrollTop = main.scrollHeight;
    rendered = true;
  }

  function lightUp(m) {
    freshSeq = m.seq;
    clearTimeout(freshTimer);
    freshTimer = setTimeout(() => { freshSeq = 0; }, 3000);
    changed();
  }

  function showStatus(text) {
    $('status').textContent = text;
    $('status').hidden = !text;
  }
  function reasonOf(error) {
    const text = error && error.message ? String(error.message) : String(error || 'refused');
    return clip(text.replace(/\s+/g, ' ').trim(), MAX_REASON);
  }

  // ------------------------------------------------------------------ sending
  let sending = 0;
  function updateComposer() {
    $('composer').hidden = !peer;
    $('send').disabled = !ready || !send;
    $('send').textContent = sending > 0 ? 'Sending…' : 'Send';
  }

  function newId() {
    const r = safe(() => crypto.randomUUID());
    return 'chat-' + (r || Date.now().toString(36) + Math.random().toString(36).substring(2));
  }

  function submit(event) {
    event.preventDefault();
    if (!ready || !send || !peer) return;
    const input = $('text');
    const typed = input.value;
    const text = clip(typed.replace(NOT_XML, ''), MAX_BODY);
    if (text.trim() === '') return;
    const stamp = new Date().toISOString();
    const id = newId();
    const doc = document.implementation.createDocument(NS_CLIENT, 'message', null);
    const message = doc.documentElement;
    message.setAttribute('to', peer);
    message.setAttribute('type', 'chat');
    message.setAttribute('id', id);
    const body = doc.createElementNS(NS_CLIENT, 'body');
    body.textContent = text;
    message.append(body);
    sending++;
    updateComposer();
    let result;
    try {
      result = Promise.resolve(send(message));
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(sentId => {
      const m = makeMessage(typeof sentId === 'string' && sentId ? sentId : id, user, peer, stamp, text, 'out');
      if (add(m)) lightUp(m);
      if (input.value === typed) input.value = '';
      showStatus('');
    }, error => {
      showStatus('Not sent: ' + reasonOf(error));
    }).finally(() => {
      sending--;
      updateComposer();
    });
  }

  // ------------------------------------------------------------------ kiosk glue
  let saveTimer = 0;
  function saveSoon() {
    if (!ready || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = 0;
      safe(() => sessionStorage.setItem(STORE_KEY, historyText()));
    }, 300);
  }
  function loadSaved() {
    const text = safe(() => sessionStorage.getItem(STORE_KEY));
    if (typeof text === 'string') safe(() => readHistory(text).forEach(add));
  }

  function onStanza(xml) {
    if (!ready) {
      if (early.length < MAX_LOG) early.push(xml);
      return;
    }
    const m = safe(() => messageFromXml(xml));
    if (add(m)) lightUp(m);
  }

  // Transferred state: history.json and the packet log, merged into what is there. A
  // later transfer merges again; nothing is lost by seeing a message twice.
  function applyState(state) {
    if (!ready) { pendingState = state; return; }
    if (!state || typeof state !== 'object') return;
    const files = state.files && typeof state.files === 'object' ? state.files : {};
    const b64 = files[HISTORY_FILE];
    if (typeof b64 === 'string' && b64.length <= MAX_FILE_CHARS)
      safe(() => readHistory(base64ToText(b64)).forEach(add));
    if (Array.isArray(state.log)) {
      for (const xml of state.log.slice(-MAX_LOG))
        add(safe(() => messageFromXml(xml)));
    }
    changed();
  }

  function snapshot() {
    return { files: { [HISTORY_FILE]: textToBase64(historyText()) } };
  }

  function onReady(info) {
    if (ready) return;
    const params = info && typeof info.params === 'object' && info.params ? info.params : {};
    user = info && typeof info.user === 'string' ? bareOf(info.user) : '';
    const wanted = typeof params.peer === 'string' ? bareOf(params.peer) : '';
    ready = true;
    if (looksLikeJid(wanted)) {
      peer = wanted;
      $('contact').textContent = peer;
      $('empty-sub').textContent = 'Messages with ' + peer + ' appear here.';
    } else {
      $('contact').textContent = 'All chats';
      $('empty-sub').textContent = 'Messages appear here as they arrive.';
      if (wanted) showStatus('Not a contact address: ' + clip(wanted, MAX_REASON));
    }
    loadSaved();
    if (pendingState) {
      const state = pendingState;
      pendingState = null;
      applyState(state);
    }
    for (const xml of early.splice(0)) onStanza(xml);
    updateComposer();
    changed();
  }

  function standIn() {
    // A desktop browser without kioskd: a short conversation to look at, and a send
    // that always works.
    const q = new URLSearchParams(location.search);
    const contact = q.get('peer') === null ? 'bob@example.org' : q.get('peer');
    let n = 0;
    send = () => Promise.resolve('standin-' + (++n));
    onReady({ sid: 'standin', user: 'alice@example.org', app: 'chat', params: contact ? { peer: contact } : {} });
    const start = Date.now() - 3600 * 1000;
    const lines = [
      ['in', 'bob@example.org/phone', 'Are you still at the station?'],
      ['out', 'bob@example.org', 'Yes, the train is late. Twenty minutes, they say.'],
      ['in', 'bob@example.org/phone', 'Then let us meet at the café by the fountain ☕'],
      ['in', 'carol@example.org/tablet', 'Grüße aus Köln! 🎉'],
      ['out', 'bob@example.org', 'Good idea. See you there.'],
    ];
    lines.forEach((line, i) => {
      const stamp = new Date(start + i * 4 * 60 * 1000).toISOString();
      const from = line[0] === 'out' ? 'alice@example.org' : line[1];
      const to = line[0] === 'out' ? line[1] : 'alice@example.org/kiosk';
      add(makeMessage('standin-history-' + i, from, to, stamp, line[2], line[0]));
    });
    changed();
  }

  function start() {
    $('composer').addEventListener('submit', submit);
    updateComposer();
    const k = window.kiosk;
    if (!k || typeof k !== 'object') {
      standIn();
      return;
    }
    send = xml => k.send(xml);
    safe(() => k.onStanza(onStanza));
    safe(() => k.onState(state => safe(() => applyState(state))));
    safe(() => k.provideSnapshot(snapshot));
    safe(() => k.ready(info => safe(() => onReady(info))));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
