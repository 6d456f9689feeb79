"""Hands the changes the poller makes to its listeners, a batch at a time."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence

from tui.monitor.changes import Change

__all__ = ["ChangeFanout", "ChangeListener"]

_log = logging.getLogger(__name__)

ChangeListener = Callable[[Sequence[Change]], None]
"""Called with each batch of changes (one list page, one detail, one cycle's outcome)."""


class ChangeFanout:
    """Synchronous listeners, fed each batch in the order changes happen. A listener that
    raises is logged and skipped: one consumer never stops the poller."""

    def __init__(self, listeners: Iterable[ChangeListener] = ()) -> None:
        self._listeners: list[ChangeListener] = list(listeners)

    def add_listener(self, callback: ChangeListener) -> Callable[[], None]:
        """Call ``callback`` with every batch of changes; returns a function that removes it."""
        self._listeners.append(callback)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(callback)

        return remove

    def emit(self, changes: Iterable[Change]) -> None:
        """Hand ``changes`` to every listener as one batch (nothing when there are none)."""
        batch = list(changes)
        if not batch:
            return
        # A copy: a listener may remove itself (or add another) while being called.
        for listener in list(self._listeners):
            try:
                listener(batch)
            except Exception:
                _log.exception("change listener failed")
