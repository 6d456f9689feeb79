"""What the screens need from the app, as a protocol, so screens never import the app module.

The app (:class:`~tui.app.app.FinetopApp`) composes the screens; a screen reaching back for the
store, the clock or a selection goes through this interface instead of the concrete class, which
keeps the import graph free of cycles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tui.api.clock import Clock
    from tui.app.ui_state import RememberedUi
    from tui.app.widgets.status_line import StatusSnapshot
    from tui.monitor.poller import Poller
    from tui.monitor.store import JobStore


class ScreenHost(Protocol):
    """The app as the main screen sees it."""

    @property
    def store(self) -> JobStore:
        """Every job the app knows."""

    @property
    def clock(self) -> Clock:
        """Time for ages, ETAs and freshness."""

    @property
    def poller(self) -> Poller | None:
        """The poller, once connected (screens ask it for details through
        :func:`tui.app.details.want_details`, never fetch themselves)."""

    @property
    def paused(self) -> bool:
        """Whether updates are paused."""

    @property
    def keymap(self) -> Mapping[str, str]:
        """The user's remapped keys: binding id -> keys."""

    @property
    def remembered(self) -> RememberedUi:
        """The UI state kept between runs (the screen reports view changes to it)."""

    def wall_now(self) -> float:
        """Wall-clock Unix seconds."""

    def select_job(self, job_id: str | None) -> None:
        """The user rests on a job: fetch its detail now unless fresh."""

    def status_snapshot(self, shown: int | None = None, filter_label: str = "") -> StatusSnapshot:
        """What the status line shows now."""
