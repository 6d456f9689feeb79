"""The simulated API in its own process, for benchmarks that must measure only the app.

Run: ``python tests/benchmarks/_sim.py [--jobs N] [--max-jobs M] [--live L] [--speed S]
[--arrival-interval SECONDS] [--no-arrivals] [--gated] [--latency MS]``

Unlike ``finetop sim`` it exposes the world's ``max_jobs`` cap (``finetop sim --jobs N`` keeps
max(N, 500) jobs, dropping the oldest finished ones beyond) and the arrival rate, and logs no
requests. It prints ``serving http://127.0.0.1:PORT`` on stdout once it accepts
connections, then answers one-line commands read from stdin:

- ``checkpoint`` (``--gated`` only): the world's clock, frozen at start, jumps just past the next
  checkpoint of a running job, so that exactly one job gains exactly one checkpoint; answers
  ``ok JOB_ID STEP`` (or ``none``).
- ``requests``: answers the number of responses served so far.

It exits when stdin closes, or on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui.api.clock import Clock, ManualClock, SystemClock
from tui.sim import SimulatorThread, World, create_app
from tui.sim.lifecycle import steps_done


def _next_checkpoint(world: World, clock: ManualClock) -> str:
    """Move the frozen clock just past the soonest next checkpoint of a running job."""
    now = clock.time()
    best: tuple[float, str, int] | None = None
    for job_id in world.job_ids():
        job = world.sim_job(job_id)
        if job.status != "RUNNING" or job.run_started_at is None:
            continue
        every = job.checkpoint_every
        step = (steps_done(job, now) // every + 1) * every
        if step > job.training_steps:
            continue
        at = job.run_started_at + step * job.plan.step_seconds
        if best is None or at < best[0]:
            best = (at, job_id, step)
    if best is None:
        return "none"
    at, job_id, step = best
    clock.set(at + 0.001)
    world.advance_to_now()
    return f"ok {job_id} {step}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--max-jobs", type=int, default=None, help="default: jobs + 100")
    parser.add_argument("--live", type=int, default=3)
    parser.add_argument("--speed", type=float, default=60.0)
    parser.add_argument("--arrival-interval", type=float, default=900.0)
    parser.add_argument("--no-arrivals", dest="arrivals", action="store_false")
    parser.add_argument("--gated", action="store_true", help="freeze time; move it on command")
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="MS", help="hold every response MS ms"
    )
    args = parser.parse_args()

    clock: Clock = ManualClock(start=SystemClock().time()) if args.gated else SystemClock()
    world = World(
        seed=args.seed,
        jobs=args.jobs,
        live=args.live,
        speed=args.speed,
        clock=clock,
        arrivals=args.arrivals,
        max_jobs=args.max_jobs if args.max_jobs is not None else args.jobs + 100,
        arrival_interval=args.arrival_interval,
    )
    app = create_app(world, latency=args.latency / 1000)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    def commands() -> None:
        for line in sys.stdin:
            word = line.strip()
            if word == "checkpoint" and isinstance(clock, ManualClock):
                answer = _next_checkpoint(world, clock)
            elif word == "requests":
                answer = str(app.sim.requests_served)
            else:
                answer = f"unknown {word!r}"
            print(answer, flush=True)
        stop.set()

    with SimulatorThread(app=app) as sim:
        print(f"serving {sim.base_url} ({len(world)} jobs)", flush=True)
        threading.Thread(target=commands, daemon=True).start()
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
