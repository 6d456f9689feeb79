"""finetop's simulated Mistral fine-tuning API: a seeded job world served over HTTP.

See :mod:`tui.sim.server` for the entry points and :mod:`tui.sim.world` for the world.
"""

from __future__ import annotations

from tui.sim.faults import FaultSpec
from tui.sim.options import SimOptions
from tui.sim.server import SimulatorThread, create_app, serve
from tui.sim.world import World

__all__ = ["FaultSpec", "SimOptions", "SimulatorThread", "World", "create_app", "serve"]
