"""The request budget's arithmetic: which minute windows a request falls in, and what they hold."""

from __future__ import annotations

from tui.api.clock import ManualClock
from tui.monitor.budget import Recurring, RequestWindow, projected_requests


def window_with(times: list[float], budget: int = 10) -> tuple[RequestWindow, ManualClock]:
    clock = ManualClock(start=0.0)
    window = RequestWindow(clock, budget)
    for at in times:
        clock.set(at)
        window.note()
    return window, clock


def test_projection_repeats_each_schedule_within_the_horizon() -> None:
    schedule = [Recurring(5.0, 10.0), Recurring(0.0, 30.0, count=2), Recurring(50.0)]
    assert projected_requests(schedule, 0.0, 60.0) == [
        0.0, 0.0, 5.0, 15.0, 25.0, 30.0, 30.0, 35.0, 45.0, 50.0, 55.0,
    ]  # fmt: skip
    # Anything overdue is due at the start, and repeats from then (as a poll made then
    # would); nothing at or past the end.
    assert projected_requests([Recurring(-20.0, 30.0)], 0.0, 60.0) == [0.0, 30.0]
    assert projected_requests([Recurring(60.0)], 0.0, 60.0) == []


def test_past_requests_fill_the_window_until_they_leave_it() -> None:
    window, _ = window_with([0.0, 1.0, 2.0], budget=10)
    assert window.fits(30.0, [], limit=4)
    assert not window.fits(30.0, [], limit=3)
    # At 60.0 the request made at 0.0 has left the minute: [1, 2] plus one more fit 3.
    assert window.fits(60.0, [], limit=3)
    assert window.next_change(30.0) == 60.0
    assert window.next_change(200.0) == 260.0  # none left: a minute from now


def test_projected_requests_count_in_every_window_the_request_falls_in() -> None:
    window, _ = window_with([0.0, 1.0], budget=10)
    # At 30: the window from 0 holds 0, 1, 30 and whatever comes before 60; the window from
    # 30 holds 30 and whatever comes before 90.
    assert window.fits(30.0, [59.0], limit=4)
    assert not window.fits(30.0, [59.0, 59.5], limit=4)
    # Requests after the first window ends count only in the later one.
    assert window.fits(30.0, [61.0, 62.0], limit=4)
    assert not window.fits(30.0, [61.0, 62.0, 63.0, 89.0], limit=4)


def test_the_window_keeps_only_what_it_needs() -> None:
    window, _ = window_with([float(t) for t in range(100)], budget=5)
    assert len(window.recent(99.0)) == 6  # the budget plus one: enough to say "full"
    assert not window.fits(99.0, [], limit=5)
