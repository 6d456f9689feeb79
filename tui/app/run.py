"""``run_app(settings)``: run the TUI in this terminal and return the exit code.

The app builds its connection (and, in demo mode, starts the simulator) when it mounts and stops
both when it exits, whichever way it exits: ``q``, Ctrl-C, or the terminal going away (SIGHUP,
and SIGTERM too), which asks the app to exit from the event loop so the terminal is restored.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.app.app import FinetopApp
from tui.settings.places import state_file_path

if TYPE_CHECKING:
    from tui.settings.config import Settings

__all__ = ["SIGNAL_EXIT_CODES", "install_signal_handlers", "run_app"]

SIGNAL_EXIT_CODES: dict[str, int] = {"SIGHUP": 129, "SIGTERM": 143}
"""Exit codes after a signal (128 + its number, the shell convention)."""


def install_signal_handlers(app: FinetopApp) -> Callable[[], None]:
    """Exit the app cleanly on SIGHUP (terminal gone) and SIGTERM; returns an undo function.

    The handler runs in the main thread, which is the app's event loop thread: it schedules
    ``app.exit`` on the running loop (``call_soon_threadsafe`` is safe from a signal handler),
    so the app unwinds normally, restores the terminal and stops the demo simulator.
    """
    previous: dict[int, Any] = {}

    def handler(signum: int, _frame: object) -> None:
        code = SIGNAL_EXIT_CODES.get(signal.Signals(signum).name, 1)
        # A hang-up comes with SIGCONT, which Textual answers by restarting application mode: a
        # second output thread on a dying terminal, on which the exit can block forever.
        signal.signal(signal.SIGCONT, signal.SIG_DFL)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise SystemExit(code) from None  # the app is not running (yet): just leave
        loop.call_soon_threadsafe(app.exit, code)

    for name in SIGNAL_EXIT_CODES:
        signum = getattr(signal, name, None)
        if signum is None:
            continue  # not on this platform
        try:
            previous[signum] = signal.signal(signum, handler)
        except ValueError:
            continue  # not the main thread

    def undo() -> None:
        for signum, old in previous.items():
            signal.signal(signum, old)

    return undo


def run_app(settings: Settings) -> int:
    """Run finetop's TUI with ``settings`` until it exits; the process exit code."""
    # The app starts its connection on mount and stops it (and the demo simulator) on exit;
    # it remembers the theme, sort, filter and group in the user's state file.
    app = FinetopApp(settings, state_file=state_file_path())
    undo = install_signal_handlers(app)
    try:
        result = app.run(mouse=not settings.no_mouse)
    finally:
        undo()
    if isinstance(result, int):
        return result
    return app.return_code or 0
