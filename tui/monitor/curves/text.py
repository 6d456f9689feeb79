"""Server text made fit for a chart legend: one line, controls visible, measured in cells.

``safe_text`` stands in for ``tui.display.text.safe_text`` (same signature and rules, reduced to
what a legend needs) until that boundary is available here; swap the import then. The cell
measures are the chart's own: a legend is laid out in terminal cells, not characters.
"""

from __future__ import annotations

import unicodedata

__all__ = ["ELLIPSIS", "cell_width", "fit_cells", "safe_text"]

ELLIPSIS = "…"
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
"""Controls, format characters (bidi overrides among them), separators, lone surrogates."""


def _visible_char(char: str) -> str:
    """The visible stand-in for one unsafe character: ``␛`` for ESC, ``<U+202E>`` for others."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def safe_text(value: object, *, limit: int = 200) -> str:
    """``value`` as one line of plain text: unsafe characters made visible, cut to ``limit``."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = text[:limit]  # bound the work by the limit, not by the value's size
    if not text.isprintable():
        text = "".join(
            _visible_char(char) if unicodedata.category(char) in _UNSAFE_CATEGORIES else char
            for char in text
        )
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


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
