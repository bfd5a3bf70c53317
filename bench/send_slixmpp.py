#!/usr/bin/python3
"""The sender of the receive benchmark: one slixmpp client sends N chat messages to a
full JID as fast as slixmpp's ordinary API allows, then asks the server for a ping so
it knows the server has taken every message in.

    send_slixmpp.py --info INFO.json --to FULL-JID --count N --marker M [--role alice]
                    [--batch 100] [--timeout SECONDS]

Prints "name value" lines. Timestamps are CLOCK_MONOTONIC nanoseconds, like the
receivers', so bench/run can compare them:
  send_start_ns    before the first message is built
  send_written_ns  the last byte is in the kernel's socket buffer
  send_acked_ns    the server answered the ping sent after the last message: it has
                   read and routed them all (Prosody handles one stream in order)"""
import argparse
import asyncio
import json
import logging
import resource
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "interop"))
from xmpppeer import Peer  # noqa: E402


def cpu_ns() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return int((usage.ru_utime + usage.ru_stime) * 1e9)


async def drained(peer: Peer, timeout: float) -> None:
    """Waits until slixmpp's queue and asyncio's transport buffer are both empty."""
    await asyncio.wait_for(peer.waiting_queue.join(), timeout)
    deadline = time.monotonic() + timeout
    while peer.transport and peer.transport.get_write_buffer_size() > 0:
        if time.monotonic() > deadline:
            raise asyncio.TimeoutError("the socket did not take the data")
        await asyncio.sleep(0.001)


async def run(args) -> int:
    info = json.loads(Path(args.info).read_text())
    account = info["users"][args.role]
    peer = Peer(f"{account['jid']}/bench-sender", account["password"], info["ca_file"])
    peer.open(info, "starttls")
    try:
        await asyncio.wait_for(asyncio.shield(peer.online), 30)
    except (asyncio.TimeoutError, RuntimeError) as error:
        print(f"send_slixmpp: not online: {error or 'timeout'}", file=sys.stderr)
        return 2

    start_cpu = cpu_ns()
    start_ns = time.monotonic_ns()
    # Batches let the bytes leave while later messages are still being built, as a
    # busy client would; one huge queue would hold everything back until the end.
    for first in range(0, args.count, args.batch):
        for i in range(first, min(first + args.batch, args.count)):
            peer.send_message(mto=args.to, mbody=f"{args.marker} {i}", mtype="chat")
        await drained(peer, args.timeout)
    written_ns = time.monotonic_ns()
    written_cpu = cpu_ns()

    ping = peer.Iq()
    ping["type"] = "get"
    ping["to"] = info["domain"]
    ping.append(ET.fromstring("<ping xmlns='urn:xmpp:ping'/>"))
    code = 0
    try:
        await ping.send(timeout=args.timeout)
    except Exception as error:  # slixmpp raises IqTimeout or IqError
        print(f"send_slixmpp: the server did not answer the ping: {error!r}", file=sys.stderr)
        code = 1
    acked_ns = time.monotonic_ns()

    print(f"send_count {args.count}")
    print(f"send_start_ns {start_ns}")
    print(f"send_written_ns {written_ns}")
    print(f"send_acked_ns {acked_ns}")
    print(f"send_msgs_per_s {args.count / ((written_ns - start_ns) / 1e9):.1f}")
    print(f"send_acked_msgs_per_s {args.count / ((acked_ns - start_ns) / 1e9):.1f}")
    print(f"send_cpu_us_per_msg {(written_cpu - start_cpu) / 1e3 / args.count:.2f}", flush=True)
    try:
        await asyncio.wait_for(peer.disconnect(wait=2), 5)
    except asyncio.TimeoutError:
        pass
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--info", required=True)
    parser.add_argument("--to", required=True, help="the receiver's full JID")
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--marker", required=True)
    parser.add_argument("--role", default="alice")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    if args.count <= 0 or args.batch <= 0:
        parser.error("--count and --batch must be positive")
    logging.basicConfig(level=logging.ERROR)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
