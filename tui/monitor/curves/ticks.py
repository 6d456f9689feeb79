"""Axis ticks at round values: 1, 2 and 5 times a power of ten, and their compact labels.

Linear ticks are multiples of one round step inside a range. Log ticks are the round values
(decades first, then 1/2/5 per decade) whose logarithms fall inside a range given in log10
units; a range too narrow to hold two of them falls back to linear round values. Labels of one
axis share their number of decimals, so a column of them lines up.
"""

from __future__ import annotations

import itertools
import math

__all__ = [
    "MAX_TICKS",
    "decimals_for",
    "format_step",
    "format_tick",
    "format_ticks",
    "linear_ticks",
    "log_ticks",
    "nice_floor",
    "nice_step",
    "step_ticks",
]

MAX_TICKS = 12
"""No axis gets more ticks than this, whatever its size."""

_MANTISSAS = (1.0, 2.0, 5.0)
_EPSILON = 1e-9


def nice_step(rough: float) -> float:
    """The smallest round step (1, 2 or 5 times a power of ten) at least ``rough``."""
    if not math.isfinite(rough) or rough <= 0:
        return 1.0
    exponent = math.floor(math.log10(rough))
    for power in (exponent, exponent + 1):
        for mantissa in _MANTISSAS:
            step = mantissa * 10.0**power
            if step >= rough * (1 - _EPSILON):
                return step
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop always returns


def nice_floor(value: float) -> float:
    """The largest round value (1, 2 or 5 times a power of ten) at most ``value``."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for mantissa in (5.0, 2.0, 1.0):
        candidate = mantissa * 10.0**exponent
        if candidate <= value * (1 + _EPSILON):
            return candidate
    return 10.0**exponent  # pragma: no cover - 1 x 10^exponent always fits


def _multiples(low: float, high: float, step: float) -> list[float]:
    """Every multiple of ``step`` in ``[low, high]`` (with float slack), rounded clean."""
    first = math.ceil(low / step - _EPSILON)
    last = math.floor(high / step + _EPSILON)
    digits = max(0, decimals_for(step)) + 2
    return [round(index * step, digits) for index in range(first, last + 1)]


def linear_ticks(low: float, high: float, max_count: int) -> list[float]:
    """Round values inside ``[low, high]``: as many as fit in ``max_count``, evenly spaced.

    Two ticks at least whenever the range allows it (a lone label says nothing about scale),
    and always at least one, so a flat range still gets its value labelled.
    """
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        return []
    max_count = max(1, min(max_count, MAX_TICKS))
    if high - low < _EPSILON * max(1.0, abs(low)):
        return [low]
    step = nice_step((high - low) / max_count)
    ticks = _multiples(low, high, step)
    while len(ticks) > max_count:  # float rounding at the range's ends may add one
        step = nice_step(step * 1.01)
        ticks = _multiples(low, high, step)
    if len(ticks) < 2 and max_count >= 2:
        # One round value inside: a finer step whose ticks still fit, keeping every other one.
        finer = _multiples(low, high, nice_step(step / 2.01))
        if len(finer) >= 2:
            stride = math.ceil(len(finer) / max_count)
            ticks = finer[::stride]
    return ticks or [low]


def log_ticks(log_low: float, log_high: float, max_count: int) -> list[float]:
    """Round values whose log10 lies in ``[log_low, log_high]``; returned as plain values.

    Decades (0.1, 1, 10) when two or more fit; then 1, 2 and 5 per decade; else linear round
    values of the range, still placed on the log axis by the caller.
    """
    if not (math.isfinite(log_low) and math.isfinite(log_high)) or log_high < log_low:
        return []
    max_count = max(1, min(max_count, MAX_TICKS))
    first = math.ceil(log_low - _EPSILON)
    last = math.floor(log_high + _EPSILON)
    decades = [10.0**power for power in range(first, last + 1)]
    if len(decades) >= 2:
        stride = math.ceil(len(decades) / max_count)
        return [_clean(value) for value in decades[::stride]]
    low, high = 10.0**log_low, 10.0**log_high
    candidates: list[float] = []
    for power in range(math.floor(log_low), math.ceil(log_high) + 1):
        for mantissa in _MANTISSAS:
            value = mantissa * 10.0**power
            if low * (1 - _EPSILON) <= value <= high * (1 + _EPSILON):
                candidates.append(_clean(value))
    if 2 <= len(candidates) <= max_count:
        return candidates
    return linear_ticks(low, high, max_count)


def _clean(value: float) -> float:
    """A power-of-ten product without float noise (``0.30000000000000004`` -> ``0.3``)."""
    return float(f"{value:.12g}")


def step_ticks(first: int, last: int, max_count: int) -> list[int]:
    """Round step numbers inside ``[first, last]`` (integers: the step is at least 1)."""
    if last < first:
        return []
    if last == first:
        return [first]
    max_count = max(1, min(max_count, MAX_TICKS))
    step = max(1.0, nice_step((last - first) / max_count))
    ticks = [round(value) for value in _multiples(first, last, step)]
    while len(ticks) > max_count:
        step = nice_step(step * 1.01)
        ticks = [round(value) for value in _multiples(first, last, step)]
    return ticks


def decimals_for(step: float) -> int:
    """How many decimals show the multiples of a round ``step`` exactly (0.05 -> 2, 20 -> 0)."""
    if not math.isfinite(step) or step <= 0:
        return 0
    for decimals in range(12):
        if abs(round(step, decimals) - step) <= _EPSILON * step:
            return decimals
    return 12


def format_tick(value: float, decimals: int) -> str:
    """One tick label: fixed decimals, thousands as ``k`` once the value reaches 10,000."""
    if abs(value) >= 10_000:
        return format_step(round(value))
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and text.strip("-0.") == "" else text  # no "-0.0"


def format_ticks(ticks: list[float], *, uniform: bool = True) -> list[str]:
    """Labels for one axis's ticks, all with the decimals the finest of them needs.

    ``uniform=False`` (log axes, whose ticks span decades) gives each its own shortest form.
    """
    if not ticks:
        return []
    if not uniform:
        return [format_tick(value, decimals_for(abs(value)) if value else 0) for value in ticks]
    decimals = max(decimals_for(abs(value)) if value else 0 for value in ticks)
    if len(ticks) >= 2:
        gaps = [abs(b - a) for a, b in itertools.pairwise(ticks) if b != a]
        decimals = max(decimals, *(decimals_for(gap) for gap in gaps)) if gaps else decimals
    return [format_tick(value, min(decimals, 6)) for value in ticks]


def format_step(step: int) -> str:
    """A step number, compact past four digits: ``950``, ``9500``, ``12k``, ``12.5k``, ``1.2M``."""
    magnitude = abs(step)
    if magnitude >= 1_000_000:
        return f"{step / 1_000_000:.1f}".removesuffix(".0") + "M"
    if magnitude >= 10_000:
        return f"{step / 1_000:.1f}".removesuffix(".0") + "k"
    return str(step)
