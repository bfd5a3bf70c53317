#!/usr/bin/python3
"""Session transfer against a real server (KIOSKD_TEST_SERVER): state moves from the phone
to the display by each method and comes back by pull-back; a corrupted digest, malicious
archives and a phone vanishing mid-transfer leave the display's session unchanged."""
import hashlib
import io
import json
import os
import random
import shutil
import signal
import stat
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kioskdrun import Kioskd, Phone, server_info, wait_for  # noqa: E402

SERVER = os.environ.get("KIOSKD_TEST_SERVER", "prosody")
APPS = Path(__file__).resolve().parent / "apps"
M = "urn:kioskd:mobility:0"
VIEW = ["--view", "statekeeper", "--accept", "message,ns=urn:example:none"]


def packet_log(count: int) -> str:
    """A log.xml of count chat messages, one second apart."""
    entries = []
    for i in range(count):
        stamp = f"2026-01-02T03:04:{i % 60:02d}.{i:03d}Z"
        entries.append(f"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='{stamp}'/>"
                       f"<message xmlns='jabber:client' from='bob@localhost/pc' to='alice@localhost' type='chat' "
                       f"id='m{i}'><body>message {i} \u00e9\u4e2d</body></message></forwarded>")
    return f"<log xmlns='{M}'>" + "".join(entries) + "</log>"


def make_state(folder: Path, files: dict[str, bytes], log_count: int = 0) -> Path:
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    if log_count:
        (folder / "log.xml").write_text(packet_log(log_count))
    return folder


def zip_with(entries) -> bytes:
    """entries: (ZipInfo or name, data) pairs, written as they are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def symlink_entry(name: str, target: str):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


class Transfer(unittest.TestCase):
    info = server_info(SERVER)

    def setUp(self):
        self.work = Path(tempfile.mkdtemp(prefix="kioskd-transfer-"))
        self.kioskd = Kioskd(self.info, apps_dir=APPS, transfer={"max-state-mb": 32},
                             # Long enough that a session whose phone gave up is still there to check.
                             **{"phone-offline-grace": 15}).start()

    def tearDown(self):
        self.assertEqual(self.kioskd.stop(), 0, "kioskd did not exit cleanly")
        shutil.rmtree(self.work, ignore_errors=True)

    def pair(self, *args: str, timeout: float = 180) -> Phone:
        phone = Phone(self.info)
        phone.code = phone.run("pair", "--uri", self.kioskd.status()["pair_uri"], *args, timeout=timeout)
        return phone

    def session(self) -> dict:
        sessions = self.kioskd.status()["sessions"]
        self.assertEqual(len(sessions), 1, sessions)
        return sessions[0]

    def assert_round_trip(self, method: str, files: dict[str, bytes], log_count: int):
        source = make_state(self.work / f"{method}-out", files, log_count)
        back = self.work / f"{method}-back"
        phone = self.pair(*VIEW, "--send-state", str(source), "--methods", method, "--hold", "1",
                          "--pull-state", str(back), "--end")
        self.assertEqual(phone.code, 0, phone.stdout + phone.stderr)
        self.assertEqual(phone.event("state-sent")["method"], method)
        received = phone.event("state-received")
        self.assertIsNotNone(received, phone.stdout)
        # Everything sent reached the page, which gave it back with its own note.
        for name, data in files.items():
            self.assertEqual((back / name).read_bytes(), data, name)
        note = json.loads((back / "display-note.txt").read_text())
        self.assertEqual(note["files"], sorted(files))
        self.assertEqual(note["log"], log_count)
        self.assertEqual(note["deliveries"], 1)
        if log_count:
            self.assertEqual(note["stamps"][0], "2026-01-02T03:04:00.000Z")
        self.kioskd.wait_state("standby", 15)
        return phone

    # --- each method, both ways -------------------------------------------------------

    def test_inband_moves_state_and_back(self):
        files = {"snapshot.xml": b"<snapshot>" + b"x" * 150_000 + b"</snapshot>", "empty.txt": b"",
                 "caf\u00e9 \u4e2d.json": "{\"\u00e9\": 1}".encode()}
        self.assert_round_trip("inband", files, 20)

    def test_upload_moves_state_and_back(self):
        files = {"photo.bin": random.randbytes(300_000), "notes.txt": b"hello", "empty.txt": b""}
        self.assert_round_trip("upload", files, 5)

    def test_bundle_moves_state_and_back(self):
        files = {"a.json": b"{}" * 1000, "b.bin": random.randbytes(50_000)}
        self.assert_round_trip("bundle", files, 3)

    def test_twenty_megabytes_by_upload_and_by_bundle(self):
        data = random.randbytes(20 * 1024 * 1024)
        for method in ("upload", "bundle"):
            source = make_state(self.work / f"big-{method}", {"big.bin": data})
            back = self.work / f"big-{method}-back"
            phone = self.pair(*VIEW, "--send-state", str(source), "--methods", method, "--hold", "1",
                              "--pull-state", str(back), "--end")
            self.assertEqual(phone.code, 0, phone.stdout + phone.stderr)
            self.assertEqual(phone.event("state-sent")["method"], method)
            # The page received the 20 MiB and handed them back unchanged.
            self.assertEqual(hashlib.sha256((back / "big.bin").read_bytes()).digest(), hashlib.sha256(data).digest())
            self.kioskd.wait_state("standby", 15)

    def test_pull_back_while_the_page_loads_waits_for_it(self):
        # Straight after the view opens the page is still loading: the display waits for
        # it instead of refusing, and the state sent just before is in the snapshot.
        source = make_state(self.work / "quick", {"a.txt": b"quick"})
        back = self.work / "quick-back"
        phone = self.pair(*VIEW, "--send-state", str(source), "--pull-state", str(back), "--end")
        self.assertEqual(phone.code, 0, phone.stdout + phone.stderr)
        self.assertEqual((back / "a.txt").read_bytes(), b"quick")
        self.assertEqual(json.loads((back / "display-note.txt").read_text())["deliveries"], 1)
        self.kioskd.wait_state("standby", 15)

    # --- what must change nothing -----------------------------------------------------

    def assert_refused(self, phone: Phone, reason: str):
        """The phone gave up (without ending the session): it was told the reason, and the
        display, whose session is still there, failed the transfer and applied nothing.
        Then the session is ended and the display is back in standby."""
        self.assertEqual(phone.code, 1, phone.stdout + phone.stderr)
        error = phone.event("error")
        self.assertEqual(error["condition"], f"transfer-{reason}", phone.stdout)
        session = self.session()
        self.assertEqual(session["transfer"]["state"], "failed", session)
        self.assertEqual(session["transfer"]["reason"], reason, session)
        self.assertNotIn("received_state", session)
        self.assertIn(f'failed: "{reason}"', self.kioskd.output())
        self.assertEqual(self.kioskd.request({"cmd": "end", "sid": session["sid"]}), {"ok": True})
        self.kioskd.wait_state("standby", 20)

    def test_corrupted_digest_applies_nothing(self):
        for method in ("inband", "upload"):
            source = make_state(self.work / f"corrupt-{method}", {"state.json": b"{\"a\": 1}"}, 2)
            phone = self.pair(*VIEW, "--send-state", str(source), "--methods", method, "--fault", "corrupt-digest")
            self.assert_refused(phone, "digest")

    def test_malicious_archives_are_refused(self):
        bomb = b"\0" * (20 * 1024 * 1024)
        archives = {
            "absolute": (zip_with([("/etc/evil", b"x"), ("log.xml", f"<log xmlns='{M}'/>")]), "archive"),
            "dotdot": (zip_with([("../evil", b"x"), ("log.xml", f"<log xmlns='{M}'/>")]), "archive"),
            "link": (zip_with([symlink_entry("link", "/etc/passwd"), ("log.xml", f"<log xmlns='{M}'/>")]), "archive"),
            "entries": (zip_with([(f"f{i}", b"") for i in range(1001)] + [("log.xml", f"<log xmlns='{M}'/>")]), "size"),
            # Hex text deflates to about half: a small archive, more than 32 MiB expanded.
            "expanded": (zip_with([("big", random.randbytes(17 * 1024 * 1024).hex().encode()),
                                   ("log.xml", f"<log xmlns='{M}'/>")]), "size"),
            "ratio": (zip_with([("zeros", bomb), ("log.xml", f"<log xmlns='{M}'/>")]), "size"),
        }
        empty = make_state(self.work / "empty", {})
        for name, (archive, reason) in archives.items():
            with self.subTest(name):
                path = self.work / f"{name}.zip"
                path.write_bytes(archive)
                phone = self.pair(*VIEW, "--send-state", str(empty), "--methods", "bundle",
                                  "--fault", f"bundle-file={path}")
                self.assert_refused(phone, reason)

    def test_phone_vanishing_mid_transfer_applies_nothing(self):
        source = make_state(self.work / "slow", {"big.bin": random.randbytes(12 * 1024 * 1024)})
        phone = Phone(self.info)
        phone.start("pair", "--uri", self.kioskd.status()["pair_uri"], *VIEW, "--send-state", str(source),
                    "--methods", "inband", "--hold", "60")
        wait_for(lambda: (s := self.kioskd.status()["sessions"]) and s[0].get("transfer", {}).get("bytes", 0) > 0,
                 60, 0.05, what="the transfer to start")
        phone.process.send_signal(signal.SIGKILL)
        phone.wait(10)
        session = wait_for(lambda: (s := self.kioskd.status()["sessions"]) and s[0]["transfer"]["state"] == "failed" and s[0],
                           30, 0.1, what="the transfer to fail")
        self.assertNotIn("received_state", session)
        self.assertLess(session["transfer"]["bytes"], session["transfer"]["total"])
        # The display serves on: the session ends for the missing phone, the next one pairs.
        self.kioskd.wait_state("standby", 45)
        source = make_state(self.work / "after", {"a.txt": b"after"})
        phone = self.pair(*VIEW, "--send-state", str(source), "--end")
        self.assertEqual(phone.code, 0, phone.stdout + phone.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
