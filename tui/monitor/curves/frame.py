"""A chart plot laid out in terminal cells: braille lines, axes, labels, legend and cursor.

:func:`layout_frame` turns a :class:`~tui.monitor.curves.plot.ChartPlot` and a size into a
:class:`ChartFrame`: rows of :class:`~tui.monitor.curves.ink.Span` (plain text and what it
shows). From the top::

    key, legend or cursor readout   (when there is room, or several runs, or a cursor)
    plot rows                        y labels at round values | braille lines
    x-axis line                      (tall charts only)
    x labels                         round step numbers

Train is a solid line, valid a dotted one with a plus at each evaluated step; points outside
the y-range are drawn at its edge under a ``▲``/``▼``. Compared runs carry their number at
the end of their curve. Below :data:`MIN_WIDTH` x :data:`MIN_HEIGHT` there is no frame (the
caller shows a one-line summary instead).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import attrs

from tui.monitor.curves.braille import DotCanvas, braille_char
from tui.monitor.curves.ink import (
    CURSOR_GLYPH,
    SPIKE_ABOVE,
    SPIKE_BELOW,
    Ink,
    Role,
    Row,
    Span,
    row_text,
)
from tui.monitor.curves.legend import (
    cursor_pieces,
    fit_row,
    key_pieces,
    run_legend_pieces,
    runs_line_pieces,
)
from tui.monitor.curves.plot import ChartPlot, LineKind, PlotLine
from tui.monitor.curves.scale import YScale
from tui.monitor.curves.ticks import (
    format_step,
    format_ticks,
    linear_ticks,
    log_ticks,
    step_ticks,
)

__all__ = [
    "AXIS_LINE_FROM",
    "KEY_ROW_FROM",
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "ChartFrame",
    "PlotGeometry",
    "layout_frame",
]

MIN_WIDTH = 24
"""Narrower than this, a chart would not hold its labels and a readable curve."""
MIN_HEIGHT = 4
"""Shorter than this, a chart would not show a shape (3 plot rows and the step labels)."""
KEY_ROW_FROM = 8
"""A one-run chart shows its key (train, valid, markers, view state) from this height."""
AXIS_LINE_FROM = 12
"""A chart draws an x-axis line above its step labels from this height."""
_MIN_PLOT_COLUMNS = 12
_MIN_PLOT_ROWS = 2

_ROLE_OF_KIND = {
    LineKind.TRAIN_RAW: Role.TRAIN_RAW,
    LineKind.TRAIN: Role.TRAIN,
    LineKind.VALID: Role.VALID,
}


@attrs.frozen
class ChartFrame:
    """A laid-out chart: ``height`` rows of exactly ``width`` cells."""

    width: int
    """Width in cells."""
    height: int
    """Height in rows."""
    rows: tuple[Row, ...]
    """The rows, top to bottom."""
    plot_left: int
    """The first column of the plot area."""
    plot_top: int
    """The first row of the plot area."""
    plot_columns: int
    """Width of the plot area in cells."""
    plot_rows: int
    """Height of the plot area in rows."""
    geometry: PlotGeometry
    """Where steps and values land in the plot area."""
    clipped: bool
    """Whether any point is drawn clipped at the y-range's edge."""

    def text(self) -> list[str]:
        """The rows as plain strings."""
        return [row_text(row) for row in self.rows]

    def step_at(self, x: int) -> int | None:
        """The step under column ``x`` of the frame, or ``None`` outside the plot area."""
        column = x - self.plot_left
        if not 0 <= column < self.plot_columns:
            return None
        return self.geometry.step_at(column)


@attrs.frozen
class PlotGeometry:
    """Where steps and values land in a plot area of ``columns`` x ``rows`` cells.

    Train, valid and every compared run go through the same mapping: one step, one x.
    """

    first_step: int
    """The step at the left edge."""
    last_step: int
    """The step at the right edge."""
    scale: YScale
    """The y-range."""
    columns: int
    """Width in cells (two dots each)."""
    rows: int
    """Height in cells (four dots each)."""

    def x(self, step: float) -> float:
        """The dot column of a step (outside ``0 .. 2 * columns - 1`` when out of view)."""
        span = self.last_step - self.first_step
        dots = self.columns * 2 - 1
        if span <= 0:
            return dots / 2
        return (step - self.first_step) / span * dots

    def y(self, value: float) -> tuple[float, int] | None:
        """The dot row of a value and whether it was clipped (1 above, -1 below, 0 inside).

        ``None`` for a value with no place on a log axis.
        """
        scale = self.scale
        if scale.log:
            if value <= 0:
                return None
            value = math.log10(value)
        # Called for every point of every line: plain arithmetic, no helper calls.
        fraction = (value - scale.low) / (scale.high - scale.low)
        if fraction > 1 + 1e-9:
            return 0.0, 1
        if fraction < -1e-9:
            return float(self.rows * 4 - 1), -1
        return (1.0 - fraction) * (self.rows * 4 - 1), 0

    def column_of(self, step: float) -> int:
        """The cell column a step falls in (clamped to the plot)."""
        return min(max(round(self.x(step)) // 2, 0), self.columns - 1)

    def row_of(self, value: float) -> int | None:
        """The cell row a value is drawn in (clipped values at the edge row)."""
        mapped = self.y(value)
        return None if mapped is None else round(mapped[0]) // 4

    def step_at(self, column: int) -> int:
        """The step at the middle of a cell column."""
        span = self.last_step - self.first_step
        dots = max(self.columns * 2 - 1, 1)
        return round(self.first_step + span * (column * 2 + 0.5) / dots)


@attrs.frozen
class _Raster:
    """The plot area's cells: characters and inks, before axes and labels."""

    chars: list[str]
    inks: list[Ink]
    clipped: bool


def _draw_line(
    line: PlotLine, geometry: PlotGeometry, canvas: DotCanvas, marks: set[int]
) -> list[tuple[int, int]]:
    """Draw one line; return the dot ``(x, clip)`` of its points clipped at the y-range's edge.

    The cells of a dotted line's measured points (its pluses) are added to ``marks``.

    A solid line with more points than dot columns is drawn column by column: the points that
    fall in one dot column make a vertical run from their lowest to their highest, joined to
    the next column, which lights exactly the dots the whole polyline would, in far fewer steps.
    """
    clipped_at: list[tuple[int, int]] = []
    dotted = line.kind is LineKind.VALID
    previous: tuple[float, float] | None = None  # the last point drawn, joined to the next
    column: int | None = None  # the dot column being gathered (solid lines)
    low = high = 0.0
    for step, value in zip(line.steps, line.values, strict=True):
        mapped = geometry.y(value)
        if mapped is None:  # no place on a log axis: the line breaks there
            if column is not None:
                canvas.column(column, round(low), round(high))
            previous = column = None
            continue
        x, (y, clip) = geometry.x(step), mapped
        if clip and geometry.first_step <= step <= geometry.last_step:
            clipped_at.append((round(x), clip))
        if dotted:
            if previous is not None:
                canvas.line(previous[0], previous[1], x, y, dotted=True)
            if geometry.first_step <= step <= geometry.last_step:
                canvas.plus(round(x), round(y))
                marks.add(round(y) // 4 * canvas.columns + round(x) // 2)
            previous = (x, y)
            continue
        if column is not None and round(x) == column:
            low, high = min(low, y), max(high, y)
            previous = (x, y)
            continue
        if column is not None:
            canvas.column(column, round(low), round(high))
        if previous is not None:
            canvas.line(previous[0], previous[1], x, y)
        column, low, high, previous = round(x), y, y, (x, y)
    if column is not None:
        canvas.column(column, round(low), round(high))
    return clipped_at


def _wins(line: PlotLine, owner: PlotLine | None, dots: int, owner_dots: int, mark: bool) -> bool:
    """Whether ``line`` takes the colour of a cell it shares with the ``owner`` drawn before it.

    Lines come in kind order (raw, train, valid). A faint raw curve never holds a cell; a valid
    point's plus always takes it; where valid's dotted joins cross train's solid line, the line
    with more dots in the cell keeps it, so train stays the colour of its own curve.
    """
    if owner is None or owner.kind is LineKind.TRAIN_RAW or line.kind is owner.kind:
        return True
    return mark or dots > owner_dots


def _raster(plot: ChartPlot, geometry: PlotGeometry) -> _Raster:
    """Every line drawn and merged: a cell shows all dots, coloured as :func:`_wins` says."""
    columns, rows = geometry.columns, geometry.rows
    several = len(plot.runs) > 1
    count = columns * rows
    bits = bytearray(count)
    owners: list[PlotLine | None] = [None] * count
    owner_dots = [0] * count
    markers: dict[int, tuple[str, Ink]] = {}
    ends: dict[int, int] = {}
    for line in plot.lines:
        canvas = DotCanvas(columns, rows)
        marks: set[int] = set()
        run = line.run if several else None
        for x, clip in _draw_line(line, geometry, canvas, marks):
            index = (0 if clip > 0 else rows - 1) * columns + min(x // 2, columns - 1)
            glyph = SPIKE_ABOVE if clip > 0 else SPIKE_BELOW
            markers[index] = (glyph, Ink(Role.SPIKE, run=run))
        for index, cell_bits in enumerate(canvas.bits):
            if cell_bits:
                bits[index] |= cell_bits
                dots = cell_bits.bit_count()
                if _wins(line, owners[index], dots, owner_dots[index], index in marks):
                    owners[index], owner_dots[index] = line, dots
        if several and line.kind is not LineKind.TRAIN_RAW:
            ends.setdefault(line.run, _end_cell(line, geometry, columns))
    chars = [braille_char(cell) if cell else " " for cell in bits]
    blank = Ink(Role.BLANK)
    line_inks = {
        id(line): Ink(_ROLE_OF_KIND[line.kind], run=line.run if several else None)
        for line in plot.lines
    }
    inks = [blank if owner is None else line_inks[id(owner)] for owner in owners]
    for run_index, index in ends.items():
        if index >= 0:  # the run's number at the end of its curve
            chars[index] = str(run_index + 1)
            inks[index] = Ink(Role.TRAIN, run=run_index)
    for index, (glyph, ink) in markers.items():
        chars[index] = glyph
        inks[index] = ink
    return _Raster(chars, inks, bool(markers))


def _end_cell(line: PlotLine, geometry: PlotGeometry, columns: int) -> int:
    """The cell just right of a line's last point in view (or on it, at the right edge)."""
    for step, value in zip(reversed(line.steps), reversed(line.values), strict=True):
        if step > geometry.last_step:
            continue
        mapped = geometry.y(value)
        if step < geometry.first_step or mapped is None:
            return -1
        column = min(geometry.column_of(step) + 1, columns - 1)
        return round(mapped[0]) // 4 * columns + column
    return -1


def _y_labels(scale: YScale, rows: int) -> dict[int, str]:
    """Round-valued labels by plot row (one per row at most, at least a row apart).

    When the round steps that fit leave a single label (0.6 to 1.35: steps of 0.5 hold only
    1.0), more ticks are asked for until two or more land a row apart, evenly spaced: two
    labels tell the scale, one does not.
    """
    first = max(2, min(rows // 2, 1 + rows // 4))
    placed = _placed_labels(scale, rows, first)
    if len(placed) < 2:
        for count in range(first + 1, rows + 1):
            finer = _placed_labels(scale, rows, count)
            if len(finer) >= 2 and _evenly_spaced([value for _, value, _ in finer]):
                placed = finer
                break
    return {row: label for row, _, label in placed}


def _evenly_spaced(values: Sequence[float]) -> bool:
    """Whether consecutive values are all the same distance apart."""
    gaps = [b - a for a, b in itertools.pairwise(values)]
    return all(math.isclose(gap, gaps[0], rel_tol=1e-6) for gap in gaps)


def _placed_labels(scale: YScale, rows: int, max_count: int) -> list[tuple[int, float, str]]:
    """``(row, value, label)`` of up to ``max_count`` round ticks, none on adjacent rows."""
    ticks = (
        log_ticks(scale.low, scale.high, max_count)
        if scale.log
        else linear_ticks(scale.low, scale.high, max_count)
    )
    labels = format_ticks(ticks, uniform=not scale.log)
    rows_of = PlotGeometry(0, 0, scale, 1, rows)  # rows do not depend on the columns
    placed: list[tuple[int, float, str]] = []
    taken: set[int] = set()
    for value, label in zip(ticks, labels, strict=True):
        row = rows_of.row_of(value) if scale.contains(value) else None
        if row is None or taken & {row - 1, row, row + 1}:
            continue
        taken.add(row)
        placed.append((row, value, label))
    return placed


def _x_labels(geometry: PlotGeometry) -> list[tuple[int, str]]:
    """``(column, label)`` of the round step labels, in order."""
    widest = len(format_step(geometry.last_step)) + 2
    ticks = step_ticks(
        geometry.first_step, geometry.last_step, max(2, geometry.columns // (widest + 2))
    )
    return [(geometry.column_of(step), format_step(step)) for step in ticks]


def _cursor_column(geometry: PlotGeometry, cursor_step: int | None) -> int | None:
    """The plot column of the cursor, when it is in view."""
    if cursor_step is None or not geometry.first_step <= cursor_step <= geometry.last_step:
        return None
    return geometry.column_of(cursor_step)


def _spans(chars: Sequence[str], inks: Sequence[Ink]) -> Row:
    """Cells merged into spans of one ink."""
    spans: list[Span] = []
    start = 0
    for index in range(1, len(chars) + 1):
        if index == len(chars) or (inks[index] is not inks[start] and inks[index] != inks[start]):
            spans.append(Span("".join(chars[start:index]), inks[start]))
            start = index
    return tuple(spans)


def _label_row(
    width: int,
    left: int,
    labels: list[tuple[int, str]],
    cursor: tuple[int, str] | None,
) -> Row:
    """The step labels centred under their columns, never overlapping; the cursor's first."""
    chars = [" "] * width
    inks = [Ink(Role.BLANK)] * width
    taken: list[tuple[int, int]] = []
    entries = ([(cursor, Ink(Role.CURSOR))] if cursor else []) + [
        (label, Ink(Role.TICK)) for label in labels
    ]
    for (column, text), ink in entries:
        start = min(max(0, left + column - len(text) // 2), width - len(text))
        end = start + len(text)
        if start < 0 or any(start <= b and a <= end for a, b in taken):
            continue
        taken.append((start, end))
        chars[start:end] = text
        inks[start:end] = [ink] * len(text)
    return _spans(chars, inks)


def _header_count(plot: ChartPlot, height: int, cursor_step: int | None) -> int:
    """How many text rows go above the plot."""
    runs = len(plot.runs)
    if runs > 1:
        return runs + 1 if height >= runs + 1 + KEY_ROW_FROM else 1
    if cursor_step is not None and height >= MIN_HEIGHT + 2:
        return 1
    return 1 if height >= KEY_ROW_FROM else 0


def _header_rows(
    plot: ChartPlot, count: int, width: int, cursor_step: int | None, clipped: bool
) -> list[Row]:
    """The text rows above the plot (see :func:`_header_count`)."""
    if count == 0:
        return []
    if len(plot.runs) == 1:
        if cursor_step is not None:
            return [fit_row(cursor_pieces(plot, cursor_step), width)]
        return [fit_row(key_pieces(plot, clipped=clipped), width)]
    if count == 1:
        return [fit_row(runs_line_pieces(plot), width)]
    rows = [fit_row(key_pieces(plot, clipped=clipped), width)]
    rows += [
        fit_row(run_legend_pieces(plot, index, cursor_step), width)
        for index in range(len(plot.runs))
    ]
    return rows


def layout_frame(
    plot: ChartPlot, width: int, height: int, *, cursor_step: int | None = None
) -> ChartFrame | None:
    """The chart in ``width`` x ``height`` cells, or ``None`` when it does not fit or is empty."""
    if width < MIN_WIDTH or height < MIN_HEIGHT or plot.is_empty:
        return None
    header_count = _header_count(plot, height, cursor_step)
    axis_line = height >= AXIS_LINE_FROM
    rows = height - header_count - 1 - int(axis_line)
    labels = _y_labels(plot.y, rows)
    label_width = max((len(label) for label in labels.values()), default=0)
    left = label_width + 1
    columns = width - left
    if columns < _MIN_PLOT_COLUMNS or rows < _MIN_PLOT_ROWS:
        return None
    geometry = PlotGeometry(plot.first_step, plot.last_step, plot.y, columns, rows)
    raster = _raster(plot, geometry)
    cursor_column = _cursor_column(geometry, cursor_step)
    frame_rows = _header_rows(plot, header_count, width, cursor_step, raster.clipped)
    axis_ink, tick_ink = Ink(Role.AXIS), Ink(Role.TICK)
    for row in range(rows):
        label = labels.get(row)
        chars = [*list((label or "").rjust(label_width)), "┤" if label else "│"]
        inks = [tick_ink] * label_width + [axis_ink]
        cells = raster.chars[row * columns : (row + 1) * columns]
        cell_inks = raster.inks[row * columns : (row + 1) * columns]
        if cursor_column is not None:
            ink = cell_inks[cursor_column]
            if ink.role is Role.BLANK:
                cells[cursor_column], cell_inks[cursor_column] = CURSOR_GLYPH, Ink(Role.CURSOR)
            else:
                cell_inks[cursor_column] = attrs.evolve(ink, cursor=True)
        frame_rows.append(_spans(chars + cells, inks + cell_inks))
    x_labels = _x_labels(geometry)
    if axis_line:
        chars = [" "] * label_width + ["└"] + ["─"] * columns
        for column, _label in x_labels:
            chars[left + column] = "┬"
        frame_rows.append(
            _spans(chars, [Ink(Role.BLANK)] * label_width + [axis_ink] * (columns + 1))
        )
    cursor_label = (
        (cursor_column, str(cursor_step))
        if cursor_column is not None and cursor_step is not None
        else None
    )
    frame_rows.append(_label_row(width, left, x_labels, cursor_label))
    return ChartFrame(
        width=width,
        height=height,
        rows=tuple(frame_rows),
        plot_left=left,
        plot_top=header_count,
        plot_columns=columns,
        plot_rows=rows,
        geometry=geometry,
        clipped=raster.clipped,
    )
