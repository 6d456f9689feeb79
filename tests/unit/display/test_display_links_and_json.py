"""Links from a server are opened only when safe; --json output cannot steer a terminal."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.display.jsonl import json_line
from tui.display.links import LINK_LIMIT, check_link
from tui.display.text import is_unsafe_char


@pytest.mark.parametrize(
    "url",
    [
        "https://wandb.ai/team/project/runs/abc123",
        "http://localhost:8080/run",
        "HTTPS://WANDB.AI/x",
    ],
)
def test_http_and_https_links_are_allowed(url: str) -> None:
    check = check_link(url)
    assert check.ok
    assert check.url == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("--new-window=file:///etc", "starts with '-'"),
        ("-https://x", "starts with '-'"),
        ("https://wandb.ai/x y", "spaces or control"),
        ("https://wandb.ai/\x1b]8;;", "spaces or control"),
        ("https://wandb.ai/\u202ex", "spaces or control"),
        ("https://", "no host"),
        ("https://[::1", "cannot be parsed"),
        ("https://x/" + "a" * LINK_LIMIT, "longer than"),
        ("", "no URL"),
        (None, "no URL"),
    ],
)
def test_anything_else_is_refused_with_a_reason(url: str | None, reason: str) -> None:
    check = check_link(url)
    assert not check.ok
    assert check.url is None
    assert check.reason is not None
    assert reason in check.reason
    assert "\n" not in check.reason


def test_json_lines_escape_what_orjson_leaves_raw() -> None:
    value = {"suffix": "a\x1b]0;t\x07\x9b31m\u202e\u2028\x7f\U000e0001z", "n": [1, 2.5, None]}
    line = json_line(value)
    assert line.isascii() or all(not is_unsafe_char(char) for char in line)
    assert "\\u009b" in line
    assert "\\u202e" in line
    assert "\\udb40\\udc01" in line  # past the BMP: a surrogate pair, as JSON wants
    assert json.loads(line) == value


def test_a_lone_del_is_escaped_too() -> None:
    # DEL is ASCII, yet a terminal may act on it.
    assert json_line({"s": "a\x7fb"}) == '{"s":"a\\u007fb"}'


def test_json_lines_keep_ordinary_unicode_readable() -> None:
    assert json_line({"s": "é😀 👩\u200d👧"}) == '{"s":"é😀 👩\u200d👧"}'


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=40),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_any_value_round_trips_and_is_one_safe_line(value: object) -> None:
    line = json_line(value)
    assert "\n" not in line
    assert not any(is_unsafe_char(char, multiline=False) for char in line)
    assert json.loads(line) == value


def test_json_line_escapes_del_in_an_otherwise_ascii_line() -> None:
    # DEL is ASCII: a check for "only ASCII" alone would let it through raw.
    line = json_line({"suffix": "a\x7fb"})
    assert "\x7f" not in line
    assert json.loads(line) == {"suffix": "a\x7fb"}
