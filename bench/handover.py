#!/usr/bin/python3
"""Handover latency against a real server: how long a phone takes to sign a display in
to the user's account (SASL relay), side by side with a direct login of the same account
by slixmpp.

One kioskd (headless, its own config, a pairing rotation of an hour) serves every run.
Each handover reads the pair URI from the control socket, runs
`kiosk-phone pair --uri URI --end` as alice, and times the steps from the phone's event
lines (their t_ms, not the process's start):
  pair     `pairing` (the pair request is sent) -> `paired` (the display accepted it)
  connect  `paired` -> `sasl-offer`: the display's TCP connect, STARTTLS, TLS handshake
           and stream features at the user's server, and the offer relayed to the phone
  sasl     `sasl-offer` -> `server-verified`: the relayed SCRAM round trips, with the
           phone's key derivation
  session  `server-verified` -> session `active`: stream restart, resource binding,
           presence and the display's notice to the phone
  total    `pairing` -> session `active`
It then waits until the display is back in standby with a new code. The phone's own
login and its `<end/>` are outside every figure.

Each direct login connects a new slixmpp client as alice (STARTTLS, the SCRAM mechanism
the relay used) and times connect() -> session_start, split at slixmpp's events:
  tcp (connected), tls (tls_success), sasl (auth_success: stream restart, features and
  SCRAM), bind (session_start: stream restart and resource binding).
Handovers and direct logins alternate, and so does which of the two comes first, so both
see the same machine. One warm-up of each, not counted, comes first.

    handover.py --kioskd BIN --phone BIN --info INFO.json [--runs 50] [--label NAME]
                [--log FILE]

Prints "name value unit" lines on stdout (handover_LABEL_..., direct_LABEL_...), one
line per run on stderr; exit status 1 when a run failed."""
import argparse
import asyncio
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "interop"))
from benchutil import (Display, cpu_seconds_of, emit, exit_on_sigterm, note, percentile,  # noqa: E402
                       run_phone_as_alice, write_secret)
from xmpppeer import Peer  # noqa: E402

HANDOVER_PHASES = ("pair", "connect", "sasl", "session", "total")
DIRECT_PHASES = ("tcp", "tls", "sasl", "bind", "total")
PHONE_TIMEOUT = 20    # kiosk-phone's --timeout: the longest wait for each step of the display


def load_1min() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def handover(args, info: dict, uri: str, password_file: Path) -> dict:
    returncode, events = run_phone_as_alice(args.phone, info, password_file,
                                            ["pair", "--uri", uri, "--end", "--timeout", str(PHONE_TIMEOUT)],
                                            args.log, 6 * PHONE_TIMEOUT)

    def at(name: str, **match) -> float:
        for event in events:
            if event.get("event") == name and all(event.get(k) == v for k, v in match.items()):
                return event["t_ms"]
        raise RuntimeError(f"kiosk-phone (exit {returncode}) reported no {name} {match or ''}: "
                           f"{[e.get('event') for e in events]}")

    if returncode != 0:
        errors = [e for e in events if e.get("event") == "error"]
        raise RuntimeError(f"kiosk-phone exited with {returncode}: {errors or 'no error event'}")
    marks = {"pairing": at("pairing"), "paired": at("paired"), "sasl-offer": at("sasl-offer"),
             "server-verified": at("server-verified"), "active": at("session", state="active")}
    choice = next((e.get("mechanism") for e in events if e.get("event") == "sasl-choice"), None)
    return {"pair": marks["paired"] - marks["pairing"], "connect": marks["sasl-offer"] - marks["paired"],
            "sasl": marks["server-verified"] - marks["sasl-offer"], "session": marks["active"] - marks["server-verified"],
            "total": marks["active"] - marks["pairing"], "mechanism": choice}


async def direct_login(info: dict, mechanism: str | None) -> dict:
    alice = info["users"]["alice"]
    peer = Peer(f"{alice['jid']}/bench-direct", alice["password"], info["ca_file"])
    if mechanism:
        peer["feature_mechanisms"].use_mech = mechanism
    stamps = {}
    for event in ("connected", "tls_success", "auth_success", "session_start"):
        peer.add_event_handler(event, lambda _data, name=event: stamps.setdefault(name, time.monotonic_ns()))
    start = time.monotonic_ns()
    peer.open(info, "starttls")
    try:
        await asyncio.wait_for(asyncio.shield(peer.online), PHONE_TIMEOUT)
    except (asyncio.TimeoutError, RuntimeError) as error:
        raise RuntimeError(f"slixmpp did not log in: {error or 'timeout'}") from None
    finally:
        try:
            await asyncio.wait_for(peer.disconnect(wait=2), 5)
        except asyncio.TimeoutError:
            pass
    if len(stamps) != 4:
        raise RuntimeError(f"slixmpp skipped a step: {sorted(stamps)}")
    ms = {name: (stamps[name] - start) / 1e6 for name in stamps}
    return {"tcp": ms["connected"], "tls": ms["tls_success"] - ms["connected"],
            "sasl": ms["auth_success"] - ms["tls_success"], "bind": ms["session_start"] - ms["auth_success"],
            "total": ms["session_start"], "mechanism": peer["feature_mechanisms"].mech.name}


def run_login(loop, info: dict, mechanism: str | None) -> dict:
    """One direct login, then the client's leftover tasks cancelled (slixmpp leaves its
    filter task pending after a disconnect), outside the timing."""
    try:
        return loop.run_until_complete(direct_login(info, mechanism))
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kioskd", required=True)
    parser.add_argument("--phone", required=True, help="the kiosk-phone program")
    parser.add_argument("--info", required=True, help="the fixture server's info.json")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--label", help="names the figures (default: the server's name)")
    parser.add_argument("--log", default=os.devnull, help="kioskd's and kiosk-phone's output goes here")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be positive")
    exit_on_sigterm()
    logging.basicConfig(level=logging.ERROR)
    info = json.loads(Path(args.info).read_text())
    label = (args.label or info["server"]).replace("-", "_")
    args.log = open(args.log, "ab")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    display = Display(args.kioskd, info, args.log)
    secrets_dir = Path(tempfile.mkdtemp(prefix="kiosk-phone-bench-"))
    password_file = write_secret(secrets_dir / "password", info["users"]["alice"]["password"])
    handovers, directs, failures = [], [], 0
    load_start = load_1min()
    try:
        uri = display.standby_uri(None)
        # Warm-up, not counted: the first handover after kioskd's start also pays for work
        # done once (first use of code paths and screens). Reported on its own.
        first = handover(args, info, uri, password_file)
        uri = display.standby_uri(uri)
        mechanism = first["mechanism"]
        first_direct = run_login(loop, info, mechanism)
        note(f"handover {label:8} warm-up: total {first['total']:6.1f} ms; direct {first_direct['total']:6.1f} ms "
             f"({first['mechanism']} / {first_direct['mechanism']})")
        cpu_before = cpu_seconds_of([display.process.pid])
        for run in range(1, args.runs + 1):
            h = d = None
            for kind in (("handover", "direct") if run % 2 else ("direct", "handover")):
                try:
                    if kind == "handover":
                        h = handover(args, info, uri, password_file)
                        uri = display.standby_uri(uri)
                        handovers.append(h)
                    else:
                        d = run_login(loop, info, mechanism)
                        directs.append(d)
                except (RuntimeError, subprocess.TimeoutExpired) as error:
                    failures += 1
                    note(f"handover {label:8} run {run:3}: {kind} failed: {error}")
                    if display.process.poll() is not None:
                        raise
                    uri = display.standby_uri(uri) if kind == "handover" else uri
            if h and d:
                note(f"handover {label:8} run {run:3}: total {h['total']:6.1f} ms = pair {h['pair']:5.1f} + connect "
                     f"{h['connect']:5.1f} + sasl {h['sasl']:5.1f} + session {h['session']:5.1f} | direct "
                     f"{d['total']:6.1f} ms = tcp {d['tcp']:4.1f} + tls {d['tls']:5.1f} + sasl {d['sasl']:5.1f} + "
                     f"bind {d['bind']:5.1f} | {h['mechanism']}")
        kioskd_cpu = cpu_seconds_of([display.process.pid]) - cpu_before
    finally:
        display.close()
        shutil.rmtree(secrets_dir, ignore_errors=True)
        loop.close()

    emit(f"handover_{label}_runs", len(handovers), "runs")
    emit(f"direct_{label}_runs", len(directs), "runs")
    emit(f"handover_{label}_failed_runs", failures, "runs")
    emit(f"handover_{label}_mechanism", mechanism, "mechanism")
    emit(f"handover_{label}_load_1min_start", load_start, "load")
    emit(f"handover_{label}_load_1min_end", load_1min(), "load")
    emit(f"handover_{label}_warmup_total_ms", first["total"], "ms")
    for kind, runs, phases in (("handover", handovers, HANDOVER_PHASES), ("direct", directs, DIRECT_PHASES)):
        for phase in phases:
            values = [r[phase] for r in runs]
            emit(f"{kind}_{label}_{phase}_ms_p50", percentile(values, 50), "ms")
            emit(f"{kind}_{label}_{phase}_ms_p95", percentile(values, 95), "ms")
        emit(f"{kind}_{label}_total_ms_min", min((r["total"] for r in runs), default=float("nan")), "ms")
        emit(f"{kind}_{label}_total_ms_max", max((r["total"] for r in runs), default=float("nan")), "ms")
    if handovers and directs:
        emit(f"handover_{label}_over_direct_p50", percentile([r["total"] for r in handovers], 50)
             / percentile([r["total"] for r in directs], 50), "x")
        # kioskd's CPU over whole cycles: the handover, the end, the wipe and a new code.
        emit(f"handover_{label}_kioskd_cpu_ms_per_cycle", kioskd_cpu * 1000 / len(handovers), "ms")
    return 0 if failures == 0 and len(handovers) == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
