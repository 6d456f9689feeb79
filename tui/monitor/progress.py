"""Elapsed time, ETA and progress of a job, computed from what its payload holds.

Everything here is a pure function of a job and ``now`` (wall-clock Unix seconds), so the table,
the detail pane and ``finetop show`` agree, and tests pin the numbers with real fixtures.

Rules:
- progress = last checkpoint step / ``hyperparameters.training_steps``;
- training starts at the first RUNNING (or STARTED) event; without events, a job whose status is
  RUNNING started at ``modified_at`` (which changes only on status changes);
- the rate is steps per second over the most recent checkpoints; the ETA extrapolates it to the
  planned steps, and falls back to ``metadata.expected_duration_seconds`` minus elapsed time;
- a finished job has a duration (start to its terminal event) and no ETA.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from tui.api.models import (
    ACTIVE_STATUSES,
    Checkpoint,
    Job,
    is_detail,
)
from tui.api.timeline import finished_at, job_events, started_at

__all__ = [
    "RATE_WINDOW",
    "JobProgress",
    "compute_progress",
    "job_checkpoints",
    "steps_per_second",
]

RATE_WINDOW = 10
"""How many of the most recent checkpoints the step rate is measured over."""


@attrs.frozen
class JobProgress:
    """Where a job stands. Every field is ``None`` when the payload does not tell."""

    step: int | None
    """The highest step a checkpoint reached."""
    total_steps: int | None
    """The planned number of steps."""
    fraction: float | None
    """``step / total_steps`` in [0, 1]; 1.0 for a successful job."""
    started_at: float | None
    """Wall time training started (first RUNNING event)."""
    finished_at: float | None
    """Wall time the job reached its terminal status."""
    elapsed: float | None
    """Seconds of training so far; for a finished job, its duration."""
    eta: float | None
    """Seconds until the planned last step, for a job still training."""
    rate: float | None
    """Steps per second over recent checkpoints."""
    eta_source: str | None = None
    """``"checkpoints"`` or ``"estimate"`` (metadata's expected duration): how the ETA was made."""

    @property
    def percent(self) -> float | None:
        """``fraction`` as a percentage."""
        return None if self.fraction is None else self.fraction * 100.0


def job_checkpoints(job: Job) -> tuple[Checkpoint, ...]:
    """A job's checkpoints by step, oldest first; a list item has none."""
    if is_detail(job):
        return job.checkpoints_by_step
    return ()


def steps_per_second(
    checkpoints: Sequence[Checkpoint], *, start: float | None = None, window: int = RATE_WINDOW
) -> float | None:
    """Steps per second over the last ``window`` checkpoints (sorted by step, oldest first).

    With one checkpoint the rate is measured from ``start`` (training start at step 0).
    """
    recent = list(checkpoints[-window:])
    if len(recent) >= 2:
        first, last = recent[0], recent[-1]
        steps = last.step_number - first.step_number
        seconds = last.created_at - first.created_at
        if steps > 0 and seconds > 0:
            return steps / seconds
    if recent and start is not None:
        last = recent[-1]
        since_start = last.created_at - start
        if last.step_number > 0 and since_start > 0:
            return last.step_number / since_start
    return None


def compute_progress(job: Job, now: float) -> JobProgress:
    """Progress, elapsed time and ETA of ``job`` at wall time ``now``."""
    events = job_events(job)
    checkpoints = job_checkpoints(job)
    total = job.training_steps
    step = checkpoints[-1].step_number if checkpoints else None
    start = started_at(job, events)
    end = finished_at(job, events)

    fraction: float | None = None
    if step is not None and total:
        fraction = min(1.0, max(0.0, step / total))
    if job.status == "SUCCESS":
        fraction = 1.0

    elapsed: float | None = None
    if start is not None:
        elapsed = max(0.0, (end if end is not None else now) - start)

    rate = steps_per_second(checkpoints, start=start)
    eta: float | None = None
    eta_source: str | None = None
    if end is None and job.status in ACTIVE_STATUSES:
        if rate and total and step is not None:
            since_last = max(0.0, now - checkpoints[-1].created_at)
            eta = max(0.0, (total - step) / rate - since_last)
            eta_source = "checkpoints"
        else:
            expected = job.metadata.expected_duration_seconds if job.metadata else None
            if expected:
                eta = max(0.0, expected - (elapsed or 0.0))
                eta_source = "estimate"
    return JobProgress(
        step=step,
        total_steps=total,
        fraction=fraction,
        started_at=start,
        finished_at=end,
        elapsed=elapsed,
        eta=eta,
        rate=rate,
        eta_source=eta_source,
    )
