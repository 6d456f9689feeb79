"""``--latency MS``: every response waits a real-world round trip, without blocking the loop."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest

from tui.api.clock import ManualClock, SystemClock
from tui.sim.app import create_app
from tui.sim.cli_args import add_sim_arguments, options_from_args
from tui.sim.options import SimOptions
from tui.sim.runner import SimulatorThread
from tui.sim.world import World

Held = Callable[..., Awaitable[httpx.Response]]
"""The ``held`` fixture: checks a request waits a given time on the clock."""

JOBS = "/v1/fine_tuning/jobs"


async def test_in_process_the_answer_waits_on_the_clock_while_the_loop_runs(
    world: World, parked: Callable[[], Awaitable[None]], held: Held
) -> None:
    app = create_app(world, latency=0.25)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        request = asyncio.create_task(client.get(JOBS))
        # The request parks on the clock while this coroutine keeps running: nothing blocks.
        await parked()
        assert app.sim.delayed_responses == 1
        response = await held(request, 0.25)
    assert response.status_code == 200
    assert app.sim.delayed_responses == 0


async def test_in_process_on_the_real_clock_the_round_trip_takes_the_latency() -> None:
    world = World(seed=3, jobs=5, live=1, clock=SystemClock(), arrivals=False)
    app = create_app(world, latency=0.08)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        started = time.perf_counter()
        response = await client.get(JOBS)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed >= 0.08


async def test_a_real_server_holds_each_answer_and_serves_others_meanwhile() -> None:
    options = SimOptions(port=0, jobs=5, live=1, arrivals=False, latency_ms=150)
    with SimulatorThread(options) as sim:
        async with httpx.AsyncClient(base_url=sim.base_url) as client:
            started = time.perf_counter()
            alone = await client.get(JOBS)
            elapsed = time.perf_counter() - started
            assert alone.status_code == 200
            assert elapsed >= 0.15
            together = await asyncio.gather(*(client.get(JOBS) for _ in range(4)))
        assert all(r.status_code == 200 for r in together)
        records = list(sim.app.sim.records)[-4:]
    assert all(record.ms >= 150 for record in records)
    # All four were in the server at once: each arrived before any of them was answered.
    last_arrival = max(record.at for record in records)
    first_answer = min(record.at + record.ms / 1000 for record in records)
    assert last_arrival < first_answer


def test_jitter_is_bounded_and_repeats_with_the_seed(clock: ManualClock) -> None:
    def delays(seed: int) -> list[float]:
        world = World(seed=seed, jobs=0, live=0, clock=clock, arrivals=False)
        state = create_app(world, latency=0.05, latency_jitter=0.02).sim
        return [state.next_latency() for _ in range(200)]

    first = delays(1)
    assert all(0.05 <= delay <= 0.07 for delay in first)
    assert len(set(first)) > 100  # it varies from one answer to the next
    assert delays(1) == first
    assert delays(2) != first


def test_latency_flags(clock: ManualClock) -> None:
    parser = argparse.ArgumentParser(prog="finetop sim")
    add_sim_arguments(parser)
    options = options_from_args(parser.parse_args(["--latency", "80", "--latency-jitter", "5"]))
    assert (options.latency_ms, options.latency_jitter_ms) == (80.0, 5.0)
    state = options.build_app(options.build_world(clock)).sim
    assert 0.08 <= state.next_latency() <= 0.085
    with pytest.raises(SystemExit):
        parser.parse_args(["--latency", "-1"])
