/* XHunt board for kioskd: shows the players of a MUC game room on a city map.
 *
 * Fed by groupchat messages in urn:example:xhunt:0 and by the room's presence (see
 * docs/xhunt.md). Runs inside kioskd through the global `kiosk` object, or standalone in
 * a plain browser with a built-in simulation (no `kiosk`, or ?simulate=1).
 * No network resources, no frameworks; written for Chromium 108 (Qt WebEngine 6.4).
 */
(function () {
  'use strict';

  var NS = 'urn:example:xhunt:0';
  var NS_MUC = 'http://jabber.org/protocol/muc';
  var NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
  var NS_DELAY = 'urn:xmpp:delay';
  var NS_FORWARD = 'urn:xmpp:forward:0';
  var NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
  var SVGNS = 'http://www.w3.org/2000/svg';

  var GRID_W = 12;           // blocks across; intersections x = 0..12
  var GRID_H = 8;            // blocks down;   intersections y = 0..8
  var B = 100;               // SVG units per block
  var MARGIN = 56;           // SVG units of outskirts around the grid
  var MAX_PLAYERS = 32;
  var MAX_STANZA = 65536;    // longer stanzas are ignored
  var MAX_QUEUE = 500;       // stanzas kept while waiting for kiosk.ready
  var DEFAULT_REVEALS = [3, 8, 13, 18, 24];

  var V_STREETS = ['West Rd', 'Abbey St', 'Baker St', 'Cedar St', 'Dock Ave', 'Elm St',
    'Fleet St', 'Grove St', 'Harbour Ave', 'Ivy Lane', 'Jewel St', 'Kings Rd', 'East Rd'];
  var H_STREETS = ['North Rd', 'Mill Lane', 'Chapel St', 'River St', 'Central Ave',
    'Wharf St', 'Garden Row', 'Market St', 'South Rd'];
  var AVENUE_X = { 0: 1, 4: 1, 8: 1, 12: 1 };
  var AVENUE_Y = { 0: 1, 4: 1, 8: 1 };
  // where each street's name is written: the block segment (for vertical streets the
  // row, for horizontal streets the column) the label sits on
  var V_LABEL_AT = [3, 0, 0, 0, 6, 0, 6, 0, 3, 0, 6, 0, 3];
  var H_LABEL_AT = [2, 6, 6, 2, 10, 3, 7, 5, 10];

  var STATIONS = [[1, 1], [5, 1], [10, 2], [3, 4], [8, 4], [5, 7], [11, 7]];
  var METRO_LINES = [
    { color: '#ff5c7a', stops: [[1, 1], [3, 4], [5, 7]] },
    { color: '#ff5c7a', stops: [[5, 1], [8, 4], [11, 7]] },
    { color: '#ff5c7a', stops: [[1, 1], [5, 1], [10, 2]] }
  ];
  var PARKS = [
    { name: 'Kings Park', x: 1, y: 5, w: 2, h: 2 },
    { name: 'Green', x: 6, y: 0, w: 1, h: 1 }
  ];
  var PLAZAS = [{ name: 'Market Sq', x: 9, y: 2 }];
  var DISTRICTS = [
    { name: 'OLD TOWN', x: 2.5, y: 1.5 },
    { name: 'NORTHSIDE', x: 10.5, y: 1.5 },
    { name: 'THE DOCKS', x: 10.5, y: 3.5 },
    { name: 'SOUTHBANK', x: 8.5, y: 6.5 }
  ];
  // river centre line in grid units (cubic Béziers), width in SVG units
  var RIVER = 'M -0.8 2.5 C 2.5 2.38 4.2 2.7 5.6 3.65 S 8.7 5.5 12.8 5.45';
  var RIVER_NAME = 'River Lune';
  var RIVER_W = 40;

  var TICKETS = {
    taxi: { label: 'Taxi', color: '#f2c94c' },
    bus: { label: 'Bus', color: '#3ddc97' },
    underground: { label: 'Underground', color: '#ff5c7a' },
    secret: { label: 'Secret', color: '#0d1117' }
  };
  var PALETTE = ['#4fc3f7', '#ffb74d', '#81c784', '#f06292', '#ba68c8', '#fff176', '#4db6ac',
    '#e57373', '#7986cb', '#dce775', '#ff8a65', '#a1887f', '#90a4ae', '#ce93d8', '#80deea',
    '#c5e1a5'];

  // ------------------------------------------------------------------ state
  var S = {
    room: '',            // bare JID of the game room, lower case
    roomShown: '',
    nick: '',            // our spectator nick
    joinTries: 0,
    joined: false,       // our own presence came back from the room (status 110)
    ready: false,
    simulated: false,
    players: new Map(),  // nick -> player
    order: 0,
    dropped: new Set(),  // nicks not shown because of MAX_PLAYERS
    round: 0,
    rounds: 0,
    reveals: null,       // from <game reveals=''>; else DEFAULT_REVEALS once rounds are used
    usesRounds: false,
    gameState: '',
    winner: '',
    xNick: '',           // the player who last moved as Mister X
    xlog: [],            // {round, ticket, reveal, x, y, t}
    xSeen: null,         // {x, y, round, t}
    xLive: false,        // Mister X's most recent move was a reveal
    feed: []             // latest moves, newest last: {t, nick, role, color, ticket, text}
  };
  var send = null;       // function(xml) -> Promise, or null
  var queue = [];        // stanzas that came before kiosk.ready
  var pendingState = null;

  // ------------------------------------------------------------------ helpers
  function safe(fn) {
    try { return fn(); } catch (e) { try { console.warn('xhunt:', e); } catch (e2) { /* */ } }
    return undefined;
  }
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  function $(id) { return document.getElementById(id); }
  function xmlEscape(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/'/g, '&apos;').replace(/"/g, '&quot;');
  }
  function splitJid(j) {
    if (typeof j !== 'string' || j.length === 0 || j.length > 3071) return null;
    var s = j.indexOf('/');
    return { bare: (s < 0 ? j : j.slice(0, s)).toLowerCase(), res: s < 0 ? '' : j.slice(s + 1) };
  }
  function gridInt(v, max) {
    if (v === null || v === undefined) return null;
    v = String(v).trim();
    if (!/^[0-9]{1,3}$/.test(v)) return null;
    var n = parseInt(v, 10);
    return n >= 0 && n <= max ? n : null;
  }
  function posInt(v, max) {
    if (v === null || v === undefined) return null;
    v = String(v).trim();
    if (!/^[0-9]{1,5}$/.test(v)) return null;
    var n = parseInt(v, 10);
    return n <= max ? n : null;
  }
  function cleanNick(n) {
    // control characters out; long nicks shortened for display only
    return String(n).replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e]/g, '');
  }
  function shortName(n, max) {
    var a = Array.from(n);
    return a.length > max ? a.slice(0, max - 1).join('') + '\u2026' : n;
  }
  function initials(n) {
    var words = n.trim().split(/[\s._-]+/).filter(Boolean);
    if (words.length >= 2) {
      return (Array.from(words[0])[0] + Array.from(words[1])[0]).toUpperCase();
    }
    var c = Array.from(n.trim());
    return c.length ? c[0].toUpperCase() : '?';
  }
  function isXName(n) { return /^\s*(mister|mr\.?)\s*x\s*$/i.test(n); }
  function pad2(n) { return (n < 10 ? '0' : '') + n; }
  function clock(t) {
    var d = new Date(t);
    return pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds());
  }
  function corner(x, y) {
    return V_STREETS[x] + ' / ' + H_STREETS[y];
  }
  function shortCorner(x, y) {   // "Ivy & Garden" for the narrow list of moves
    return V_STREETS[x].split(' ')[0] + ' & ' + H_STREETS[y].split(' ')[0];
  }
  function firstChild(node, local, ns) {
    for (var c = node.firstElementChild; c; c = c.nextElementSibling) {
      if (c.localName === local && (ns === undefined || c.namespaceURI === ns)) return c;
    }
    return null;
  }
  function now() { return Date.now(); }

  // ------------------------------------------------------------------ the map
  var svg, layers = {};

  function buildMap() {
    svg = $('map');
    var W = GRID_W * B, H = GRID_H * B, M = MARGIN;
    svg.setAttribute('viewBox', (-M) + ' ' + (-M) + ' ' + (W + 2 * M) + ' ' + (H + 2 * M));
    var defs = el('defs', null, svg);
    edgeGradient(defs, 'fadeT', 0, 0, 0, 1);
    edgeGradient(defs, 'fadeB', 0, 1, 0, 0);
    edgeGradient(defs, 'fadeL', 0, 0, 1, 0);
    edgeGradient(defs, 'fadeR', 1, 0, 0, 0);
    var glow = el('filter', { id: 'glow', x: '-100%', y: '-100%', width: '300%', height: '300%' }, defs);
    el('feGaussianBlur', { stdDeviation: '6' }, glow);

    ['base', 'water', 'streets', 'labels', 'metro', 'trails', 'ghosts', 'players', 'top']
      .forEach(function (k) { layers[k] = el('g', { 'class': 'layer-' + k }, svg); });

    el('rect', { x: -M, y: -M, width: W + 2 * M, height: H + 2 * M, 'class': 'ground' }, layers.base);

    // blocks (one ring of outskirts blocks too, faded by the edge overlay)
    for (var bx = -1; bx <= GRID_W; bx++) {
      for (var by = -1; by <= GRID_H; by++) {
        var outside = bx < 0 || by < 0 || bx >= GRID_W || by >= GRID_H;
        var r = blockRect(bx, by);
        var park = !outside && parkAt(bx, by);
        var plaza = !outside && plazaAt(bx, by);
        if (park) continue;
        el('rect', { x: r.x, y: r.y, width: r.w, height: r.h, rx: 5,
          'class': plaza ? 'plaza' : 'block' }, layers.base);
        if (plaza) {
          el('circle', { cx: r.x + r.w / 2, cy: r.y + r.h / 2, r: 14, 'class': 'fountain' }, layers.base);
          el('circle', { cx: r.x + r.w / 2, cy: r.y + r.h / 2, r: 5, 'class': 'fountain-jet' }, layers.base);
        } else {
          buildings(r, bx, by);
        }
      }
    }
    PARKS.forEach(function (p) {
      var a = blockRect(p.x, p.y), b = blockRect(p.x + p.w - 1, p.y + p.h - 1);
      el('rect', { x: a.x, y: a.y, width: b.x + b.w - a.x, height: b.y + b.h - a.y, rx: 10,
        'class': 'park' }, layers.base);
      var rnd = rng(p.x * 7 + p.y * 13 + 5);
      var n = 9 * p.w * p.h;
      for (var i = 0; i < n; i++) {
        var tx = a.x + 10 + rnd() * (b.x + b.w - a.x - 20);
        var ty = a.y + 10 + rnd() * (b.y + b.h - a.y - 20);
        el('circle', { cx: tx.toFixed(1), cy: ty.toFixed(1), r: (4 + rnd() * 5).toFixed(1),
          'class': 'tree' }, layers.base);
      }
    });

    // river: bank, water, a lighter centre line; streets crossing it become bridges
    var riverD = scalePath(RIVER);
    el('path', { d: riverD, 'class': 'river-bank', 'stroke-width': RIVER_W + 12 }, layers.water);
    var water = el('path', { d: riverD, id: 'river', 'class': 'river', 'stroke-width': RIVER_W }, layers.water);
    el('path', { d: riverD, 'class': 'river-shine', 'stroke-width': 3 }, layers.water);

    // streets, avenues wider; they run on into the outskirts
    var i;
    for (i = 0; i <= GRID_W; i++) {
      el('line', { x1: i * B, y1: -M, x2: i * B, y2: H + M,
        'class': AVENUE_X[i] ? 'avenue' : 'street', 'stroke-width': streetWidth(true, i) }, layers.streets);
    }
    for (i = 0; i <= GRID_H; i++) {
      el('line', { x1: -M, y1: i * B, x2: W + M, y2: i * B,
        'class': AVENUE_Y[i] ? 'avenue' : 'street', 'stroke-width': streetWidth(false, i) }, layers.streets);
    }
    PARKS.forEach(function (p) {   // the streets inside a park are footpaths
      for (var k = 1; k < p.w; k++) {
        el('line', { x1: (p.x + k) * B, y1: p.y * B + 8, x2: (p.x + k) * B, y2: (p.y + p.h) * B - 8,
          'class': 'footpath' }, layers.streets);
      }
      for (var k2 = 1; k2 < p.h; k2++) {
        el('line', { x1: p.x * B + 8, y1: (p.y + k2) * B, x2: (p.x + p.w) * B - 8, y2: (p.y + k2) * B,
          'class': 'footpath' }, layers.streets);
      }
    });
    bridges(water);

    // edge fade over the outskirts
    el('rect', { x: -M, y: -M, width: W + 2 * M, height: M, fill: 'url(#fadeT)' }, layers.streets);
    el('rect', { x: -M, y: H, width: W + 2 * M, height: M, fill: 'url(#fadeB)' }, layers.streets);
    el('rect', { x: -M, y: -M, width: M, height: H + 2 * M, fill: 'url(#fadeL)' }, layers.streets);
    el('rect', { x: W, y: -M, width: M, height: H + 2 * M, fill: 'url(#fadeR)' }, layers.streets);
    // beyond the view box (visible when the board is letterboxed) only the plain ground
    var far = 4000;
    el('rect', { x: -M - far, y: -M - far, width: W + 2 * M + 2 * far, height: far, 'class': 'ground' }, layers.streets);
    el('rect', { x: -M - far, y: H + M, width: W + 2 * M + 2 * far, height: far, 'class': 'ground' }, layers.streets);
    el('rect', { x: -M - far, y: -M, width: far, height: H + 2 * M, 'class': 'ground' }, layers.streets);
    el('rect', { x: W + M, y: -M, width: far, height: H + 2 * M, 'class': 'ground' }, layers.streets);

    // underground lines (faint) and stations
    METRO_LINES.forEach(function (l) {
      el('polyline', { points: l.stops.map(function (s) { return s[0] * B + ',' + s[1] * B; }).join(' '),
        'class': 'metro-line', stroke: l.color }, layers.metro);
    });
    STATIONS.forEach(function (s) {
      var g = el('g', { transform: 'translate(' + s[0] * B + ' ' + s[1] * B + ')', 'class': 'station' }, layers.metro);
      el('rect', { x: -11, y: -11, width: 22, height: 22, rx: 6 }, g);
      var t = el('text', { x: 0, y: 0.5, 'dominant-baseline': 'central', 'text-anchor': 'middle' }, g);
      t.textContent = 'U';
    });

    // names: districts, park, river, streets
    DISTRICTS.forEach(function (d) {
      var t = el('text', { x: d.x * B, y: d.y * B, 'class': 'district', 'text-anchor': 'middle',
        'dominant-baseline': 'central' }, layers.labels);
      t.textContent = d.name;
    });
    PARKS.forEach(function (p) {
      var t = el('text', { x: (p.x + p.w / 2) * B, y: (p.y + p.h / 2) * B + (p.h > 1 ? 30 : 0),
        'class': 'park-name', 'text-anchor': 'middle', 'dominant-baseline': 'central' }, layers.labels);
      t.textContent = p.name;
    });
    PLAZAS.forEach(function (p) {
      var t = el('text', { x: (p.x + 0.5) * B, y: (p.y + 0.5) * B + 30, 'class': 'park-name',
        'text-anchor': 'middle', 'dominant-baseline': 'central' }, layers.labels);
      t.textContent = p.name;
    });
    var rt = el('text', { 'class': 'river-name', dy: '0.35em' }, layers.labels);
    var tp = el('textPath', { href: '#river', startOffset: '22%' }, rt);
    tp.textContent = RIVER_NAME;

    for (i = 0; i <= GRID_W; i++) {
      streetLabel(V_STREETS[i], i * B, (V_LABEL_AT[i] + 0.5) * B, true);
    }
    for (i = 0; i <= GRID_H; i++) {
      streetLabel(H_STREETS[i], (H_LABEL_AT[i] + 0.5) * B, i * B, false);
    }
  }

  function edgeGradient(defs, id, x1, y1, x2, y2) {
    var g = el('linearGradient', { id: id, x1: x1, y1: y1, x2: x2, y2: y2 }, defs);
    el('stop', { offset: '0', 'stop-color': '#0d121a', 'stop-opacity': '1' }, g);
    el('stop', { offset: '1', 'stop-color': '#0d121a', 'stop-opacity': '0' }, g);
  }
  function streetWidth(vertical, i) {
    return (vertical ? AVENUE_X[i] : AVENUE_Y[i]) ? 18 : 11;
  }
  function blockRect(bx, by) {
    var x0 = bx * B + streetWidth(true, bx) / 2 + 3;
    var x1 = (bx + 1) * B - streetWidth(true, bx + 1) / 2 - 3;
    var y0 = by * B + streetWidth(false, by) / 2 + 3;
    var y1 = (by + 1) * B - streetWidth(false, by + 1) / 2 - 3;
    return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }
  function parkAt(bx, by) {
    return PARKS.some(function (p) { return bx >= p.x && bx < p.x + p.w && by >= p.y && by < p.y + p.h; });
  }
  function plazaAt(bx, by) {
    return PLAZAS.some(function (p) { return p.x === bx && p.y === by; });
  }
  function rng(seed) {
    var s = (seed * 2654435761) >>> 0 || 1;
    return function () {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      return s / 4294967296;
    };
  }
  function buildings(r, bx, by) {
    // a few building footprints per block, split along the longer side
    var rnd = rng((bx + 3) * 97 + (by + 3) * 31);
    var parts = [{ x: r.x + 5, y: r.y + 5, w: r.w - 10, h: r.h - 10 }];
    var splits = 1 + Math.floor(rnd() * 3);
    for (var i = 0; i < splits; i++) {
      parts.sort(function (a, b) { return b.w * b.h - a.w * a.h; });
      var p = parts.shift();
      var f = 0.35 + rnd() * 0.3, gap = 5;
      if (p.w >= p.h) {
        var w1 = (p.w - gap) * f;
        parts.push({ x: p.x, y: p.y, w: w1, h: p.h }, { x: p.x + w1 + gap, y: p.y, w: p.w - w1 - gap, h: p.h });
      } else {
        var h1 = (p.h - gap) * f;
        parts.push({ x: p.x, y: p.y, w: p.w, h: h1 }, { x: p.x, y: p.y + h1 + gap, w: p.w, h: p.h - h1 - gap });
      }
    }
    parts.forEach(function (p) {
      var shade = rnd() < 0.3 ? 'building alt' : 'building';
      el('rect', { x: p.x.toFixed(1), y: p.y.toFixed(1), width: p.w.toFixed(1), height: p.h.toFixed(1),
        rx: 2, 'class': shade }, layers.base);
    });
  }
  function scalePath(d) {
    return d.replace(/-?[0-9.]+/g, function (n) { return String(Math.round(parseFloat(n) * B * 10) / 10); });
  }
  function bridges(path) {
    var len = path.getTotalLength(), step = 2, pts = [];
    for (var s = 0; s <= len; s += step) pts.push(path.getPointAtLength(s));
    var W = GRID_W * B, H = GRID_H * B, M = MARGIN;
    function deck(cx, cy, angle, vertical, i) {
      var sw = streetWidth(vertical, i);
      var sin = Math.abs(Math.sin(angle));
      var l = Math.min((RIVER_W + 16) / Math.max(sin, 0.3), 2.4 * RIVER_W);
      var g = el('g', { transform: 'translate(' + cx.toFixed(1) + ' ' + cy.toFixed(1) + ')' + (vertical ? ' rotate(90)' : ''),
        'class': 'bridge' }, layers.streets);
      el('rect', { x: -l / 2, y: -sw / 2 - 2, width: l, height: sw + 4, 'class': 'bridge-deck' }, g);
      el('line', { x1: -l / 2, y1: -sw / 2 - 2, x2: l / 2, y2: -sw / 2 - 2, 'class': 'bridge-rail' }, g);
      el('line', { x1: -l / 2, y1: sw / 2 + 2, x2: l / 2, y2: sw / 2 + 2, 'class': 'bridge-rail' }, g);
    }
    for (var k = 1; k < pts.length; k++) {
      var a = pts[k - 1], b = pts[k];
      var ang = Math.atan2(b.y - a.y, b.x - a.x);
      for (var i = 0; i <= GRID_W; i++) {
        var X = i * B;
        if ((a.x - X) * (b.x - X) < 0 || (a.x !== b.x && b.x === X)) {
          var y = a.y + (b.y - a.y) * (X - a.x) / (b.x - a.x);
          if (y > -M && y < H + M) deck(X, y, Math.PI / 2 - ang, true, i);
        }
      }
      for (var j = 0; j <= GRID_H; j++) {
        var Y = j * B;
        if ((a.y - Y) * (b.y - Y) < 0 || (a.y !== b.y && b.y === Y)) {
          var x = a.x + (b.x - a.x) * (Y - a.y) / (b.y - a.y);
          if (x > -M && x < W + M) deck(x, Y, ang, false, j);
        }
      }
    }
  }
  function streetLabel(text, x, y, vertical) {
    var t = el('text', { x: 0, y: 0, 'class': 'street-name', 'text-anchor': 'middle',
      'dominant-baseline': 'central',
      transform: 'translate(' + x + ' ' + y + ')' + (vertical ? ' rotate(-90)' : '') }, layers.labels);
    t.textContent = text;
    safe(function () {   // never wider than the block it names, whatever the font
      var room = B - 24;
      if (t.getComputedTextLength() > room) {
        t.setAttribute('textLength', room);
        t.setAttribute('lengthAdjust', 'spacingAndGlyphs');
      }
    });
  }

  // ------------------------------------------------------------------ players
  function colourFor() {
    var used = new Set();
    S.players.forEach(function (p) { used.add(p.color); });
    for (var i = 0; i < PALETTE.length; i++) if (!used.has(PALETTE[i])) return PALETTE[i];
    for (var k = 0; k < 64; k++) {
      var c = 'hsl(' + Math.round((k * 137.508 + 20) % 360) + ',70%,' + (58 + (k % 3) * 8) + '%)';
      if (!used.has(c)) return c;
    }
    return '#cccccc';
  }

  function getPlayer(nick, create) {
    var p = S.players.get(nick);
    if (p || !create) return p || null;
    if (S.players.size >= MAX_PLAYERS) {
      // make room by dropping the longest-waiting occupant who never moved
      var idle = null;
      S.players.forEach(function (q) { if (!q.hasPos && q.moves === 0 && q.role !== 'misterx' && (!idle || q.order < idle.order)) idle = q; });
      if (!idle || create !== 'mover') { S.dropped.add(nick); renderChrome(); return null; }
      removePlayer(idle.nick, true);
      S.dropped.add(idle.nick);
    }
    S.dropped.delete(nick);
    p = {
      nick: nick, name: shortName(nick, 22), role: 'detective', color: colourFor(),
      initials: initials(nick), order: S.order++, present: false,
      hasPos: false, x: 0, y: 0, px: 0, py: 0, ox: 0, oy: 0, otx: 0, oty: 0,
      anim: null, last: 0, ticket: '', moves: 0, g: null, li: null, pulse: null, labelSide: ''
    };
    S.players.set(nick, p);
    renderRosterSoon();
    return p;
  }

  function removePlayer(nick, quiet) {
    var p = S.players.get(nick);
    if (!p) return;
    S.players.delete(nick);
    if (p.g) {
      fadeOut(p.g, 0, 600);
    }
    if (p.trail) fadeOut(p.trail, 0, 600);
    if (S.xNick === nick) {
      S.xNick = '';
      S.xLive = false;
      removeGhost();
    }
    layoutStacks();
    if (!quiet) renderRosterSoon();
  }

  function markerFor(p) {
    if (p.g) return p.g;
    var g = el('g', { 'class': 'player' }, layers.players);
    el('circle', { r: 30, 'class': 'halo' }, g);
    var pulse = el('circle', { r: 22, opacity: 0, 'class': 'pulse' }, g);
    var ring = el('circle', { r: 21, 'class': 'ring' }, g);
    var dot = el('circle', { r: 18, 'class': 'dot' }, g);
    var ini = el('text', { 'class': 'initials', 'text-anchor': 'middle', 'dominant-baseline': 'central', y: 1 }, g);
    var name = el('text', { 'class': 'name', 'text-anchor': 'middle', y: 40 }, g);
    p.g = g; p.gPulse = pulse; p.gRing = ring; p.gDot = dot; p.gIni = ini; p.gName = name;
    g.setAttribute('transform', 'translate(' + p.px + ' ' + p.py + ')');
    if (p.role === 'misterx' && !(S.xLive && S.xNick === p.nick)) g.classList.add('hidden');
    styleMarker(p);
    return g;
  }
  function styleMarker(p) {
    if (!p.g) return;
    var x = p.role === 'misterx';
    p.g.classList.toggle('misterx', x);
    p.gDot.setAttribute('fill', x ? '#0d1117' : p.color);
    p.gRing.setAttribute('stroke', x ? '#f4f6f8' : p.color);
    p.gPulse.setAttribute('stroke', x ? '#ff5c7a' : p.color);
    p.gIni.textContent = x ? 'X' : p.initials;
    p.gName.textContent = x && !isXName(p.nick) ? p.name + ' \u00b7 Mister X' : p.name;
  }

  // route along the streets from the current (animated) point to intersection (x, y)
  function route(p, x, y) {
    var sx = p.px, sy = p.py, tx = x * B, ty = y * B;
    var pts = [[sx, sy]];
    var onVertical = Math.abs(sx / B - Math.round(sx / B)) < 1e-6;
    var onHorizontal = Math.abs(sy / B - Math.round(sy / B)) < 1e-6;
    if (onHorizontal && !(onVertical && sx === tx)) {
      if (sx !== tx) pts.push([tx, sy]);
      if (sy !== ty) pts.push([tx, ty]);
    } else {
      if (sy !== ty) pts.push([sx, ty]);
      if (sx !== tx) pts.push([tx, ty]);
    }
    if (pts.length === 1) pts.push([tx, ty]);
    // a point not on the grid (cannot happen, but never draw through blocks)
    if (!onVertical && !onHorizontal) pts = [[sx, sy], [tx, ty]];
    var lens = [0];
    for (var i = 1; i < pts.length; i++) {
      lens.push(lens[i - 1] + Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]));
    }
    return { pts: pts, lens: lens, total: lens[lens.length - 1] };
  }

  function movePlayer(p, x, y, ticket, instant) {
    var first = !p.hasPos;
    p.hasPos = true;
    p.x = x; p.y = y;
    if (first || instant) {
      p.anim = null;
      p.px = x * B; p.py = y * B;
      markerFor(p).setAttribute('transform', 'translate(' + p.px + ' ' + p.py + ')');
      if (first && !instant) startPulse(p, 1400, 2.2, 1);
    } else if (ticket === 'underground') {
      markerFor(p);
      startJump(p, x, y);
    } else {
      markerFor(p);
      var r = route(p, x, y);
      if (r.total > 0.5) {
        var dur = Math.max(450, Math.min(2600, r.total / B * 330 + 250));
        p.anim = { type: 'walk', r: r, t0: performance.now(), dur: dur };
        trailFor(p, r);
      }
    }
    layoutStacks();
    kick();
  }
  function startJump(p, x, y) {
    var fx = p.px, fy = p.py, tx = x * B, ty = y * B;
    if (fx === tx && fy === ty) return;
    p.anim = { type: 'jump', fx: fx, fy: fy, tx: tx, ty: ty, t0: performance.now(), dur: 1300 };
    if (p.trail && p.trail.parentNode) p.trail.parentNode.removeChild(p.trail);
    var mx = (fx + tx) / 2, my = (fy + ty) / 2 - Math.hypot(tx - fx, ty - fy) * 0.25;
    p.trail = el('path', { d: 'M' + fx + ' ' + fy + ' Q' + mx + ' ' + my + ' ' + tx + ' ' + ty,
      'class': 'trail jump', stroke: p.role === 'misterx' ? '#ff5c7a' : p.color }, layers.trails);
    fadeOut(p.trail, 2600, 4000);
  }
  function trailFor(p, r) {
    if (p.trail && p.trail.parentNode) p.trail.parentNode.removeChild(p.trail);
    var d = r.pts.map(function (q, i) { return (i ? 'L' : 'M') + q[0].toFixed(1) + ' ' + q[1].toFixed(1); }).join(' ');
    p.trail = el('path', { d: d, 'class': 'trail', stroke: p.color,
      'stroke-dasharray': r.total.toFixed(1), 'stroke-dashoffset': r.total.toFixed(1) }, layers.trails);
    p.trailLen = r.total;
  }
  // fades run in the frame loop (not as CSS transitions) and remove the element at the end
  var fades = [];
  function fadeOut(node, delay, dur) {
    if (!node || node.__fading) return;
    node.__fading = true;
    var from = parseFloat(getComputedStyle(node).opacity);
    fades.push({ node: node, t0: performance.now() + delay, dur: dur, from: isFinite(from) ? from : 1 });
    kick();
    // without animation frames (a hidden page) the element still goes, on time
    setTimeout(function () { if (node.parentNode) node.parentNode.removeChild(node); }, delay + dur + 200);
  }
  function stepFades(tnow) {
    for (var i = fades.length - 1; i >= 0; i--) {
      var f = fades[i], t = (tnow - f.t0) / f.dur;
      if (t < 0) continue;
      if (t >= 1 || !f.node.parentNode) {
        if (f.node.parentNode) f.node.parentNode.removeChild(f.node);
        fades.splice(i, 1);
      } else {
        f.node.style.opacity = (f.from * (1 - t)).toFixed(3);
      }
    }
    return fades.length > 0;
  }

  function ease(t) { return t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2; }

  function stepAnim(p, tnow) {
    var a = p.anim;
    if (!a) return false;
    var t = Math.min(1, (tnow - a.t0) / a.dur);
    if (a.type === 'walk') {
      var d = ease(t) * a.r.total, pts = a.r.pts, lens = a.r.lens, i = 1;
      while (i < lens.length - 1 && lens[i] < d) i++;
      var seg = lens[i] - lens[i - 1] || 1, f = Math.max(0, Math.min(1, (d - lens[i - 1]) / seg));
      p.px = pts[i - 1][0] + (pts[i][0] - pts[i - 1][0]) * f;
      p.py = pts[i - 1][1] + (pts[i][1] - pts[i - 1][1]) * f;
      if (p.trail) p.trail.setAttribute('stroke-dashoffset', (a.r.total - d).toFixed(1));
      p.g.style.opacity = '';
    } else {
      var o;
      if (t < 0.35) { o = 1 - t / 0.35; p.px = a.fx; p.py = a.fy; }
      else if (t < 0.65) { o = 0; p.px = a.tx; p.py = a.ty; }
      else { o = (t - 0.65) / 0.35; p.px = a.tx; p.py = a.ty; }
      p.g.style.opacity = o.toFixed(3);
    }
    if (t >= 1) {
      p.anim = null;
      p.g.style.opacity = '';
      p.px = p.x * B; p.py = p.y * B;
      if (p.trail && a.type === 'walk') {
        p.trail.setAttribute('stroke-dashoffset', '0');
        fadeOut(p.trail, 900, 4000);
      }
      arrive(p);
      return false;
    }
    return true;
  }
  function arrive(p) { startPulse(p, 1100, 2.2, 1); }

  // a ring that grows and fades around a marker: on arrival, and three times at a reveal
  // (driven by the frame loop, not CSS, so it behaves the same everywhere)
  function startPulse(p, dur, scale, times) {
    if (!p.g) return;
    p.pulse = { t0: performance.now(), dur: dur, scale: scale, times: times };
    kick();
  }
  function stepPulse(p, tnow) {
    var u = p.pulse;
    if (!u) return false;
    var t = (tnow - u.t0) / u.dur;
    if (t >= u.times) {
      p.pulse = null;
      p.gPulse.setAttribute('opacity', '0');
      return false;
    }
    var f = t - Math.floor(t), e = 1 - Math.pow(1 - f, 3);
    p.gPulse.setAttribute('r', (22 * (0.9 + (u.scale - 0.9) * e)).toFixed(1));
    p.gPulse.setAttribute('opacity', (0.9 * (1 - f)).toFixed(3));
    return true;
  }

  // players on one intersection sit on a small circle around it
  function layoutStacks() {
    var groups = new Map();
    S.players.forEach(function (p) {
      if (!p.hasPos || (p.role === 'misterx' && !(S.xLive && S.xNick === p.nick))) return;
      var k = p.x + ',' + p.y;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(p);
    });
    groups.forEach(function (list) {
      list.sort(function (a, b) { return a.order - b.order; });
      var n = list.length, rad = n > 1 ? 18 + 3 * Math.min(n, 8) : 0;
      list.forEach(function (p, i) {
        // two side by side, more on a ring; each name on the outer side of its marker
        var ang = Math.PI + 2 * Math.PI * i / n;
        var cx = Math.cos(ang), cy = Math.sin(ang);
        p.otx = n > 1 ? cx * rad : 0;
        p.oty = n > 1 ? cy * rad : 0;
        placeLabel(p, n < 2 ? 'below' : cx < -0.3 ? 'left' : cx > 0.3 ? 'right' : cy < 0 ? 'above' : 'below');
      });
    });
    kick();
  }

  function placeLabel(p, side) {
    if (!p.gName || p.labelSide === side) return;
    p.labelSide = side;
    var a = { below: [0, 40, 'middle'], above: [0, -30, 'middle'], left: [-28, 6, 'end'], right: [28, 6, 'start'] }[side];
    p.gName.setAttribute('x', a[0]);
    p.gName.setAttribute('y', a[1]);
    p.gName.setAttribute('text-anchor', a[2]);
  }

  var framePending = false, lastFrame = 0;
  function kick() {
    if (framePending) return;
    framePending = true;
    requestAnimationFrame(frame);
  }
  function frame(tnow) {
    framePending = false;
    var busy = false;
    var dt = lastFrame ? Math.max(0, tnow - lastFrame) : 16;
    lastFrame = tnow;
    var k = 1 - Math.exp(-dt / 110);   // offsets settle in about half a second
    S.players.forEach(function (p) {
      if (!p.g || !p.hasPos) return;
      if (stepAnim(p, tnow)) busy = true;
      if (stepPulse(p, tnow)) busy = true;
      p.ox += (p.otx - p.ox) * k; p.oy += (p.oty - p.oy) * k;
      if (Math.abs(p.otx - p.ox) > 0.2 || Math.abs(p.oty - p.oy) > 0.2) busy = true;
      else { p.ox = p.otx; p.oy = p.oty; }
      p.g.setAttribute('transform', 'translate(' + (p.px + p.ox).toFixed(1) + ' ' + (p.py + p.oy).toFixed(1) + ')');
      var hidden = p.role === 'misterx' && !(S.xLive && S.xNick === p.nick);
      p.g.classList.toggle('hidden', hidden);
    });
    if (stepFades(tnow)) busy = true;
    if (busy) kick(); else lastFrame = 0;
  }

  // Mister X's last known position after he went under again
  var ghost = null;
  function showGhost() {
    removeGhost();
    if (!S.xSeen) return;
    ghost = el('g', { 'class': 'ghost', transform: 'translate(' + S.xSeen.x * B + ' ' + S.xSeen.y * B + ')' }, layers.ghosts);
    el('circle', { r: 22, 'class': 'ghost-ring' }, ghost);
    var t = el('text', { 'class': 'ghost-x', 'text-anchor': 'middle', 'dominant-baseline': 'central', y: 1 }, ghost);
    t.textContent = 'X';
    var l = el('text', { 'class': 'ghost-label', 'text-anchor': 'middle', y: -32 }, ghost);
    l.textContent = S.xSeen.round ? 'last seen \u00b7 round ' + S.xSeen.round : 'last seen ' + clock(S.xSeen.t);
  }
  function removeGhost() {
    if (ghost && ghost.parentNode) ghost.parentNode.removeChild(ghost);
    ghost = null;
  }

  // ------------------------------------------------------------------ stanzas
  function parseStanza(xml) {
    if (typeof xml !== 'string' || xml.length === 0 || xml.length > MAX_STANZA) return null;
    var doc = new DOMParser().parseFromString(xml, 'application/xml');
    if (!doc || !doc.documentElement || doc.getElementsByTagName('parsererror').length) return null;
    var root = doc.documentElement, stamp = 0;
    if (root.localName === 'forwarded' && root.namespaceURI === NS_FORWARD) {
      var d = firstChild(root, 'delay', NS_DELAY);
      if (d) stamp = parseStamp(d.getAttribute('stamp'));
      var inner = null;
      for (var c = root.firstElementChild; c; c = c.nextElementSibling) {
        if (c.localName === 'message' || c.localName === 'presence') { inner = c; break; }
      }
      if (!inner) return null;
      root = inner;
    }
    var ns = root.namespaceURI;
    if (ns && ns !== 'jabber:client' && ns !== 'jabber:server') return null;
    if (root.localName !== 'message' && root.localName !== 'presence') return null;
    var own = firstChild(root, 'delay', NS_DELAY);
    if (own) stamp = parseStamp(own.getAttribute('stamp')) || stamp;
    return { el: root, stamp: stamp };
  }
  function parseStamp(s) {
    if (typeof s !== 'string' || s.length > 64) return 0;
    var t = Date.parse(s);
    if (!isFinite(t)) return 0;
    return Math.min(t, now());
  }

  // mode: 'live' (animate) or 'replay' (transferred log, history: no animation)
  function ingest(xml, mode) {
    if (!S.ready) {
      if (queue.length < MAX_QUEUE) queue.push([xml, mode]);
      return;
    }
    safe(function () {
      var st = parseStanza(xml);
      if (!st || !S.room) return;
      var from = splitJid(st.el.getAttribute('from'));
      if (!from || from.bare !== S.room) return;          // only our game room
      var replay = mode === 'replay' || st.stamp > 0;
      if (st.el.localName === 'presence') onPresence(st.el, from.res, replay);
      else onMessage(st.el, from.res, replay, st.stamp || now(), mode);
    });
  }

  function onPresence(pr, nick, replay) {
    if (!nick) return;
    nick = cleanNick(nick);
    if (!nick) return;
    var type = pr.getAttribute('type') || '';
    var x = firstChild(pr, 'x', NS_MUC_USER);
    var codes = new Set();
    var item = null;
    if (x) {
      for (var c = x.firstElementChild; c; c = c.nextElementSibling) {
        if (c.localName === 'status') codes.add(c.getAttribute('code'));
        if (c.localName === 'item' && !item) item = c;
      }
    }
    var self = codes.has('110') || nick === S.nick;
    if (type === 'error') {
      if (nick !== S.nick) return;
      var err = firstChild(pr, 'error');
      var cond = 'error';
      if (err) {
        for (var e = err.firstElementChild; e; e = e.nextElementSibling) {
          if (e.namespaceURI === NS_STANZAS && e.localName !== 'text') { cond = e.localName; break; }
        }
      }
      if (cond === 'conflict' && S.joinTries < 3) { join(); return; }
      note('Not watching the room as a spectator (' + cond.replace(/-/g, ' ') + ')');
      return;
    }
    if (type === 'unavailable') {
      if (codes.has('303') && item && item.getAttribute('nick')) {   // nick change
        var to = cleanNick(item.getAttribute('nick'));
        if (self) { S.nick = to; return; }
        renamePlayer(nick, to);
        return;
      }
      if (self) {
        if (!replay && S.joined) { S.joined = false; note('Left the game room'); }
        return;
      }
      S.dropped.delete(nick);
      removePlayer(nick);
      return;
    }
    if (type) return;   // subscribe etc.: not for us
    if (self) {
      if (!replay && !S.joined) { S.joined = true; clearNote(); }
      var mine = S.players.get(nick);
      if (mine && mine.moves === 0) removePlayer(nick);
      return;
    }
    var p = getPlayer(nick, true);
    if (p) { p.present = true; renderRosterSoon(); }
  }

  function renamePlayer(from, to) {
    var p = S.players.get(from);
    if (!p || !to || S.players.has(to)) return;
    S.players.delete(from);
    p.nick = to; p.name = shortName(to, 22); p.initials = initials(to);
    S.players.set(to, p);
    if (S.xNick === from) S.xNick = to;
    if (p.li) { p.li.remove(); p.li = null; }
    styleMarker(p);
    renderRosterSoon();
  }

  function onMessage(msg, nick, replay, t, mode) {
    if (msg.getAttribute('type') !== 'groupchat') return;
    for (var c = msg.firstElementChild; c; c = c.nextElementSibling) {
      if (c.namespaceURI !== NS) continue;
      if (c.localName === 'move' && nick) { onMove(c, cleanNick(nick), replay, t, mode); break; }
      if (c.localName === 'game') { onGame(c); break; }
    }
  }

  function onMove(mv, nick, replay, t, mode) {
    if (!nick) return;
    var role = mv.getAttribute('role');
    if (role !== 'misterx' && role !== 'detective') role = null;
    var ticket = mv.getAttribute('ticket');
    if (!Object.prototype.hasOwnProperty.call(TICKETS, ticket)) ticket = '';
    var reveal = mv.getAttribute('reveal') === 'true' || mv.getAttribute('reveal') === '1';
    var x = gridInt(mv.getAttribute('x'), GRID_W);
    var y = gridInt(mv.getAttribute('y'), GRID_H);
    var round = posInt(mv.getAttribute('round'), 9999);
    var known = S.players.get(nick);
    if (!role) role = known ? known.role : 'detective';
    var hasXY = x !== null && y !== null;
    if (role === 'misterx') {
      if (reveal && !hasXY) return;                          // a reveal without a place
      if (!reveal && (mv.hasAttribute('x') || mv.hasAttribute('y')) && !hasXY) return;
    } else if (!hasXY) {
      return;                                                // outside the grid or missing
    }
    // history after we joined: players who have left since are not brought back
    if (!known && replay && mode === 'live' && S.joined) return;
    var p = getPlayer(nick, 'mover');
    if (!p) return;
    var roleChanged = p.role !== role;
    p.role = role;
    p.moves++;
    p.last = t;
    p.ticket = ticket;
    if (round !== null) { S.usesRounds = true; if (round > S.round) S.round = round; }
    if (role === 'misterx') {
      if (S.xNick && S.xNick !== nick) {
        var old = S.players.get(S.xNick);
        if (old && old.g) old.g.classList.add('hidden');
      }
      S.xNick = nick;
      var r = round !== null ? round : (S.xlog.length ? (S.xlog[S.xlog.length - 1].round || S.xlog.length) + 1 : 1);
      if (round === null && !S.usesRounds) S.round = Math.max(S.round, r);
      var entry = { round: r, ticket: ticket, reveal: reveal, x: reveal ? x : null, y: reveal ? y : null, t: t };
      var prev = S.xlog.length ? S.xlog[S.xlog.length - 1] : null;
      if (prev && round !== null && prev.round === round) {
        // the same round again (a stanza seen twice, or his capture shown after his move)
        entry.ticket = ticket || prev.ticket;
        S.xlog[S.xlog.length - 1] = entry;
      } else {
        S.xlog.push(entry);
      }
      if (S.xlog.length > 200) S.xlog.splice(0, S.xlog.length - 200);
      markerFor(p);
      styleMarker(p);
      if (reveal) {
        S.xLive = true;
        S.xSeen = { x: x, y: y, round: round !== null ? round : r, t: t };
        removeGhost();
        p.anim = null;
        p.hasPos = true; p.x = x; p.y = y; p.px = x * B; p.py = y * B;
        p.g.setAttribute('transform', 'translate(' + p.px + ' ' + p.py + ')');
        p.g.classList.remove('hidden');
        if (!replay) startPulse(p, 1800, 3.2, 3);
        layoutStacks();
      } else {
        S.xLive = false;
        showGhost();
        layoutStacks();
      }
      kick();
    } else {
      if (roleChanged) styleMarker(p);
      if (S.xNick === nick) { S.xNick = ''; S.xLive = false; removeGhost(); }
      movePlayer(p, x, y, ticket, replay);
    }
    if (!replay) flashRow(p);
    addFeed(p, role, ticket, reveal, x, y, t);
    renderRosterSoon();
  }

  function addFeed(p, role, ticket, reveal, x, y, t) {
    var text;
    if (role === 'misterx') text = reveal ? 'at ' + shortCorner(x, y) : 'unseen';
    else text = (p.moves === 1 && !ticket ? 'at ' : '\u2192 ') + shortCorner(x, y);
    S.feed.push({ t: t, nick: p.nick, name: p.name, role: role, color: p.color, ticket: ticket, text: text });
    if (S.feed.length > 40) S.feed.splice(0, S.feed.length - 40);
  }
  function renderFeed() {
    var ol = $('feed');
    var items = S.feed.slice(-14).reverse();
    while (ol.children.length < items.length) {
      var li = document.createElement('li');
      li.innerHTML = '<span class="fdot"></span><span class="ftext"><b class="fwho"></b> <span class="fwhat"></span></span>' +
        '<span class="ftk"></span><span class="ftime"></span>';
      ol.appendChild(li);
    }
    while (ol.children.length > items.length) ol.removeChild(ol.lastChild);
    items.forEach(function (e, i) {
      var li = ol.children[i], x = e.role === 'misterx';
      li.className = x ? 'misterx' : '';
      var dot = li.querySelector('.fdot');
      dot.style.background = x ? '#0d1117' : e.color;
      dot.style.borderColor = x ? '#f4f6f8' : e.color;
      li.querySelector('.fwho').textContent = x ? 'Mister X' : e.name;
      li.querySelector('.fwhat').textContent = e.text;
      var tk = li.querySelector('.ftk');
      tk.className = 'ftk' + (e.ticket ? ' ticket-' + e.ticket : '');
      tk.title = e.ticket ? TICKETS[e.ticket].label : '';
      li.querySelector('.ftime').textContent = clock(e.t).slice(0, 5);
    });
    $('feedcard').hidden = items.length === 0 || S.players.size > 12;
  }

  function onGame(g) {
    var state = g.getAttribute('state');
    if (state !== 'waiting' && state !== 'running' && state !== 'over') state = S.gameState || 'running';
    var round = posInt(g.getAttribute('round'), 9999);
    var rounds = posInt(g.getAttribute('rounds'), 9999);
    var reveals = g.getAttribute('reveals');
    var lastX = S.xlog.length ? S.xlog[S.xlog.length - 1].round : 0;
    if ((S.gameState === 'over' && state !== 'over') || (state === 'running' && round === 1 && lastX > 1)) {  // a new game
      S.xlog = []; S.xSeen = null; S.xLive = false; S.round = 0; S.winner = '';
      removeGhost();
      layoutStacks();
    }
    S.gameState = state;
    if (round !== null) { S.round = round; S.usesRounds = true; }
    if (rounds !== null && rounds > 0) S.rounds = Math.min(rounds, 99);
    if (typeof reveals === 'string') {
      var list = reveals.split(/[\s,]+/).map(function (v) { return posInt(v, 9999); })
        .filter(function (v) { return v !== null && v > 0; }).slice(0, 64);
      S.reveals = list.sort(function (a, b) { return a - b; });
    }
    if (state === 'over') {
      var w = g.getAttribute('winner');
      S.winner = w === 'detectives' || w === 'misterx' ? w : '';
    }
    renderRosterSoon();
  }

  // ------------------------------------------------------------------ side panel & header
  var rosterPending = false;
  function renderRosterSoon() {
    if (rosterPending) return;
    rosterPending = true;
    setTimeout(function () { rosterPending = false; safe(renderChrome); }, 0);
  }

  function renderChrome() {
    var list = $('roster');
    var players = Array.from(S.players.values()).sort(function (a, b) {
      var ax = a.role === 'misterx' ? 0 : 1, bx = b.role === 'misterx' ? 0 : 1;
      if (ax !== bx) return ax - bx;
      var am = a.moves ? 0 : 1, bm = b.moves ? 0 : 1;
      return am - bm || a.order - b.order;
    });
    var n = players.length;
    svg.classList.toggle('crowded', n > 14);
    list.className = n > 20 ? 'roster dense2' : n > 9 ? 'roster dense' : 'roster';
    players.forEach(function (p, i) {
      if (!p.li) p.li = rosterRow();
      updateRow(p);
      if (list.children[i] !== p.li) list.insertBefore(p.li, list.children[i] || null);
    });
    while (list.children.length > n) list.removeChild(list.lastChild);
    var movers = players.filter(function (p) { return p.moves > 0; }).length;
    $('count').textContent = n ? String(n) : '';
    var more = $('more');
    more.textContent = S.dropped.size ? '+' + S.dropped.size + ' more in the room, not shown' : '';
    $('empty').hidden = movers > 0 || S.gameState === 'over';
    $('waiting-room').textContent = S.roomShown || 'the game room';

    // header: round, reveals
    var roundEl = $('round');
    if (S.round > 0) {
      roundEl.hidden = false;
      roundEl.textContent = 'Round ' + S.round + (S.rounds ? ' / ' + S.rounds : '');
    } else roundEl.hidden = true;
    var rev = $('reveal');
    var reveals = S.reveals || (S.usesRounds ? DEFAULT_REVEALS : null);
    var lastX = S.xlog.length ? S.xlog[S.xlog.length - 1].round : 0;
    if (reveals && S.gameState !== 'over' && S.xNick) {
      var next = reveals.filter(function (r) { return r > lastX; })[0];
      rev.hidden = false;
      rev.textContent = next === undefined ? 'No more reveals'
        : next === lastX + 1 ? 'Mister X surfaces next move' : 'Mister X surfaces in round ' + next;
      rev.classList.toggle('soon', next === lastX + 1);
    } else rev.hidden = true;

    // banner at the end of a game
    var banner = $('banner');
    if (S.gameState === 'over') {
      banner.hidden = false;
      $('banner-title').textContent = S.winner === 'detectives' ? 'Mister X is caught'
        : S.winner === 'misterx' ? 'Mister X got away' : 'Game over';
      $('banner-sub').textContent = S.winner === 'detectives' ? 'The detectives win'
        : S.winner === 'misterx' ? 'Mister X wins' : '';
    } else banner.hidden = true;

    renderXPanel(reveals);
    renderFeed();
    saveSoon();
  }

  // The board's state is kept in sessionStorage (this session's own, wiped with it), so
  // that a reloaded or restarted page (info.restart) comes back as it was.
  var STORE_KEY = 'xhunt:snapshot';
  var saveTimer = 0;
  function saveSoon() {
    if (saveTimer || S.simulated || !S.room) return;
    saveTimer = setTimeout(function () {
      saveTimer = 0;
      safe(function () { sessionStorage.setItem(STORE_KEY, snapshot().files['xhunt.json']); });
    }, 1500);
  }
  function loadSaved() {
    var b64 = safe(function () { return sessionStorage.getItem(STORE_KEY); });
    return typeof b64 === 'string' ? decodeSnapshot(b64) : null;
  }

  function rosterRow() {
    var li = document.createElement('li');
    li.innerHTML = '<span class="swatch"><span class="ini"></span></span>' +
      '<span class="who"><span class="pname"></span><span class="meta"><span class="tk"></span><span class="when"></span></span></span>';
    return li;
  }
  function updateRow(p) {
    var li = p.li, x = p.role === 'misterx';
    li.classList.toggle('misterx', x);
    li.classList.toggle('idle', p.moves === 0);
    var sw = li.querySelector('.swatch');
    sw.style.background = x ? '#0d1117' : p.color;
    sw.style.borderColor = x ? '#f4f6f8' : p.color;
    li.querySelector('.ini').textContent = x ? 'X' : p.initials;
    li.querySelector('.pname').textContent = p.name;
    li.querySelector('.pname').title = p.nick;
    var tk = li.querySelector('.tk');
    if (p.ticket) {
      tk.hidden = false;
      tk.textContent = TICKETS[p.ticket].label;
      tk.className = 'tk ticket-' + p.ticket;
    } else tk.hidden = true;
    li.querySelector('.when').textContent = p.moves ? clock(p.last) : (x ? 'hiding' : 'in the room');
  }
  // the row of whoever moved last is lit for a moment (a timer, not a CSS animation, so
  // that it also ends in screenshots taken on virtual time)
  var lastMover = null;
  function flashRow(p) {
    renderRosterSoon();
    if (lastMover && lastMover !== p && lastMover.li) lastMover.li.classList.remove('flash');
    lastMover = p;
    p.flashUntil = now() + 2200;
    setTimeout(function () { if (p.li && lastMover === p) p.li.classList.add('flash'); }, 0);
    setTimeout(function () { if (p.li && now() >= p.flashUntil) p.li.classList.remove('flash'); }, 2300);
  }

  function renderXPanel(reveals) {
    var panel = $('xpanel');
    var xp = S.xNick ? S.players.get(S.xNick) : null;
    $('xname').textContent = xp && !isXName(xp.nick) ? xp.name : '';
    var track = $('xtrack');
    var slots = Math.min(S.rounds || 24, 24);
    var log = S.xlog;
    var first = 1;
    var lastRound = log.length ? log[log.length - 1].round : 0;
    if (lastRound > slots) first = lastRound - slots + 1;
    var byRound = new Map();
    log.forEach(function (e) { byRound.set(e.round, e); });
    var want = slots;
    while (track.children.length < want) {
      var s = document.createElement('span');
      s.className = 'slot';
      track.appendChild(s);
    }
    while (track.children.length > want) track.removeChild(track.lastChild);
    var rv = new Set(reveals || []);
    for (var i = 0; i < want; i++) {
      var r = first + i, e = byRound.get(r), s2 = track.children[i];
      s2.className = 'slot' + (rv.has(r) ? ' reveal-round' : '') + (e ? ' used ticket-' + (e.ticket || 'none') : '') +
        (e && e.reveal ? ' revealed' : '') + (r === lastRound && e ? ' current' : '');
      s2.textContent = String(r);
      s2.title = e ? (e.ticket ? TICKETS[e.ticket].label : 'move') : '';
    }
    var seen = $('xseen');
    if (!xp && !log.length) {
      seen.textContent = 'Not in play yet';
    } else if (S.xSeen) {
      seen.innerHTML = '';
      var a = document.createElement('span');
      a.className = S.xLive ? 'seen live' : 'seen';
      a.textContent = S.xLive ? 'Seen now' : 'Last seen' + (S.xSeen.round ? ' in round ' + S.xSeen.round : ' ' + clock(S.xSeen.t));
      var b = document.createElement('strong');
      b.textContent = corner(S.xSeen.x, S.xSeen.y);
      seen.appendChild(a);
      seen.appendChild(b);
    } else {
      seen.textContent = 'Hiding \u2014 not seen yet';
    }
    panel.classList.toggle('live', S.xLive);
  }

  // small, unobtrusive notes (a refused spectator presence, a missing room)
  var noteTimer = 0;
  function note(text) {
    var n = $('note');
    n.textContent = text;
    n.hidden = false;
    n.classList.remove('quiet');
    clearTimeout(noteTimer);
    noteTimer = setTimeout(function () { n.classList.add('quiet'); }, 8000);
  }
  function clearNote() {
    var n = $('note');
    n.hidden = true;
    n.textContent = '';
  }

  // ------------------------------------------------------------------ kiosk glue
  function join() {
    if (!send || !S.room) return;
    S.joinTries++;
    if (S.joinTries > 1) S.nick = S.baseNick + ' ' + S.joinTries;
    var xml = "<presence to='" + xmlEscape(S.room + '/' + S.nick) + "'>" +
      "<x xmlns='" + NS_MUC + "'><history maxstanzas='100'/></x></presence>";
    var p;
    try { p = send(xml); } catch (e) { note('Not watching the room as a spectator (' + reason(e) + ')'); return; }
    if (p && typeof p.then === 'function') {
      p.then(null, function (e) { note('Not watching the room as a spectator (' + reason(e) + ')'); });
    }
  }
  function leave() {
    if (!send || !S.room || !S.joined) return;
    safe(function () {
      var p = send("<presence type='unavailable' to='" + xmlEscape(S.room + '/' + S.nick) + "'/>");
      if (p && typeof p.then === 'function') p.then(null, function () { /* leaving anyway */ });
    });
  }
  function reason(e) {
    var m = e && e.message ? String(e.message) : String(e || 'refused');
    return shortName(m.replace(/\s+/g, ' '), 80);
  }

  function onReady(info) {
    if (S.ready) return;
    var params = (info && typeof info === 'object' && info.params && typeof info.params === 'object') ? info.params : {};
    var room = typeof params.room === 'string' ? params.room.trim() : '';
    var j = splitJid(room);
    S.ready = true;
    if (j && /^[^@\s]+@[^@\s\/]+$/.test(j.bare)) {
      S.room = j.bare;
      S.roomShown = j.bare;
      $('room').textContent = j.bare.split('@')[0];
      $('room').title = j.bare;
    } else {
      note('No game room was given to this display');
    }
    var user = info && typeof info.user === 'string' ? info.user : '';
    var local = user.split('@')[0] || 'kiosk';
    var nick = typeof params.nick === 'string' && params.nick.trim() ? params.nick.trim() : local + ' (display)';
    S.baseNick = S.nick = shortName(cleanNick(nick), 48);
    renderChrome();
    // an earlier page of this session (reload, restart): its board, and a fresh join,
    // since a second join from the same resource is only a presence update to the room
    var saved = S.room && !S.simulated ? loadSaved() : null;
    if (saved) safe(function () { restore(saved); });
    var restarted = !!(info && info.restart) || !!saved;
    var q = queue; queue = [];
    q.forEach(function (e) { ingest(e[0], e[1]); });
    if (pendingState) { var st = pendingState; pendingState = null; applyState(st); }
    if (restarted && send && S.room) {
      safe(function () {
        var pr = send("<presence type='unavailable' to='" + xmlEscape(S.room + '/' + S.nick) + "'/>");
        if (pr && typeof pr.then === 'function') pr.then(null, function () { /* joining anyway */ });
      });
    }
    join();
  }

  // transferred state: our own snapshot file, or a packet log to replay
  function applyState(st) {
    if (!S.ready) { pendingState = st; return; }
    safe(function () {
      if (!st || typeof st !== 'object') return;
      var files = st.files && typeof st.files === 'object' ? st.files : {};
      var snap = typeof files['xhunt.json'] === 'string' ? decodeSnapshot(files['xhunt.json']) : null;
      if (snap) { restore(snap); return; }
      if (Array.isArray(st.log)) {
        st.log.slice(-5000).forEach(function (xml) { ingest(xml, 'replay'); });
      }
    });
  }
  function b64encode(text) {
    var bytes = new TextEncoder().encode(text), bin = '';
    for (var i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  }
  function decodeSnapshot(b64) {
    return safe(function () {
      if (b64.length > 4 * 1024 * 1024) return null;
      var bin = atob(b64), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      var o = JSON.parse(new TextDecoder().decode(bytes));
      return o && o.v === 1 ? o : null;
    }) || null;
  }
  function snapshot() {
    var o = { v: 1, room: S.room, round: S.round, rounds: S.rounds, reveals: S.reveals, usesRounds: S.usesRounds,
      gameState: S.gameState, winner: S.winner, xNick: S.xNick, xlog: S.xlog, xSeen: S.xSeen, xLive: S.xLive,
      players: Array.from(S.players.values()).map(function (p) {
        return { nick: p.nick, role: p.role, hasPos: p.hasPos, x: p.x, y: p.y, last: p.last, ticket: p.ticket,
          moves: p.moves, present: p.present };
      }) };
    return { files: { 'xhunt.json': b64encode(JSON.stringify(o)) } };
  }
  function restore(o) {
    if (o.room && o.room !== S.room) return;
    var num = function (v, max) { return typeof v === 'number' && isFinite(v) && v >= 0 && v <= max ? Math.floor(v) : 0; };
    (Array.isArray(o.players) ? o.players : []).slice(0, MAX_PLAYERS).forEach(function (q) {
      if (!q || typeof q.nick !== 'string' || !cleanNick(q.nick)) return;
      if (q.hasPos && (gridInt(q.x, GRID_W) === null || gridInt(q.y, GRID_H) === null)) return;
      var p = getPlayer(cleanNick(q.nick), 'mover');
      if (!p) return;
      p.role = q.role === 'misterx' ? 'misterx' : 'detective';
      p.last = num(q.last, 1e15);
      p.moves = Math.max(p.moves, num(q.moves, 1e9));
      p.ticket = Object.prototype.hasOwnProperty.call(TICKETS, q.ticket) ? q.ticket : '';
      p.present = !!q.present;
      if (q.hasPos && gridInt(q.x, GRID_W) !== null && gridInt(q.y, GRID_H) !== null) {
        if (p.role === 'misterx') { markerFor(p); p.hasPos = true; p.x = q.x; p.y = q.y; p.px = q.x * B; p.py = q.y * B; }
        else movePlayer(p, q.x, q.y, '', true);
      }
      styleMarker(p);
    });
    S.round = Math.max(S.round, num(o.round, 9999));
    S.rounds = num(o.rounds, 99);
    S.usesRounds = !!o.usesRounds;
    if (Array.isArray(o.reveals)) S.reveals = o.reveals.filter(function (v) { return num(v, 9999) > 0; }).slice(0, 64);
    S.gameState = o.gameState === 'over' || o.gameState === 'running' || o.gameState === 'waiting' ? o.gameState : '';
    S.winner = o.winner === 'detectives' || o.winner === 'misterx' ? o.winner : '';
    if (typeof o.xNick === 'string' && S.players.has(o.xNick)) S.xNick = o.xNick;
    if (Array.isArray(o.xlog)) {
      S.xlog = o.xlog.slice(-200).filter(function (e) { return e && typeof e === 'object'; }).map(function (e) {
        return { round: num(e.round, 9999), ticket: Object.prototype.hasOwnProperty.call(TICKETS, e.ticket) ? e.ticket : '',
          reveal: !!e.reveal, x: gridInt(e.x, GRID_W), y: gridInt(e.y, GRID_H), t: num(e.t, 1e15) };
      });
    }
    if (o.xSeen && gridInt(o.xSeen.x, GRID_W) !== null && gridInt(o.xSeen.y, GRID_H) !== null) {
      S.xSeen = { x: o.xSeen.x, y: o.xSeen.y, round: num(o.xSeen.round, 9999), t: num(o.xSeen.t, 1e15) };
    }
    S.xLive = !!o.xLive && !!S.xSeen && !!S.xNick;
    if (S.xSeen && !S.xLive) showGhost();
    layoutStacks();
    renderRosterSoon();
  }

  // ------------------------------------------------------------------ simulation
  // Fake players feeding the same code path as kiosk.onStanza, as XML strings.
  function startSimulation(q) {
    S.simulated = true;
    $('sim').hidden = false;
    var ROOM = 'game@conference.localhost';
    var interval = Math.max(200, Math.min(10000, parseInt(q.get('interval'), 10) || 1400));
    var count = Math.max(2, Math.min(40, parseInt(q.get('players'), 10) || 6));
    var warmup = Math.max(0, Math.min(500, parseInt(q.get('warmup'), 10) || 0));
    var names = ['Moriarty', 'Holmes', 'Watson', 'Marple', 'Poirot', 'Lestrade', 'Maigret', 'Tennison',
      'Columbo', 'Morse', 'Vera', 'Rebus', 'Wallander', 'Brunetti', 'Montalbano', 'Cadfael', 'Dupin', 'Vance',
      'Wolfe', 'Archie', 'Spade', 'Marlowe', 'Drew', 'Hardy', 'Fletcher', 'Frost', 'Barnaby', 'Lynley',
      'Havers', 'Dalgliesh', 'Wimsey', 'Vane', 'Fell', 'Queen', 'Chan', 'Moto', 'Lupin', 'Ganimard', 'Gently', 'Dover'];
    var random = rng(q.get('seed') ? parseInt(q.get('seed'), 10) || 7 : (Date.now() % 100000));
    var reveals = DEFAULT_REVEALS, ROUNDS = 24;
    var sim = { players: [], round: 1, turn: 0, xSeen: null, paused: 0, ticks: 0, extra: count };
    var stamp = 0;   // when set, stanzas carry this delay stamp (warm-up runs as history)
    function emit(xml) {
      if (stamp) xml = xml.replace(/<\/(message|presence)>$/, "<delay xmlns='urn:xmpp:delay' from='" + ROOM +
        "' stamp='" + new Date(stamp).toISOString() + "'/></$1>");
      ingest(xml, 'live');
    }
    function presence(nick, type) {
      emit("<presence from='" + xmlEscape(ROOM + '/' + nick) + "'" + (type ? " type='" + type + "'" : '') +
        "><x xmlns='" + NS_MUC_USER + "'><item affiliation='none' role='" + (type ? 'none' : 'participant') +
        "'/></x></presence>");
    }
    function move(p, ticket, reveal) {
      var attrs = " role='" + p.role + "' round='" + sim.round + "'" + (ticket ? " ticket='" + ticket + "'" : '');
      if (p.role === 'detective' || reveal) attrs += " x='" + p.x + "' y='" + p.y + "'";
      if (p.role === 'misterx') attrs += " reveal='" + (reveal ? 'true' : 'false') + "'";
      emit("<message type='groupchat' from='" + xmlEscape(ROOM + '/' + p.nick) + "' id='m" + (sim.ticks++) +
        "'><move xmlns='" + NS + "'" + attrs + "/></message>");
    }
    function game(state, extra) {
      emit("<message type='groupchat' from='" + ROOM + "/" + names[0] + "'><game xmlns='" + NS + "' state='" + state + "'" +
        (extra || '') + "/></message>");
    }
    function freeSpot() {
      for (var k = 0; k < 200; k++) {
        var x = Math.floor(random() * (GRID_W + 1)), y = Math.floor(random() * (GRID_H + 1));
        if (!sim.players.some(function (p) { return p.x === x && p.y === y; })) return [x, y];
      }
      return [0, 0];
    }
    function add(nick, role) {
      var s = freeSpot();
      var p = { nick: nick, role: role, x: s[0], y: s[1] };
      sim.players.push(p);
      presence(nick);
      return p;
    }
    function options(p) {
      var o = [];
      [[1, 0], [-1, 0], [0, 1], [0, -1]].forEach(function (d) {
        var x = p.x + d[0], y = p.y + d[1];
        if (x >= 0 && x <= GRID_W && y >= 0 && y <= GRID_H) o.push({ x: x, y: y, t: 'taxi' });
        var n = 2 + Math.floor(random() * 2);
        x = p.x + d[0] * n; y = p.y + d[1] * n;
        if (x >= 0 && x <= GRID_W && y >= 0 && y <= GRID_H) o.push({ x: x, y: y, t: 'bus' });
      });
      if (STATIONS.some(function (s) { return s[0] === p.x && s[1] === p.y; })) {
        METRO_LINES.forEach(function (l) {
          l.stops.forEach(function (s, i) {
            if (s[0] === p.x && s[1] === p.y) {
              [l.stops[i - 1], l.stops[i + 1]].forEach(function (n) { if (n) o.push({ x: n[0], y: n[1], t: 'underground' }); });
            }
          });
        });
      }
      return o;
    }
    function dist(a, b) { return Math.abs(a.x - b.x) + Math.abs(a.y - b.y); }
    function step() {
      if (sim.paused > 0) {
        if (--sim.paused === 0) {       // a new game
          sim.round = 1; sim.turn = 0; sim.xSeen = null;
          game('running', " round='1' rounds='" + ROUNDS + "' reveals='" + reveals.join(' ') + "'");
        }
        return;
      }
      var p = sim.players[sim.turn];
      var opts = options(p);
      var others = sim.players.filter(function (q) { return q !== p; });
      var choice;
      if (p.role === 'misterx') {
        opts = opts.filter(function (o) { return !others.some(function (q) { return q.x === o.x && q.y === o.y; }); });
        opts.sort(function (a, b) {
          var da = Math.min.apply(null, others.map(function (q) { return dist(a, q); }));
          var db = Math.min.apply(null, others.map(function (q) { return dist(b, q); }));
          return db - da;
        });
        choice = opts[Math.floor(random() * Math.min(3, opts.length))];
      } else {
        var target = sim.xSeen || { x: 6, y: 4 };
        opts.sort(function (a, b) { return dist(a, target) - dist(b, target); });
        choice = random() < 0.65 ? opts[0] : opts[Math.floor(random() * opts.length)];
      }
      if (choice) {
        p.x = choice.x; p.y = choice.y;
        var reveal = p.role === 'misterx' && reveals.indexOf(sim.round) >= 0;
        var ticket = p.role === 'misterx' && !reveal && random() < 0.12 ? 'secret' : choice.t;
        if (reveal) sim.xSeen = { x: p.x, y: p.y };
        move(p, ticket, reveal);
        var mx = sim.players[0];
        if (p.role === 'detective' && mx.role === 'misterx' && mx.x === p.x && mx.y === p.y) {   // caught
          move(mx, '', true);
          game('over', " winner='detectives' round='" + sim.round + "'");
          sim.paused = 5;
          sim.turn = 0;
          return;
        }
      }
      sim.turn++;
      if (sim.turn >= sim.players.length) {
        sim.turn = 0;
        sim.round++;
        if (sim.round === 10 && sim.players.length > 4) {            // someone leaves...
          var gone = sim.players.splice(sim.players.length - 1, 1)[0];
          presence(gone.nick, 'unavailable');
        }
        if (sim.round === 12 && sim.extra < names.length) add(names[sim.extra++], 'detective'); // ...someone joins
        if (sim.round > ROUNDS) {
          game('over', " winner='misterx' round='" + ROUNDS + "'");
          sim.paused = 5;
        }
      }
    }
    // input a real room would never send: all of it must be ignored without harm
    var junk = [
      'not xml at all <<',
      "<message type='groupchat' from='" + ROOM + "/Holmes'><move xmlns='" + NS + "' x='40' y='2'/></message>",
      "<message type='groupchat' from='" + ROOM + "/Holmes'><move xmlns='" + NS + "' x='-1' y='2'/></message>",
      "<message type='groupchat' from='other@conference.localhost/Intruder'><move xmlns='" + NS + "' x='1' y='1'/></message>",
      "<message type='chat' from='" + ROOM + "/Watson'><move xmlns='" + NS + "' x='2' y='2'/></message>",
      "<message type='groupchat' from='" + ROOM + "/Moriarty'><move xmlns='" + NS + "' role='misterx' reveal='true'/></message>",
      "<presence from='" + ROOM + "/Nobody' type='unavailable'/>",
      "<message type='groupchat' from='" + ROOM + "'><subject>Catch me</subject></message>",
      "<iq type='get' from='" + ROOM + "/Holmes'/>",
      "<message type='groupchat' from='" + ROOM + "/Holmes'><move xmlns='" + NS + "' x='3.5' y='2e1'/></message>"
    ];

    send = function (xml) {
      if (q.get('reject') === '1') {
        setTimeout(go, 30);
        return Promise.reject(new Error('the filter does not allow presence to this room'));
      }
      var m = /^<presence to='([^']*)'/.exec(xml);
      if (m && !/type='unavailable'/.test(xml)) {
        var to = m[1].replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
        setTimeout(function () {
          ingest("<presence from='" + xmlEscape(to) + "'><x xmlns='" + NS_MUC_USER +
            "'><item affiliation='none' role='participant'/><status code='110'/></x></presence>", 'live');
          go();
        }, 30);
      }
      return Promise.resolve();
    };
    var started = false;
    function go() {
      if (started) return;
      started = true;
      add(names[0], 'misterx');
      for (var i = 1; i < count; i++) add(names[i], 'detective');
      game('running', " round='1' rounds='" + ROUNDS + "' reveals='" + reveals.join(' ') + "'");
      if (warmup) {
        var t0 = now() - warmup * interval;
        for (var k = 0; k < warmup; k++) { stamp = t0 + k * interval; step(); }
        stamp = 0;
      } else {
        sim.players.forEach(function (p) { if (p.role === 'detective') move(p, '', false); });
      }
      setInterval(function () {
        safe(step);
        if (random() < 0.08) ingest(junk[Math.floor(random() * junk.length)], 'live');
      }, interval);
    }
    junk.forEach(function (j) { ingest(j, 'live'); });   // before ready: queued, then ignored
    onReady({ sid: 'sim', user: 'kiosk@localhost', app: 'xhunt', params: { room: ROOM } });
  }

  // ------------------------------------------------------------------ start
  function start() {
    safe(buildMap);
    var q = new URLSearchParams(location.search);
    var k = window.kiosk;
    if (!k || typeof k !== 'object' || q.get('simulate') === '1') {
      startSimulation(q);
      return;
    }
    send = function (xml) { return k.send(xml); };
    safe(function () { k.onStanza(function (xml) { ingest(xml, 'live'); }); });
    safe(function () { k.onState(function (st) { applyState(st); }); });
    safe(function () { k.provideSnapshot(function () { return safe(snapshot) || { files: {} }; }); });
    safe(function () { k.ready(function (info) { safe(function () { onReady(info); }); }); });
    window.addEventListener('pagehide', leave);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
