#!/usr/bin/python3
"""Plays the other players of an XHunt game in a MUC room (docs/xhunt.md).

Every player is its own XMPP connection: distinct resources of one account, or
several accounts given with repeated --jid/--password-file (or --role). Each player
joins the room (XEP-0045) under its own nickname and moves every --interval seconds
along the 12x8 city grid, sending the game's groupchat messages:

    <message type='groupchat' to='ROOM'>
      <move xmlns='urn:example:xhunt:0' x='3' y='5' role='detective' ticket='taxi' round='4'/>
      <store xmlns='urn:xmpp:hints'/>
    </message>

Mister X (the first player) sends his position only in reveal rounds. One JSON line per
move goes to stdout; progress and errors go to stderr. The run is bounded by --duration
(or --moves) plus --timeout for connecting; then every player leaves the room.

    xhunt_players.py --server-info /tmp/xh/prosody/info.json --role bob --players 4
    xhunt_players.py --jid bob@example.org --password-file ~/.bob.secret \\
        --host 127.0.0.1 --port 5222 --ca-file ca.pem --room game@conference.example.org \\
        --nicks 'Mister X,Holmes,Watson' --interval 2 --moves 20
    xhunt_players.py --server-info info.json --role alice --observe --duration 30

Exit status: 0 done, 1 other error, 2 bad arguments, 3 connection or login failed,
4 could not join the room.
"""
import argparse
import asyncio
import json
import logging
import os
import random
import re
import secrets
import ssl
import sys
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

logging.getLogger("slixmpp.stringprep").setLevel(logging.ERROR)   # "slower stringprep" notice
logging.getLogger("slixmpp").setLevel(logging.CRITICAL)             # we report failures ourselves
try:
    import slixmpp
    from slixmpp.xmlstream.handler import Callback
    from slixmpp.xmlstream.matcher import MatchXPath
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("xhunt_players.py: needs slixmpp (run it with /usr/bin/python3, or pip install slixmpp)")

NS = "urn:example:xhunt:0"
NS_MUC = "http://jabber.org/protocol/muc"
NS_MUC_USER = "http://jabber.org/protocol/muc#user"
NS_HINTS = "urn:xmpp:hints"
NS_DELAY = "urn:xmpp:delay"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"

GRID_W, GRID_H = 12, 8                      # blocks; intersections x 0..12, y 0..8
# the underground, as drawn by web/apps/xhunt (stations are intersections)
METRO_LINES = [[(1, 1), (3, 4), (5, 7)], [(5, 1), (8, 4), (11, 7)], [(1, 1), (5, 1), (10, 2)]]
DEFAULT_REVEALS = [3, 8, 13, 18, 24]
DEFAULT_NICKS = ["Mister X", "Holmes", "Watson", "Marple", "Poirot", "Lestrade", "Maigret",
                 "Tennison", "Columbo", "Morse", "Vera", "Rebus", "Wallander", "Brunetti",
                 "Montalbano", "Cadfael", "Dupin", "Wolfe", "Spade", "Marlowe", "Frost",
                 "Barnaby", "Lynley", "Havers", "Dalgliesh", "Wimsey", "Fell", "Queen",
                 "Lupin", "Gently", "Dover", "Vance"]

EXIT_ERROR, EXIT_USAGE, EXIT_CONNECT, EXIT_JOIN = 1, 2, 3, 4


class Failure(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def log(message: str) -> None:
    print(f"xhunt_players: {message}", file=sys.stderr, flush=True)


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def iso_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------- arguments
def read_password(path: str) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read(8193)
    except OSError as e:
        raise Failure(EXIT_USAGE, f"cannot read password file {path}: {e.strerror}")
    if len(data) > 8192:
        raise Failure(EXIT_USAGE, f"password file {path} is longer than 8 KiB")
    password = data.decode("utf-8", "replace").rstrip("\r\n")
    if not password:
        raise Failure(EXIT_USAGE, f"password file {path} is empty")
    return password


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="xhunt_players.py",
        description="Plays XHunt players in a MUC room: one connection per player, "
                    "a groupchat <move/> per player every --interval seconds.")
    acc = p.add_argument_group("accounts")
    acc.add_argument("--server-info", metavar="PATH",
                     help="a fixture's info.json (tests/fixtures/servers.py): host, ports, users, CA")
    acc.add_argument("--role", action="append", default=[], metavar="USER",
                     help="with --server-info: the user(s) to log in as (e.g. bob; repeatable)")
    acc.add_argument("--jid", action="append", default=[], metavar="JID",
                     help="account to log in as (repeatable; players use the accounts in turn)")
    acc.add_argument("--password-file", action="append", default=[], metavar="FILE",
                     help="password of each --jid, in order (one file for all is fine); "
                          "else $XHUNT_PASSWORD")
    acc.add_argument("--host", help="connect here instead of looking up SRV records")
    acc.add_argument("--port", type=int, help="default 5222 (starttls) or 5223 (direct)")
    acc.add_argument("--tls", choices=["starttls", "direct"], default="starttls")
    acc.add_argument("--ca-file", metavar="CA", help="trust these PEM certificates (else the system store)")
    game = p.add_argument_group("game")
    game.add_argument("--room", help="room JID (default game@conference.DOMAIN, or the fixture's "
                                     "MUC service); a bare name gets the MUC service appended")
    game.add_argument("--players", type=int, default=None, metavar="N",
                      help="number of players (1-32; default 4, or the number of --nicks)")
    game.add_argument("--nicks", help="comma-separated nicknames; the first is Mister X")
    game.add_argument("--no-misterx", action="store_true", help="detectives only")
    game.add_argument("--interval", type=float, default=2.0, metavar="S",
                      help="seconds between two moves of one player (0.2-60, default 2)")
    game.add_argument("--duration", type=float, default=None, metavar="S",
                      help="play this long (default 30 s unless --moves is given; at most 86400)")
    game.add_argument("--moves", type=int, default=None, metavar="N",
                      help="stop after N moves per player (instead of, or as well as, --duration)")
    game.add_argument("--reveals", default=" ".join(map(str, DEFAULT_REVEALS)),
                      help="rounds in which Mister X shows himself (default '3 8 13 18 24')")
    game.add_argument("--rounds", type=int, default=24, help="rounds per game (default 24)")
    game.add_argument("--seed", type=int, help="random seed, for repeatable games")
    game.add_argument("--no-store", action="store_true",
                      help="leave out the <store/> hint (then the room keeps no history of moves)")
    other = p.add_argument_group("other")
    other.add_argument("--observe", action="store_true",
                       help="join once as a spectator and print the moves seen in the room instead")
    other.add_argument("--nick", help="--observe: the spectator's nickname")
    other.add_argument("--history", type=int, default=0, metavar="N",
                       help="--observe: ask the room for up to N old messages (default 0)")
    other.add_argument("--timeout", type=float, default=20.0, metavar="S",
                       help="longest wait for connecting, logging in and joining (default 20)")
    other.add_argument("--verbose", action="store_true", help="slixmpp's debug log on stderr")
    args = p.parse_args(argv)

    def usage(msg):
        p.print_usage(sys.stderr)
        raise Failure(EXIT_USAGE, msg)

    if not 0.2 <= args.interval <= 60:
        usage("--interval must be between 0.2 and 60 seconds")
    if args.duration is not None and not 0 < args.duration <= 86400:
        usage("--duration must be between 0 and 86400 seconds")
    if args.moves is not None and not 1 <= args.moves <= 100000:
        usage("--moves must be between 1 and 100000")
    if args.duration is None and args.moves is None:
        args.duration = 30.0
    if not 1 <= args.timeout <= 600:
        usage("--timeout must be between 1 and 600 seconds")
    if not 1 <= args.rounds <= 999:
        usage("--rounds must be between 1 and 999")
    try:
        args.reveal_rounds = sorted({int(v) for v in re.split(r"[\s,]+", args.reveals.strip()) if v})
    except ValueError:
        usage("--reveals takes round numbers, e.g. '3 8 13 18 24'")
    if args.nicks:
        nicks = [n.strip() for n in args.nicks.split(",") if n.strip()]
        if len(set(nicks)) != len(nicks):
            usage("--nicks must be distinct")
        if args.players is not None and args.players != len(nicks):
            usage("--players and the number of --nicks differ")
        args.nick_list = nicks
    else:
        n = 4 if args.players is None else args.players
        if not 1 <= n <= len(DEFAULT_NICKS):
            usage(f"--players must be between 1 and {len(DEFAULT_NICKS)}")
        detectives_only = args.no_misterx or n == 1
        args.nick_list = DEFAULT_NICKS[1:n + 1] if detectives_only else DEFAULT_NICKS[:n]
        if len(args.nick_list) < n:
            usage(f"at most {len(args.nick_list)} players with --no-misterx (or give --nicks)")
    if not 1 <= len(args.nick_list) <= 32:
        usage("between 1 and 32 players")
    if any(len(n) > 64 or "/" in n for n in args.nick_list):
        usage("nicknames: at most 64 characters, no '/'")
    return args


def accounts_from(args):
    """[(jid, password)], connection settings {host, port, tls, ca_file}, default room."""
    conn = {"host": args.host, "port": args.port, "tls": args.tls, "ca_file": args.ca_file}
    accounts = []
    muc = None
    if args.server_info:
        try:
            with open(args.server_info) as f:
                info = json.load(f)
        except (OSError, ValueError) as e:
            raise Failure(EXIT_USAGE, f"cannot read --server-info {args.server_info}: {e}")
        roles = args.role or ["bob"]
        for role in roles:
            user = info.get("users", {}).get(role)
            if not user:
                raise Failure(EXIT_USAGE, f"no user '{role}' in {args.server_info} "
                                          f"(there are: {', '.join(info.get('users', {}))})")
            accounts.append((user["jid"], user["password"]))
        conn["host"] = conn["host"] or info.get("host")
        if conn["port"] is None:
            conn["port"] = info.get("direct_tls_port" if args.tls == "direct" else "starttls_port")
        conn["ca_file"] = conn["ca_file"] or info.get("ca_file")
        muc = info.get("muc_service")
    elif args.role:
        raise Failure(EXIT_USAGE, "--role needs --server-info")
    if args.jid:
        files = args.password_file
        if files and len(files) not in (1, len(args.jid)):
            raise Failure(EXIT_USAGE, "give one --password-file, or one per --jid")
        for i, jid in enumerate(args.jid):
            if files:
                password = read_password(files[i] if len(files) > 1 else files[0])
            else:
                password = os.environ.get("XHUNT_PASSWORD", "")
                if not password:
                    raise Failure(EXIT_USAGE, f"no password for {jid}: use --password-file or $XHUNT_PASSWORD")
            if "@" not in jid:
                raise Failure(EXIT_USAGE, f"--jid {jid}: not a JID (user@domain)")
            accounts.append((jid.split("/")[0], password))
    if not accounts:
        raise Failure(EXIT_USAGE, "no account: give --jid/--password-file, or --server-info/--role")
    domain = accounts[0][0].split("@", 1)[1]
    muc = muc or f"conference.{domain}"
    room = args.room or "game"
    if "@" not in room:
        room = f"{room}@{muc}"
    room = room.split("/")[0].lower()
    if not re.fullmatch(r"[^@\s/]+@[^@\s/]+", room):
        raise Failure(EXIT_USAGE, f"--room {args.room}: not a room JID")
    if conn["host"] and not conn["port"]:
        conn["port"] = 5223 if args.tls == "direct" else 5222
    return accounts, conn, room


# ---------------------------------------------------------------------------- one connection
def tls_context(ca_file):
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as e:
            raise Failure(EXIT_USAGE, f"cannot load --ca-file {ca_file}: {e}")
    return context


class Player(slixmpp.ClientXMPP):
    """One occupant of the room: logs in, joins under `nick`, sends moves, leaves."""

    def __init__(self, jid, password, nick, room, conn, context):
        super().__init__(jid, password)
        self.nick, self.room, self.conn = nick, room, conn
        self.ssl_context = context
        loop = asyncio.get_event_loop()
        self.online = loop.create_future()
        self.joined = loop.create_future()
        self.on_move = None          # observer callbacks
        self.on_game = None
        self.on_occupant = None
        self.add_event_handler("session_start", self._started)
        self.add_event_handler("failed_all_auth", lambda *_: self._fail("login failed (wrong password?)"))
        self.add_event_handler("connection_failed", lambda e: self._fail(f"cannot connect: {e}"))
        self.add_event_handler("disconnected", self._disconnected)
        self.add_event_handler("ssl_invalid_chain", self._untrusted)
        self.lost = False
        self.closing = False
        self.register_handler(Callback("xhunt-presence", MatchXPath("{jabber:client}presence"), self._presence))
        self.register_handler(Callback("xhunt-message", MatchXPath("{jabber:client}message"), self._message))

    # connection
    def open(self):
        if self.conn["host"]:
            address = (self.conn["host"], int(self.conn["port"]))
            if self.conn["tls"] == "direct":
                self.connect(address, use_ssl=True, disable_starttls=True)
            else:
                self.connect(address, force_starttls=True)
        else:
            self.connect(use_ssl=self.conn["tls"] == "direct", force_starttls=True,
                         disable_starttls=self.conn["tls"] == "direct")

    def _fail(self, reason):
        self.cancel_connection_attempt()     # no reconnection loop
        for fut in (self.online, self.joined):
            if not fut.done():
                fut.set_exception(Failure(EXIT_CONNECT if fut is self.online else EXIT_JOIN, reason))

    def _untrusted(self, *_):
        self._fail("TLS: the server's certificate is not trusted (give its CA with --ca-file)")
        self.abort()

    def _disconnected(self, *_):
        if self.online.done() and not self.closing:
            self.lost = True
        self._fail("disconnected")

    async def _started(self, _event):
        if not self.online.done():
            self.online.set_result(True)

    # the room
    def join(self, history=0):
        pres = self.make_presence(pto=f"{self.room}/{self.nick}")
        x = ET.SubElement(pres.xml, f"{{{NS_MUC}}}x")
        ET.SubElement(x, f"{{{NS_MUC}}}history", {"maxstanzas": str(history)})
        pres.send()

    def leave(self):
        self.make_presence(pto=f"{self.room}/{self.nick}", ptype="unavailable").send()

    def _presence(self, pres):
        frm = pres["from"]
        if frm.bare.lower() != self.room:
            return
        nick = frm.resource
        x = pres.xml.find(f"{{{NS_MUC_USER}}}x")
        codes = {s.get("code") for s in x.findall(f"{{{NS_MUC_USER}}}status")} if x is not None else set()
        if pres["type"] == "error" and nick == self.nick:
            err = pres.xml.find("{jabber:client}error")
            cond = "error"
            if err is not None:
                for child in err:
                    if child.tag.startswith(f"{{{NS_STANZAS}}}") and not child.tag.endswith("}text"):
                        cond = child.tag.split("}", 1)[1]
                        break
            if not self.joined.done():
                hint = " (nickname in use)" if cond == "conflict" else ""
                self.joined.set_exception(Failure(EXIT_JOIN, f"cannot join {self.room} as {nick}: {cond}{hint}"))
            return
        if nick == self.nick and ("110" in codes or x is not None) and pres["type"] != "unavailable":
            if not self.joined.done():
                self.joined.set_result(True)
            return
        if self.on_occupant and nick and nick != self.nick:
            self.on_occupant(nick, "left" if pres["type"] == "unavailable" else "present")

    def _message(self, msg):
        if msg["type"] != "groupchat" or msg["from"].bare.lower() != self.room:
            return
        delay = msg.xml.find(f"{{{NS_DELAY}}}delay")
        stamp = delay.get("stamp") if delay is not None else None
        mv = msg.xml.find(f"{{{NS}}}move")
        if mv is not None and self.on_move:
            self.on_move(msg["from"].resource, dict(mv.attrib), stamp)
        game = msg.xml.find(f"{{{NS}}}game")
        if game is not None and self.on_game:
            self.on_game(msg["from"].resource, dict(game.attrib), stamp)

    # the game's messages
    def send_game(self, elem_name, attrs, store=True):
        msg = self.make_message(mto=self.room, mtype="groupchat")
        ET.SubElement(msg.xml, f"{{{NS}}}{elem_name}", {k: str(v) for k, v in attrs.items()})
        if store:
            ET.SubElement(msg.xml, f"{{{NS_HINTS}}}store")
        msg.send()

    async def close(self):
        self.closing = True
        try:
            await asyncio.wait_for(self.disconnect(wait=2.0), 4)
        except (asyncio.TimeoutError, Exception):  # noqa: BLE001 - closing anyway
            self.abort()
        self.cancel_connection_attempt()
        for fut in (self.online, self.joined):       # nothing left unretrieved
            if fut.done() and not fut.cancelled():
                fut.exception()
            elif not fut.done():
                fut.cancel()


# ---------------------------------------------------------------------------- the game
class Game:
    def __init__(self, args, rnd):
        self.args, self.rnd = args, rnd
        self.reveals = args.reveal_rounds
        self.pos = {}        # nick -> (x, y)
        self.role = {}
        self.round = 1
        self.x_seen = None
        self.stations = {s for line in METRO_LINES for s in line}

    def place(self, nicks, misterx):
        taken = set()
        for nick in nicks:
            while True:
                spot = (self.rnd.randint(0, GRID_W), self.rnd.randint(0, GRID_H))
                if spot not in taken:
                    break
            taken.add(spot)
            self.pos[nick] = spot
            self.role[nick] = "misterx" if nick == misterx else "detective"

    def options(self, at):
        x, y = at
        out = []
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            if 0 <= x + dx <= GRID_W and 0 <= y + dy <= GRID_H:
                out.append(((x + dx, y + dy), "taxi"))
            n = self.rnd.choice((2, 3))
            if 0 <= x + dx * n <= GRID_W and 0 <= y + dy * n <= GRID_H:
                out.append(((x + dx * n, y + dy * n), "bus"))
        if at in self.stations:
            for line in METRO_LINES:
                if at in line:
                    i = line.index(at)
                    for j in (i - 1, i + 1):
                        if 0 <= j < len(line):
                            out.append((line[j], "underground"))
        return out

    def next_move(self, nick):
        """Returns (x, y, ticket) for nick's next move, and updates the board."""
        here = self.pos[nick]
        others = [p for n, p in self.pos.items() if n != nick]
        opts = self.options(here)
        dist = lambda a, b: abs(a[0] - b[0]) + abs(a[1] - b[1])  # noqa: E731
        if self.role[nick] == "misterx":
            free = [o for o in opts if o[0] not in others] or opts
            free.sort(key=lambda o: -min((dist(o[0], p) for p in others), default=0))
            choice = self.rnd.choice(free[:3])
            ticket = "secret" if self.rnd.random() < 0.1 else choice[1]
        else:
            target = self.x_seen or (GRID_W // 2, GRID_H // 2)
            opts.sort(key=lambda o: dist(o[0], target))
            choice = opts[0] if self.rnd.random() < 0.65 else self.rnd.choice(opts)
            ticket = choice[1]
        self.pos[nick] = choice[0]
        return choice[0][0], choice[0][1], ticket


async def play(args, accounts, conn, room) -> int:
    context = tls_context(conn["ca_file"])
    rnd = random.Random(args.seed)
    tag = secrets.token_hex(2)
    players = []
    for i, nick in enumerate(args.nick_list):
        jid, password = accounts[i % len(accounts)]
        slug = re.sub(r"[^A-Za-z0-9]+", "-", nick).strip("-").lower() or "player"
        players.append(Player(f"{jid}/xhunt-{slug}-{tag}", password, nick, room, conn, context))
    try:
        await bring_up(players, args)
        log(f"{len(players)} player{'s' if len(players) != 1 else ''} joined {room}")
        await run_game(args, players, room, rnd)
        return 0
    finally:
        for p in players:
            if p.joined.done() and not p.joined.exception():
                p.leave()
        await asyncio.gather(*(p.close() for p in players), return_exceptions=True)


async def bring_up(players, args, history=0):
    for p in players:
        p.open()
    try:
        await asyncio.wait_for(asyncio.gather(*(p.online for p in players)), args.timeout)
    except asyncio.TimeoutError:
        raise Failure(EXIT_CONNECT, f"not logged in within {args.timeout:g} s")
    for p in players:
        p.join(history)
    try:
        await asyncio.wait_for(asyncio.gather(*(p.joined for p in players)), args.timeout)
    except asyncio.TimeoutError:
        raise Failure(EXIT_JOIN, f"the room did not answer the join within {args.timeout:g} s")


async def run_game(args, players, room, rnd):
    nicks = [p.nick for p in players]
    by_nick = {p.nick: p for p in players}
    misterx = None if args.no_misterx or len(players) < 2 else nicks[0]
    game = Game(args, rnd)
    store = not args.no_store
    deadline = time.monotonic() + args.duration if args.duration else None
    moves = {n: 0 for n in nicks}

    def announce(state, **extra):
        attrs = {"state": state, "round": game.round, "rounds": args.rounds,
                 "reveals": " ".join(map(str, game.reveals))}
        attrs.update(extra)
        by_nick[nicks[0]].send_game("game", attrs, store)

    def send_move(nick, x, y, ticket, reveal, start=False):
        role = game.role[nick]
        attrs = {"role": role}
        if not start:
            attrs["round"] = game.round
        if ticket:
            attrs["ticket"] = ticket
        if role == "misterx":
            attrs["reveal"] = "true" if reveal else "false"
        shown = role != "misterx" or reveal
        if shown:
            attrs["x"], attrs["y"] = x, y
        by_nick[nick].send_game("move", attrs, store)
        emit({"time": iso_now(), "room": room, "nick": nick, "jid": str(by_nick[nick].boundjid),
              "role": role, "round": None if start else game.round, "ticket": ticket or None,
              "x": x if shown else None, "y": y if shown else None, "reveal": bool(reveal),
              "at": [x, y]})

    def new_game():
        game.round, game.x_seen = 1, None
        game.place(nicks, misterx)
        announce("running")
        for nick in nicks:                       # starting places (Mister X stays hidden)
            if game.role[nick] == "detective":
                x, y = game.pos[nick]
                send_move(nick, x, y, None, False, start=True)

    def finished():
        if deadline is not None and time.monotonic() >= deadline:
            return True
        return args.moves is not None and all(m >= args.moves for m in moves.values())

    new_game()
    order = ([misterx] if misterx else []) + [n for n in nicks if n != misterx]
    gap = args.interval / len(order)
    next_at = time.monotonic() + gap
    while not finished():
        over = None
        for nick in order:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at += gap
            if finished():
                return
            if args.moves is not None and moves[nick] >= args.moves:
                continue
            for p in players:
                if p.lost:
                    raise Failure(EXIT_CONNECT, f"{p.nick}: connection lost")
            x, y, ticket = game.next_move(nick)
            reveal = game.role[nick] == "misterx" and game.round in game.reveals
            if reveal:
                game.x_seen = (x, y)
            send_move(nick, x, y, ticket, reveal)
            moves[nick] += 1
            if misterx and game.role[nick] == "detective" and game.pos[nick] == game.pos[misterx]:
                mx, my = game.pos[misterx]
                send_move(misterx, mx, my, None, True)   # caught: he is shown where he stands
                over = "detectives"
                break
        if not over and misterx and game.round >= args.rounds:
            over = "misterx"
        if over:
            announce("over", winner=over)
            log(f"game over in round {game.round}: {'the detectives' if over == 'detectives' else 'Mister X'} won")
            await asyncio.sleep(min(args.interval * 2, 5))
            if finished():
                return
            new_game()
            next_at = time.monotonic() + gap
        else:
            game.round += 1


# ---------------------------------------------------------------------------- observer
async def observe(args, accounts, conn, room) -> int:
    jid, password = accounts[0]
    nick = args.nick or f"observer-{secrets.token_hex(2)}"
    p = Player(f"{jid}/xhunt-observer-{secrets.token_hex(2)}", password, nick, room, conn,
               tls_context(conn["ca_file"]))
    count = {"moves": 0}

    def on_move(frm, attrs, stamp):
        count["moves"] += 1
        emit({"time": iso_now(), "event": "move", "from": frm, "delayed": stamp, **attrs})

    p.on_move = on_move
    p.on_game = lambda frm, attrs, stamp: emit({"time": iso_now(), "event": "game", "from": frm,
                                                 "delayed": stamp, **attrs})
    p.on_occupant = lambda who, what: emit({"time": iso_now(), "event": what, "nick": who})
    try:
        await bring_up([p], args, max(0, min(args.history, 1000)))
        log(f"watching {room} as {nick} for {args.duration:g} s")
        await asyncio.sleep(args.duration)
        log(f"{count['moves']} moves seen")
        return 0
    finally:
        if p.joined.done() and not p.joined.exception():
            p.leave()
        await p.close()


# ---------------------------------------------------------------------------- main
def main(argv=None) -> int:
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        accounts, conn, room = accounts_from(args)
    except Failure as e:
        log(str(e))
        return e.status
    if args.verbose:
        logging.getLogger("slixmpp").setLevel(logging.DEBUG)
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    limit = args.timeout * 2 + (args.duration or 0) + 30
    if args.moves and not args.observe:
        limit += args.moves * args.interval + (args.moves // args.rounds + 1) * 5
    runner = observe if args.observe else play
    if args.observe and args.duration is None:
        args.duration = 30.0

    async def bounded():
        return await asyncio.wait_for(runner(args, accounts, conn, room), limit)

    try:
        return asyncio.run(bounded())
    except Failure as e:
        log(str(e))
        return e.status
    except asyncio.TimeoutError:
        log(f"gave up after {limit:g} s")
        return EXIT_ERROR
    except KeyboardInterrupt:
        log("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
