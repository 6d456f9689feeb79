"""The job list's header line: column labels, the sort arrow, and notes in the spare cells.

The sorted column's label carries the arrow (``Age ▼``). Notes -- the sort when its column is
not shown (``sorted by age ▼``), the count of jobs that arrived above the view -- go where they
cover nothing: in a stretch of the header no label uses, the rightmost one they fit, in the
longest wording that fits. The progress column's label leaves nine cells free, so the shortest
sort note always finds a place.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from tui.app.widgets.job_columns import COLUMN_BY_KEY, GAP, Layout

__all__ = [
    "HeaderNote",
    "PlacedNote",
    "badge_note",
    "column_label",
    "header_line",
    "place_notes",
    "sort_note",
]

ARROWS = {True: "▼", False: "▲"}
"""The sort arrow by direction (``True``: descending)."""


@attrs.frozen
class HeaderNote:
    """A note for the header, in wordings from the longest to the shortest."""

    kind: str
    """What it says (``"sort"``, ``"badge"``); a click on a badge shows the new jobs."""
    forms: tuple[str, ...]
    """The wordings, longest first."""
    style: Style = attrs.field(factory=Style)
    """How it is drawn."""


@attrs.frozen
class PlacedNote:
    """A note placed on the header line."""

    note: HeaderNote
    x: int
    """The cell it starts at."""
    text: str
    """The wording that fitted."""

    @property
    def end(self) -> int:
        """The cell after its last one."""
        return self.x + cell_len(self.text)


def sort_note(label: str, descending: bool, style: Style | None = None) -> HeaderNote:
    """The sort, for when its column is not shown: ``sorted by age ▼``."""
    word, arrow = label.lower(), ARROWS[descending]
    forms = (f"sorted by {word} {arrow}", f"by {word} {arrow}", f"{word}{arrow}")
    return HeaderNote("sort", forms, style or Style())


def badge_note(count: int, key: str, style: Style | None = None) -> HeaderNote:
    """Jobs that arrived above the view: ``▲ 3 new above · g to see them``."""
    return HeaderNote(
        "badge",
        (
            f"▲ {count} new above · {key} to see them",
            f"▲ {count} new above · {key}",
            f"▲ {count} new · {key}",
            f"▲ {count} new",
            f"▲{count}",
        ),
        style or Style(),
    )


def column_label(key: str, width: int, sorted_by: tuple[str | None, bool]) -> str:
    """A column's label, with the arrow when it is the sorted column (shortened to fit)."""
    column = COLUMN_BY_KEY[key]
    sort_key, descending = sorted_by
    if key != sort_key:
        return column.label
    for label in (column.label, column.short_label):
        if label and cell_len(label) + 2 <= width:
            return f"{label} {ARROWS[descending]}"
    return column.label


def _free_stretches(taken: Sequence[tuple[int, int]], width: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the runs of cells at least one cell away from every taken span."""
    blocked = [False] * width
    for start, end in taken:
        for x in range(max(0, start - GAP), min(width, end + GAP)):
            blocked[x] = True
    stretches: list[tuple[int, int]] = []
    x = 0
    while x < width:
        if blocked[x]:
            x += 1
            continue
        start = x
        while x < width and not blocked[x]:
            x += 1
        stretches.append((start, x))
    return stretches


def place_notes(
    labels: Sequence[tuple[int, str]], width: int, notes: Sequence[HeaderNote]
) -> list[PlacedNote]:
    """Place ``notes`` (in order of importance) on a header holding ``labels`` (``(x, text)``).

    Each note takes the rightmost free stretch that holds one of its wordings, right-aligned in
    it; a note with no wording that fits anywhere is left out.
    """
    taken = [(x, x + cell_len(text)) for x, text in labels]
    placed: list[PlacedNote] = []
    for note in notes:
        stretches = _free_stretches(taken, width)
        for text in note.forms:
            size = cell_len(text)
            fits = [stretch for stretch in stretches if stretch[1] - stretch[0] >= size]
            if fits:
                end = fits[-1][1]
                placed.append(PlacedNote(note, end - size, text))
                taken.append((end - size, end))
                break
    return placed


def header_line(
    layout: Layout,
    width: int,
    sorted_by: tuple[str | None, bool],
    notes: Sequence[HeaderNote],
    style: Style,
) -> tuple[Text, list[PlacedNote]]:
    """The header line ``width`` cells wide, and where its notes went."""
    labels: list[tuple[int, str]] = []
    for key, column_width in layout.columns:
        x = layout.x_of(key)
        assert x is not None
        labels.append((x, column_label(key, column_width, sorted_by)))
    placed = place_notes(labels, width, notes)
    cells = [(x, text, Style()) for x, text in labels]
    cells += [(note.x, note.text, note.note.style) for note in placed]
    line = Text(style=style, no_wrap=True, end="")
    at = 0
    for x, text, text_style in sorted(cells, key=lambda cell: cell[0]):
        line.append(" " * (x - at))
        line.append(text, style=text_style)
        at = x + cell_len(text)
    line.append(" " * max(0, width - at))
    line.truncate(width)
    return line, placed
