"""A real terminal for end-to-end tests: a detached tmux session driven like a person would.

``Terminal`` starts a command in its own tmux server (a private socket, so tests never touch the
developer's sessions), types with ``send_keys``, reads the screen with ``screen()`` and waits on
what is shown with ``wait_for``. Waiting polls the screen against a deadline; it never sleeps a
fixed time hoping the app is ready.

Given ``record=PATH``, every byte the command writes to the terminal is appended to ``PATH``
(``tmux pipe-pane``), from its first byte: what a screen capture cannot show (escape sequences,
clipboard writes, links, window titles) can then be checked.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["Terminal", "TerminalTimeout", "tmux_available"]


def tmux_available() -> bool:
    """Whether a tmux binary is on PATH."""
    return shutil.which("tmux") is not None


def _clean_environment() -> dict[str, str]:
    """The test's environment for tmux, as ``os.environ`` says (not the C-level one, which may
    have gained COLUMNS/LINES), without variables that would pin the pane's size."""
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TMUX")}


def _zombie_status(pid: int) -> int | None:
    """The exit status of ``pid`` if it is a zombie (``-N`` for signal N), from ``/proc``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] != "Z" or len(fields) < 50:
        return None
    code = int(fields[49])  # exit_code (field 52 of proc(5)), in waitpid() format
    return -(code & 0x7F) if code & 0x7F else (code >> 8) & 0xFF


class TerminalTimeout(AssertionError):
    """What the screen showed when a wait ran out."""


class Terminal:
    """One tmux session running one command at a fixed size."""

    def __init__(
        self,
        command: list[str],
        *,
        width: int = 120,
        height: int = 40,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        record: Path | None = None,
    ) -> None:
        self.width = width
        self.height = height
        self.command = tuple(command)
        """What runs in the pane."""
        self._socket = f"finetop-test-{uuid.uuid4().hex[:10]}"
        """A private tmux server per terminal: no interference between tests or with the user."""
        self._session = "app"
        environment = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8"}
        environment.update(env or {})
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in environment.items())
        # `exec` makes the app the pane's process, so killing the pane signals the app itself.
        # COLUMNS/LINES would override the pane's real size (readline, once imported by the test
        # process, exports them to the C environment that subprocesses inherit).
        shell_line = (
            f"cd {shlex.quote(str(cwd or Path.cwd()))} && exec env -u COLUMNS -u LINES {exports} "
            + " ".join(shlex.quote(part) for part in command)
        )
        # Recording starts in the same invocation as the session: before the command (a Python
        # process still importing) can write its first byte.
        recording = (
            [";", "pipe-pane", "-o", "-t", self._session, self._pipe_command(record)]
            if record is not None
            else []
        )
        # One invocation, so the pane is kept (remain-on-exit) even if the app ends at once.
        self._tmux(
            "start-server", ";",
            "set-option", "-g", "remain-on-exit", "on", ";",
            # No client is attached, so tmux would fall back to default-size (80x24) whenever it
            # recalculates the window size: pin the size until the test resizes it.
            "set-option", "-g", "default-size", f"{width}x{height}", ";",
            "new-session", "-d", "-s", self._session, "-x", str(width), "-y", str(height),
            shell_line, ";",
            "set-option", "-g", "window-size", "manual",  # (refused before a session exists)
            *recording,
        )  # fmt: skip

    # ---------------------------------------------------------------- tmux plumbing

    @staticmethod
    def _pipe_command(path: Path) -> str:
        return f"cat >> {shlex.quote(str(path))}"

    def record(self, path: Path) -> None:
        """Append every byte the command writes from now on to ``path`` (``pipe-pane -o``)."""
        self._tmux("pipe-pane", "-o", "-t", self._session, self._pipe_command(path))

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self._socket, "-f", os.devnull, *args],
            env=_clean_environment(),
            check=check,
            capture_output=True,
            text=True,
            timeout=10,
        )

    def display(self, fmt: str) -> str:
        """A tmux format expanded for the pane (e.g. ``#{alternate_on}``, ``#{cursor_flag}``)."""
        return self._tmux("display-message", "-p", "-t", self._session, fmt).stdout.strip()

    # ---------------------------------------------------------------- what a person does

    def send_keys(self, *keys: str, literal: bool = False) -> None:
        """Type keys (tmux key names such as ``Down`` or ``C-c``, or literal text)."""
        args = ["send-keys", "-t", self._session]
        if literal:
            args.append("-l")
        self._tmux(*args, *keys)

    def screen(self) -> str:
        """The visible screen as plain text."""
        return self._tmux("capture-pane", "-p", "-t", self._session).stdout

    def styled_screen(self) -> str:
        """The visible screen with its colours and attributes as SGR sequences
        (``capture-pane -e``; tmux writes an attribute only where it changes, across lines)."""
        return self._tmux("capture-pane", "-p", "-e", "-t", self._session).stdout

    def resize(self, width: int, height: int) -> None:
        """Resize the window, as dragging a terminal's corner would."""
        self.width, self.height = width, height
        self._tmux("resize-window", "-t", self._session, "-x", str(width), "-y", str(height))

    def wait_for(
        self,
        condition: str | Callable[[str], bool],
        *,
        timeout: float = 20.0,
        interval: float = 0.1,
    ) -> str:
        """Wait until the screen contains ``condition`` (or satisfies it); return that screen."""
        check = (lambda text: condition in text) if isinstance(condition, str) else condition
        deadline = time.monotonic() + timeout
        text = self.screen()
        while not check(text):
            if time.monotonic() > deadline:
                raise TerminalTimeout(f"waited {timeout}s for {condition!r}; screen:\n{text}")
            time.sleep(interval)  # polling the screen, not waiting for a race
            text = self.screen()
        return text

    # ---------------------------------------------------------------- the process

    @property
    def pid(self) -> int:
        """The pane's process id (the app, thanks to ``exec``)."""
        return int(self.display("#{pane_pid}"))

    def exited(self) -> bool:
        """Whether the app has ended and tmux has its exit status (the pane stays, marked dead).

        tmux marks the pane dead when the terminal closes, which can be a moment before it reaps
        the process and learns the status; both are waited for.
        """
        return self.exit_status() is not None

    def exit_status(self) -> int | None:
        """The app's exit status once it ended; ``-N`` when signal N killed it."""
        dead, status, killed_by, pid = self.display(
            "#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}|#{pane_pid}"
        ).split("|")
        if dead != "1":
            return None
        if status:
            return int(status)
        if killed_by:
            return -int(killed_by)
        # tmux sometimes marks the pane dead but is slow to reap the process: read the status
        # the kernel keeps for the zombie instead.
        return _zombie_status(int(pid)) if pid else None

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Wait for the app to end and return its status (``-N`` for signal N)."""
        deadline = time.monotonic() + timeout
        while (status := self.exit_status()) is None:
            if time.monotonic() > deadline:
                raise TerminalTimeout(f"app still running after {timeout}s:\n{self.screen()}")
            time.sleep(0.05)  # polling the pane's state
        return status

    def alternate_screen(self) -> bool:
        """Whether the pane shows the alternate screen (a full-screen app has it on)."""
        return self.display("#{alternate_on}") == "1"

    def modes(self) -> dict[str, str]:
        """Terminal modes the app may have left on: mouse reporting, cursor visibility, keypad."""
        names = (
            "alternate_on",
            "cursor_flag",
            "keypad_cursor_flag",
            "keypad_flag",
            "mouse_any_flag",
            "mouse_button_flag",
            "mouse_sgr_flag",
            "mouse_standard_flag",
            "mouse_all_flag",
        )
        values = self.display("|".join(f"#{{{name}}}" for name in names)).split("|")
        return dict(zip(names, values, strict=True))

    def kill_pane(self) -> None:
        """Close the pane under the app, as a closed terminal window does (SIGHUP to the app)."""
        self._tmux("kill-pane", "-t", self._session, check=False)

    def kill_server(self) -> None:
        """End the whole tmux server, as a dropped SSH connection ends its terminal (SIGHUP)."""
        self._tmux("kill-server", check=False)

    def close(self) -> None:
        """End the tmux server and everything in it."""
        self._tmux("kill-server", check=False)
