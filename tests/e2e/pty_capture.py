"""A command on a pseudo-terminal, every byte it writes kept: what a terminal receives.

tmux re-encodes what an app draws; tests about the escape sequences themselves (which colour
codes reach the terminal) read the raw bytes here instead. Waiting polls what was received
against a deadline.
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
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.e2e.processes import REPO

__all__ = ["PtyCapture"]


class PtyCapture:
    """``command`` on a pty of ``width`` x ``height``; a thread collects what it writes."""

    def __init__(
        self,
        command: Sequence[str],
        env: Mapping[str, str],
        *,
        width: int = 120,
        height: int = 40,
        cwd: Path = REPO,
    ) -> None:
        self._master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        self.proc = subprocess.Popen(
            list(command),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
        )
        os.close(slave)
        self._data = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self._data.extend(chunk)

    @property
    def output(self) -> str:
        """Everything written so far."""
        with self._lock:
            return self._data.decode("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float = 30.0) -> None:
        """Wait until ``needle`` was written (AssertionError with the tail otherwise)."""
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"{needle!r} never written; got:\n{self.output[-2000:]!r}")
            time.sleep(0.05)  # polling what arrived, against the deadline

    def close(self) -> None:
        """End the command (SIGTERM, then SIGKILL) and the pty."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._reader.join(5)
        os.close(self._master)
