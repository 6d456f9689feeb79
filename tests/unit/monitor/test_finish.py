"""The notice of a finished job names it, says where it got and, for a failure, why."""

from __future__ import annotations

import attrs
from support.hostile import HOSTILE, MARKUP, deep_data

from tests.ui.helpers import make_job
from tui.api.clock import ManualClock
from tui.api.models import Event
from tui.display.text import is_clean
from tui.monitor.changes import JobGone
from tui.monitor.finish import FinishNotices, failure_reason, finish_message
from tui.monitor.store import JobStore, JobSummary, to_list_item

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


def notices_for(store: JobStore, clock: ManualClock) -> FinishNotices:
    return FinishNotices(store, clock, wait=30.0)


def test_a_finish_seen_in_a_detail_is_announced_at_once_and_only_once() -> None:
    clock = ManualClock()
    store = JobStore(clock=clock)
    notices = notices_for(store, clock)
    running = make_job(JOB_ID, status="RUNNING", suffix="faq-bot", checkpoints=[(40, 0.8, 0.7)])
    assert notices.take(store.apply(running)) == []
    failed = attrs.evolve(running, status="FAILED")
    (notice,) = notices.take(store.apply(failed))
    assert (notice.job_id, notice.status) == (JOB_ID, "FAILED")
    assert notice.text.startswith("faq-bot (a992a603) failed")
    assert notices.take(store.apply(failed)) == []
    assert notices.take(store.apply(attrs.evolve(failed, status="SUCCESS"))) == []


def test_a_finish_seen_in_a_list_waits_for_the_final_detail_or_the_deadline() -> None:
    clock = ManualClock()
    store = JobStore(clock=clock)
    notices = notices_for(store, clock)
    running = make_job(JOB_ID, status="RUNNING", suffix="s", checkpoints=[(10, 0.9, 0.8)])
    notices.take(store.apply(running))
    listed_failed = to_list_item(attrs.evolve(running, status="FAILED"))
    assert notices.take(store.apply(listed_failed)) == []
    assert notices.announced == {JOB_ID}
    final = attrs.evolve(
        running,
        status="FAILED",
        checkpoints=(*running.checkpoints,),
        events=(Event(name="x", created_at=5, data={"status": "FAILED", "error": "OOM"}),),
    )
    (notice,) = notices.take(store.apply(final))
    assert notice.text.endswith("reason: OOM")
    # Another job: its detail never comes; the deadline lets the notice out.
    other = make_job("b" * 36, status="RUNNING", suffix="t")
    notices.take(store.apply(other))
    notices.take(store.apply(to_list_item(attrs.evolve(other, status="CANCELLED"))))
    clock.advance(29)
    assert notices.take([]) == []
    clock.advance(2)
    (late,) = notices.take([])
    assert late.text == f"t ({'b' * 8}) was cancelled"


def test_jobs_already_finished_or_gone_are_forgotten() -> None:
    clock = ManualClock()
    store = JobStore(clock=clock)
    notices = notices_for(store, clock)
    done = make_job(JOB_ID, status="SUCCESS")
    assert notices.take(store.apply(done)) == []
    assert notices.announced == {JOB_ID}
    notices.take([JobGone(JOB_ID)])
    assert notices.announced == frozenset()
