"""Key press to frame written: the app with every frame rendered as a terminal gets it.

Not a benchmark itself. :class:`RenderingApp` is ``FinetopApp`` whose frames are rendered to
escape sequences under ``App.run_test`` (the headless driver then drops them), so a frame costs
what it costs in a real terminal; :class:`FrameClock` posts one key event, as the terminal
driver does, and stops the clock at the first frame that shows its effect.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual import events

from tui.app.app import FinetopApp

__all__ = ["GAP", "FrameClock", "RenderingApp"]

GAP = 0.02
"""Seconds between measured key presses (the app settles in between)."""


class RenderingApp(FinetopApp):
    """The app, with frames rendered to escape sequences (the headless driver drops them) and
    a hook told of every frame written."""

    on_frame: Callable[[], None] | None = None

    @property
    def is_headless(self) -> bool:
        return False

    def post_display_hook(self) -> None:
        if self.on_frame is not None:
            self.on_frame()


class FrameClock:
    """Times a key from the moment it is posted to the first frame that shows its effect."""

    def __init__(self, app: RenderingApp, gap: float = GAP) -> None:
        self.app = app
        self.gap = gap
        self._until: Callable[[], bool] = lambda: False
        self._done = asyncio.Event()
        self._stopped = 0.0
        app.on_frame = self._frame

    def _frame(self) -> None:
        if not self._done.is_set() and self._until():
            self._stopped = time.perf_counter()
            self._done.set()

    async def press(self, key: str, char: str | None, until: Callable[[], bool]) -> float:
        self._until = until
        self._done.clear()
        event = events.Key(key, char)
        event.set_sender(self.app)
        begin = time.perf_counter()
        self.app.post_message(event)
        await asyncio.wait_for(self._done.wait(), 30)
        elapsed = self._stopped - begin
        await asyncio.sleep(self.gap)
        return elapsed
