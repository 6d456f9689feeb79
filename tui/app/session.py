"""The app's start-up and its end: the local history's rows first, the connection, the poller.

On mount, the history of the workspace (when one is kept: not with ``--no-cache``; in demo
mode, a scratch one removed on exit) is opened and its jobs are put in the store before
anything is asked of the API, so rows are on screen at once; they are marked ``cached`` (and
the status line says so, from ``JobStore.cached_since``) until the first listing of every page
confirms them. Then the connection starts, and the poller runs with the history as its
archive. On exit the history's last writes are finished and the file closed.

The history's one-line warnings (a damaged file set aside, a full disk, a read-only folder:
finetop then runs without it) become plain notifications.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from tui.monitor.fanout import ChangeListener
from tui.monitor.poller import Poller

if TYPE_CHECKING:
    from tui.api.client import MistralClient
    from tui.app.app import FinetopApp
    from tui.headless.connect import Connection
    from tui.headless.history_link import HistoryLink

__all__ = ["Session"]

WARNING_TIMEOUT = 8.0
"""Seconds a history warning stays on screen."""
PAINT_WAIT = 1.0
"""Seconds at most the connection waits for the history's rows to be painted."""


class Session:
    """What the app starts on mount and stops on exit, besides its screens."""

    def __init__(self, app: FinetopApp, *, history: HistoryLink | None, own_history: bool) -> None:
        self.app = app
        """The app this session serves."""
        self.history = history
        """The local history, once open (``None``: none is kept)."""
        self._own_history = own_history
        """Open the history from the settings (the app builds its own connection)."""

    async def show_history(self) -> None:
        """Open the workspace's history (if kept) and show its jobs before the API answers."""
        if self.history is None and self._own_history:
            from tui.headless.history_link import open_history

            self._own_history = False
            self.history = await open_history(self.app.settings, on_warning=self._warn)
        if self.history is None:
            return
        changes = await self.history.seed(self.app.store)
        if not changes:
            return
        self.app.handle_changes(changes)
        main = self.app.main_screen
        if main.is_running:
            # Let the rows reach the screen before the connection's imports (httpx, ssl: a
            # few hundred milliseconds of the event loop) hold it up.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(main.wait_for_refresh(), PAINT_WAIT)

    def connection(self) -> Connection:
        """The connection the settings describe, not started yet."""
        from tui.api.client import RetryPolicy
        from tui.headless.connect import Connection

        # The poller does its own backoff, to say "retrying in N s".
        return Connection(self.app.settings, retry=RetryPolicy(attempts=1))

    def poller(self, client: MistralClient, on_changes: ChangeListener) -> Poller:
        """The poller over ``client``, the app's store and the history."""
        app = self.app
        return Poller(
            client,
            app.store,
            app.poller_settings,
            app.clock,
            on_changes=on_changes,
            archive=self.history,
        )

    async def close(self) -> None:
        """Finish the history's writes and close it."""
        history, self.history = self.history, None
        if history is not None:
            await history.close()

    def _warn(self, message: str) -> None:
        self.app.notify(message, title="History", severity="warning", timeout=WARNING_TIMEOUT)
