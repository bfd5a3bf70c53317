"""Runs kioskd (and kiosk-phone) for the process-level tests: configuration from a
fixture server's description, the control socket, screenshots read back with zbarimg."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "interop"))
from xmpppeer import Peer, server_info  # noqa: E402,F401  (server_info re-exported for the tests)

import asyncio  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

import slixmpp  # noqa: E402

MOBILITY_NS = "urn:kioskd:mobility:0"

KIOSKD = os.environ.get("KIOSKD_BIN", "kioskd")
KIOSK_PHONE = os.environ.get("KIOSK_PHONE_BIN", "kiosk-phone")


def decode_qr(png: Path) -> str | None:
    """The text of the one QR code in png, or None when there is none."""
    result = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, timeout=30)
    if result.returncode == 4:
        return None
    if result.returncode != 0:
        raise RuntimeError(f"zbarimg failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout.strip()


def wait_for(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Kioskd:
    """One kioskd process, headless, with its own config, secret and control socket."""

    def __init__(self, info: dict, apps_dir: Path | None = None, transfer: dict | None = None, **display):
        self.info = info
        self.dir = Path(tempfile.mkdtemp(prefix="kioskd-test-"))
        self.socket = self.dir / "control.sock"
        self.config = self.dir / "kioskd.ini"
        self.log = self.dir / "kioskd.log"
        secret = self.dir / "device.secret"
        secret.write_text(info["users"]["display"]["password"] + "\n")
        secret.chmod(0o600)
        options = {"label": "Hotel Lobby", "pairing-rotation": 60, "idle-timeout": 300, "max-sessions": 1}
        options.update(display)
        lines = ["[device]", f"jid = {info['users']['display']['jid']}/display", f"password-file = {secret}",
                 f"host = {info['host']}", f"port = {info['starttls_port']}", "tls = starttls",
                 f"ca-file = {info['ca_file']}", "[display]"]
        lines += [f"{key} = {value}" for key, value in options.items()]
        lines += ["[domains]", f"{info['domain']} = {info['host']}:{info['starttls_port']}"]
        if apps_dir:
            lines += ["[apps]", f"dir = {apps_dir}"]
        if transfer:
            lines += ["[transfer]"] + [f"{key} = {value}" for key, value in transfer.items()]
        self.config.write_text("\n".join(lines) + "\n")
        self.process = None

    def start(self, *extra: str, wait_state: str | None = "standby") -> "Kioskd":
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([KIOSKD, "--config", str(self.config), "--headless",
                                             "--control", str(self.socket), *extra],
                                            stdout=log, stderr=subprocess.STDOUT, env=env)
        wait_for(self.socket.exists, 20, what="the control socket")
        if wait_state:
            self.wait_state(wait_state, 30)
        return self

    def request(self, payload: dict, timeout: float = 15) -> dict:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(self.socket))
            s.sendall((json.dumps(payload) + "\n").encode())
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return json.loads(data)

    def status(self) -> dict:
        return self.request({"cmd": "status"})

    def wait_state(self, state: str, timeout: float) -> dict:
        return wait_for(lambda: (s := self.status())["state"] == state and s, timeout, 0.2,
                        what=f"state {state} (log: {self.log})")

    def wait_active_session(self, timeout: float = 20) -> dict:
        """Waits until the first session is active (signed in), not merely paired; returns the status."""
        return wait_for(lambda: (s := self.status())["sessions"] and s["sessions"][0]["state"] == "active" and s,
                        timeout, what=f"an active session (log: {self.log})")

    def screenshot(self, name: str) -> Path:
        path = self.dir / f"{name}.png"
        reply = self.request({"cmd": "screenshot", "path": str(path)})
        assert reply == {"ok": True}, reply
        return path

    def wait_for_qr(self, expected, timeout: float = 20) -> str:
        """Waits until the screen shows a QR code of expected() (the code fades in)."""
        shots = iter(range(1000))
        return wait_for(lambda: decode_qr(self.screenshot(f"qr-{next(shots)}")) == (want := expected()) and want,
                        timeout, 0.2, what="the QR code on screen to match")

    def stop(self) -> int:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode if self.process else 0
        # Kept for a look when something went wrong (or when asked to).
        if code == 0 and not os.environ.get("KIOSKD_KEEP_TEST_DIRS"):
            self.output_text = self.output()
            shutil.rmtree(self.dir, ignore_errors=True)
        return code

    def output(self) -> str:
        if self.log.exists():
            return self.log.read_text(errors="replace")
        return getattr(self, "output_text", "")


def phone_args(info: dict, role: str, password_file: Path, *, resource: str = "phone", tls: str = "starttls") -> list[str]:
    """kiosk-phone's connection options for `role` on the fixture server."""
    port = info["starttls_port"] if tls == "starttls" else info["direct_tls_port"]
    return [KIOSK_PHONE, "--jid", info["users"][role]["jid"], "--password-file", str(password_file),
            "--resource", resource, "--host", info["host"], "--port", str(port), "--tls", tls,
            "--ca-file", info["ca_file"]]


class Phone:
    """kiosk-phone run to completion or in the background; its JSON events parsed."""

    def __init__(self, info: dict, role: str = "alice", password: str | None = None, resource: str = "phone"):
        self.dir = Path(tempfile.mkdtemp(prefix="kiosk-phone-"))
        self.password_file = self.dir / "password"
        self.password_file.write_text((password if password is not None else info["users"][role]["password"]) + "\n")
        self.password_file.chmod(0o600)
        self.base = phone_args(info, role, self.password_file, resource=resource)
        self.process = None
        self.stdout = ""
        self.stderr = ""

    def run(self, *args: str, timeout: float = 120) -> int:
        result = subprocess.run([*self.base, *args], capture_output=True, text=True, timeout=timeout)
        self.stdout, self.stderr = result.stdout, result.stderr
        return result.returncode

    def start(self, *args: str) -> "Phone":
        self.process = subprocess.Popen([*self.base, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return self

    def wait(self, timeout: float = 120) -> int:
        self.stdout, self.stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode

    def __del__(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.startswith("{")]

    def event(self, name: str, **match) -> dict | None:
        for event in self.events():
            if event.get("event") == name and all(event.get(k) == v for k, v in match.items()):
                return event
        return None


async def with_peer(info: dict, role: str, resource: str, action):
    """Runs action(peer) with a slixmpp client logged in as role/resource."""
    user = info["users"][role]
    peer = Peer(f"{user['jid']}/{resource}", user["password"], info["ca_file"])
    peer.open(info, "starttls")
    await asyncio.wait_for(peer.online, 20)
    try:
        return await action(peer)
    finally:
        peer.disconnect()
        await asyncio.sleep(0.1)


async def request(peer, to: str, payload: str, kind: str = "set"):
    """Sends an IQ; None on a result, else (condition, [application conditions in m:])."""
    iq = peer.Iq()
    iq["type"] = kind
    iq["to"] = to
    iq.append(ET.fromstring(payload))
    try:
        await iq.send(timeout=10)
        return None
    except slixmpp.exceptions.IqError as error:
        # Read the condition from the XML: slixmpp does not know every RFC 6120 condition.
        stanzas = "{urn:ietf:params:xml:ns:xmpp-stanzas}"
        conditions = [child.tag[len(stanzas):] for child in error.iq["error"].xml
                      if child.tag.startswith(stanzas) and child.tag != stanzas + "text"]
        app = [child.tag.split("}")[1] for child in error.iq["error"].xml
               if child.tag.startswith("{" + MOBILITY_NS)]
        return (conditions[0] if conditions else ""), app


def png_pixel(path: Path, x: int, y: int) -> tuple[int, int, int]:
    """The RGB colour at (x, y) of an 8-bit, non-interlaced RGB or RGBA PNG (what kioskd
    writes), decoded here to need nothing beyond the standard library."""
    import struct
    import zlib
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunk = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, f"unsupported PNG {header}"
    channels = 4 if colour == 6 else 3
    stride = width * channels
    raw = zlib.decompress(idat)
    previous = bytearray(stride)
    for row in range(y + 1):
        line_start = row * (stride + 1)
        kind, line = raw[line_start], bytearray(raw[line_start + 1:line_start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                estimate = left + up - upper_left
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - upper_left)
                nearest = left if pa <= pb and pa <= pc else up if pb <= pc else upper_left
                line[i] = (line[i] + nearest) & 255
        previous = line
    pixel = previous[x * channels:x * channels + 3]
    return pixel[0], pixel[1], pixel[2]
