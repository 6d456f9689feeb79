"""Progress, elapsed time and ETA."""

from __future__ import annotations

import pytest
from monitor_factories import T0, checkpoint, detail, item, metadata, status_event

from tui.monitor.progress import compute_progress, steps_per_second


def test_running_job_eta_from_checkpoint_rate() -> None:
    # 10 steps every 100 s => 0.1 step/s; 60 steps left => 600 s, minus 20 s since the last one.
    job = detail(
        checkpoints=(checkpoint(20, T0 + 300), checkpoint(30, T0 + 400), checkpoint(40, T0 + 500)),
        events=(status_event("QUEUED", T0), status_event("RUNNING", T0 + 100)),
    )
    p = compute_progress(job, now=T0 + 520)
    assert p.step == 40
    assert p.total_steps == 100
    assert p.fraction == pytest.approx(0.4)
    assert p.started_at == T0 + 100
    assert p.elapsed == pytest.approx(420)
    assert p.rate == pytest.approx(0.1)
    assert p.eta == pytest.approx(580)
    assert p.eta_source == "checkpoints"
    assert p.finished_at is None


def test_single_checkpoint_rate_measured_from_start() -> None:
    job = detail(
        checkpoints=(checkpoint(10, T0 + 200),), events=(status_event("RUNNING", T0 + 100),)
    )
    p = compute_progress(job, now=T0 + 200)
    assert p.rate == pytest.approx(0.1)
    assert p.eta == pytest.approx(900)


def test_eta_falls_back_to_expected_duration() -> None:
    job = detail(events=(status_event("RUNNING", T0),), metadata=metadata(1000))
    p = compute_progress(job, now=T0 + 250)
    assert p.step is None
    assert p.fraction is None
    assert p.eta == pytest.approx(750)
    assert p.eta_source == "estimate"


def test_list_item_running_starts_at_modified_at() -> None:
    job = item(status="RUNNING", modified_at=T0 + 50, metadata=metadata(100))
    p = compute_progress(job, now=T0 + 80)
    assert p.started_at == T0 + 50
    assert p.elapsed == pytest.approx(30)
    assert p.eta == pytest.approx(70)


def test_finished_job_has_duration_and_no_eta() -> None:
    job = detail(
        status="SUCCESS",
        checkpoints=(checkpoint(100, T0 + 900),),
        events=(status_event("SUCCESS", T0 + 1000), status_event("RUNNING", T0 + 100)),
    )
    p = compute_progress(job, now=T0 + 99_999)
    assert p.fraction == 1.0
    assert p.elapsed == pytest.approx(900)
    assert p.finished_at == T0 + 1000
    assert p.eta is None


def test_pending_job_has_nothing() -> None:
    p = compute_progress(item(status="QUEUED"), now=T0 + 10)
    assert (p.step, p.fraction, p.elapsed, p.eta) == (None, None, None, None)


def test_rate_needs_progress() -> None:
    assert steps_per_second(()) is None
    same_time = (checkpoint(1, T0), checkpoint(2, T0))
    assert steps_per_second(same_time) is None
