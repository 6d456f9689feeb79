"""The poller against the simulated API in-process, everything on one ManualClock."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator, Sequence

import attrs
from poller_helpers import advance, running
from support.inprocess_sim import SIM_START, RequestLog, sim_client

from tui.api.backoff import Backoff
from tui.api.clock import ManualClock
from tui.errors import ErrorKind
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
from tui.sim.app import SimApp
from tui.sim.world import World


def make_poller(client, clock: ManualClock, **settings: object) -> tuple[Poller, list[Change]]:  # type: ignore[no-untyped-def]
    seen: list[Change] = []
    poller = Poller(
        client,
        JobStore(clock=clock),
        PollerSettings(**settings),  # type: ignore[arg-type]
        clock,
        backoff=Backoff(base=2.0, cap=300.0, jitter=0.2, rng=random.Random(3)),
        on_changes=seen.extend,
    )
    return poller, seen


@attrs.frozen
class SimRig:
    """A poller and the simulated workspace it polls, on one ManualClock."""

    clock: ManualClock
    world: World
    app: SimApp
    """The simulator's ASGI app (``set_faults`` makes it fail on purpose)."""
    log: RequestLog
    """The requests the simulator served."""
    poller: Poller
    """Built, not yet running (see ``running``)."""
    seen: list[Change]
    """Every change the poller reported, in order."""


@contextlib.asynccontextmanager
async def simulated(*, jobs: int, live: int, **world_args: object) -> AsyncIterator[SimRig]:
    """A poller on a fresh simulated workspace of ``jobs`` jobs, ``live`` of them running at
    real speed (no arrivals unless asked); its client is closed at the end."""
    clock = ManualClock(start=SIM_START)
    world_args.setdefault("arrivals", False)
    client, world, app, log = sim_client(clock, jobs=jobs, live=live, speed=1.0, **world_args)
    poller, seen = make_poller(client, clock)
    try:
        yield SimRig(clock, world, app, log, poller, seen)
    finally:
        await client.aclose()


async def test_budget_and_checkpoint_latency_on_a_large_workspace() -> None:
    latencies: list[float] = []
    async with simulated(jobs=1000, live=3) as sim:
        clock, log = sim.clock, sim.log

        def on_changes(changes: Sequence[Change]) -> None:
            for change in changes:
                if isinstance(change, CheckpointsAdded):
                    latencies.extend(
                        clock.time() - c.created_at
                        for c in change.checkpoints
                        if c.created_at > SIM_START
                    )

        sim.poller.add_listener(on_changes)
        async with running(sim.poller) as poller:
            assert len(poller.store) == len(sim.world)
            for minute in range(10):
                start = clock.monotonic()
                await advance(clock, poller, 60)
                count = len(log.since(start)) - len(log.since(clock.monotonic()))
                assert count <= 30, f"minute {minute}: {count} requests"
        assert latencies
        assert max(latencies) <= 10 + 2


async def test_new_job_reaches_consumer_within_list_interval() -> None:
    latencies: list[float] = []
    async with simulated(jobs=200, live=1, arrivals=True, arrival_interval=120.0) as sim:
        clock = sim.clock
        sim.poller.add_listener(
            lambda changes: latencies.extend(
                clock.time() - c.job.created_at
                for c in changes
                if isinstance(c, JobAdded) and c.job.created_at > SIM_START
            )
        )
        async with running(sim.poller) as poller:
            await advance(clock, poller, 1800)
        assert len(latencies) >= 3
        assert max(latencies) <= 30 + 2


async def test_rate_limit_from_the_server_is_honoured_then_recovers() -> None:
    async with simulated(jobs=30, live=2) as sim, running(sim.poller) as poller:
        clock = sim.clock
        sim.app.set_faults("429:1")
        await advance(clock, poller, 10)
        failed = [c for c in sim.seen if isinstance(c, PollFailed)]
        assert failed[0].first
        assert failed[0].kind is ErrorKind.RATE_LIMITED
        assert poller.status.state in (PollerState.STALE, PollerState.OFFLINE)
        retry_at = failed[-1].retry_at
        served = len(sim.log.lines)
        # Nothing is asked before the server's Retry-After.
        clock.set(retry_at - 0.01)
        await poller.wait_idle()
        assert len(sim.log.lines) == served
        sim.app.set_faults(None)
        await advance(clock, poller, 600)
        assert any(isinstance(c, PollRecovered) for c in sim.seen)
        assert poller.status.state is PollerState.OK


async def test_server_errors_back_off_and_never_stop() -> None:
    async with simulated(jobs=30, live=2) as sim, running(sim.poller) as poller:
        clock = sim.clock
        sim.app.set_faults("500:1")
        start = clock.monotonic()
        await advance(clock, poller, 3600)
        # Exponential backoff: about a dozen tries in an hour, not 360.
        tries = len(sim.log.since(start))
        assert 5 <= tries <= 25
        failed = [c for c in sim.seen if isinstance(c, PollFailed)]
        assert sum(f.first for f in failed) == 1
        assert poller.status.state is PollerState.OFFLINE
        sim.app.set_faults(None)
        await advance(clock, poller, 400)
        assert poller.status.state is PollerState.OK


async def test_selected_job_that_disappeared_is_gone() -> None:
    async with simulated(jobs=30, live=1) as sim, running(sim.poller) as poller:
        finished = [v.id for v in poller.store.query() if v.job.is_terminal]
        poller.select(finished[0])
        await poller.wait_idle()
        assert poller.store.get(finished[0]).has_detail
        sim.world.remove_job(finished[1])  # deleted elsewhere after the last listing
        poller.select(finished[1])
        await poller.wait_idle()
        assert JobGone(finished[1]) in sim.seen
        assert finished[1] not in poller.store
        assert poller.status.failures == 0


async def test_running_job_deleted_upstream_emits_job_gone() -> None:
    async with simulated(jobs=30, live=1) as sim, running(sim.poller) as poller:
        live = next(
            v.id
            for v in map(poller.store.get, poller.store.active_ids())
            if v.job.status == "RUNNING"
        )
        sim.world.remove_job(live)
        await advance(sim.clock, poller, 10)
        assert JobGone(live) in sim.seen
        assert live not in poller.store
