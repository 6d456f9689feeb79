"""Backoff delays and Retry-After parsing."""

from __future__ import annotations

import random
from email.utils import formatdate

import pytest

from tui.api.backoff import Backoff, parse_retry_after

NOW = 1_750_000_000.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-3", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("nan", None),
        # an absurd wait is honoured only up to the cap (15 min), never forever
        ("inf", 900.0),
        ("1e308", 900.0),
        ("1000000000", 900.0),
        ("-inf", 0.0),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_retry_after_http_date_in_the_future_and_past() -> None:
    assert parse_retry_after(formatdate(NOW + 90, usegmt=True), NOW) == pytest.approx(90.0)
    assert parse_retry_after(formatdate(NOW - 90, usegmt=True), NOW) == 0.0
    # the obsolete RFC 850 form and a date without a zone are read as GMT too
    assert parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", 784111777.0 - 10) == 10.0
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37", 784111777.0 - 5) == 5.0


def test_retry_after_garbage_dates() -> None:
    assert parse_retry_after("Wed, 99 Foo 2015 07:28:00 GMT", NOW) is None
    assert parse_retry_after("Wed, 21 Oct 99999 07:28:00 GMT", NOW) is None


def test_exponential_without_jitter_is_capped() -> None:
    backoff = Backoff(base=1.0, cap=10.0, factor=2.0, jitter=0.0)
    assert [backoff.next_delay(n) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert backoff.next_delay(10_000) == 10.0  # no overflow on a long outage
    assert backoff.next_delay(-1) == 1.0


def test_jitter_stays_within_its_fraction_and_under_the_cap() -> None:
    backoff = Backoff(base=2.0, cap=300.0, jitter=0.2, rng=random.Random(1))
    delays = [backoff.next_delay(3) for _ in range(500)]
    assert min(delays) >= 16.0 * 0.8
    assert max(delays) <= 16.0 * 1.2
    assert len(set(delays)) > 100  # actually spread
    capped = Backoff(base=1.0, cap=5.0, jitter=0.5, rng=random.Random(2))
    assert all(capped.next_delay(20) <= 5.0 for _ in range(100))


def test_seeded_backoff_is_reproducible() -> None:
    a = Backoff(rng=random.Random(7))
    b = Backoff(rng=random.Random(7))
    assert [a.next_delay(n) for n in range(8)] == [b.next_delay(n) for n in range(8)]


def test_retry_after_is_a_floor_even_above_the_cap() -> None:
    backoff = Backoff(base=1.0, cap=30.0, jitter=0.0)
    assert backoff.next_delay(0, retry_after=12.0) == 12.0
    assert backoff.next_delay(4, retry_after=3.0) == 16.0
    assert backoff.next_delay(0, retry_after=600.0) == 600.0


@pytest.mark.parametrize(
    "kwargs",
    [{"base": 0}, {"cap": -1}, {"factor": 0.5}, {"jitter": 1.0}, {"jitter": -0.1}],
)
def test_invalid_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="backoff needs"):
        Backoff(**kwargs)
