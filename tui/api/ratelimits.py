"""The ``x-ratelimit-*`` headers of a response, for the status line."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["RateLimits"]

_PREFIX = "x-ratelimit-"

# Header names seen from Mistral's gateway, and the generic ones other servers (and the
# simulator) send; each maps to the field it fills.
_FIELDS: dict[str, str] = {
    "x-ratelimit-limit-req-minute": "limit_requests_minute",
    "x-ratelimit-remaining-req-minute": "remaining_requests_minute",
    "x-ratelimit-limit-requests": "limit_requests_minute",
    "x-ratelimit-remaining-requests": "remaining_requests_minute",
    "x-ratelimit-limit": "limit_requests_minute",
    "x-ratelimit-remaining": "remaining_requests_minute",
    "x-ratelimit-limit-tokens-minute": "limit_tokens_minute",
    "x-ratelimit-remaining-tokens-minute": "remaining_tokens_minute",
    "x-ratelimit-limit-tokens-month": "limit_tokens_month",
    "x-ratelimit-remaining-tokens-month": "remaining_tokens_month",
    "x-ratelimit-reset": "reset_seconds",
}


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


@attrs.frozen
class RateLimits:
    """What the server said about the caller's quotas; every field is optional."""

    limit_requests_minute: int | None = None
    remaining_requests_minute: int | None = None
    limit_tokens_minute: int | None = None
    remaining_tokens_minute: int | None = None
    limit_tokens_month: int | None = None
    remaining_tokens_month: int | None = None
    reset_seconds: float | None = None
    raw: tuple[tuple[str, str], ...] = ()
    """Every ``x-ratelimit-*`` header as received (lower-cased names), for display."""

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimits | None:
        """Read the headers of one response; ``None`` when it carried none."""
        raw = sorted(
            (name.lower(), value)
            for name, value in headers.items()
            if name.lower().startswith(_PREFIX)
        )
        if not raw:
            return None
        values: dict[str, float | int] = {}
        for name, text in raw:
            field = _FIELDS.get(name)
            number = _number(text) if field else None
            if field is None or number is None or field in values:
                continue
            values[field] = number if field == "reset_seconds" else int(number)
        # ``values`` holds only names from _FIELDS, each with its field's type (int, or float
        # for reset_seconds), which a dict of mixed values cannot say to the checker.
        return cls(raw=tuple(raw), **values)  # type: ignore[arg-type]

    def summary(self) -> str:
        """A short text such as ``req 58/60 per min``; empty when nothing useful is known."""
        parts = []
        if self.remaining_requests_minute is not None and self.limit_requests_minute is not None:
            parts.append(
                f"req {self.remaining_requests_minute}/{self.limit_requests_minute} per min"
            )
        elif self.remaining_requests_minute is not None:
            parts.append(f"req {self.remaining_requests_minute} left this min")
        if self.remaining_tokens_minute is not None and self.limit_tokens_minute is not None:
            parts.append(
                f"tokens {self.remaining_tokens_minute}/{self.limit_tokens_minute} per min"
            )
        return ", ".join(parts)
