"""Startup: launch to the first job rows on screen, for a 1,000-job workspace, against the SDK.

Run: ``python tests/benchmarks/bench_startup.py [--repeat 5] [--jobs 1000] [--live 3]``

A simulator subprocess (``_sim.py``: ``--jobs 1000 --live 3``, no arrivals, so every run sees
the same workspace) serves the workspace. Each measurement is the wall time of a fresh process,
interpreter start included:

- finetop: ``python -m tui --server-url URL --no-cache`` started in a real terminal (tmux,
  120x40, see ``tests/e2e/terminal.py``), a first launch every time (no local history:
  ``bench_history_startup.py`` measures the launches after one); the clock stops when
  ``capture-pane`` first shows the short id of one of the 30 newest jobs (the screen is polled
  every 20 ms, so figures carry up to ~25 ms of polling granularity);
- baseline: the official SDK (``mistralai`` 2.5.1) in ``python -c``: import, build the client
  and list every page (``page_size=100``) until ``total`` is reached, then exit;
- for reference, ``python -m tui jobs --server-url URL --no-cache`` (the headless list of
  every page).

It prints the median (and min/max) of ``--repeat`` runs of each and the ratio finetop / SDK
(goal: <= 1.5).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks._common import REPO, SimServer, median, newest_job_ids
from tests.e2e.terminal import Terminal, tmux_available

SDK_LIST_ALL = """\
from mistralai.client import Mistral
with Mistral(api_key="bench", server_url={url!r}) as client:
    page, seen = 0, 0
    while True:
        result = client.fine_tuning.jobs.list(page=page, page_size=100)
        seen += len(result.data)
        page += 1
        if not result.data or seen >= result.total:
            break
assert seen >= {expected}, seen
"""


def isolated_environment(home: Path) -> None:
    """No user config, no key, no history: finetop talks to the loopback server as given."""
    for name in list(os.environ):
        if name == "MISTRAL_API_KEY" or name.startswith("FINETOP_"):
            del os.environ[name]
    os.environ["HOME"] = str(home)
    os.environ["XDG_CONFIG_HOME"] = str(home / ".config")
    os.environ["XDG_CACHE_HOME"] = str(home / ".cache")


def time_finetop(url: str, short_ids: list[str], *flags: str) -> float:
    """Seconds from launching ``finetop --server-url URL FLAGS`` to one of ``short_ids`` on
    screen (then it quits)."""
    begin = time.perf_counter()
    terminal = Terminal(
        [sys.executable, "-m", "tui", "--server-url", url, *flags],
        width=120,
        height=40,
        cwd=REPO,
    )
    try:
        terminal.wait_for(
            lambda screen: any(short in screen for short in short_ids),
            timeout=60,
            interval=0.02,
        )
        elapsed = time.perf_counter() - begin
        terminal.send_keys("q")
        terminal.wait_exit(10)
    finally:
        terminal.close()
    return elapsed


def time_command(command: list[str]) -> float:
    begin = time.perf_counter()
    subprocess.run(
        command, cwd=REPO, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - begin


def describe(name: str, values: list[float]) -> str:
    return (
        f"{name:<38} median {median(values):6.3f} s  "
        f"(min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--live", type=int, default=3)
    args = parser.parse_args()
    if not tmux_available():
        print("tmux is not installed: cannot run the terminal benchmark")
        return 2
    with tempfile.TemporaryDirectory() as home:
        isolated_environment(Path(home))
        with SimServer(
            jobs=args.jobs, live=args.live, speed=1.0, no_arrivals=True, max_jobs=args.jobs + 100
        ) as sim:
            total = int(sim.banner.split("(")[1].split()[0])
            short_ids = [job_id[:8] for job_id in newest_job_ids(sim.url, 30)]
            print(f"workspace: {total} jobs ({sim.url}), {args.repeat} runs each, 120x40 tmux")
            finetop: list[float] = []
            sdk: list[float] = []
            headless: list[float] = []
            sdk_code = SDK_LIST_ALL.format(url=sim.url, expected=total)
            for _ in range(args.repeat):
                # Interleaved, so drift in machine load hits all three alike.
                # Every run starts from nothing, as a first launch does (no local history).
                finetop.append(time_finetop(sim.url, short_ids, "--no-cache"))
                sdk.append(time_command([sys.executable, "-c", sdk_code]))
                headless.append(
                    time_command(
                        [sys.executable, "-m", "tui", "jobs", "--server-url", sim.url, "--no-cache"]
                    )
                )
    print(describe("finetop: launch -> first rows painted", finetop))
    print(describe("baseline: SDK import + list all pages", sdk))
    print(describe("reference: finetop jobs (all pages)", headless))
    ratio = median(finetop) / median(sdk)
    print(f"ratio finetop / SDK: {ratio:.2f} (goal <= 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
