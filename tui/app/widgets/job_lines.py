"""The job list's lines as strips, cached per job: what the list widget draws.

:class:`RowPainter` turns a job's view into the strip of its row for a layout, and keeps, per job
id, the cells it built (bounded by an LRU cache). A row is rebuilt only when its job's view is
a different object (views are replaced, never changed) or its cells are refreshed; a strip is
rebuilt only when the layout, the row's style (cursor or not) or its mark changes.
:class:`ColumnMeasures` keeps the widest value of each column sized by content, job by job.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip

from tui.app.widgets.job_columns import Layout
from tui.app.widgets.job_rows import CONTENT_KEYS, CellStyles, content_widths, row_cells
from tui.monitor.ordering import JobRows
from tui.monitor.store import JobView

__all__ = ["MARK_GLYPH", "ColumnMeasures", "RowPainter"]

ELLIPSIS = "…"
MARK_GLYPH = "●"
"""What a marked job shows in the gutter (a glyph: marks never rely on colour)."""
ROW_CACHE_SIZE = 512
"""Rows whose cells are kept: a few screens' worth, however many jobs there are."""


def _sig(text: Text) -> tuple[object, ...]:
    """What two cells must share to draw the same: text, style and spans."""
    return (text.plain, str(text.style), tuple(text.spans))


def _differing(old: Mapping[str, Text], new: Mapping[str, Text]) -> set[str]:
    """Keys of the cells of ``new`` that draw differently from those of ``old``."""
    return {key for key, text in new.items() if key not in old or _sig(old[key]) != _sig(text)}


class _Row:
    """One job's built cells and the strips drawn from them."""

    __slots__ = ("cells", "strips", "view")

    def __init__(self, view: JobView, cells: dict[str, Text]) -> None:
        self.view = view
        self.cells = cells
        self.strips: dict[tuple[object, ...], Strip] = {}


class RowPainter:
    """Strips of job rows, built on demand and cached per job (see the module docstring)."""

    def __init__(self) -> None:
        self._rows: LRUCache[str, _Row] = LRUCache(ROW_CACHE_SIZE)
        self.styles = CellStyles()
        """Cell styles from the theme."""

    def clear(self) -> None:
        """Forget every built row (a theme change)."""
        self._rows.clear()

    def discard(self, job_ids: Iterable[str]) -> None:
        """Forget the rows of these jobs."""
        for job_id in job_ids:
            self._rows.discard(job_id)

    def cells(self, view: JobView, now: float) -> dict[str, Text]:
        """The cells of ``view``'s row (built now unless built from this very view)."""
        return self._row(view, now).cells

    def _row(self, view: JobView, now: float) -> _Row:
        job_id = view.job.id
        row = self._rows.get(job_id)
        if row is None or row.view is not view:
            row = _Row(view, row_cells(view, now, self.styles))
            self._keep(job_id, row)
        return row

    def _keep(self, job_id: str, row: _Row) -> None:
        self._rows.discard(job_id)  # LRUCache.set keeps an existing key's value
        self._rows[job_id] = row

    def update(self, view: JobView, now: float) -> set[str] | None:
        """Rebuild the row of ``view`` if it was built; the keys of the cells that draw
        differently (``None``: the row was not built, all of it must be drawn)."""
        row = self._rows.get(view.job.id)
        if row is None:
            return None
        if row.view is view:
            return set()
        cells = row_cells(view, now, self.styles)
        moved = _differing(row.cells, cells)
        if not moved:
            row.view = view  # a newer view that draws the same: keep the strips
            return moved
        self._keep(view.job.id, _Row(view, cells))
        return moved

    def replace_cells(self, view: JobView, new: Mapping[str, Text]) -> set[str]:
        """Replace some cells of a built row (the clock's); the keys of those that changed."""
        row = self._rows.get(view.job.id)
        if row is None:
            return set()
        moved = _differing(row.cells, new)
        if moved:
            row.cells.update(new)
            row.strips.clear()
        return moved

    def strip(
        self,
        view: JobView,
        now: float,
        layout: Layout,
        width: int,
        base: Style,
        cursor: Style | None,
        mark: Style | None,
        console: Console,
    ) -> Strip:
        """The row of ``view`` drawn ``width`` cells wide over ``base`` (the list's own colours),
        under ``cursor`` when the cursor is on it (``mark``: marked)."""
        row = self._row(view, now)
        key = (layout, width, base, cursor, mark)
        strip = row.strips.get(key)
        if strip is None:
            if len(row.strips) > 4:
                row.strips.clear()  # the cursor and focus come and go: bounded
            # The base goes under every cell: a Line-API row is drawn as given, and a cell
            # without a background would show the terminal's own (dark under a light theme).
            drawn = _draw(row.cells, layout, width, mark, console)
            strip = drawn.apply_style(base) if cursor is None else _on_cursor(drawn, base + cursor)
            # Neighbours of one style as one segment: each segment costs its own escape codes
            # on the wire, and a row repainted every poll is a row sent over SSH every poll.
            strip = strip.simplify()
            row.strips[key] = strip
        return strip


def _on_cursor(strip: Strip, cursor: Style) -> Strip:
    """A row under the cursor's style: its background, and its text colour over the cells' own
    (a status colour or faint text on the cursor's background can be unreadable, and in
    reverse video every cell must swap the same two colours). The status still reads by its
    glyph and word."""
    over = Style(color=cursor.color, dim=False) if cursor.color else Style(dim=False)
    cells = Segment.apply_style(strip.apply_style(cursor), post_style=over)
    return Strip(cells, strip.cell_length)


def _draw(
    cells: Mapping[str, Text], layout: Layout, width: int, mark: Style | None, console: Console
) -> Strip:
    """One row as segments: each cell cut (with an ellipsis) or padded to its column."""
    segments = [Segment(MARK_GLYPH, mark) if mark is not None else Segment(" "), Segment(" ")]
    for key, column_width in layout.columns:
        source = "model_short" if key == "model" and layout.short_model else key
        segments.extend(_cell_segments(cells[source], column_width, console))
        segments.append(Segment(" "))
    return Strip(segments).adjust_cell_length(width)


def _cell_segments(cell: Text, width: int, console: Console) -> list[Segment]:
    """A cell fitted to ``width`` cells. Cells of one style (all of finetop's) skip Rich's
    text rendering, which costs more than everything else in a row."""
    if cell.spans:
        fitted = cell.copy()
        fitted.truncate(width, overflow="ellipsis", pad=True)
        return list(fitted.render(console))
    text = cell.plain
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + ELLIPSIS if width > 0 else ""
    else:
        text = set_cell_size(text, width)
    style = console.get_style(cell.style) if isinstance(cell.style, str) else cell.style
    return [Segment(text, style or None)]


class ColumnMeasures:
    """The widest status, name, model and short model among the jobs measured.

    Every job the list was given is measured, shown or filtered out, so a filter does not
    move the columns; jobs that left the workspace are forgotten.
    """

    def __init__(self) -> None:
        self._widths: dict[str, tuple[int, ...]] = {}
        self._counts: list[Counter[int]] = [Counter() for _ in CONTENT_KEYS]

    def __len__(self) -> int:
        return len(self._widths)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._widths

    def ids(self) -> set[str]:
        """The jobs measured."""
        return set(self._widths)

    def unmeasured(self, job_ids: set[str]) -> set[str]:
        """Those of ``job_ids`` not measured (one lookup each: ``set - dict.keys()`` would
        walk every key)."""
        return job_ids.difference(self._widths)

    def measure(self, view: JobView) -> bool:
        """Measure (again) one job; whether any column's widest value may have moved."""
        job_id = view.job.id
        new = content_widths(view.job)
        old = self._widths.get(job_id)
        if old == new:
            return False
        self._count(old, -1)
        self._count(new, 1)
        self._widths[job_id] = new
        return True

    def measure_rows(self, rows: JobRows, changed: set[str] | None, arrived: set[str]) -> bool:
        """Measure the rows of a sync: all (``changed`` is ``None``), else the changed jobs
        (listed or not) and the arrived ones never measured; whether any column's widest value
        may have moved."""
        if changed is None:
            wanted: Iterable[JobView | None] = rows.views
        else:
            wanted = map(rows.lookup, self.unmeasured(arrived) | changed)
        moved = False
        for view in wanted:
            if view is not None:
                moved = self.measure(view) or moved
        return moved

    def forget(self, job_id: str) -> None:
        """Stop counting a job."""
        self._count(self._widths.pop(job_id, None), -1)

    def _count(self, widths: tuple[int, ...] | None, step: int) -> None:
        if widths is None:
            return
        for counter, width in zip(self._counts, widths, strict=True):
            counter[width] += step
            if counter[width] <= 0:
                del counter[width]

    def widest(self) -> dict[str, int]:
        """The widest value of each measured column (0 when nothing was measured)."""
        return {
            key: max(counter, default=0)
            for key, counter in zip(CONTENT_KEYS, self._counts, strict=True)
        }
