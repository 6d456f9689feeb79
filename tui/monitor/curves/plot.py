"""What a chart shows, before it meets a screen: the step window, the y-scale and the lines.

:func:`build_plot` turns the runs and the view options (zoom, smoothing, log scale) into a
:class:`ChartPlot`: every line in data units on one step axis shared by train and valid loss
(and by every compared run), and a robust y-scale over the points in view. Sizes, ticks and
glyphs are the frame's business (:mod:`tui.monitor.curves.frame`).

The step window of "all steps" runs from 0 to the planned number of steps of a run that is
still training (so new points extend the curve in place, the axis stays), or to the last step
rounded up to a round number; "the last N steps" ends at the newest point.
"""

from __future__ import annotations

import bisect
import enum
import math
from collections.abc import Sequence

import attrs

from tui.monitor.curves.scale import YScale, robust_scale
from tui.monitor.curves.series import Curve, RunCurves
from tui.monitor.curves.smoothing import MAX_SMOOTHING, ema
from tui.monitor.curves.ticks import nice_step

__all__ = ["MAX_RUNS", "ChartOptions", "ChartPlot", "LineKind", "PlotLine", "build_plot"]

MAX_RUNS = 6
"""The most runs one chart compares; more would not stay readable (nor distinguishable)."""
_X_QUANTA = 10
"""Without a planned end, the x-axis ends at the last step rounded up to a tenth of it."""


class LineKind(enum.IntEnum):
    """What a drawn line is; the higher kind wins a shared cell."""

    TRAIN_RAW = 0
    """The unsmoothed train loss, drawn faint behind its smoothed curve."""
    TRAIN = 1
    """The train loss (smoothed when smoothing is on)."""
    VALID = 2
    """The valid loss, joining evaluated steps only."""


@attrs.frozen
class ChartOptions:
    """How the user asked to see the curves; kept across data updates."""

    last_steps: int | None = attrs.field(default=None)
    """Zoom: show only the last this many steps; ``None`` shows all steps."""
    smoothing: float = attrs.field(default=0.0, converter=float)
    """EMA weight of the past for the train loss (0 is raw; at most ``MAX_SMOOTHING``)."""
    log_scale: bool = False
    """Whether the y-axis is logarithmic."""

    @smoothing.validator
    def _check_smoothing(self, _attribute: object, value: float) -> None:
        if not 0.0 <= value <= MAX_SMOOTHING:
            raise ValueError(f"smoothing must be between 0 and {MAX_SMOOTHING}, not {value}")

    @last_steps.validator
    def _check_last_steps(self, _attribute: object, value: int | None) -> None:
        if value is not None and value < 1:
            raise ValueError(f"the zoom must show at least one step, not {value}")


@attrs.frozen
class PlotLine:
    """One polyline to draw: points in step order, in data units."""

    run: int
    """The index of its run in the chart (0 is the first, the selected job)."""
    kind: LineKind
    """Which metric and treatment the line is."""
    steps: tuple[int, ...]
    """The x of each point; one point beyond each end of the window when there is one, so the
    line reaches the edge."""
    values: tuple[float, ...]
    """The y of each point, in data units."""


@attrs.frozen
class ChartPlot:
    """The curves of one or more runs fitted to a step window and a y-scale."""

    runs: tuple[RunCurves, ...]
    """The runs drawn, the selected one first."""
    options: ChartOptions
    """The options it was built with."""
    first_step: int
    """The step at the left edge."""
    last_step: int
    """The step at the right edge (equal to ``first_step`` when only one step is known)."""
    y: YScale
    """The y-range, in axis units."""
    lines: tuple[PlotLine, ...]
    """Every line, drawn in this order (later ones on top)."""

    @property
    def is_empty(self) -> bool:
        """Whether there is no point to draw."""
        return not any(line.steps for line in self.lines)


def _step_window(runs: Sequence[RunCurves], last_steps: int | None) -> tuple[int, int]:
    """The first and last step in view (see the module docstring)."""
    firsts = [step for run in runs if (step := run.first_step) is not None]
    lasts = [step for run in runs if (step := run.last_step) is not None]
    if not lasts:
        planned = [run.planned_steps for run in runs if run.planned_steps]
        return 0, max(planned, default=0)
    newest = max(lasts)
    oldest = min(0, *firsts)
    if last_steps is not None:
        return max(oldest, newest - last_steps), newest
    planned = [run.planned_steps for run in runs if run.planned_steps]
    if planned and max(planned) >= newest:
        return oldest, max(planned)
    if newest <= 0:
        return oldest, newest
    quantum = max(1, round(nice_step(newest / _X_QUANTA)))
    return oldest, math.ceil(newest / quantum) * quantum


def _windowed(curve: Curve, values: Sequence[float], first: int, last: int) -> PlotLine | None:
    """The points of a curve between two steps, plus one neighbour outside on each side."""
    start = bisect.bisect_left(curve.steps, first)
    stop = bisect.bisect_right(curve.steps, last)
    if start == stop:
        return None
    start = max(0, start - 1)
    stop = min(len(curve.steps), stop + 1)
    return PlotLine(0, LineKind.TRAIN, curve.steps[start:stop], tuple(values[start:stop]))


def _in_view(curve: Curve, first: int, last: int) -> tuple[float, ...]:
    """The raw values of a curve's points inside the window (these set the y-range)."""
    return curve.window(first, last).values


def build_plot(runs: Sequence[RunCurves], options: ChartOptions = ChartOptions()) -> ChartPlot:
    """Fit runs (the selected one first; at most :data:`MAX_RUNS`) to one step axis and scale."""
    runs = tuple(runs[:MAX_RUNS])
    first, last = _step_window(runs, options.last_steps)
    lines: list[PlotLine] = []
    in_view: list[tuple[float, ...]] = []
    # Drawn bottom-up: every run's faint raw curves, then train, then valid; run 0 last of each.
    layers: list[tuple[LineKind, int, Curve, Sequence[float]]] = []
    for index, run in enumerate(runs):
        in_view += [_in_view(run.train, first, last), _in_view(run.valid, first, last)]
        if options.smoothing > 0:
            layers.append((LineKind.TRAIN_RAW, index, run.train, run.train.values))
            smoothed = ema(run.train.values, options.smoothing)
            layers.append((LineKind.TRAIN, index, run.train, smoothed))
        else:
            layers.append((LineKind.TRAIN, index, run.train, run.train.values))
        layers.append((LineKind.VALID, index, run.valid, run.valid.values))
    layers.sort(key=lambda layer: (layer[0], -layer[1]))
    for kind, index, curve, values in layers:
        line = _windowed(curve, values, first, last)
        if line is not None:
            lines.append(attrs.evolve(line, run=index, kind=kind))
    scale = robust_scale(in_view, log=options.log_scale)
    return ChartPlot(runs, options, first, last, scale, tuple(lines))
