"""Live sparklines of a job's training metrics: train loss, valid loss and perplexity.

Only real measurements are drawn. A checkpoint without a train loss adds nothing to the train
curve; a checkpoint that was not evaluated (``valid_loss`` of ``0.0`` or ``None``) adds nothing to
the valid-loss and perplexity curves. The API's ``valid_mean_token_accuracy`` is labelled
"perplexity", because it always equals ``2 ** valid_loss``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from tui.api.models import (
    Checkpoint,
    Job,
    is_detail,
)
from tui.display.formats import MISSING, fmt_loss, fmt_perplexity, is_number
from tui.monitor.detail_groups import validation_note
from tui.monitor.store import job_of

__all__ = [
    "MAX_POINTS",
    "METRICS",
    "MetricSeries",
    "MetricsPanel",
    "build_series",
    "downsample",
]

MAX_POINTS = 500
"""The most points one sparkline holds; longer histories are thinned evenly."""

STACK_BELOW = 80
"""Below this width each label sits above its sparkline instead of beside it."""

METRICS: tuple[tuple[str, str], ...] = (
    ("train_loss", "train loss"),
    ("valid_loss", "valid loss"),
    ("perplexity", "perplexity"),
)
"""``(key, label)`` of each metric, in display order."""


@attrs.frozen
class MetricSeries:
    """One metric's measured points, oldest step first."""

    steps: tuple[int, ...] = ()
    values: tuple[float, ...] = ()

    @property
    def last(self) -> float | None:
        """The most recent value."""
        return self.values[-1] if self.values else None

    @property
    def minimum(self) -> float | None:
        """The lowest value seen."""
        return min(self.values) if self.values else None


def _value(checkpoint: Checkpoint, key: str) -> float | None:
    """A checkpoint's value for a metric key, or ``None`` when it was not measured."""
    metrics = checkpoint.metrics
    if key == "train_loss":
        value = metrics.train_loss
    elif key == "valid_loss":
        value = metrics.valid_loss if metrics.evaluated else None
    else:
        value = metrics.perplexity
    # 0.0 is the API's "not measured" for the validation metrics; NaN and inf are never drawn.
    if not is_number(value) or (key != "train_loss" and value == 0):
        return None
    return value


def build_series(job: Job | None) -> dict[str, MetricSeries]:
    """Every metric's measured points for a job (empty for a list item without checkpoints)."""
    if not is_detail(job):
        return {key: MetricSeries() for key, _ in METRICS}
    checkpoints = job.checkpoints_by_step
    series: dict[str, MetricSeries] = {}
    for key, _ in METRICS:
        points = [(c.step_number, v) for c in checkpoints if (v := _value(c, key)) is not None]
        series[key] = MetricSeries(
            steps=tuple(step for step, _ in points), values=tuple(v for _, v in points)
        )
    return series


def downsample(values: Sequence[float], limit: int = MAX_POINTS) -> list[float]:
    """At most ``limit`` values picked evenly, always keeping the first and the last."""
    count = len(values)
    if count <= limit:
        return list(values)
    if limit <= 1:
        return [values[-1]] if limit == 1 else []
    stride = (count - 1) / (limit - 1)
    return [values[round(index * stride)] for index in range(limit)]


class MetricsPanel(Widget):
    """Three labelled sparklines that follow the shown job as checkpoints arrive."""

    DEFAULT_CSS = """
    MetricsPanel {
        height: auto;
        padding: 0 1;
    }
    MetricsPanel > .metric-row {
        height: 1;
    }
    MetricsPanel .metric-label {
        width: 52;
        height: 1;
    }
    MetricsPanel Sparkline {
        width: 1fr;
        min-width: 8;
        height: 1;
    }
    /* Narrow (e.g. a side column): each label above its sparkline. */
    MetricsPanel.-stacked > .metric-row {
        height: 2;
        layout: vertical;
    }
    MetricsPanel.-stacked .metric-label {
        width: 1fr;
    }
    MetricsPanel #spark-train_loss > .sparkline--max-color {
        color: $primary;
    }
    MetricsPanel #spark-train_loss > .sparkline--min-color {
        color: $primary 75%;
    }
    MetricsPanel #spark-valid_loss > .sparkline--max-color {
        color: $secondary;
    }
    MetricsPanel #spark-valid_loss > .sparkline--min-color {
        color: $secondary 75%;
    }
    MetricsPanel #spark-perplexity > .sparkline--max-color {
        color: $accent;
    }
    MetricsPanel #spark-perplexity > .sparkline--min-color {
        color: $accent 75%;
    }
    """

    def __init__(
        self,
        *,
        max_points: int = MAX_POINTS,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``max_points`` caps each sparkline's buffer."""
        super().__init__(name=name, id=id, classes=classes)
        self.max_points = max_points
        """The most points one sparkline holds."""
        self._series: dict[str, MetricSeries] = {key: MetricSeries() for key, _ in METRICS}
        self._labels: dict[str, Content] = {}
        self._job_id: str | None = None
        self._valid_note = ""
        """Why the shown job has no validation loss (see ``validation_note``)."""

    def compose(self) -> ComposeResult:
        for key, label in METRICS:
            with Horizontal(classes="metric-row"):
                yield Static(
                    self._label(label, MetricSeries(), no_job=True),
                    id=f"label-{key}",
                    classes="metric-label",
                    markup=False,
                )
                yield Sparkline([], id=f"spark-{key}")

    @property
    def job_id(self) -> str | None:
        """The id of the job shown, if any."""
        return self._job_id

    def series(self) -> dict[str, list[float]]:
        """The values each sparkline draws, keyed ``train_loss``, ``valid_loss``, ``perplexity``."""
        return {key: downsample(s.values, self.max_points) for key, s in self._series.items()}

    def full_series(self) -> dict[str, MetricSeries]:
        """Every measured point with its step, before thinning."""
        return dict(self._series)

    def show_job(self, job_or_view: Any) -> None:
        """Show a job's metrics (a ``Job``, a ``JobDetails`` or a store view; ``None`` clears).

        Only what changed is redrawn: an unchanged series keeps its sparkline untouched.
        """
        job = job_of(job_or_view)
        self._job_id = job.id if job is not None else None
        self._valid_note = validation_note(job) if job is not None else ""
        new_series = build_series(job)
        for key, label in METRICS:
            series = new_series[key]
            content = self._label(label, series, no_job=job is None, valid_note=self._valid_note)
            series_changed = series != self._series[key]
            self._series[key] = series
            if not self.is_mounted:
                continue  # on_mount draws it
            if series_changed:
                self._draw(key, series)
            if content != self._labels.get(key):
                self._labels[key] = content
                self.query_one(f"#label-{key}", Static).update(content)

    def on_mount(self) -> None:
        # show_job may be called before the panel is mounted: draw what it was given.
        for key, label in METRICS:
            series = self._series[key]
            self._draw(key, series)
            content = self._label(
                label, series, no_job=self._job_id is None, valid_note=self._valid_note
            )
            self._labels[key] = content
            self.query_one(f"#label-{key}", Static).update(content)

    def on_resize(self) -> None:
        self.set_class(self.size.width < STACK_BELOW, "-stacked")

    def _draw(self, key: str, series: MetricSeries) -> None:
        """Give a sparkline its points; hide it below two (a flat baseline looks like data)."""
        sparkline = self.query_one(f"#spark-{key}", Sparkline)
        sparkline.data = downsample(series.values, self.max_points)
        # One point draws a full-width block that says nothing: the label already shows it.
        sparkline.styles.visibility = "visible" if len(series.values) >= 2 else "hidden"

    @staticmethod
    def _label(label: str, series: MetricSeries, *, no_job: bool, valid_note: str = "") -> Content:
        """``train loss  0.8161  min 0.7755  steps 10–100``; without values, why: a finished
        job without validation says so, never "not evaluated yet"."""
        if not series.values:
            if no_job:
                note = ""
            elif label == "train loss":
                note = "  no checkpoints yet"
            else:
                note = f"  {valid_note or 'not evaluated yet'}"
            return Content.assemble((f"{label:<11}", "bold"), f"{MISSING:>8}", (note, "dim"))
        fmt = fmt_perplexity if label == "perplexity" else fmt_loss
        steps = series.steps
        step_range = f"{steps[0]}–{steps[-1]}" if steps[0] != steps[-1] else f"{steps[0]}"
        return Content.assemble(
            (f"{label:<11}", "bold"),
            f"{fmt(series.last):>8}",
            ("  min ", "dim"),
            f"{fmt(series.minimum):<8}",
            ("  steps ", "dim"),
            step_range,
        )
