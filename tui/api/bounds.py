"""The limits every exchange with the server is held to, whatever the server does.

A hostile or broken ``--server-url`` can send a gzip bomb, a list that claims 10^12 jobs, a body
one byte a second or a Retry-After of 10^9 seconds. Each of these meets a bound here, and each
bound, when hit, is a one-line typed error (or, for a listing, a truncation the caller can show).
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from tui.settings.config import Settings
from tui.settings.limits import (
    DEFAULT_MAX_LIST_PAGES,
    DEFAULT_MAX_RESPONSE_MIB,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_REQUEST_DEADLINE,
)

__all__ = ["ERROR_BODY_BYTES", "MIB", "ClientBounds"]

MIB = 1024 * 1024
ERROR_BODY_BYTES = 64 * 1024
"""Of an error response, only this much is read: a status line quotes a few hundred characters."""


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{attribute.name} must be a positive finite number, got {value!r}")


@attrs.frozen
class ClientBounds:
    """How much the client accepts from one server, and for how long it waits."""

    max_response_bytes: int = attrs.field(
        default=int(DEFAULT_MAX_RESPONSE_MIB * MIB), validator=_positive
    )
    """Largest body accepted, counted both on the wire and after decompression."""
    request_deadline: float = attrs.field(default=DEFAULT_REQUEST_DEADLINE, validator=_positive)
    """Seconds one request may take from connecting to its last body byte (retries excluded)."""
    max_list_pages: int = attrs.field(default=DEFAULT_MAX_LIST_PAGES, validator=_positive)
    """Pages ``list_all_jobs`` reads at most; past it the listing is returned as truncated."""
    max_retry_after: float = attrs.field(default=DEFAULT_MAX_RETRY_AFTER, validator=_positive)
    """Longest Retry-After honoured, in seconds."""

    @classmethod
    def from_settings(cls, settings: Settings) -> ClientBounds:
        """The bounds the user configured (``finetop config`` lists them)."""
        return cls(
            max_response_bytes=max(1, int(settings.max_response_mib * MIB)),
            request_deadline=settings.request_deadline,
            max_list_pages=settings.max_list_pages,
            max_retry_after=settings.max_retry_after,
        )
