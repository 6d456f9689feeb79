"""Terminal traffic: bytes finetop writes per poll cycle when a job gains a checkpoint, 120x40.

Run: ``python tests/benchmarks/bench_traffic.py [--seconds 10] [--cycles 3]``

finetop (``python -m tui --server-url URL``) runs as the child of a pseudo-terminal sized 120x40
(``TIOCSWINSZ``; ``TERM=xterm-256color``); a thread reads everything it writes, time-stamped.
Over SSH every one of these bytes crosses the network.

The simulator subprocess (``_sim.py --gated``) freezes time: nothing moves unless told. The
workspace has 40 finished jobs and one training job (the newest, so the cursor and the detail
pane are on it). finetop polls that job's detail every second (``FINETOP_DETAIL_INTERVAL=1``).
After the first paint settles, it measures, for ``--seconds`` each:

- quiet: no job changes; the status line still says "updated 0 s ago" each cycle and the
  visible rows' ages and ETAs are refreshed every 5 s;
- checkpoint: once per poll interval the simulator moves time to just past the training job's
  next checkpoint, so each cycle brings exactly one new checkpoint (the row's step, progress bar,
  losses, curve and ETA, the chart's curves and readout line change; at 120x40 the detail opens
  full screen with enter, so it is not on screen -- ``--width 160 --height 48`` measures the
  layout with the detail beside the list);
- baseline: a full-screen repaint, forced by a resize to 120x41 and back to 120x40 (SIGWINCH):
  the bytes of the repaint at 120x40 (median of ``--cycles``), i.e. what redrawing the whole
  screen every cycle would cost.

It prints bytes per cycle (bytes per second x the detail interval) and the ratio of a
checkpoint cycle to a full repaint.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks._common import SimServer, median, newest_job_ids
from tests.support.pty_app import PtyApp, wait_for_text

DETAIL_INTERVAL = 1.0


def full_repaint(app: PtyApp, width: int, height: int) -> int:
    """Bytes of the repaint after a resize to ``height + 1`` rows and back."""
    app.resize(width, height + 1)
    time.sleep(0.7)
    start = time.monotonic()
    app.resize(width, height)
    time.sleep(0.7)  # the repaint lands within a few frames
    return app.bytes_between(start, start + 0.7)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--height", type=int, default=40)
    args = parser.parse_args()
    width, height = args.width, args.height
    with (
        tempfile.TemporaryDirectory() as home,
        SimServer(jobs=40, live=1, no_arrivals=True, gated=True) as sim,
    ):
        env = {
            key: value
            for key, value in os.environ.items()
            if key != "MISTRAL_API_KEY" and not key.startswith("FINETOP_")
        }
        env.update(
            HOME=home,
            XDG_CONFIG_HOME=str(Path(home) / ".config"),
            TERM="xterm-256color",
            COLORTERM="truecolor",
            LANG="C.UTF-8",
            COLUMNS=str(width),
            LINES=str(height),
            FINETOP_DETAIL_INTERVAL=str(DETAIL_INTERVAL),
        )
        newest = newest_job_ids(sim.url, 5)
        app = PtyApp([sys.executable, "-m", "tui", "--server-url", sim.url], env, width, height)
        try:
            began = time.monotonic()
            wait_for_text(app, [job_id[:8] for job_id in newest], timeout=60)
            first_rows = time.monotonic()
            time.sleep(3.0)  # first listing, detail fetch, notifications settle
            first_paint = app.bytes_between(began, first_rows + 1.0)

            start = time.monotonic()
            time.sleep(args.seconds)
            quiet = app.bytes_between(start, start + args.seconds) / args.seconds

            landed = 0
            start = time.monotonic()
            while time.monotonic() < start + args.seconds:
                tick = time.monotonic()
                if sim.command("checkpoint").startswith("ok"):
                    landed += 1
                time.sleep(max(0.0, DETAIL_INTERVAL - (time.monotonic() - tick)))
            end = time.monotonic()
            busy = app.bytes_between(start, end) / (end - start)

            repaints = [full_repaint(app, width, height) for _ in range(args.cycles)]
            if app.proc.poll() is not None:
                print("finetop ended early:\n" + app.text()[-2000:])
                return 1
        finally:
            app.close()
    repaint = median(repaints)
    per_quiet = quiet * DETAIL_INTERVAL
    per_busy = busy * DETAIL_INTERVAL
    print(
        f"finetop at {width}x{height}, one training job polled every {DETAIL_INTERVAL:g} s, "
        f"{args.seconds:g} s per phase ({landed} checkpoints landed)"
    )
    print(f"first paint (launch -> rows + 1 s):         {first_paint:8d} bytes")
    print(f"quiet poll cycle (no job changed):          {per_quiet:8.0f} bytes/cycle")
    print(
        f"poll cycle with one new checkpoint:         {per_busy:8.0f} bytes/cycle "
        f"(+{per_busy - per_quiet:.0f} over quiet)"
    )
    print(
        f"baseline: full-screen repaint at {width}x{height}:   {repaint:8.0f} bytes "
        f"(median of {len(repaints)}: {', '.join(str(r) for r in repaints)})"
    )
    print(
        f"ratio checkpoint cycle / full repaint: {per_busy / repaint:.3f} "
        f"({repaint / per_busy:.1f}x fewer bytes than redrawing the screen each cycle)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
