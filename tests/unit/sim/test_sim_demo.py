"""The demo preset: always a job training, a checkpoint every few seconds, runs of a few
minutes, a bounded queue, and a world that is the same however often it is looked at."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tui.api.clock import ManualClock
from tui.sim.options import SimOptions
from tui.sim.pace import Pace
from tui.sim.world import JobQuery, World

MINUTES = 20
SAMPLE_EVERY = 2.0
"""Seconds of (simulated) real time between two looks, finer than any checkpoint gap."""


def everything(world: World) -> list[dict[str, Any]]:
    _, items = world.list_jobs(JobQuery(page_size=10_000))
    return items


def waiting_to_train(items: list[dict[str, Any]]) -> int:
    """Jobs in the queue: created, validating, or validated and about to start by themselves."""
    return sum(
        item["status"] in ("QUEUED", "VALIDATING")
        or (item["status"] == "VALIDATED" and item["auto_start"])
        for item in items
    )


DemoRun = tuple[World, list[tuple[float, dict[str, int], int]], float]


@pytest.fixture(scope="module")
def demo_run() -> DemoRun:
    """The demo world watched for 20 minutes: (world, [(time, counts, waiting)], start)."""
    clock = ManualClock(1_764_000_000.0)
    world = SimOptions.demo().build_world(clock)
    start = clock.time()
    samples = []
    while clock.time() < start + MINUTES * 60:
        items = everything(world)
        counts: dict[str, int] = {}
        for item in items:
            counts[item["status"]] = counts.get(item["status"], 0) + 1
        samples.append((clock.time(), counts, waiting_to_train(items)))
        clock.advance(SAMPLE_EVERY)
    return world, samples, start


def test_a_job_is_running_from_the_first_answer() -> None:
    world = SimOptions.demo().build_world(ManualClock(1_764_000_000.0))
    assert any(item["status"] == "RUNNING" for item in everything(world))


def test_some_job_is_running_at_every_instant(demo_run: DemoRun) -> None:
    _, samples, _ = demo_run
    assert len(samples) == MINUTES * 60 / SAMPLE_EVERY
    idle = [at for at, counts, _ in samples if counts.get("RUNNING", 0) == 0]
    assert idle == []


def test_new_jobs_arrive_and_finish(demo_run: DemoRun) -> None:
    world, samples, start = demo_run
    fresh = [item for item in everything(world) if item["created_at"] >= start]
    assert len(fresh) >= 5
    assert sum(item["status"] == "SUCCESS" for item in fresh) >= 2
    first, last = samples[0][1], samples[-1][1]
    assert last.get("SUCCESS", 0) > first.get("SUCCESS", 0)


def test_checkpoints_come_every_5_to_15_seconds(demo_run: DemoRun) -> None:
    world, _, start = demo_run
    gaps: list[int] = []
    for item in everything(world):
        detail = world.job(item["id"])
        run = [e["created_at"] for e in detail["events"] if e["data"]["status"] == "RUNNING"]
        if not run or run[0] < start:
            continue  # only runs that started while we watched
        times = sorted([run[0]] + [c["created_at"] for c in detail["checkpoints"]])
        gaps += [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(gaps) > 100
    assert min(gaps) >= 5
    assert max(gaps) <= 15


def test_runs_last_several_minutes(demo_run: DemoRun) -> None:
    world, _, start = demo_run
    lengths = []
    for item in everything(world):
        if item["status"] != "SUCCESS" or item["created_at"] < start:
            continue
        events = {e["data"]["status"]: e["created_at"] for e in world.job(item["id"])["events"]}
        lengths.append(events["SUCCESS"] - events["RUNNING"])
    assert len(lengths) >= 2
    assert all(150 <= seconds <= 600 for seconds in lengths), lengths


def test_the_queue_stays_short(demo_run: DemoRun) -> None:
    _, samples, _ = demo_run
    options = SimOptions.demo()
    assert options.max_pending is not None
    most = max(waiting for _, _, waiting in samples)
    assert most <= options.max_pending + options.always_running


def test_arrivals_are_turned_away_while_the_queue_is_full() -> None:
    # Arrivals every 6 s, each queued for half a minute or more: without a bound they pile up.
    crowded = {"speed": 1.0, "live": 0, "always_running": 0, "arrival_interval": 6.0}
    bounded_clock, unbounded_clock = ManualClock(1_764_000_000.0), ManualClock(1_764_000_000.0)
    bounded = SimOptions.demo(**crowded, max_pending=2).build_world(bounded_clock)
    unbounded = SimOptions.demo(**crowded, max_pending=None).build_world(unbounded_clock)
    for _ in range(60):
        bounded_clock.advance(2.0)
        assert waiting_to_train(everything(bounded)) <= 2
    unbounded_clock.advance(120.0)
    assert waiting_to_train(everything(unbounded)) > 2


def test_the_world_does_not_depend_on_how_often_it_is_read() -> None:
    often, rarely = ManualClock(1_764_000_000.0), ManualClock(1_764_000_000.0)
    watched = SimOptions.demo().build_world(often)
    left = SimOptions.demo().build_world(rarely)
    for _ in range(900):
        often.advance(1.0)
        watched.counts()
    rarely.advance(900.0)
    assert everything(watched) == everything(left)
    assert [watched.job(i) for i in watched.job_ids()] == [left.job(i) for i in left.job_ids()]


def test_cancelling_the_relay_job_brings_its_successor_forward() -> None:
    clock = ManualClock(1_764_000_000.0)
    world = SimOptions.demo(live=0, arrivals=False).build_world(clock)
    before = everything(world)
    [running] = [item["id"] for item in before if item["status"] == "RUNNING"]
    world.cancel_job(running)
    cancelled_at = int(clock.time())
    [successor] = [
        item for item in everything(world) if item not in before and item["id"] != running
    ]
    assert successor["status"] == "QUEUED"
    assert successor["created_at"] == cancelled_at  # not at the end of the cancelled run
    for _ in range(60):  # it only has to queue and validate (seconds in the demo)
        clock.advance(1.0)
        if world.job_status(successor["id"]) == "RUNNING":
            break
    assert world.job_status(successor["id"]) == "RUNNING"


def test_pace_refuses_an_empty_range() -> None:
    with pytest.raises(ValueError, match="checkpoint_seconds"):
        Pace(checkpoint_seconds=(10.0, 5.0))
    with pytest.raises(ValueError, match="run_seconds"):
        Pace(run_seconds=(0.0, 60.0))


def test_a_huge_clock_jump_stays_cheap_bounded_and_busy() -> None:
    clock = ManualClock(1_764_000_000.0)
    world = SimOptions.demo().build_world(clock)
    clock.advance(10 * 365 * 86400)
    counts = world.counts()
    assert len(world) == SimOptions.demo().job_cap
    assert counts.get("RUNNING", 0) >= 1
