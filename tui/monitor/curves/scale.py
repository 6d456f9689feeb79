"""The y-axis of a loss chart: spikes found, a robust range, and the mapping of values into it.

A loss curve falls steeply at first and then flattens, so a plain spread statistic of its values
would call the first steps outliers. Spikes are found against the curve's own neighbourhood
instead: a point is a spike when it stands well above the median of the points on *both* sides
of it (for the newest point, above those before it, once there are enough; the first point is
never one, a run starts high). "Well above" is relative to the curve's noise: several times the
median absolute deviation of every point from its local level, and never less than
:data:`SPIKE_FLOOR`.

The range spans the points that are not spikes, snapped outwards to a round quantum (a
twentieth of its span, rounded to 1/2/5) so it stays put while a run adds points inside it.
Points outside the range are drawn clipped to its edge and marked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import attrs

from tui.monitor.curves.ticks import nice_step

__all__ = [
    "SPIKE_FLOOR",
    "SPIKE_SIGMAS",
    "SPIKE_WINDOW",
    "YScale",
    "find_spikes",
    "robust_scale",
]

SPIKE_WINDOW = 4
"""Points on each side whose median a point is compared with."""
SPIKE_SIGMAS = 6.0
"""How many robust standard deviations of the local noise make a spike."""
SPIKE_FLOOR = 0.25
"""A spike stands at least this fraction above its neighbours, however smooth the curve."""
_MAD_TO_SIGMA = 1.4826
"""The median absolute deviation of normal noise times this is its standard deviation."""
_QUANTA = 20
"""The range snaps to a round step near a twentieth of its span."""


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _relative(value: float, base: float) -> float:
    """How far ``value`` stands above ``base``, as a fraction of ``base``'s size."""
    size = abs(base)
    return (value - base) / size if size > 1e-12 else 0.0


def find_spikes(values: Sequence[float], window: int = SPIKE_WINDOW) -> frozenset[int]:
    """Indices of the points that stand well above their neighbourhood (see the module doc)."""
    count = len(values)
    if count < 3:
        return frozenset()
    # before[i]: the median of the (up to) ``window`` points before i. The ``window`` points
    # after i are the points before i + window + 1, so one pass serves both sides.
    before: list[float | None] = [None]
    before += [_median(values[max(0, i - window) : i]) for i in range(1, min(window, count) + 1)]
    if window == 4:  # the median of four is their sum less the extremes, halved: no sort
        for i in range(5, count + 1):
            four = values[i - 4 : i]
            before.append((sum(four) - max(four) - min(four)) / 2)
    else:
        before += [_median(values[i - window : i]) for i in range(window + 1, count + 1)]

    def after(index: int) -> float | None:
        end = index + window + 1
        if end <= count:
            return before[end]
        return _median(values[index + 1 :]) if index + 1 < count else None

    sides = [(before[i], after(i)) for i in range(count)]
    deviations = [
        abs(_relative(values[i], _level(left, right))) for i, (left, right) in enumerate(sides)
    ]
    threshold = max(SPIKE_FLOOR, SPIKE_SIGMAS * _MAD_TO_SIGMA * _median(deviations))
    spikes: set[int] = set()
    for index in range(1, count):
        left, right = sides[index]
        assert left is not None  # every point but the first has one before it
        if right is None and index < window:
            continue  # the newest point, judged on too short a history
        base = left if right is None else max(left, right)
        if _relative(values[index], base) > threshold:
            spikes.add(index)
    return frozenset(spikes)


def _level(left: float | None, right: float | None) -> float:
    """The local level around a point: the mean of the medians on each side it has."""
    if left is None:
        return right if right is not None else 0.0
    return left if right is None else (left + right) / 2


@attrs.frozen
class YScale:
    """The y-range of a chart, in axis units: plain values, or their log10 on a log axis."""

    low: float
    """The bottom of the range, in axis units."""
    high: float
    """The top of the range, in axis units (above ``low``)."""
    log: bool = False
    """Whether axis units are log10 of the values."""

    def to_axis(self, value: float) -> float | None:
        """A value in axis units; ``None`` when it has no place on a log axis (``<= 0``)."""
        if not self.log:
            return value
        return math.log10(value) if value > 0 else None

    def fraction(self, value: float) -> float | None:
        """Where a value sits: 0 at the bottom, 1 at the top, outside that when clipped."""
        axis_value = self.to_axis(value)
        if axis_value is None:
            return None
        return (axis_value - self.low) / (self.high - self.low)

    def contains(self, value: float) -> bool:
        """Whether a value is drawn unclipped."""
        fraction = self.fraction(value)
        return fraction is not None and -1e-9 <= fraction <= 1 + 1e-9


def robust_scale(
    curves: Iterable[Sequence[float]], *, log: bool = False, floor_at_zero: bool = True
) -> YScale:
    """The range of the points of ``curves`` that are not spikes, snapped outwards.

    Each curve's spikes are found on its own points. ``floor_at_zero`` keeps a linear range of
    non-negative values from dipping below zero. Without any point the range is 0 to 1.
    """
    kept: list[float] = []
    every: list[float] = []
    for values in curves:
        spikes = find_spikes(values)
        for index, value in enumerate(values):
            if log and value <= 0:
                continue
            axis_value = math.log10(value) if log else value
            every.append(axis_value)
            if index not in spikes:
                kept.append(axis_value)
    chosen = kept or every
    if not chosen:
        return YScale(0.0, 1.0, log) if not log else YScale(-1.0, 0.0, log)
    low, high = min(chosen), max(chosen)
    span = high - low
    if span <= 0:
        span = 0.1 if log else max(abs(low) * 0.1, 1e-3)
        low, high = low - span / 2, high + span / 2
    quantum = nice_step(span / _QUANTA)
    snapped_low = math.floor(low / quantum + 1e-9) * quantum
    snapped_high = math.ceil(high / quantum - 1e-9) * quantum
    if snapped_high <= snapped_low:
        snapped_high = snapped_low + quantum
    if not log and floor_at_zero and min(every) >= 0 and snapped_low < 0:
        snapped_low = 0.0
    return YScale(snapped_low, snapped_high, log)
