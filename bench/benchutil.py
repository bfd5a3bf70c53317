"""Small pieces shared by the benchmark drivers under bench/."""
import ctypes
import json
import os
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def percentile(values, p: float) -> float:
    """The p-th percentile (0-100), interpolated linearly between the two nearest ranks
    (numpy's default; Python's statistics.quantiles with method="inclusive")."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def cpu_seconds_of(pids: list[int]) -> float:
    """User plus system CPU time the processes have used so far (from /proc)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def write_secret(path: Path, text: str) -> Path:
    """A password file only its owner can read, as kioskd and kiosk-phone take them."""
    path.write_text(text + "\n")
    path.chmod(0o600)
    return path


def write_kioskd_config(directory: Path, info: dict, rotation: int = 300, extra: str = "") -> Path:
    """The display's configuration for a fixture server, as tests/integration/kioskdrun.py
    writes it. The default rotation of 300 s is far beyond a benchmark's run, so the code
    on screen cannot change under a measurement."""
    display = info["users"]["display"]
    secret = write_secret(directory / "device.secret", display["password"])
    config = directory / "kioskd.ini"
    config.write_text("\n".join([
        "[device]", f"jid = {display['jid']}/display", f"password-file = {secret}",
        f"host = {info['host']}", f"port = {info['starttls_port']}", "tls = starttls", f"ca-file = {info['ca_file']}",
        "[display]", "label = Hotel Lobby", f"pairing-rotation = {rotation}", "idle-timeout = 300", "max-sessions = 1",
        "[domains]", f"{info['domain']} = {info['host']}:{info['starttls_port']}",
    ]) + "\n" + extra)
    return config


def control_request(path: Path, payload: dict, timeout: float = 5) -> dict | None:
    """One request on kioskd's control socket; None when the socket does not answer (yet)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            s.sendall((json.dumps(payload) + "\n").encode())
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    return None
                data += chunk
        return json.loads(data)
    except (OSError, ValueError):
        return None


def phone_as_alice(phone: str, info: dict, password_file: Path, args: list[str]) -> list[str]:
    """The kiosk-phone command line as the fixture's alice (resource `phone`, STARTTLS, the
    fixture's CA) with the given command and options."""
    return [phone, "--jid", info["users"]["alice"]["jid"], "--password-file", str(password_file),
            "--resource", "phone", "--host", info["host"], "--port", str(info["starttls_port"]), "--tls", "starttls",
            "--ca-file", info["ca_file"], *args]


def run_phone_as_alice(phone: str, info: dict, password_file: Path, args: list[str], log,
                       timeout: float) -> tuple[int, list[dict]]:
    """kiosk-phone as alice (phone_as_alice) run to its end; its exit status and event lines."""
    process = subprocess.Popen(phone_as_alice(phone, info, password_file, args), stdout=subprocess.PIPE,
                               stderr=log, preexec_fn=die_with_parent)
    try:
        out, _ = process.communicate(timeout=timeout)
    finally:
        stop(process)
    events = [json.loads(line) for line in out.decode(errors="replace").splitlines() if line.startswith("{")]
    return process.returncode, events


class Display:
    """One headless kioskd for a whole benchmark run, on a fixture server. extra_config:
    more sections for its configuration file."""

    STANDBY_TIMEOUT = 30
    POLL = 0.005  # status polling while the display returns to standby

    def __init__(self, kioskd: str, info: dict, log, extra_config: str = ""):
        self.dir = Path(tempfile.mkdtemp(prefix="kioskd-bench-display-"))
        self.control = self.dir / "control.sock"
        config = write_kioskd_config(self.dir, info, rotation=3600, extra=extra_config)
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1")
        self.process = subprocess.Popen([kioskd, "--config", str(config), "--headless", "--control", str(self.control)],
                                        stdout=log, stderr=log, env=env, preexec_fn=die_with_parent)

    def standby_uri(self, not_uri: str | None) -> str:
        """The pair URI once the display is in standby, with no session, showing a code
        other than not_uri (a code is good for one pairing)."""
        deadline = time.monotonic() + self.STANDBY_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"kioskd exited with {self.process.returncode}")
            status = control_request(self.control, {"cmd": "status"}) if self.control.exists() else None
            if (status and status.get("state") == "standby" and not status.get("sessions")
                    and status.get("pair_uri") and status["pair_uri"] != not_uri):
                return status["pair_uri"]
            if time.monotonic() > deadline:
                raise RuntimeError(f"kioskd not back in standby with a new code after {self.STANDBY_TIMEOUT} s: {status}")
            time.sleep(self.POLL)

    def close(self) -> None:
        stop(self.process, 15)
        shutil.rmtree(self.dir, ignore_errors=True)


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
