"""New jobs that people submit while the simulator runs: a seeded Poisson stream.

Each arrival is a job created at its arrival time with real-world timings divided by the world's
speed (or paced, see :mod:`tui.sim.pace`): most succeed, some fail while training or at
validation, and some are created without ``auto_start`` and wait in VALIDATED for ``/start``.
"""

from __future__ import annotations

import random

from tui.api.models import JobStatus
from tui.sim.lifecycle import SimJob
from tui.sim.pace import Pace
from tui.sim.seeding import JobFactory

__all__ = ["Arrivals"]


class Arrivals:
    """The next arrival's time, and the job that arrives then."""

    def __init__(
        self,
        rng: random.Random,
        factory: JobFactory,
        *,
        mean_gap: float,
        scale: float,
        pace: Pace | None,
        start: float,
    ) -> None:
        self._rng = rng
        """Draws the gaps and the jobs (a stream of its own, apart from the seeded past)."""
        self._factory = factory
        self.mean_gap = mean_gap
        """Mean wall-clock seconds between two arrivals."""
        self._scale = scale
        """Factor applied to real-world durations (``1 / speed``)."""
        self._pace = pace
        """Wall-clock pace of the runs, if any (else real timings times ``scale``)."""
        self.next_at = start + self._gap()
        """When the next job arrives."""

    def _gap(self) -> float:
        return self._rng.expovariate(1.0) * self.mean_gap

    def skip_to(self, at: float) -> None:
        """Let no arrival happen before ``at`` (after a big clock jump; the cap would drop them)."""
        self.next_at = max(self.next_at, at)

    def take(self, *, admit: bool) -> SimJob | None:
        """The job arriving at :attr:`next_at` (begun), or ``None`` when it is turned away."""
        at = self.next_at
        self.next_at = at + self._gap()
        if not admit:
            return None
        rng = self._rng
        roll = rng.random()
        outcome = (
            JobStatus.FAILED
            if roll < 0.1
            else JobStatus.FAILED_VALIDATION
            if roll < 0.17
            else JobStatus.SUCCESS
        )
        job = self._factory.make(
            rng,
            created_at=at,
            scale=self._scale,
            outcome=outcome,
            classifier=rng.random() < 0.2,
            auto_start=rng.random() < 0.85,
            created_by_me=rng.random() < 0.6,
            pace=self._pace,
        )
        job.begin(at)
        return job
