"""finetop's simulated Mistral fine-tuning API: a seeded job world served over HTTP.

In process (tests)::

    clock = ManualClock()
    world = World(seed=7, jobs=40, live=3, speed=60.0, clock=clock)
    app = create_app(world, api_key=None, rate_limit=None, faults="500:0.02")
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sim")
    clock.advance(30)            # the world catches up on the next request (lazily)
    app.set_faults(None)         # faults can change at run time

Over real HTTP: ``with SimulatorThread(SimOptions(...)) as sim: sim.base_url``; or
``serve(options)`` for ``finetop sim``. ``SimOptions.demo()`` is what ``finetop --demo`` serves.
See :mod:`tui.sim.server` and :mod:`tui.sim.world`.
"""

from __future__ import annotations

from tui.sim.faults import FaultSpec
from tui.sim.options import SimOptions
from tui.sim.pace import Pace
from tui.sim.server import SimulatorThread, create_app, serve
from tui.sim.world import World

__all__ = ["FaultSpec", "Pace", "SimOptions", "SimulatorThread", "World", "create_app", "serve"]
