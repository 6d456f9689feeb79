"""The history fill: finished jobs' details fetched in the background, newest first.

A list item says nothing of a job's checkpoints, so without its detail a finished job's row
shows no loss and no duration. When the poller has nothing else to do, the fill fetches the
detail of the newest finished job whose final detail neither the store nor the archive holds;
the archive keeps it, so it is fetched once, ever.

It runs only when all of these hold (see :meth:`FillTier.due_at`):
- an archive keeps what it fetches, and a listing of every page has ended in this run;
- polling is healthy: no failure streak, and no 429 for ``fill_pause_after_rate_limit`` s;
- the user has not acted for ``fill_quiet`` s (a selection or a refresh is theirs to have);
- its last request was at least ``fill_gap`` s ago (the budget spread over the minute);
- one more request keeps every minute within ``request_budget - fill_reserve`` requests,
  counting all the poller made and all its schedule will make (:mod:`tui.monitor.budget`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from tui.monitor.budget import RequestWindow
from tui.monitor.detail_tier import DetailTier
from tui.monitor.job_view import JobView
from tui.monitor.tier import Tier

__all__ = ["FillTier"]


@attrs.define(eq=False)
class FillTier(Tier):
    """Chooses the next finished job to fill in, and when; fetches it through the detail tier."""

    details: DetailTier = attrs.field(kw_only=True)
    """Fetches, applies and archives the detail (404s and payload errors included)."""
    window: RequestWindow = attrs.field(kw_only=True)
    """The times of the poller's recent requests."""
    _last_fill_at: float | None = attrs.field(default=None, init=False)
    """When the fill last sent a request."""
    _active_at: float | None = attrs.field(default=None, init=False)
    """When the user last acted."""
    _rate_limited_at: float | None = attrs.field(default=None, init=False)
    """When the API last answered 429."""

    def note_activity(self) -> None:
        """The user acted: hold the fill for ``fill_quiet`` s."""
        self._active_at = self.clock.monotonic()

    def note_rate_limited(self) -> None:
        """A 429 arrived: hold the fill for ``fill_pause_after_rate_limit`` s."""
        self._rate_limited_at = self.clock.monotonic()

    def _wants(self, view: JobView) -> bool:
        """A finished job whose final detail is held neither here nor in the archive (a job
        whose own payload failed waits until it is selected)."""
        return (
            view.job.is_terminal
            and not (view.has_detail and view.detail_final)
            and not view.failures
            and not self.archive.has_final(view.id)
        )

    def next_job(self) -> str | None:
        """The newest job the fill wants."""
        wanted = [(view.job.created_at, view.id) for view in self.store if self._wants(view)]
        return max(wanted)[1] if wanted else None

    def backlog(self) -> int:
        """How many finished jobs the fill still has to fetch."""
        return sum(1 for view in self.store if self._wants(view))

    def due_at(
        self, now: float, *, ready: bool, projected: Callable[[], Sequence[float]]
    ) -> float | None:
        """When the fill may send its next request (``now`` or earlier: now); ``None``: not
        at all for now. ``ready``: the poller is healthy and has listed every page."""
        return self._next(now, ready=ready, projected=projected)[0]

    async def poll(
        self, start: float, *, ready: bool, projected: Callable[[], Sequence[float]]
    ) -> None:
        """Fetch the next job's detail if the fill is due at ``start``."""
        due, job_id = self._next(start, ready=ready, projected=projected)
        if due is None or due > start or job_id is None:
            return
        self._last_fill_at = start
        await self.details.fetch(job_id)

    def _next(
        self, now: float, *, ready: bool, projected: Callable[[], Sequence[float]]
    ) -> tuple[float | None, str | None]:
        """(when the fill may send its next request, the job it would fetch)."""
        # Without an archive to keep them, fetching the details would only cost requests.
        if not (self.archive.enabled and ready):
            return None, None
        job_id = self.next_job()
        if job_id is None:
            return None, None
        settings = self.pace.settings
        waits = [now]
        if self._active_at is not None:
            waits.append(self._active_at + settings.fill_quiet)
        if self._rate_limited_at is not None:
            waits.append(self._rate_limited_at + settings.fill_pause_after_rate_limit)
        if self._last_fill_at is not None:
            waits.append(self._last_fill_at + settings.fill_gap)
        earliest = max(waits)
        if earliest > now:
            return earliest, job_id
        limit = settings.request_budget - settings.fill_reserve
        if self.window.fits(now, projected(), limit):
            return now, job_id
        return self.window.next_change(now), job_id
