"""Readouts: a run's summary, and every metric at the step cursor."""

from __future__ import annotations

import pytest
from monitor_factories import T0, checkpoint, detail

from tui.monitor.curves import (
    RunCurves,
    Sample,
    cursor_stops,
    curves_from_job,
    move_cursor,
    readout_at,
    readout_text,
    summarize,
    summary_parts,
    summary_text,
    wrap_parts,
)


def sample_run() -> RunCurves:
    return curves_from_job(
        detail(
            checkpoints=(
                checkpoint(40, T0 + 40, train=0.95, valid=0.0),
                checkpoint(30, T0 + 30, train=0.70, valid=1.10),
                checkpoint(20, T0 + 20, train=1.20, valid=0.0),
                checkpoint(10, T0 + 10, train=1.50, valid=1.40),
            )
        )
    )


def test_readout_at_an_evaluated_step() -> None:
    readout = readout_at(sample_run(), 30)
    assert readout.train == Sample(30, 0.70)
    assert readout.valid == Sample(30, 1.10)
    assert readout.perplexity is not None
    assert readout.perplexity.value == pytest.approx(2**1.10)
    assert readout_text(readout) == "step 30 · train 0.7 · valid 1.1 · ppl 2.1435"


def test_readout_between_evaluations_says_where_valid_comes_from() -> None:
    readout = readout_at(sample_run(), 40)
    assert readout.train == Sample(40, 0.95)
    assert readout.valid == Sample(30, 1.10)
    assert "valid 1.1 (step 30)" in readout_text(readout)


def test_readout_between_checkpoints_uses_the_one_before() -> None:
    readout = readout_at(sample_run(), 25)
    assert readout.train == Sample(20, 1.20)
    assert readout.valid == Sample(10, 1.40)
    assert readout_text(readout).startswith("step 25 · train 1.2 (step 20)")


def test_readout_before_any_evaluation() -> None:
    readout = readout_at(sample_run(), 5)
    assert readout.train is None
    assert readout.valid is None
    assert readout.perplexity is None
    assert readout_text(readout) == "step 5 · train — · valid not evaluated yet"


def test_summary() -> None:
    summary = summarize(sample_run())
    assert summary.first == Sample(10, 1.50)
    assert summary.last == Sample(40, 0.95)
    assert summary.minimum == Sample(30, 0.70)
    assert summary.best_valid == Sample(30, 1.10)
    assert summary.last_valid == Sample(30, 1.10)
    assert summary.perplexity is not None
    assert summary.perplexity.step == 30
    assert summary_text(summary) == (
        "train 0.95 · min 0.7 @30 · first 1.5 · best valid 1.1 @30 · ppl 2.1435"
    )


def test_summary_of_nothing() -> None:
    assert summary_text(summarize(RunCurves("x", "x"))) == "no checkpoints yet"


def test_a_run_without_validation_says_why_and_never_yet_once_finished() -> None:
    no_set = curves_from_job(detail(validation_files=(), checkpoints=(checkpoint(10, T0),)))
    assert summary_parts(summarize(no_set), valid_note=no_set.valid_note)[3] == (
        "best valid no validation set"
    )
    finished = curves_from_job(
        detail(status="SUCCESS", validation_files=("file-v",), checkpoints=(checkpoint(10, T0),))
    )
    assert finished.valid_note == "not evaluated"
    training = curves_from_job(detail(validation_files=("file-v",)))
    assert training.valid_note == "not evaluated yet"


def test_summary_wraps_between_its_pieces_only() -> None:
    parts = summary_parts(summarize(sample_run()))
    assert parts == ["train 0.95", "min 0.7 @30", "first 1.5", "best valid 1.1 @30", "ppl 2.1435"]
    assert wrap_parts(parts, 200) == [" · ".join(parts)]
    assert wrap_parts(parts, 40) == [
        "train 0.95 · min 0.7 @30 · first 1.5",
        "best valid 1.1 @30 · ppl 2.1435",
    ]
    # A piece wider than the line gets one of its own (the caller cuts it).
    assert wrap_parts(parts, 8) == parts
    assert wrap_parts([], 10) == []


def test_cursor_stops_and_moves() -> None:
    stops = cursor_stops([sample_run()])
    assert stops == (10, 20, 30, 40)
    assert move_cursor(stops, None, -1) == 40  # appears on the newest step
    assert move_cursor(stops, 30, -1) == 20
    assert move_cursor(stops, 30, 1) == 40
    assert move_cursor(stops, 40, 1) == 40  # clamped
    assert move_cursor(stops, 20, -10) == 10
    assert move_cursor(stops, 25, 1) == 30  # from between two stops
    assert move_cursor(stops, 25, -1) == 20
    assert move_cursor(stops, 25, 0) == 20
    assert move_cursor((), 25, 1) is None
