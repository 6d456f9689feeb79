"""The selected job's training curves on the main screen: a readout line above a chart.

The readout sums the run up -- last train loss, its minimum and step, the first, the best valid
loss and its step, the perplexity as a number -- wrapped between its pieces when the pane is
narrow. The chart (:class:`~tui.app.widgets.chart.MetricsChart`) draws train and valid loss on
one step axis; it is not focusable here (``m`` opens the full-screen view with the cursor,
zoom, smoothing and log scale). With nothing to draw (no checkpoints yet, the detail not in
yet) the pane says so on its readout line and the chart steps aside.

A poll that brings nothing new for the shown job costs nothing: the chart ignores equal data
and the readout repaints only when its text changed.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from tui.app.widgets.chart import MetricsChart
from tui.display.text import fit_cells
from tui.monitor.curves import SEPARATOR, summarize, summary_parts, wrap_parts
from tui.monitor.store import JobView

__all__ = ["LOADING", "NO_JOB", "ChartPane", "ChartReadout"]

NO_JOB = "no job selected"
"""The readout with no job under the cursor."""
LOADING = "checkpoints come with the job's detail…"
"""The readout of a job whose detail body (its checkpoints) is not in yet."""


class ChartReadout(Widget):
    """One or two lines of numbers, wrapped between pieces, never cut inside one."""

    DEFAULT_CSS = """
    ChartReadout {
        height: auto;
        padding: 0 1;
        color: $foreground 85%;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._parts: tuple[str, ...] = ()

    @property
    def parts(self) -> tuple[str, ...]:
        """The pieces shown (``train 0.8161``, ``min 0.7755 @70``...)."""
        return self._parts

    @property
    def text(self) -> str:
        """What the readout says, on one line."""
        return SEPARATOR.join(self._parts)

    def show(self, parts: tuple[str, ...]) -> None:
        """Show these pieces (nothing happens when they are the ones shown)."""
        if parts == self._parts:
            return
        lines_before = len(self._lines(self.content_size.width))
        self._parts = parts
        # A relayout only when the number of lines changes; else a repaint of this widget.
        self.refresh(layout=len(self._lines(self.content_size.width)) != lines_before)

    def _lines(self, width: int) -> list[str]:
        if width <= 0:
            return [SEPARATOR.join(self._parts)] if self._parts else []
        return [fit_cells(line, width) for line in wrap_parts(self._parts, width)]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._lines(width)))

    def render(self) -> Content:
        # Numbers and labels the app wrote; the one piece of server text (none today) would
        # still be plain: Content never reads markup.
        return Content("\n".join(self._lines(self.content_size.width)))


class ChartPane(Vertical):
    """The readout line and the chart of the job the list's cursor rests on."""

    DEFAULT_CSS = """
    ChartPane {
        height: 1fr;
    }
    ChartPane > MetricsChart {
        height: 1fr;
    }
    ChartPane.-empty > MetricsChart {
        display: none;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.chart = MetricsChart(id="chart")
        """The chart (not focusable on the main screen)."""
        self.chart.can_focus = False
        self.readout = ChartReadout(id="chart-readout")
        """The readout line above it."""
        self._job_id: str | None = None

    @property
    def job_id(self) -> str | None:
        """The job shown."""
        return self._job_id

    def compose(self) -> ComposeResult:
        yield self.readout
        yield self.chart

    def show_job(self, view: JobView | Any | None) -> None:
        """Show a job's curves and readout (``None`` clears)."""
        chart = self.chart
        chart.show_job(view)
        runs = chart.runs
        self._job_id = runs[0].job_id if runs else None
        run = runs[0] if runs else None
        has_points = run is not None and bool(run.train or run.valid)
        if run is None:
            parts: tuple[str, ...] = (NO_JOB,)
        elif not has_points and isinstance(view, JobView) and not view.has_detail:
            parts = (LOADING,)
        else:
            parts = tuple(summary_parts(summarize(run), valid_note=run.valid_note))
        self.readout.show(parts)
        self.set_class(not has_points, "-empty")
