"""Axis ticks at round values (1, 2, 5 x 10^k) that cover the range, with consistent labels."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tui.monitor.curves.ticks import (
    decimals_for,
    format_step,
    format_tick,
    format_ticks,
    linear_ticks,
    log_ticks,
    nice_floor,
    nice_step,
    step_ticks,
)


def step_of(ticks: list[float]) -> float:
    return ticks[1] - ticks[0]


@pytest.mark.parametrize(
    ("rough", "expected"),
    [(0.3, 0.5), (0.05, 0.05), (0.051, 0.1), (7, 10), (12, 20), (1e-4, 1e-4), (180, 200)],
)
def test_nice_step(rough: float, expected: float) -> None:
    assert nice_step(rough) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"), [(250, 200), (0.3, 0.2), (7, 5), (10, 10), (0.0999, 0.05)]
)
def test_nice_floor(value: float, expected: float) -> None:
    assert nice_floor(value) == pytest.approx(expected)


def test_linear_ticks_of_a_loss_range() -> None:
    assert linear_ticks(0.6, 2.5, 4) == pytest.approx([1.0, 1.5, 2.0, 2.5])
    assert linear_ticks(0.81, 0.95, 3) == pytest.approx([0.85, 0.9, 0.95])


def test_at_least_two_ticks_when_the_range_allows() -> None:
    # A step of 0.1 would give only 0.9; a finer one gives two.
    assert len(linear_ticks(0.84, 0.97, 2)) == 2
    assert linear_ticks(1.0, 150.0, 2) == [50.0, 150.0]


def test_flat_range_still_gets_one_label() -> None:
    assert linear_ticks(0.8123, 0.8123, 3) == [0.8123]


@given(
    low=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    span=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False),
    count=st.integers(min_value=2, max_value=12),
)
def test_linear_ticks_are_round_evenly_spaced_inside_and_cover_the_range(
    low: float, span: float, count: int
) -> None:
    assume(span >= abs(low) * 1e-5)  # a chart's range is never that thin against its level
    high = low + span
    ticks = linear_ticks(low, high, count)
    assert 1 <= len(ticks) <= count
    slack = span * 1e-6
    assert all(low - slack <= t <= high + slack for t in ticks)
    if len(ticks) >= 2:
        step = step_of(ticks)
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        assert all(math.isclose(g, step, rel_tol=1e-6, abs_tol=1e-9) for g in gaps)
        # Covers the range: no stretch of it is more than one step from a tick.
        assert ticks[0] - low <= step * 1.000001
        assert high - ticks[-1] <= step * 1.000001
        # Round values: multiples of the gap, or of half of it when every other tick of a
        # finer round step was kept (1 to 150 in two ticks reads 50, 150).
        half = step / 2
        assert all(
            math.isclose(t / half, round(t / half), rel_tol=1e-9, abs_tol=1e-6) for t in ticks
        )


def test_log_ticks_at_decades() -> None:
    assert log_ticks(math.log10(0.0004), math.log10(0.6), 4) == pytest.approx([0.001, 0.01, 0.1])


def test_log_ticks_within_a_decade_at_1_2_5() -> None:
    assert log_ticks(math.log10(0.6), math.log10(2.6), 4) == pytest.approx([1.0, 2.0])
    assert log_ticks(math.log10(0.15), math.log10(0.9), 4) == pytest.approx([0.2, 0.5])


def test_log_ticks_of_a_narrow_range_fall_back_to_linear_round_values() -> None:
    assert log_ticks(math.log10(0.81), math.log10(0.96), 3) == pytest.approx([0.85, 0.9, 0.95])


def test_many_decades_are_thinned() -> None:
    ticks = log_ticks(-9, 3, 4)
    assert 2 <= len(ticks) <= 4
    assert all(math.isclose(math.log10(t), round(math.log10(t))) for t in ticks)


def test_step_ticks_are_round_integers() -> None:
    assert step_ticks(0, 1000, 6) == [0, 200, 400, 600, 800, 1000]
    assert step_ticks(800, 1000, 5) == [800, 850, 900, 950, 1000]
    assert step_ticks(0, 7, 10) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert step_ticks(5, 5, 4) == [5]
    assert all(isinstance(step, int) for step in step_ticks(0, 33, 4))


def test_labels_share_their_decimals() -> None:
    assert format_ticks([0.85, 0.9, 0.95]) == ["0.85", "0.90", "0.95"]
    assert format_ticks([1.0, 1.5, 2.0]) == ["1.0", "1.5", "2.0"]
    assert format_ticks([1.0, 2.0]) == ["1", "2"]
    assert format_ticks([0.0, 0.0005, 0.001]) == ["0.0000", "0.0005", "0.0010"]
    assert format_ticks([-0.0001, 0.5]) == ["-0.0001", "0.5000"]
    assert format_tick(-0.00001, 2) == "0.00"


def test_log_labels_are_each_shortest() -> None:
    assert format_ticks([0.001, 0.01, 0.1, 1.0], uniform=False) == ["0.001", "0.01", "0.1", "1"]


def test_big_values_are_compact() -> None:
    assert format_step(950) == "950"
    assert format_step(9500) == "9500"
    assert format_step(12000) == "12k"
    assert format_step(12500) == "12.5k"
    assert format_step(1_200_000) == "1.2M"
    assert format_ticks([10000.0, 20000.0]) == ["10k", "20k"]


def test_decimals_for() -> None:
    assert decimals_for(0.05) == 2
    assert decimals_for(20) == 0
    assert decimals_for(0.0001) == 4
