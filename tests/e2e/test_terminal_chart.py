"""The selected job's chart in a real terminal (tmux), as a person opening ``finetop --demo``
sees it: with the list from the first screen, no key pressed, at 80x24 and 140x30; moving as
checkpoints arrive; ``m`` opening the full-screen view.

Every wait is on what the screen shows, against a deadline.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.fixtures import TerminalFactory
from tests.e2e.processes import finetop_command
from tests.e2e.screens import row_ids, status_line

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

DEMO = finetop_command("--demo")
FAST_DETAILS = {"FINETOP_DETAIL_INTERVAL": "1"}
"""Training jobs' details every second: checkpoints reach the screen as soon as they exist."""

_READOUT = re.compile(r"^ train \S+ · min \S+ @\d+ · first \S+")
"""The chart's readout line: last, min with its step, first (best valid and ppl follow)."""
_Y_LABEL = re.compile(r"^\s*\d+(\.\d+)?┤")
"""A plot row with a y label (a round value, then the axis)."""
_X_LABELS = re.compile(r"^\s+0(\s+\d+)+\s*$")
"""The step axis: 0, then round step numbers."""


def chart_rows(screen: str) -> list[str] | None:
    """The chart's lines (readout, plot rows, step labels) when one is on screen, else None."""
    lines = screen.splitlines()
    starts = [index for index, line in enumerate(lines) if _READOUT.match(line)]
    if not starts:
        return None
    start = starts[0]
    ends = [index for index in range(start, len(lines)) if _X_LABELS.match(lines[index])]
    return lines[start : ends[0] + 1] if ends else None


def labelled_chart(screen: str) -> bool:
    """A readout, at least 4 chart rows with two y labels and braille, and the step axis."""
    rows = chart_rows(screen)
    if rows is None:
        return False
    plot = [line for line in rows[1:-1] if "┤" in line or "│" in line]
    braille = sum(1 for line in plot for char in line if "\u2800" < char <= "\u28ff")
    labels = [line for line in plot if _Y_LABEL.match(line)]
    return len(rows) - 1 >= 4 and len(plot) >= 3 and len(labels) >= 2 and braille >= 5


def list_and_chart(screen: str) -> bool:
    """The first poll has landed and the list (8 rows or more) and the chart share the screen."""
    return "updated" in status_line(screen) and len(row_ids(screen)) >= 8 and labelled_chart(screen)


@pytest.mark.parametrize(("width", "height"), [(80, 24), (140, 30)])
def test_the_list_and_a_live_labelled_chart_share_the_screen_then_m_opens_the_view(
    terminal: TerminalFactory, width: int, height: int
) -> None:
    term = terminal(DEMO, width=width, height=height, env=FAST_DETAILS)
    screen = term.wait_for(list_and_chart, timeout=40)  # no key pressed
    lines = screen.splitlines()
    assert len(lines) <= height
    assert max(len(line) for line in lines) <= width
    rows = chart_rows(screen)
    assert rows is not None
    # The chart is below the list, under the cursor's job: a running one.
    assert lines.index(rows[0]) > max(
        index for index, line in enumerate(lines) if row_ids(line + "\n")
    )

    # New checkpoints of the running job move the chart (its curve and readout).
    def moved(now: str) -> bool:
        current = chart_rows(now)
        return current is not None and current != rows and labelled_chart(now)

    term.wait_for(moved, timeout=60)

    term.send_keys("m")
    view = term.wait_for(lambda s: s.startswith(" Metrics · ") and "Zoom" in s, timeout=10)
    assert not row_ids(view)  # full screen: the list is gone
    assert sum(1 for line in view.splitlines() if _Y_LABEL.match(line)) >= 2
    term.send_keys("Right")
    term.wait_for(lambda s: re.search(r"step \d+ · train \S+", s) is not None, timeout=10)
    term.send_keys("m")
    term.wait_for(list_and_chart, timeout=10)
    assert not term.exited()
