"""Seeding a big simulated workspace: ready to serve, against drawing every job in full.

Run: ``python tests/benchmarks/bench_sim_seed.py [--jobs 50000] [--repeat 3]``

What ``finetop sim --jobs N`` does before it can answer: build the world (past jobs are seeded
as id, date, final status and a seed; the rest is drawn when a job is first read) and answer
the first page of the job list. The baseline, measured in the same run on the same seed, is a
world whose every job is drawn in full, as seeding did before it went lazy (a filtered listing
reads every job). Prints the best of ``--repeat`` runs of each and the ratio ready / baseline.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui.api.clock import ManualClock
from tui.sim.options import SimOptions
from tui.sim.world import JobQuery

START = 1_764_000_000.0


def ready(options: SimOptions) -> float:
    """Seconds from nothing to the first page of the list."""
    started = time.perf_counter()
    world = options.build_world(ManualClock(START))
    total, items = world.list_jobs(JobQuery(page_size=100))
    elapsed = time.perf_counter() - started
    assert total == options.jobs
    assert len(items) == 100
    return elapsed


def drawn_in_full(options: SimOptions) -> float:
    """Seconds from nothing to every job drawn, then the first page."""
    started = time.perf_counter()
    world = options.build_world(ManualClock(START))
    world.list_jobs(JobQuery(page_size=1, status="RUNNING"))  # a filter reads every job
    total, _ = world.list_jobs(JobQuery(page_size=100))
    elapsed = time.perf_counter() - started
    assert total == options.jobs
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    options = SimOptions(jobs=args.jobs)
    lazy = min(ready(options) for _ in range(args.repeat))
    full = min(drawn_in_full(options) for _ in range(args.repeat))
    print(f"{args.jobs:,} jobs, best of {args.repeat}")
    print(f"  ready to serve (seeded lazily): {lazy:8.3f} s")
    print(f"  baseline, every job drawn:      {full:8.3f} s")
    print(f"  ratio ready / baseline:         {lazy / full:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
