"""Responsiveness: key press to painted frame on a 5,000-job workspace while polls land.

Run: ``python tests/benchmarks/bench_responsiveness.py [--jobs 5000] [--baseline-jobs 50]
[--presses 100]``

For each workspace size, a simulator subprocess (``_sim.py``: ``--jobs N``, 5 live jobs, new
jobs arriving every ~5 s) serves the jobs and ``FinetopApp`` runs in this process
(``App.run_test(size=(120, 40))``) with fast intervals (list 2 s, details 1 s, full list 20 s),
so list pages and details keep landing while keys are pressed. Every frame is rendered to
terminal escape sequences (``_frames.RenderingApp``, output discarded), so a frame costs what it
costs in a real terminal.

Each measurement posts one key event to the app (as the terminal driver does) and stops the clock
in ``post_display_hook`` at the first frame that shows its effect:

- cursor: ``down``, until a frame shows the highlight on another job (the table scrolls past
  the first screen, so scrolling is included; at the last row ``g`` goes back to the top,
  untimed);
- filter: in the filter bar, alternately one character (chosen so that it keeps between 5 % and
  60 % of the jobs) and ``backspace``, until a frame shows the table with the new row count.

Keys are ~50 ms apart (a fast typist). It prints the median, 90th percentile and worst of
``--presses`` of each, and the ratios against the same presses on the ``--baseline-jobs``
workspace, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks._common import SimServer
from tests.benchmarks._frames import FrameClock, RenderingApp
from tui.app.app import FinetopApp
from tui.app.widgets.job_table import JobTable
from tui.monitor.query import JobFilter
from tui.monitor.settings import PollerSettings
from tui.settings.config import Settings

GAP = 0.05
"""Seconds between key presses."""
CANDIDATES = "qxzkjywvgbpfhu0123456789"


@dataclass
class Timings:
    cursor: list[float]
    filter: list[float]
    rows: int
    requests: int
    filter_text: str
    filter_rows: int
    load_seconds: float
    """From mount to every job in the table."""


def pick_filter_char(app: FinetopApp) -> tuple[str, int]:
    """A character that keeps between 5 % and 60 % of the jobs."""
    total = len(app.store)
    best = ("q", 0)
    for char in CANDIDATES:
        count = len(app.store.query(JobFilter(text=char)))
        if 0.05 * total <= count <= 0.6 * total:
            return char, count
        if 0 < count < total:
            best = (char, count)
    return best


async def measure(jobs: int, presses: int) -> Timings:
    with SimServer(
        jobs=jobs, max_jobs=jobs + 500, live=5, speed=60.0, arrival_interval=300.0
    ) as sim:
        total = int(sim.banner.split("(")[1].split()[0])
        settings = PollerSettings(
            list_interval=2.0,
            full_list_interval=20.0,
            detail_interval=1.0,
            pending_detail_interval=2.0,
        )
        app = RenderingApp(Settings(server_url=sim.url), poller_settings=settings)
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.main_screen.query_one(JobTable)
            loaded = time.monotonic()
            while table.row_count < total:
                if time.monotonic() - loaded > 120:
                    raise TimeoutError(f"only {table.row_count} of {total} rows after 120 s")
                await asyncio.sleep(0.1)
            load_seconds = time.monotonic() - loaded  # printed later: the app captures print
            await asyncio.sleep(2.0)

            clock = FrameClock(app, gap=GAP)

            async def press(key: str, char: str | None, until: Callable[[], bool]) -> float:
                return await clock.press(key, char, until)

            requests_before = app.poller.status.requests if app.poller else 0
            cursor: list[float] = []
            for _ in range(presses):
                if table.cursor_row >= table.row_count - 1:
                    await pilot.press("g")  # back to the top (small workspaces), not timed
                    await asyncio.sleep(GAP)
                before = table.highlighted_job_id
                cursor.append(
                    await press("down", None, lambda b=before: table.highlighted_job_id != b)
                )

            await pilot.press("slash")  # open the filter bar (focus moves to the input)
            screen = app.main_screen
            char, kept = pick_filter_char(app)
            filtering: list[float] = []
            for index in range(presses):
                rows_before = table.row_count
                typing = index % 2 == 0
                text = char if typing else ""

                def applied(text: str = text, rows_before: int = rows_before) -> bool:
                    return screen.job_filter.text == text and table.row_count != rows_before

                if typing:
                    filtering.append(await press(char, char, applied))
                else:
                    filtering.append(await press("backspace", None, applied))
            requests = (app.poller.status.requests if app.poller else 0) - requests_before
            rows = table.row_count
    return Timings(cursor, filtering, rows, requests, char, kept, load_seconds)


def stats(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return statistics.median(values), p90, max(values)


def line(name: str, values: list[float]) -> str:
    med, p90, worst = stats(values)
    return (
        f"  {name:<8} median {med * 1000:6.1f} ms  p90 {p90 * 1000:6.1f} ms  "
        f"worst {worst * 1000:6.1f} ms  (n={len(values)})"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--baseline-jobs", type=int, default=50)
    parser.add_argument("--presses", type=int, default=100)
    args = parser.parse_args()

    def say(text: str) -> None:
        print(text, flush=True)

    say("loading workspaces (simulator subprocess, app in this process, 120x40):")
    base = await measure(args.baseline_jobs, args.presses)
    big = await measure(args.jobs, args.presses)
    for name, result in (("baseline", base), ("measured", big)):
        say(
            f"{name}: {result.rows} rows (all in the table {result.load_seconds:.1f} s after "
            f"mount); filter {result.filter_text!r} keeps "
            f"{result.filter_rows}; {result.requests} requests while pressing keys"
        )
        say(line("cursor", result.cursor))
        say(line("filter", result.filter))
    for kind in ("cursor", "filter"):
        b, m = stats(getattr(base, kind)), stats(getattr(big, kind))
        say(
            f"ratio {args.jobs} / {args.baseline_jobs} jobs, {kind}: median {m[0] / b[0]:.1f}x, "
            f"worst {m[2] / b[2]:.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
