"""Loss curves: smooth decay after a warm-up, small proportional noise, rare bounded spikes,
validation above train at evaluated steps, and values that depend on nothing but the seed."""

from __future__ import annotations

import functools
import itertools
import random
import statistics

import pytest

from tui.api.clock import ManualClock
from tui.sim.curves import CurveShape, LossCurve, metrics_at
from tui.sim.world import NewJob, World

STEP_COUNTS = (10, 50, 69, 100, 300, 1000)


@functools.cache
def curves(count: int = 60) -> list[LossCurve]:
    """Curves of both kinds and many lengths, each from its own seed."""
    out = []
    for seed in range(count):
        rng = random.Random(seed)
        shape = CurveShape.random(rng, classifier=seed % 4 == 0)
        out.append(LossCurve(shape, STEP_COUNTS[seed % len(STEP_COUNTS)], seed))
    return out


def ratios(curve: LossCurve) -> list[float]:
    """Each step's train loss over the smooth curve it scatters around."""
    return [curve.train_loss(s) / curve.smooth(s) for s in range(1, curve.steps + 1)]


def spike_events(curve: LossCurve) -> list[list[int]]:
    """Runs of consecutive steps lifted beyond what the noise alone can do."""
    limit = 1.0 + 2.0 * curve.shape.noise + 1e-9
    events: list[list[int]] = []
    for step, ratio in enumerate(ratios(curve), start=1):
        if ratio > limit:
            if events and events[-1][-1] == step - 1:
                events[-1].append(step)
            else:
                events.append([step])
    return events


def block_medians(values: list[float], blocks: int) -> list[float]:
    size = len(values) // blocks
    return [statistics.median(values[i * size : (i + 1) * size]) for i in range(blocks)]


@pytest.mark.parametrize("curve", curves(), ids=lambda c: f"{c.steps}-steps")
def test_the_trend_falls_monotonically(curve: LossCurve) -> None:
    smooth = [curve.smooth(s) for s in range(curve.steps + 1)]
    assert all(b <= a for a, b in itertools.pairwise(smooth))
    assert smooth[-1] < 0.8 * smooth[0]
    # What a viewer sees: the noisy curve, smoothed by block medians, never turns back up
    # by more than its noise.
    train = [curve.train_loss(s) for s in range(1, curve.steps + 1)]
    medians = block_medians(train, min(8, curve.steps // 5))
    for earlier, later in itertools.pairwise(medians):
        assert later <= earlier * (1.0 + 2.0 * curve.shape.noise)
    assert medians[-1] < medians[0]


@pytest.mark.parametrize(
    "curve",
    [c for c in curves() if c.shape.warmup_fraction * c.steps >= 2],  # a warm-up one can see
    ids=lambda c: f"{c.steps}-steps",
)
def test_warm_up_starts_slowly_then_the_loss_drops(curve: LossCurve) -> None:
    drops = [curve.smooth(s) - curve.smooth(s + 1) for s in range(curve.steps)]
    assert drops[0] < max(drops)  # the learning rate is still ramping up at the first step
    assert drops.index(max(drops)) >= 1


def test_noise_is_small_and_proportional_to_the_loss() -> None:
    for curve in curves():
        spiked = {step for event in spike_events(curve) for step in event}
        quiet = [r for step, r in enumerate(ratios(curve), start=1) if step not in spiked]
        # The scatter is a share of the loss, a few percent at most, high loss or low...
        assert curve.shape.noise <= 0.02
        assert all(abs(r - 1.0) <= 2.0 * curve.shape.noise + 1e-9 for r in quiet)
        if curve.steps >= 100:
            # ...and the same share early (high loss) and late (low loss): not a plain line,
            # and not a fixed amount that would swamp the low end of a falling curve.
            half = len(quiet) // 2
            early, late = statistics.pstdev(quiet[:half]), statistics.pstdev(quiet[half:])
            assert 0.3 * curve.shape.noise < early < 1.2 * curve.shape.noise
            assert 0.5 < late / early < 2.0


def test_spikes_are_rare_and_bounded() -> None:
    every = curves(120)
    total_events = 0
    for curve in every:
        assert max(ratios(curve)) <= 1.3 + 1e-9
        events = spike_events(curve)
        assert len(events) <= 3
        assert all(len(event) <= 3 for event in events)  # gone within a few steps
        assert sum(map(len, events)) <= 0.2 * curve.steps
        total_events += len(events)
    assert 0 < total_events <= 2 * len(every)  # some runs spike, about one per run at most


def test_validation_sits_above_train_and_widens_a_little() -> None:
    for curve in curves():
        for step in range(1, curve.steps + 1):
            assert curve.valid_loss(step) > curve.train_loss(step)
        first = curve.valid_loss(1) / curve.smooth(1)
        last = curve.valid_loss(curve.steps) / curve.smooth(curve.steps)
        assert 1.04 < first < 1.2
        assert last > first - 0.02  # the gap does not close as the run goes on


def test_a_steps_value_does_not_depend_on_what_was_asked_first() -> None:
    shape = CurveShape.random(random.Random(3), classifier=False)
    forward = LossCurve(shape, 200, seed=99)
    backward = LossCurve(shape, 200, seed=99)
    late_first = [backward.train_loss(s) for s in range(200, 0, -1)][::-1]
    assert [forward.train_loss(s) for s in range(1, 201)] == late_first
    assert LossCurve(shape, 200, seed=100).train_loss(50) != forward.train_loss(50)


def test_metrics_report_zero_valid_loss_without_evaluation() -> None:
    curve = LossCurve(CurveShape.random(random.Random(1), classifier=False), 50, seed=1)
    skipped = metrics_at(curve, 7, evaluated=False)
    assert skipped == {
        "train_loss": round(curve.train_loss(7), 6),
        "valid_loss": 0.0,
        "valid_mean_token_accuracy": 0.0,
    }
    evaluated = metrics_at(curve, 10, evaluated=True)
    assert evaluated["valid_loss"] == round(curve.valid_loss(10), 6)
    assert evaluated["valid_mean_token_accuracy"] == round(2.0 ** evaluated["valid_loss"], 6)


def test_checkpoints_evaluate_every_n_steps_and_valid_is_above_train(
    clock: ManualClock,
) -> None:
    world = World(seed=4, jobs=0, live=0, clock=clock, arrivals=False)
    new = NewJob(
        model="open-mistral-7b",
        job_type="completion",
        training_files=["a3b6f2a2-3d0e-4c1b-9e55-0d6f0c7c9a11"],
        validation_files=["5b0d1f4e-8c1a-4d9b-a7e2-2f3c4d5e6f70"],
        hyperparameters={"training_steps": 120},
    )
    job_id = world.create_job(new)["id"]
    clock.advance(24 * 3600)
    job = world.sim_job(job_id)
    checkpoints = world.job(job_id)["checkpoints"]
    assert job.eval_every is not None
    evaluated = set()
    for checkpoint in checkpoints:
        step, metrics = checkpoint["step_number"], checkpoint["metrics"]
        if metrics["valid_loss"] == 0.0:
            assert metrics["valid_mean_token_accuracy"] == 0.0
            assert step % job.eval_every != 0
            continue
        evaluated.add(step)
        assert metrics["valid_loss"] > metrics["train_loss"]
        assert metrics["valid_mean_token_accuracy"] == pytest.approx(2 ** metrics["valid_loss"])
    expected = {s for s in range(job.eval_every, 121, job.eval_every)} | {120}
    assert evaluated == expected & {c["step_number"] for c in checkpoints}
    assert len(evaluated) >= 5
