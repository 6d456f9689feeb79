"""A line chart of training curves in braille: train and valid loss on one step axis.

The chart draws what :mod:`tui.monitor.curves` lays out (robust y-range with clipped spikes
marked, round ticks, zoom, EMA smoothing, log scale, a step cursor, compared runs) through the
Line API: one cached strip per row, rebuilt only when the data, the view, the size or the theme
changed. New checkpoints extend the curves in place: the view (zoom, smoothing, log scale,
cursor) is kept, and only the cells that changed are repainted. Below
``MIN_WIDTH`` x ``MIN_HEIGHT`` it shows a one-line summary instead.

Keys (when focused; ids ``chart.*`` in :mod:`tui.app.actions`): left/right move the cursor from
step to step (shift: 10 at a time), home/end jump to the ends, escape hides it (without a
cursor, escape is left to the screen); ``z`` zooms to the last steps and back, ``e``
cycles the smoothing, ``l`` toggles the log scale. A click on the plot puts the cursor there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tui.app.actions import Scope, bindings_for
from tui.app.widgets.chart_paint import (
    COMPONENT_CLASSES,
    StylePicker,
    changed_regions,
    frame_strips,
)
from tui.display.text import fit_cells
from tui.monitor.curves import (
    MAX_RUNS,
    ChartFrame,
    ChartOptions,
    ChartPlot,
    CursorReadout,
    RunCurves,
    build_plot,
    cursor_stops,
    curves_from_job,
    layout_frame,
    move_cursor,
    readout_at,
    summarize,
    summary_text,
)
from tui.monitor.curves.smoothing import MAX_SMOOTHING
from tui.monitor.curves.ticks import nice_floor
from tui.monitor.store import job_of

__all__ = ["SMOOTHING_STEPS", "MetricsChart"]

SMOOTHING_STEPS: tuple[float, ...] = (0.0, 0.6, 0.9)
"""The smoothing weights ``e`` cycles through (0 is raw)."""


class MetricsChart(Widget, can_focus=True):
    """Training curves of one job, or of several to compare them, as a braille line chart."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(COMPONENT_CLASSES)

    DEFAULT_CSS = """
    MetricsChart {
        height: 1fr;
        min-height: 1;
    }
    MetricsChart > .chart--axis { color: $foreground 45%; }
    MetricsChart > .chart--tick { color: $foreground 70%; }
    MetricsChart > .chart--text { color: $foreground; }
    MetricsChart > .chart--muted { color: $foreground 60%; }
    MetricsChart > .chart--summary { color: $foreground 80%; }
    MetricsChart > .chart--train { color: $primary; }
    MetricsChart > .chart--raw { text-style: dim; }
    MetricsChart > .chart--valid { color: $accent; }
    MetricsChart > .chart--spike { color: $error; text-style: bold; }
    MetricsChart > .chart--cursor { color: $foreground; text-style: bold; }
    MetricsChart > .chart--cursor-column { background: $foreground 15%; }
    MetricsChart > .chart--run-1 { color: $primary; }
    MetricsChart > .chart--run-2 { color: $accent; }
    MetricsChart > .chart--run-3 { color: $success; }
    MetricsChart > .chart--run-4 { color: $warning; }
    MetricsChart > .chart--run-5 { color: $secondary; }
    MetricsChart > .chart--run-6 { color: $error; }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for(Scope.CHART, read_only=True)
    """The keys of :data:`tui.app.actions.ACTIONS` (ids ``chart.*``, remappable)."""

    zoom_steps: reactive[int | None] = reactive(None, repaint=False, init=False)
    """Show only the last this many steps; ``None`` shows every step."""
    smoothing: reactive[float] = reactive(0.0, repaint=False, init=False)
    """EMA weight of the past for the train loss (0 draws it raw; raw stays faint behind)."""
    log_scale: reactive[bool] = reactive(False, repaint=False, init=False)
    """Whether the y-axis is logarithmic."""
    cursor_step: reactive[int | None] = reactive(None, repaint=False, init=False)
    """The step under the cursor, or ``None`` for no cursor."""

    class CursorMoved(Message):
        """The step cursor moved, appeared or went away."""

        def __init__(
            self, chart: MetricsChart, step: int | None, readouts: tuple[CursorReadout, ...]
        ) -> None:
            super().__init__()
            self.chart = chart
            """The chart whose cursor moved."""
            self.step = step
            """The cursor's step, or ``None`` when it was hidden."""
            self.readouts = readouts
            """Every run's metrics at the cursor, in the chart's run order (empty if hidden)."""

        @property
        def control(self) -> MetricsChart:
            """The chart (for ``@on(MetricsChart.CursorMoved, "#id")``)."""
            return self.chart

    def __init__(
        self,
        *,
        zoom_window: int | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``zoom_window``: the steps ``z`` zooms to (default: about a quarter of the run)."""
        super().__init__(name=name, id=id, classes=classes)
        self.zoom_window = zoom_window
        """The steps ``z`` zooms to; ``None`` picks a round number up to a quarter of the run."""
        self._runs: tuple[RunCurves, ...] = ()
        self._data_version = 0
        self._plot: ChartPlot | None = None
        self._plot_key: tuple[int, ChartOptions] | None = None
        self._frame: ChartFrame | None = None
        self._frame_key: tuple[object, ...] | None = None
        self._strips: list[Strip] | None = None
        self._styles = StylePicker(self.get_component_rich_style, lambda: self.rich_style)
        self.frame_builds = 0
        """How many frames were laid out (a frame is reused while nothing it shows changes)."""
        self.strip_builds = 0
        """How many times the rows were turned into strips (once per frame and theme)."""

    # ------------------------------------------------------------------ data in

    @property
    def runs(self) -> tuple[RunCurves, ...]:
        """The runs shown, the selected one first."""
        return self._runs

    @property
    def data_version(self) -> int:
        """Bumped each time the runs shown change; unchanged data leaves it alone."""
        return self._data_version

    def show_job(self, job_or_view: Any) -> None:
        """Show one job's curves (a ``Job``, ``JobDetails`` or store view; ``None`` clears)."""
        job = job_of(job_or_view)
        self.show_runs([curves_from_job(job)] if job is not None else [])

    def compare_jobs(self, jobs_or_views: Sequence[Any]) -> None:
        """Show several jobs on one step axis (the first is the selected one, drawn on top)."""
        jobs = [job for item in jobs_or_views if (job := job_of(item)) is not None]
        self.show_runs([curves_from_job(job) for job in jobs])

    def show_runs(self, runs: Sequence[RunCurves]) -> None:
        """Show these runs. Nothing happens when they equal what is shown.

        The view (zoom, smoothing, log scale) is kept; the cursor is kept too unless the
        selected run is another job.
        """
        new_runs = tuple(runs[:MAX_RUNS])
        if new_runs == self._runs:
            return
        old_id = self._runs[0].job_id if self._runs else None
        new_id = new_runs[0].job_id if new_runs else None
        self._runs = new_runs
        self._data_version += 1
        if old_id != new_id:
            self.cursor_step = None
        self._update()

    # ------------------------------------------------------------------ view state

    @property
    def options(self) -> ChartOptions:
        """The view options as the model takes them."""
        return ChartOptions(
            last_steps=self.zoom_steps, smoothing=self.smoothing, log_scale=self.log_scale
        )

    def validate_smoothing(self, value: float) -> float:
        return min(max(float(value), 0.0), MAX_SMOOTHING)

    def validate_zoom_steps(self, value: int | None) -> int | None:
        return None if value is None else max(1, int(value))

    def watch_zoom_steps(self) -> None:
        self._update()

    def watch_smoothing(self) -> None:
        self._update()

    def watch_log_scale(self) -> None:
        self._update()

    def watch_cursor_step(self, step: int | None) -> None:
        self._update()
        self.post_message(self.CursorMoved(self, step, self.readouts()))

    def readouts(self) -> tuple[CursorReadout, ...]:
        """Every run's metrics at the cursor (empty without a cursor)."""
        step = self.cursor_step
        if step is None:
            return ()
        return tuple(readout_at(run, step) for run in self._runs)

    def summary_line(self) -> str:
        """The selected run's one-line summary (what a too-small chart shows)."""
        if not self._runs:
            return "no job"
        run = self._runs[0]
        text = summary_text(summarize(run), valid_note=run.valid_note)
        if len(self._runs) > 1:
            text = f"{len(self._runs)} runs · {run.label}: {text}"
        return text

    # ------------------------------------------------------------------ actions

    def _stops(self) -> tuple[int, ...]:
        plot = self.plot
        stops = cursor_stops(self._runs)
        if plot is None:
            return stops
        return tuple(step for step in stops if plot.first_step <= step <= plot.last_step)

    def action_move_cursor(self, offset: int) -> None:
        """Move the cursor ``offset`` steps with data (it appears on the newest one)."""
        self.cursor_step = move_cursor(self._stops(), self.cursor_step, offset)

    def action_cursor_to_end(self, last: bool) -> None:
        """Put the cursor on the newest (or the oldest) step in view."""
        stops = self._stops()
        if stops:
            self.cursor_step = stops[-1] if last else stops[0]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Without a cursor, escape is not the chart's: it reaches the screen (to close a view).
        if action == "hide_cursor":
            return self.cursor_step is not None
        return True

    def action_hide_cursor(self) -> None:
        """Hide the cursor."""
        self.cursor_step = None

    def action_toggle_zoom(self) -> None:
        """Zoom to the last steps, or back to every step."""
        if self.zoom_steps is not None:
            self.zoom_steps = None
            return
        window = self.zoom_window
        if window is None:
            last = max((run.last_step or 0 for run in self._runs), default=0)
            window = max(10, round(nice_floor(max(last, 1) / 4)))
        self.zoom_steps = window

    def action_cycle_smoothing(self) -> None:
        """Go to the next smoothing weight of :data:`SMOOTHING_STEPS`."""
        later = [weight for weight in SMOOTHING_STEPS if weight > self.smoothing + 1e-9]
        self.smoothing = later[0] if later else SMOOTHING_STEPS[0]

    def action_toggle_log(self) -> None:
        """Switch between a linear and a logarithmic y-axis."""
        self.log_scale = not self.log_scale

    def on_click(self, event: events.Click) -> None:
        frame = self.frame
        offset = event.get_content_offset(self)
        if frame is None or offset is None:
            return
        if not frame.plot_top <= offset.y < frame.plot_top + frame.plot_rows:
            return
        step = frame.step_at(offset.x)
        if step is not None:
            self.cursor_step = move_cursor(self._stops(), step, 0) or step

    # ------------------------------------------------------------------ rendering

    @property
    def plot(self) -> ChartPlot | None:
        """The runs fitted to the current view (rebuilt only when the data or view changed)."""
        if not self._runs:
            return None
        key = (self._data_version, self.options)
        if self._plot is None or self._plot_key != key:
            self._plot = build_plot(self._runs, key[1])
            self._plot_key = key
        return self._plot

    @property
    def frame(self) -> ChartFrame | None:
        """The chart laid out at the current size, or ``None`` when it shows the summary."""
        width, height = self.size
        plot = self.plot
        key = (self._plot_key, width, height, self.cursor_step)
        if key != self._frame_key:
            self._frame = (
                layout_frame(plot, width, height, cursor_step=self.cursor_step) if plot else None
            )
            self._frame_key = key
            self._strips = None
            self.frame_builds += 1
        return self._frame

    def _update(self) -> None:
        """Lay out anew and repaint what changed (everything when the shape changed)."""
        if not self.is_mounted or not self.size:
            self.refresh()
            return
        old = self._frame if self._strips is not None else None
        new = self.frame
        if new is None or old is None:
            self.refresh()
            return
        regions = changed_regions(old, new)
        if regions is None:
            self.refresh()
        elif regions:
            self.refresh(*regions)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips = None

    def render_line(self, y: int) -> Strip:
        frame = self.frame
        width = self.size.width
        if frame is None:
            if y == 0 and width > 0:
                text = fit_cells(self.summary_line(), width)
                style = self.get_component_rich_style("chart--summary")
                return Strip([Segment(text, style)]).adjust_cell_length(width, self.rich_style)
            return Strip.blank(width, self.rich_style)
        if self._strips is None:
            self._strips = frame_strips(frame, self._styles, self.rich_style)
            self.strip_builds += 1
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, self.rich_style)
