"""Plain-text formatting shared by the headless commands. Missing values print as an em dash."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

__all__ = [
    "DASH",
    "PROG",
    "fmt_bool",
    "fmt_duration",
    "fmt_float",
    "fmt_int",
    "fmt_time",
    "format_table",
]

DASH = "—"
"""What a missing value prints as."""

PROG = "finetop"
"""The program name used to prefix error lines."""


def fmt_time(timestamp: float | None) -> str:
    """Unix seconds as ``2024-06-24 12:16:32 UTC``."""
    if timestamp is None:
        return DASH
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def fmt_duration(seconds: float | None) -> str:
    """Seconds as ``42s``, ``5m 12s``, ``1h 04m`` or ``2d 03h``."""
    if seconds is None or not math.isfinite(seconds):
        return DASH
    total = round(max(0.0, seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def fmt_float(value: float | None, digits: int = 4) -> str:
    """A float with ``digits`` decimals, or a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    return f"{value:.{digits}f}"


def fmt_int(value: int | None) -> str:
    """An integer with thousands separators, or a dash."""
    return DASH if value is None else f"{value:,}"


def fmt_bool(value: bool | None) -> str:
    """``yes``/``no``, or a dash."""
    return DASH if value is None else ("yes" if value else "no")


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
