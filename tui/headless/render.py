"""How the headless commands print: UTC timestamps, aligned tables and error lines.

The value formatters themselves live in :mod:`tui.display.formats`, shared with the app, so a
duration or a missing value reads the same in ``finetop show`` as on screen. Server text reaches
these functions already made safe (:func:`~tui.display.text.safe_text`), except in error
messages, which :func:`error_line` makes safe itself: an error can quote a response body.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

import attrs

from tui.api.convert import unstructure
from tui.api.models import Event, Job, is_detail
from tui.display.formats import MISSING, fmt_time
from tui.display.text import LONG_TEXT_LIMIT, safe_text

__all__ = ["PROG", "error_line", "fmt_utc", "format_table", "wire_event", "wire_job"]

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


def error_line(message: object, kind: str = "error") -> str:
    """``finetop: error: MESSAGE`` on one line, the message safe to print (it may quote what
    a server answered) and cut to a readable length."""
    return f"{PROG}: {kind}: {safe_text(message, limit=LONG_TEXT_LIMIT)}"


def wire_event(event: Event) -> dict[str, Any]:
    """An event as the API sent it, for ``--json``.

    Its ``data`` is put back as it arrived instead of being walked by the converter: it is
    plain JSON already, and may nest deeper than a recursive walk can go.
    """
    wire: dict[str, Any] = unstructure(attrs.evolve(event, data=None))
    if "data" in wire:
        wire["data"] = event.data
    return wire


def wire_job(job: Job) -> dict[str, Any]:
    """A job (list item or detail) as the API sent it, for ``--json`` (see :func:`wire_event`)."""
    if not is_detail(job) or not job.events:
        return unstructure(job)
    events = job.events
    bare = attrs.evolve(job, events=tuple(attrs.evolve(e, data=None) for e in events))
    wire: dict[str, Any] = unstructure(bare)
    for wire_item, event in zip(wire.get("events", ()), events, strict=False):
        if "data" in wire_item:
            wire_item["data"] = event.data
    return wire
