"""The notice of a finished job names it, says where it got and, for a failure, why."""

from __future__ import annotations

import attrs
from support.hostile import HOSTILE, MARKUP, deep_data

from tests.ui.helpers import make_job
from tui.api.models import Event
from tui.display.text import is_clean
from tui.monitor.finish import failure_reason, finish_message
from tui.monitor.store import JobSummary, to_list_item

JOB_ID = "a992a603-1111-2222-3333-444455556666"


def finished(status: str, **fields: object) -> object:
    job = make_job(JOB_ID, status=status, suffix="faq-bot", checkpoints=[(40, 0.8123, 0.7843)])
    return attrs.evolve(job, **fields)


def test_a_success_names_the_job_its_last_step_and_losses() -> None:
    job = finished("SUCCESS")
    text = finish_message(job, JobSummary.of(job))  # type: ignore[arg-type]
    assert text == "faq-bot (a992a603) succeeded\nstep 40/100 · train 0.8123 · valid 0.7843"


def test_a_failure_gives_the_reason_from_the_last_event() -> None:
    events = (
        Event(name="status-updated", created_at=1, data={"status": "RUNNING"}),
        Event(name="status-updated", created_at=9, data={"status": "FAILED", "error": "CUDA OOM"}),
    )
    job = finished("FAILED", events=events)
    text = finish_message(job, JobSummary.of(job))  # type: ignore[arg-type]
    assert text.splitlines() == [
        "faq-bot (a992a603) failed",
        "step 40/100 · train 0.8123 · valid 0.7843",
        "reason: CUDA OOM",
    ]


def test_without_a_known_reason_key_the_event_data_speaks() -> None:
    events = (Event(name="x", created_at=9, data={"status": "FAILED", "code": 137}),)
    assert failure_reason(finished("FAILED", events=events)) == "code=137"  # type: ignore[arg-type]
    deep = (Event(name="x", created_at=9, data={"status": "FAILED", **deep_data(500, "z")}),)
    reason = failure_reason(finished("FAILED", events=deep))  # type: ignore[arg-type]
    assert reason is not None
    assert reason.startswith("error={error=")


def test_no_suffix_falls_back_to_the_model_and_unknowns_are_left_out() -> None:
    job = to_list_item(
        make_job(JOB_ID, status="CANCELLED", model="open-mistral-7b", fine_tuned_model=None)
    )
    assert finish_message(job, JobSummary()) == "open-mistral-7b (a992a603) was cancelled"


def test_a_job_evaluated_never_says_so() -> None:
    job = attrs.evolve(
        make_job(JOB_ID, status="SUCCESS", suffix="s", checkpoints=[(10, 0.5, 0.0)]),
        validation_files=(),
    )
    text = finish_message(job, JobSummary.of(job))
    assert text.endswith("step 10/100 · train 0.5 · no validation set")


def test_hostile_names_and_reasons_arrive_safe() -> None:
    events = (Event(name=HOSTILE, created_at=9, data={"status": "FAILED", "error": HOSTILE}),)
    job = finished("FAILED", suffix=HOSTILE, events=events)
    text = finish_message(job, JobSummary.of(job))  # type: ignore[arg-type]
    assert all(is_clean(line) for line in text.splitlines())
    assert len(text.splitlines()) == 3
    markup = finished("SUCCESS", suffix=MARKUP)
    assert finish_message(markup, JobSummary.of(markup)).startswith(MARKUP[:50])  # type: ignore[arg-type]
