"""How long to wait before trying again: capped exponential backoff with jitter, and Retry-After.

A server's ``Retry-After`` is honoured, but never beyond ``MAX_RETRY_AFTER`` (15 min): a broken or
hostile server asking for 10^9 seconds, ``1e308`` or a date in the year 9999 must not stop polling
until a restart.
"""

from __future__ import annotations

import math
import random
from datetime import UTC
from email.utils import parsedate_to_datetime

from tui.settings.limits import DEFAULT_MAX_RETRY_AFTER

__all__ = ["MAX_RETRY_AFTER", "Backoff", "cap_retry_after", "parse_retry_after"]

MAX_RETRY_AFTER = DEFAULT_MAX_RETRY_AFTER
"""Longest wait a server's Retry-After can impose, in seconds (the ``max_retry_after`` setting)."""


def cap_retry_after(seconds: float | None, cap: float = MAX_RETRY_AFTER) -> float | None:
    """``seconds`` within ``0..cap``; ``None`` (no usable wait) for ``None`` and NaN.

    Infinity counts as "a very long time", so it gets the cap like any other absurd value.
    """
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(0.0, seconds), max(0.0, cap))


def parse_retry_after(
    value: str | None, now_wall: float, *, cap: float = MAX_RETRY_AFTER
) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds, within ``0..cap``.

    The header is either delay-seconds (``"120"``) or an HTTP date
    (``"Wed, 21 Oct 2015 07:28:00 GMT"``), measured against ``now_wall`` (Unix seconds). Anything
    unreadable (or NaN) gives ``None``, as if the header were absent.
    """
    if value is None:
        return None
    text = value.strip()[:64]  # a real value is short; never parse a megabyte of header
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return cap_retry_after(seconds, cap)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT, even when it forgets to say so
        when = when.replace(tzinfo=UTC)
    return cap_retry_after(when.timestamp() - now_wall, cap)


class Backoff:
    """Capped exponential backoff with proportional jitter.

    ``next_delay(attempt)`` for attempt 0, 1, 2... is ``base * factor ** attempt``, capped,
    spread by ``±jitter`` (a fraction) so that many clients do not retry in step. A server's
    ``Retry-After`` is a floor: the delay is never shorter, even when it exceeds ``cap``; but it
    is itself capped at ``retry_after_cap``, so no server can stop the retries for good.
    """

    def __init__(
        self,
        base: float = 1.0,
        cap: float = 300.0,
        factor: float = 2.0,
        jitter: float = 0.2,
        rng: random.Random | None = None,
        *,
        retry_after_cap: float = MAX_RETRY_AFTER,
    ) -> None:
        if base <= 0 or cap <= 0 or factor < 1 or not 0 <= jitter < 1:
            raise ValueError("backoff needs base > 0, cap > 0, factor >= 1 and 0 <= jitter < 1")
        if not retry_after_cap >= 0 or math.isinf(retry_after_cap):
            raise ValueError("backoff needs a finite retry_after_cap >= 0")
        self.base = base
        self.cap = cap
        self.factor = factor
        self.jitter = jitter
        self.retry_after_cap = retry_after_cap
        """Longest Retry-After honoured, in seconds."""
        self._rng = rng if rng is not None else random.Random()

    def __repr__(self) -> str:
        return (
            f"Backoff(base={self.base}, cap={self.cap}, factor={self.factor}, "
            f"jitter={self.jitter}, retry_after_cap={self.retry_after_cap})"
        )

    def raw_delay(self, attempt: int) -> float:
        """The delay before jitter: ``base * factor ** attempt``, capped."""
        exponent = max(0, attempt)
        try:
            delay = self.base * self.factor**exponent
        except OverflowError:
            return self.cap
        return min(self.cap, delay)

    def next_delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        delay = self.raw_delay(attempt)
        if self.jitter:
            delay *= 1.0 + self._rng.uniform(-self.jitter, self.jitter)
        delay = min(self.cap, delay)
        floor = cap_retry_after(retry_after, self.retry_after_cap)
        if floor is not None and floor > delay:
            return floor  # never come back before the server said we may (within reason)
        return delay
