"""Settings of a simulator run (``finetop sim`` flags, demo mode)."""

from __future__ import annotations

import attrs

from tui.api.clock import Clock
from tui.sim.app import SimApp, create_app
from tui.sim.faults import FaultSpec
from tui.sim.world import World

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
    """Historical jobs in the workspace."""
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
    max_jobs: int = 500
    """Cap on jobs kept (the oldest finished are dropped)."""

    def __attrs_post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError("speed must be positive")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate limit must be at least 1 request per minute")
        FaultSpec.parse(self.faults)  # fail early on a bad spec

    def build_world(self, clock: Clock | None = None) -> World:
        """The seeded world these options describe."""
        return World(
            seed=self.seed,
            jobs=self.jobs,
            live=self.live,
            speed=self.speed,
            clock=clock,
            arrivals=self.arrivals,
            max_jobs=self.max_jobs,
        )

    def build_app(self, world: World | None = None, request_log=None) -> SimApp:  # type: ignore[no-untyped-def]
        """The app serving ``world`` (or a new one) with these options' auth, limits and faults."""
        return create_app(
            world or self.build_world(),
            api_key=self.api_key,
            rate_limit=self.rate_limit,
            faults=self.faults,
            request_log=request_log,
        )
