#!/usr/bin/python3
"""Session transfer against a real server: time and throughput per method and size, the
phone's state to the display and back.

One kioskd (headless; apps from tests/integration/apps; [transfer] max-state-mb = 64 and
max-inband-mb = 32, so that 20 MB may go inband too) serves every run. A run pairs
kiosk-phone as alice through the SASL relay and opens the `statekeeper` app, which keeps
the state it is given and hands it back as its snapshot. Then

    kiosk-phone pair --uri URI --view statekeeper --send-state DIR --methods METHOD
                     --pull-state BACK --end

with DIR holding one file of random (incompressible) bytes of the size. From the phone's
event lines (their t_ms):
  to display  `sending-state` -> `state-sent`: offer, the chunks or uploads, the display's
              downloads and digest checks, until its <transferred/>; the state is then
              in the page.
  back        `pulling-state` -> `state-received`: the page's snapshot (base64 through
              the web channel), the display's offer by the method it prefers for the size
              (inband up to 1 MiB, else upload), the phone's checks, and writing the
              folder.
Every run checks that BACK holds the same bytes. Throughput is the state's size over
the time. One warm-up run, not counted, comes first.

    transfer.py --kioskd BIN --phone BIN --info INFO.json [--sizes 100k,1m,20m]
                [--methods inband,upload,bundle] [--runs 3] [--label NAME] [--log FILE]

Prints "name value unit" lines on stdout (transfer_LABEL_METHOD_SIZE_...), one line per
run on stderr; exit status 1 when a run failed or its state came back changed."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from benchutil import Display, emit, exit_on_sigterm, median, note, run_phone_as_alice, write_secret  # noqa: E402

APPS = HERE.parent / "tests" / "integration" / "apps"
PHONE_TIMEOUT = 60  # kiosk-phone's --timeout: each step of the display
SIZES = {"100k": 100 * 1000, "1m": 1000 * 1000, "20m": 20 * 1000 * 1000}
METHODS = ("inband", "upload", "bundle")


def write_state(work: Path, size: int) -> tuple[Path, bytes]:
    """The state the phone sends: one file of size random bytes; the folder and the bytes."""
    source = work / "out"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir()
    data = os.urandom(size)
    (source / "state.bin").write_bytes(data)
    return source, data


def run_once(args, info: dict, uri: str, password_file: Path, work: Path, method: str,
             state: tuple[Path, bytes]) -> dict:
    (source, data), back = state, work / "back"
    shutil.rmtree(back, ignore_errors=True)
    returncode, events = run_phone_as_alice(
        args.phone, info, password_file,
        ["pair", "--uri", uri, "--view", "statekeeper", "--accept", "message,ns=urn:example:none",
         "--send-state", str(source), "--methods", method, "--pull-state", str(back), "--end",
         "--timeout", str(PHONE_TIMEOUT)],
        args.log, 10 * PHONE_TIMEOUT)

    def event(name: str) -> dict:
        for e in events:
            if e.get("event") == name:
                return e
        errors = [e.get("message") for e in events if e.get("event") == "error"]
        raise RuntimeError(f"kiosk-phone (exit {returncode}) reported no {name}: {errors or 'no error event'}")

    sent, received = event("state-sent"), event("state-received")
    if returncode != 0:
        raise RuntimeError(f"kiosk-phone exited with {returncode}")
    if sent["method"] != method:
        raise RuntimeError(f"the state went by {sent['method']}, not {method}")
    came_back = (back / "state.bin").read_bytes() if (back / "state.bin").exists() else b""
    if came_back != data:
        raise RuntimeError(f"the state came back changed ({len(came_back)} bytes of {len(data)})")
    return {"to_display_ms": sent["t_ms"] - event("sending-state")["t_ms"],
            "back_ms": received["t_ms"] - event("pulling-state")["t_ms"],
            "back_method": received["method"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kioskd", required=True)
    parser.add_argument("--phone", required=True, help="the kiosk-phone program")
    parser.add_argument("--info", required=True, help="the fixture server's info.json")
    parser.add_argument("--sizes", default="100k,1m,20m", help=f"a choice of {', '.join(SIZES)}")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", help="names the figures (default: the server's name)")
    parser.add_argument("--log", default=os.devnull, help="kioskd's and kiosk-phone's output goes here")
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    methods = args.methods.split(",")
    if args.runs < 1 or any(s not in SIZES for s in sizes) or any(m not in METHODS for m in methods):
        parser.error(f"--runs must be positive, --sizes from {','.join(SIZES)}, --methods from {','.join(METHODS)}")
    exit_on_sigterm()
    info = json.loads(Path(args.info).read_text())
    label = (args.label or info["server"]).replace("-", "_")
    args.log = open(args.log, "ab")

    display = Display(args.kioskd, info, args.log,
                      extra_config=f"[apps]\ndir = {APPS}\n[transfer]\nmax-state-mb = 64\nmax-inband-mb = 32\n")
    work = Path(tempfile.mkdtemp(prefix="kiosk-phone-bench-transfer-"))
    password_file = write_secret(work / "password", info["users"]["alice"]["password"])
    failures = 0
    results: dict[tuple[str, str], list[dict]] = {}
    try:
        uri = display.standby_uri(None)
        warm = run_once(args, info, uri, password_file, work, "inband", write_state(work, SIZES["100k"]))
        uri = display.standby_uri(uri)
        note(f"transfer {label:8} warm-up: to display {warm['to_display_ms']:.1f} ms, back {warm['back_ms']:.1f} ms")
        for size_name in sizes:
            # One state per size: the phone only reads it.
            state = write_state(work, SIZES[size_name])
            for method in methods:
                for run in range(1, args.runs + 1):
                    try:
                        r = run_once(args, info, uri, password_file, work, method, state)
                        results.setdefault((method, size_name), []).append(r)
                        note(f"transfer {label:8} {method:6} {size_name:>4} run {run}: to display "
                             f"{r['to_display_ms']:8.1f} ms, back {r['back_ms']:8.1f} ms ({r['back_method']})")
                    except (RuntimeError, subprocess.TimeoutExpired) as error:
                        failures += 1
                        note(f"transfer {label:8} {method:6} {size_name:>4} run {run}: failed: {error}")
                        if display.process.poll() is not None:
                            raise
                    uri = display.standby_uri(uri)
    finally:
        display.close()
        shutil.rmtree(work, ignore_errors=True)

    emit(f"transfer_{label}_failed_runs", failures, "runs")
    for (method, size_name), runs in results.items():
        size = SIZES[size_name]
        prefix = f"transfer_{label}_{method}_{size_name}"
        to_display = median([r["to_display_ms"] for r in runs])
        back = median([r["back_ms"] for r in runs])
        emit(f"{prefix}_runs", len(runs), "runs")
        emit(f"{prefix}_to_display_ms_median", round(to_display, 1), "ms")
        emit(f"{prefix}_to_display_mb_per_s", round(size / 1e6 / (to_display / 1000), 2), "MB/s")
        emit(f"{prefix}_back_ms_median", round(back, 1), "ms")
        emit(f"{prefix}_back_mb_per_s", round(size / 1e6 / (back / 1000), 2), "MB/s")
        emit(f"{prefix}_back_method", runs[0]["back_method"], "method")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
