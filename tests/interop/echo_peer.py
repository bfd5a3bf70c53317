#!/usr/bin/python3
"""An independent XMPP peer for interop tests: logs in as ROLE on SERVER with slixmpp,
prints `ready FULL-JID`, and answers each chat message with "echo: BODY". Ends when
its standard input closes, or after --lifetime seconds."""
import argparse
import asyncio
import os
import sys

from xmpppeer import Peer, server_info


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("role")
    parser.add_argument("--lifetime", type=float, default=120)
    args = parser.parse_args()
    info = server_info(args.server)
    user = info["users"][args.role]
    peer = Peer(f"{user['jid']}/echo", user["password"], info["ca_file"])
    peer.open(info, "starttls")
    try:
        await asyncio.wait_for(peer.online, 20)
    except (RuntimeError, asyncio.TimeoutError) as error:
        print(f"failed {error}", flush=True)
        return 1

    def echo(message):
        if message["type"] in ("chat", "normal") and message["body"]:
            peer.send_message(mto=message["from"], mbody=f"echo: {message['body']}", mtype="chat")
    peer.add_event_handler("message", echo)
    print(f"ready {peer.boundjid.full}", flush=True)

    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    await asyncio.wait([stdin_closed, asyncio.ensure_future(asyncio.sleep(args.lifetime))],
                       return_when=asyncio.FIRST_COMPLETED)
    peer.disconnect()
    await asyncio.sleep(0.2)
    return 0


if __name__ == "__main__":
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    status = loop.run_until_complete(main())
    # The stdin reader thread may still be blocked; leave without joining it.
    sys.stdout.flush()
    os._exit(status)
