"""finetop in a real terminal (tmux), used the way a person over SSH would use it.

Every test starts the real command (``python -m tui ...``) in a private tmux server, types keys
with ``send-keys`` and reads the screen with ``capture-pane``. Waiting is always on what the
screen shows (or on the process), against a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from tests.e2e.fixtures import TerminalFactory
from tests.e2e.processes import (
    SimProcess,
    descendants,
    finetop_command,
    listening_ports,
    pid_alive,
    port_listening,
    run_finetop,
    wait_until,
)
from tests.e2e.screens import row_ids, selected_id, status_line
from tests.e2e.terminal import Terminal

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

DEMO = finetop_command("--demo")
APP_FRAME_MARKERS = ("simulated jobs", "ETA/took", "Command palette")
"""Text only the app's frame shows (the demo banner, the table header, the footer)."""


def _ready(screen: str, rows: int = 5) -> bool:
    """The first poll has landed: rows in the table and "updated" on the status line."""
    return len(row_ids(screen)) >= rows and "updated" in status_line(screen)


def _start_demo(terminal: TerminalFactory, width: int = 120, height: int = 40) -> Terminal:
    term = terminal(DEMO, width=width, height=height)
    term.wait_for(_ready, timeout=30)
    return term


def _assert_restored(term: Terminal) -> None:
    """The app's frame is gone and the terminal is back to the shell's screen, modes off."""
    screen = term.screen()
    for marker in APP_FRAME_MARKERS:
        assert marker not in screen, f"app frame left on screen after exit:\n{screen}"
    assert "Traceback" not in screen, screen
    assert term.display("#{alternate_on}") == "0"
    modes = term.modes()
    assert {name: value for name, value in modes.items() if name.startswith("mouse")} == {
        "mouse_any_flag": "0",
        "mouse_button_flag": "0",
        "mouse_sgr_flag": "0",
        "mouse_standard_flag": "0",
        "mouse_all_flag": "0",
    }, modes


# -------------------------------------------------------------------- painting and keys


def test_demo_paints_job_rows_and_the_demo_marker(terminal: TerminalFactory) -> None:
    term = _start_demo(terminal)
    screen = term.screen()
    top = status_line(screen)
    assert "finetop" in top
    assert "DEMO" in top
    assert "simulated jobs" in screen  # the banner says the jobs are not real
    assert len(row_ids(screen)) >= 10
    assert term.alternate_screen()
    assert term.pid > 0
    assert not term.exited()


def _row_below(screen: str, short_id: str) -> str | None:
    rows = row_ids(screen)
    if short_id not in rows:
        return None
    index = rows.index(short_id)
    return rows[index + 1] if index + 1 < len(rows) else None


def _row_above(screen: str, short_id: str) -> str | None:
    rows = row_ids(screen)
    if short_id not in rows or rows.index(short_id) == 0:
        return None
    return rows[rows.index(short_id) - 1]


def test_down_and_j_move_the_selection_and_the_detail_follows(terminal: TerminalFactory) -> None:
    term = _start_demo(terminal, width=160, height=48)  # the detail beside the list
    screen = term.wait_for(lambda s: selected_id(s) is not None)
    first = selected_id(screen)
    assert first is not None
    # The cursor starts on the newest running job (a job just queued may be above it).
    first_row = next(line for line in screen.splitlines() if f" {first[:8]} " in line)
    assert "RUNNING" in first_row

    current = first[:8]
    for key in ("Down", "j"):
        expected = _row_below(term.screen(), current)
        assert expected is not None
        term.send_keys(key)
        screen = term.wait_for(lambda s, e=expected: (selected_id(s) or "").startswith(e))
        current = expected
        # The detail pane shows this job's own full id, not just the short one in the row.
        shown = selected_id(screen)
        assert shown is not None
        assert len(shown) == 36

    expected = _row_above(term.screen(), current)
    assert expected is not None
    term.send_keys("k")
    term.wait_for(lambda s: (selected_id(s) or "").startswith(expected))


def _finished_row(screen: str) -> str:
    """A job that no longer changes (its row stays put while live jobs move and arrive)."""
    for line in screen.splitlines():
        ids = row_ids(line + "\n")
        if ids and ("SUCCESS" in line or "FAILED" in line):
            return ids[0]
    raise AssertionError(f"no finished job on screen:\n{screen}")


def test_filter_narrows_the_rows_and_bang_inverts(terminal: TerminalFactory) -> None:
    term = _start_demo(terminal)
    screen = term.screen()
    target = _finished_row(screen)
    before = len(row_ids(screen))

    term.send_keys("/")
    term.wait_for("filter:")  # the filter bar's placeholder: the cursor is in it
    term.send_keys(target, literal=True)
    term.send_keys("Enter")
    screen = term.wait_for(lambda s: row_ids(s) == [target])

    term.send_keys("/")
    term.wait_for(lambda s: f" {target}" in s.splitlines()[-2])  # back in the bar, text kept
    term.send_keys("Home")
    term.send_keys("!", literal=True)
    term.send_keys("Enter")
    screen = term.wait_for(lambda s: len(row_ids(s)) > 1 and target not in row_ids(s))
    assert len(row_ids(screen)) >= before - 1


def test_filter_typed_in_one_burst_lands_in_the_filter(terminal: TerminalFactory) -> None:
    """``/`` and the text arriving together (a quick typist over SSH, or a paste) must all go
    into the filter bar, not to the table's keys (``5`` would switch to succeeded jobs, ``c``
    would ask to cancel, ``a`` to start)."""
    term = _start_demo(terminal)
    target = _finished_row(term.screen())
    term.send_keys(f"/{target}", literal=True)
    term.send_keys("Enter")
    term.wait_for(lambda s: row_ids(s) == [target], timeout=10)


def test_palette_search_typed_in_one_burst_keeps_its_order(terminal: TerminalFactory) -> None:
    """Backspaces and letters arriving together (a quick typist over SSH) must apply in order in
    the command palette's search too: "key", three backspaces, "refresh" reads "refresh"."""
    term = _start_demo(terminal)
    term.send_keys("C-p")
    term.wait_for("Search for commands")
    term.send_keys("key", literal=True)
    term.wait_for("key: ?")  # the help action ("Keys") is offered: the search ran
    term.send_keys("BSpace", "BSpace", "BSpace", *"refresh")
    term.wait_for(lambda s: "Refresh now" in s and "🔎 refresh" in s, timeout=10)


def test_help_opens_with_question_mark_and_escape_closes_it(terminal: TerminalFactory) -> None:
    term = _start_demo(terminal)
    term.send_keys("?")
    texts = ("finetop keys", "Next job", "Filter jobs", "Refresh now", "Cancel the job", "Quit")
    # The help screen's title can paint a frame before its table does: wait for all of it.
    term.wait_for(lambda s: all(text in s for text in texts))
    term.send_keys("Escape")
    screen = term.wait_for(lambda s: "finetop keys" not in s)
    assert _ready(screen)


# -------------------------------------------------------------------- leaving


def test_q_quits_with_status_0_and_restores_the_terminal(terminal: TerminalFactory) -> None:
    term = _start_demo(terminal)
    pid = term.pid
    term.send_keys("q")
    assert term.wait_exit(timeout=10) == 0
    wait_until(lambda: not pid_alive(pid), timeout=2, what=f"pid {pid} gone")
    _assert_restored(term)


def test_ctrl_c_quits_with_status_0_and_restores_the_terminal(terminal: TerminalFactory) -> None:
    term = _start_demo(terminal)
    term.send_keys("C-c")
    assert term.wait_exit(timeout=10) == 0
    _assert_restored(term)


def test_sighup_exits_with_129_and_restores_the_terminal(terminal: TerminalFactory) -> None:
    """A hang-up (the SSH session dropped) ends the app through its normal exit path."""
    term = _start_demo(terminal)
    os.kill(term.pid, signal.SIGHUP)
    assert term.wait_exit(timeout=5) == 128 + signal.SIGHUP
    _assert_restored(term)


@pytest.mark.parametrize("attempt", [1, 2, 3])
@pytest.mark.parametrize("how", ["kill-pane", "kill-server"])
def test_closing_the_terminal_ends_the_app_and_its_simulator(
    terminal: TerminalFactory, how: str, attempt: int
) -> None:
    """The kernel sends SIGHUP and then SIGCONT when a terminal goes away; the exit must not
    hang on either order of events (a race, hence a few attempts)."""
    term = _start_demo(terminal)
    pid = term.pid
    ports = listening_ports(pid)
    assert ports, "the demo simulator should listen on a loopback port inside the app's process"
    children = descendants(pid)

    started = time.monotonic()
    if how == "kill-pane":
        term.kill_pane()
    else:
        term.kill_server()
    wait_until(lambda: not pid_alive(pid), timeout=2, what=f"app pid {pid} gone after {how}")
    wait_until(
        lambda: not any(port_listening(port) for port in ports),
        timeout=max(0.1, 2 - (time.monotonic() - started)),
        what=f"nothing listening on {sorted(ports)}",
    )
    assert not [child for child in children if pid_alive(child)]


# -------------------------------------------------------------------- sizes


def test_works_at_80x24(terminal: TerminalFactory) -> None:
    term = _start_demo(terminal, width=80, height=24)
    screen = term.screen()
    lines = screen.splitlines()
    assert len(lines) <= 24
    assert max(len(line) for line in lines) <= 80
    assert "DEMO" in status_line(screen)
    assert len(row_ids(screen)) >= 10
    assert "q Q" in lines[-1] or "Quit" in lines[-1]  # the footer keeps its place at the bottom
    # The compact layout opens the detail as a full view and goes back with escape.
    term.send_keys("Enter")
    screen = term.wait_for(lambda s: selected_id(s) is not None and not row_ids(s))
    term.send_keys("Escape")
    term.wait_for(lambda s: len(row_ids(s)) >= 10)


def test_resizing_keeps_rows_and_status_line(terminal: TerminalFactory) -> None:
    term = _start_demo(terminal, width=120, height=40)
    for width, height in ((80, 24), (160, 48), (120, 40)):
        term.resize(width, height)

        def fits(screen: str, w: int = width, h: int = height) -> bool:
            lines = screen.splitlines()
            # The app repainted at the new size: a full-width status line, rows below it.
            return (
                _ready(screen)
                and "DEMO" in status_line(screen)
                and len(lines) == h
                and max(len(line) for line in lines) <= w
                and (w < 140 or "│" in lines[3])  # wide: the detail sits beside the table
            )

        term.wait_for(fits, timeout=10)
        assert not term.exited()
    term.send_keys("q")
    assert term.wait_exit(timeout=10) == 0


# -------------------------------------------------------------------- a real server


def test_the_app_shows_the_jobs_a_sim_server_lists(terminal: TerminalFactory) -> None:
    """``finetop sim`` in one process, ``finetop --server-url`` in a terminal: the same jobs as
    ``finetop jobs --json`` reports."""
    with SimProcess("--jobs", "10", "--live", "1", "--no-arrivals") as sim:
        listed = run_finetop("jobs", "--server-url", sim.base_url, "--json")
        assert listed.returncode == 0, listed.stderr
        jobs = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
        assert len(jobs) >= 10
        ids = {job["id"][:8] for job in jobs}

        term = terminal(finetop_command("--server-url", sim.base_url), width=140, height=40)
        screen = term.wait_for(lambda s: set(row_ids(s)) == ids, timeout=30)
        top = status_line(screen)
        assert "DEMO" not in top
        assert "127.0.0.1" in top  # the workspace is the server's host
        assert "simulated jobs" not in screen
        term.send_keys("q")
        assert term.wait_exit(timeout=10) == 0
    # The simulator served the app's polls (its request log shows them).
    assert "GET /v1/fine_tuning/jobs" in sim.output()
