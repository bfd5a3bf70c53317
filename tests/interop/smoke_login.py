#!/usr/bin/python3
"""Smoke test of a fixture server with slixmpp as the client: log in over STARTTLS
and over direct TLS trusting only the generated CA, exchange a message, and check
that a client trusting nothing else refuses the server's certificate."""
import argparse
import asyncio
import secrets
import sys

from xmpppeer import Peer, server_info

TIMEOUT = 15


async def login(info: dict, role: str, mode: str, ca_file: str | None) -> Peer:
    user = info["users"][role]
    peer = Peer(f"{user['jid']}/smoke-{mode}", user["password"], ca_file)
    peer.open(info, mode)
    await asyncio.wait_for(peer.online, TIMEOUT)
    return peer


async def message_round_trip(info: dict, mode: str) -> None:
    alice = await login(info, "alice", mode, info["ca_file"])
    bob = await login(info, "bob", mode, info["ca_file"])
    try:
        token = secrets.token_hex(8)
        alice.send_message(mto=bob.boundjid.full, mbody=f"smoke {token}", mtype="chat")
        while True:
            message = await asyncio.wait_for(bob.messages.get(), TIMEOUT)
            if message["type"] in ("chat", "normal"):
                break
        assert message["body"] == f"smoke {token}", f"unexpected body {message['body']!r}"
        assert message["from"].bare == alice.boundjid.bare, f"unexpected sender {message['from']}"
    finally:
        alice.disconnect()
        bob.disconnect()
        await asyncio.sleep(0.2)


async def untrusted_certificate_refused(info: dict, mode: str) -> None:
    try:
        peer = await login(info, "alice", mode, None)
    except (RuntimeError, asyncio.TimeoutError):
        return
    peer.disconnect()
    raise AssertionError("a client trusting no CA accepted the server certificate")


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("server", choices=["prosody", "ejabberd"])
    args = parser.parse_args()
    info = server_info(args.server)
    checks = [(f"{mode} login and message", message_round_trip, mode) for mode in ("starttls", "direct")]
    checks += [(f"{mode} untrusted certificate refused", untrusted_certificate_refused, mode)
               for mode in ("starttls", "direct")]
    passed = failed = 0
    for name, check, mode in checks:
        try:
            await check(info, mode)
            passed += 1
            print(f"ok   {args.server}: {name}")
        except Exception as error:  # report every failing check, not only the first
            failed += 1
            print(f"FAIL {args.server}: {name}: {type(error).__name__}: {error}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
