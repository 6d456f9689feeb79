"""Injectable time, so backoff, schedules and the simulator's world can be tested without waiting.

``Clock`` is what every time-dependent part takes: ``monotonic()`` for intervals and deadlines,
``time()`` for wall-clock Unix seconds (API timestamps, HTTP dates) and ``sleep()`` to wait.
``ManualClock`` is a clock that only moves when told to; its ``sleep`` returns once ``advance`` has
moved time past the deadline, so a test steps hours of polling in microseconds.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time as _time
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """A source of time and a way to wait for it."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    def time(self) -> float:
        """Wall-clock Unix time in seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return _time.monotonic()

    def time(self) -> float:
        return _time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ManualClock:
    """A clock that moves only when ``advance`` (or ``run_until_idle``-style helpers) say so."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._now = start
        """Current time; wall and monotonic time are the same number here."""
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        """Heap of (deadline, tie-breaker, future) for pending ``sleep`` calls."""
        self._counter = itertools.count()

    def monotonic(self) -> float:
        return self._now

    def time(self) -> float:
        return self._now

    @property
    def pending_sleeps(self) -> int:
        """How many ``sleep`` calls are waiting (cancelled ones excluded)."""
        return sum(1 for _, _, fut in self._sleepers if not fut.done())

    def next_deadline(self) -> float | None:
        """The earliest time a pending sleeper wakes, if any."""
        self._drop_cancelled()
        return self._sleepers[0][0] if self._sleepers else None

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._counter), future))
        await future

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every sleeper whose deadline has passed."""
        self.set(self._now + seconds)

    def set(self, now: float) -> None:
        """Jump to ``now`` (never backwards) and wake due sleepers."""
        self._now = max(self._now, now)
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    def _drop_cancelled(self) -> None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)
