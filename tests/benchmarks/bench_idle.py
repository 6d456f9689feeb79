"""Idle CPU: finetop left open on a 1,000-job workspace with jobs training, against a bare app.

Run: ``python tests/benchmarks/bench_idle.py [--seconds 60] [--jobs 1000] [--live 3]``

A simulator subprocess (``_sim.py``, real-time speed, no arrivals: the live jobs keep training
for the whole measurement) serves the workspace. Two real terminals (tmux, 120x40,
``tests/e2e/terminal.py``) run side by side for the same ``--seconds``:

- finetop: ``python -m tui --server-url URL`` with default intervals (list 30 s, details of
  training jobs 10 s), the status line ticking every second and visible rows' ages every 5 s;
  the cursor starts on the newest running job, so its chart (and readout line) is on screen
  and takes every new checkpoint of that job (checked before measuring);
- baseline: a minimal Textual app showing one static label.

Once both show their first screen (and finetop has had 5 s to finish its first full listing),
it reads utime + stime of each process from ``/proc/PID/stat`` at the start and the end and
prints the CPU share of one core (goal for finetop: < 2 %), the ratio finetop / baseline, and
the requests the simulator served meanwhile.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks._common import REPO, SimServer, cpu_seconds, newest_job_ids
from tests.e2e.terminal import Terminal, tmux_available

CHART_READOUT = re.compile(r"^ train \S+ · min \S+ @\d+", re.MULTILINE)
"""The chart's readout line: the chart of a job with checkpoints is on screen."""

BARE_APP = """\
from textual.app import App
from textual.widgets import Static


class Bare(App):
    def compose(self):
        yield Static("idle baseline: one static label")


Bare().run()
"""


def count_status(url: str, status: str) -> int:
    response = httpx.get(
        f"{url}/v1/fine_tuning/jobs", params={"status": status, "page_size": 1}, timeout=10
    )
    response.raise_for_status()
    return int(response.json()["total"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--live", type=int, default=3)
    parser.add_argument("--settle", type=float, default=5.0)
    args = parser.parse_args()
    if not tmux_available():
        print("tmux is not installed: cannot run the terminal benchmark")
        return 2
    with tempfile.TemporaryDirectory() as home:
        for name in list(os.environ):
            if name == "MISTRAL_API_KEY" or name.startswith("FINETOP_"):
                del os.environ[name]
        os.environ["HOME"] = home
        os.environ["XDG_CONFIG_HOME"] = str(Path(home) / ".config")
        with SimServer(
            jobs=args.jobs, live=args.live, speed=1.0, no_arrivals=True, max_jobs=args.jobs + 100
        ) as sim:
            total = int(sim.banner.split("(")[1].split()[0])
            short_ids = [job_id[:8] for job_id in newest_job_ids(sim.url, 30)]
            app = Terminal(
                [sys.executable, "-m", "tui", "--server-url", sim.url],
                width=120,
                height=40,
                cwd=REPO,
            )
            bare = Terminal([sys.executable, "-c", BARE_APP], width=120, height=40, cwd=REPO)
            try:
                app.wait_for(lambda s: any(short in s for short in short_ids), timeout=60)
                bare.wait_for("idle baseline", timeout=60)
                time.sleep(args.settle)  # let the first full listing and detail fetches end
                readout = CHART_READOUT.search(app.wait_for(CHART_READOUT.search, timeout=60))
                assert readout is not None
                running = count_status(sim.url, "RUNNING")
                pids = {"finetop": app.pid, "bare": bare.pid}
                requests_before = int(sim.command("requests"))
                before = {name: cpu_seconds(pid) for name, pid in pids.items()}
                begin = time.monotonic()
                time.sleep(args.seconds)  # the measurement window: both apps idle
                after = {name: cpu_seconds(pid) for name, pid in pids.items()}
                wall = time.monotonic() - begin
                requests = int(sim.command("requests")) - requests_before
                if app.exited() or bare.exited():
                    print("an app ended during the measurement:\n" + app.screen())
                    return 1
                app.send_keys("q")
                bare.send_keys("q")
                app.wait_exit(10)
            finally:
                app.close()
                bare.close()
    share = {name: (after[name] - before[name]) / wall for name in pids}
    print(
        f"workspace: {total} jobs, {running} RUNNING ({args.live} live), 120x40 tmux, "
        f"{wall:.0f} s measured after {args.settle:g} s settling"
    )
    print(f"chart on screen, a running job's readout:{readout.group(0)}")
    print(
        f"finetop:  {share['finetop']:7.2%} of one core "
        f"({after['finetop'] - before['finetop']:.2f} CPU s; {requests} requests served, "
        f"{requests / wall * 60:.1f}/min) (goal < 2 %)"
    )
    print(
        f"baseline: {share['bare']:7.2%} of one core "
        f"({after['bare'] - before['bare']:.2f} CPU s; a Textual app with one static label)"
    )
    ratio = share["finetop"] / share["bare"] if share["bare"] > 0 else float("inf")
    print(f"ratio finetop / baseline: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
