"""Reading finetop's screen as plain text: job rows, the selected job, the status line."""

from __future__ import annotations

import re

__all__ = ["row_ids", "selected_id", "status_line"]

_ROW = re.compile(r"^[ ●] \S [A-Z_]+…?\s+([0-9a-f]{8})\s", re.MULTILINE)
"""A job list row: the mark (or a blank), status glyph and word, then the short id."""
_DETAIL_ID = re.compile(r"^\s+id\s+([0-9a-f]{8}-[0-9a-f-]{27})\b", re.MULTILINE)
"""The ``id`` line of the detail pane's overview (the full UUID)."""


def row_ids(screen: str) -> list[str]:
    """Short ids of the job rows shown, top to bottom."""
    return _ROW.findall(screen)


def selected_id(screen: str) -> str | None:
    """The full id of the job the detail pane shows, if it is on screen."""
    match = _DETAIL_ID.search(screen)
    return match.group(1) if match else None


def status_line(screen: str) -> str:
    """The app's top line (workspace, connection state, counts)."""
    return screen.splitlines()[0] if screen else ""
