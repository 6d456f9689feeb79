"""What every polling tier works with."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from tui.api.clock import Clock
from tui.monitor.archive import Archive, NoArchive
from tui.monitor.changes import Change
from tui.monitor.gate import RequestGate
from tui.monitor.schedule import Pace
from tui.monitor.store import JobStore

__all__ = ["Tier"]


@attrs.define(eq=False)
class Tier:
    """A tier of the poller: it fetches through the shared gate on the shared pace, feeds the
    store and emits what changed. Subclasses add their own state as ``init=False`` fields."""

    store: JobStore
    """The jobs this tier keeps current."""
    gate: RequestGate
    """Every request goes through it."""
    pace: Pace
    """The intervals in force."""
    clock: Clock
    """Time for the schedule."""
    emit: Callable[[Iterable[Change]], None]
    """Hands changes to the poller's consumers."""
    archive: Archive = attrs.field(factory=NoArchive, kw_only=True)
    """Where what is fetched is kept across runs (the local history), and found again."""
