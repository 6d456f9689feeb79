"""Curves from checkpoints: one step axis, only real measurements, perplexity as a number."""

from __future__ import annotations

import math
from pathlib import Path

import attrs
import pytest
from monitor_factories import T0, checkpoint, detail, item
from support.training_runs import training_run

from tui.api.convert import parse_job
from tui.api.models import Checkpoint, Metrics
from tui.monitor.curves import Curve, Sample, curves_from_job, run_label

FIXTURES = Path(__file__).parents[2] / "fixtures"


def test_train_at_every_step_valid_only_where_evaluated_oldest_first() -> None:
    job = detail(
        checkpoints=(  # newest first, as the API sends them
            checkpoint(30, T0 + 30, train=0.9, valid=1.1),
            checkpoint(20, T0 + 20, train=1.2, valid=0.0),
            checkpoint(10, T0 + 10, train=1.5, valid=1.4),
        )
    )
    run = curves_from_job(job)
    assert run.train == Curve((10, 20, 30), (1.5, 1.2, 0.9))
    assert run.valid == Curve((10, 30), (1.4, 1.1))
    assert run.perplexity.steps == (10, 30)
    assert run.perplexity.values == pytest.approx((2**1.4, 2**1.1))


def test_valid_loss_zero_never_becomes_a_point() -> None:
    job = training_run(last_step=1000, every=10, eval_every=100)
    run = curves_from_job(job)
    zero_steps = {c.step_number for c in job.checkpoints if c.metrics.valid_loss == 0.0}
    assert len(zero_steps) == 90
    assert not zero_steps & set(run.valid.steps)
    assert not zero_steps & set(run.perplexity.steps)
    assert 0.0 not in run.valid.values
    assert run.valid.steps == tuple(range(100, 1001, 100))


def test_missing_and_non_finite_values_are_skipped() -> None:
    odd = (
        Checkpoint(Metrics(train_loss=None, valid_loss=None), step_number=10, created_at=T0),
        Checkpoint(
            Metrics(train_loss=math.nan, valid_loss=math.inf), step_number=20, created_at=T0
        ),
        Checkpoint(Metrics(train_loss=0.7, valid_loss=0.8), step_number=30, created_at=T0),
    )
    run = curves_from_job(detail(checkpoints=odd))
    assert run.train == Curve((30,), (0.7,))
    assert run.valid == Curve((30,), (0.8,))
    # No perplexity was sent: it is 2 ** valid_loss by construction.
    assert run.perplexity.values == pytest.approx((2**0.8,))


def test_a_step_reported_twice_keeps_its_latest_checkpoint() -> None:
    job = detail(
        checkpoints=(
            checkpoint(10, T0 + 99, train=0.5),
            checkpoint(10, T0 + 10, train=0.9),
        )
    )
    assert curves_from_job(job).train == Curve((10,), (0.5,))


def test_list_item_and_none_give_empty_curves() -> None:
    assert not curves_from_job(item()).train
    assert not curves_from_job(None).train
    assert curves_from_job(item("job-9")).job_id == "job-9"


def test_planned_steps_only_while_training() -> None:
    assert curves_from_job(training_run(last_step=300, planned=1000)).planned_steps == 1000
    finished = training_run(last_step=300, planned=1000, status="CANCELLED")
    assert curves_from_job(finished).planned_steps is None


def test_label_is_short_id_and_suffix_with_controls_made_visible() -> None:
    job = attrs.evolve(item("ab12cd34-5678"), suffix="evil\x1b]0;title\x07\u202e")
    label = run_label(job)
    assert label.startswith("ab12cd34 evil")
    assert "\x1b" not in label
    assert "\x07" not in label
    assert "\u202e" not in label
    assert "␛" in label
    assert "<U+202E>" in label
    assert run_label(attrs.evolve(job, suffix=None)) == "ab12cd34"


def test_long_suffix_is_cut() -> None:
    label = run_label(attrs.evolve(item("ab12cd34"), suffix="x" * 5000))
    assert len(label) < 80
    assert label.endswith("x…")  # the cut is marked


def test_curve_lookups() -> None:
    curve = Curve((10, 20, 40), (3.0, 1.0, 2.0))
    assert curve.first == Sample(10, 3.0)
    assert curve.last == Sample(40, 2.0)
    assert curve.minimum == Sample(20, 1.0)
    assert curve.at_or_before(30) == Sample(20, 1.0)
    assert curve.at_or_before(40) == Sample(40, 2.0)
    assert curve.at_or_before(5) is None
    assert curve.window(15, 40) == Curve((20, 40), (1.0, 2.0))
    assert Curve().minimum is None


@pytest.mark.parametrize(
    "name",
    [
        "job-detail-completion-100-steps-2024-05-docs.json",
        "job-detail-completion-63-steps-2024-06.json",
        "job-classifier-success-2025-04-partial-checkpoints.json",
    ],
)
def test_real_payloads(name: str) -> None:
    job = parse_job((FIXTURES / name).read_bytes())
    run = curves_from_job(job)
    checkpoints = sorted(job.checkpoints, key=lambda c: c.step_number)  # type: ignore[union-attr]
    assert run.train.steps == tuple(c.step_number for c in checkpoints)
    evaluated = [c for c in checkpoints if c.metrics.valid_loss]
    assert run.valid.values == tuple(c.metrics.valid_loss for c in evaluated)
    assert list(run.train.steps) == sorted(run.train.steps)
