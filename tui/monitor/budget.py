"""The request budget: how many requests a minute the poller may make while it fills history.

Regular polling (lists, moving jobs, the selection) never waits for the budget: it is what the
user watches. The background history fill only sends a request when, in every 60 s window that
request falls in, the requests already made plus those the regular schedule will make
(projected from its due times) plus this one stay within the budget. Rate limits are per
organisation and per minute, so the whole poller's traffic is what counts.

:class:`RequestWindow` keeps the times of the latest requests (bounded: the budget plus one is
all it takes to tell "full"); :func:`projected_requests` expands a schedule into times.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

import attrs

from tui.api.clock import Clock

__all__ = ["WINDOW", "Recurring", "RequestWindow", "projected_requests"]

WINDOW = 60.0
"""Seconds a budget is counted over (rate limits are per minute)."""


@attrs.frozen
class Recurring:
    """Requests the regular schedule will make: ``count`` at ``first``, then every ``every``."""

    first: float
    """When the first of them is due (monotonic)."""
    every: float | None = None
    """Seconds between repeats; ``None``: once."""
    count: int = 1
    """Requests made each time (a list tick may read several pages)."""


def projected_requests(schedule: Iterable[Recurring], start: float, end: float) -> list[float]:
    """The times of the requests ``schedule`` makes from ``start`` up to ``end`` (excluded),
    sorted. Anything due before ``start`` is due at ``start``."""
    times: list[float] = []
    for item in schedule:
        at = max(item.first, start)
        while at < end:
            times.extend([at] * item.count)
            if item.every is None or item.every <= 0:
                break
            at += item.every
    times.sort()
    return times


class RequestWindow:
    """The times of the poller's most recent requests, to keep within a per-minute budget."""

    def __init__(self, clock: Clock, budget: int, *, window: float = WINDOW) -> None:
        self.clock = clock
        """The monotonic clock requests are stamped with."""
        self.window = window
        """Seconds the budget is counted over."""
        self._times: deque[float] = deque(maxlen=max(1, budget) + 1)
        """Times of the latest requests, oldest first; one more than the budget is enough to
        know a window is full."""

    def note(self) -> None:
        """A request is being sent now."""
        self._times.append(self.clock.monotonic())

    def recent(self, now: float) -> list[float]:
        """Times of the kept requests within the window ending at ``now``."""
        return [t for t in self._times if now - self.window < t <= now]

    def fits(self, now: float, projected: Sequence[float], limit: int) -> bool:
        """Whether one more request at ``now`` keeps every window it falls in within ``limit``,
        counting the requests made and the ``projected`` ones (times after ``now``)."""
        past = self.recent(now)
        if len(past) >= limit:
            return False
        future = sorted(t for t in projected if now < t < now + self.window)
        # A window [a, a + window) holding ``now`` starts in (now - window, now]; the most it
        # counts is found where it starts at a past request, or at ``now`` itself.
        for a in [*past, now]:
            made = sum(1 for t in past if t >= a)
            coming = sum(1 for t in future if t < a + self.window)
            if made + coming + 1 > limit:
                return False
        return True

    def next_change(self, now: float) -> float:
        """When the count can next fall: the oldest request in the window leaves it (a window
        from now when it holds none)."""
        past = self.recent(now)
        return (past[0] if past else now) + self.window
