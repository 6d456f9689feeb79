"""Jobs that keep the workspace busy: each hands over to a successor before it ends.

A relay has lanes; each lane holds one job that is RUNNING from the simulator's first answer.
As soon as a lane's job is created its successor is drawn and dated so that it is RUNNING a
little before the job ends (the overlap is a share of the run), so the lane is never idle. The
successor is created with the real lifecycle ahead of it (QUEUED, VALIDATING, VALIDATED), so
the hand-over looks like what it is: the next run of a team that trains all day. Everything is
planned ahead from each lane's own seed, so it does not matter when the world is looked at.

The guarantee needs runs longer than a successor's way to RUNNING (queueing and validation),
which holds for paced runs; a successor is never dated before the job it follows.
"""

from __future__ import annotations

import math
import random

import attrs

from tui.api.models import JobStatus
from tui.sim import lifecycle
from tui.sim.lifecycle import SimJob
from tui.sim.pace import Pace
from tui.sim.seeding import JobFactory

__all__ = ["Relay"]

_OVERLAP = (0.1, 0.25)
"""Share of a run during which its successor already runs too."""
_FIRST_PROGRESS = (0.1, 0.6)
"""How far into its run a lane's first job is when the lane starts."""
_FAILURE_RATE = 0.08
"""Share of relay runs that fail (late in the run, so the lane stays busy)."""


@attrs.define
class _Lane:
    rng: random.Random
    """Draws this lane's jobs."""
    current: str | None = None
    """The id of the lane's newest job (created already)."""
    upcoming: SimJob | None = None
    """The next job, drawn ahead and created at its ``created_at``."""


class Relay:
    """Lanes of jobs that hand over to each other, so that many jobs are always RUNNING."""

    def __init__(
        self,
        lanes: int,
        seed: int,
        factory: JobFactory,
        *,
        scale: float,
        pace: Pace | None,
        start: float,
    ) -> None:
        self._factory = factory
        self._scale = scale
        """Factor applied to real-world durations (``1 / speed``)."""
        self._pace = pace
        """Wall-clock pace of the runs, if any."""
        self._lanes = [_Lane(random.Random(f"{seed}:relay:{index}")) for index in range(lanes)]
        """Each lane draws from its own seed, so lanes never shift each other's jobs."""
        for lane in self._lanes:
            lane.upcoming = self._running_at(lane, start)

    def __len__(self) -> int:
        return len(self._lanes)

    def next_at(self) -> float:
        """When the next lane job is created (``inf`` without lanes)."""
        upcoming = [lane.upcoming.created_at for lane in self._lanes if lane.upcoming]
        return min(upcoming, default=math.inf)

    def take(self) -> SimJob:
        """The next lane job (begun), its successor drawn and dated."""
        _, index, job = min(
            (lane.upcoming.created_at, index, lane.upcoming)
            for index, lane in enumerate(self._lanes)
            if lane.upcoming is not None
        )
        lane = self._lanes[index]
        job.begin(job.created_at)
        lane.current = job.id
        lane.upcoming = self._successor(lane, job)
        return job

    def skip_to(self, at: float) -> None:
        """Restart lanes that fell behind ``at`` (after a big clock jump) running at ``at``."""
        for lane in self._lanes:
            if lane.upcoming is not None and lane.upcoming.created_at < at:
                lane.upcoming = self._running_at(lane, at)

    def hurry(self, job_id: str, at: float) -> None:
        """The lane job ``job_id`` stopped early (cancelled) at ``at``: its successor comes now."""
        for lane in self._lanes:
            upcoming = lane.upcoming
            if lane.current == job_id and upcoming is not None and upcoming.created_at > at:
                upcoming.created_at = upcoming.modified_at = at

    # ------------------------------------------------------------------ drawing

    def _draw(self, lane: _Lane, created_at: float, outcome: str) -> SimJob:
        return self._factory.make(
            lane.rng,
            created_at=created_at,
            scale=self._scale,
            outcome=outcome,
            classifier=lane.rng.random() < 0.2,
            created_by_me=True,
            pace=self._pace,
        )

    def _running_at(self, lane: _Lane, at: float) -> SimJob:
        job = self._draw(lane, at, JobStatus.SUCCESS)
        lifecycle.place(job, at, lane.rng.uniform(*_FIRST_PROGRESS))
        return job

    def _successor(self, lane: _Lane, job: SimJob) -> SimJob:
        rng = lane.rng
        failed = rng.random() < _FAILURE_RATE
        outcome = JobStatus.FAILED if failed else JobStatus.SUCCESS
        successor = self._draw(lane, job.created_at, outcome)
        if failed:
            # Late in the run, so the lane keeps its overlap with the successor's successor.
            steps = successor.training_steps
            fail_step = max(1, min(steps - 1, round(steps * rng.uniform(0.6, 0.95))))
            successor.plan = attrs.evolve(successor.plan, fail_step=fail_step)
        end = lifecycle.planned_end(job)
        run_at = job.created_at + lifecycle.run_delay(job.plan)
        if end is None:  # not planned to end: nothing to hand over from
            end = run_at + job.training_steps * job.plan.step_seconds
        overlap = rng.uniform(*_OVERLAP) * max(0.0, end - run_at)
        created = end - overlap - lifecycle.run_delay(successor.plan)
        successor.created_at = successor.modified_at = max(created, job.created_at)
        return successor
