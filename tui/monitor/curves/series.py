"""A job's metric curves, extracted from its checkpoints: one step axis for every metric.

Only real measurements become points. Train loss is a point at every checkpoint that has a
finite one; valid loss only at evaluated steps (the API's ``valid_loss`` of ``0.0`` means "not
evaluated", never a perfect score); perplexity (the API's misnamed ``valid_mean_token_accuracy``,
always ``2 ** valid_loss``) at the same evaluated steps, read as a number, never drawn.
"""

from __future__ import annotations

import bisect
import math

import attrs

from tui.api.models import ClassifierJobDetails, CompletionJobDetails, Job
from tui.display.formats import is_number, short_id
from tui.display.text import safe_text
from tui.monitor.detail_groups import validation_note

__all__ = ["LABEL_LIMIT", "Curve", "RunCurves", "Sample", "curves_from_job", "run_label"]

LABEL_LIMIT = 48
"""The most characters of a job's suffix a run label keeps."""


@attrs.frozen
class Sample:
    """One measured value and the step it was measured at."""

    step: int
    """The training step."""
    value: float
    """The metric's value there."""


@attrs.frozen
class Curve:
    """One metric's measured points, steps strictly increasing."""

    steps: tuple[int, ...] = ()
    """The steps that have a value, oldest first."""
    values: tuple[float, ...] = ()
    """The value at each step, finite."""

    def __len__(self) -> int:
        return len(self.steps)

    def __bool__(self) -> bool:
        return bool(self.steps)

    @property
    def first(self) -> Sample | None:
        """The earliest point."""
        return Sample(self.steps[0], self.values[0]) if self.steps else None

    @property
    def last(self) -> Sample | None:
        """The most recent point."""
        return Sample(self.steps[-1], self.values[-1]) if self.steps else None

    @property
    def minimum(self) -> Sample | None:
        """The lowest point (the earliest, when several tie)."""
        if not self.steps:
            return None
        index = min(range(len(self.values)), key=self.values.__getitem__)
        return Sample(self.steps[index], self.values[index])

    def at_or_before(self, step: int) -> Sample | None:
        """The point at ``step``, else the nearest one before it; ``None`` before the first."""
        index = bisect.bisect_right(self.steps, step) - 1
        if index < 0:
            return None
        return Sample(self.steps[index], self.values[index])

    def window(self, first_step: int, last_step: int) -> Curve:
        """The points with ``first_step <= step <= last_step``."""
        start = bisect.bisect_left(self.steps, first_step)
        stop = bisect.bisect_right(self.steps, last_step)
        return Curve(self.steps[start:stop], self.values[start:stop])


@attrs.frozen
class RunCurves:
    """Everything the chart draws and reads out for one job (one run)."""

    job_id: str
    """The job's id."""
    label: str
    """Plain, display-safe text naming the run: short id and suffix."""
    train: Curve = Curve()
    """Train loss at every checkpoint that has one."""
    valid: Curve = Curve()
    """Valid loss at evaluated steps only."""
    perplexity: Curve = Curve()
    """Perplexity (``2 ** valid_loss``) at evaluated steps only: a readout, not a curve."""
    planned_steps: int | None = None
    """The planned number of steps of a run still training (holds its x-axis in place)."""
    valid_note: str = "not evaluated yet"
    """Why there is no valid loss, while there is none (``no validation set``; a finished
    job never says "yet")."""

    @property
    def last_step(self) -> int | None:
        """The highest step with any point."""
        ends = [curve.steps[-1] for curve in (self.train, self.valid) if curve]
        return max(ends, default=None)

    @property
    def first_step(self) -> int | None:
        """The lowest step with any point."""
        starts = [curve.steps[0] for curve in (self.train, self.valid) if curve]
        return min(starts, default=None)

    @property
    def best_valid(self) -> Sample | None:
        """The lowest valid loss and its step."""
        return self.valid.minimum


def run_label(job: Job) -> str:
    """``ab12cd34 my-suffix``: the short id and the suffix, as plain display-safe text."""
    label = short_id(job.id)
    if job.suffix:
        label = f"{label} {safe_text(job.suffix, limit=LABEL_LIMIT)}"
    return label


def _finite(value: object) -> float | None:
    """``value`` as a float when it is a finite number, else ``None``."""
    if value.__class__ is float:  # the common case, checked once per metric per checkpoint
        return value if math.isfinite(value) else None
    return float(value) if is_number(value) else None


def curves_from_job(job: Job | None) -> RunCurves:
    """The curves of a job; a list item (no checkpoints) or ``None`` gives empty curves."""
    if job is None:
        return RunCurves(job_id="", label="")
    planned = job.training_steps
    # A finished run's axis ends where it stopped, not where it was meant to.
    running = planned is not None and is_number(planned) and planned > 0 and not job.is_terminal
    total = planned if running else None
    note = validation_note(job)
    if not isinstance(job, CompletionJobDetails | ClassifierJobDetails):
        return RunCurves(job_id=job.id, label=run_label(job), planned_steps=total, valid_note=note)
    train: dict[int, float] = {}
    valid: dict[int, float] = {}
    perplexity: dict[int, float] = {}
    # Oldest first; a step reported twice keeps its latest checkpoint.
    for checkpoint in job.checkpoints_by_step:
        step = checkpoint.step_number
        metrics = checkpoint.metrics
        if (train_loss := _finite(metrics.train_loss)) is not None:
            train[step] = train_loss
        valid_loss = _finite(metrics.valid_loss)
        if valid_loss is None or valid_loss == 0.0:
            continue
        valid[step] = valid_loss
        reported = _finite(metrics.valid_mean_token_accuracy)
        # The API's value when it sent one; it is 2 ** valid_loss by construction.
        value = reported if reported else _finite(math.pow(2.0, min(valid_loss, 1000.0)))
        if value is not None:
            perplexity[step] = value
    return RunCurves(
        job_id=job.id,
        label=run_label(job),
        train=_curve(train),
        valid=_curve(valid),
        perplexity=_curve(perplexity),
        planned_steps=total,
        valid_note=note,
    )


def _curve(points: dict[int, float]) -> Curve:
    """A curve from ``{step: value}`` filled in step order."""
    steps = tuple(sorted(points))
    return Curve(steps, tuple(points[step] for step in steps))
