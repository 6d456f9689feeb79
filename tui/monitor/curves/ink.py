"""What each piece of a chart frame is, so a renderer can colour it: roles, inks and spans.

The frame itself is plain text; an :class:`Ink` says what a run of its cells shows (a train
line, an axis label, a spike marker, the cursor column...). The Textual widget maps inks to
theme styles; a plain-text renderer may ignore them. Nothing here depends on colour: every
series and marker is told apart by its glyphs too.
"""

from __future__ import annotations

import enum

import attrs

__all__ = [
    "CURSOR_GLYPH",
    "SPIKE_ABOVE",
    "SPIKE_BELOW",
    "TRAIN_GLYPH",
    "VALID_GLYPH",
    "Ink",
    "Role",
    "Row",
    "Span",
    "row_text",
]

TRAIN_GLYPH = "⠤⠤"
"""The legend's sample of a train line: solid dots."""
VALID_GLYPH = "⠄⠄"
"""The legend's sample of a valid line: every other dot (evaluated points carry a plus)."""
SPIKE_ABOVE = "▲"
"""Marks a point above the y-range, drawn clipped to the top row."""
SPIKE_BELOW = "▼"
"""Marks a point below the y-range, drawn clipped to the bottom row."""
CURSOR_GLYPH = "│"
"""The step cursor, in the empty cells of its column."""


class Role(enum.Enum):
    """What a span of cells shows."""

    BLANK = "blank"
    """Empty space."""
    AXIS = "axis"
    """Axis lines and tick marks."""
    TICK = "tick"
    """Axis labels."""
    TEXT = "text"
    """Legend and readout text."""
    MUTED = "muted"
    """Secondary legend text (the state of the view, the best values)."""
    TRAIN_RAW = "raw"
    """The unsmoothed train loss behind a smoothed one."""
    TRAIN = "train"
    """The train loss."""
    VALID = "valid"
    """The valid loss."""
    SPIKE = "spike"
    """A marker of a point clipped at the range's edge."""
    CURSOR = "cursor"
    """The step cursor's line and label."""


@attrs.frozen(cache_hash=True)
class Ink:
    """The role of a span, the run it belongs to and whether the cursor is over it."""

    role: Role
    """What the span shows."""
    run: int | None = None
    """The index of its run when several are compared (``None`` on a one-run chart)."""
    cursor: bool = False
    """Whether the span lies in the step cursor's column."""


@attrs.frozen
class Span:
    """Consecutive cells of one ink."""

    text: str
    """The characters (one cell each, except wide characters from a legend label)."""
    ink: Ink
    """How they are meant to look."""


Row = tuple[Span, ...]
"""One line of a frame, left to right."""


def row_text(row: Row) -> str:
    """A row's characters without inks."""
    return "".join(span.text for span in row)
