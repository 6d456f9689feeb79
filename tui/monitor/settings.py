"""The poller's settings: how often each tier polls and how hard the poller may push."""

from __future__ import annotations

import attrs

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
    """Requests running at once."""
    unfocused_factor: float = 3.0
    """Intervals are multiplied by this while the terminal has lost focus."""
    backoff_base: float = 2.0
    """First retry delay after a failure."""
    backoff_cap: float = 300.0
    """Longest retry delay (a longer Retry-After still wins)."""
    backoff_jitter: float = 0.2
    """Jitter, as a fraction of the delay."""
    offline_after: int = 2
    """Consecutive failed polls after which the status says offline (transport: at once)."""
    stale_after: float | None = None
    """Age of the last success after which the status says stale; default 2x list interval."""

    def __attrs_post_init__(self) -> None:
        for name in ("list_interval", "full_list_interval", "detail_interval"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.max_in_flight < 1 or self.page_size < 1 or self.newest_page_size < 1:
            raise ValueError("max_in_flight and page sizes must be at least 1")
