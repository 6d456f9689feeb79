"""The chart library question: finetop's own braille chart against textual-plot, in one run.

Run: ``python tests/benchmarks/bench_chart_library.py [--rounds 40]`` in a venv that also has
``textual-plot`` (0.10.1, with textual-hires-canvas 0.14.0 and numpy); without it the script
says so and measures nothing. finetop does not depend on it: this is how the choice was made.

- Import: the seconds ``import tui.app.app`` takes in a fresh interpreter (finetop's whole app,
  its chart included), against ``import tui.app.app, textual_plot``: what adopting the library
  would add to every launch (median of 7 runs each).
- Update: a 1,000-checkpoint run gains one checkpoint and the widget draws it, at 120x30, both
  widgets in one headless app. finetop's chart is handed the job and renders every line;
  textual-plot is handed the two curves as arrays already (its conversion is not counted),
  replots them (``clear`` and two ``plot`` calls, as its API has no append) and renders every
  line of its canvases. Median CPU time of each, and the ratio textual-plot / finetop.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.chart_host import ChartHost
from support.training_runs import training_run
from textual.app import App, ComposeResult
from textual.widget import Widget

from tui.monitor.curves import curves_from_job

WIDTH, HEIGHT = 120, 30
CHECKPOINTS = 1000
ROOT = Path(__file__).resolve().parents[2]


def import_seconds(statement: str, runs: int = 7) -> float:
    """Median wall seconds of a fresh interpreter running ``statement``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timed(action: Callable[[], None]) -> float:
    """CPU seconds ``action`` took (the machine may be busy with others: wall time would lie)."""
    start = time.process_time()
    action()
    return time.process_time() - start


def render_lines(widget: Widget) -> None:
    for y in range(widget.size.height):
        widget.render_line(y)


def jobs(rounds: int) -> list[Any]:
    return [
        training_run(last_step=CHECKPOINTS + index, every=1, planned=2 * CHECKPOINTS)
        for index in range(rounds + 1)
    ]


async def measure_finetop(rounds: int) -> list[float]:
    app = ChartHost()
    runs = jobs(rounds)
    times = []
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        app.chart.show_job(runs[0])
        await pilot.pause()
        for job in runs[1:]:

            def update(job: Any = job) -> None:
                app.chart.show_job(job)
                render_lines(app.chart)

            times.append(timed(update))
            await pilot.pause()
    return times


async def measure_textual_plot(rounds: int) -> list[float]:
    from textual_hires_canvas import Canvas
    from textual_plot import HiResMode, PlotWidget

    class PlotHost(App[None]):
        def compose(self) -> ComposeResult:
            yield PlotWidget()

    arrays = []
    for job in jobs(rounds):
        curves = curves_from_job(job)
        arrays.append((curves.train, curves.valid))
    app = PlotHost()
    times = []
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        plot = app.query_one(PlotWidget)
        await pilot.pause()
        canvases = list(plot.query(Canvas))
        for train, valid in arrays:

            def update(train: Any = train, valid: Any = valid) -> None:
                plot.clear()
                plot.plot(train.steps, train.values, hires_mode=HiResMode.BRAILLE)
                plot.plot(valid.steps, valid.values, hires_mode=HiResMode.BRAILLE)
                plot.render()
                for canvas in canvases:
                    render_lines(canvas)

            times.append(timed(update))
            await pilot.pause()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    if importlib.util.find_spec("textual_plot") is None:
        print("textual-plot is not installed here: pip install textual-plot==0.10.1 to compare")
        return 0
    finetop_import = import_seconds("import tui.app.app")
    with_plot = import_seconds("import tui.app.app, textual_plot")
    print(f"import finetop's app:                 {finetop_import * 1000:7.0f} ms")
    print(
        f"the same plus textual_plot (numpy):   {with_plot * 1000:7.0f} ms "
        f"(+{(with_plot - finetop_import) * 1000:.0f} ms, ratio {with_plot / finetop_import:.2f})"
    )
    ours = statistics.median(asyncio.run(measure_finetop(args.rounds)))
    theirs = statistics.median(asyncio.run(measure_textual_plot(args.rounds)))
    print(f"update, finetop's chart:              {ours * 1000:7.2f} ms CPU (median)")
    print(f"update, textual-plot:                 {theirs * 1000:7.2f} ms CPU (median)")
    print(f"ratio textual-plot / finetop:         {theirs / ours:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
