"""The cursor row and the demo banner, read from a real terminal in each colour mode.

The real app (``python -m tui --demo``) runs in tmux with the terminal claiming truecolor
(``COLORTERM=truecolor``), 256 colours (``TERM=xterm-256color``), 16 colours (``TERM=xterm``,
no ``COLORTERM``: the case that drew a bright red cursor row and banner) or asking for none
(``NO_COLOR``). ``capture-pane -e`` gives each cell's colours and attributes; every character
of the cursor row (the newest running job, the list focused) and of the banner must be reverse
video on the terminal's own colours or meet 4.5:1 on a dark and on a light terminal.
"""

from __future__ import annotations

import pytest

from tests.e2e.fixtures import TerminalFactory
from tests.e2e.processes import finetop_command
from tests.e2e.screens import row_ids
from tests.support.contrast import Cell, cell_contrast, readable, terminal_lines

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

MODES: dict[str, dict[str, str]] = {
    "truecolor": {"TERM": "xterm-256color", "COLORTERM": "truecolor"},
    "256": {"TERM": "xterm-256color", "COLORTERM": ""},
    "16": {"TERM": "xterm", "COLORTERM": ""},
    "none": {"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"},
}


def _text(cells: list[Cell]) -> str:
    return "".join(cell.char for cell in cells)


def _unreadable(cells: list[Cell]) -> list[tuple[str, float]]:
    return [(c.char, round(cell_contrast(c), 2)) for c in cells if not readable(c)]


def _look(cells: list[Cell]) -> tuple[bool, object]:
    first = next(c for c in cells if not c.char.isspace())
    return first.reverse, first.bg


@pytest.mark.parametrize("mode", list(MODES))
def test_cursor_row_and_banner_read_well_in_a_real_terminal(
    terminal: TerminalFactory, mode: str
) -> None:
    term = terminal(finetop_command("--demo"), width=120, height=30, env=MODES[mode])
    term.wait_for(lambda s: len(row_ids(s)) >= 5 and "updated" in s.splitlines()[0], timeout=60)
    lines = terminal_lines(term.styled_screen())
    texts = [_text(line) for line in lines]
    header = next(i for i, text in enumerate(texts) if "ETA/took" in text)
    rows = lines[header + 1 : header + 6]
    # The cursor starts on the newest running job, wherever it sorts: it is the one row whose
    # look (reverse video or background) no other row shares.
    looks = [_look(row) for row in rows]
    cursor = next(row for row, look in zip(rows, looks, strict=True) if looks.count(look) == 1)
    below = next(row for row in rows if row is not cursor)
    banner = next(line for line, text in zip(lines, texts, strict=True) if text.startswith("DEMO"))

    assert not _unreadable(cursor), _unreadable(cursor)
    assert not _unreadable(banner), _unreadable(banner)
    # The cursor row stands out from the row below it: reverse video or its own background.
    assert _look(cursor) != _look(below)
    if mode in ("16", "none"):
        # The terminal's own palette: reverse video, never a squeezed theme colour.
        assert all(c.reverse for c in cursor[: len(_text(cursor).rstrip())])
    if mode == "16":
        # Black on the terminal's yellow, not on its bright red.
        assert {(c.fg, c.bg) for c in banner if not c.char.isspace()} == {
            ((0, 0, 0), (205, 205, 0))
        }
