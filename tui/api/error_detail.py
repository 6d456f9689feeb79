"""The API's own words from an error body, for a one-line message.

Error bodies come in several shapes (FastAPI ``{"detail": ...}`` as a string or a list of
``{loc, msg}``, the gateway's ``{"message": ...}``, an ``{"error": {...}}`` object, plain text, an
HTML page). Whatever the shape, the text is redacted first (the key may be echoed) and only then
flattened to one printable line and cut, and nested objects are followed a few levels at most.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

__all__ = ["MAX_DETAIL", "clip", "error_detail"]

MAX_DETAIL = 300
"""Longest piece of an error body quoted in a message."""
_MAX_NESTING = 4
"""``{"error": {"error": ...}}`` is followed this deep (real error bodies nest once or twice)."""
_MAX_ITEMS = 20
"""Validation items quoted at most (the message is cut to ``MAX_DETAIL`` anyway)."""


def error_detail(body: bytes, content_type: str, redact: Callable[[str], str]) -> tuple[str, bool]:
    """The detail of an error body, redacted and clipped, and whether it was an HTML page."""
    head = body[:512].lstrip().lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<")):
        return "", True
    if not body.strip():
        return "", False
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:  # also raised past orjson's own nesting limit
        text = body.decode("utf-8", "replace")
    else:
        text = _detail_text(data, _MAX_NESTING)
    return clip(redact(text)), False


def clip(text: str, limit: int = MAX_DETAIL) -> str:
    """One line, printable, at most ``limit`` characters."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _detail_text(data: Any, depth: int) -> str:
    """The text of a FastAPI ``detail``, a gateway ``message`` or an ``error`` object."""
    if isinstance(data, str):
        return data
    if not isinstance(data, dict) or depth <= 0:
        return ""
    detail = data.get("detail")
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        return "; ".join(filter(None, (_validation_item(item) for item in detail[:_MAX_ITEMS])))
    for key in ("message", "error"):
        value = data.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            return _detail_text(value, depth - 1)
    return ""


def _validation_item(item: Any) -> str:
    if not isinstance(item, dict):
        return item if isinstance(item, str) else ""
    message = item.get("msg")
    text = message if isinstance(message, str) else ""
    loc = item.get("loc")
    if isinstance(loc, list):
        parts = [str(part) for part in loc[:_MAX_ITEMS] if isinstance(part, str | int)]
        if parts and parts[0] in ("body", "query", "path", "header"):
            parts = parts[1:]
        if parts:
            return f"{'.'.join(parts)}: {text}" if text else ".".join(parts)
    return text
