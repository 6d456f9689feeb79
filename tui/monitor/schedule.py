"""The poller's schedule arithmetic: effective intervals, retry gaps and when each tier is due.

Pure functions over plain values and a :class:`Pace`, so the schedule can be tested without a
loop, a clock or a source. Times are on the poller's monotonic clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import attrs

from tui.api.models import ACTIVE_STATUSES
from tui.monitor.settings import PollerSettings
from tui.monitor.store import JobView

__all__ = [
    "MAX_SCALE",
    "MIN_SCALE",
    "Pace",
    "detail_due_at",
    "list_due_at",
    "next_deadline",
    "page_count",
    "spread_pages",
]

MIN_SCALE = 0.25
"""Smallest interval factor ``scale_interval`` allows (4x faster than the settings)."""
MAX_SCALE = 16.0
"""Largest interval factor ``scale_interval`` allows."""


@attrs.define
class Pace:
    """The settings as they apply right now: stretched by the user's scale and by lost focus."""

    settings: PollerSettings
    """The intervals as configured (``Poller.set_intervals`` replaces them)."""
    scale: float = 1.0
    """The user's interval factor (``+``/``-``)."""
    focused: bool = True
    """Whether the terminal has focus."""

    def effective(self, seconds: float) -> float:
        """``seconds`` of the settings as actually waited."""
        return seconds * self.scale * (1.0 if self.focused else self.settings.unfocused_factor)

    def rescale(self, factor: float) -> float:
        """Multiply the scale by ``factor`` (clamped to MIN_SCALE..MAX_SCALE); returns it."""
        self.scale = min(MAX_SCALE, max(MIN_SCALE, self.scale * factor))
        return self.scale

    def retry_gap(self, failures: int) -> float:
        """Wait before re-fetching a job whose own payload failed ``failures`` times in a row:
        doubling from the detail interval up to the full-list interval, so a job the API keeps
        sending broken does not cost a request every few seconds forever."""
        gap = self.settings.detail_interval * 2 ** max(0, min(failures - 1, 16))
        return self.effective(min(gap, self.settings.full_list_interval))

    def detail_interval_for(self, status: str) -> float | None:
        """The unscaled detail interval of an unfinished job in ``status``; ``None``: not polled."""
        if status in ACTIVE_STATUSES:
            return self.settings.detail_interval
        if status in self.settings.parked_statuses:
            return None
        return self.settings.pending_detail_interval


def detail_due_at(
    pace: Pace,
    view: JobView,
    now: float,
    *,
    tried_at: float | None,
    wanted: bool,
    selected: bool,
    forced: bool,
) -> float | None:
    """When the job's detail is next due (``now`` or earlier: due); ``None``: not scheduled.

    ``tried_at``: when its last fetch failed on its own (a payload error); ``wanted``: a finished
    job whose final detail is still to fetch; ``forced``: ``refresh_now()`` asked for every
    unfinished job.
    """
    if view.job.is_terminal:
        # A finished job is fetched once, when wanted, and not on any interval.
        return _retry_due(pace, view, now, tried_at) if wanted else None
    interval = pace.detail_interval_for(view.job.status)
    if interval is None:
        if not selected:
            return None  # parked (e.g. VALIDATED, waiting for a start): the lists watch it
        interval = pace.settings.pending_detail_interval
    if forced:
        return now
    if not view.has_detail or view.detail_fetched_at is None:
        # Never fetched (or evicted): now, unless its last fetch failed on its own.
        return _retry_due(pace, view, now, tried_at)
    every = pace.effective(interval)
    if tried_at is not None and tried_at > view.detail_fetched_at:
        return tried_at + max(pace.retry_gap(view.failures), every)
    return view.detail_fetched_at + every


def _retry_due(pace: Pace, view: JobView, now: float, tried_at: float | None) -> float:
    """Now, or a retry gap after the job's own last failed fetch."""
    return now if tried_at is None else tried_at + pace.retry_gap(view.failures)


def list_due_at(pace: Pace, now: float, *, last_list_at: float | None, full_pending: bool) -> float:
    """When the next list tick is due. A full listing still owed (the first, or one asked for
    with ``refresh_now()``) is due at once; scheduled full sweeps ride on the list ticks."""
    if full_pending or last_list_at is None:
        return now
    return last_list_at + pace.effective(pace.settings.list_interval)


def next_deadline(
    list_due: float, detail_dues: Iterable[float | None], blocked_until: float | None
) -> float:
    """The earliest due tier, but never before a backoff ends."""
    deadline = min([list_due, *(due for due in detail_dues if due is not None)])
    return deadline if blocked_until is None else max(deadline, blocked_until)


def page_count(total: int, page_size: int) -> int:
    """Pages a listing of ``total`` jobs takes (at least one: an empty list is one page)."""
    return max(1, math.ceil(total / page_size))


def spread_pages(credit: float, pages: int, ticks: int) -> tuple[int, float]:
    """Pages a rolling sweep fetches this tick, and the credit it carries to the next one.

    ``pages`` are spread evenly over the ``ticks`` of one interval (11 pages in 10 ticks: one
    page per tick and two once), so the sweep ends in time without a burst.
    """
    credit += pages / ticks
    per_tick = max(1, math.floor(credit + 1e-9))
    return per_tick, max(0.0, credit - per_tick)
