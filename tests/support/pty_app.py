"""A command on a pseudo-terminal, every byte it writes kept with the time it arrived.

What a terminal (or an SSH connection) receives, raw: tmux re-encodes what an app draws, so tests
about the bytes themselves (how many per poll, which colour codes) read them here. Waiting polls
what arrived against a deadline.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import termios
import threading
import time
from pathlib import Path

__all__ = ["REPO", "PtyApp", "wait_for_text"]

REPO = Path(__file__).resolve().parents[2]
"""The repository root (the command runs from there unless told otherwise)."""


class PtyApp:
    """A command on a pseudo-terminal, with a thread collecting (time, bytes) it writes."""

    def __init__(
        self, command: list[str], env: dict[str, str], width: int, height: int, cwd: Path = REPO
    ) -> None:
        self.master, slave = pty.openpty()
        self._slave = slave
        self.resize(width, height, signal_child=False)
        self.proc = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        self.chunks: list[tuple[float, bytes]] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.chunks.append((time.monotonic(), data))

    def resize(self, width: int, height: int, *, signal_child: bool = True) -> None:
        fcntl.ioctl(self._slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        if signal_child:
            os.kill(self.proc.pid, signal.SIGWINCH)

    def bytes_between(self, start: float, end: float) -> int:
        with self._lock:
            return sum(len(data) for at, data in self.chunks if start <= at < end)

    def text(self) -> str:
        with self._lock:
            return b"".join(data for _, data in self.chunks).decode("utf-8", "replace")

    def last_write(self) -> float:
        with self._lock:
            return self.chunks[-1][0] if self.chunks else 0.0

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        os.close(self._slave)
        os.close(self.master)


def wait_for_text(app: PtyApp, needles: list[str], timeout: float) -> None:
    """Wait until the command wrote one of ``needles`` (``TimeoutError`` with the tail of what
    it wrote otherwise, or as soon as it exits)."""
    deadline = time.monotonic() + timeout
    while not any(needle in app.text() for needle in needles):
        if time.monotonic() > deadline or app.proc.poll() is not None:
            raise TimeoutError(f"none of {needles!r} was written; got:\n{app.text()[-2000:]!r}")
        time.sleep(0.05)  # polling what the terminal received
