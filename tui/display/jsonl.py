"""JSON lines for ``--json``: valid JSON that a terminal can print without being steered.

``orjson`` escapes C0 controls but writes DEL, C1 controls, bidi and other format characters and
the line separators raw: printed to a terminal they would act. They only ever occur inside JSON
strings (the syntax itself is ASCII), so replacing each with its ``\\uXXXX`` escape keeps the
line valid JSON with the same value.

``orjson`` also refuses values nested deeper than 254 levels (an event's ``data`` can be). Those
are written by a small encoder that keeps its own stack, so no depth exhausts Python's: the full
value still comes out, as the API sent it.
"""

from __future__ import annotations

import json
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


def _scalar(value: Any) -> str:
    """One JSON scalar (or an empty container), as the standard encoder writes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _deep_dumps(value: Any) -> str:
    """``value`` as compact JSON without recursion: a stack of what is left to write."""
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Text):
            out.append(item.text)
        elif isinstance(item, dict) and item:
            todo: list[Any] = [_Text("{")]
            for index, (key, child) in enumerate(item.items()):
                todo.append(_Text(("," if index else "") + _scalar(str(key)) + ":"))
                todo.append(child)
            todo.append(_Text("}"))
            stack.extend(reversed(todo))
        elif isinstance(item, list | tuple) and item:
            todo = [_Text("[")]
            for index, child in enumerate(item):
                if index:
                    todo.append(_Text(","))
                todo.append(child)
            todo.append(_Text("]"))
            stack.extend(reversed(todo))
        else:
            out.append(_scalar(item if not isinstance(item, tuple) else list(item)))
    return "".join(out)


class _Text:
    """JSON syntax already written out (a brace, a comma, a key), on the encoder's stack."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def json_line(value: Any) -> str:
    """``value`` as one line of JSON with every terminal-steering character escaped."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError: nested deeper than it goes
        text = _deep_dumps(value)
    # DEL is ASCII too, and orjson leaves it raw.
    return text if text.isascii() and "\x7f" not in text else _NOT_ASCII.sub(_escape, text)
