#!/usr/bin/python3
"""kioskd standby: boot-to-QR time and standby memory, against a real server.

Each run starts `kioskd --config ... --headless --control SOCK` with the fixture's
display account (`lobby`) and measures, from just before the process is spawned:
  socket   the control socket accepts a status request;
  standby  status reports state "standby" with a pair URI;
  qr       a screenshot taken through the control socket decodes (zbarimg) to a pair
           URI the status reported. Screenshots start once standby is reported and
           are taken back to back; the time is when the screenshot's reply arrived,
           so it is an upper bound (resolution about one screenshot, ~40 ms here).
Then, 5 s after standby, the proportional set size (PSS) of kioskd and every process
below it, from /proc/PID/smaps_rollup.

    standby_kioskd.py --kioskd BIN --info INFO.json [--runs 5] [--settle 5]

Prints "name value unit" lines on stdout, progress on stderr."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchutil import (control_request as request, die_with_parent, emit, exit_on_sigterm, median,  # noqa: E402
                       note, stop, write_kioskd_config as write_config)

POLL = 0.01           # status polling while kioskd boots: cheap, one JSON line each
SHOTS_PER_BATCH = 8   # ~0.3 s of screenshots, about the QR code's fade-in
BOOT_TIMEOUT = 30
QR_TIMEOUT = 10


def decode_qr(png: Path) -> str | None:
    result = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, timeout=30)
    return result.stdout.strip() if result.returncode == 0 else None


def process_tree(root: int) -> list[int]:
    """root and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def memory_kb(pids: list[int]) -> dict:
    """Pss, Rss, private (USS) and anonymous PSS summed over pids, in KiB.

    Pss depends on who else maps the same libraries (another kioskd, a test's Qt
    program): on a shared machine it moves by 10 MB or more between runs. Pss_Anon is
    kioskd's own heap and stacks and does not."""
    total = {"Pss": 0, "Rss": 0, "Private": 0, "Pss_Anon": 0}
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            key, _, rest = line.partition(":")
            if key in ("Pss", "Rss", "Pss_Anon"):
                total[key] += int(rest.split()[0])
            elif key in ("Private_Clean", "Private_Dirty"):
                total["Private"] += int(rest.split()[0])
    return total


def one_run(kioskd: str, info: dict, settle: float, run: int) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="kioskd-bench-"))
    control = directory / "control.sock"
    config = write_config(directory, info)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1")
    process = None
    try:
        with open(directory / "kioskd.log", "wb") as log:
            start = time.monotonic()
            process = subprocess.Popen([kioskd, "--config", str(config), "--headless", "--control", str(control)],
                                       stdout=log, stderr=subprocess.STDOUT, env=env, preexec_fn=die_with_parent)
        result = {}
        uris = set()
        deadline = start + BOOT_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"kioskd exited with {process.returncode}: {(directory / 'kioskd.log').read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"kioskd not in standby after {BOOT_TIMEOUT} s")
            status = request(control, {"cmd": "status"}) if control.exists() else None
            now = time.monotonic()
            if status is not None:
                result.setdefault("socket", now - start)
                if status.get("state") == "standby" and status.get("pair_uri"):
                    result["standby"] = now - start
                    standby_at = now
                    uris.add(status["pair_uri"])
                    break
            time.sleep(POLL)

        # Back-to-back screenshots, decoded only after each batch so zbarimg's CPU does
        # not compete with kioskd while it is still drawing.
        shot = 0
        while "qr" not in result:
            if time.monotonic() > standby_at + QR_TIMEOUT:
                raise RuntimeError(f"no screenshot showed the pair URI within {QR_TIMEOUT} s of standby")
            batch = []
            for _ in range(SHOTS_PER_BATCH):
                path = directory / f"shot-{shot:03}.png"
                shot += 1
                reply = request(control, {"cmd": "screenshot", "path": str(path)})
                if reply == {"ok": True}:
                    batch.append((time.monotonic() - start, shot, path))
            status = request(control, {"cmd": "status"})
            if status and status.get("pair_uri"):
                uris.add(status["pair_uri"])
            for taken, number, path in batch:
                if decode_qr(path) in uris:
                    result["qr"] = taken
                    result["shot"] = number
                    break

        time.sleep(max(0.0, standby_at + settle - time.monotonic()))
        pids = process_tree(process.pid)
        result["memory"] = memory_kb(pids)
        result["processes"] = len(pids)
        return result
    finally:
        stop(process, 15)
        shutil.rmtree(directory, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kioskd", required=True)
    parser.add_argument("--info", required=True, help="the Prosody fixture's info.json")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settle", type=float, default=5, help="seconds in standby before memory is read")
    args = parser.parse_args()
    exit_on_sigterm()
    info = json.loads(Path(args.info).read_text())

    runs = []
    for run in range(1, args.runs + 1):
        r = one_run(args.kioskd, info, args.settle, run)
        runs.append(r)
        m = r["memory"]
        note(f"kioskd run {run}: control socket {r['socket'] * 1000:4.0f} ms, standby {r['standby'] * 1000:4.0f} ms, "
             f"QR decoded {r['qr'] * 1000:4.0f} ms (screenshot {r['shot']}); after {args.settle:.0f} s: "
             f"PSS {m['Pss']} KiB (anonymous {m['Pss_Anon']} KiB), RSS {m['Rss']} KiB, private {m['Private']} KiB in {r['processes']} process(es)")

    for key, name in (("socket", "control_socket"), ("standby", "standby"), ("qr", "qr")):
        emit(f"kioskd_boot_to_{name}_ms_median", median([r[key] for r in runs]) * 1000, "ms")
        emit(f"kioskd_boot_to_{name}_ms_best", min(r[key] for r in runs) * 1000, "ms")
    emit("kioskd_boot_to_qr_ms_worst", max(r["qr"] for r in runs) * 1000, "ms")
    for key, name in (("Pss", "pss"), ("Pss_Anon", "pss_anon"), ("Rss", "rss"), ("Private", "private")):
        emit(f"kioskd_standby_{name}_kb_median", median([r["memory"][key] for r in runs]), "KiB")
    emit("kioskd_standby_processes", max(r["processes"] for r in runs), "processes")
    emit("kioskd_runs", len(runs), "runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
