"""Progress, elapsed time and ETA."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from monitor_factories import T0, checkpoint, detail, item, metadata, status_event

from tui.api.convert import parse_job
from tui.api.models import JobDetails
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


# --------------------------------------------------------------------------- real payloads

FIXTURES = Path(__file__).parents[2] / "fixtures"


def fixture(name: str) -> JobDetails:
    return parse_job((FIXTURES / name).read_bytes())


def test_pixtral_fixture_duration_and_progress() -> None:
    job = fixture("job-detail-completion-pixtral-69-steps-2025-07.json")
    p = compute_progress(job, now=job.modified_at + 10_000)
    assert p.step == 69
    assert p.total_steps == 69
    assert p.fraction == 1.0
    assert p.started_at == 1752043145  # the RUNNING event
    assert p.finished_at == 1752043672  # the SUCCESS event
    assert p.elapsed == 527
    assert p.eta is None
    assert p.rate is not None
    assert p.rate > 0


def test_docs_fixture_rate_over_recent_checkpoints() -> None:
    job = fixture("job-detail-completion-100-steps-2024-05-docs.json")
    p = compute_progress(job, now=job.modified_at)
    assert p.step == 100
    cps = job.checkpoints_by_step
    window = cps[-10:]
    expected = (window[-1].step_number - window[0].step_number) / (
        window[-1].created_at - window[0].created_at
    )
    assert p.rate == pytest.approx(expected)
    assert p.elapsed == 1717173491 - 1717172594


def test_fixture_as_if_still_running_gives_eta() -> None:
    # The 63-step job, seen at its step-60 checkpoint while still RUNNING: 3 steps to go.
    job = attrs.evolve(
        fixture("job-detail-completion-63-steps-2024-06.json"),
        status="RUNNING",
        events=(),
    )
    last = job.checkpoints_by_step[-1]
    p = compute_progress(job, now=last.created_at)
    assert p.step == 60
    assert p.eta == pytest.approx(3 / p.rate)
    assert p.eta_source == "checkpoints"


def test_events_without_data_fall_back_to_modified_at() -> None:
    job = fixture("job-detail-completion-10-steps-2024-07.json")
    p = compute_progress(job, now=job.modified_at + 5)
    assert p.started_at is None  # events carry no status
    assert p.finished_at == job.modified_at
    assert p.elapsed is None
    assert p.fraction == 1.0
