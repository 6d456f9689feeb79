"""The real payloads go in and come back out equal; checkpoints and events are appended once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from history_helpers import (
    MISTRAL_JOB_FILES,
    fixture_details,
    fixture_page_items,
    open_store,
    read_fixture,
    rows,
    running_with,
)

from tui.api.clock import ManualClock
from tui.api.convert import dumps, parse_job, unstructure
from tui.api.models import TERMINAL_STATUSES
from tui.history.writes import SEEN_RESOLUTION


def wire(details: Any) -> dict[str, Any]:
    """The wire JSON of a detail; the store always states its (possibly empty) history lists."""
    data: dict[str, Any] = unstructure(details)
    data.setdefault("checkpoints", [])
    data.setdefault("events", [])
    return data


def test_list_items_come_back_newest_first_as_they_were_sent(tmp_path: Path) -> None:
    items = fixture_page_items()
    store = open_store(tmp_path)
    store.record(items=items)

    stored = store.load_jobs()

    expected = sorted(items, key=lambda job: (-job.created_at, job.id))
    assert stored.jobs == tuple(expected)
    assert [dumps(job) for job in stored.jobs] == [dumps(job) for job in expected]
    assert stored.final_details == frozenset()
    assert stored.summaries == {}
    assert set(stored.last_seen) == {job.id for job in items}


@pytest.mark.parametrize("name", MISTRAL_JOB_FILES)
def test_a_detail_comes_back_as_parse_job_gives_it(tmp_path: Path, name: str) -> None:
    details = fixture_details(name)
    store = open_store(tmp_path)
    store.record(details=[details])

    back = store.load_details(details.id)

    assert back == details
    assert type(back) is type(details)
    # Same order of checkpoints and events as on the wire (newest first or not), same keys.
    assert wire(back) == wire(details)
    assert [job.id for job in store.load_jobs().jobs] == [details.id]


def test_writing_the_same_details_again_adds_no_rows(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    every = [fixture_details(name) for name in MISTRAL_JOB_FILES]
    store.record(details=every)
    counts = store.info().counts

    store.record(details=every)
    store.record(details=every[::-1])

    assert store.info().counts == counts
    assert rows(
        store.path, "SELECT count(*) FROM (SELECT DISTINCT job_id, step FROM checkpoints)"
    ) == [(counts.checkpoints,)]


def test_identical_events_sent_together_are_all_kept(tmp_path: Path) -> None:
    # The 2024 payload repeats "status-updated" without data in the same second.
    details = fixture_details("job-detail-completion-10-steps-2024-07.json")
    assert len(set(details.events)) < len(details.events)
    store = open_store(tmp_path)

    store.record(details=[details])
    store.record(details=[details])

    assert store.load_details(details.id).events == details.events  # type: ignore[union-attr]
    assert store.info().counts.events == len(details.events)


def test_checkpoints_of_a_running_job_are_appended_across_writes(tmp_path: Path) -> None:
    final = fixture_details("job-detail-completion-pixtral-69-steps-2025-07.json")
    newest_first = final.checkpoints  # the API's order
    store = open_store(tmp_path)

    seen_counts = []
    for known in (5, 20, 20, 47, 69):
        store.record(details=[running_with(final, newest_first[-known:])])
        seen_counts.append(store.info().counts.checkpoints)
        partial = store.load_details(final.id)
        assert partial is not None
        assert partial.checkpoints == newest_first[-known:]
        assert final.id not in store.final_detail_ids()
    store.record(details=[final])

    assert seen_counts == [5, 20, 20, 47, 69]
    assert store.load_details(final.id) == final
    assert store.final_detail_ids() == {final.id}
    steps = rows(
        store.path, "SELECT step FROM checkpoints WHERE job_id = ? ORDER BY step", final.id
    )
    assert sorted(step for (step,) in steps) == sorted(c.step_number for c in final.checkpoints)


def test_a_job_followed_through_its_life_ends_with_its_last_payload(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    lifecycle = [
        "job-classifier-created-queued-2025-04.json",
        "job-classifier-validated-2025-04.json",
        "job-classifier-success-2025-04-partial-checkpoints.json",
    ]
    for name in lifecycle:
        details = fixture_details(name)
        store.record(details=[details])
        back = store.load_details(details.id)
        assert back == details
        assert wire(back) == wire(details)
    assert store.info().counts.events == len(details.events)


def test_a_list_item_keeps_the_stored_detail_and_its_final_mark(tmp_path: Path) -> None:
    details = fixture_details("job-classifier-success-2025-04-partial-checkpoints.json")
    store = open_store(tmp_path)
    store.record(details=[details])
    listed = store.load_jobs().jobs[0]

    store.record(items=[listed])

    assert store.load_details(details.id) == details
    assert store.final_detail_ids() == {details.id}
    assert store.load_jobs().final_details == {details.id}


def test_a_status_change_makes_the_stored_detail_no_longer_final(tmp_path: Path) -> None:
    # A job cancelled, then listed with another status (a workspace restored, a new lifecycle):
    # whatever the reason, the stored final detail no longer matches the job.
    details = fixture_details("job-detail-completion-100-steps-2024-05-docs.json")
    store = open_store(tmp_path)
    store.record(details=[details])
    listed = store.load_jobs().jobs[0]

    store.record(items=[attrs.evolve(listed, status="RUNNING")])

    assert store.final_detail_ids() == frozenset()
    assert store.load_details(details.id) is not None  # the checkpoints stay


def test_list_items_only_have_no_detail(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.record(items=fixture_page_items()[:3])

    assert store.load_details(fixture_page_items()[0].id) is None
    assert store.load_details("no-such-job") is None


def test_seen_moves_only_the_last_seen_time_and_only_when_it_is_worth_a_write(
    tmp_path: Path,
) -> None:
    clock = ManualClock(1_800_000_000.0)
    store = open_store(tmp_path, clock=clock)
    items = fixture_page_items()[:3]
    store.record(items=items)
    before = store.load_jobs()
    first_seen = before.last_seen[items[0].id]

    clock.advance(SEEN_RESOLUTION / 2)
    store.record(seen=[items[0].id], items=[items[1]])  # unchanged: no row is rewritten
    assert store.load_jobs().last_seen == before.last_seen

    clock.advance(SEEN_RESOLUTION)
    store.record(seen=[items[0].id, "never-stored"], items=[items[1]])

    after = store.load_jobs()
    assert after.jobs == before.jobs
    expected = first_seen + 1.5 * SEEN_RESOLUTION
    assert after.last_seen[items[0].id] == after.last_seen[items[1].id] == expected
    assert after.last_seen[items[2].id] == first_seen
    assert "never-stored" not in after.last_seen


def test_forget_deletes_a_job_with_its_checkpoints_and_events(tmp_path: Path) -> None:
    kept = fixture_details("job-detail-completion-63-steps-2024-06.json")
    gone = fixture_details("job-detail-completion-100-steps-2024-05-docs.json")
    store = open_store(tmp_path)
    store.record(details=[kept, gone])

    store.forget([gone.id])

    assert [job.id for job in store.load_jobs().jobs] == [kept.id]
    assert store.load_details(gone.id) is None
    counts = store.info().counts
    assert (counts.checkpoints, counts.events) == (len(kept.checkpoints), len(kept.events))


# ---------------------------------------------------------------------------- summaries


def oracle_summary(raw: dict[str, Any]) -> dict[str, Any]:
    """The summary worked out from the raw JSON by hand, independently of the models."""
    checkpoints = raw.get("checkpoints") or []
    last = max(checkpoints, key=lambda c: c["step_number"], default=None)
    evaluated = [c for c in checkpoints if c["metrics"].get("valid_loss")]
    last_valid = max(evaluated, key=lambda c: c["step_number"], default=None)
    statuses = [
        (e["created_at"], (e.get("data") or {}).get("status")) for e in raw.get("events") or []
    ]
    starts = [t for t, s in statuses if s in ("RUNNING", "STARTED")]
    ends = [t for t, s in statuses if s in TERMINAL_STATUSES]
    end = (
        max(ends) if ends else (raw["modified_at"] if raw["status"] in TERMINAL_STATUSES else None)
    )
    return {
        "last_step": last["step_number"] if last else None,
        "train_loss": last["metrics"]["train_loss"] if last else None,
        "valid_step": last_valid["step_number"] if last_valid else None,
        "valid_loss": last_valid["metrics"]["valid_loss"] if last_valid else None,
        "perplexity": last_valid["metrics"]["valid_mean_token_accuracy"] if last_valid else None,
        "duration": end - min(starts) if starts and end is not None else None,
        "checkpoint_count": len(checkpoints),
    }


@pytest.mark.parametrize("name", MISTRAL_JOB_FILES)
def test_summaries_of_the_real_payloads(tmp_path: Path, name: str) -> None:
    raw = read_fixture(name)
    store = open_store(tmp_path)
    store.record(details=[parse_job(raw)])

    summary = store.load_jobs().summaries.get(raw["id"])

    expected = oracle_summary(raw)
    if all(value in (None, 0) for value in expected.values()):
        assert summary is None  # nothing to show yet: the job is only listed
    else:
        assert summary is not None
        assert attrs.asdict(summary) == expected


def test_the_summary_follows_checkpoints_as_they_arrive(tmp_path: Path) -> None:
    final = fixture_details("job-detail-completion-100-steps-2024-05-docs.json")
    by_step = final.checkpoints_by_step
    store = open_store(tmp_path)

    store.record(details=[running_with(final, by_step[:4])])
    early = store.load_jobs().summaries[final.id]
    # A later payload cut short (only the newest checkpoint) must not move the summary back.
    store.record(details=[running_with(final, by_step[-1:])])
    store.record(details=[running_with(final, by_step[:2])])
    late = store.load_jobs().summaries[final.id]

    assert (early.last_step, early.train_loss) == (
        by_step[3].step_number,
        by_step[3].metrics.train_loss,
    )
    assert early.duration is None  # still running
    assert (late.last_step, late.train_loss) == (
        by_step[-1].step_number,
        by_step[-1].metrics.train_loss,
    )
    assert late.checkpoint_count == 5
    assert rows(store.path, "SELECT count(*) FROM checkpoints") == [(5,)]
