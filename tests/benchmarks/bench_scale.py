"""Scale: the job list at 1,000, 10,000 and 50,000 jobs -- keys, loading, memory.

Run: ``python tests/benchmarks/bench_scale.py [--sizes 1000,10000,50000] [--presses 40]
[--load-jobs 10000] [--repeat 3] [--parts keys,load,memory]``

Three parts, each against a baseline measured in the same run:

- keys: ``FinetopApp`` (``App.run_test(size=(120, 40))``, every frame rendered to escape
  sequences as a terminal would get them, then dropped) on a workspace of N synthetic jobs
  (``tests/unit/monitor/monitor_factories.py``: 1 % running with checkpoints, 1 % queued, the
  rest finished, suffixes from 97 experiment names), served by an in-memory client, polls too rare
  to land while keys are pressed. Each measurement posts one key event, as the terminal driver
  does, and stops the clock in ``post_display_hook`` at the first frame that shows its effect:
  ``down`` until the cursor is on another job; in the filter bar, alternately a character that
  keeps 5-60 % of the jobs and ``backspace``, until the list shows the new row count. p50 and
  p90 of ``--presses`` each, as ratios against the same keys on a 100-job workspace.
- load: the simulator in a subprocess (``_sim.py``, ``--load-jobs`` jobs, nothing moving)
  serves the jobs over loopback. finetop: from creating the app (imports done) to the frame that
  shows every job in the list. Baseline: the official SDK (``mistralai``) in a subprocess, from
  building its client to the last page parsed (``page_size=100``, imports not counted).
  Medians of ``--repeat`` runs, interleaved, and their ratio.
- memory: the pages of that workspace fetched once; with ``tracemalloc``, the bytes retained
  per job by finetop's store and list (the pages structured, merged into a ``JobStore``, queried
  and synced into a mounted ``JobTable``) against the SDK's pydantic models of the same pages.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import attrs
import httpx
from textual.app import App, ComposeResult

from tests.benchmarks._common import SimServer
from tests.benchmarks._frames import FrameClock, RenderingApp
from tests.benchmarks.bench_startup import SDK_LIST_ALL
from tests.ui.helpers import settings
from tests.unit.monitor.monitor_factories import T0, checkpoint, detail, item
from tui.api.convert import parse_jobs_page
from tui.api.models import CompletionJobDetails, Job, JobDetails, JobsPage, is_detail
from tui.app.widgets.job_table import JobTable
from tui.monitor.query import JobFilter
from tui.monitor.settings import PollerSettings
from tui.monitor.store import JobStore, to_list_item
from tui.settings.config import Settings

BASELINE_JOBS = 100
CANDIDATES = "qxzkjywvgbpfhu0123456789"
STATUSES = ["SUCCESS"] * 16 + ["FAILED"] * 2 + ["CANCELLED"]
"""Finished jobs; 1 % of all are running and 1 % pending (the poller follows their details)."""
MODELS = ["open-mistral-7b", "mistral-small-latest", "ministral-8b-latest", "codestral-latest"]
NAMES = [f"{word}-{n}" for word in ("sql", "chat", "summ", "support") for n in range(25)][:97]
QUIET = PollerSettings(
    list_interval=3600.0, full_list_interval=7200.0, detail_interval=3600.0, max_list_pages=1000
)
"""Polls too rare to land while keys are pressed (the first listing still runs); page budget
raised past the default 200 pages (20,000 jobs), which 50,000 jobs would meet."""


def synthetic_jobs(count: int) -> list[Job]:
    """``count`` jobs: 1 % running with checkpoints (details), 1 % queued, the rest finished
    (list items)."""
    jobs: list[Job] = []
    for i in range(count):
        fields: dict[str, Any] = {
            "created_at": T0 - i * 60,
            "model": MODELS[i % len(MODELS)],
            "suffix": NAMES[i % len(NAMES)] if i % 5 else None,
        }
        job_id = f"{i:08x}-0000-4000-8000-{i:012x}"
        if i % 100 == 0:
            cps = tuple(
                checkpoint(step, T0 + step, train=2.0 / step, valid=1.0 / step)
                for step in range(10, 110, 10)
            )
            jobs.append(detail(job_id, "RUNNING", checkpoints=cps, **fields))
        elif i % 100 == 50:
            jobs.append(item(job_id, "QUEUED", **fields))
        else:
            jobs.append(item(job_id, STATUSES[i % len(STATUSES)], **fields))
    return jobs


class StaticClient:
    """An in-memory client serving a fixed workspace (the subset of MistralClient the app
    uses): pages are slices, details the jobs themselves."""

    def __init__(self, jobs: list[Job]) -> None:
        self._items = [to_list_item(job) for job in jobs]  # already newest first
        self._jobs = {job.id: job for job in jobs}

    async def list_jobs(self, *, page: int = 0, page_size: int = 100, **_: Any) -> JobsPage:
        await asyncio.sleep(0)
        chunk = self._items[page * page_size : (page + 1) * page_size]
        return JobsPage(total=len(self._items), data=tuple(chunk))

    async def get_job(self, job_id: str) -> JobDetails:
        await asyncio.sleep(0)
        job = self._jobs[job_id]
        if is_detail(job):
            return job
        fields = {f.name: getattr(job, f.name) for f in attrs.fields(type(job))}
        fields.pop("wire_keys")
        return CompletionJobDetails(**fields)

    async def aclose(self) -> None:
        return None


async def wait_until(condition: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {within:.0f} s")
        await asyncio.sleep(0.05)


def pick_filter_char(store: JobStore) -> str:
    """A character that keeps between 5 % and 60 % of the jobs."""
    total = len(store)
    for char in CANDIDATES:
        kept = len(store.query_rows(JobFilter(text=char)))
        if 0.05 * total <= kept <= 0.6 * total:
            return char
    return "s"


async def measure_keys(count: int, presses: int) -> tuple[list[float], list[float]]:
    """Cursor and filter key latencies (seconds) on a ``count``-job workspace."""
    app = RenderingApp(
        # The list alone: no local history writing the workspace to disk meanwhile.
        settings(cache=False),
        client=StaticClient(synthetic_jobs(count)),  # type: ignore[arg-type]
        poller_settings=QUIET,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.main_screen.query_one(JobTable)
        await wait_until(lambda: table.row_count == count, 300, f"{count} rows")
        await pilot.pause(0.5)
        clock = FrameClock(app)
        cursor: list[float] = []
        for _ in range(presses):
            before = table.highlighted_job_id
            cursor.append(
                await clock.press("down", None, lambda b=before: table.highlighted_job_id != b)
            )
        await pilot.press("slash")
        screen = app.main_screen
        char = pick_filter_char(app.store)
        filtering: list[float] = []
        for index in range(presses):
            rows_before = table.row_count
            text = char if index % 2 == 0 else ""

            def applied(text: str = text, rows_before: int = rows_before) -> bool:
                return screen.job_filter.text == text and table.row_count != rows_before

            key, typed = (char, char) if text else ("backspace", None)
            filtering.append(await clock.press(key, typed, applied))
    return cursor, filtering


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


async def keys_part(sizes: list[int], presses: int) -> None:
    print(f"keys: 120x40, {presses} presses each, baseline {BASELINE_JOBS} jobs", flush=True)
    base = await measure_keys(BASELINE_JOBS, presses)
    results = {BASELINE_JOBS: base}
    for size in sizes:
        results[size] = await measure_keys(size, presses)
    for size, (cursor, filtering) in results.items():
        parts = []
        for name, values, baseline in (("cursor", cursor, base[0]), ("filter", filtering, base[1])):
            p50, p90 = percentiles(values)
            b50, b90 = percentiles(baseline)
            parts.append(
                f"{name} p50 {p50 * 1000:6.1f} ms ({p50 / b50:4.2f}x)  "
                f"p90 {p90 * 1000:6.1f} ms ({p90 / b90:4.2f}x)"
            )
        print(f"  {size:>6} jobs  " + "   ".join(parts), flush=True)


TIMED_SDK = """\
import time
from mistralai.client import Mistral
begin = time.perf_counter()
{listing}
print(time.perf_counter() - begin)
"""
"""bench_startup's SDK listing, timed from building the client (the import done before)."""


def time_sdk(url: str, expected: int) -> float:
    code = TIMED_SDK.format(listing=SDK_LIST_ALL.format(url=url, expected=expected))
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=600
    )
    return float(done.stdout.strip().splitlines()[-1])


async def time_app_load(url: str, total: int) -> float:
    begin = time.perf_counter()
    app = RenderingApp(Settings(server_url=url))
    shown = asyncio.Event()
    painted = [0.0]
    async with app.run_test(size=(120, 40)):
        table = app.main_screen.query_one(JobTable)

        def frame() -> None:
            if not shown.is_set() and table.row_count >= total:
                painted[0] = time.perf_counter()
                shown.set()

        app.on_frame = frame
        await asyncio.wait_for(shown.wait(), 600)
    return painted[0] - begin


def fetch_pages(url: str, total: int) -> list[bytes]:
    with httpx.Client(base_url=url, timeout=60) as client:
        return [
            client.get("/v1/fine_tuning/jobs", params={"page": n, "page_size": 100}).content
            for n in range((total + 99) // 100)
        ]


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield JobTable(id="jobs")


async def finetop_bytes(pages: list[bytes]) -> tuple[int, int]:
    """Bytes retained by the store and a mounted list holding every job of ``pages``."""
    app = ListApp()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(JobTable)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        store = JobStore()
        for body in pages:
            store.apply_page(parse_jobs_page(body))
        table.sync(store.query_rows(), time.time())
        await pilot.pause()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return after - before, len(store)


def sdk_bytes(pages: list[bytes]) -> tuple[int, int]:
    """Bytes retained by the SDK's models of ``pages`` (as its ``jobs.list`` parses them)."""
    from mistralai.client import models, utils

    texts = [body.decode() for body in pages]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    parsed = [utils.unmarshal_json(text, models.ListFineTuningJobsResponse) for text in texts]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, sum(len(page.data) for page in parsed)


async def load_and_memory_part(jobs: int, repeat: int, parts: set[str]) -> None:
    with SimServer(jobs=jobs, max_jobs=jobs + 100, live=3, speed=1.0, no_arrivals=True) as sim:
        total = int(sim.banner.split("(")[1].split()[0])
        if "load" in parts:
            app_times: list[float] = []
            sdk_times: list[float] = []
            for _ in range(repeat):  # interleaved: drift in machine load hits both alike
                app_times.append(await time_app_load(sim.url, total))
                sdk_times.append(time_sdk(sim.url, total))
            app_s, sdk_s = statistics.median(app_times), statistics.median(sdk_times)
            print(f"load: {total} jobs over loopback, median of {repeat}", flush=True)
            print(f"  finetop: app created -> every job in the list  {app_s:6.2f} s")
            print(f"  baseline: SDK client -> every page parsed      {sdk_s:6.2f} s")
            print(f"  ratio finetop / SDK: {app_s / sdk_s:.2f} (goal <= 1.3)", flush=True)
        if "memory" in parts:
            pages = fetch_pages(sim.url, total)
    if "memory" in parts:
        ours, ours_jobs = await finetop_bytes(pages)
        theirs, sdk_jobs = sdk_bytes(pages)
        per_ours, per_sdk = ours / ours_jobs, theirs / sdk_jobs
        print(f"memory: {total} jobs, tracemalloc, bytes retained per job")
        print(f"  finetop: store + list      {per_ours:8.0f} B/job  ({ours / 2**20:.1f} MiB)")
        print(f"  baseline: SDK's models     {per_sdk:8.0f} B/job  ({theirs / 2**20:.1f} MiB)")
        print(f"  ratio finetop / SDK: {per_ours / per_sdk:.2f} (goal <= 1.2)", flush=True)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--load-jobs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parts", default="keys,load,memory")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if "keys" in parts:
        await keys_part([int(size) for size in args.sizes.split(",")], args.presses)
    if parts & {"load", "memory"}:
        await load_and_memory_part(args.load_jobs, args.repeat, parts)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
