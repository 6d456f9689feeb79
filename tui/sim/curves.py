"""Loss curves that look like real fine-tuning runs.

Train loss falls roughly exponentially from an initial value to a plateau, with multiplicative
noise and the occasional spike. Validation loss follows the smooth curve slightly above it and
is only reported at evaluation steps; elsewhere (or without a validation file) the API reports
``0.0``. ``valid_mean_token_accuracy`` is what the real API sends: ``2 ** valid_loss``.
"""

from __future__ import annotations

import math
import random
from array import array

import attrs

__all__ = ["CurveShape", "LossCurve", "metrics_at"]


@attrs.frozen
class CurveShape:
    """Parameters of one run's loss curve."""

    initial: float
    """Train loss at step 0."""
    plateau: float
    """The value the loss settles at."""
    decay_fraction: float
    """Fraction of the run over which the gap to the plateau shrinks by ``e``."""
    noise: float
    """Relative standard deviation of the step-to-step noise."""
    spike_rate: float
    """Probability that a step shows a loss spike."""
    valid_gap: float
    """Relative gap of validation loss above the smooth train curve."""

    @classmethod
    def random(cls, rng: random.Random, *, classifier: bool) -> CurveShape:
        """A plausible shape; classifier runs reach far lower losses than completion runs."""
        if classifier:
            initial = rng.uniform(0.2, 0.8)
            plateau = initial * rng.uniform(0.0005, 0.05)
        else:
            initial = rng.uniform(1.1, 2.6)
            plateau = initial * rng.uniform(0.3, 0.6)
        return cls(
            initial=initial,
            plateau=plateau,
            decay_fraction=rng.uniform(0.08, 0.3),
            noise=rng.uniform(0.02, 0.08),
            spike_rate=rng.uniform(0.0, 0.03),
            valid_gap=rng.uniform(-0.01, 0.06),
        )


class LossCurve:
    """A run's train and validation losses, generated once from a seed and cached.

    The whole series is drawn in one pass so that a step's value never depends on which
    steps were asked for first.
    """

    def __init__(self, shape: CurveShape, steps: int, seed: int) -> None:
        self.shape = shape
        self.steps = steps
        rng = random.Random(seed)
        # Compact float arrays: a world keeps hundreds of runs of up to 1000 steps.
        train = array("d")
        valid = array("d")
        for step in range(steps + 1):
            base = self._smooth_at(step)
            value = base * max(0.2, 1.0 + rng.gauss(0.0, shape.noise))
            if rng.random() < shape.spike_rate:
                value *= rng.uniform(1.4, 2.5)
            train.append(value)
            valid.append(base * (1.0 + shape.valid_gap) * (1.0 + rng.gauss(0.0, 0.004)))
        self._train = train
        self._valid = valid

    def _smooth_at(self, step: int) -> float:
        shape = self.shape
        tau = max(1.0, shape.decay_fraction * self.steps)
        return shape.plateau + (shape.initial - shape.plateau) * math.exp(-step / tau)

    def train_loss(self, step: int) -> float:
        """Train loss at ``step`` (1-based; clamped to the run)."""
        return self._train[min(max(step, 0), self.steps)]

    def valid_loss(self, step: int) -> float:
        """Validation loss at ``step``, were it evaluated there."""
        return self._valid[min(max(step, 0), self.steps)]


def metrics_at(curve: LossCurve, step: int, *, evaluated: bool) -> dict[str, float]:
    """The ``metrics`` object of a checkpoint at ``step``, rounded like the real API (6 places)."""
    train = round(curve.train_loss(step), 6)
    if not evaluated:
        return {"train_loss": train, "valid_loss": 0.0, "valid_mean_token_accuracy": 0.0}
    valid = round(curve.valid_loss(step), 6)
    return {
        "train_loss": train,
        "valid_loss": valid,
        "valid_mean_token_accuracy": round(2.0**valid, 6),
    }
