"""The cursor row and the demo banner stay readable in every colour system and theme.

The main screen renders under Pilot; its cursor row (the table focused, and not) and the demo
banner go through the app's own line filters, then are downgraded to each colour system as
Rich's console downgrades them on their way to the terminal (truecolor, 256, 16 colours), or
left without colour (``--color-system none``). Every character must be reverse video on the
terminal's own colours or meet WCAG's 4.5:1 against its background, on a dark terminal and on a
light one. ``tests/e2e/test_colour_contrast_terminal.py`` checks the same in a real terminal.
"""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widget import Widget

from tests.support.contrast import Cell, cell_contrast, readable, strip_cells
from tests.ui.helpers import FakeClient, make_job, settings, wait_for
from tui.app.app import FinetopApp
from tui.app.themes import ANSI_THEME, BUNDLED_THEMES
from tui.app.widgets.job_table import JobTable
from tui.app.widgets.status_line import StatusLine

SYSTEMS = ("truecolor", "256", "standard", "none")
THEMES = (*BUNDLED_THEMES, ANSI_THEME)
T0 = 1_750_000_000


def _jobs() -> list[object]:
    # Every status group, and a job without a suffix (its name is muted text).
    return [
        make_job("a-queued", status="QUEUED", created_at=T0 + 9, suffix="sql-gen"),
        make_job("b-run", status="RUNNING", created_at=T0 + 8, checkpoints=[(10, 1.2, 1.1)]),
        make_job("c-fail", status="FAILED", created_at=T0 + 7, suffix="broken"),
        make_job("d-done", status="SUCCESS", created_at=T0 + 6, suffix="done"),
        make_job("e-cancel", status="CANCELLED", created_at=T0 + 5, suffix="stopped"),
    ]


def _line(app: FinetopApp, widget: Widget, y: int, system: str) -> list[Cell]:
    """Line ``y`` of ``widget`` as the terminal would show it in ``system``."""
    (strip,) = widget.render_lines(Region(0, y, widget.size.width, 1))
    background = app.screen.styles.background
    for line_filter in app.get_line_filters():
        strip = strip.apply_filter(line_filter, background)
    return strip_cells(strip, system)


def _unreadable(cells: list[Cell]) -> list[tuple[str, float]]:
    return [(cell.char, round(cell_contrast(cell), 2)) for cell in cells if not readable(cell)]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("system", SYSTEMS)
async def test_cursor_row_and_banner_are_readable(theme: str, system: str) -> None:
    app = FinetopApp(
        settings(color_system=system, theme=theme, demo_reason="--demo"),
        client=FakeClient(_jobs()),
    )
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.main_screen.query_one(JobTable)
        await wait_for(lambda: table.row_count == 5, pilot)
        banner = app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "DEMO" in banner.plain, pilot)
        for row in range(5):  # the cursor on each status in turn (the table has the focus)
            table.move_cursor(row)
            await pilot.pause()
            cells = _line(app, table, row + 1, system)
            assert not _unreadable(cells), (row, _unreadable(cells))
        app.main_screen.detail_scroll.focus()  # the cursor without the focus
        await pilot.pause()
        assert not _unreadable(_line(app, table, 5, system))
        banner_cells = _line(app, banner, 1, system)
        assert "".join(c.char for c in banner_cells).startswith("DEMO")
        assert not _unreadable(banner_cells)
