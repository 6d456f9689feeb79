"""The workspace's seeded past: jobs that finished (or parked) before the simulator started.

Drawing a whole job costs a hundred microseconds, so a 50,000-job workspace would take seconds
to seed. Seeding draws only what the list's order and counts need: an id, a creation time, the
status the job ended in and a seed of its own (:class:`PastJob`, a few microseconds). The rest is
drawn from that seed when the job is first read (:func:`realize`), so it is the same whatever is
read first, and every past job has long reached its final status by the time anyone reads it.
"""

from __future__ import annotations

import random

import attrs

from tui.api.models import JobStatus
from tui.sim import lifecycle
from tui.sim.ids import uuid4
from tui.sim.lifecycle import SimJob
from tui.sim.seeding import JobFactory

__all__ = ["PastJob", "draw_past_jobs", "realize"]

_DAY = 86_400.0
_OLDEST_DAYS = 30.0
_NEWEST_DAYS = 0.15
"""The newest past job is older than the longest run lasts (about 2.6 hours), so it is final."""
_EVERY_OUTCOME = (
    JobStatus.SUCCESS,
    JobStatus.FAILED,
    JobStatus.FAILED_VALIDATION,
    JobStatus.CANCELLED,
    JobStatus.VALIDATED,
)
"""The oldest jobs end in each of these in turn, so even a small workspace shows every status."""
_OUTCOME_WEIGHTS = {
    JobStatus.SUCCESS: 0.62,
    JobStatus.FAILED: 0.1,
    JobStatus.FAILED_VALIDATION: 0.08,
    JobStatus.CANCELLED: 0.12,
    JobStatus.VALIDATED: 0.08,
}


@attrs.frozen
class PastJob:
    """What seeding knows of a past job before it is read."""

    id: str
    created_at: float
    status: str
    """The status it ended in: terminal, or VALIDATED (waiting for ``/start``)."""
    seed: int
    """Seed of everything else about it."""
    index: int
    """Its place in the seeded past, oldest first."""


def draw_past_jobs(rng: random.Random, count: int, now: float) -> list[PastJob]:
    """``count`` past jobs, oldest first."""
    outcomes = list(_EVERY_OUTCOME[:count])
    names, weights = list(_OUTCOME_WEIGHTS), list(_OUTCOME_WEIGHTS.values())
    outcomes += rng.choices(names, weights=weights, k=count - len(outcomes))
    ages = sorted(rng.uniform(_NEWEST_DAYS, _OLDEST_DAYS) * _DAY for _ in range(count))
    ages.reverse()
    return [
        PastJob(uuid4(rng), now - age, str(outcome), rng.getrandbits(64), index)
        for index, (outcome, age) in enumerate(zip(outcomes, ages, strict=True))
    ]


def realize(past: PastJob, factory: JobFactory, now: float) -> SimJob:
    """The whole job, drawn from its own seed and advanced to its final status."""
    rng = random.Random(past.seed)
    waiting = past.status == JobStatus.VALIDATED
    planned = (
        JobStatus.SUCCESS
        if past.status in (JobStatus.VALIDATED, JobStatus.CANCELLED)
        else past.status
    )
    job = factory.make(
        rng,
        created_at=past.created_at,
        scale=1.0,
        outcome=planned,
        classifier=past.index == 1 or rng.random() < 0.2,
        auto_start=not waiting and rng.random() < 0.85,
        created_by_me=rng.random() < 0.7,
        job_id=past.id,
    )
    if not job.auto_start and not waiting and planned != JobStatus.FAILED_VALIDATION:
        job.auto_start = True  # it ran, so it was started; keep the plan simple
    job.begin(job.created_at)
    if past.status == JobStatus.CANCELLED:
        _plan_cancel(rng, job)
    lifecycle.advance(job, now)
    return job


def _plan_cancel(rng: random.Random, job: SimJob) -> None:
    """Someone cancels the job while it waits in the queue (a quarter) or trains."""
    plan = job.plan
    if rng.random() < 0.25:
        at = job.created_at + rng.uniform(0.1, 0.9) * plan.queue_seconds
    else:
        training = job.training_steps * plan.step_seconds
        at = job.created_at + lifecycle.run_delay(plan) + rng.uniform(0.1, 0.9) * training
    job.pending.append((at, lifecycle.CANCEL))
    job.pending.sort(key=lambda item: item[0])
