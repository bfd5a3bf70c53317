"""Small pieces shared by the benchmark drivers under bench/."""
import ctypes
import os
import selectors
import signal
import statistics
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """preexec_fn: the child gets SIGKILL when the driver dies, however it dies, so an
    interrupted benchmark cannot leave a kioskd or a client behind."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def exit_on_sigterm() -> None:
    """bench/run stops its helpers with SIGTERM; turning it into SystemExit runs the
    helpers' finally blocks, which stop their own children cleanly. The same SIGTERM
    comes if bench/run itself is killed outright (SIGKILL leaves it no trap)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def emit(name: str, value, unit: str) -> None:
    """One machine-readable result line: name value unit."""
    if isinstance(value, float):
        value = f"{value:.1f}" if abs(value) >= 100 else f"{value:.3g}"
    print(f"{name} {value} {unit}", flush=True)


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def median(values):
    return statistics.median(values) if values else float("nan")


def parse_figures(text: str) -> dict:
    """'name value' lines of a benchmark program, as floats."""
    figures = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                figures[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return figures


def read_line(process: subprocess.Popen, timeout: float) -> str | None:
    """The next line of process's stdout, or None after timeout or at its end.

    Start the process with bufsize=0: a buffered reader could swallow more than the line,
    and communicate() reads the descriptor directly, past any such buffer."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if selector.select(left):
                line = process.stdout.readline()
                return line.decode(errors="replace") if line else None
    return None


def stop(process: subprocess.Popen | None, grace: float = 10) -> None:
    """SIGTERM, then SIGKILL after grace seconds; always reaps."""
    if process is None or process.poll() is not None:
        return
    try:
        os.kill(process.pid, signal.SIGCONT)  # a paused process cannot act on SIGTERM
        process.terminate()
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    except ProcessLookupError:
        pass
