#!/usr/bin/python3
"""The shared view through a real server: how many stanzas per second reach the page's
JavaScript handler, and their latency at a steady rate, side by side with three other
receivers of the same stream in the same run.

One sender (slixmpp, bob) posts the stream to a chat room on the fixture's Prosody.
Four receivers, all alice, have joined the room, so the server fans every message out to
each of them (and back to the sender) at the same moment:
  kioskd        a kioskd display, headless, in a session that kiosk-phone paired (SASL
                relay) and that shows the app bench/apps/stream (index.html): the room's
                messages reach it through the user connection, the session's filter and
                kiosk.onStanza;
  slixmpp       a slixmpp client (this program's `receiver` command);
  strophe_bosh  bench/apps/stream/strophe.html with Strophe.js over BOSH (/http-bind),
  strophe_ws    and over WebSocket (/xmpp-websocket), each in a headless Chromium of its
                own, which trusts the server's key alone: the one the fixture's CA signed
                (--ignore-certificate-errors-spki-list; Chromium does not take a CA file).
The pages share their bookkeeping (bench/apps/stream/stream.js); the slixmpp receiver
does the same in Python. Each notes when each message reached its handler, on the
machine's clock (performance.timeOrigin + performance.now() in the pages).

  warm-up  --warmup messages (1000) as in a round: not counted.
  flood    --rounds (3) times --messages (20000), written in batches of 100 as fast as
           the server reads them (raw XML, so that the sender is not what limits the
           stream; the room's echo of each message comes back to it too). Per receiver:
           the rate from its first to its last message, and when it had the last one
           compared with the server's answer to a ping the sender sent after its last
           message (Prosody answers once it has routed all before). Also the sender's
           rate, the rate at which the server took the messages in, and every party's
           CPU time per message (the whole process tree: a browser's or kioskd's web
           engine processes too).
  paced    --rate (200) messages/s for --seconds (10), each stamped when sent: latency =
           arrival in the handler - stamp, p50/p90/p99/max per receiver.
Every run of messages is framed by a start and an end marker in the same stream; each
receiver reports when the end marker arrives: the kiosk page with kiosk.send() to the
sender, the Chromium pages with an HTTP POST to this program (which also serves them),
the slixmpp receiver on its stdout. A receiver that misses a message, or does not
report, fails the benchmark.

    page_prosody.py --kioskd BIN --phone BIN --info INFO.json [--messages N] [--rounds R]
                    [--rate R] [--seconds S] [--warmup N] [--receivers LIST]
                    [--chromium BIN] [--strophe FILE] [--apps DIR] [--latencies FILE]
                    [--log FILE]

--receivers: a choice of the four (e.g. `kioskd` alone, to see what one receiver costs
the server); --latencies: the paced phase's latencies per receiver as JSON, for a closer
look.

Prints "name value unit" lines on stdout (page_server_...), one line per round on stderr
("page-server ..."); exit status 1 when a receiver missed messages or failed, 2 when
something it needs is missing."""
import argparse
import asyncio
import base64
import hashlib
import json
import logging
import os
import resource
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "interop"))
from benchutil import (control_request, cpu_seconds_of, die_with_parent, emit, exit_on_sigterm, median,  # noqa: E402
                       note, percentile, phone_as_alice, stop, write_kioskd_config, write_secret)
from xmpppeer import tls_context  # noqa: E402

import slixmpp  # noqa: E402
from slixmpp.xmlstream.handler import Callback  # noqa: E402
from slixmpp.xmlstream.matcher import MatchXPath  # noqa: E402

PYTHON = "/usr/bin/python3"  # Debian's, which has slixmpp
APP_DIR = HERE / "apps" / "stream"
STREAM_NS = "urn:kioskd:bench:stream"
REPORT_NS = "urn:kioskd:bench"
MUC_NS = "http://jabber.org/protocol/muc"
RECEIVERS = ("kioskd", "slixmpp", "strophe_bosh", "strophe_ws")
LABELS = {"kioskd": "kioskd page", "slixmpp": "slixmpp", "strophe_bosh": "Strophe/BOSH", "strophe_ws": "Strophe/WS"}
NICKS = {name: name.replace("_", "-") for name in RECEIVERS}
STROPHE_FILES = ("/usr/share/javascript/strophe/strophe.min.js", "/usr/share/javascript/strophe/strophe.js")
READY_TIMEOUT = 90      # everyone online and in the room
BATCH = 100             # flood: messages per write


def now_ms() -> float:
    """The machine's clock in ms since the epoch, as the pages read theirs."""
    return time.time_ns() / 1e6


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


# --- The bookkeeping of bench/apps/stream/stream.js, for the slixmpp receiver ---

class Books:
    def __init__(self, report):
        self.report = report
        self.run = None

    def control(self, run: str, phase: str, expect: int) -> None:
        if phase == "start":
            self.run, self.expect = run, expect
            self.count = self.duplicates = self.out_of_order = 0
            self.last_seq = -1
            self.first = self.last = 0.0
            self.seen = bytearray(expect)
            self.latencies = []
            self.report("started", {"run": run, "expect": expect})
        elif phase == "end" and run == self.run:
            self.report("done", {"run": run, "expect": self.expect, "count": self.count,
                                 "duplicates": self.duplicates, "outOfOrder": self.out_of_order,
                                 "first": self.first, "last": self.last, "skew": 0,
                                 "latencies": self.latencies if self.expect <= 25000 else []})
            self.run = None

    def message(self, run: str, seq: int, stamp: float, now: float) -> None:
        if run != self.run or not 0 <= seq < self.expect:
            return
        if self.seen[seq]:
            self.duplicates += 1
            return
        self.seen[seq] = 1
        if seq < self.last_seq:
            self.out_of_order += 1
        self.last_seq = seq
        if self.count == 0:
            self.first = now
        self.last = now
        self.latencies.append(round((now - stamp) * 1000))
        self.count += 1


class RoomReceiver(slixmpp.ClientXMPP):
    """The slixmpp receiver: joins the room, keeps the books, prints reports as JSON lines."""

    def __init__(self, jid: str, password: str, ca_file: str, room: str, nick: str):
        super().__init__(jid, password)
        self.ssl_context = tls_context(ca_file)
        self.room, self.nick = room, nick
        self.books = Books(self.print_report)
        self.add_event_handler("session_start", self._on_start)
        self.add_event_handler("failed_auth", lambda *_: self._fail("authentication failed"))
        self.add_event_handler("connection_failed", lambda e: self._fail(f"connection failed: {e}"))
        self.add_event_handler("disconnected", lambda *_: self._fail("disconnected"))
        # slixmpp's "message" event wants a <body/>, which the markers lack.
        self.register_handler(Callback("bench stream", MatchXPath(f"{{jabber:client}}message/{{{STREAM_NS}}}m"),
                                       self._on_message))
        self.register_handler(Callback("bench control", MatchXPath(f"{{jabber:client}}message/{{{STREAM_NS}}}control"),
                                       self._on_message))

    @staticmethod
    def print_report(name: str, value) -> None:
        print(json.dumps({"name": name, "value": value}), flush=True)

    def _fail(self, reason: str) -> None:
        self.print_report("failed", {"error": reason})
        os._exit(1)

    async def _on_start(self, _event) -> None:
        join = self.make_presence(pto=f"{self.room}/{self.nick}")
        join.append(ET.fromstring(f"<x xmlns='{MUC_NS}'><history maxstanzas='0'/></x>"))
        join.send()
        self.print_report("ready", {"nick": self.nick, "slixmpp": slixmpp.__version__, "skew": 0})

    def _on_message(self, message) -> None:
        now = now_ms()
        if message["type"] != "groupchat":
            return
        for child in message.xml:
            if child.tag == f"{{{STREAM_NS}}}m":
                self.books.message(child.get("run"), int(child.get("seq")), float(child.get("stamp")), now)
            elif child.tag == f"{{{STREAM_NS}}}control":
                self.books.control(child.get("run"), child.get("phase"), int(child.get("expect") or 0))
            else:
                continue
            break


def receiver_main(args) -> int:
    exit_on_sigterm()
    logging.basicConfig(level=logging.ERROR)
    info = json.loads(Path(args.info).read_text())
    user = info["users"]["alice"]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    client = RoomReceiver(f"{user['jid']}/bench-slixmpp", user["password"], info["ca_file"], args.room, args.nick)
    client.connect((info["host"], info["starttls_port"]), force_starttls=True)
    loop.run_forever()
    return 0


# --- The driver ---

class Reports:
    """Every report of every receiver, as (receiver, name, value), with a wait for one."""

    def __init__(self):
        self.items: list[tuple[str, str, object]] = []
        self.changed = asyncio.Event()

    def add(self, receiver: str, name: str, value) -> None:
        self.items.append((receiver, name, value))
        self.changed.set()

    def find(self, receiver: str, name: str, run: str | None = None):
        for r, n, v in reversed(self.items):
            if r == receiver and n == name and (run is None or (isinstance(v, dict) and v.get("run") == run)):
                return v
        return None

    async def changes(self, timeout: float) -> None:
        self.changed.clear()
        try:
            await asyncio.wait_for(self.changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass


class PageServer:
    """Serves the Strophe.js pages and takes their reports (HTTP on 127.0.0.1)."""

    def __init__(self, loop, reports: Reports, strophe: Path, configs: dict):
        files = {"/strophe.html": (APP_DIR / "strophe.html", "text/html"),
                 "/stream.js": (APP_DIR / "stream.js", "text/javascript"),
                 "/strophe.js": (strophe, "text/javascript")}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.split("?", 1)[0]
                if path in files:
                    body, kind = files[path][0].read_bytes(), files[path][1]
                elif path.startswith("/config/") and path[8:] in configs:
                    body, kind = json.dumps(configs[path[8:]]).encode(), "application/json"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                name = self.path[len("/report/"):] if self.path.startswith("/report/") else ""
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    payload = json.loads(self.rfile.read(length))
                except ValueError:
                    payload = None
                if name not in configs or not isinstance(payload, dict):
                    self.send_error(400)
                    return
                loop.call_soon_threadsafe(reports.add, name, payload.get("name"), payload.get("value"))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Sender(slixmpp.ClientXMPP):
    """bob in the room: sends the stream, watches who is in the room, and collects the
    kiosk page's reports (chat messages with <report xmlns='urn:kioskd:bench'/>)."""

    def __init__(self, info: dict, room: str, reports: Reports):
        user = info["users"]["bob"]
        super().__init__(f"{user['jid']}/bench-sender", user["password"])
        self.ssl_context = tls_context(info["ca_file"])
        self.info, self.room, self.reports = info, room, reports
        self.occupants: set[str] = set()
        loop = asyncio.get_event_loop()
        self.online = loop.create_future()
        self.add_event_handler("session_start", self._on_start)
        self.add_event_handler("failed_auth", lambda *_: self._fail("authentication failed"))
        self.add_event_handler("connection_failed", lambda e: self._fail(f"connection failed: {e}"))
        self.add_event_handler("presence", self._on_presence)
        self.register_handler(Callback("bench report", MatchXPath(f"{{jabber:client}}message/{{{REPORT_NS}}}report"),
                                       self._on_message))

    def _fail(self, reason: str) -> None:
        if not self.online.done():
            self.online.set_exception(RuntimeError(reason))

    async def _on_start(self, _event) -> None:
        if not self.online.done():
            self.online.set_result(True)

    def _on_presence(self, presence) -> None:
        sender = presence["from"]
        if sender.bare != self.room:
            return
        if presence["type"] in ("unavailable", "error"):
            self.occupants.discard(sender.resource)
        else:
            self.occupants.add(sender.resource)

    def _on_message(self, message) -> None:
        report = message.xml.find(f"{{{REPORT_NS}}}report")
        if report is not None:
            try:
                value = json.loads(report.text or "null")
            except ValueError:
                value = {"unreadable": (report.text or "")[:200]}
            self.reports.add("kioskd", report.get("name"), value)

    def join(self) -> None:
        self.send_raw(f"<presence to='{self.room}/sender'><x xmlns='{MUC_NS}'><history maxstanzas='0'/></x></presence>")

    def control(self, run: str, phase: str, expect: int = 0) -> None:
        extra = f" expect='{expect}'" if phase == "start" else ""
        self.send_raw(f"<message to='{self.room}' type='groupchat'>"
                      f"<control xmlns='{STREAM_NS}' run='{run}' phase='{phase}'{extra}/></message>")

    def message(self, run: str, seq: int) -> str:
        # A typical message of a game played in a room, stamped as it is built.
        return (f"<message to='{self.room}' type='groupchat' id='{run}-{seq}'><body>move {seq} to field {seq % 199}"
                f"</body><m xmlns='{STREAM_NS}' run='{run}' seq='{seq}' stamp='{now_ms():.3f}'/></message>")

    async def drained(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.transport and self.transport.get_write_buffer_size() > 0:
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not take the sender's data")
            await asyncio.sleep(0.0005)

    async def flood(self, run: str, count: int) -> dict:
        """count messages as fast as they leave; times in ms since the epoch."""
        cpu = own_cpu_seconds()
        start = now_ms()
        for first in range(0, count, BATCH):
            self.send_raw("".join(self.message(run, seq) for seq in range(first, min(first + BATCH, count))))
            await asyncio.sleep(0)  # let the room's echo be read
            await self.drained(120)
        written = now_ms()
        cpu = own_cpu_seconds() - cpu
        await self.ping()
        return {"start": start, "written": written, "acked": now_ms(), "cpu": cpu}

    async def paced(self, run: str, rate: int, seconds: int) -> dict:
        count = rate * seconds
        start = time.monotonic()
        started = now_ms()
        for seq in range(count):
            delay = start + seq / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.send_raw(self.message(run, seq))
        written = now_ms()
        await self.ping()
        return {"start": started, "written": written, "acked": now_ms(), "count": count,
                "rate": count / ((written - started) / 1000) if written > started else float("nan")}

    async def ping(self) -> None:
        iq = self.Iq()
        iq["type"] = "get"
        iq["to"] = self.info["domain"]
        iq.append(ET.fromstring("<ping xmlns='urn:xmpp:ping'/>"))
        await iq.send(timeout=120)


class Bench:
    def __init__(self, args, info: dict, loop):
        self.args, self.info, self.loop = args, info, loop
        self.receivers = args.receivers
        self.dir = Path(tempfile.mkdtemp(prefix="kioskd-bench-page-server-"))
        self.room = f"bench-{secrets.token_hex(4)}@{info['muc_service']}"
        self.reports = Reports()
        self.sender: Sender | None = None
        self.kioskd = self.phone = self.receiver = None
        self.browsers: dict[str, subprocess.Popen] = {}
        self.browser_trees: dict[str, list[int]] = {}
        self.pages: PageServer | None = None
        self.receiver_thread = None
        self.problems: list[str] = []
        self.files = []  # output files of the children, closed at the end

    # --- starting everyone ---

    async def start(self) -> None:
        info, args = self.info, self.args
        self.sender = Sender(info, self.room, self.reports)
        self.sender.connect((info["host"], info["starttls_port"]), force_starttls=True)
        await asyncio.wait_for(asyncio.shield(self.sender.online), 30)
        self.sender.join()  # creates the room (muc_room_locking = false)
        await self.until(lambda: "sender" in self.sender.occupants, 20, "the sender in the room")

        if "kioskd" in self.receivers:
            await self.start_kioskd()
        if "slixmpp" in self.receivers:
            # In a process of its own; a thread reads its reports.
            self.receiver = subprocess.Popen(
                [PYTHON, str(Path(__file__).resolve()), "receiver", "--info", args.info, "--room", self.room,
                 "--nick", NICKS["slixmpp"]], stdout=subprocess.PIPE, stderr=args.log, preexec_fn=die_with_parent)
            self.receiver_thread = threading.Thread(target=self.read_receiver, daemon=True)
            self.receiver_thread.start()
        # The Strophe.js pages, each in a headless Chromium of its own, its window the size
        # of kioskd's screen (qml/Main.qml).
        alice = info["users"]["alice"]
        configs = {name: {"service": info[url], "jid": f"{alice['jid']}/bench-{name[8:]}",
                          "password": alice["password"], "room": self.room, "nick": NICKS[name]}
                   for name, url in (("strophe_bosh", "bosh_url"), ("strophe_ws", "websocket_url"))
                   if name in self.receivers}
        if configs:
            self.pages = PageServer(self.loop, self.reports, args.strophe, configs)
            pin = self.server_key_pin()
            for name in configs:
                self.browsers[name] = self.start_browser(name, pin)

        everyone = {NICKS[r] for r in self.receivers}
        try:
            await self.until(lambda: everyone <= self.sender.occupants
                             and all(self.reports.find(r, "ready") is not None for r in self.receivers),
                             READY_TIMEOUT, "every receiver in the room")
        except RuntimeError:
            missing = sorted(everyone - self.sender.occupants)
            statuses = {r: self.reports.find(r, "status") for r in self.browsers}
            raise RuntimeError(f"not in the room after {READY_TIMEOUT} s: {missing}; not ready: "
                               f"{[r for r in self.receivers if self.reports.find(r, 'ready') is None]}; "
                               f"Strophe's last status: {statuses}") from None
        for name, process in self.browsers.items():
            self.browser_trees[name] = process_tree(process.pid)

    async def start_kioskd(self) -> None:
        """kioskd, paired by kiosk-phone (SASL relay), showing bench/apps/stream."""
        info, args = self.info, self.args
        config = write_kioskd_config(self.dir, info, rotation=3600, extra=f"[apps]\ndir = {args.apps}\n")
        control = self.dir / "control.sock"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1")
        self.kioskd = subprocess.Popen([args.kioskd, "--config", str(config), "--headless", "--control", str(control)],
                                       stdout=args.log, stderr=args.log, env=env, preexec_fn=die_with_parent)
        status = await self.until(lambda: (s := control_request(control, {"cmd": "status"}) if control.exists() else None)
                                  and s.get("state") == "standby" and s.get("pair_uri") and s, 30, "kioskd in standby")
        password_file = write_secret(self.dir / "alice.password", info["users"]["alice"]["password"])
        bob = info["users"]["bob"]["jid"]
        phone_log = open(self.dir / "phone.out", "wb")
        self.files.append(phone_log)
        self.phone = subprocess.Popen(
            phone_as_alice(args.phone, info, password_file,
                           ["pair", "--uri", status["pair_uri"], "--view", "stream",
                            "--param", f"room={self.room}", "--param", f"nick={NICKS['kioskd']}",
                            "--param", f"report={bob}/bench-sender",
                            "--accept", f"message,ns={STREAM_NS},from={self.room}",
                            "--send", f"presence,to={self.room}", "--send", f"message,to={bob}",
                            "--hold-until-ended", "--timeout", "30"]),
            stdout=phone_log, stderr=args.log, preexec_fn=die_with_parent)

    def server_key_pin(self) -> str:
        """The base64 SHA-256 of the HTTPS server's public key (SPKI), once its certificate
        verified against the fixture's CA: what Chromium is told to trust."""
        with socket.create_connection((self.info["host"], self.info["https_port"]), timeout=10) as raw:
            with tls_context(self.info["ca_file"]).wrap_socket(raw, server_hostname="localhost") as tls:
                certificate = ssl.DER_cert_to_PEM_cert(tls.getpeercert(binary_form=True))
        # The public key in PEM: its base64 body is the SPKI's DER.
        key = subprocess.run(["openssl", "x509", "-noout", "-pubkey"], input=certificate,
                             capture_output=True, check=True, text=True).stdout
        der = base64.b64decode("".join(line for line in key.splitlines() if not line.startswith("-----")))
        return base64.b64encode(hashlib.sha256(der).digest()).decode()

    def start_browser(self, name: str, server_key_pin: str) -> subprocess.Popen:
        profile = self.dir / f"chromium-{name}"
        log = open(self.dir / f"chromium-{name}.log", "wb")
        self.files.append(log)
        url = f"http://127.0.0.1:{self.pages.port}/strophe.html?name={name}"
        return subprocess.Popen(
            [self.args.chromium, "--headless", "--no-sandbox", "--disable-gpu",
             f"--ignore-certificate-errors-spki-list={server_key_pin}",
             f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--disable-background-timer-throttling",
             "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows", "--mute-audio",
             "--window-size=1280,720", "--enable-logging=stderr", "--v=0", url],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=die_with_parent)

    def read_receiver(self) -> None:
        for line in self.receiver.stdout:
            try:
                report = json.loads(line)
                self.loop.call_soon_threadsafe(self.reports.add, "slixmpp", report["name"], report["value"])
            except (ValueError, KeyError):
                note(f"page-server: the slixmpp receiver said {line[:200]!r}")

    def check_alive(self) -> None:
        for what, process in (("kioskd", self.kioskd), ("kiosk-phone", self.phone), ("the slixmpp receiver", self.receiver),
                              *((f"chromium ({name})", p) for name, p in self.browsers.items())):
            if process is not None and process.poll() is not None:
                detail = ""
                if what == "kiosk-phone":
                    detail = ": " + (self.dir / "phone.out").read_text(errors="replace").strip().replace("\n", " | ")[-600:]
                raise RuntimeError(f"{what} exited with {process.returncode}{detail}")
        for receiver in self.receivers:
            failed = self.reports.find(receiver, "failed")
            if failed is not None:
                raise RuntimeError(f"{receiver} failed: {failed}")

    async def until(self, predicate, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if self.sender is not None:
                self.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
            await self.reports.changes(0.05)

    # --- measuring ---

    def process_groups(self) -> dict[str, list[int]]:
        groups = {name: self.browser_trees[name] + process_tree(self.browsers[name].pid) for name in self.browsers}
        if self.kioskd is not None:
            groups["kioskd"] = process_tree(self.kioskd.pid)
            groups["kioskd_process"] = [self.kioskd.pid]  # without its web engine's processes
        if self.receiver is not None:
            groups["slixmpp"] = [self.receiver.pid]
        groups["server"] = list(self.info.get("pids", []))
        return groups

    def cpu(self, groups: dict[str, list[int]]) -> dict[str, float]:
        return {name: cpu_seconds_of(sorted(set(pids))) for name, pids in groups.items()}

    async def collect(self, run: str, count: int) -> dict[str, dict]:
        """Every receiver's 'done' report of the run (after the end marker went out); a
        receiver that sends none in time is reported missing (None)."""
        timeout = 60 + count / 500
        try:
            await self.until(lambda: all(self.reports.find(r, "done", run) for r in self.receivers), timeout,
                             f"every receiver's report of {run}")
        except RuntimeError as error:
            if "timed out" not in str(error):
                raise
            late = [r for r in self.receivers if not self.reports.find(r, "done", run)]
            self.problems.append(f"{run}: no report from {', '.join(late)} within {timeout:.0f} s of the "
                                 f"end marker")
        return {r: self.reports.find(r, "done", run) for r in self.receivers}

    def check_counts(self, run: str, count: int, done: dict) -> None:
        for r, value in done.items():
            if value is None:
                continue
            if value.get("count") != count or value.get("duplicates"):
                self.problems.append(f"{run}: {r} got {value.get('count')} of {count} messages "
                                     f"({value.get('duplicates')} duplicates)")
            if value.get("outOfOrder"):
                self.problems.append(f"{run}: {r} got {value['outOfOrder']} messages out of order")

    async def flood(self, run: str, count: int) -> dict:
        groups = self.process_groups()
        cpu_before = self.cpu(groups)
        self.sender.control(run, "start", count)
        sent = await self.sender.flood(run, count)
        self.sender.control(run, "end")
        done = await self.collect(run, count)
        cpu = {name: (seconds - cpu_before[name]) * 1e6 / count for name, seconds in self.cpu(groups).items()}
        self.check_counts(run, count, done)
        result = {"sent": sent, "cpu": cpu, "receivers": {}}
        for r, value in done.items():
            if value and value.get("count", 0) >= 2 and value["last"] > value["first"]:
                result["receivers"][r] = {"rate": (value["count"] - 1) / ((value["last"] - value["first"]) / 1000),
                                          "lag": value["last"] - sent["acked"], "count": value["count"]}
        return result

    async def paced(self, run: str, rate: int, seconds: int) -> dict:
        count = rate * seconds
        self.sender.control(run, "start", count)
        sent = await self.sender.paced(run, rate, seconds)
        self.sender.control(run, "end")
        done = await self.collect(run, count)
        self.check_counts(run, count, done)
        return {"sent": sent, "receivers": {r: [v / 1000 for v in value["latencies"]]
                                            for r, value in done.items() if value},
                "skew": {r: value.get("skew") for r, value in done.items() if value}}

    # --- stopping everyone ---

    async def close(self) -> None:
        if self.phone is not None and self.phone.poll() is None:
            # kiosk-phone ends the session on SIGTERM and waits for the display's notice.
            self.phone.terminate()
            for _ in range(200):
                if self.phone.poll() is not None:
                    break
                await asyncio.sleep(0.05)
        stop(self.phone)
        stop(self.kioskd, 15)
        for name, process in self.browsers.items():
            stop(process)
            # Whatever of its tree is still there (a browser's helpers leave with it).
            for pid in self.browser_trees.get(name, []):
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
        stop(self.receiver)
        if self.receiver_thread is not None:
            self.receiver_thread.join(5)
        if self.sender is not None:
            try:
                await asyncio.wait_for(self.sender.disconnect(wait=2), 5)
            except (asyncio.TimeoutError, Exception):
                pass
        if self.pages is not None:
            self.pages.close()
        for name in self.browsers:
            # The pages' console (errors, Strophe's trouble) goes to the benchmark's log.
            path = self.dir / f"chromium-{name}.log"
            if path.exists():
                for line in path.read_text(errors="replace").splitlines():
                    if "CONSOLE" in line:
                        self.args.log.write(f"chromium {name}: {line}\n".encode())
        self.args.log.flush()
        for file in self.files:
            file.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def chromium_version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout.split()
        return next((word for word in out if word[:1].isdigit()), "unknown")
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


async def run(args, info: dict) -> int:
    loop = asyncio.get_running_loop()
    bench = Bench(args, info, loop)
    token = secrets.token_hex(3)
    floods, latencies, skews, paced_sent = [], {}, {}, None
    load_start = float(Path("/proc/loadavg").read_text().split()[0])
    try:
        await bench.start()
        note(f"page-server: every receiver is in {bench.room}")
        if args.warmup > 0:
            await bench.flood(f"w-{token}", args.warmup)
        for round_ in range(1, args.rounds + 1):
            result = await bench.flood(f"f{round_}-{token}", args.messages)
            floods.append(result)
            sent, cpu = result["sent"], result["cpu"]
            parts = []
            for r in args.receivers:
                got = result["receivers"].get(r)
                parts.append(f"{LABELS[r]} {got['rate']:6.0f} msg/s, last {got['lag']:+7.1f} ms, "
                             f"{cpu[r]:5.1f} us CPU/msg" if got else f"{LABELS[r]} no figure")
            duration = (sent["acked"] - sent["start"]) / 1000
            note(f"page-server round {round_}: " + " | ".join(parts) +
                 f" | sender wrote {args.messages / ((sent['written'] - sent['start']) / 1000):.0f} msg/s, server took "
                 f"{args.messages / duration:.0f} msg/s using {cpu['server']:.1f} us CPU/msg")
        if args.rate > 0 and args.seconds > 0:
            result = await bench.paced(f"p-{token}", args.rate, args.seconds)
            latencies, skews, paced_sent = result["receivers"], result["skew"], result["sent"]
            if args.latencies:
                Path(args.latencies).write_text(json.dumps(latencies))
            note("page-server paced: " + " | ".join(
                f"{LABELS[r]} p50 {percentile(latencies.get(r, []), 50):.2f} ms, "
                f"p99 {percentile(latencies.get(r, []), 99):.2f} ms" for r in args.receivers)
                + f" | sent at {paced_sent['rate']:.1f} msg/s")
    except (RuntimeError, asyncio.TimeoutError, slixmpp.exceptions.IqTimeout, slixmpp.exceptions.IqError) as error:
        bench.problems.append(f"{type(error).__name__}: {error}")
    finally:
        strophe = bench.reports.find("strophe_ws", "ready") or bench.reports.find("strophe_bosh", "ready") or {}
        await bench.close()

    emit("page_server_messages", args.messages, "messages")
    emit("page_server_rounds", len(floods), "rounds")
    emit("page_server_paced_rate", args.rate, "msg/s")
    emit("page_server_paced_messages", args.rate * args.seconds, "messages")
    emit("page_server_load_1min_start", load_start, "load")
    emit("page_server_receivers", ",".join(args.receivers), "receivers")
    if any(name.startswith("strophe") for name in args.receivers):
        emit("page_server_chromium_version", chromium_version(args.chromium), "version")
        emit("page_server_strophe_version", strophe.get("strophe", "unknown"), "version")
    for r in args.receivers:
        rates = [f["receivers"][r]["rate"] for f in floods if r in f["receivers"]]
        emit(f"page_server_{r}_msgs_per_s_median", median(rates), "msg/s")
        emit(f"page_server_{r}_msgs_per_s_best", max(rates, default=float("nan")), "msg/s")
        emit(f"page_server_{r}_lag_ms_median",
             median([f["receivers"][r]["lag"] for f in floods if r in f["receivers"]]), "ms")
        emit(f"page_server_{r}_cpu_us_per_msg_median", median([f["cpu"][r] for f in floods]), "us/msg")
        if r == "kioskd":
            emit("page_server_kioskd_process_cpu_us_per_msg_median",
                 median([f["cpu"]["kioskd_process"] for f in floods]), "us/msg")
        values = latencies.get(r, [])
        emit(f"page_server_{r}_latency_ms_min", percentile(values, 0), "ms")
        for p in (50, 90, 99):
            emit(f"page_server_{r}_latency_ms_p{p}", percentile(values, p), "ms")
        emit(f"page_server_{r}_latency_ms_max", percentile(values, 100), "ms")
        if skews.get(r) is not None:
            emit(f"page_server_{r}_clock_skew_ms", float(skews[r]), "ms")
    if "kioskd" in args.receivers and "slixmpp" in args.receivers:
        ratios = [f["receivers"]["kioskd"]["rate"] / f["receivers"]["slixmpp"]["rate"] for f in floods
                  if "kioskd" in f["receivers"] and "slixmpp" in f["receivers"]]
        emit("page_server_kioskd_over_slixmpp_rate_median", median(ratios), "x")
    emit("page_server_sender_msgs_per_s_median",
         median([args.messages / ((f["sent"]["written"] - f["sent"]["start"]) / 1000) for f in floods]), "msg/s")
    emit("page_server_server_took_msgs_per_s_median",
         median([args.messages / ((f["sent"]["acked"] - f["sent"]["start"]) / 1000) for f in floods]), "msg/s")
    emit("page_server_server_cpu_us_per_msg_median", median([f["cpu"]["server"] for f in floods]), "us/msg")
    emit("page_server_sender_cpu_us_per_msg_median",
         median([f["sent"]["cpu"] * 1e6 / args.messages for f in floods]), "us/msg")
    if paced_sent:
        emit("page_server_paced_sent_msgs_per_s", paced_sent["rate"], "msg/s")
    emit("page_server_load_1min_end", float(Path("/proc/loadavg").read_text().split()[0]), "load")
    emit("page_server_problems", len(bench.problems), "problems")
    for problem in bench.problems:
        note(f"page-server: {problem}")
    return 1 if bench.problems or len(floods) < args.rounds else 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "receiver":
        parser = argparse.ArgumentParser(prog="page_prosody.py receiver")
        parser.add_argument("receiver")
        parser.add_argument("--info", required=True)
        parser.add_argument("--room", required=True)
        parser.add_argument("--nick", required=True)
        return receiver_main(parser.parse_args())

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kioskd", required=True)
    parser.add_argument("--phone", required=True, help="the kiosk-phone program")
    parser.add_argument("--info", required=True, help="the fixture Prosody's info.json")
    parser.add_argument("--messages", type=int, default=20000, help="messages per flood round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=int, default=200, help="paced phase: messages per second")
    parser.add_argument("--seconds", type=int, default=10, help="paced phase: how long")
    parser.add_argument("--warmup", type=int, default=1000, help="messages of the uncounted first flood")
    parser.add_argument("--receivers", default=",".join(RECEIVERS),
                        help=f"a comma-separated choice of {', '.join(RECEIVERS)} (default: all)")
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument("--strophe", help="strophe.js (default: Debian's libjs-strophe)")
    parser.add_argument("--apps", default=str(HERE / "apps"), help="kioskd's apps folder")
    parser.add_argument("--latencies", help="write the paced phase's latencies (ms, per receiver, in arrival order) "
                        "to this file as JSON")
    parser.add_argument("--log", default=os.devnull, help="kioskd's, the clients' and the pages' output goes here")
    args = parser.parse_args()
    if args.messages < 2 or args.rounds < 1 or args.rate < 0 or args.seconds < 0 or args.warmup < 0:
        parser.error("--messages must be at least 2, --rounds at least 1, the others not negative")
    chosen = [name for name in args.receivers.split(",") if name]
    if not chosen or any(name not in RECEIVERS for name in chosen):
        parser.error(f"--receivers takes a comma-separated choice of {', '.join(RECEIVERS)}")
    args.receivers = [name for name in RECEIVERS if name in chosen]
    if any(name.startswith("strophe") for name in args.receivers):
        if args.strophe is None:
            args.strophe = next((path for path in STROPHE_FILES if Path(path).exists()), None)
        if not args.strophe or not Path(args.strophe).exists():
            print("page_prosody.py: no strophe.js (apt-get install libjs-strophe, or --strophe FILE)", file=sys.stderr)
            return 2
        args.strophe = Path(args.strophe)
        if not shutil.which(args.chromium):
            print(f"page_prosody.py: no {args.chromium} (apt-get install chromium)", file=sys.stderr)
            return 2
    exit_on_sigterm()
    logging.basicConfig(level=logging.ERROR)
    info = json.loads(Path(args.info).read_text())
    args.log = open(args.log, "ab")
    return asyncio.run(run(args, info))


if __name__ == "__main__":
    sys.exit(main())
