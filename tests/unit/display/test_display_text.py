"""The display boundary: server text made safe for a terminal, cut, and fit for a clipboard."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from tui.display.text import (
    ELLIPSIS,
    clip,
    clipboard_text,
    is_clean,
    is_unsafe_char,
    safe_text,
    visible_char,
)

ESC = "\x1b"
HOSTILE = (
    f"{ESC}]0;owned{ESC}\\"  # OSC: set the terminal title
    f"{ESC}]52;c;ZXZpbA=={ESC}\\"  # OSC 52: write the clipboard
    "\x9b31m"  # C1 CSI
    "\x90qDCS\x9c"  # C1 DCS ... ST
    "\u202egnp.exe"  # right-to-left override
    "\u2028next line"  # line separator
    "\x7f\x00\t"
)


def test_every_control_becomes_a_visible_stand_in() -> None:
    shown = safe_text(HOSTILE)
    assert not any(is_unsafe_char(char) for char in shown)
    assert "␛]0;owned␛\\" in shown
    assert "<U+009B>31m" in shown
    assert "<U+202E>gnp.exe" in shown
    assert "<U+2028>next line" in shown
    assert shown.endswith("␡␀␉")


def test_plain_text_and_markup_pass_unchanged() -> None:
    # Markup is the renderer's business: it must arrive as the characters it is.
    for text in ("nightly [/] run", "[@click=app.cancel_job]x[/]", "ft:open-mistral-7b:abc", "é😀"):
        assert safe_text(text) == text


def test_newlines_are_kept_only_where_meant() -> None:
    assert safe_text("a\nb") == "a␊b"
    assert safe_text("a\nb", multiline=True) == "a\nb"
    assert safe_text(f"a\n{ESC}[2J", multiline=True) == "a\n␛[2J"


def test_emoji_sequences_keep_their_joiner() -> None:
    family = "👩\u200d👩\u200d👧"
    assert safe_text(family) == family


def test_long_values_are_cut_with_an_ellipsis_and_bounded_work() -> None:
    huge = "x" * 2_000_000
    shown = safe_text(huge, limit=50)
    assert len(shown) == 50
    assert shown.endswith(ELLIPSIS)
    # Escaping can lengthen a value: the result still respects the limit.
    assert len(safe_text("\u202e" * 100, limit=20)) == 20


def test_none_reads_as_empty_and_other_values_as_text() -> None:
    assert safe_text(None) == ""
    assert safe_text(42) == "42"


def test_clip() -> None:
    assert clip("abc", 3) == "abc"
    assert clip("abcd", 3) == "ab" + ELLIPSIS
    assert clip("abcd", 0) == ""


def test_visible_char_forms() -> None:
    assert visible_char("\x1b") == "␛"
    assert visible_char("\x7f") == "␡"
    assert visible_char("\x85") == "<U+0085>"


def test_clipboard_takes_only_single_line_control_free_values() -> None:
    assert (
        clipboard_text("ft:open-mistral-7b:abc:suffix:1234") == "ft:open-mistral-7b:abc:suffix:1234"
    )
    assert clipboard_text("model\nrm -rf ~\n") is None
    assert clipboard_text(f"x{ESC}]52;c;AAAA{ESC}\\") is None
    assert clipboard_text("\u202eabc") is None
    assert clipboard_text("") is None
    assert clipboard_text(None) is None
    assert clipboard_text("x" * 100_000) is None


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_no_input_leaves_an_unsafe_character(text: str) -> None:
    shown = safe_text(text, limit=1_000)
    assert is_clean(shown)
    assert all(
        unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp") or char == "\u200d"
        for char in shown
    )
