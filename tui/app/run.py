"""``run_app(settings)``: run the TUI in this terminal and return the exit code.

The app builds its connection (and, in demo mode, starts the simulator) when it mounts and stops
both when it exits, whichever way it exits: ``q``, Ctrl-C, or the terminal going away (SIGHUP,
and SIGTERM too), which asks the app to exit from the event loop so the terminal is restored.
"""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING

from tui.app.app import FinetopApp

if TYPE_CHECKING:
    from tui.config import Settings

__all__ = ["SIGNAL_EXIT_CODES", "install_signal_handlers", "run_app"]

SIGNAL_EXIT_CODES: dict[str, int] = {"SIGHUP": 129, "SIGTERM": 143}
"""Exit codes after a signal (128 + its number, the shell convention)."""


def install_signal_handlers(app: FinetopApp) -> None:
    """Exit the app cleanly on SIGHUP (terminal gone) and SIGTERM; call from inside its loop."""
    loop = asyncio.get_running_loop()
    for name, code in SIGNAL_EXIT_CODES.items():
        signum = getattr(signal, name, None)
        if signum is None:
            continue  # not on this platform
        try:
            loop.add_signal_handler(signum, app.exit, code)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread, or no signal support in this loop


def run_app(settings: Settings) -> int:
    """Run finetop's TUI with ``settings`` until it exits; the process exit code."""
    app = FinetopApp(settings)
    app.call_later(install_signal_handlers, app)
    result = app.run(mouse=not settings.no_mouse)
    if isinstance(result, int):
        return result
    return app.return_code or 0
