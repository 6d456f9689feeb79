"""Launches after the first: first rows from the local history, against the SDK listing it all.

Run: ``python tests/benchmarks/bench_history_startup.py [--repeat 5] [--sizes 300,1000]
[--latency 150] [--live 3]``

For each workspace size a simulator subprocess (``_sim.py --jobs N --live 3 --no-arrivals
--latency 150``: every response held 150 ms, a real-world round trip) serves the workspace, and
finetop runs in a real terminal (tmux, 120x40) with its own empty home:

1. a first launch (no history yet): the clock runs until the short id of one of the 30 newest
   jobs is on screen (its "first rows"), then until every SUCCESS row on screen shows its train
   loss without a key press (the background fill at work) and the first listing has ended;
2. a second launch on the history the first one left: its first rows, then the same goal;
3. ``--repeat`` more second launches (first rows only), interleaved with the baseline: the
   official SDK (``mistralai`` 2.5.1) in ``python -c``: import, build the client and list every
   page (``page_size=100``, sequentially, as the SDK offers) until ``total`` is reached.

Both session launches run with ``FINETOP_REQUEST_BUDGET=600`` so that the first one's fill
reaches the goal in seconds rather than minutes; the request counts (from the simulator's own
counter) cover each launch from its start to its goal, and say what the second launch no longer
asks. The timed second launches use the default settings.

finetop's own modules are compiled to bytecode first, as installing it does (the SDK's and
Textual's are, in site-packages). It prints the median (and min/max) of the timed launches
and, per size, the ratio second launch / SDK (goal: <= 0.6), and both launches' request
counts.
"""

from __future__ import annotations

import argparse
import compileall
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks._common import REPO, SimServer, median, newest_job_ids
from tests.benchmarks.bench_startup import (
    SDK_LIST_ALL,
    describe,
    isolated_environment,
    time_command,
    time_finetop,
)
from tests.e2e.terminal import Terminal, tmux_available

FAST_FILL = {"FINETOP_REQUEST_BUDGET": "600"}
"""The session launches' budget (see the module docstring)."""


def losses_on_screen(screen: str) -> bool:
    """Every SUCCESS row on screen shows a train loss, and the first listing has ended."""
    lines = screen.splitlines()
    if not lines or "updated" not in lines[0]:
        return False
    header = next((line for line in lines if "ETA/took" in line and "Train" in line), None)
    if header is None:
        return False
    start = header.index("Train")
    losses = [line[start : start + 7].strip() for line in lines if " SUCCESS " in line]
    return bool(losses) and "—" not in losses


def session(url: str, short_ids: list[str], sim: SimServer) -> tuple[float, float, int]:
    """One launch to the goal: (seconds to first rows, seconds to the goal, requests made)."""
    before = int(sim.command("requests"))
    begin = time.perf_counter()
    terminal = Terminal(
        [sys.executable, "-m", "tui", "--server-url", url],
        width=120,
        height=40,
        cwd=REPO,
        env={**os.environ, **FAST_FILL},
    )
    try:
        terminal.wait_for(
            lambda screen: any(short in screen for short in short_ids), timeout=60, interval=0.02
        )
        first_rows = time.perf_counter() - begin
        terminal.wait_for(losses_on_screen, timeout=600, interval=0.05)
        goal = time.perf_counter() - begin
        requests = int(sim.command("requests")) - before
        terminal.send_keys("q")
        terminal.wait_exit(15)
    finally:
        terminal.close()
    return first_rows, goal, requests


def bench_size(jobs: int, live: int, latency: float, repeat: int) -> float:
    """Run every measurement for one workspace size; returns the ratio second launch / SDK."""
    with tempfile.TemporaryDirectory() as home:
        isolated_environment(Path(home))
        with SimServer(
            jobs=jobs,
            live=live,
            speed=1.0,
            no_arrivals=True,
            max_jobs=jobs + 100,
            latency=latency,
        ) as sim:
            total = int(sim.banner.split("(")[1].split()[0])
            short_ids = [job_id[:8] for job_id in newest_job_ids(sim.url, 30)]
            print(f"\nworkspace: {total} jobs, {live} running, {latency:g} ms per response")
            cold_rows, cold_goal, cold_requests = session(sim.url, short_ids, sim)
            warm_rows, warm_goal, warm_requests = session(sim.url, short_ids, sim)
            second: list[float] = [warm_rows]
            sdk: list[float] = []
            sdk_code = SDK_LIST_ALL.format(url=sim.url, expected=total)
            for _ in range(repeat):
                # Interleaved, so drift in machine load hits both alike.
                second.append(time_finetop(sim.url, short_ids))
                sdk.append(time_command([sys.executable, "-c", sdk_code]))
    print(
        f"first launch:  first rows {cold_rows:6.3f} s, losses on every SUCCESS row "
        f"{cold_goal:6.3f} s, {cold_requests} requests"
    )
    print(
        f"second launch: first rows {warm_rows:6.3f} s, losses on every SUCCESS row "
        f"{warm_goal:6.3f} s, {warm_requests} requests"
    )
    print(f"requests, second launch / first launch: {warm_requests}/{cold_requests}")
    print(describe("second launch -> first rows painted", second))
    print(describe("baseline: SDK import + list all pages", sdk))
    ratio = median(second) / median(sdk)
    print(f"ratio second launch / SDK ({total} jobs): {ratio:.2f} (goal <= 0.6)")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="300,1000", help="workspace sizes, comma-separated")
    parser.add_argument("--live", type=int, default=3)
    parser.add_argument("--latency", type=float, default=150.0, metavar="MS")
    args = parser.parse_args()
    if not tmux_available():
        print("tmux is not installed: cannot run the terminal benchmark")
        return 2
    # An installed finetop has its bytecode compiled (pip does it, as it did for Textual and
    # the SDK); a checkout under PYTHONDONTWRITEBYTECODE would compile every module each launch.
    compileall.compile_dir(REPO / "tui", quiet=1)
    sizes = [int(size) for size in args.sizes.split(",")]
    ratios = {size: bench_size(size, args.live, args.latency, args.repeat) for size in sizes}
    print()
    for size, ratio in ratios.items():
        print(f"{size:>6} jobs: second launch / SDK = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
