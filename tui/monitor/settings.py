"""The poller's settings: how often each tier polls and how hard the poller may push."""

from __future__ import annotations

import attrs

from tui.monitor.budget import WINDOW
from tui.settings.config import Settings
from tui.settings.limits import DEFAULT_MAX_LIST_PAGES, DEFAULT_MAX_RETRY_AFTER

__all__ = ["PollerSettings"]


@attrs.frozen
class PollerSettings:
    """How often each tier polls, in seconds, and how hard the poller may push."""

    list_interval: float = 30.0
    """Newest page of the job list."""
    full_list_interval: float = 300.0
    """Every page of the job list."""
    detail_interval: float = 10.0
    """Detail of each training (RUNNING) job."""
    pending_detail_interval: float = 60.0
    """Detail of each job not finished and not training yet (QUEUED, VALIDATING, ...)."""
    parked_statuses: frozenset[str] = frozenset({"VALIDATED"})
    """Unfinished statuses whose detail is not polled (a VALIDATED job may wait for a start for
    weeks; the lists notice when it moves). A selected parked job is polled as pending."""
    newest_page_size: int = 50
    """Jobs in the "newest page" request."""
    page_size: int = 100
    """Jobs per page of the full list."""
    max_in_flight: int = 3
    """Requests running at once (a listing of every page, too, keeps to it)."""
    max_list_pages: int = DEFAULT_MAX_LIST_PAGES
    """Pages a listing of every job reads at most; past it the listing is truncated (a server
    claiming 10^12 jobs must not be listed forever)."""
    unfocused_factor: float = 3.0
    """Intervals are multiplied by this while the terminal has lost focus."""
    backoff_base: float = 2.0
    """First retry delay after a failure."""
    backoff_cap: float = 300.0
    """Longest retry delay (a longer Retry-After still wins)."""
    backoff_jitter: float = 0.2
    """Jitter, as a fraction of the delay."""
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
    """Longest wait a server's Retry-After imposes on the automatic schedule."""
    offline_after: int = 2
    """Consecutive failed polls after which the status says offline (transport: at once)."""
    stale_after: float | None = None
    """Age of the last success after which the status says stale; default 2x list interval."""
    request_budget: int = 30
    """Requests per minute, counting every request the poller makes, that the background
    history fill keeps within (regular polling never waits for it)."""
    fill_reserve: int = 2
    """Requests of each minute's budget the fill leaves unused, for what no schedule foresees
    (a job that just finished wants its final detail, the user selects a job)."""
    fill_quiet: float = 5.0
    """Seconds after the user's last action (a selection, a refresh) before the fill resumes."""
    fill_pause_after_rate_limit: float = 300.0
    """Seconds the fill stays stopped after a 429."""

    def __attrs_post_init__(self) -> None:
        for name in ("list_interval", "full_list_interval", "detail_interval"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if min(self.max_in_flight, self.page_size, self.newest_page_size, self.max_list_pages) < 1:
            raise ValueError("max_in_flight, max_list_pages and page sizes must be at least 1")
        if self.request_budget < 1:
            raise ValueError("request_budget must be at least 1")

    @property
    def fill_gap(self) -> float:
        """Seconds at least between two requests of the fill: the budget spread evenly."""
        return WINDOW / self.request_budget

    @classmethod
    def from_settings(cls, settings: Settings) -> PollerSettings:
        """The intervals and bounds the user configured."""
        return cls(
            list_interval=settings.list_interval,
            full_list_interval=settings.full_list_interval,
            detail_interval=settings.detail_interval,
            max_list_pages=settings.max_list_pages,
            max_retry_after=settings.max_retry_after,
            request_budget=max(1, int(settings.request_budget)),
        )
