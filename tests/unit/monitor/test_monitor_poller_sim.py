"""The poller against the simulated API in-process, everything on one ManualClock."""

from __future__ import annotations

import random

from poller_helpers import advance, running
from support.inprocess_sim import SIM_START, sim_client

from tui.api.backoff import Backoff
from tui.api.clock import ManualClock
from tui.api.errors import ErrorKind
from tui.monitor.changes import (
    Change,
    CheckpointsAdded,
    JobAdded,
    JobGone,
    PollFailed,
    PollRecovered,
)
from tui.monitor.poller import Poller
from tui.monitor.settings import PollerSettings
from tui.monitor.status import PollerState
from tui.monitor.store import JobStore


def make_poller(client, clock: ManualClock, **settings: object) -> tuple[Poller, list[Change]]:  # type: ignore[no-untyped-def]
    seen: list[Change] = []
    poller = Poller(
        client,
        JobStore(clock=clock),
        PollerSettings(**settings),  # type: ignore[arg-type]
        clock,
        backoff=Backoff(base=2.0, cap=300.0, jitter=0.2, rng=random.Random(3)),
        on_change=seen.append,
    )
    return poller, seen


async def test_budget_and_checkpoint_latency_on_a_large_workspace() -> None:
    clock = ManualClock(start=SIM_START)
    client, world, _, log = sim_client(clock, jobs=1000, live=3, speed=1.0, arrivals=False)
    poller, _ = make_poller(client, clock)
    latencies: list[float] = []

    def on_change(change: Change) -> None:
        if isinstance(change, CheckpointsAdded):
            latencies.extend(
                clock.time() - c.created_at for c in change.checkpoints if c.created_at > SIM_START
            )

    poller.add_listener(on_change)
    async with running(poller):
        assert len(poller.store) == len(world)
        for minute in range(10):
            start = clock.monotonic()
            await advance(clock, poller, 60)
            count = len(log.since(start)) - len(log.since(clock.monotonic()))
            assert count <= 30, f"minute {minute}: {count} requests"
    assert latencies
    assert max(latencies) <= 10 + 2
    await client.aclose()


async def test_new_job_reaches_consumer_within_list_interval() -> None:
    clock = ManualClock(start=SIM_START)
    client, _, _, _ = sim_client(
        clock, jobs=200, live=1, speed=1.0, arrivals=True, arrival_interval=120.0
    )
    poller, _ = make_poller(client, clock)
    latencies: list[float] = []
    poller.add_listener(
        lambda c: (
            latencies.append(clock.time() - c.job.created_at)
            if isinstance(c, JobAdded) and c.job.created_at > SIM_START
            else None
        )
    )
    async with running(poller):
        await advance(clock, poller, 1800)
    assert len(latencies) >= 3
    assert max(latencies) <= 30 + 2
    await client.aclose()


async def test_rate_limit_from_the_server_is_honoured_then_recovers() -> None:
    clock = ManualClock(start=SIM_START)
    client, _, app, log = sim_client(clock, jobs=30, live=2, speed=1.0, arrivals=False)
    poller, seen = make_poller(client, clock)
    async with running(poller):
        app.set_faults("429:1")
        await advance(clock, poller, 10)
        failed = [c for c in seen if isinstance(c, PollFailed)]
        assert failed[0].first
        assert failed[0].kind is ErrorKind.RATE_LIMITED
        assert poller.status.state in (PollerState.STALE, PollerState.OFFLINE)
        retry_at = failed[-1].retry_at
        served = len(log.lines)
        # Nothing is asked before the server's Retry-After.
        clock.set(retry_at - 0.01)
        await poller.wait_idle()
        assert len(log.lines) == served
        app.set_faults(None)
        await advance(clock, poller, 600)
        assert any(isinstance(c, PollRecovered) for c in seen)
        assert poller.status.state is PollerState.OK
    await client.aclose()


async def test_server_errors_back_off_and_never_stop() -> None:
    clock = ManualClock(start=SIM_START)
    client, _, app, log = sim_client(clock, jobs=30, live=2, speed=1.0, arrivals=False)
    poller, seen = make_poller(client, clock)
    async with running(poller):
        app.set_faults("500:1")
        start = clock.monotonic()
        await advance(clock, poller, 3600)
        # Exponential backoff: about a dozen tries in an hour, not 360.
        tries = len(log.since(start))
        assert 5 <= tries <= 25
        failed = [c for c in seen if isinstance(c, PollFailed)]
        assert sum(f.first for f in failed) == 1
        assert poller.status.state is PollerState.OFFLINE
        app.set_faults(None)
        await advance(clock, poller, 400)
        assert poller.status.state is PollerState.OK
    await client.aclose()


async def test_selected_job_that_disappeared_is_gone() -> None:
    clock = ManualClock(start=SIM_START)
    client, world, _, _ = sim_client(clock, jobs=30, live=1, speed=1.0, arrivals=False)
    poller, seen = make_poller(client, clock)
    async with running(poller):
        finished = [v.id for v in poller.store.query() if v.job.is_terminal]
        poller.select(finished[0])
        await poller.wait_idle()
        assert poller.store.get(finished[0]).has_detail
        world._jobs.pop(finished[1])  # deleted elsewhere after the last listing
        poller.select(finished[1])
        await poller.wait_idle()
        assert JobGone(finished[1]) in seen
        assert finished[1] not in poller.store
        assert poller.status.failures == 0
    await client.aclose()


async def test_running_job_deleted_upstream_emits_job_gone() -> None:
    clock = ManualClock(start=SIM_START)
    client, world, _, _ = sim_client(clock, jobs=30, live=1, speed=1.0, arrivals=False)
    poller, seen = make_poller(client, clock)
    async with running(poller):
        live = next(
            v.id
            for v in map(poller.store.get, poller.store.active_ids())
            if v.job.status == "RUNNING"
        )
        world._jobs.pop(live)
        world._active.discard(live)
        await advance(clock, poller, 10)
        assert JobGone(live) in seen
        assert live not in poller.store
    await client.aclose()
