"""The base of every error finetop raises on purpose, and the kinds a status line names.

Kept below every other layer, so settings, the wire contract and the monitor share one hierarchy.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ErrorKind", "FinetopError", "InsecureURLError"]


class ErrorKind(StrEnum):
    """The cause of a failure, as the status line names it."""

    AUTH = "auth failed"
    NOT_FOUND = "not found"
    VALIDATION = "rejected"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate limited"
    SERVER = "server error"
    TRANSPORT = "no network"
    PAYLOAD = "bad response"
    CONFIG = "configuration"


class FinetopError(Exception):
    """Base of every error finetop raises on purpose."""

    kind: ErrorKind = ErrorKind.CONFIG


class InsecureURLError(FinetopError, ValueError):
    """A plain ``http://`` base URL to a non-loopback host without the explicit insecure flag."""
