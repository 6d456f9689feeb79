"""The plot model: one step window for every line, zoom, EMA smoothing, log scale."""

from __future__ import annotations

import itertools
import math

import pytest
from support.training_runs import training_run

from tui.monitor.curves import (
    ChartOptions,
    Curve,
    LineKind,
    RunCurves,
    build_plot,
    curves_from_job,
    ema,
)


def run_of(**kwargs: object) -> RunCurves:
    return curves_from_job(training_run(**kwargs))  # type: ignore[arg-type]


def lines_of(plot: object, kind: LineKind, run: int = 0) -> list:
    return [line for line in plot.lines if line.kind is kind and line.run == run]  # type: ignore[attr-defined]


def test_all_steps_of_a_running_job_span_its_planned_steps() -> None:
    plot = build_plot([run_of(last_step=300, planned=1000)])
    assert (plot.first_step, plot.last_step) == (0, 1000)


def test_all_steps_of_a_finished_job_end_at_a_round_step_past_its_last() -> None:
    plot = build_plot([run_of(last_step=630, every=10, status="SUCCESS")])
    assert plot.first_step == 0
    assert plot.last_step == 700  # rounded up to a tenth of the run


def test_zoom_shows_the_last_n_steps() -> None:
    run = run_of(last_step=1000, planned=2000)
    plot = build_plot([run], ChartOptions(last_steps=200))
    assert (plot.first_step, plot.last_step) == (800, 1000)
    (train,) = lines_of(plot, LineKind.TRAIN)
    # Every point in view, plus the one just outside, so the line reaches the left edge.
    assert train.steps[0] == 790
    assert train.steps[1] == 800
    assert train.steps[-1] == 1000
    # The range is set by the points in view only: the early, high losses are out of it.
    assert plot.y.high < max(run.train.values) / 2


def test_zoom_wider_than_the_run_shows_it_all() -> None:
    plot = build_plot([run_of(last_step=100, status="SUCCESS")], ChartOptions(last_steps=5000))
    assert plot.first_step == 0


def test_train_and_valid_share_one_step_axis() -> None:
    run = run_of(last_step=1000, eval_every=100)
    plot = build_plot([run])
    (train,) = lines_of(plot, LineKind.TRAIN)
    (valid,) = lines_of(plot, LineKind.VALID)
    # Points are placed by step, never by index: valid's points are a subset of train's steps.
    assert set(valid.steps) <= set(train.steps)
    assert valid.steps == tuple(range(100, 1001, 100))
    assert len(train.steps) == 100


def test_valid_line_never_holds_an_unevaluated_step() -> None:
    job = training_run(last_step=500, eval_every=50)
    zero_steps = {c.step_number for c in job.checkpoints if c.metrics.valid_loss == 0.0}
    plot = build_plot([curves_from_job(job)])
    (valid,) = lines_of(plot, LineKind.VALID)
    assert not zero_steps & set(valid.steps)
    assert 0.0 not in valid.values


def test_ema_matches_its_definition() -> None:
    values = [4.0, 2.0, 3.0, 1.0]
    weight = 0.5
    expected = []
    average = 0.0
    for n, value in enumerate(values, start=1):
        average = weight * average + (1 - weight) * value
        expected.append(average / (1 - weight**n))
    assert ema(values, weight) == pytest.approx(expected)
    assert ema(values, weight)[0] == 4.0  # debiased: the first point is not pulled to zero
    assert ema(values, 0.0) == tuple(values)


def test_ema_smooths_noise() -> None:
    run = run_of(last_step=1000, noise=0.08)
    raw = run.train.values
    smooth = ema(raw, 0.9)

    def roughness(values: tuple[float, ...]) -> float:
        return sum(abs(b - a) for a, b in itertools.pairwise(values))

    assert roughness(smooth) < roughness(raw) / 3


def test_smoothing_keeps_the_raw_curve_underneath() -> None:
    run = run_of(last_step=300)
    plot = build_plot([run], ChartOptions(smoothing=0.8))
    (raw,) = lines_of(plot, LineKind.TRAIN_RAW)
    (smooth,) = lines_of(plot, LineKind.TRAIN)
    assert raw.values == run.train.values
    assert smooth.values == pytest.approx(ema(run.train.values, 0.8))
    kinds = [line.kind for line in plot.lines]
    assert kinds.index(LineKind.TRAIN_RAW) < kinds.index(LineKind.TRAIN)  # raw drawn first
    assert not lines_of(build_plot([run]), LineKind.TRAIN_RAW)


def test_zooming_does_not_change_smoothed_values() -> None:
    run = run_of(last_step=1000)
    whole = lines_of(build_plot([run], ChartOptions(smoothing=0.9)), LineKind.TRAIN)[0]
    zoomed = build_plot([run], ChartOptions(smoothing=0.9, last_steps=100))
    part = lines_of(zoomed, LineKind.TRAIN)[0]
    by_step = dict(zip(whole.steps, whole.values, strict=True))
    assert all(by_step[step] == value for step, value in zip(part.steps, part.values, strict=True))


def test_log_scale() -> None:
    run = run_of(last_step=1000, initial=0.5, plateau=0.0005, decay=100, noise=0.02)
    linear = build_plot([run])
    log = build_plot([run], ChartOptions(log_scale=True))
    assert log.y.log
    assert not linear.y.log
    assert log.y.low <= math.log10(min(run.train.values)) <= log.y.high
    assert log.y.fraction(0.005) == pytest.approx(
        (math.log10(0.005) - log.y.low) / (log.y.high - log.y.low)
    )
    # On the linear axis the late, small losses are squashed into the bottom few percent.
    assert linear.y.fraction(0.005) < 0.05 < log.y.fraction(0.005)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="smoothing"):
        ChartOptions(smoothing=1.5)
    with pytest.raises(ValueError, match="zoom"):
        ChartOptions(last_steps=0)


def test_compared_runs_share_the_axis_selected_one_on_top() -> None:
    first = run_of(job_id="aaaa0000", last_step=500, status="SUCCESS")
    second = run_of(job_id="bbbb0000", last_step=900, status="SUCCESS", seed=2)
    plot = build_plot([first, second])
    assert plot.last_step == 900
    train_runs = [line.run for line in plot.lines if line.kind is LineKind.TRAIN]
    assert train_runs == [1, 0]  # run 0 drawn last, so it wins shared cells


def test_at_most_six_runs() -> None:
    runs = [run_of(job_id=f"job{i}", last_step=50) for i in range(9)]
    assert len(build_plot(runs).runs) == 6


def test_empty_plot() -> None:
    plot = build_plot([RunCurves(job_id="x", label="x", planned_steps=100)])
    assert plot.is_empty
    assert (plot.first_step, plot.last_step) == (0, 100)
    assert build_plot([RunCurves("y", "y", train=Curve((5,), (1.0,)))]).is_empty is False
