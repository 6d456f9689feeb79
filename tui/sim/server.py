"""The simulator's public entry points, in one place.

``create_app(world, ...)`` builds the Starlette app; ``SimulatorThread`` serves it in the
background; ``serve(options)`` is ``finetop sim``; ``SimOptions`` holds the settings.
"""

from __future__ import annotations

from tui.sim.app import SimApp, create_app
from tui.sim.faults import FaultSpec
from tui.sim.gateway import RequestRecord, SimState
from tui.sim.options import SimOptions
from tui.sim.runner import SimulatorThread, serve

__all__ = [
    "FaultSpec",
    "RequestRecord",
    "SimApp",
    "SimOptions",
    "SimState",
    "SimulatorThread",
    "create_app",
    "serve",
]
