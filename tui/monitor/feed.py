"""A bounded, coalescing queue of changes for one consumer of the poller.

A consumer that falls behind (a busy UI, a paused terminal) must not make memory grow without
bound. When the backlog passes its limit, pending changes are folded together: successive
changes of one job become one (``JobAdded`` + ``JobChanged`` -> ``JobAdded`` of the latest job,
field sets united, checkpoint/event lists joined and capped), and the poll-status notices keep
only their latest value. The backlog is then bounded by the number of jobs, not by time.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

import attrs

from tui.monitor.changes import (
    Change,
    CheckpointsAdded,
    EventsAdded,
    JobAdded,
    JobChanged,
    JobGone,
    PollFailed,
    PollRecovered,
    PollSucceeded,
)

__all__ = ["ChangeQueue", "coalesce"]

_HISTORY_CAP = 2000
"""Most checkpoints or events one folded change keeps (the newest)."""


def _key(change: Change) -> tuple[Any, ...]:
    match change:
        case JobAdded(job=job) | JobChanged(job=job):
            return ("job", job.id)
        case CheckpointsAdded(job_id=job_id):
            return ("checkpoints", job_id)
        case EventsAdded(job_id=job_id):
            return ("events", job_id)
        case JobGone(job_id=job_id):
            return ("gone", job_id)
        case PollFailed():
            return ("failed",)
        case PollRecovered():
            return ("recovered",)
        case PollSucceeded():
            return ("succeeded",)
    # Anything else (e.g. per-job errors) is folded by type and job id when it has one.
    return (type(change).__name__, getattr(change, "job_id", None))


def _fold(old: Change, new: Change) -> Change:
    match old, new:
        case JobAdded(), JobChanged(job=job):
            return JobAdded(job)
        case JobChanged(fields=a), JobChanged(job=job, fields=b):
            return JobChanged(job, a | b)
        case CheckpointsAdded(checkpoints=a), CheckpointsAdded(job_id=job_id, checkpoints=b):
            return CheckpointsAdded(job_id, (a + b)[-_HISTORY_CAP:])
        case EventsAdded(events=a), EventsAdded(job_id=job_id, events=b):
            return EventsAdded(job_id, (a + b)[-_HISTORY_CAP:])
        case PollFailed(first=first), PollFailed():
            return attrs.evolve(new, first=first or new.first)
        case PollRecovered(failures=a), PollRecovered(failures=b):
            return PollRecovered(a + b)
    return new


_MOVES_TO_END = frozenset({"failed", "recovered", "succeeded"})
"""Keys whose folded value moves to the end (status notices: the latest counts)."""


def coalesce(changes: list[Change]) -> list[Change]:
    """Fold ``changes`` so each job and each notice appears at most once per kind.

    Job changes keep the position of their first occurrence (so ``JobAdded`` still precedes
    the checkpoints of that job); a ``JobGone`` drops the pending changes of its job.
    """
    folded: dict[tuple[Any, ...], Change] = {}
    for change in changes:
        key = _key(change)
        if isinstance(change, JobGone):
            for stale in (("job", change.job_id), ("checkpoints", change.job_id)):
                folded.pop(stale, None)
            folded.pop(("events", change.job_id), None)
        if key in folded:
            value = _fold(folded[key], change)
            if key[0] in _MOVES_TO_END:
                del folded[key]
            folded[key] = value
        else:
            folded[key] = change
    return list(folded.values())


class ChangeQueue:
    """An async iterator over changes, bounded by coalescing (see the module docstring).

    Created by :meth:`tui.monitor.poller.Poller.changes`; ``close()`` (or ``aclose()``) ends
    the iteration and unsubscribes.
    """

    def __init__(self, limit: int = 1000, on_close: Callable[[ChangeQueue], None] | None = None):
        self.limit = limit
        """Backlog length past which pending changes are coalesced."""
        self._items: deque[Change] = deque()
        self._threshold = limit
        self._ready = asyncio.Event()
        self._closed = False
        self._on_close = on_close

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        """Whether the queue was closed (it still yields what it holds)."""
        return self._closed

    def put(self, change: Change) -> None:
        """Add a change; folds the backlog when it is too long."""
        if self._closed:
            return
        self._items.append(change)
        if len(self._items) > self._threshold:
            self._items = deque(coalesce(list(self._items)))
            # Everything left is distinct; wait for as much again before folding once more.
            self._threshold = max(self.limit, 2 * len(self._items))
        self._ready.set()

    def get_nowait(self) -> Change | None:
        """The next change, or ``None`` when the backlog is empty."""
        if not self._items:
            return None
        change = self._items.popleft()
        if not self._items:
            self._threshold = self.limit
        return change

    def drain(self) -> list[Change]:
        """Every pending change at once (the backlog empties)."""
        items = list(self._items)
        self._items.clear()
        self._threshold = self.limit
        return items

    async def get(self) -> Change:
        """Wait for the next change; raises ``StopAsyncIteration`` once closed and empty."""
        while not self._items:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        change = self.get_nowait()
        assert change is not None
        return change

    def close(self) -> None:
        """Stop the iteration (after the backlog) and unsubscribe."""
        if self._closed:
            return
        self._closed = True
        self._ready.set()
        if self._on_close is not None:
            self._on_close(self)

    async def aclose(self) -> None:
        """``close()``, for ``contextlib.aclosing``."""
        self.close()

    def __aiter__(self) -> ChangeQueue:
        return self

    async def __anext__(self) -> Change:
        return await self.get()
