"""How the headless commands print: UTC timestamps, aligned tables and the error-line prefix.

The value formatters themselves live in :mod:`tui.display.formats`, shared with the app, so a
duration or a missing value reads the same in ``finetop show`` as on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from tui.display.formats import MISSING, fmt_time

__all__ = ["PROG", "fmt_utc", "format_table"]

PROG = "finetop"
"""The program name used to prefix error lines."""


def fmt_utc(timestamp: float | None) -> str:
    """Unix seconds as ``2024-06-24 12:16:32 UTC``: printed output may be read anywhere."""
    text = fmt_time(timestamp, UTC)
    return text if text == MISSING else f"{text} UTC"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns separated by two spaces; the last column is not padded."""
    widths = [len(h) for h in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))

    def line(cells: Sequence[str]) -> str:
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(cells[:-1])]
        return "  ".join([*padded, cells[-1]]).rstrip()

    return [line(headers), *(line(row) for row in rows)]
