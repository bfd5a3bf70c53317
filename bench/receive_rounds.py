#!/usr/bin/python3
"""Receive throughput through a real server: send_slixmpp.py sends N chat messages to
bob, received by bench_receive (xmpp::Client) and by receive_slixmpp.py in turn, for
several rounds in one run.

Two modes per receiver and round:
  live     the receiver reads while the sender sends: the end-to-end rate, which
           whichever of sender, server and receiver is slowest sets;
  backlog  the receiver is paused (SIGSTOP) until the server has taken every message,
           then resumed: the server's queue is already full, so first-to-last is the
           receiver's own draining speed.
Each run also records the sender's rate, the rate at which the server took the messages
in and the server's CPU per message, so that the output shows which of the three set
the pace.

    receive_rounds.py --bench-receive BIN --info INFO.json [--count N] [--rounds R]

Prints "name value unit" lines on stdout, progress on stderr; exit status 1 when a
receiver did not get every message."""
import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchutil import (cpu_seconds_of, die_with_parent, emit, exit_on_sigterm, median, note,  # noqa: E402
                       parse_figures, read_line, stop)

HERE = Path(__file__).resolve().parent
PYTHON = "/usr/bin/python3"  # Debian's, which has slixmpp
RECEIVERS = ("qt", "slixmpp")
MODES = ("live", "backlog")


def receiver_command(kind: str, args, marker: str) -> list[str]:
    common = ["--info", args.info, "--count", str(args.count), "--marker", marker, "--timeout", str(args.timeout)]
    if kind == "qt":
        return [args.bench_receive, *common]
    return [PYTHON, str(HERE / "receive_slixmpp.py"), *common]


def one_run(kind: str, mode: str, args, label: str) -> dict:
    marker = f"{label}-{secrets.token_hex(4)}"
    receiver = subprocess.Popen(receiver_command(kind, args, marker), stdout=subprocess.PIPE,
                                stderr=args.log, bufsize=0, preexec_fn=die_with_parent)
    try:
        ready = read_line(receiver, 40)
        if not ready or not ready.startswith("ready "):
            raise RuntimeError(f"{kind} receiver did not come online (see {args.log.name})")
        target = ready.split()[1]
        server_cpu_before = cpu_seconds_of(args.server_pids)
        if mode == "backlog":
            os.kill(receiver.pid, signal.SIGSTOP)
        try:
            sent = subprocess.run([PYTHON, str(HERE / "send_slixmpp.py"), "--info", args.info, "--to", target,
                                   "--count", str(args.count), "--marker", marker, "--timeout", str(args.timeout)],
                                  stdout=subprocess.PIPE, stderr=args.log, timeout=args.timeout + 60,
                                  preexec_fn=die_with_parent)
        finally:
            if mode == "backlog":
                os.kill(receiver.pid, signal.SIGCONT)
        send = parse_figures(sent.stdout.decode())
        if sent.returncode != 0 or "send_acked_ns" not in send:
            raise RuntimeError(f"the sender failed ({sent.returncode}); see {args.log.name}")
        out, _ = receiver.communicate(timeout=args.timeout + 30)
        # Logins and logouts are in it too, a millisecond or two against a second or more.
        server_cpu = cpu_seconds_of(args.server_pids) - server_cpu_before
    finally:
        stop(receiver)
    got = parse_figures(out.decode())
    result = {"count": int(got.get("receive_count", 0)), "ok": receiver.returncode == 0}
    if "receive_msgs_per_s" in got:
        result.update(rate=got["receive_msgs_per_s"], cpu_us=got["receive_cpu_us_per_msg"],
                      rss_kb=got["receive_peak_rss_kb"],
                      # After the server has routed the last message: how long the
                      # receiver still needed. Near zero when it keeps up.
                      lag_ms=(got["receive_last_ns"] - send["send_acked_ns"]) / 1e6)
    result.update(send_rate=send["send_msgs_per_s"], server_rate=send["send_acked_msgs_per_s"],
                  send_cpu_us=send["send_cpu_us_per_msg"], server_cpu_us=server_cpu * 1e6 / args.count)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-receive", required=True, help="the bench_receive program")
    parser.add_argument("--info", required=True, help="the Prosody fixture's info.json")
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=120, help="seconds for each receiver to get every message")
    parser.add_argument("--modes", default=",".join(MODES), help="live, backlog or both (default)")
    parser.add_argument("--log", default=os.devnull, help="the programs' stderr goes here")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if not modes or any(m not in MODES for m in modes):
        parser.error(f"--modes takes {', '.join(MODES)}")
    # The server's own CPU per message, to see whether the receiver changes the server's work.
    args.server_pids = json.loads(Path(args.info).read_text()).get("pids", [])
    exit_on_sigterm()
    args.log = open(args.log, "ab")

    results = {(kind, mode): [] for kind in RECEIVERS for mode in MODES}
    complete = True
    for round_ in range(1, args.rounds + 1):
        for mode in modes:
            for kind in RECEIVERS:
                try:
                    r = one_run(kind, mode, args, f"r{round_}-{mode}-{kind}")
                except (RuntimeError, subprocess.TimeoutExpired) as error:
                    note(f"round {round_} {mode:7} {kind:8}: failed: {error}")
                    complete = False
                    results[(kind, mode)].append({"count": 0, "ok": False})  # keeps rounds aligned
                    continue
                results[(kind, mode)].append(r)
                if r["count"] != args.count or not r["ok"]:
                    complete = False
                    note(f"round {round_} {mode:7} {kind:8}: only {r['count']} of {args.count} messages arrived")
                    continue
                note(f"round {round_} {mode:7} {kind:8}: {r['rate']:8.0f} msg/s received, "
                     f"{r['cpu_us']:5.1f} us CPU/msg, last one {r['lag_ms']:7.1f} ms after the server's ack; "
                     f"sender wrote {r['send_rate']:6.0f} msg/s, server took {r['server_rate']:6.0f} msg/s "
                     f"using {r['server_cpu_us']:5.1f} us CPU/msg")

    emit("receive_messages_per_run", args.count, "msg")
    emit("receive_rounds", args.rounds, "rounds")
    for mode in modes:
        rates = {}
        for kind in RECEIVERS:
            runs = [r for r in results[(kind, mode)] if r["count"] == args.count and "rate" in r]
            if not runs:
                continue
            rates[kind] = median([r["rate"] for r in runs])
            prefix = f"receive_{mode}_{kind}"
            emit(f"{prefix}_msgs_per_s_median", rates[kind], "msg/s")
            emit(f"{prefix}_msgs_per_s_best", max(r["rate"] for r in runs), "msg/s")
            emit(f"{prefix}_cpu_us_per_msg_median", median([r["cpu_us"] for r in runs]), "us/msg")
            if mode == "live":
                emit(f"{prefix}_lag_ms_median", median([r["lag_ms"] for r in runs]), "ms")
            emit(f"{prefix}_peak_rss_kb_max", max(r["rss_kb"] for r in runs), "KiB")
            emit(f"{prefix}_complete_runs", len(runs), "runs")
        if len(rates) == 2:
            emit(f"receive_{mode}_ratio_qt_over_slixmpp", rates["qt"] / rates["slixmpp"], "x")
            # Each round's two runs are back to back: their ratio is less exposed to
            # whatever else the machine was doing a minute earlier or later.
            pairs = [q["rate"] / s["rate"] for q, s in zip(results[("qt", mode)], results[("slixmpp", mode)])
                     if "rate" in q and "rate" in s and q["count"] == s["count"] == args.count]
            if pairs:
                emit(f"receive_{mode}_ratio_of_rounds_median", median(pairs), "x")
        sends = [r for kind in RECEIVERS for r in results[(kind, mode)] if "send_rate" in r]
        if not sends:
            continue
        emit(f"send_{mode}_written_msgs_per_s_median", median([r["send_rate"] for r in sends]), "msg/s")
        emit(f"send_{mode}_server_took_msgs_per_s_median", median([r["server_rate"] for r in sends]), "msg/s")
        emit(f"send_{mode}_cpu_us_per_msg_median", median([r["send_cpu_us"] for r in sends]), "us/msg")
        for kind in RECEIVERS:
            runs = [r for r in results[(kind, mode)] if "server_cpu_us" in r]
            if runs:
                emit(f"server_{mode}_with_{kind}_cpu_us_per_msg_median", median([r["server_cpu_us"] for r in runs]), "us/msg")
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
