#!/usr/bin/python3
"""The other side of the chat demo: a contact who writes to the user while the
conversation is on the display (docs/chat.md).

Logs in as one user of a test server's description (servers.py's info.json), waits
--delay seconds, then sends each --say text as a chat message to --to (the display's
full JID: a display signs in with priority -1 and gets nothing sent to the bare JID),
one per --interval seconds, and logs out. One JSON line per message sent goes to stdout.

    chat_peer.py --server-info info.json --role bob --to alice@localhost/kiosk-lobby-1a2b \\
        --say 'I can see it on the big screen!' --say 'See you at the station.'

Exit status: 0 done, 1 login or connection failed, 2 bad arguments.
"""
import argparse
import asyncio
import json
import logging
import secrets
import sys
import time
from pathlib import Path

logging.getLogger("slixmpp").setLevel(logging.CRITICAL)  # failures are reported below
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "interop"))
try:
    from xmpppeer import Peer
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("chat_peer.py: needs slixmpp (run it with /usr/bin/python3)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-info", required=True, help="servers.py's info.json")
    parser.add_argument("--role", default="bob", help="which user of info.json writes")
    parser.add_argument("--to", required=True, help="the display's JID in the user's account")
    parser.add_argument("--say", action="append", required=True, help="a message; repeat for more")
    parser.add_argument("--delay", type=float, default=3, help="seconds before the first message")
    parser.add_argument("--interval", type=float, default=2, help="seconds between messages")
    parser.add_argument("--timeout", type=float, default=20, help="seconds to log in")
    args = parser.parse_args()
    try:
        with open(args.server_info) as f:
            info = json.load(f)
        user = info["users"][args.role]
    except (OSError, ValueError, KeyError) as e:
        print(f"chat_peer.py: cannot read user '{args.role}' from {args.server_info}: {e}", file=sys.stderr)
        return 2

    client = Peer(f"{user['jid']}/peer-{secrets.token_hex(3)}", user["password"], info["ca_file"])

    async def run() -> int:
        client.open(info, "starttls")
        try:
            await asyncio.wait_for(client.online, args.timeout)
        except asyncio.TimeoutError:
            print(f"chat_peer.py: {user['jid']} could not log in within {args.timeout:g} s", file=sys.stderr)
            return 1
        except RuntimeError as error:
            print(f"chat_peer.py: {user['jid']} could not log in: {error}", file=sys.stderr)
            return 1
        await asyncio.sleep(args.delay)
        for i, text in enumerate(args.say):
            if i:
                await asyncio.sleep(args.interval)
            message_id = f"peer-{secrets.token_hex(4)}"
            message = client.make_message(mto=args.to, mbody=text, mtype="chat")
            message["id"] = message_id
            message.send()
            print(json.dumps({"from": user["jid"], "to": args.to, "id": message_id, "body": text,
                              "t": round(time.time(), 3)}, ensure_ascii=False), flush=True)
        await asyncio.sleep(0.5)  # let the last one leave before the stream closes
        client.disconnect()
        return 0

    return asyncio.get_event_loop().run_until_complete(run())


if __name__ == "__main__":
    sys.exit(main())
