"""Painting a chart frame: inks to theme styles, rows to strips, and the cells an update changed.

The frame (:mod:`tui.monitor.curves.frame`) is plain text with inks; here each ink becomes a
Rich style read from the chart's component classes, so themes (and the ANSI theme) colour it,
and :func:`changed_regions` finds the cells that differ between two frames, so an update
repaints only those.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

from tui.display.text import cell_width
from tui.monitor.curves import ChartFrame, Ink, Role, Row

__all__ = ["COMPONENT_CLASSES", "RUN_CLASSES", "StylePicker", "changed_regions", "frame_strips"]

RUN_CLASSES = tuple(f"chart--run-{number}" for number in range(1, 7))
"""The colour of each compared run, in order."""

_ROLE_CLASSES: dict[Role, tuple[str, ...]] = {
    Role.BLANK: (),
    Role.AXIS: ("chart--axis",),
    Role.TICK: ("chart--tick",),
    Role.TEXT: ("chart--text",),
    Role.MUTED: ("chart--muted",),
    Role.TRAIN_RAW: ("chart--train", "chart--raw"),
    Role.TRAIN: ("chart--train",),
    Role.VALID: ("chart--valid",),
    Role.SPIKE: ("chart--spike",),
    Role.CURSOR: ("chart--cursor",),
}

COMPONENT_CLASSES: frozenset[str] = frozenset(
    {name for names in _ROLE_CLASSES.values() for name in names}
    | {"chart--cursor-column", "chart--summary"}
    | set(RUN_CLASSES)
)
"""Every component class a chart styles (see ``MetricsChart.DEFAULT_CSS``)."""

_LINE_ROLES = frozenset({Role.TRAIN_RAW, Role.TRAIN, Role.VALID, Role.SPIKE})


class StylePicker:
    """The Rich style of each ink, from a widget's component styles, cached until cleared."""

    def __init__(self, component_style: Callable[..., Style], base_style: Callable[[], Style]):
        self._component_style = component_style
        self._base_style = base_style
        self._styles: dict[Ink, Style] = {}

    def clear(self) -> None:
        """Forget every style (the theme or the CSS changed)."""
        self._styles.clear()

    def __call__(self, ink: Ink) -> Style:
        style = self._styles.get(ink)
        if style is None:
            names = _ROLE_CLASSES[ink.role]
            if ink.run is not None and ink.role in _LINE_ROLES:
                # A compared run keeps its own colour; a raw line is still faint, a spike bold.
                names = (*names, RUN_CLASSES[ink.run % len(RUN_CLASSES)])
            if ink.cursor:
                names = (*names, "chart--cursor-column")
            style = self._component_style(*names) if names else self._base_style()
            self._styles[ink] = style
        return style


def frame_strips(frame: ChartFrame, style_of: StylePicker, blank: Style) -> list[Strip]:
    """One strip per frame row, each exactly ``frame.width`` cells."""
    strips: list[Strip] = []
    for row in frame.rows:
        segments = [Segment(span.text, style_of(span.ink)) for span in row]
        strips.append(Strip(segments).adjust_cell_length(frame.width, blank))
    return strips


def _cells(row: Row) -> list[tuple[str, Ink]] | None:
    """A row cell by cell, or ``None`` when a wide character makes cells and characters differ."""
    cells: list[tuple[str, Ink]] = []
    for span in row:
        if cell_width(span.text) != len(span.text):
            return None
        cells.extend((char, span.ink) for char in span.text)
    return cells


def changed_regions(old: ChartFrame | None, new: ChartFrame) -> list[Region] | None:
    """The regions whose cells differ between two frames; ``None`` means everything."""
    if old is None or (old.width, old.height) != (new.width, new.height):
        return None
    regions: list[Region] = []
    for y, (before, after) in enumerate(zip(old.rows, new.rows, strict=True)):
        if before == after:
            continue
        old_cells, new_cells = _cells(before), _cells(after)
        if old_cells is None or new_cells is None or len(old_cells) != len(new_cells):
            regions.append(Region(0, y, new.width, 1))
            continue
        changed = [x for x, (a, b) in enumerate(zip(old_cells, new_cells, strict=True)) if a != b]
        if changed:
            regions.append(Region(changed[0], y, changed[-1] - changed[0] + 1, 1))
    return regions
