"""The job list's columns: which ones a width shows, and how wide each one is.

Columns that hold names (status, name, model) are as wide as their widest value among the jobs
(capped); the others have fixed widths. When the width is short, :func:`fit_columns` gives
things up in :data:`STEPS` order -- the sparkline first, then type and age, then room in the
name and model columns (the model shrinks to its short form, ``7b`` for ``open-mistral-7b``),
then the losses -- and afterwards takes back whatever of the name and model the room allows.
The list never scrolls sideways: whatever is left over stays blank at the right end, where the
header keeps its notes (see :mod:`tui.app.widgets.job_header`).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = [
    "COLUMNS",
    "COLUMN_BY_KEY",
    "GAP",
    "GUTTER",
    "Column",
    "Layout",
    "fit_columns",
]


@attrs.frozen
class Column:
    """One column of the job list."""

    key: str
    """The column's key (cells and sort markers are keyed by it)."""
    label: str
    """The header's label."""
    width: int
    """The fixed width, or the least width of a column sized by its content."""
    cap: int = 0
    """The most a column sized by its content takes (0: a fixed width)."""
    short_label: str = ""
    """The label when the full one and the sort arrow do not fit together."""

    @property
    def sized_by_content(self) -> bool:
        """Whether the column is as wide as its widest value."""
        return self.cap > 0


COLUMNS: tuple[Column, ...] = (
    Column("status", "Status", 8, cap=16),
    Column("id", "Id", 8),
    Column("name", "Name", 10, cap=40),
    Column("model", "Model", 7, cap=28),
    Column("progress", "Progress", 18),
    Column("eta", "ETA/took", 8, short_label="ETA"),
    Column("train", "Train", 7),
    Column("valid", "Valid", 7),
    Column("spark", "Curve", 8),
    Column("age", "Age", 8),
    Column("type", "Type", 6),
)
"""Every column, in display order. What tells a run apart and how it is doing come first.
Least widths leave room for the label and a sort arrow (``Model ▼``)."""

COLUMN_BY_KEY: Mapping[str, Column] = {column.key: column for column in COLUMNS}

GUTTER = 2
"""Cells before the first column: the mark glyph and a space."""
GAP = 1
"""Blank cells after each column."""
SHORT_MODEL_CAP = 16
"""The most the model column takes in its short form."""
NAME_STEPS = (20, 14)
"""Widths the name column gives up to, in turn, before the losses go."""

STEPS: tuple[tuple[str, str, int], ...] = (
    ("drop", "spark", 0),
    ("drop", "type", 0),
    ("drop", "age", 0),
    ("cap", "name", NAME_STEPS[0]),
    ("short", "model", 0),
    ("cap", "name", NAME_STEPS[1]),
    ("drop", "valid", 0),
    ("drop", "train", 0),
    ("cap", "name", COLUMN_BY_KEY["name"].width),
    ("drop", "model", 0),
)
"""What is given up, in order, while the columns are wider than the list."""


@attrs.frozen
class Layout:
    """The columns a width shows, with their widths, in display order."""

    columns: tuple[tuple[str, int], ...] = ()
    """``(key, width)`` of each column shown."""
    short_model: bool = False
    """The model column shows short model names."""

    @property
    def keys(self) -> list[str]:
        """Keys of the columns shown."""
        return [key for key, _ in self.columns]

    def width_of(self, key: str) -> int | None:
        """A shown column's width (``None`` when not shown)."""
        return next((width for column, width in self.columns if column == key), None)

    def x_of(self, key: str) -> int | None:
        """Where a shown column starts (``None`` when not shown)."""
        x = GUTTER
        for column, width in self.columns:
            if column == key:
                return x
            x += width + GAP
        return None

    def column_at(self, x: int) -> str | None:
        """The shown column cell ``x`` falls in (``None``: the gutter or a gap)."""
        start = GUTTER
        for key, width in self.columns:
            if start <= x < start + width:
                return key
            start += width + GAP
        return None

    def span_of(self, keys: set[str]) -> tuple[int, int] | None:
        """``(start, end)`` cells covering the shown columns of ``keys`` (a cell key such as
        ``model_short`` counts for its column), ``None`` when none is shown."""
        spans = []
        start = GUTTER
        for key, width in self.columns:
            if key in keys or (key == "model" and self.short_model and "model_short" in keys):
                spans.append((start, start + width))
            start += width + GAP
        if not spans:
            return None
        return spans[0][0], spans[-1][1]

    @property
    def used(self) -> int:
        """Cells the gutter and the columns take."""
        return GUTTER + sum(width + GAP for _, width in self.columns)


def natural_widths(content: Mapping[str, int]) -> dict[str, int]:
    """Each column's width before anything is given up; ``content`` holds the widest value
    of the columns sized by content (and of the short model, under ``model_short``)."""
    widths = {}
    for column in COLUMNS:
        if column.sized_by_content:
            widths[column.key] = max(column.width, min(column.cap, content.get(column.key, 0)))
        else:
            widths[column.key] = column.width
    widths["model_short"] = max(
        COLUMN_BY_KEY["model"].width, min(SHORT_MODEL_CAP, content.get("model_short", 0))
    )
    return widths


def fit_columns(width: int, content: Mapping[str, int] | None = None, reserve: int = 0) -> Layout:
    """The columns a list ``width`` cells wide shows (see the module docstring); ``reserve``
    cells are left blank at the right end when the name column can give them all up."""
    natural = natural_widths(content or {})
    widths = {column.key: natural[column.key] for column in COLUMNS}
    shown = [column.key for column in COLUMNS]
    short_model = False

    def used() -> int:
        return GUTTER + sum(widths[key] + GAP for key in shown)

    for action, key, value in STEPS:
        if used() <= width:
            break
        if action == "drop":
            if key in shown:
                shown.remove(key)
        elif action == "cap":
            widths[key] = min(widths[key], value)
        elif not short_model:
            short_model = True
            widths["model"] = min(widths["model"], natural["model_short"])
    # Take back what the room allows: the full model names, then the name column's width.
    if short_model and "model" in shown:
        full = used() - widths["model"] + natural["model"]
        if full <= width:
            short_model = False
            widths["model"] = natural["model"]
    if "name" in shown:
        widths["name"] = min(natural["name"], widths["name"] + max(0, width - used()))
        short = reserve - (width - used())
        if 0 < short <= widths["name"] - COLUMN_BY_KEY["name"].width:
            widths["name"] -= short  # all of it, or nothing: a part would be of no use
    return Layout(tuple((key, widths[key]) for key in shown), short_model)
