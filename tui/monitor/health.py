"""How polling is going: the failure streak, the backoff it imposes and the last success."""

from __future__ import annotations

from tui.api.backoff import Backoff
from tui.api.clock import Clock
from tui.errors import ErrorKind, FinetopError
from tui.monitor.changes import Change, PollFailed, PollRecovered, PollSucceeded
from tui.monitor.status import PollerState

__all__ = ["Health"]


class Health:
    """Folds each cycle's outcome into the streak that the status line and the schedule read."""

    def __init__(self, backoff: Backoff, clock: Clock) -> None:
        self._backoff = backoff
        self._clock = clock
        self.failures = 0
        """Cycles failed in a row."""
        self.failing_since: float | None = None
        """When the current failure streak began."""
        self.blocked_until: float | None = None
        """No poll before this (backoff after a failure)."""
        self.last_error: FinetopError | None = None
        """The last failure (kept after recovery; see ``current_error``)."""
        self.last_success_at: float | None = None
        """When the last successful cycle finished (monotonic)."""
        self.last_success_wall: float | None = None
        """The same moment in wall-clock seconds."""
        self.halted = False
        """The API refused the key: retrying on a schedule would only be refused again (and
        may lock the key out), so polling waits for the user (``cut_backoff``)."""

    @property
    def current_error(self) -> FinetopError | None:
        """The error of the failure streak under way, if any."""
        return self.last_error if self.failures else None

    def cut_backoff(self) -> None:
        """Allow a poll at once, even after a 429 or a refused key: the user asked. Only the
        automatic schedule waits out a Retry-After (and a failed try backs off again, honouring
        the new one); a key refused again halts again."""
        self.blocked_until = None
        self.halted = False

    def record(self, error: FinetopError | None, successes: int) -> list[Change]:
        """Record a finished cycle that failed with ``error`` (``None``: it did not) after
        ``successes`` answers that worked; returns the notices to emit."""
        now = self._clock.monotonic()
        if error is not None:
            self.failures += 1
            if self.failures == 1:
                self.failing_since = now
            self.last_error = error
            self.halted = error.kind is ErrorKind.AUTH
            retry_after = getattr(error, "retry_after", None)
            delay = self._backoff.next_delay(self.failures - 1, retry_after)
            self.blocked_until = now + delay
            return [
                PollFailed(
                    kind=error.kind,
                    message=str(error),
                    retry_in=delay,
                    retry_at=now + delay,
                    first=self.failures == 1,
                    halted=self.halted,
                )
            ]
        self.blocked_until = None
        self.halted = False
        # Only answers that worked make a success: a round of detail fetches whose payloads all
        # failed to parse says nothing good about the link or the data.
        if not successes:
            return []
        changes: list[Change] = []
        if self.failures:
            changes.append(PollRecovered(self.failures))
        self.failures = 0
        self.failing_since = None
        self.last_success_at = now
        self.last_success_wall = self._clock.time()
        changes.append(PollSucceeded(at=now, wall_time=self.last_success_wall))
        return changes

    def state(self, now: float, *, offline_after: int, stale_after: float) -> PollerState:
        """What the status line says at ``now``."""
        # Paused or not, data ages the same: the poller's status says ``paused`` on its own.
        if self.halted:
            return PollerState.HALTED
        if self.failures:
            error = self.current_error
            offline = self.failures >= offline_after or (
                error is not None and error.kind is ErrorKind.TRANSPORT
            )
            return PollerState.OFFLINE if offline else PollerState.STALE
        if self.last_success_at is None:
            return PollerState.CONNECTING
        if now - self.last_success_at > stale_after:
            return PollerState.STALE
        return PollerState.OK
