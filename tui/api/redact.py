"""Hiding the API key in any text built from what a server sent or an exception said.

A server may echo the key back (a 401 body quoting the header, a proxy's error page, a URL in an
exception). Every message the client builds from such text goes through one ``KeyRedactor``
before it is cut to length, so no cut can leave a prefix of the key behind. The key is matched
case-insensitively and in its URL-encoded forms too.
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

__all__ = ["KEY_HIDDEN", "KeyRedactor"]

KEY_HIDDEN = "[key hidden]"
"""What stands where the key was."""


class KeyRedactor:
    """Replaces every spelling of one key in a text with ``KEY_HIDDEN``; without a key, a no-op."""

    __slots__ = ("_pattern",)

    def __init__(self, key: str | None) -> None:
        self._pattern: re.Pattern[str] | None = None
        if key:
            spellings = {key, quote(key, safe=""), quote_plus(key)}
            # Longest first, so an encoded form is replaced whole rather than around the plain one.
            ordered = sorted(spellings, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE)

    def __call__(self, text: str) -> str:
        """``text`` with the key hidden."""
        if self._pattern is None:
            return text
        return self._pattern.sub(KEY_HIDDEN, text)

    def __repr__(self) -> str:
        return "KeyRedactor(<key hidden>)" if self._pattern is not None else "KeyRedactor(None)"
