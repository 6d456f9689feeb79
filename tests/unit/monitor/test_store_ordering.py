"""The store's kept sort order: moving changed jobs gives what sorting everything gives."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.unit.monitor.monitor_factories import T0, checkpoint, detail, item
from tui.api.models import StatusGroup
from tui.monitor.ordering import SortedJobs, _column_value, sort_key
from tui.monitor.query import JobFilter, SortColumn, SortSpec
from tui.monitor.store import JobStore, JobView

NOW = T0 + 5000
STATUSES = ["RUNNING", "SUCCESS", "FAILED", "QUEUED", "VALIDATED", "CANCELLED", "ODD_NEW"]
MODELS = ["open-mistral-7b", "Mistral-Small", "codestral-latest", "ministral-8b-latest"]


def reference(views: list[JobView], spec: SortSpec) -> list[str]:
    """The documented order, the slow way: newest first (id breaks ties), then a stable sort
    by the column, missing values last in both directions."""
    rows = sorted(views, key=lambda v: (-v.job.created_at, v.job.id))
    if spec.column is SortColumn.CREATED:
        rows = rows if spec.descending else rows[::-1]
        return [v.id for v in rows]
    keyed = []
    for view in rows:
        key = sort_key(view, spec, NOW)
        keyed.append((None if key[0] == 1 else key, view))
    present = [(k, v) for k, v in keyed if k is not None]
    missing = [v for k, v in keyed if k is None]
    values = {id(v): _column_value(v, spec.column, NOW) for _, v in present}
    present.sort(key=lambda kv: values[id(kv[1])], reverse=spec.descending)
    return [v.id for _, v in present] + [v.id for v in missing]


def random_job(rng: random.Random, job_id: str) -> Any:
    status = rng.choice(STATUSES)
    fields: dict[str, Any] = {
        "created_at": T0 + rng.randrange(50),  # many ties
        "model": rng.choice(MODELS),
        "suffix": rng.choice([None, "", "alpha", "Beta", "alphabet", "b"]),
        "job_type": rng.choice(["completion", "FT", "classifier-ish"]),
    }
    if rng.random() < 0.5:
        steps = rng.randrange(1, 100)
        train = rng.choice([0.5, 0.25, 1.0, float("nan")])
        cps = (checkpoint(steps, T0 + 100 + steps, train=train, valid=rng.choice([0.0, 0.7])),)
        return detail(job_id, status, checkpoints=cps, **fields)
    return item(job_id, status, **fields)


@pytest.mark.parametrize("column", list(SortColumn))
@pytest.mark.parametrize("descending", [True, False])
def test_moving_changed_jobs_matches_a_full_sort(column: SortColumn, descending: bool) -> None:
    rng = random.Random(f"{column}-{descending}")
    store = JobStore()
    spec = SortSpec(column, descending)
    for n in range(120):
        store.apply(random_job(rng, f"job-{n:03d}"))
    assert store.query_rows(sort=spec, now_wall=NOW).ids == reference(list(store), spec)
    for _ in range(30):  # a few changes at a time: moved in place, not resorted
        for _ in range(rng.randrange(1, 4)):
            job_id = f"job-{rng.randrange(140):03d}"
            if rng.random() < 0.15:
                store.remove(job_id)
            else:
                store.apply(random_job(rng, job_id))
        rows = store.query_rows(sort=spec, now_wall=NOW)
        assert rows.ids == reference(list(store), spec)
        assert [view.id for view in rows.views] == rows.ids
        assert all(store.get(view.id) is view for view in rows.views)


def test_a_few_changes_move_jobs_without_sorting_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = JobStore()
    for n in range(500):
        store.apply(item(f"job-{n:03d}", created_at=T0 + n))
    store.query_rows(sort=SortSpec(SortColumn.STATUS, descending=False))
    built: list[SortSpec] = []
    original = SortedJobs.__init__

    def spy(self: SortedJobs, spec: SortSpec, *args: Any) -> None:
        built.append(spec)
        original(self, spec, *args)

    monkeypatch.setattr(SortedJobs, "__init__", spy)
    store.apply(item("job-007", "SUCCESS", created_at=T0 + 7))
    rows = store.query_rows(sort=SortSpec(SortColumn.STATUS, descending=False))
    assert rows.ids[-1] == "job-007"  # SUCCESS ranks last
    rows = store.query_rows(JobFilter(text="job-00"), SortSpec(SortColumn.STATUS, descending=False))
    assert len(rows) == 10
    assert built == []  # moved in place, filtered in one pass
    store.query_rows(sort=SortSpec(SortColumn.MODEL))
    assert built == [SortSpec(SortColumn.MODEL)]  # another order is sorted once


def test_rows_handed_out_do_not_change_with_the_store() -> None:
    store = JobStore()
    store.apply(item("a", created_at=T0))
    rows = store.query_rows()
    store.apply(item("b", created_at=T0 + 1))
    assert store.query_rows().ids == ["b", "a"]
    assert rows.ids == ["a"]


def test_group_counts_follow_every_write() -> None:
    store = JobStore()
    store.apply(item("a", "RUNNING"))
    store.apply(item("b", "RUNNING"))
    store.apply(item("a", "SUCCESS"))
    store.remove("b")
    counts = store.counts_by_group()
    assert counts[StatusGroup.SUCCEEDED] == 1
    assert counts[StatusGroup.RUNNING] == 0
    assert sum(counts.values()) == len(store)
