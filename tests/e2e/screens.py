"""Reading finetop's screen as plain text: job rows, the selected job, the status line."""

from __future__ import annotations

import re

__all__ = ["row_ids", "selected_id", "status_line"]

_ROW = re.compile(r"^[ ●] \S [A-Z_]+…?\s+([0-9a-f]{8})\s", re.MULTILINE)
"""A job list row: the mark (or a blank), status glyph and word, then the short id."""
_ID_LABEL = re.compile(r"(?:^|│) +id\b")
"""The ``id`` label of the detail pane's overview, at a line's start or after a pane border
(the detail may sit beside the chart)."""
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def row_ids(screen: str) -> list[str]:
    """Short ids of the job rows shown, top to bottom."""
    return _ROW.findall(screen)


def selected_id(screen: str) -> str | None:
    """The full id of the job the detail pane shows, if it is on screen: on the ``id`` line,
    or on the next line when the pane is too narrow for both."""
    lines = screen.splitlines()
    for index, line in enumerate(lines):
        label = _ID_LABEL.search(line)
        if label is None:
            continue
        for text in (line, *lines[index + 1 : index + 2]):
            found = _UUID.search(text, label.start())
            if found:
                return found.group(0)
    return None


def status_line(screen: str) -> str:
    """The app's top line (workspace, connection state, counts)."""
    return screen.splitlines()[0] if screen else ""
