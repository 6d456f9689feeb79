"""The ``terminal`` fixture: tmux terminals that are always closed afterwards.

Imported by the conftest of each directory whose tests drive the app in a real terminal.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from tests.e2e.processes import REPO, pid_alive, wait_until
from tests.e2e.terminal import Terminal, tmux_available

TerminalFactory = Callable[..., Terminal]

NO_TMUX = "tmux is not installed: the real-terminal tests drive the app through tmux"


@pytest.fixture
def terminal() -> Iterator[TerminalFactory]:
    """``terminal(command, width=, height=, env=, cwd=, record=)`` opens a tmux terminal
    (``record``: a file that receives every byte the command writes); all are closed at the end
    of the test, whatever happened. Skips the test when tmux is missing."""
    if not tmux_available():
        pytest.skip(NO_TMUX)
    opened: list[tuple[Terminal, int]] = []

    def open_terminal(
        command: Sequence[str],
        *,
        width: int = 120,
        height: int = 40,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        record: Path | None = None,
    ) -> Terminal:
        # The app runs from the repository; PYTHONPATH lets it run from another directory too.
        environment = {"PYTHONPATH": str(REPO), "HOME": os.environ.get("HOME", "")}
        environment.update(env or {})
        term = Terminal(
            list(command),
            width=width,
            height=height,
            env=environment,
            cwd=cwd or REPO,
            record=record,
        )
        opened.append((term, term.pid))
        return term

    yield open_terminal
    for term, pid in opened:
        term.close()
        # An app that hangs on its way out (the bug a test caught) must not outlive the test.
        try:
            wait_until(lambda p=pid: not pid_alive(p), timeout=5, what=f"app {pid} ended")
        except AssertionError:
            if _is_our_command(pid, term.command):  # not a stranger that reused the pid
                os.kill(pid, signal.SIGKILL)


def _is_our_command(pid: int, command: Sequence[str]) -> bool:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return [part.decode(errors="replace") for part in argv if part] == list(command)
