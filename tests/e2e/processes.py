"""Processes outside the test: ``finetop sim`` as a subprocess, and what a pid leaves behind.

``SimProcess`` runs ``python -m tui sim --port 0`` and reads the URL it announces, collecting
everything it prints (its request log) for later assertions. The ``/proc`` helpers answer "is
this process gone?", "which ports does it listen on?" and "which processes did it start?", so
tests can check that nothing outlives the app.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

__all__ = [
    "REPO",
    "SimProcess",
    "descendants",
    "finetop_command",
    "listening_ports",
    "pid_alive",
    "port_listening",
    "run_finetop",
    "wait_until",
]

REPO = Path(__file__).resolve().parents[2]
"""The repository root (the working directory finetop runs from)."""

_SERVING = re.compile(r"serving (http://[\w.\[\]:]+:(\d+))")


def finetop_command(*args: str) -> list[str]:
    """``finetop ARGS`` as this interpreter runs it from the repository."""
    return [sys.executable, "-m", "tui", *args]


def run_finetop(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    """Run a non-interactive ``finetop`` command to completion, capturing stdout and stderr."""
    environment = dict(os.environ)
    environment.update(env or {})
    return subprocess.run(
        finetop_command(*args),
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def wait_until(
    condition: Callable[[], object], *, timeout: float, interval: float = 0.02, what: str = ""
) -> None:
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or condition!r}")
        time.sleep(interval)  # polling a condition, not waiting for a race


class SimProcess:
    """``finetop sim`` in a subprocess on a free loopback port; stopped with Ctrl-C (SIGINT)."""

    def __init__(self, *args: str, env: Mapping[str, str] | None = None) -> None:
        self.args: Sequence[str] = ("--port", "0", *args)
        self._env = dict(os.environ)
        self._env.update(env or {})
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._announced = threading.Event()
        self._proc: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self.base_url = ""
        """``http://127.0.0.1:PORT`` once started."""
        self.port = 0

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def output(self) -> str:
        """Everything the simulator printed so far (stdout and stderr)."""
        with self._lock:
            return "".join(self._lines)

    def _read(self) -> None:
        assert self._proc is not None
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            with self._lock:
                self._lines.append(line)
            match = _SERVING.search(line)
            if match and not self._announced.is_set():
                self.base_url, self.port = match.group(1), int(match.group(2))
                self._announced.set()
        self._announced.set()  # ended: let start() report it instead of waiting

    def start(self, timeout: float = 30.0) -> str:
        """Start and return the base URL the simulator announced."""
        self._proc = subprocess.Popen(
            finetop_command("sim", *self.args),
            cwd=REPO,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, name="sim-output", daemon=True)
        self._reader.start()
        if not self._announced.wait(timeout) or not self.base_url:
            self.stop()
            raise AssertionError(f"finetop sim did not start:\n{self.output()}")
        return self.base_url

    def stop(self, timeout: float = 10.0) -> int | None:
        """Ctrl-C the simulator, wait for it, and return its exit status."""
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if self._reader is not None:
            self._reader.join(timeout)
        return proc.returncode

    def __enter__(self) -> SimProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# -------------------------------------------------------------------- /proc


def _state(pid: int) -> str | None:
    """The process state letter from ``/proc/PID/stat``, or ``None`` when there is no process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may contain spaces: the state follows the last ")".
    return text.rsplit(")", 1)[1].split()[0]


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie waiting to be reaped counts as gone)."""
    state = _state(pid)
    return state is not None and state not in ("Z", "X")


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (children, grandchildren...), from ``/proc``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return {p for p in found if pid_alive(p)}


def _socket_inodes(pid: int) -> set[str]:
    inodes: set[str] = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _listening() -> list[tuple[int, str]]:
    """``(port, inode)`` of every TCP socket in LISTEN state on this machine."""
    rows: list[tuple[int, str]] = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A":  # TCP_LISTEN
                rows.append((int(fields[1].rsplit(":", 1)[1], 16), fields[9]))
    return rows


def listening_ports(pid: int) -> set[int]:
    """TCP ports ``pid`` listens on."""
    inodes = _socket_inodes(pid)
    return {port for port, inode in _listening() if inode in inodes}


def port_listening(port: int) -> bool:
    """Whether any process on this machine listens on TCP ``port``."""
    return any(p == port for p, _ in _listening())
