"""slixmpp as the independent peer of the interop tests: helpers to read a fixture's
description and to run a client that trusts only the test CA."""
import asyncio
import json
import os
import ssl
import sys
from pathlib import Path

import slixmpp


def server_info(server: str, variant: str = "") -> dict:
    root = os.environ.get("KIOSKD_TEST_SERVERS")
    if not root:
        sys.exit("KIOSKD_TEST_SERVERS is not set: run this through ctest")
    name = f"{server}-{variant}" if variant else server
    return json.loads((Path(root) / name / "info.json").read_text())


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Verifies the certificate chain and host name; trusts ca_file alone (or nothing)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


class Peer(slixmpp.ClientXMPP):
    """A client that reports session start or failure through futures."""

    def __init__(self, jid: str, password: str, ca_file: str | None):
        super().__init__(jid, password)
        self.ssl_context = tls_context(ca_file)
        self.online = asyncio.get_event_loop().create_future()
        self.messages: asyncio.Queue = asyncio.Queue()
        self.add_event_handler("session_start", self._on_start)
        self.add_event_handler("failed_auth", lambda *_: self._fail("authentication failed"))
        self.add_event_handler("connection_failed", lambda e: self._fail(f"connection failed: {e}"))
        self.add_event_handler("disconnected", lambda *_: self._fail("disconnected"))
        self.add_event_handler("message", lambda m: self.messages.put_nowait(m))

    def _fail(self, reason: str) -> None:
        if not self.online.done():
            self.online.set_exception(RuntimeError(reason))

    async def _on_start(self, _event) -> None:
        self.send_presence()
        if not self.online.done():
            self.online.set_result(True)

    def open(self, info: dict, mode: str) -> None:
        """mode: 'starttls' or 'direct' (XEP-0368 direct TLS)."""
        if mode == "direct":
            self.connect((info["host"], info["direct_tls_port"]), use_ssl=True, disable_starttls=True)
        else:
            self.connect((info["host"], info["starttls_port"]), force_starttls=True)
