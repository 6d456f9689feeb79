"""JSON lines for ``--json``: valid JSON that a terminal can print without being steered.

``orjson`` escapes C0 controls but writes DEL, C1 controls, bidi and other format characters and
the line separators raw: printed to a terminal they would act. They only ever occur inside JSON
strings (the syntax itself is ASCII), so replacing each with its ``\\uXXXX`` escape keeps the
line valid JSON with the same value.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from tui.display.text import is_unsafe_char

__all__ = ["json_line"]

_NOT_ASCII = re.compile("[^\x00-\x7e]")
"""Where an unsafe character can be: the JSON syntax and orjson's own escapes are ASCII."""


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if not is_unsafe_char(char, multiline=True):
        return char
    # JSON escapes are UTF-16 code units: a character past the BMP is a surrogate pair.
    units = char.encode("utf-16-be")
    return "".join(f"\\u{units[i] << 8 | units[i + 1]:04x}" for i in range(0, len(units), 2))


def json_line(value: Any) -> str:
    """``value`` as one line of JSON with every terminal-steering character escaped."""
    text = orjson.dumps(value).decode()
    return text if text.isascii() else _NOT_ASCII.sub(_escape, text)
