#!/usr/bin/python3
"""Pairing and the user connection against a real server (KIOSKD_TEST_SERVER): the SASL
relay, OAuth tokens, every pairing error, authorization, the ways a session ends, and
proof that the password never reaches the display."""
import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kioskdrun import Kioskd, Phone, decode_qr, png_pixel, request, server_info, wait_for, with_peer  # noqa: E402

M = "urn:kioskd:mobility:0"
SERVER = os.environ.get("KIOSKD_TEST_SERVER", "prosody")
SERVERS_DIR = os.environ.get("KIOSKD_TEST_SERVERS", "")
FIXTURES = Path(os.environ.get("KIOSKD_SOURCE_DIR", ".")) / "tests" / "fixtures" / "servers.py"


def token_of(uri: str) -> str:
    return dict(part.split("=", 1) for part in uri.split("?", 1)[1].split(";")[1:])["pair"]


def pair_xml(token: str, sid: str = "s1") -> str:
    return f"<pair xmlns='{M}' sid='{sid}' token='{token}'><auth method='sasl-relay'/></pair>"


class Pairing(unittest.TestCase):
    info = server_info(SERVER)

    def setUp(self):
        self.kioskd = Kioskd(self.info, **{"idle-timeout": 300, "phone-offline-grace": 5}).start()

    def tearDown(self):
        self.assertEqual(self.kioskd.stop(), 0, "kioskd did not exit cleanly")
        self.assertNotIn("Traceback", self.kioskd.output())

    def uri(self) -> str:
        return self.kioskd.status()["pair_uri"]

    def assert_back_in_standby(self, old_uri: str):
        status = self.kioskd.wait_state("standby", 15)
        self.assertEqual(status["sessions"], [])
        self.assertNotEqual(token_of(status["pair_uri"]), token_of(old_uri))

    # --- the relay and tokens ---------------------------------------------------------

    def test_relay_signs_in_with_the_strongest_scram(self):
        uri = self.uri()
        phone = Phone(self.info)
        self.assertEqual(phone.run("pair", "--uri", uri, "--hold", "1", "--end"), 0, phone.stdout + phone.stderr)
        expected = "SCRAM-SHA-1" if SERVER == "prosody" else "SCRAM-SHA-512"
        self.assertEqual(phone.event("sasl-choice")["mechanism"], expected)
        self.assertIsNotNone(phone.event("server-verified"))
        active = phone.event("session", state="active")
        self.assertRegex(active["jid"], rf"^{re.escape(self.info['users']['alice']['jid'])}/kiosk-hotel-lobby-[0-9a-f]{{4}}$")
        self.assertEqual(phone.event("ended")["reason"], "phone")
        self.assert_back_in_standby(uri)

    def test_status_shows_the_active_session(self):
        phone = Phone(self.info).start("pair", "--uri", self.uri(), "--hold-until-ended")
        status = self.kioskd.wait_active_session()
        self.assertEqual(status["state"], "busy")
        self.assertIsNone(status["pair_uri"] if status["state"] == "offline" else None)
        session = status["sessions"][0]
        self.assertTrue(session["jid"].startswith(self.info["users"]["alice"]["jid"] + "/kiosk-"))
        # Busy: no code on screen.
        time.sleep(0.5)
        self.assertIsNone(decode_qr(self.kioskd.screenshot("busy")))
        self.assertEqual(self.kioskd.request({"cmd": "end", "sid": session["sid"]}), {"ok": True})
        self.assertEqual(phone.wait(), 0, phone.stdout + phone.stderr)

    def test_each_scram_variant_the_server_offers(self):
        for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512") if SERVER == "ejabberd" else ("SCRAM-SHA-1",):
            with self.subTest(mechanism=mechanism):
                phone = Phone(self.info)
                code = phone.run("pair", "--uri", self.uri(), "--mechanism", mechanism, "--end")
                self.assertEqual(code, 0, phone.stdout + phone.stderr)
                self.assertEqual(phone.event("sasl-choice")["mechanism"], mechanism)
                self.kioskd.wait_state("standby", 15)

    def test_oauth_token_signs_in(self):
        if "oauth_token_url" not in self.info:
            self.skipTest("this server has no OAuth endpoint")
        uri = self.uri()
        phone = Phone(self.info)
        code = phone.run("pair", "--uri", uri, "--auth", "token", "--oauth-url", self.info["oauth_token_url"], "--end")
        self.assertEqual(code, 0, phone.stdout + phone.stderr)
        self.assertIsNotNone(phone.event("session", state="active"))
        self.assertIsNone(phone.event("sasl-offer"), "a token login must not relay SASL")
        self.assert_back_in_standby(uri)

    def test_wrong_password_fails_and_the_display_returns_to_standby(self):
        uri = self.uri()
        phone = Phone(self.info)
        wrong = phone.dir / "wrong"
        wrong.write_text("certainly-not-the-password\n")
        self.assertEqual(phone.run("pair", "--uri", uri, "--relay-password-file", str(wrong)), 1, phone.stdout + phone.stderr)
        self.assertEqual(phone.event("ended")["reason"], "auth-failed")
        self.assert_back_in_standby(uri)
        self.assertIn("failed", self.kioskd.status().get("notice", "") + self.kioskd.output())

    # --- pairing errors -----------------------------------------------------------------

    def test_unknown_token_is_refused(self):
        phone = Phone(self.info)
        uri = self.uri().replace(token_of(self.uri()), "A" * 20)
        self.assertEqual(phone.run("pair", "--uri", uri), 4, phone.stdout + phone.stderr)
        self.assertEqual(phone.event("error", step="pair")["condition"], "not-authorized")
        self.assertEqual(phone.event("error", step="pair")["application_condition"], "invalid-token")

    def test_a_used_token_is_refused(self):
        uri = self.uri()
        first = Phone(self.info)
        self.assertEqual(first.run("pair", "--uri", uri, "--end"), 0, first.stdout + first.stderr)
        self.kioskd.wait_state("standby", 15)
        second = Phone(self.info)
        self.assertEqual(second.run("pair", "--uri", uri), 4, second.stdout)
        self.assertEqual(second.event("error", step="pair")["condition"], "not-authorized")
        self.assertEqual(second.event("error", step="pair")["application_condition"], "invalid-token")

    def test_busy_display_refuses_without_spending_the_token(self):
        phone = Phone(self.info).start("pair", "--uri", self.uri(), "--hold-until-ended")
        display = self.kioskd.wait_active_session()["device_jid"]

        async def try_pair(peer):
            return await request(peer, display, pair_xml("ANYTOKENANYTOKENANYT", "s9"))
        self.assertEqual(asyncio.run(with_peer(self.info, "bob", "phone", try_pair)), ("resource-constraint", []))
        sid = self.kioskd.status()["sessions"][0]["sid"]
        self.assertEqual(self.kioskd.request({"cmd": "end", "sid": sid}), {"ok": True})
        self.assertEqual(phone.wait(), 0, phone.stdout + phone.stderr)
        self.assertEqual(phone.event("ended")["reason"], "user")

    def test_malformed_pair_is_a_bad_request(self):
        display = self.kioskd.status()["device_jid"]
        token = token_of(self.uri())

        async def malformed(peer):
            return [await request(peer, display, f"<pair xmlns='{M}' sid='bad sid!' token='{token}'><auth method='sasl-relay'/></pair>"),
                    await request(peer, display, f"<pair xmlns='{M}' sid='s1' token='{token}'><auth method='carrier-pigeon'/></pair>"),
                    await request(peer, display, f"<pair xmlns='{M}' sid='s1' token='{token}'/>")]
        self.assertEqual(asyncio.run(with_peer(self.info, "bob", "phone", malformed)), [("bad-request", [])] * 3)
        # A malformed request never spends the token.
        self.assertEqual(token_of(self.uri()), token)

    def test_five_bad_tokens_lock_the_sender_out(self):
        display = self.kioskd.status()["device_jid"]

        async def hammer(peer):
            answers = [await request(peer, display, pair_xml("WRONGTOKEN" + "ABCDE"[i] * 10)) for i in range(5)]
            answers.append(await request(peer, display, pair_xml(token_of(self.uri()))))
            return answers
        answers = asyncio.run(with_peer(self.info, "bob", "phone", hammer))
        self.assertEqual(answers[:5], [("not-authorized", ["invalid-token"])] * 5)
        self.assertEqual(answers[5], ("policy-violation", []))
        self.assertEqual(self.kioskd.status()["state"], "standby")

    # --- authorization -----------------------------------------------------------------

    def test_only_the_paired_phone_may_act_on_the_session(self):
        phone = Phone(self.info).start("pair", "--uri", self.uri(), "--sid", "shared", "--hold-until-ended")
        display = self.kioskd.wait_active_session()["device_jid"]

        async def meddle(peer):
            return [await request(peer, display, f"<end xmlns='{M}' sid='shared'/>"),
                    await request(peer, display, f"<end xmlns='{M}' sid='nope'/>"),
                    await request(peer, display, f"<frobnicate xmlns='{M}' sid='shared'/>")]
        answers = asyncio.run(with_peer(self.info, "bob", "phone", meddle))
        self.assertEqual(answers, [("forbidden", []), ("item-not-found", []), ("feature-not-implemented", [])])
        # Another resource of the same user is not the paired phone either.
        answers = asyncio.run(with_peer(self.info, "alice", "tablet", meddle))
        self.assertEqual(answers[0], ("forbidden", []))
        self.assertEqual(self.kioskd.status()["sessions"][0]["state"], "active")
        self.kioskd.request({"cmd": "end", "sid": "shared"})
        self.assertEqual(phone.wait(), 0)

    # --- the ways a session ends -------------------------------------------------------

    def test_phone_going_offline_ends_the_session(self):
        uri = self.uri()
        phone = Phone(self.info).start("pair", "--uri", uri, "--hold-until-ended")
        self.kioskd.wait_active_session()
        phone.process.send_signal(signal.SIGKILL)
        phone.wait()
        started = time.monotonic()
        self.assert_back_in_standby(uri)
        self.assertGreaterEqual(time.monotonic() - started, 3, "ended before the grace period")

    def test_end_on_screen_and_the_wipe(self):
        uri = self.uri()
        phone = Phone(self.info).start("pair", "--uri", uri, "--hold-until-ended")
        sid = self.kioskd.wait_active_session()["sessions"][0]["sid"]
        self.assertEqual(self.kioskd.request({"cmd": "end", "sid": sid}), {"ok": True})
        self.assertEqual(phone.wait(), 0)
        self.assertEqual(phone.event("ended")["reason"], "user")
        self.assert_back_in_standby(uri)
        self.assertEqual(self.kioskd.request({"cmd": "end", "sid": sid})["ok"], False)
        # The old token is dead.
        second = Phone(self.info)
        self.assertEqual(second.run("pair", "--uri", uri), 4)


class View(unittest.TestCase):
    info = server_info(SERVER)

    def test_view_sets_the_app_and_unknown_apps_are_refused(self):
        apps = Path(tempfile.mkdtemp(prefix="kioskd-apps-"))
        (apps / "probe").mkdir()
        (apps / "probe" / "index.html").write_text("<!doctype html><title>probe</title>")
        kioskd = Kioskd(self.info, apps_dir=apps, **{"phone-offline-grace": 5}).start()
        try:
            room = f"game@{self.info['muc_service']}"
            phone = Phone(self.info).start("pair", "--uri", kioskd.status()["pair_uri"], "--view", "probe",
                                           "--param", f"room={room}", "--accept", f"message,ns=urn:example:xhunt:0,from={room}",
                                           "--send", f"presence,to={room}", "--hold-until-ended")
            status = wait_for(lambda: (s := kioskd.status())["sessions"] and s["sessions"][0]["app"] == "probe" and s,
                              20, what="the view")
            self.assertEqual(status["sessions"][0]["state"], "active")
            kioskd.request({"cmd": "end", "sid": status["sessions"][0]["sid"]})
            self.assertEqual(phone.wait(), 0, phone.stdout + phone.stderr)
            self.assertIsNotNone(phone.event("view", app="probe"))

            missing = Phone(self.info)
            self.assertEqual(missing.run("pair", "--uri", kioskd.wait_state("standby", 15)["pair_uri"], "--view", "nosuchapp"),
                             1, missing.stdout)
            self.assertEqual(missing.event("error")["condition"], "item-not-found")
            kioskd.wait_state("standby", 15)
        finally:
            self.assertEqual(kioskd.stop(), 0)
            shutil.rmtree(apps, ignore_errors=True)


class ViewFilterEndToEnd(unittest.TestCase):
    """A real page behind the filter: what bob sends reaches it only as the rules say."""
    info = server_info(SERVER)

    def test_the_page_sees_only_what_the_filter_accepts(self):
        apps = Path(__file__).resolve().parent / "apps"
        kioskd = Kioskd(self.info, apps_dir=apps).start()
        bob_jid = self.info["users"]["bob"]["jid"]
        try:
            phone = None
            pair_uri = kioskd.status()["pair_uri"]

            async def exchange(peer):
                # bob is online before the page starts: the server drops what it sends to an
                # offline resource, and the page's first words are "ready".
                nonlocal phone
                heard = []
                wanted = {"ready", "seen a1 accepted", "seen a2 try-forbidden", "refused named"}
                ready = asyncio.get_running_loop().create_future()
                everything = asyncio.get_running_loop().create_future()

                def on_message(message):
                    heard.append(message["body"])
                    if message["body"] == "ready" and not ready.done():
                        ready.set_result(True)
                    # A forbidden send that got through fails the test below, with what was heard.
                    if (wanted <= set(heard) or "forbidden-sent" in heard) and not everything.done():
                        everything.set_result(True)
                peer.add_event_handler("message", on_message)
                phone = Phone(self.info).start("pair", "--uri", pair_uri, "--view", "echo",
                                               "--param", f"peer={bob_jid}/echo",
                                               "--accept", f"message,ns=urn:example:test,from={bob_jid}",
                                               "--send", f"message,to={bob_jid}", "--hold-until-ended")
                user_jid = await asyncio.to_thread(
                    wait_for, lambda: (s := kioskd.status())["sessions"] and s["sessions"][0]["app"] == "echo"
                    and s["sessions"][0]["jid"], 20, what="the view")
                await asyncio.wait_for(ready, 60)
                for ident, body, ns in (("a1", "accepted", "urn:example:test"), ("r1", "no-namespace", None),
                                        ("r2", "other-namespace", "urn:example:other"),
                                        ("a2", "try-forbidden", "urn:example:test")):
                    extra = f"<x xmlns='{ns}'/>" if ns else ""
                    peer.send_raw(f"<message to='{user_jid}' id='{ident}' type='chat'><body>{body}</body>{extra}</message>")
                await asyncio.wait_for(everything, 30)
                # The page answers in order, so whatever it made of r1 and r2 came before a2's
                # answers; a moment more would catch a late "forbidden-sent".
                await asyncio.sleep(1)
                return heard
            heard = asyncio.run(with_peer(self.info, "bob", "echo", exchange))
            self.assertIn("seen a1 accepted", heard)
            self.assertIn("seen a2 try-forbidden", heard)
            self.assertFalse([h for h in heard if h.startswith("seen r")], heard)
            self.assertIn("refused named", heard)
            self.assertNotIn("forbidden-sent", heard)
            # Only the page's messages, in the order it sent them.
            self.assertEqual(heard[0], "ready")
            # The app's own pixels are on screen, below the session bar.
            shot = kioskd.screenshot("echo")
            self.assertEqual(png_pixel(shot, 640, 600), (0x20, 0x40, 0x60))
            self.assertNotEqual(png_pixel(shot, 640, 20), (0x20, 0x40, 0x60))
            kioskd.request({"cmd": "end", "sid": kioskd.status()["sessions"][0]["sid"]})
            self.assertEqual(phone.wait(), 0, phone.stdout + phone.stderr)
        finally:
            self.assertEqual(kioskd.stop(), 0)


class Shutdown(unittest.TestCase):
    info = server_info(SERVER)

    def test_sigterm_ends_the_session_first(self):
        kioskd = Kioskd(self.info).start()
        phone = Phone(self.info).start("pair", "--uri", kioskd.status()["pair_uri"], "--hold-until-ended")
        kioskd.wait_active_session()
        self.assertEqual(kioskd.stop(), 0)
        self.assertEqual(phone.wait(), 0, phone.stdout + phone.stderr)
        self.assertEqual(phone.event("ended")["reason"], "shutdown")


class SeveralSessions(unittest.TestCase):
    """max-sessions above 1: independent sessions side by side."""
    info = server_info(SERVER)

    def test_two_independent_sessions(self):
        kioskd = Kioskd(self.info, **{"max-sessions": 2}).start()
        try:
            alice = Phone(self.info, "alice").start("pair", "--uri", kioskd.status()["pair_uri"], "--sid", "a",
                                                    "--hold-until-ended")
            wait_for(lambda: [s["state"] for s in kioskd.status()["sessions"]] == ["active"], 20, what="alice's session")
            # One slot left: still in standby, with a fresh code on screen.
            status = kioskd.status()
            self.assertEqual(status["state"], "standby")
            kioskd.wait_for_qr(lambda: kioskd.status()["pair_uri"])
            bob = Phone(self.info, "bob").start("pair", "--uri", status["pair_uri"], "--sid", "b", "--hold-until-ended")
            wait_for(lambda: sorted(s["state"] for s in kioskd.status()["sessions"]) == ["active", "active"], 20,
                     what="both sessions")
            status = kioskd.status()
            self.assertEqual(status["state"], "busy")
            jids = {s["sid"]: s["jid"] for s in status["sessions"]}
            self.assertTrue(jids["a"].startswith(self.info["users"]["alice"]["jid"] + "/"))
            self.assertTrue(jids["b"].startswith(self.info["users"]["bob"]["jid"] + "/"))
            # Ending one leaves the other untouched.
            self.assertEqual(kioskd.request({"cmd": "end", "sid": "a"}), {"ok": True})
            self.assertEqual(alice.wait(), 0)
            status = kioskd.wait_state("standby", 15)
            self.assertEqual([(s["sid"], s["state"]) for s in status["sessions"]], [("b", "active")])
            self.assertEqual(kioskd.request({"cmd": "end", "sid": "b"}), {"ok": True})
            self.assertEqual(bob.wait(), 0)
            self.assertEqual(bob.event("ended")["reason"], "user")
        finally:
            self.assertEqual(kioskd.stop(), 0)


class IdleTimeout(unittest.TestCase):
    info = server_info(SERVER)

    def test_idle_session_ends(self):
        kioskd = Kioskd(self.info, **{"idle-timeout": 10}).start()
        try:
            uri = kioskd.status()["pair_uri"]
            phone = Phone(self.info)
            started = time.monotonic()
            self.assertEqual(phone.run("pair", "--uri", uri, "--hold-until-ended", timeout=60), 0, phone.stdout)
            self.assertEqual(phone.event("ended")["reason"], "idle")
            self.assertGreaterEqual(time.monotonic() - started, 9)
            kioskd.wait_state("standby", 10)
        finally:
            self.assertEqual(kioskd.stop(), 0)


class PlainOnlyServer(unittest.TestCase):
    """A server that offers only PLAIN: the phone refuses to reveal the password."""
    info = server_info(SERVER)

    def test_phone_refuses_plain(self):
        if SERVER != "prosody":
            self.skipTest("the PLAIN-only variant is a Prosody")
        start = subprocess.run([sys.executable, str(FIXTURES), "start", "prosody", "--variant", "plain-only",
                                "--dir", SERVERS_DIR, "--watch", str(os.getpid())], capture_output=True, text=True)
        self.assertEqual(start.returncode, 0, start.stderr)
        try:
            plain = server_info("prosody", "plain-only")
            # Users of this domain are sent to the PLAIN-only server; the display itself
            # and the phone stay on the normal one.
            kioskd = Kioskd(self.info)
            text = kioskd.config.read_text().replace(f"{self.info['domain']} = {self.info['host']}:{self.info['starttls_port']}",
                                                     f"{plain['domain']} = {plain['host']}:{plain['starttls_port']}")
            kioskd.config.write_text(text)
            kioskd.start()
            try:
                uri = kioskd.status()["pair_uri"]
                phone = Phone(self.info)
                self.assertEqual(phone.run("pair", "--uri", uri), 1, phone.stdout + phone.stderr)
                self.assertEqual(phone.event("sasl-offer")["mechanisms"], ["PLAIN"])
                self.assertIsNone(phone.event("sasl-choice"))
                self.assertEqual(phone.event("ended")["reason"], "auth-failed")
                kioskd.wait_state("standby", 15)
            finally:
                self.assertEqual(kioskd.stop(), 0)
        finally:
            subprocess.run([sys.executable, str(FIXTURES), "stop", "prosody", "--variant", "plain-only", "--dir", SERVERS_DIR])


class PasswordNeverReachesTheDisplay(unittest.TestCase):
    info = server_info(SERVER)

    def test_password_absent_from_output_files_replies_and_memory(self):
        password = self.info["users"]["alice"]["password"]
        kioskd = Kioskd(self.info)
        kioskd.start("--verbose")
        try:
            phone = Phone(self.info).start("pair", "--uri", kioskd.status()["pair_uri"], "--hold-until-ended")
            status = kioskd.wait_active_session()
            replies = [str(status), str(kioskd.request({"cmd": "status"}))]
            core = kioskd.dir / "kioskd.core"
            dump = subprocess.run(["gcore", "-o", str(kioskd.dir / "kioskd"), str(kioskd.process.pid)],
                                  capture_output=True, text=True, timeout=120)
            cores = list(kioskd.dir.glob("kioskd.*[0-9]"))
            self.assertEqual(dump.returncode, 0, dump.stderr)
            self.assertTrue(cores, "gcore wrote no core file")
            core = cores[0]
            self.assertGreater(core.stat().st_size, 1_000_000)
            needles = [password.encode(), password.encode("utf-16-le")]
            import base64
            needles.append(base64.b64encode(b"\0alice\0" + password.encode()))
            data = core.read_bytes()
            # The core does hold the display's own password (it needs it): prove the scan works.
            self.assertIn(self.info["users"]["display"]["password"].encode("utf-16-le"), data)
            for needle in needles:
                self.assertNotIn(needle, data, "the user's password is in kioskd's memory")
            core.unlink()
            for path in kioskd.dir.rglob("*"):
                if path.is_file():
                    self.assertNotIn(password.encode(), path.read_bytes(), f"the password is in {path}")
            for reply in replies:
                self.assertNotIn(password, reply)
            sid = status["sessions"][0]["sid"]
            kioskd.request({"cmd": "end", "sid": sid})
            self.assertEqual(phone.wait(), 0)
        finally:
            self.assertEqual(kioskd.stop(), 0)
        self.assertNotIn(password, kioskd.output())


if __name__ == "__main__":
    unittest.main(verbosity=2)
