"""Settings of a simulator run (``finetop sim`` flags), and the demo's preset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from tui.api.clock import Clock
from tui.sim.app import SimApp, create_app
from tui.sim.faults import FaultSpec
from tui.sim.pace import Pace
from tui.sim.world import DEFAULT_MAX_JOBS, World

__all__ = ["SimOptions"]


@attrs.frozen
class SimOptions:
    """Everything needed to build and serve a simulated workspace."""

    host: str = "127.0.0.1"
    """Loopback unless told otherwise."""
    port: int = 8000
    """0 picks a free port."""
    seed: int = 7
    jobs: int = 40
    """Jobs in the workspace at start, the ``live`` and ``always_running`` ones included."""
    speed: float = 60.0
    """How many times faster than real time live jobs move."""
    api_key: str | None = attrs.field(default=None, repr=False)
    """Required bearer key; ``None`` accepts any or no key. Never shown in repr."""
    rate_limit: int | None = None
    """Requests per minute per key; ``None`` for no limit."""
    faults: str | None = None
    """A fault spec, e.g. ``"500:0.02,slow:0.05@3s"``."""
    live: int = 3
    """Jobs in progress when the simulator starts."""
    arrivals: bool = True
    """Whether new jobs keep arriving."""
    arrival_interval: float = 900.0
    """Mean real-world seconds between two arrivals (divided by ``speed``)."""
    max_jobs: int | None = None
    """Cap on jobs kept (the oldest idle are dropped); ``None``: the larger of ``jobs`` and 500."""
    always_running: int = 0
    """Jobs kept RUNNING at every instant, each handing over to a successor before it ends."""
    max_pending: int | None = None
    """Arrivals are turned away while this many jobs wait to train; ``None``: never."""
    pace: Pace | None = None
    """Wall-clock pace of the runs the simulator starts itself; ``None``: real timings / speed."""
    latency_ms: float = 0.0
    """Added to every response: a real-world round trip, in milliseconds."""
    latency_jitter_ms: float = 0.0
    """Up to this much more, drawn per response from the seed, in milliseconds."""

    def __attrs_post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError("speed must be positive")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate limit must be at least 1 request per minute")
        if min(self.jobs, self.live, self.always_running) < 0:
            raise ValueError("job counts must not be negative")
        if self.max_pending is not None and self.max_pending < 0:
            raise ValueError("max_pending must not be negative")
        if self.latency_ms < 0 or self.latency_jitter_ms < 0:
            raise ValueError("latency must not be negative")
        if self.arrival_interval <= 0:
            raise ValueError("arrival interval must be positive")
        FaultSpec.parse(self.faults)  # fail early on a bad spec

    @classmethod
    def demo(cls, **changes: Any) -> SimOptions:
        """What ``finetop --demo`` serves: always something to watch, at a watchable pace.

        A relay keeps a job RUNNING at every instant (:mod:`tui.sim.relay`); the simulator's own
        runs checkpoint every 6-12 s for 3-7 minutes (:class:`~tui.sim.pace.Pace`); queueing
        and validation run ten times faster than for real (seconds, not minutes); a new job
        arrives every three minutes on average, turned away while three already wait.
        """
        preset: dict[str, Any] = {
            "speed": 10.0,
            "pace": Pace(),
            "always_running": 1,
            "arrival_interval": 1800.0,
            "max_pending": 3,
        }
        return cls(**{**preset, **changes})

    @property
    def job_cap(self) -> int:
        """The cap on kept jobs: ``max_jobs``, else enough to hold the seeded workspace."""
        if self.max_jobs is not None:
            return max(self.max_jobs, self.jobs)
        return max(self.jobs, DEFAULT_MAX_JOBS)

    def build_world(self, clock: Clock | None = None) -> World:
        """The seeded world these options describe."""
        return World(
            seed=self.seed,
            jobs=max(0, self.jobs - self.live - self.always_running),
            live=self.live,
            speed=self.speed,
            clock=clock,
            arrivals=self.arrivals,
            max_jobs=self.job_cap,
            arrival_interval=self.arrival_interval,
            always_running=self.always_running,
            max_pending=self.max_pending,
            pace=self.pace,
        )

    def build_app(
        self, world: World | None = None, request_log: Callable[[str], None] | None = None
    ) -> SimApp:
        """The app serving ``world`` (or a new one) with these options' auth, limits and faults."""
        return create_app(
            world or self.build_world(),
            api_key=self.api_key,
            rate_limit=self.rate_limit,
            faults=self.faults,
            request_log=request_log,
            latency=self.latency_ms / 1000.0,
            latency_jitter=self.latency_jitter_ms / 1000.0,
        )
