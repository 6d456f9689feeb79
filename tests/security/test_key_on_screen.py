"""The API key never shows in the real terminal, in saved screenshots or in the server's log.

The app runs in tmux with ``MISTRAL_API_KEY`` set, against ``finetop sim --api-key`` in a
subprocess, and every screen a person can reach quickly is captured: the job list and detail,
help, the command palette (searching for the key itself too), the screenshot notice, and the
"auth failed" view of a second run with a wrong key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.fixtures import TerminalFactory
from tests.e2e.processes import SimProcess, finetop_command
from tests.e2e.screens import row_ids, selected_id, status_line
from tests.e2e.terminal import Terminal
from tests.security.keys import KEY, WRONG_KEY, assert_no_key
from tui.settings.places import screenshots_directory

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


class Screens:
    """Every screen seen, to check them all at the end."""

    def __init__(self, term: Terminal) -> None:
        self.term = term
        self.seen: list[str] = []

    def wait(self, condition: str | Callable[[str], bool], timeout: float = 20.0) -> str:
        screen = self.term.wait_for(condition, timeout=timeout)
        self.seen.append(screen)
        return screen


def _ready(screen: str) -> bool:
    return len(row_ids(screen)) >= 5 and "updated" in status_line(screen)


def test_the_key_is_never_on_screen_in_screenshots_or_in_the_sim_log(
    terminal: TerminalFactory, tmp_path: Path
) -> None:
    with SimProcess("--api-key", KEY, "--jobs", "10", "--no-arrivals") as sim:
        command = finetop_command("--server-url", sim.base_url)
        # 160x48: the detail beside the list.
        term = terminal(command, env={"MISTRAL_API_KEY": KEY}, cwd=tmp_path, width=160, height=48)
        screens = Screens(term)
        screens.wait(_ready, timeout=30)
        first = screens.wait(lambda s: selected_id(s) is not None)  # the detail pane
        shown = selected_id(first) or ""
        below = row_ids(first)[row_ids(first).index(shown[:8]) + 1]
        term.send_keys("j")
        screens.wait(lambda s: (selected_id(s) or "")[:8] == below)

        term.send_keys("?")
        screens.wait("finetop keys")
        term.send_keys("Escape")
        screens.wait(lambda s: "finetop keys" not in s)

        term.send_keys("C-p")
        screens.wait("Search for commands")
        term.send_keys("key", literal=True)  # nothing in the palette may reveal it either
        screens.wait(lambda s: "Keys" in s and "key: ?" in s)
        term.send_keys("Escape")
        screens.wait(lambda s: "Search for commands" not in s and "key: ?" not in s)
        term.send_keys("C-p")
        screens.wait("Search for commands")
        term.send_keys("refresh", literal=True)
        screens.wait("Refresh now")
        term.send_keys("Escape")
        screens.wait(lambda s: "Search for commands" not in s and _ready(s))

        term.send_keys("F8")
        screens.wait("Saved")
        # In the screenshots folder (the test's own user data directory), not the cwd.
        assert not list(tmp_path.glob("*.svg"))
        svgs = list(screenshots_directory().glob("*.svg"))
        assert len(svgs) == 1, svgs
        svg = svgs[0].read_text(encoding="utf-8")
        assert "<svg" in svg
        assert "127.0.0.1" in svg  # it is a picture of this workspace
        assert_no_key(svg, f"the screenshot {svgs[0].name}")

        term.send_keys("q")
        assert term.wait_exit() == 0
        screens.seen.append(term.screen())

        # A wrong key: the app says so, and shows neither key.
        wrong = terminal(command, env={"MISTRAL_API_KEY": WRONG_KEY}, cwd=tmp_path)
        refused = Screens(wrong)
        screen = refused.wait("auth failed", timeout=30)
        # Automatic retries stop on a refused key (they would only be refused again).
        assert "auth failed — r to retry" in status_line(screen)
        wrong.send_keys("?")
        refused.wait("finetop keys")
        wrong.send_keys("Escape")
        refused.wait(lambda s: "finetop keys" not in s)
        wrong.send_keys("q")
        assert wrong.wait_exit() == 0
        refused.seen.append(wrong.screen())

    for index, screen in enumerate(screens.seen + refused.seen):
        assert_no_key(screen, f"screen #{index}")
    log = sim.output()
    assert "GET /v1/fine_tuning/jobs" in log
    assert " 401 " in log  # the wrong key was refused...
    assert_no_key(log, "the simulator's output")  # ...and the log names no key
