"""The job list's header line: column labels, the sort arrow, and notes in the spare cells.

The sorted column's label carries the arrow (``Age ▼``). Notes -- the sort when its column is
not shown (``sorted by age ▼``), the count of jobs that arrived above the view -- go where they
cover nothing: at the right end of the line when there is room (the columns leave room there
for the sort note, see :func:`sort_note_room`), else in a stretch between labels. The progress
column's label leaves nine cells free, so the shortest sort note always finds a place.
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
    "list_notes",
    "place_notes",
    "sort_note",
    "sort_note_room",
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

    A note goes at the right end of the line when one of its wordings (but the last, the
    terse one) fits there; else in the rightmost stretch between labels that holds one, in
    the longest wording that does, right-aligned; else it is left out.
    """
    taken = [(x, x + cell_len(text)) for x, text in labels]
    placed: list[PlacedNote] = []
    for note in notes:
        spot = _spot(note, _free_stretches(taken, width), width)
        if spot is not None:
            end, text = spot
            placed.append(PlacedNote(note, end - cell_len(text), text))
            taken.append((end - cell_len(text), end))
    return placed


def _spot(note: HeaderNote, stretches: list[tuple[int, int]], width: int) -> tuple[int, str] | None:
    """Where ``note`` ends and in which wording (see :func:`place_notes`)."""
    if stretches and stretches[-1][1] == width:
        room = width - stretches[-1][0]
        for text in note.forms[:-1]:
            if cell_len(text) <= room:
                return width, text
    for text in note.forms:
        fits = [end for start, end in stretches if end - start >= cell_len(text)]
        if fits:
            return fits[-1], text
    return None


def list_notes(
    layout: Layout,
    sorted_by: tuple[str | None, bool],
    new_above: int,
    badge_key: str,
    *,
    sort_style: Style,
    badge_style: Style,
) -> list[HeaderNote]:
    """The job list's notes, most important first: the sort when its column is not shown,
    then the count of jobs that arrived above the view."""
    notes: list[HeaderNote] = []
    column, descending = sorted_by
    if column is not None and column not in layout.keys:
        notes.append(sort_note(COLUMN_BY_KEY[column].label, descending, sort_style))
    if new_above:
        notes.append(badge_note(new_above, badge_key, badge_style))
    return notes


def sort_note_room(label: str) -> int:
    """Cells the right end of the header needs for the sort note (``by age ▼``, and a gap)."""
    return cell_len(sort_note(label, True).forms[1]) + GAP


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
