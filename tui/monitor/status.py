"""What the status line shows: the poller's state and a snapshot of its schedule and health."""

from __future__ import annotations

from enum import StrEnum

import attrs

from tui.errors import ErrorKind

__all__ = ["PollerState", "PollerStatus"]


class PollerState(StrEnum):
    """What the status line says."""

    CONNECTING = "connecting"
    """No poll has finished yet."""
    OK = "ok"
    STALE = "stale"
    """Polls are failing (not yet offline) or the last success is old."""
    OFFLINE = "offline"
    """The API cannot be reached (or keeps failing); retrying."""
    PAUSED = "paused"


@attrs.frozen
class PollerStatus:
    """A snapshot for the status line. Times are on the poller's monotonic clock."""

    state: PollerState
    last_success_at: float | None
    """When the last successful poll finished."""
    last_success_wall: float | None
    """The same moment in wall-clock seconds."""
    failing_since: float | None
    """When the current failure streak began."""
    failures: int
    """Polls failed in a row."""
    next_poll_at: float | None
    """When the next poll is due (after backoff), ``None`` while paused or polling."""
    last_error_kind: ErrorKind | None
    last_error_message: str | None
    interval: float
    """The effective list interval (settings x scale x focus)."""
    detail_interval: float
    """The effective detail interval of training jobs."""
    scale: float
    """The interval factor set with ``scale_interval`` (1.0 = the settings)."""
    focused: bool
    paused: bool
    requests: int
    """Requests made since the poller was created."""
    listing_truncated: int | None = None
    """The total the server claimed when the last listing of every page stopped at the page
    budget (``max_list_pages``) short of it; ``None`` when the listing was complete."""
    cached_since: float | None = None
    """While the rows shown come from the local history and the first listing of every page
    has not ended: the wall time the history last saw them (``cached 3 h ago, refreshing…``);
    ``None`` otherwise."""

    def age(self, now: float) -> float | None:
        """Seconds since the last success ("updated N s ago")."""
        return None if self.last_success_at is None else max(0.0, now - self.last_success_at)

    def retry_in(self, now: float) -> float | None:
        """Seconds until the next poll, while failing."""
        if not self.failures or self.next_poll_at is None:
            return None
        return max(0.0, self.next_poll_at - now)
