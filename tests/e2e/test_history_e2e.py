"""The local history end to end: ``finetop sim`` on loopback, the real app in tmux, twice.

The first launch lists the workspace and fills finished jobs' details in the background (with a
generous request budget, so the test need not wait minutes), then quits. The second launch
shows those jobs' losses before any key is pressed, and makes no detail request for a job the
history holds as finished, even when the user walks over such jobs: the simulator's request log
says what was asked.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.fixtures import TerminalFactory
from tests.e2e.processes import SimProcess, finetop_command
from tests.e2e.screens import row_ids, status_line
from tests.e2e.terminal import Terminal
from tui.history import HistoryStore, store_path

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

DETAIL = re.compile(r"GET /v1/fine_tuning/jobs/([0-9a-f-]{36}) ")
FAST_FILL = {"FINETOP_REQUEST_BUDGET": "600"}
"""Ten requests a second: the first launch fills 30 jobs in seconds."""


def success_losses(screen: str) -> list[str]:
    """The Train cell of every SUCCESS row on screen."""
    lines = screen.splitlines()
    header = next(line for line in lines if "ETA/took" in line and "Train" in line)
    start = header.index("Train")
    return [line[start : start + 7].strip() for line in lines if " SUCCESS " in line]


def all_losses_shown(screen: str) -> bool:
    losses = success_losses(screen)
    return bool(losses) and "—" not in losses


def mostly_losses(screen: str) -> bool:
    losses = success_losses(screen)
    return len(losses) >= 5 and sum(loss != "—" for loss in losses) > len(losses) * 0.8


def launch(terminal: TerminalFactory, url: str, env: dict[str, str] | None = None) -> Terminal:
    term = terminal(finetop_command("--server-url", url), width=160, height=45, env=env)
    term.wait_for(lambda screen: len(row_ids(screen)) >= 10, timeout=30)
    return term


def quit_app(term: Terminal) -> None:
    term.send_keys("q")
    assert term.wait_exit(15) == 0


def test_a_second_launch_shows_losses_at_once_and_fetches_no_stored_detail(
    terminal: TerminalFactory,
) -> None:
    with SimProcess("--jobs", "30", "--live", "1", "--no-arrivals") as sim:
        first = launch(terminal, sim.base_url, FAST_FILL)
        # Without a key press, the background fill gives every SUCCESS row its loss.
        first.wait_for(all_losses_shown, timeout=60)
        quit_app(first)
        served_before = len(sim.output().splitlines())

        path = store_path(sim.base_url, "127.0.0.1")
        with HistoryStore(path, server_url=sim.base_url, workspace="127.0.0.1") as store:
            final = store.final_detail_ids()
            full_ids = {job.id[:8]: job.id for job in store.load_jobs().jobs}
        assert len(final) >= 20

        second = launch(terminal, sim.base_url)
        screen = second.screen()
        assert mostly_losses(screen), screen  # at once, before any key press
        second.wait_for(lambda s: "updated" in status_line(s), timeout=30)
        # Walk down the list: each finished job's detail comes from the history.
        rows = row_statuses(second.screen())
        walked = 0
        for short, status in rows[1:10]:
            second.send_keys("j")
            finished = status in ("SUCCESS", "FAILED", "CANCELLED")
            # The detail pane shows the job's full id (the list only its first 8 characters).
            second.wait_for(
                lambda s, job_id=full_ids[short], finished=finished: (
                    job_id in s and (not finished or "final (the job" in s)
                ),
                timeout=15,
            )
            walked += finished
        assert walked >= 5
        quit_app(second)

        log = sim.output().splitlines()[served_before:]
    asked = {match.group(1) for line in log if (match := DETAIL.search(line))}
    assert any("GET /v1/fine_tuning/jobs?" in line for line in log)  # the log is read
    assert not asked & final, f"stored finished jobs fetched again: {asked & final}"


_ROW = re.compile(r"^[ ●] \S ([A-Z_]+)…?\s+([0-9a-f]{8})\s", re.MULTILINE)


def row_statuses(screen: str) -> list[tuple[str, str]]:
    """``(short id, status word)`` of the rows shown, top to bottom."""
    return [(short, status) for status, short in _ROW.findall(screen)]
