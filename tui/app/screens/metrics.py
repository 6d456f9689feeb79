"""The full-screen metrics view (``m``): a big chart of the selected job, or of marked jobs.

One job: its train and valid loss on a step axis with y labels, a key, spikes marked. Several
(the jobs marked with ``space``, the selected one first): every run on one step axis, a legend
with each run's number, short id, suffix and best valid loss. Below the chart, each run's
summary (last, min and its step, first, best valid and its step, perplexity).

Keys (ids in :mod:`tui.app.actions`): ``←``/``→`` move a step cursor that reads out every
metric of every run at that step (shift: 10 steps; home/end: the ends); ``z`` zooms to the last
steps and back; ``e`` cycles the EMA smoothing (the raw curve stays faint behind); ``l``
toggles the log scale; ``escape`` hides the cursor, then closes, as ``m`` and ``q`` do.

Live: the main screen hands every change of a shown job to :meth:`MetricsScreen.refresh_runs`;
the chart is fed in place (never recreated), so new checkpoints extend the curves without
flicker and keep the zoom, smoothing, scale and cursor. Runs without a detail body yet are
asked for through the app (:func:`tui.app.details.want_details`); they fill in when it lands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container
from textual.content import Content
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widgets import Static

from tui.app.actions import Scope, bindings_for
from tui.app.details import want_details
from tui.app.widgets.chart import MetricsChart
from tui.app.widgets.chart_pane import LOADING
from tui.app.widgets.footer import FitFooter
from tui.display.text import fit_cells
from tui.monitor.curves import (
    MAX_RUNS,
    SEPARATOR,
    RunCurves,
    run_label,
    summarize,
    summary_parts,
)
from tui.monitor.labels import status_label

if TYPE_CHECKING:
    from tui.app.host import ScreenHost
    from tui.monitor.store import JobView

__all__ = ["MetricsScreen"]


class MetricsScreen(Screen[None]):
    """A big chart of one job, or of several compared (see the module docstring)."""

    DEFAULT_CSS = """
    MetricsScreen {
        layout: vertical;
    }
    MetricsScreen > #metrics-title {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
        text-style: bold;
    }
    MetricsScreen > #metrics-body {
        height: 1fr;
        padding: 0 1;
    }
    MetricsScreen #metrics-chart {
        height: 1fr;
    }
    MetricsScreen > #metrics-runs {
        height: auto;
        padding: 0 1;
        border-top: solid $primary 50%;
        color: $foreground 85%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for(Scope.METRICS, read_only=True)

    def __init__(self, job_ids: Sequence[str]) -> None:
        """``job_ids``: the selected job first, then the marked ones (at most ``MAX_RUNS``)."""
        super().__init__()
        self.job_ids: tuple[str, ...] = tuple(dict.fromkeys(job_ids))[:MAX_RUNS]
        """The jobs shown, the selected one first."""
        self.chart = MetricsChart(id="metrics-chart")
        """The chart: created once, fed in place for the life of the view."""
        self._title = Static(id="metrics-title", markup=False)
        self._runs_text = Static(id="metrics-runs", markup=False)
        self._shown_text: tuple[str, str] = ("", "")

    @property
    def finetop(self) -> ScreenHost:
        """The app, as this screen uses it."""
        return cast("ScreenHost", self.app)

    def compose(self) -> ComposeResult:
        yield self._title
        with Container(id="metrics-body"):
            yield self.chart
        yield self._runs_text
        yield FitFooter()

    def on_mount(self) -> None:
        self.chart.focus()
        self.refresh_runs(None)

    def on_screen_resume(self, event: ScreenResume) -> None:
        # Back from the help screen: apply what arrived meanwhile.
        self.refresh_runs(None)

    def action_close(self) -> None:
        """Back to the main screen."""
        self.dismiss(None)

    # ------------------------------------------------------------------ data in

    def views(self) -> list[JobView]:
        """The store's views of the jobs shown (gone jobs left out), the selected first."""
        store = self.finetop.store
        return [view for job_id in self.job_ids if (view := store.get(job_id)) is not None]

    def refresh_runs(self, changed: Iterable[str] | None) -> None:
        """Re-read the shown jobs when any of ``changed`` is one of them (``None``: always).

        Equal data costs nothing; new checkpoints extend the curves in place, keeping the view.
        """
        if changed is not None and self.job_ids and not set(self.job_ids).intersection(changed):
            return
        views = self.views()
        missing = [view.id for view in views if not view.has_detail]
        if missing:
            want_details(self.finetop, [view.id for view in views])
        if len(views) == 1:
            self.chart.show_job(views[0])
        else:
            self.chart.compare_jobs(views)
        self._show_text(views)

    def _title_text(self, views: Sequence[JobView]) -> str:
        if not views:
            return "Metrics · the job is gone"
        if len(views) == 1:
            job = views[0].job
            return f"Metrics · {run_label(job)} · {status_label(job.status)}"
        return f"Metrics · {len(views)} runs compared on one step axis (the selected job first)"

    def _run_lines(self, runs: Sequence[RunCurves], views: Sequence[JobView]) -> list[str]:
        """Each run's summary, numbered as in the chart's legend when there are several."""
        width = max(self.size.width - 2, 20)
        bodies = {view.id: view.has_detail for view in views}
        lines = []
        for index, run in enumerate(runs):
            if not (run.train or run.valid) and not bodies.get(run.job_id, True):
                summary = LOADING
            else:
                summary = SEPARATOR.join(summary_parts(summarize(run), valid_note=run.valid_note))
            line = summary if len(runs) == 1 else f"{index + 1} {run.label}: {summary}"
            lines.append(fit_cells(line, width))
        return lines or ["no job"]

    def on_resize(self) -> None:
        self._show_text(self.views())

    def _show_text(self, views: Sequence[JobView]) -> None:
        """The title and the runs' summaries, updated only when their text changed."""
        title = self._title_text(views)
        runs = "\n".join(self._run_lines(self.chart.runs, views))
        if (title, runs) != self._shown_text:
            self._shown_text = (title, runs)
            self._title.update(Content(title))
            self._runs_text.update(Content(runs))
