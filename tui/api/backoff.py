"""How long to wait before trying again: capped exponential backoff with jitter, and Retry-After."""

from __future__ import annotations

import math
import random
from datetime import UTC
from email.utils import parsedate_to_datetime

__all__ = ["Backoff", "parse_retry_after"]


def parse_retry_after(value: str | None, now_wall: float) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (never negative).

    The header is either delay-seconds (``"120"``) or an HTTP date
    (``"Wed, 21 Oct 2015 07:28:00 GMT"``), measured against ``now_wall`` (Unix seconds). Anything
    unreadable gives ``None``, as if the header were absent.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT, even when it forgets to say so
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now_wall)


class Backoff:
    """Capped exponential backoff with proportional jitter.

    ``next_delay(attempt)`` for attempt 0, 1, 2... is ``base * factor ** attempt``, capped,
    spread by ``±jitter`` (a fraction) so that many clients do not retry in step. A server's
    ``Retry-After`` is a floor: the delay is never shorter, even when it exceeds ``cap``.
    """

    def __init__(
        self,
        base: float = 1.0,
        cap: float = 300.0,
        factor: float = 2.0,
        jitter: float = 0.2,
        rng: random.Random | None = None,
    ) -> None:
        if base <= 0 or cap <= 0 or factor < 1 or not 0 <= jitter < 1:
            raise ValueError("backoff needs base > 0, cap > 0, factor >= 1 and 0 <= jitter < 1")
        self.base = base
        self.cap = cap
        self.factor = factor
        self.jitter = jitter
        self._rng = rng if rng is not None else random.Random()

    def __repr__(self) -> str:
        return (
            f"Backoff(base={self.base}, cap={self.cap}, factor={self.factor}, jitter={self.jitter})"
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
        if retry_after is not None and retry_after > delay:
            return retry_after  # never come back before the server said we may
        return delay
