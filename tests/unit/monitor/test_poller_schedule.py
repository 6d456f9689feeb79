"""The schedule arithmetic on its own: intervals, retry gaps and when each tier is due."""

from __future__ import annotations

import pytest
from monitor_factories import detail, item

from tui.monitor.schedule import (
    MAX_SCALE,
    MIN_SCALE,
    Pace,
    detail_due_at,
    list_due_at,
    next_deadline,
    page_count,
    spread_pages,
)
from tui.monitor.settings import PollerSettings
from tui.monitor.store import JobView

SETTINGS = PollerSettings(
    list_interval=30,
    full_list_interval=300,
    detail_interval=10,
    pending_detail_interval=60,
    unfocused_factor=3,
)
NOW = 1000.0


def pace(scale: float = 1.0, focused: bool = True) -> Pace:
    return Pace(SETTINGS, scale=scale, focused=focused)


def fetched(status: str = "RUNNING", at: float = NOW - 4, failures: int = 0) -> JobView:
    """A job whose detail body is held, fetched at ``at``."""
    return JobView(job=detail("j", status), detail_fetched_at=at, failures=failures)


def listed(status: str = "RUNNING", failures: int = 0) -> JobView:
    """A job known from the list only."""
    return JobView(job=item("j", status), listed_at=NOW - 1, failures=failures)


def due(view: JobView, p: Pace | None = None, **flags: object) -> float | None:
    options: dict[str, object] = {
        "tried_at": None,
        "wanted": False,
        "selected": False,
        "forced": False,
    }
    options.update(flags)
    return detail_due_at(p or pace(), view, NOW, **options)  # type: ignore[arg-type]


# ---------------------------------------------------------------- Pace


def test_effective_intervals_follow_the_scale_and_lost_focus() -> None:
    assert pace().effective(10) == 10
    assert pace(scale=2).effective(10) == 20
    assert pace(scale=2, focused=False).effective(10) == 60


def test_rescale_is_clamped() -> None:
    p = pace()
    assert p.rescale(2) == 2
    assert p.rescale(1000) == MAX_SCALE
    assert p.rescale(1e-6) == MIN_SCALE
    assert p.scale == MIN_SCALE


def test_retry_gap_doubles_from_the_detail_interval_up_to_the_full_list_interval() -> None:
    gaps = [pace().retry_gap(failures) for failures in range(8)]
    assert gaps == [10, 10, 20, 40, 80, 160, 300, 300]
    assert pace(scale=0.5).retry_gap(3) == 20
    assert pace().retry_gap(10_000) == 300  # a huge streak neither overflows nor grows


@pytest.mark.parametrize(
    ("status", "interval"),
    [("RUNNING", 10), ("STARTED", 10), ("QUEUED", 60), ("VALIDATING", 60), ("VALIDATED", None)],
)
def test_detail_interval_for_each_status(status: str, interval: float | None) -> None:
    assert pace().detail_interval_for(status) == interval


# ---------------------------------------------------------------- detail_due_at


def test_a_finished_job_is_due_only_while_wanted() -> None:
    assert due(fetched("SUCCESS")) is None
    assert due(fetched("SUCCESS"), wanted=True) == NOW
    assert due(fetched("SUCCESS", failures=2), wanted=True, tried_at=NOW - 5) == NOW - 5 + 20
    assert due(fetched("SUCCESS"), forced=True) is None  # refresh_now() does not refetch it


def test_a_training_job_is_due_an_interval_after_its_last_fetch() -> None:
    assert due(fetched("RUNNING", at=NOW - 4)) == NOW + 6
    assert due(fetched("QUEUED", at=NOW - 4)) == NOW + 56
    assert due(fetched("RUNNING", at=NOW - 4), pace(scale=2)) == NOW + 16


def test_a_job_never_fetched_is_due_now_unless_its_own_fetch_just_failed() -> None:
    assert due(listed("RUNNING")) == NOW
    assert due(listed("RUNNING", failures=3), tried_at=NOW - 1) == NOW - 1 + 40


def test_a_failed_refetch_waits_the_longer_of_the_retry_gap_and_the_interval() -> None:
    view = fetched("RUNNING", at=NOW - 100, failures=1)
    assert due(view, tried_at=NOW - 2) == NOW - 2 + 10
    view = fetched("RUNNING", at=NOW - 100, failures=4)
    assert due(view, tried_at=NOW - 2) == NOW - 2 + 80
    # A failure older than the last good fetch no longer counts.
    assert due(fetched("RUNNING", at=NOW - 4), tried_at=NOW - 50) == NOW + 6


def test_a_parked_job_is_polled_only_while_selected_and_then_as_pending() -> None:
    assert due(fetched("VALIDATED")) is None
    assert due(fetched("VALIDATED", at=NOW - 4), selected=True) == NOW + 56


def test_refresh_now_makes_every_unfinished_job_due() -> None:
    assert due(fetched("RUNNING"), forced=True) == NOW
    assert due(fetched("VALIDATED"), forced=True) is None
    assert due(fetched("VALIDATED"), forced=True, selected=True) == NOW


# ---------------------------------------------------------------- lists and the deadline


def test_list_due_at() -> None:
    assert list_due_at(pace(), NOW, last_list_at=None, full_pending=False) == NOW
    assert list_due_at(pace(), NOW, last_list_at=NOW - 10, full_pending=True) == NOW
    assert list_due_at(pace(), NOW, last_list_at=NOW - 10, full_pending=False) == NOW + 20
    assert list_due_at(pace(focused=False), NOW, last_list_at=NOW, full_pending=False) == NOW + 90


def test_next_deadline_is_the_earliest_due_tier_but_never_inside_a_backoff() -> None:
    assert next_deadline(NOW + 30, [None, NOW + 5, NOW + 9], None) == NOW + 5
    assert next_deadline(NOW + 30, [None], None) == NOW + 30
    assert next_deadline(NOW + 30, [], None) == NOW + 30
    assert next_deadline(NOW + 30, [NOW + 5], NOW + 12) == NOW + 12
    assert next_deadline(NOW + 3, [NOW + 5], NOW + 1) == NOW + 3


@pytest.mark.parametrize(("total", "pages"), [(0, 1), (1, 1), (100, 1), (101, 2), (250, 3)])
def test_page_count(total: int, pages: int) -> None:
    assert page_count(total, 100) == pages


@pytest.mark.parametrize(("pages", "ticks"), [(11, 10), (3, 10), (10, 10), (25, 10), (7, 3)])
def test_a_sweep_spreads_its_pages_over_one_interval_without_a_burst(
    pages: int, ticks: int
) -> None:
    credit, per_tick = 0.0, []
    for _ in range(ticks):
        count, credit = spread_pages(credit, pages, ticks)
        per_tick.append(count)
    assert min(per_tick) >= 1  # a sweep always moves
    assert max(per_tick) - min(per_tick) <= 1  # evenly: no tick carries a burst
    assert sum(per_tick) >= pages  # done within the interval
    assert credit >= 0
