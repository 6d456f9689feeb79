"""The one boundary where text from a server becomes text for a screen, a clipboard or stdout.

Job suffixes, model names, event names, W&B fields, file names and error bodies are written by
other people. Before any of it reaches a terminal it passes through :func:`safe_text`:

- C0 controls (but a newline where one is meant), DEL, C1 controls, bidirectional and other
  format characters, and line or paragraph separators become visible stand-ins: control pictures
  (``␛`` for ESC) for C0 and DEL, ``<U+202E>`` for the rest. No escape sequence, no terminal title,
  no clipboard write and no reordered text can come from a server string.
- Long values are cut with an ellipsis, so a 2 MB suffix costs what a short one does. The full
  value stays in the model (and in ``--json``).

Markup is not this module's business (it knows no Textual): the app renders what this returns as
plain text, never as markup.
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "ELLIPSIS",
    "LONG_TEXT_LIMIT",
    "TEXT_LIMIT",
    "cell_width",
    "clip",
    "clipboard_text",
    "data_text",
    "fit_cells",
    "is_clean",
    "is_unsafe_char",
    "safe_text",
    "visible_char",
]

TEXT_LIMIT = 200
"""The most characters a single value (a name, a model, a URL) shows."""
LONG_TEXT_LIMIT = 2_000
"""The most characters a long value (an error body, an event's data) shows."""
CLIPBOARD_LIMIT = 4_096
"""The longest value copied to the clipboard."""
ELLIPSIS = "…"

_ZERO_WIDTH_JOINER = "\u200d"
"""A format character that emoji sequences need; it moves no text and starts no sequence."""
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
"""Controls, format characters (bidi overrides among them), separators, lone surrogates."""


def visible_char(char: str) -> str:
    """The visible stand-in for one unsafe character (see the module docstring)."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures block: ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def is_unsafe_char(char: str, *, multiline: bool = False) -> bool:
    """Whether one character must not reach a terminal as it is."""
    if char == "\n":
        return not multiline
    if char == _ZERO_WIDTH_JOINER:
        return False
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def is_clean(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds nothing :func:`safe_text` would replace."""
    if text.isprintable():  # the fast path: no control, format or separator character at all
        return True
    return not any(is_unsafe_char(char, multiline=multiline) for char in text)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis when anything was cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def safe_text(value: object, *, limit: int = TEXT_LIMIT, multiline: bool = False) -> str:
    """``value`` as text safe to show: unsafe characters made visible, cut to ``limit``.

    ``None`` reads as an empty string. ``multiline`` keeps newlines (an error body, event data);
    everything else is one line.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    # Cut before escaping, so the work is bounded by the limit, not by the value's size.
    text = clip(text, limit)
    if not is_clean(text, multiline=multiline):
        text = "".join(
            visible_char(char) if is_unsafe_char(char, multiline=multiline) else char
            for char in text
        )
        text = clip(text, limit)
    return text


def clipboard_text(value: str | None) -> str | None:
    """``value`` if it is fit to put on the user's clipboard, else ``None``.

    Only single-line, control-free values of reasonable length: a pasted newline would run a
    command in a shell (paste-jacking), a control character would reach the terminal.
    """
    if not value or len(value) > CLIPBOARD_LIMIT:
        return None
    if not is_clean(value):
        return None
    return value


DATA_DEPTH = 3
"""How deep :func:`data_text` looks into nested data before writing ``…``."""
DATA_ITEMS = 20
"""How many entries of one list or mapping :func:`data_text` shows."""


def data_text(value: object, *, limit: int = TEXT_LIMIT) -> str:
    """Structured server data (an event's ``data``, an unknown integration's fields) as one
    safe line: ``error=out of memory, step=40``, nested values in braces and brackets.

    Bounded whatever arrives: nesting past :data:`DATA_DEPTH` reads ``…``, at most
    :data:`DATA_ITEMS` entries per container, every string cut before it is joined, and the
    work stops once ``limit`` characters are written. Deep data cannot exhaust the stack.
    """
    parts: list[str] = []
    size = 0

    def put(text: str) -> bool:
        nonlocal size
        parts.append(text)
        size += len(text)
        return size <= limit

    def walk(item: object, depth: int) -> bool:
        if isinstance(item, dict):
            return entries(list(item.items()), depth, "{", "}", keyed=True)
        if isinstance(item, list | tuple):
            return entries([(None, v) for v in item], depth, "[", "]", keyed=False)
        return put(clip(str(item) if item is not None else "null", limit))

    def entries(
        pairs: list[tuple[object, object]], depth: int, open_: str, close: str, *, keyed: bool
    ) -> bool:
        braces = depth > 0 or not keyed
        if depth >= DATA_DEPTH:
            return put(f"{open_}{ELLIPSIS}{close}")
        if braces and not put(open_):
            return False
        for index, (key, item) in enumerate(pairs[:DATA_ITEMS]):
            if index and not put(", "):
                return False
            if keyed and not put(f"{clip(str(key), limit)}="):
                return False
            if not walk(item, depth + 1):
                return False
        if len(pairs) > DATA_ITEMS and not put(f", {ELLIPSIS}"):
            return False
        return put(close) if braces else True

    walk(value, 0)
    return safe_text("".join(parts), limit=limit)


def _char_cells(char: str) -> int:
    """Terminal cells one character takes: 2 for wide (CJK, emoji), 0 for combining marks."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes."""
    if text.isascii():
        return len(text)
    return sum(_char_cells(char) for char in text)


def fit_cells(text: str, cells: int) -> str:
    """``text`` cut to at most ``cells`` terminal cells, an ellipsis marking the cut."""
    if cells <= 0:
        return ""
    if cell_width(text) <= cells:
        return text
    kept: list[str] = []
    used = 0
    for char in text:
        width = _char_cells(char)
        if used + width > cells - 1:
            break
        kept.append(char)
        used += width
    return "".join(kept) + ELLIPSIS
