"""Hands every change the poller makes to its consumers: callbacks and bounded queues."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable

from tui.monitor.changes import Change
from tui.monitor.feed import ChangeQueue

__all__ = ["ChangeFanout"]

_log = logging.getLogger(__name__)


class ChangeFanout:
    """Synchronous listeners and :class:`ChangeQueue` subscriptions, fed in the order changes
    happen. A listener that raises is logged and skipped: one consumer never stops the poller."""

    def __init__(self, listeners: Iterable[Callable[[Change], None]] = ()) -> None:
        self._listeners: list[Callable[[Change], None]] = list(listeners)
        self._queues: list[ChangeQueue] = []

    def subscribe(self, limit: int) -> ChangeQueue:
        """A new queue that receives every change from now on until it is closed."""
        queue = ChangeQueue(limit, on_close=self._unsubscribe)
        self._queues.append(queue)
        return queue

    def _unsubscribe(self, queue: ChangeQueue) -> None:
        with contextlib.suppress(ValueError):
            self._queues.remove(queue)

    def add_listener(self, callback: Callable[[Change], None]) -> Callable[[], None]:
        """Call ``callback`` with every change; returns a function that removes it."""
        self._listeners.append(callback)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(callback)

        return remove

    def emit(self, changes: Iterable[Change]) -> None:
        """Hand ``changes`` to every consumer."""
        for change in changes:
            # Copies: a consumer may unsubscribe (or subscribe) while being called.
            for listener in list(self._listeners):
                try:
                    listener(change)
                except Exception:
                    _log.exception("change listener failed")
            for queue in list(self._queues):
                queue.put(change)
