"""The robust y-range: spikes found against their neighbours, left out of the range, clipped."""

from __future__ import annotations

import math
import random

import pytest

from tui.monitor.curves import YScale, find_spikes, robust_scale


def decaying(count: int, *, seed: int = 3, noise: float = 0.05) -> list[float]:
    """A loss curve: a steep fall from 2.4 to a 0.8 plateau, with multiplicative noise."""
    rng = random.Random(seed)
    return [
        (0.8 + 1.6 * math.exp(-i / (count / 6))) * (1 + rng.gauss(0, noise)) for i in range(count)
    ]


def test_a_10x_spike_among_200_points_is_found_and_left_out_of_the_range() -> None:
    values = decaying(200)
    values[120] *= 10
    assert find_spikes(values) == {120}
    scale = robust_scale([values])
    others = values[:120] + values[121:]
    assert scale.low <= min(others)
    assert scale.high >= max(others)
    # The range is the trend's, not the spike's: it would be ten times taller otherwise.
    assert scale.high < values[120] / 3
    assert scale.high - scale.low < 1.2 * (max(others) - min(others))
    assert not scale.contains(values[120])
    assert scale.fraction(values[120]) > 1  # drawn clipped at the top


def test_the_steep_start_of_a_run_is_not_a_spike() -> None:
    values = [10.0, 5.0, 3.0, 2.2, 1.9, 1.7, 1.6, 1.55, 1.5, 1.5, 1.48, 1.47]
    assert find_spikes(values) == frozenset()
    assert robust_scale([values]).high >= 10.0


def test_noise_alone_has_no_spikes() -> None:
    assert find_spikes(decaying(500, noise=0.08)) == frozenset()


def test_a_fresh_spike_at_the_newest_step_is_found() -> None:
    values = decaying(100)
    values[-1] *= 4
    assert find_spikes(values) == {99}


def test_two_spikes_side_by_side() -> None:
    values = decaying(200)
    values[80] *= 6
    values[81] *= 5
    assert find_spikes(values) == {80, 81}


def test_range_of_a_flat_or_single_value_has_room() -> None:
    scale = robust_scale([[0.82]])
    assert scale.low < 0.82 < scale.high
    assert robust_scale([[0.5, 0.5, 0.5]]).contains(0.5)


def test_empty_range() -> None:
    assert robust_scale([]) == YScale(0.0, 1.0)
    assert robust_scale([[]], log=True).high > robust_scale([[]], log=True).low


def test_linear_range_of_losses_stays_above_zero() -> None:
    scale = robust_scale([[0.001, 0.5, 1.0]])
    assert scale.low == 0.0


def test_range_holds_still_while_a_run_adds_points_inside_it() -> None:
    values = decaying(400)
    scales = {robust_scale([values[:count]]) for count in range(300, 401)}
    # A run near its plateau adds points well inside the range: it snaps to the same bounds.
    assert len(scales) <= 3


def test_several_curves_share_one_range() -> None:
    train, valid = [1.0, 0.9, 0.8], [2.0, 1.9]
    scale = robust_scale([train, valid])
    assert scale.contains(0.8)
    assert scale.contains(2.0)


def test_log_range_is_in_decades() -> None:
    values = [0.5, 0.05, 0.005, 0.002]
    scale = robust_scale([values], log=True)
    assert scale.log
    assert scale.low <= math.log10(0.002)
    assert scale.high >= math.log10(0.5)
    assert scale.fraction(0.5) == pytest.approx(
        (math.log10(0.5) - scale.low) / (scale.high - scale.low)
    )
    assert scale.fraction(0.0) is None
    assert scale.fraction(-1.0) is None


def test_log_range_ignores_values_it_cannot_place() -> None:
    scale = robust_scale([[0.0, 0.1, 1.0]], log=True)
    assert scale.contains(0.1)
    assert scale.contains(1.0)
