"""Benchmark of the poller's request budget and latency against the simulated API.

Run: ``python tests/benchmarks/bench_poll.py [--minutes 30] [--jobs 1000] [--live 3]``

Everything runs in-process on one ManualClock (simulated time, no sleeping): the simulator
(``create_app`` over ``World``) mounted with ``httpx.ASGITransport``, a ``MistralClient`` without
retries, and the ``Poller`` with default settings. It prints:

- requests per minute (mean and the worst minute) of the poller;
- latency from a checkpoint's creation to its emission (p50, max), and from a new job's
  creation to its ``JobAdded`` (p50, max), in simulated seconds;
- the baseline, measured in the same run: the naive approach (every page of the list and the
  detail of every job, every detail interval), as requests per minute, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.inprocess_sim import RequestLog, sim_client

from tui.api.client import MistralClient
from tui.api.clock import ManualClock
from tui.monitor.changes import Change, CheckpointsAdded, JobAdded
from tui.monitor.poller import Poller
from tui.monitor.settings import PollerSettings
from tui.monitor.store import JobStore
from tui.sim.world import World

START = 1_780_000_000.0


def make_client(
    clock: ManualClock, jobs: int, live: int, arrivals: bool, speed: float = 1.0
) -> tuple[MistralClient, World, RequestLog]:
    client, world, _, log = sim_client(
        clock,
        seed=11,
        jobs=jobs,
        live=live,
        speed=speed,
        arrivals=arrivals,
        max_jobs=jobs + 1000,
        arrival_interval=300.0,
    )
    return client, world, log


async def run_poller(
    minutes: float, jobs: int, live: int, arrivals: bool, speed: float
) -> tuple[RequestLog, list[float], list[float], float, World]:
    clock = ManualClock(start=START)
    client, world, counter = make_client(clock, jobs, live, arrivals, speed)
    checkpoint_latency: list[float] = []
    job_latency: list[float] = []
    running_samples: list[int] = []

    def on_changes(changes: Sequence[Change]) -> None:
        now = clock.time()
        for change in changes:
            if isinstance(change, CheckpointsAdded):
                checkpoint_latency.extend(
                    now - c.created_at for c in change.checkpoints if c.created_at > START
                )
            elif isinstance(change, JobAdded) and change.job.created_at > START:
                job_latency.append(now - change.job.created_at)

    poller = Poller(client, JobStore(clock=clock), PollerSettings(), clock, on_changes=on_changes)
    task = asyncio.create_task(poller.run())
    end = START + minutes * 60
    await poller.wait_idle()
    while True:
        deadline = poller.status.next_poll_at
        if deadline is None or deadline > end:
            break
        clock.set(deadline)
        await poller.wait_idle()
        running_samples.append(sum(1 for v in poller.store if v.job.status == "RUNNING"))
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await client.aclose()
    mean_running = statistics.mean(running_samples) if running_samples else 0.0
    return counter, checkpoint_latency, job_latency, mean_running, world


async def run_naive(minutes: float, jobs: int, live: int, interval: float) -> float:
    """Requests per minute of listing every page and fetching every job every ``interval``."""
    clock = ManualClock(start=START)
    client, _, counter = make_client(clock, jobs, live, arrivals=False)
    rounds = max(1, round(minutes * 60 / interval))
    sem = asyncio.Semaphore(3)

    async def fetch(job_id: str) -> None:
        async with sem:
            await client.get_job(job_id)

    for _ in range(rounds):
        listed = await client.list_all_jobs(page_size=100)
        await asyncio.gather(*(fetch(job.id) for job in listed))
        clock.advance(interval)
    await client.aclose()
    return len(counter.lines) / (rounds * interval / 60)


def time_store_queries(jobs: int = 5000, repeat: int = 20) -> tuple[float, float]:
    """Milliseconds per ``JobStore.query`` over ``jobs`` jobs: filtered by text, sorted by loss."""
    from tui.api.models import CompletionJob
    from tui.monitor.query import JobFilter, SortColumn, SortSpec

    store = JobStore(clock=ManualClock(start=START))
    for n in range(jobs):
        store.apply(
            CompletionJob(
                id=f"{n:08x}-0000-4000-8000-000000000000",
                model=("open-mistral-7b", "mistral-small-latest", "ministral-3b")[n % 3],
                status=("SUCCESS", "FAILED", "RUNNING", "CANCELLED")[n % 4],
                created_at=int(START) - n,
                modified_at=int(START) - n,
                job_type="completion",
                suffix=f"run-{n % 97}",
            )
        )
    timings = []
    for spec in (SortSpec(SortColumn.CREATED), SortSpec(SortColumn.TRAIN_LOSS)):
        begin = time.perf_counter()
        for _ in range(repeat):
            store.query(JobFilter(text="small run-4"), spec)
        timings.append((time.perf_counter() - begin) / repeat * 1000)
    return timings[0], timings[1]


def per_minute(times: list[float], minutes: float) -> list[int]:
    buckets = [0] * max(1, int(minutes))
    for t in times:
        index = int((t - START) // 60)
        if 0 <= index < len(buckets):
            buckets[index] += 1
    return buckets


def describe(values: list[float]) -> str:
    if not values:
        return "no samples"
    return f"p50 {statistics.median(values):.1f} s, max {max(values):.1f} s ({len(values)} samples)"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--live", type=int, default=3)
    parser.add_argument("--naive-minutes", type=float, default=1.0)
    parser.add_argument(
        "--speed",
        type=float,
        default=0.25,
        help="simulator speed; slow enough that the live jobs train for the whole run",
    )
    args = parser.parse_args()
    settings = PollerSettings()

    wall = time.perf_counter()
    counter, cp_latency, _, running, world = await run_poller(
        args.minutes, args.jobs, args.live, arrivals=False, speed=args.speed
    )
    buckets = per_minute([at for at, _ in counter.lines], args.minutes)
    mean = len(counter.lines) / args.minutes
    print(
        f"workspace: {len(world)} jobs, {running:.1f} running on average, "
        f"{args.minutes:g} simulated minutes, default settings"
    )
    steady = buckets[1:] or buckets
    print(
        f"poller requests/min: mean {mean:.1f}, worst minute after the first {max(steady)}, "
        f"first minute {buckets[0]} (includes the initial listing of every page) (budget 30)"
    )
    print(
        f"checkpoint latency: {describe(cp_latency)} "
        f"(bound: detail interval {settings.detail_interval:g} s + 2 s)"
    )

    _, _, job_latency, running2, _ = await run_poller(
        args.minutes, args.jobs, args.live, arrivals=True, speed=1.0
    )
    print(
        f"new-job latency (arrivals every ~5 min, {running2:.1f} running on average): "
        f"{describe(job_latency)} (bound: list interval {settings.list_interval:g} s + 2 s)"
    )

    naive = await run_naive(args.naive_minutes, args.jobs, args.live, settings.detail_interval)
    print(
        f"baseline 'naive' (every page + every job's detail every "
        f"{settings.detail_interval:g} s): {naive:.0f} requests/min"
    )
    print(f"ratio naive / poller: {naive / mean:.0f}x fewer requests")
    by_created, by_loss = time_store_queries()
    print(
        f"JobStore.query over 5,000 jobs (text filter): {by_created:.1f} ms sorted by created, "
        f"{by_loss:.1f} ms sorted by train loss"
    )
    print(f"wall time: {time.perf_counter() - wall:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
