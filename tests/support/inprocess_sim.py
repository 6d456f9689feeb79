"""The simulator mounted in-process, on the same ManualClock as the poller."""

from __future__ import annotations

from typing import Any

import httpx

from tui.api.client import MistralClient, RetryPolicy
from tui.api.clock import ManualClock
from tui.sim.app import SimApp, create_app
from tui.sim.world import World

SIM_START = 1_780_000_000.0


class RequestLog:
    """Request lines of the simulator, each with the clock time it was served at."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.lines: list[tuple[float, str]] = []

    def __call__(self, line: str) -> None:
        self.lines.append((self.clock.monotonic(), line))

    def since(self, t: float) -> list[str]:
        return [line for at, line in self.lines if at >= t]


def sim_client(
    clock: ManualClock, **world_args: Any
) -> tuple[MistralClient, World, SimApp, RequestLog]:
    """A client talking to a fresh simulated workspace in-process (no sockets, no retries)."""
    world_args.setdefault("max_jobs", 5000)
    world = World(clock=clock, **world_args)
    log = RequestLog(clock)
    app = create_app(world, request_log=log)
    client = MistralClient(
        "http://127.0.0.1:9",
        None,
        transport=httpx.ASGITransport(app=app),
        retry=RetryPolicy(attempts=1),
        clock=clock,
    )
    return client, world, app, log
