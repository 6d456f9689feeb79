"""Exponential moving average of a curve, the way training dashboards smooth a noisy loss.

``smoothing`` is the weight of the past (0 draws the raw curve, 0.9 a very smooth one). The
average is debiased (divided by ``1 - smoothing ** n``), so the first points are not pulled
towards zero. It runs over the whole curve, so zooming in never changes a smoothed value.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MAX_SMOOTHING", "ema"]

MAX_SMOOTHING = 0.99
"""The strongest smoothing accepted; above it the curve would barely move."""


def ema(values: Sequence[float], smoothing: float) -> tuple[float, ...]:
    """The debiased exponential moving average of ``values`` with past weight ``smoothing``."""
    weight = min(max(smoothing, 0.0), MAX_SMOOTHING)
    if weight == 0.0:
        return tuple(values)
    smoothed: list[float] = []
    average = 0.0
    debias = 1.0
    for value in values:
        average = weight * average + (1.0 - weight) * value
        debias *= weight
        smoothed.append(average / (1.0 - debias))
    return tuple(smoothed)
