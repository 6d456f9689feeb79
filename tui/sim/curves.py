"""Loss curves that look like real fine-tuning runs.

The smooth train loss starts flat while the learning rate warms up, then decays as a power law
toward a plateau. Each step adds small noise proportional to the loss, and a run shows at most a
few spikes, each at most :data:`SPIKE_CEILING` times the smooth value and gone within a couple of
steps. Validation loss follows the same model a few percent above it (the gap widening a little
as the run goes on) and is reported only at evaluation steps; elsewhere, or without a validation
file, the API reports ``0.0``. ``valid_mean_token_accuracy`` is what the real API sends:
``2 ** valid_loss``.
"""

from __future__ import annotations

import random
from array import array

import attrs

__all__ = ["NOISE_CLIP", "SPIKE_CEILING", "CurveShape", "LossCurve", "metrics_at"]

SPIKE_CEILING = 1.3
"""No reported train loss exceeds this multiple of the smooth curve."""
NOISE_CLIP = 2.0
"""Step noise is cut at this many standard deviations, so it stays proportional and small."""
MAX_SPIKES = 3
"""A run shows at most this many spikes."""
_SPIKE_RECOVERY = 0.4
"""Share of a spike left on each following step (real spikes fade over a few steps)."""
_SPIKE_STEPS = 3
"""Steps a spike touches: its peak and two steps of recovery."""
_VALID_NOISE = 0.002
"""Relative standard deviation of the validation loss (a whole eval set: little noise)."""
_MIN_VALID_GAP = 0.05
"""Smallest relative gap of validation over train; above the largest train noise."""


@attrs.frozen
class CurveShape:
    """Parameters of one run's loss curve."""

    initial: float
    """Train loss at step 0."""
    plateau: float
    """The value the loss tends to."""
    warmup_fraction: float
    """Share of the run spent warming up the learning rate (the loss barely moves)."""
    decay_fraction: float
    """Scale of the power-law decay, as a share of the run."""
    decay_power: float
    """Exponent of the power-law decay."""
    noise: float
    """Relative standard deviation of the step-to-step noise."""
    spikes: int
    """How many loss spikes the run shows (at most :data:`MAX_SPIKES`)."""
    valid_gap: float
    """Relative gap of validation loss above the smooth train curve at the start."""
    valid_gap_growth: float
    """How much that gap widens by the end of the run (mild over-fitting)."""

    @classmethod
    def random(
        cls, rng: random.Random, *, classifier: bool, warmup_fraction: float = 0.05
    ) -> CurveShape:
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
            warmup_fraction=min(max(warmup_fraction, 0.0), 0.5),
            decay_fraction=rng.uniform(0.03, 0.12),
            decay_power=rng.uniform(0.8, 1.6),
            noise=rng.uniform(0.006, 0.02),
            spikes=rng.choice((0, 0, 1, 1, 1, 2, 2, 3)),
            valid_gap=rng.uniform(_MIN_VALID_GAP, 0.14),
            valid_gap_growth=rng.uniform(0.0, 0.06),
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
        warmup = max(1.0, shape.warmup_fraction * steps)
        self._warmup = warmup
        self._scale = max(0.5, shape.decay_fraction * steps)
        peaks = self._spike_peaks(rng, warmup)
        # Compact float arrays: a world keeps hundreds of runs of up to 1000 steps.
        smooth = array("d")
        train = array("d")
        valid = array("d")
        clip = NOISE_CLIP * shape.noise
        for step in range(steps + 1):
            base = self._smooth(step)
            # A spike is the model's, not the batch's: validation at that step shows it too.
            surge = 1.0 + sum(
                (peak - 1.0) * _SPIKE_RECOVERY ** (step - at)
                for at, peak in peaks
                if 0 <= step - at < _SPIKE_STEPS
            )
            jitter = min(max(rng.gauss(0.0, shape.noise), -clip), clip)
            smooth.append(base)
            train.append(min(base * surge * (1.0 + jitter), base * SPIKE_CEILING))
            gap = shape.valid_gap + shape.valid_gap_growth * step / max(1, steps)
            wobble = min(max(rng.gauss(0.0, _VALID_NOISE), -2 * _VALID_NOISE), 2 * _VALID_NOISE)
            valid.append(base * surge * (1.0 + gap) * (1.0 + wobble))
        self._smooth_values = smooth
        self._train = train
        self._valid = valid

    def _spike_peaks(self, rng: random.Random, warmup: float) -> list[tuple[int, float]]:
        """Where the spikes hit (past the steep early fall, apart from each other) and how high."""
        first = max(int(warmup) + 1, self.steps // 4)
        room = self.steps - first
        # Rare: at most one spike per 20 steps (a short run shows none).
        count = min(self.shape.spikes, MAX_SPIKES, max(0, room // 20))
        if count == 0:
            return []
        # One spike per equal slice of the run after warm-up, so two never overlap.
        width = room // count
        peaks = []
        for index in range(count):
            at = first + index * width + rng.randrange(max(1, width - _SPIKE_STEPS))
            peaks.append((at, rng.uniform(1.12, SPIKE_CEILING)))
        return peaks

    def _smooth(self, step: int) -> float:
        shape = self.shape
        warmup = self._warmup
        # Progress grows with the learning rate: quadratically while it ramps up, then linearly.
        progress = step * step / (2.0 * warmup) if step < warmup else step - warmup / 2.0
        decay = (1.0 + progress / self._scale) ** -shape.decay_power
        return shape.plateau + (shape.initial - shape.plateau) * decay

    def _at(self, series: array[float], step: int) -> float:
        return series[min(max(step, 0), self.steps)]

    def smooth(self, step: int) -> float:
        """The noiseless train loss at ``step``: what the noisy curve scatters around."""
        return self._at(self._smooth_values, step)

    def train_loss(self, step: int) -> float:
        """Train loss at ``step`` (1-based; clamped to the run)."""
        return self._at(self._train, step)

    def valid_loss(self, step: int) -> float:
        """Validation loss at ``step``, were it evaluated there."""
        return self._at(self._valid, step)


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
