"""Shared formatters and status badges: "no value" reads as an em dash, status as glyph + word."""

from __future__ import annotations

from datetime import UTC

import pytest

from tui.api.models import StatusGroup
from tui.app.widgets.job_rows import status_cell
from tui.app.widgets.status_badge import DEFAULT_GROUP_STYLES, status_content
from tui.display.formats import (
    MISSING,
    fmt_age,
    fmt_bool,
    fmt_count,
    fmt_duration,
    fmt_float,
    fmt_loss,
    fmt_money,
    fmt_perplexity,
    fmt_progress,
    fmt_time,
    fmt_tokens,
    is_number,
    or_missing,
    progress_bar,
    short_id,
)
from tui.monitor.labels import status_label

NAN = float("nan")


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0s"),
        (45, "45s"),
        (45.4, "45s"),
        (200, "3m 20s"),
        (3_900, "1h 05m"),
        (2 * 86_400 + 3 * 3_600 + 59, "2d 03h"),
        (-90, "-1m 30s"),
        (None, MISSING),
        (NAN, MISSING),
        (float("inf"), MISSING),
    ],
)
def test_fmt_duration(seconds: float | None, expected: str) -> None:
    assert fmt_duration(seconds) == expected


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (1_000, "just now"),
        (997, "just now"),
        (700, "5m ago"),
        (1_000 - 7_200, "2h ago"),
        (1_180, "in 3m"),
        (None, MISSING),
    ],
)
def test_fmt_age(timestamp: float | None, expected: str) -> None:
    assert fmt_age(timestamp, now=1_000) == expected


def test_fmt_time_in_a_given_zone() -> None:
    assert fmt_time(1717172592, UTC) == "2024-05-31 16:23:12"
    assert fmt_time(None) == MISSING
    assert fmt_time(NAN) == MISSING


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (950, "950"),
        (12_500, "12.5K"),
        (1_310_720, "1.3M"),
        (2_000_000, "2M"),
        (2_100_000_000, "2.1B"),
        (0, "0"),
        (None, MISSING),
    ],
)
def test_fmt_tokens(value: int | None, expected: str) -> None:
    assert fmt_tokens(value) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (2.6214, "USD", "2.62 USD"),
        (17.88, "USD", "17.88 USD"),
        (1234.5, "EUR", "1,234.50 EUR"),
        (3.0, None, "3.00"),
        # The API's "not estimated yet": cost 0.0 and no currency.
        (0.0, None, MISSING),
        (None, "USD", MISSING),
    ],
)
def test_fmt_money(amount: float | None, currency: str | None, expected: str) -> None:
    assert fmt_money(amount, currency) == expected


def test_losses_and_hyperparameters() -> None:
    assert fmt_loss(0.816135) == "0.8161"
    assert fmt_loss(0.000191) == "0.000191"
    assert fmt_loss(None) == MISSING
    assert fmt_loss(NAN) == MISSING
    assert fmt_perplexity(1.765035) == "1.7650"
    assert fmt_perplexity(None) == MISSING
    assert fmt_float(0.0001) == "0.0001"
    assert fmt_float(5e-05) == "5e-05"
    assert fmt_float(2.0) == "2"
    assert fmt_float(None) == MISSING
    assert fmt_count(30344845) == "30,344,845"
    assert fmt_count(None) == MISSING


def test_progress_text_and_bar() -> None:
    assert fmt_progress(40, 100) == "40/100 (40%)"
    assert fmt_progress(120, 100) == "120/100 (100%)"
    assert fmt_progress(40, None) == f"40/{MISSING}"
    assert fmt_progress(None, 100) == "0/100"
    assert fmt_progress(None, None) == MISSING
    assert progress_bar(0.5, 10) == "█████     "
    assert progress_bar(1.0, 4) == "████"
    assert progress_bar(0.0625, 2) == "▏ "
    assert progress_bar(None, 3) == "   "
    assert len(progress_bar(0.37, 17)) == 17
    assert progress_bar(0.5, 0) == ""


def test_missing_values_never_read_none() -> None:
    assert or_missing(None) == MISSING
    assert or_missing("") == MISSING
    assert or_missing("x") == "x"
    assert fmt_bool(None) == MISSING
    assert fmt_bool(True) == "yes"
    assert fmt_bool(False) == "no"
    assert short_id(None) == MISSING
    assert short_id("2813b7e6-c511-43ac") == "2813b7e6"


def test_is_number() -> None:
    assert is_number(1)
    assert is_number(0.0)
    assert not is_number(True)
    assert not is_number(None)
    assert not is_number(NAN)
    assert not is_number("1")


# --------------------------------------------------------------------------- status badges


@pytest.mark.parametrize(
    ("status", "text"),
    [
        ("QUEUED", "◌ QUEUED"),
        ("VALIDATING", "◐ VALIDATING"),
        ("VALIDATED", "○ VALIDATED"),
        ("RUNNING", "▶ RUNNING"),
        ("STARTED", "▶ STARTED"),
        ("CANCELLATION_REQUESTED", "◼ CANCELLATION_REQUESTED"),
        ("SUCCESS", "✔ SUCCESS"),
        ("FAILED", "✘ FAILED"),
        ("FAILED_VALIDATION", "✘ FAILED_VALIDATION"),
        ("CANCELLED", "⊘ CANCELLED"),
        ("PAUSED_FOR_REASONS", "? PAUSED_FOR_REASONS"),
    ],
)
def test_a_status_reads_as_a_glyph_and_the_word(status: str, text: str) -> None:
    assert status_label(status) == text
    assert status_content(status).plain == text


def test_an_unknown_status_is_made_safe_for_the_terminal() -> None:
    assert status_label("EVIL\x1b]0;title\x07") == "? EVIL␛]0;title␇"
    assert len(status_label("X" * 10_000)) < 50


def test_status_cells_are_styled_by_group() -> None:
    assert str(status_cell("SUCCESS").style) == DEFAULT_GROUP_STYLES[StatusGroup.SUCCEEDED]
    assert str(status_cell("WHATEVER").style) == DEFAULT_GROUP_STYLES[StatusGroup.UNKNOWN]
    custom = {StatusGroup.FAILED: "underline"}
    assert str(status_cell("FAILED", custom).style) == "underline"
    # Every group has a glyph distinct enough to read without colour.
    glyphs = {status_label(s)[0] for s in ("QUEUED", "RUNNING", "SUCCESS", "FAILED", "X")}
    assert len(glyphs) == 5
