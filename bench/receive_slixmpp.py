#!/usr/bin/python3
"""The reference receiver: bench_receive (xmpp::Client) done with slixmpp, so bench/run
can show both side by side against the same sender and server.

    receive_slixmpp.py --info INFO.json --count N --marker M [--role bob]
                       [--resource R] [--timeout SECONDS]

Prints "ready FULL-JID" once online, then "name value" lines with the same names as
bench_receive. Timestamps are CLOCK_MONOTONIC nanoseconds (time.monotonic_ns())."""
import argparse
import asyncio
import json
import logging
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "interop"))
from xmpppeer import tls_context  # noqa: E402

import slixmpp  # noqa: E402


def cpu_ns() -> int:
    # Same figure as bench_receive's getrusage(RUSAGE_SELF): every thread, user and system.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return int((usage.ru_utime + usage.ru_stime) * 1e9)


class Receiver(slixmpp.ClientXMPP):
    def __init__(self, jid: str, password: str, ca_file: str, expected: int, marker: str):
        super().__init__(jid, password)
        self.ssl_context = tls_context(ca_file)
        self.expected = expected
        self.marker = marker
        self.received = 0
        self.stopped = False  # after a timeout, stragglers must not change the report
        self.first_ns = self.last_ns = 0
        self.first_cpu = self.last_cpu = 0
        loop = asyncio.get_event_loop()
        self.online = loop.create_future()
        self.done = loop.create_future()
        self.add_event_handler("session_start", self._on_start)
        self.add_event_handler("failed_auth", lambda *_: self._fail("authentication failed"))
        self.add_event_handler("connection_failed", lambda e: self._fail(f"connection failed: {e}"))
        self.add_event_handler("disconnected", lambda *_: self._fail("disconnected"))
        self.add_event_handler("message", self._on_message)

    def _fail(self, reason: str) -> None:
        if self.stopped:
            return  # our own disconnect at the end
        for future in (self.online, self.done):
            if not future.done():
                future.set_exception(RuntimeError(reason))

    async def _on_start(self, _event) -> None:
        self.send_presence(ppriority=0)
        if not self.online.done():
            self.online.set_result(True)

    def _on_message(self, message) -> None:
        if self.stopped or self.received >= self.expected or not message["body"].startswith(self.marker):
            return
        # getrusage() is a system call: once at each end, as in bench_receive.
        self.last_ns = time.monotonic_ns()
        self.received += 1
        if self.received == 1:
            self.first_ns, self.first_cpu = self.last_ns, cpu_ns()
        if self.received == self.expected:
            self.last_cpu = cpu_ns()
            if not self.done.done():
                self.done.set_result(True)


async def run(args) -> int:
    info = json.loads(Path(args.info).read_text())
    account = info["users"][args.role]
    receiver = Receiver(f"{account['jid']}/{args.resource}", account["password"], info["ca_file"],
                        args.count, args.marker)
    receiver.connect((info["host"], info["starttls_port"]), force_starttls=True)
    try:
        await asyncio.wait_for(asyncio.shield(receiver.online), 30)
    except (asyncio.TimeoutError, RuntimeError) as error:
        print(f"receive_slixmpp: not online: {error or 'timeout'}", file=sys.stderr)
        return 2
    print(f"ready {receiver.boundjid.full}", flush=True)
    code = 0
    try:
        await asyncio.wait_for(asyncio.shield(receiver.done), args.timeout)
    except asyncio.TimeoutError:
        print(f"receive_slixmpp: timed out with {receiver.received} of {args.count} messages", file=sys.stderr)
        code = 1
    except RuntimeError as error:
        print(f"receive_slixmpp: {error} after {receiver.received} messages", file=sys.stderr)
        code = 1
    r = receiver
    r.stopped = True
    if 0 < r.received < args.count:
        r.last_cpu = cpu_ns()  # timed out: an upper bound, idle time included
    print(f"receive_count {r.received}")
    print(f"receive_expected {args.count}")
    if r.received >= 2:
        seconds = (r.last_ns - r.first_ns) / 1e9
        print(f"receive_first_ns {r.first_ns}")
        print(f"receive_last_ns {r.last_ns}")
        print(f"receive_seconds {seconds:.6f}")
        print(f"receive_msgs_per_s {(r.received - 1) / seconds:.1f}")
        print(f"receive_cpu_seconds {(r.last_cpu - r.first_cpu) / 1e9:.6f}")
        print(f"receive_cpu_us_per_msg {(r.last_cpu - r.first_cpu) / 1e3 / (r.received - 1):.2f}")
    print(f"receive_peak_rss_kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)
    try:
        await asyncio.wait_for(receiver.disconnect(wait=2), 5)
    except asyncio.TimeoutError:
        pass
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--info", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--marker", required=True)
    parser.add_argument("--role", default="bob")
    parser.add_argument("--resource", default="bench-slixmpp")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
