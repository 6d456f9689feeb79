"""Soak test: the real app, headless, against a busy simulated workspace for minutes on end.

Run: ``python tests/benchmarks/soak.py [--minutes 3] [--sample-every 10] [--sim process|thread]
[--speed 600] [--arrival-interval 300] [--top 8]`` (``--minutes 30`` is the goal's length).

``FinetopApp`` runs through ``App.run_test(headless=True, size=(120, 40))`` in this process, wired
as ``finetop --server-url`` wires it (settings -> connection -> client -> poller -> store), with
small poll intervals. The simulator runs in a subprocess (``_sim.py``) by default, so RSS measures
the app only; ``--sim thread`` runs it in a thread of this process instead (for comparison).
The world moves fast (``--speed``) and new jobs keep arriving (one every ``arrival-interval /
speed`` s: two a second by default), so jobs start, checkpoint and finish continuously and a
few thousand pass through a 30-minute run. Every ``--sample-every`` s, after a ``gc.collect()``,
it prints RSS (``/proc/self/statm``, minus tracemalloc's own bookkeeping), the Python heap
(``tracemalloc`` current), jobs in the store and in the table, detail bodies held, and requests
made; meanwhile it moves the cursor a little, as a person would, so the detail pane and metrics
follow different jobs.

At the end it prints the number of unhandled exceptions (asyncio loop exception handler,
``sys.excepthook``, ``threading.excepthook``, workers that ended in error, and the app's own
error exit: it must be 0), the number of distinct jobs seen, and the growth of RSS and heap
between the mark (2 minutes in, or 40 % of the run when shorter than 5 minutes) and the end,
with the heap per job in the store (the baseline that separates "more jobs" from "a leak": the
store keeps every job the workspace ever listed). ``--top N`` prints the N source lines whose
allocations grew most between the mark and the end (the snapshots themselves inflate RSS:
read RSS from a run without ``--top``).

Tracing the heap costs RSS of its own (about 20 MiB here, more than
``tracemalloc.get_tracemalloc_memory()`` accounts for, and growing with the heap), so the RSS
of a traced run overstates both the footprint and its growth: ``--no-heap`` runs without
tracemalloc, for RSS figures.

``tests/soak/test_soak_short.py`` runs :func:`run_soak` for ~25 s in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual.worker import Worker, WorkerState

from tests.benchmarks._common import SimServer, fmt_bytes, rss_bytes
from tui.app.app import FinetopApp
from tui.app.widgets.job_table import JobTable
from tui.monitor.settings import PollerSettings
from tui.settings.config import Settings

__all__ = ["Sample", "SoakConfig", "SoakResult", "run_soak"]


@dataclass
class SoakConfig:
    """How long, how busy, how often to sample."""

    seconds: float = 180.0
    sample_every: float = 10.0
    sim: str = "process"
    """``process`` (RSS measures only the app) or ``thread`` (the simulator in this process)."""
    jobs: int = 600
    """Historical jobs at start: as many as the simulator keeps, so the workspace is at its
    steady size from the first sample and growth after the mark can only be the app's."""
    live: int = 5
    speed: float = 600.0
    arrival_interval: float = 300.0
    """Real seconds between arrivals at speed 1 (divided by ``speed``)."""
    sim_max_jobs: int = 600
    """The simulator's own cap (it drops its oldest finished jobs; the app's store keeps them)."""
    list_interval: float = 1.0
    full_list_interval: float = 10.0
    detail_interval: float = 1.0
    pending_detail_interval: float = 2.0
    max_checkpoints: int = 2000
    max_events: int = 500
    max_details: int = 200
    keys: bool = True
    """Move the cursor between samples."""
    top: int = 0
    """Source lines with the largest heap growth to report (0: no tracemalloc snapshots)."""
    trace: bool = True
    """Measure the Python heap with tracemalloc (it slows allocations down)."""
    size: tuple[int, int] = (120, 40)

    @property
    def mark_seconds(self) -> float:
        """When the reference sample is taken: 2 minutes in, or 40 % of a short run."""
        return 120.0 if self.seconds >= 300 else 0.4 * self.seconds


@dataclass
class Sample:
    at: float
    rss: int
    """Resident set size minus tracemalloc's own bookkeeping (the app's footprint)."""
    heap: int
    store_jobs: int
    table_rows: int
    details: int
    parked: int
    """Table rows kept for reuse (only rows a filter hides: rows of gone jobs must not stay)."""
    detail_bound: int
    """``max_details`` + pinned jobs (moving ones and the selected one)."""
    most_checkpoints: int
    most_events: int
    requests: int


@dataclass
class SoakResult:
    config: SoakConfig
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    jobs_seen: set[str] = field(default_factory=set)
    mark: Sample | None = None
    top_growth: list[str] = field(default_factory=list)
    max_table_excess: int = 0
    """Largest (table rows - store jobs) seen at any sample (must stay <= 0)."""

    @property
    def end(self) -> Sample:
        return self.samples[-1]

    def growth(self, attr: str) -> float:
        """Relative growth of ``attr`` (``rss``/``heap``) from the mark to the end."""
        assert self.mark is not None
        before, after = getattr(self.mark, attr), getattr(self.end, attr)
        return (after - before) / before if before else 0.0

    def heap_per_job(self, sample: Sample) -> float:
        return sample.heap / max(1, sample.store_jobs)


class _ErrorTrap:
    """Counts every exception nobody handled, wherever it surfaced."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._saved: list[Callable[[], None]] = []

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        old_loop = loop.get_exception_handler()
        old_sys, old_thread = sys.excepthook, threading.excepthook

        def loop_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            self.errors.append(f"asyncio: {context.get('message')}: {context.get('exception')!r}")

        def sys_hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
            self.errors.append(f"sys.excepthook: {value!r}")
            old_sys(kind, value, tb)

        def thread_hook(args: threading.ExceptHookArgs) -> None:
            self.errors.append(f"thread {args.thread!r}: {args.exc_value!r}")
            old_thread(args)

        loop.set_exception_handler(loop_handler)
        sys.excepthook = sys_hook
        threading.excepthook = thread_hook
        self._saved = [
            lambda: loop.set_exception_handler(old_loop),
            lambda: setattr(sys, "excepthook", old_sys),
            lambda: setattr(threading, "excepthook", old_thread),
        ]

    def message_hook(self, message: object) -> None:
        if isinstance(message, Worker.StateChanged) and message.state is WorkerState.ERROR:
            worker = message.worker
            self.errors.append(f"worker {worker.name!r} ({worker.group}): {worker.error!r}")

    def uninstall(self) -> None:
        for restore in self._saved:
            restore()
        self._saved = []


def _start_sim(config: SoakConfig) -> tuple[str, Callable[[], None], Callable[[], int]]:
    """Start the simulator; returns (url, stop, requests served)."""
    options: dict[str, Any] = {
        "jobs": config.jobs,
        "live": config.live,
        "speed": config.speed,
        "arrival_interval": config.arrival_interval,
        "max_jobs": config.sim_max_jobs,
    }
    if config.sim == "thread":
        from tui.sim import SimulatorThread, World, create_app

        world = World(seed=7, arrivals=True, **options)
        thread = SimulatorThread(app=create_app(world))
        return thread.start(), thread.stop, lambda: thread.requests_served
    server = SimServer(seed=7, **options)
    url = server.start()
    return url, server.stop, lambda: int(server.command("requests"))


def _sample(app: FinetopApp, started: float, requests: int) -> Sample:
    gc.collect()
    store = app.store
    table = app.main_screen.query_one(JobTable)
    most_cp = most_ev = 0
    for view in store:
        details = view.details
        if details is not None:
            most_cp = max(most_cp, len(details.checkpoints))
            most_ev = max(most_ev, len(details.events))
    return Sample(
        at=time.monotonic() - started,
        rss=rss_bytes() - (tracemalloc.get_tracemalloc_memory() if tracemalloc.is_tracing() else 0),
        heap=tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0,
        store_jobs=len(store),
        table_rows=table.row_count,
        details=store.detail_count,
        parked=table.parked_count,
        detail_bound=store.max_details + len(store.active_ids()) + 1,
        most_checkpoints=most_cp,
        most_events=most_ev,
        requests=requests,
    )


async def _table_caught_up(app: FinetopApp, pilot: Any, within: float = 5.0) -> None:
    """Wait until the table holds no more rows than the store (or ``within`` s passed)."""
    table = app.main_screen.query_one(JobTable)
    deadline = time.monotonic() + within
    while table.row_count > len(app.store) and time.monotonic() < deadline:
        await pilot.pause(0.05)


def _top_growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, n: int) -> list[str]:
    lines = []
    for stat in after.compare_to(before, "lineno")[:n]:
        frame = stat.traceback[0]
        lines.append(
            f"{fmt_bytes(stat.size_diff):>10} {stat.count_diff:+8d} blocks  "
            f"{frame.filename}:{frame.lineno}"
        )
    return lines


async def run_soak(
    config: SoakConfig, *, report: Callable[[str], None] | None = None
) -> SoakResult:
    """Run the app against the simulator for ``config.seconds``; return what was measured."""
    say = report or (lambda line: None)
    result = SoakResult(config)
    trap = _ErrorTrap()
    url, stop_sim, served = _start_sim(config)
    was_tracing = tracemalloc.is_tracing()
    if config.trace and not was_tracing:
        tracemalloc.start(1)
    mark_snapshot: tracemalloc.Snapshot | None = None
    poller_settings = PollerSettings(
        list_interval=config.list_interval,
        full_list_interval=config.full_list_interval,
        detail_interval=config.detail_interval,
        pending_detail_interval=config.pending_detail_interval,
    )
    app = FinetopApp(Settings(server_url=url, workspace="soak"), poller_settings=poller_settings)
    store = app.store
    store.max_checkpoints = config.max_checkpoints
    store.max_events = config.max_events
    store.max_details = config.max_details
    try:
        async with app.run_test(
            headless=True, size=config.size, message_hook=trap.message_hook
        ) as pilot:
            trap.install(asyncio.get_running_loop())
            started = time.monotonic()
            next_sample = started
            presses = 0
            while True:
                now = time.monotonic()
                if now >= next_sample:
                    sample = _sample(app, started, served())
                    result.jobs_seen.update(store.ids())
                    if sample.table_rows > sample.store_jobs:
                        # The store forgot jobs whose rows go at the screen's next repaint (its
                        # message is queued): an excess only if the repaint never removes them.
                        await _table_caught_up(app, pilot)
                        sample = _sample(app, started, served())
                    result.samples.append(sample)
                    result.max_table_excess = max(
                        result.max_table_excess, sample.table_rows - sample.store_jobs
                    )
                    say(
                        f"{sample.at:7.0f} s  rss {fmt_bytes(sample.rss):>10}  "
                        f"heap {fmt_bytes(sample.heap):>10}  jobs {sample.store_jobs:5d} "
                        f"(rows {sample.table_rows:5d}, parked {sample.parked})  "
                        f"details {sample.details:4d}/"
                        f"{sample.detail_bound:<4d} max cp {sample.most_checkpoints:4d}  "
                        f"requests {sample.requests}"
                    )
                    if result.mark is None and sample.at >= config.mark_seconds:
                        result.mark = sample
                        if config.top and tracemalloc.is_tracing():
                            mark_snapshot = tracemalloc.take_snapshot()
                    if sample.at >= config.seconds:
                        break
                    next_sample += config.sample_every
                if not app.is_running:
                    result.errors.append("the app stopped running")
                    break
                if config.keys:
                    # A person browsing: down a few rows, back to the top now and then.
                    presses += 1
                    await pilot.press("g" if presses % 20 == 0 else "j")
                await asyncio.sleep(min(1.0, max(0.0, next_sample - time.monotonic())))
            if mark_snapshot is not None:
                gc.collect()
                result.top_growth = _top_growth(
                    mark_snapshot, tracemalloc.take_snapshot(), config.top
                )
            if app.return_code not in (None, 0):
                result.errors.append(f"the app exited with {app.return_code}")
    except Exception as error:  # the app's own error exit re-raises here
        result.errors.append(f"app: {error!r}")
    finally:
        trap.uninstall()
        stop_sim()
        if config.trace and not was_tracing:
            tracemalloc.stop()
    result.errors[:0] = trap.errors
    if result.mark is None and result.samples:
        result.mark = result.samples[0]
    return result


def summarize(result: SoakResult) -> list[str]:
    """The closing lines: errors, jobs seen, growth and the per-job baseline."""
    mark, end = result.mark, result.end
    assert mark is not None
    lines = [
        f"unhandled exceptions: {len(result.errors)}",
        *(f"  {error}" for error in result.errors[:20]),
        f"jobs seen: {len(result.jobs_seen)} (store now {end.store_jobs}, table rows "
        f"{end.table_rows}, most checkpoints in one job {end.most_checkpoints}, "
        f"detail bodies {end.details} <= bound {end.detail_bound}), requests {end.requests}",
        f"mark at {mark.at:.0f} s -> end at {end.at:.0f} s:",
        f"  RSS  {fmt_bytes(mark.rss)} -> {fmt_bytes(end.rss)}: growth {result.growth('rss'):+.1%}"
        + ("" if result.config.trace else " (goal <= +10% over 30 minutes)"),
    ]
    if not result.config.trace:
        lines.append("  heap not traced (--no-heap): RSS is the app's own")
        return lines
    lines += [
        f"  heap {fmt_bytes(mark.heap)} -> {fmt_bytes(end.heap)}: growth "
        f"{result.growth('heap'):+.1%} (goal <= +10% over 30 minutes; RSS above includes "
        "tracemalloc's own)",
        f"  baseline, heap per job in the store: {fmt_bytes(result.heap_per_job(mark))} -> "
        f"{fmt_bytes(result.heap_per_job(end))} "
        f"(ratio {result.heap_per_job(end) / max(1.0, result.heap_per_job(mark)):.2f}; "
        f"jobs {mark.store_jobs} -> {end.store_jobs}, "
        f"x{end.store_jobs / max(1, mark.store_jobs):.2f})",
    ]
    added = end.store_jobs - mark.store_jobs
    if added > 0:  # per job added: meaningless when the workspace held steady
        lines.append(
            f"  heap per job added after the mark: {fmt_bytes((end.heap - mark.heap) / added)}"
        )
    if result.top_growth:
        lines.append("largest heap growth by source line (mark -> end):")
        lines += [f"  {line}" for line in result.top_growth]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = SoakConfig()
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--sample-every", type=float, default=defaults.sample_every)
    parser.add_argument("--sim", choices=("process", "thread"), default=defaults.sim)
    parser.add_argument("--jobs", type=int, default=defaults.jobs)
    parser.add_argument("--live", type=int, default=defaults.live)
    parser.add_argument("--speed", type=float, default=defaults.speed)
    parser.add_argument("--arrival-interval", type=float, default=defaults.arrival_interval)
    parser.add_argument("--sim-max-jobs", type=int, default=defaults.sim_max_jobs)
    parser.add_argument("--list-interval", type=float, default=defaults.list_interval)
    parser.add_argument("--detail-interval", type=float, default=defaults.detail_interval)
    parser.add_argument("--full-list-interval", type=float, default=defaults.full_list_interval)
    parser.add_argument("--no-keys", dest="keys", action="store_false")
    parser.add_argument(
        "--no-heap",
        dest="trace",
        action="store_false",
        help="do not trace the heap (tracemalloc inflates RSS): for RSS figures",
    )
    parser.add_argument(
        "--top",
        type=int,
        default=0,
        help="report the N lines whose allocations grew most (the snapshots inflate RSS)",
    )
    args = parser.parse_args()
    config = SoakConfig(
        seconds=args.minutes * 60,
        sample_every=args.sample_every,
        sim=args.sim,
        jobs=args.jobs,
        live=args.live,
        speed=args.speed,
        arrival_interval=args.arrival_interval,
        sim_max_jobs=args.sim_max_jobs,
        list_interval=args.list_interval,
        detail_interval=args.detail_interval,
        full_list_interval=args.full_list_interval,
        keys=args.keys,
        top=args.top,
        trace=args.trace,
    )
    print(
        f"soak: {args.minutes:g} min, simulator in a {config.sim} (speed {config.speed:g}x, "
        f"a new job every {config.arrival_interval / config.speed:.2f} s), intervals list "
        f"{config.list_interval:g} s / detail {config.detail_interval:g} s / full "
        f"{config.full_list_interval:g} s, {config.size[0]}x{config.size[1]}",
        flush=True,
    )
    result = asyncio.run(run_soak(config, report=lambda line: print(line, flush=True)))
    if not result.samples:
        print("no samples: " + "; ".join(result.errors))
        return 1
    for line in summarize(result):
        print(line)
    return 1 if result.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
