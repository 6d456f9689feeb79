"""Building a Poller over a fake source and driving it under a ManualClock without sleeping."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator

from tui.api.backoff import Backoff
from tui.api.clock import ManualClock
from tui.monitor.changes import Change
from tui.monitor.gate import JobSource
from tui.monitor.poller import Poller
from tui.monitor.settings import PollerSettings
from tui.monitor.store import JobStore


def make_poller(
    source: JobSource, clock: ManualClock, **settings: float
) -> tuple[Poller, list[Change]]:
    """A poller over ``source`` with a jitter-free backoff; returns it and the changes it emits."""
    seen: list[Change] = []
    poller = Poller(
        source,
        JobStore(clock=clock),
        PollerSettings(**settings),
        clock,
        backoff=Backoff(base=2.0, cap=300.0, jitter=0.0, rng=random.Random(1)),
        on_changes=seen.extend,
    )
    return poller, seen


async def step(clock: ManualClock, poller: Poller) -> float:
    """Wait until the poller sleeps, jump the clock to its next poll, wait until it sleeps again.

    Returns the time jumped to.
    """
    await poller.wait_idle()
    deadline = poller.status.next_poll_at
    assert deadline is not None, "the poller has nothing scheduled (paused?)"
    clock.set(deadline)
    await poller.wait_idle()
    return deadline


async def advance(clock: ManualClock, poller: Poller, seconds: float) -> None:
    """Run every poll due in the next ``seconds`` of clock time, in order."""
    end = clock.monotonic() + seconds
    await poller.wait_idle()
    while (deadline := poller.status.next_poll_at) is not None and deadline <= end:
        clock.set(deadline)
        await poller.wait_idle()
    clock.set(end)
    await poller.wait_idle()


@contextlib.asynccontextmanager
async def running(poller: Poller) -> AsyncIterator[Poller]:
    """Run the poller in a task for the duration of the block, and wait for its first poll."""
    task = asyncio.create_task(poller.run())
    try:
        await poller.wait_idle()
        yield poller
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
