#!/usr/bin/python3
"""kioskd standby against a real Prosody: status and QR code, token rotation, offline and
back, disco#info, and bad configurations."""
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kioskdrun import KIOSKD, Kioskd, decode_qr, request, server_info, wait_for, with_peer  # noqa: E402

M = "urn:kioskd:mobility:0"
SERVERS_DIR = os.environ.get("KIOSKD_TEST_SERVERS", "")
FIXTURES = Path(os.environ.get("KIOSKD_SOURCE_DIR", ".")) / "tests" / "fixtures" / "servers.py"


def token_of(uri: str) -> str:
    return dict(part.split("=", 1) for part in uri.split("?", 1)[1].split(";")[1:])["pair"]


async def send_pair(peer, display_jid: str, token: str, sid: str = "s1"):
    return await request(peer, display_jid, f"<pair xmlns='{M}' sid='{sid}' token='{token}'><auth method='sasl-relay'/></pair>")


class Standby(unittest.TestCase):
    info = server_info("prosody")

    def setUp(self):
        self.kioskd = Kioskd(self.info, **{"pairing-rotation": 10}).start()

    def tearDown(self):
        code = self.kioskd.stop()
        if code != 0:
            print(self.kioskd.output())
        self.assertEqual(code, 0, "kioskd did not exit cleanly on SIGTERM")

    def test_status_reports_standby_and_the_screen_shows_that_uri(self):
        status = self.kioskd.status()
        self.assertTrue(status["ok"])
        self.assertEqual(status["state"], "standby")
        self.assertEqual(status["device_jid"], f"{self.info['users']['display']['jid']}/display")
        self.assertEqual(status["sessions"], [])
        uri = status["pair_uri"]
        self.assertTrue(uri.startswith(f"xmpp:{status['device_jid']}?kiosk;pair="), uri)
        self.assertEqual(unquote(uri.split(";name=")[1]), "Hotel Lobby")
        token = token_of(uri)
        self.assertGreaterEqual(len(token) * 5, 80)
        self.kioskd.wait_for_qr(lambda: self.kioskd.status()["pair_uri"])

    def test_token_rotates_and_the_old_one_dies_after_the_grace_period(self):
        first = self.kioskd.status()["pair_uri"]
        second = wait_for(lambda: (u := self.kioskd.status()["pair_uri"]) != first and u, 15, 0.25,
                          what="a new pair URI")
        self.kioskd.wait_for_qr(lambda: self.kioskd.status()["pair_uri"])
        display = self.kioskd.status()["device_jid"]
        time.sleep(10.5)  # the grace period
        refusal = asyncio.run(with_peer(self.info, "alice", "phone", lambda peer: send_pair(peer, display, token_of(first))))
        self.assertEqual(refusal, ("not-authorized", ["invalid-token"]))
        self.assertNotEqual(first, second)

    def test_offline_while_the_server_is_down_then_back(self):
        halt = subprocess.run([sys.executable, str(FIXTURES), "halt", "prosody", "--dir", SERVERS_DIR])
        self.assertEqual(halt.returncode, 0)
        try:
            status = self.kioskd.wait_state("offline", 15)
            self.assertIsNone(status["pair_uri"])
            time.sleep(0.5)  # the code's fade-out
            self.assertIsNone(decode_qr(self.kioskd.screenshot("offline")), "a code is shown while offline")
        finally:
            resume = subprocess.run([sys.executable, str(FIXTURES), "resume", "prosody", "--dir", SERVERS_DIR])
        self.assertEqual(resume.returncode, 0)
        status = self.kioskd.wait_state("standby", 70)
        self.assertIsNotNone(status["pair_uri"])
        self.kioskd.wait_for_qr(lambda: self.kioskd.status()["pair_uri"])
        shell = subprocess.run(["prosodyctl", "--config", self.info["config"], "shell", "c2s:show()"],
                               capture_output=True, text=True, timeout=20)
        sessions = [line for line in shell.stdout.splitlines() if "lobby@localhost" in line]
        self.assertEqual(len(sessions), 1, shell.stdout)

    def test_disco_info_shows_the_feature_and_identity(self):
        display = self.kioskd.status()["device_jid"]

        async def disco(peer):
            iq = peer.Iq()
            iq["type"] = "get"
            iq["to"] = display
            iq.append(ET.fromstring("<query xmlns='http://jabber.org/protocol/disco#info'/>"))
            return await iq.send(timeout=10)

        reply = asyncio.run(with_peer(self.info, "alice", "phone", disco))
        query = reply.xml.find("{http://jabber.org/protocol/disco#info}query")
        features = {f.get("var") for f in query.findall("{http://jabber.org/protocol/disco#info}feature")}
        identities = [(i.get("category"), i.get("type"), i.get("name"))
                      for i in query.findall("{http://jabber.org/protocol/disco#info}identity")]
        self.assertIn(M, features)
        self.assertIn(("client", "pc", "Hotel Lobby"), identities)


class BadConfig(unittest.TestCase):
    info = server_info("prosody")

    def run_kioskd(self, *args: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        return subprocess.run([KIOSKD, *args, "--headless"], capture_output=True, text=True, timeout=30, env=env)

    def assert_refused(self, result, *words: str):
        self.assertEqual(result.returncode, 2, result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        for word in words:
            self.assertIn(word, lines[0])

    def config_with(self, **replace) -> str:
        kioskd = Kioskd(self.info)
        text = kioskd.config.read_text()
        for key, value in replace.items():
            key = key.replace("_", "-")
            lines = [line for line in text.splitlines() if not line.startswith(f"{key} =")]
            if value is not None:
                lines.insert(1 if key in ("jid", "password-file", "port", "host", "tls") else len(lines), f"{key} = {value}")
            text = "\n".join(lines) + "\n"
        kioskd.config.write_text(text)
        return str(kioskd.config)

    def test_missing_file(self):
        self.assert_refused(self.run_kioskd("--config", "/nonexistent/kioskd.ini"), "/nonexistent/kioskd.ini", "not found")

    def test_no_config_option(self):
        self.assert_refused(self.run_kioskd(), "--config")

    def test_unknown_option(self):
        self.assert_refused(self.run_kioskd("--config", "x", "--frobnicate"), "frobnicate")

    def test_missing_jid(self):
        self.assert_refused(self.run_kioskd("--config", self.config_with(jid=None)), "[device] jid")

    def test_missing_password_file_key(self):
        self.assert_refused(self.run_kioskd("--config", self.config_with(password_file=None)), "password-file")

    def test_unreadable_password_file(self):
        with tempfile.TemporaryDirectory() as directory:
            # A directory cannot be read as a file, even by root.
            self.assert_refused(self.run_kioskd("--config", self.config_with(password_file=directory)),
                                "password-file", directory)

    def test_missing_password_file(self):
        self.assert_refused(self.run_kioskd("--config", self.config_with(password_file="/nonexistent/secret")),
                            "password-file", "/nonexistent/secret")

    def test_bad_port(self):
        for port in ("0", "70000", "http"):
            self.assert_refused(self.run_kioskd("--config", self.config_with(port=port)), "port", port)

    def test_bad_tls_mode(self):
        self.assert_refused(self.run_kioskd("--config", self.config_with(tls="sometimes")), "tls", "sometimes")

    def test_bad_number(self):
        self.assert_refused(self.run_kioskd("--config", self.config_with(**{"max_sessions": "0"})), "max-sessions")

    def test_help_and_version(self):
        self.assertEqual(self.run_kioskd("--help").returncode, 0)
        version = self.run_kioskd("--version")
        self.assertEqual(version.returncode, 0)
        self.assertIn("kioskd", version.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
