"""Rates and intervals read the same everywhere; ages say when they change; structured server
data and deep JSON are bounded, safe, and never exhaust the stack."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.hostile import HOSTILE, deep_data

from tui.display.formats import MISSING, age_changes_at, fmt_age, fmt_rate, fmt_seconds
from tui.display.jsonl import json_line
from tui.display.text import TEXT_LIMIT, data_text, is_clean, is_unsafe_char


@pytest.mark.parametrize(
    ("per_second", "text"),
    [
        (25.0, "1,500 steps/min"),
        (2.5 / 60, "2.5 steps/min"),
        (0.4 / 60, "0.4 steps/min"),
        (1.0, "60 steps/min"),
        (12.34 / 60, "12.3 steps/min"),
        (2.0 / 60, "2 steps/min"),
        (0.0123 / 60, "0.012 steps/min"),
        (0.0, MISSING),
        (-1.0, MISSING),
        (None, MISSING),
        (float("nan"), MISSING),
    ],
)
def test_rates_read_as_people_write_them(per_second: float | None, text: str) -> None:
    assert fmt_rate(per_second) == text
    assert "e+" not in text
    assert "e-" not in text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (30, "30 s"), (119, "119 s"), (120, "2 min"), (7199, "120 min"), (7200, "2 h")],
)
def test_one_interval_formatter(seconds: float, text: str) -> None:
    assert fmt_seconds(seconds) == text
    assert fmt_seconds(-3) == "0 s"
    assert fmt_seconds(None) == MISSING


@given(
    delta=st.one_of(
        st.floats(-20, 20), st.floats(0, 200), st.floats(0, 20_000), st.floats(0, 400_000)
    )
)
def test_an_age_reads_the_same_until_it_says_it_changes(delta: float) -> None:
    timestamp, now = 1_000_000.0, 1_000_000.0 + delta
    until = age_changes_at(timestamp, now)
    assert until >= now
    text = fmt_age(timestamp, now)
    for k in range(1, 10):
        assert fmt_age(timestamp, now + (until - now) * k / 10) == text
    if delta >= 5:
        assert until > now  # an old age is not rebuilt at every tick
        assert fmt_age(timestamp, until + 1.0) != text  # ... but is, once it reads otherwise


def test_data_text_is_one_safe_bounded_line() -> None:
    assert data_text({"error": "OOM", "step": 40}) == "error=OOM, step=40"
    assert data_text({"a": {"b": [1, None, True]}}) == "a={b=[1, null, True]}"
    assert data_text([1, 2]) == "[1, 2]"
    many = data_text({f"k{i}": i for i in range(100)}, limit=10_000)
    assert many.endswith(", …")
    assert many.count("=") == 20
    hostile = data_text({"error": HOSTILE, HOSTILE: [HOSTILE] * 50})
    assert is_clean(hostile)
    assert len(hostile) <= TEXT_LIMIT


def test_data_text_of_deep_nesting_stops_early() -> None:
    text = data_text(deep_data(100_000, "x"))
    assert text == "error={error={error={…}}}"


def test_json_line_writes_any_depth_as_the_api_sent_it() -> None:
    value = {"events": [{"data": deep_data(3_000, HOSTILE)}]}
    line = json_line(value)
    assert "\n" not in line
    assert not any(is_unsafe_char(char) for char in line)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)  # the stdlib decoder recurses; the check must not fail on it
    try:
        assert json.loads(line) == value
    finally:
        sys.setrecursionlimit(limit)


def test_json_line_takes_tuples_and_empty_containers_at_depth() -> None:
    value = deep_data(300, {"t": (1, 2), "l": [], "d": {}, "f": 1.5, "n": None, "b": False})
    assert json.loads(json_line(value)) == json.loads(json.dumps(value))
