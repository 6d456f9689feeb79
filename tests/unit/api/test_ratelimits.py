"""Reading the x-ratelimit-* headers."""

from __future__ import annotations

import httpx

from tui.api.ratelimits import RateLimits


def test_no_rate_limit_headers_gives_none() -> None:
    assert RateLimits.from_headers(httpx.Headers({"content-type": "application/json"})) is None


def test_mistral_headers() -> None:
    limits = RateLimits.from_headers(
        httpx.Headers(
            {
                "X-RateLimit-Limit-Req-Minute": "120",
                "x-ratelimit-remaining-req-minute": "119",
                "x-ratelimit-limit-tokens-month": "1000000000",
                "x-ratelimit-remaining-tokens-month": "999000000",
            }
        )
    )
    assert limits is not None
    assert limits.limit_requests_minute == 120
    assert limits.remaining_requests_minute == 119
    assert limits.remaining_tokens_month == 999_000_000
    assert limits.limit_tokens_minute is None
    assert limits.summary() == "req 119/120 per min"
    assert ("x-ratelimit-limit-req-minute", "120") in limits.raw


def test_generic_headers_and_garbage_values() -> None:
    limits = RateLimits.from_headers(
        {
            "x-ratelimit-limit": "60",
            "x-ratelimit-remaining": "lots",
            "x-ratelimit-reset": "12.5",
            "x-ratelimit-something-new": "1",
        }
    )
    assert limits is not None
    assert limits.limit_requests_minute == 60
    assert limits.remaining_requests_minute is None
    assert limits.reset_seconds == 12.5
    assert limits.summary() == ""
    assert len(limits.raw) == 4


def test_remaining_without_limit() -> None:
    limits = RateLimits.from_headers({"x-ratelimit-remaining-req-minute": "3"})
    assert limits is not None
    assert limits.summary() == "req 3 left this min"
