"""The made-up keys the security tests plant, and the check that none of them leaked."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["KEY", "WRONG_KEY", "assert_no_key"]

KEY = "sk-test-SECRET-123456"
"""The workspace's key: the app sends it, nothing may show it."""
WRONG_KEY = "sk-test-WRONG-654321"
"""A key the server refuses: it must not be shown either (it is still someone's secret)."""

_FRAGMENTS = ("SECRET-123456", "WRONG-654321", "sk-test-SECRET", "sk-test-WRONG")
"""Parts of the keys, so a truncated or partly masked key is caught too."""


def assert_no_key(text: str, where: str, keys: Iterable[str] = (KEY, WRONG_KEY)) -> None:
    """Fail when ``text`` holds a key or a recognisable part of one."""
    for secret in (*keys, *_FRAGMENTS):
        assert secret not in text, f"{secret!r} appears in {where}:\n{text}"
