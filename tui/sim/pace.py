"""How fast the runs the simulator starts by itself train, measured on the wall clock.

Speeding real timings up cannot make a watchable demo: real runs last from a minute to hours,
so any one speed-up leaves most of them either flashing by or crawling. A :class:`Pace` instead
sets a run's training directly in real seconds: one checkpoint per step, one step every few
seconds, a few minutes in all. Real payloads show runs like that (a checkpoint per step for a
few dozen steps), so the jobs stay plausible. Queueing, validation and saving still follow the
world's speed.
"""

from __future__ import annotations

import random

import attrs

__all__ = ["MIN_PACED_STEPS", "Pace"]

MIN_PACED_STEPS = 10
"""Fewer steps than this make a curve too coarse to read; such runs are drawn longer instead."""


def _check_range(name: str, bounds: tuple[float, float]) -> None:
    low, high = bounds
    if not 0 < low <= high:
        raise ValueError(f"{name} must be a range (low, high) with 0 < low <= high")


@attrs.frozen
class Pace:
    """Wall-clock timing of paced runs: a checkpoint every step, the run's length in all."""

    checkpoint_seconds: tuple[float, float] = (6.0, 12.0)
    """Range of real seconds between two checkpoints (one step)."""
    run_seconds: tuple[float, float] = (180.0, 420.0)
    """Range of real seconds a run trains, from RUNNING to its last step."""

    def __attrs_post_init__(self) -> None:
        _check_range("checkpoint_seconds", self.checkpoint_seconds)
        _check_range("run_seconds", self.run_seconds)

    def draw(self, rng: random.Random) -> tuple[int, float]:
        """``(training steps, real seconds per step)`` of one run."""
        step_seconds = rng.uniform(*self.checkpoint_seconds)
        run_seconds = rng.uniform(*self.run_seconds)
        return max(MIN_PACED_STEPS, round(run_seconds / step_seconds)), step_seconds
