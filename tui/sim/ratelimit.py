"""Per-key request rate limiting with a sliding one-minute window on an injectable clock."""

from __future__ import annotations

import math
from collections import OrderedDict, deque

import attrs

from tui.api.clock import Clock

__all__ = ["RateDecision", "RateLimiter"]

_WINDOW = 60.0


@attrs.frozen
class RateDecision:
    """The outcome for one request."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int
    """Seconds until a request would be allowed again (0 when allowed)."""


class RateLimiter:
    """At most ``per_minute`` requests per key in any 60 s window (of ``clock.monotonic()``)."""

    def __init__(self, per_minute: int, clock: Clock, *, max_keys: int = 1024) -> None:
        if per_minute < 1:
            raise ValueError("rate limit must be at least 1 request per minute")
        self.per_minute = per_minute
        self.clock = clock
        self.max_keys = max_keys
        self._windows: OrderedDict[str, deque[float]] = OrderedDict()

    def check(self, key: str) -> RateDecision:
        """Count a request for ``key`` if it is allowed."""
        now = self.clock.monotonic()
        window = self._windows.get(key)
        if window is None:
            window = deque()
            self._windows[key] = window
            while len(self._windows) > self.max_keys:
                self._windows.popitem(last=False)  # bounded: forget the least recent key
        self._windows.move_to_end(key)
        while window and window[0] <= now - _WINDOW:
            window.popleft()
        if len(window) >= self.per_minute:
            wait = max(1, math.ceil(window[0] + _WINDOW - now))
            return RateDecision(False, self.per_minute, 0, wait)
        window.append(now)
        return RateDecision(True, self.per_minute, self.per_minute - len(window), 0)
