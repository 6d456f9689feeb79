"""Chart rendering: a 1,000-checkpoint chart at 120x30 against a plain Static of the same size.

Run: ``python tests/benchmarks/bench_chart.py [--rounds 60]``

Both widgets fill a headless app of 120x30 (``App.run_test``); every timing renders all 30
lines through the widget's own ``render_line`` (what the compositor calls), in the same
process, back to back:

- update: the chart is given the job with one more checkpoint (1,000 and up, every step, the
  way a poll brings them) and renders; the baseline Static is given a new 120x30 text and
  renders. This is the chart's whole path: checkpoints to curves, plot, frame, strips.
- repaint: nothing changed, the widget is asked to repaint (``refresh()``) and renders again.
- first: the chart shows a 1,000-checkpoint job it has never seen (another job id).

It prints the median CPU time of each and the ratio chart / Static, and the share of the chart's
area one new checkpoint asked to repaint (for that job, and for a job checkpointing every 10 of
1,000 planned steps, the pace of real runs); the rest of the frame is left alone.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.chart_host import ChartHost, RecordingChart
from support.training_runs import training_run
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Static

WIDTH, HEIGHT = 120, 30
CHECKPOINTS = 1000


class StaticHost(App[None]):
    """One Static filling the screen: the baseline."""

    CSS = "Static { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield Static("")


def render_all(widget: Widget) -> None:
    for y in range(HEIGHT):
        widget.render_line(y)


def timed(action: Callable[[], None]) -> float:
    """CPU seconds ``action`` took (the machine may be busy with others: wall time would lie)."""
    start = time.process_time()
    action()
    return time.process_time() - start


def text_block(seed: int) -> str:
    """A 120x30 text that differs each round."""
    row = "".join(chr(0x2800 + (seed + i) % 255 + 1) for i in range(WIDTH))
    return "\n".join(f"{seed:>6} {row[7:]}" for _ in range(HEIGHT))


async def measure_static(rounds: int) -> dict[str, list[float]]:
    app = StaticHost()
    times: dict[str, list[float]] = {"update": [], "repaint": []}
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        static = app.query_one(Static)
        await pilot.pause()
        for index in range(rounds):
            text = text_block(index)

            def update(text: str = text) -> None:
                static.update(text)
                render_all(static)

            times["update"].append(timed(update))
            await pilot.pause()

            def repaint() -> None:
                static.refresh()
                render_all(static)

            times["repaint"].append(timed(repaint))
            await pilot.pause()
    return times


def repainted_share(chart: RecordingChart) -> float:
    """The share of the chart's area its last refreshes asked to repaint."""
    if None in chart.refreshes:
        return 1.0
    area = sum(region.area for regions in chart.refreshes for region in regions or ())
    return area / (WIDTH * HEIGHT)


async def measure_chart(rounds: int) -> tuple[dict[str, list[float]], list[float]]:
    app = ChartHost()
    times: dict[str, list[float]] = {"update": [], "repaint": [], "first": []}
    shares: list[float] = []
    jobs = [
        training_run(last_step=CHECKPOINTS + index, every=1, planned=2 * CHECKPOINTS)
        for index in range(rounds + 1)
    ]
    others = [
        training_run(f"other-{index}", last_step=CHECKPOINTS, every=1, seed=index + 2)
        for index in range(rounds)
    ]
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        chart = app.chart
        chart.show_job(jobs[0])
        await pilot.pause()
        render_all(chart)
        for index in range(rounds):
            chart.refreshes.clear()
            job = jobs[index + 1]

            def update(job: object = job) -> None:
                chart.show_job(job)
                render_all(chart)

            times["update"].append(timed(update))
            shares.append(repainted_share(chart))
            await pilot.pause()

            def repaint() -> None:
                chart.refresh()
                render_all(chart)

            times["repaint"].append(timed(repaint))
            await pilot.pause()

        for other in others:

            def first(other: object = other) -> None:
                chart.show_job(other)
                render_all(chart)

            times["first"].append(timed(first))
            await pilot.pause()
    return times, shares


async def measure_sparse_shares(rounds: int) -> list[float]:
    """Repainted shares of a job checkpointing every 10 steps of 1,000 (real runs' pace)."""
    app = ChartHost()
    shares: list[float] = []
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        chart = app.chart
        for index in range(rounds + 1):
            chart.refreshes.clear()
            chart.show_job(training_run(last_step=300 + 10 * index, every=10, planned=1000))
            render_all(chart)
            if index:
                shares.append(repainted_share(chart))
            await pilot.pause()
    return shares


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    static = asyncio.run(measure_static(args.rounds))
    chart, shares = asyncio.run(measure_chart(args.rounds))
    sparse = asyncio.run(measure_sparse_shares(min(args.rounds, 60)))
    median = statistics.median
    print(f"{CHECKPOINTS:,}-checkpoint chart vs a plain Static, both {WIDTH}x{HEIGHT}, ")
    print(f"median of {args.rounds} rounds each")
    for phase, baseline in (("update", "update"), ("repaint", "repaint"), ("first", "update")):
        chart_ms = median(chart[phase]) * 1000
        static_ms = median(static[baseline]) * 1000
        print(
            f"  {phase:<8} chart {chart_ms:8.2f} ms   Static ({baseline}) {static_ms:6.2f} ms"
            f"   ratio {chart_ms / static_ms:6.1f}x"
        )
    for label, values in (("every step", shares), ("every 10 steps", sparse)):
        print(
            f"  one new checkpoint ({label}) repaints {median(values):.1%} of the chart's"
            f" area (max {max(values):.1%}; the goal for a whole frame is 30 %)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
