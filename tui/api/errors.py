"""Typed errors a user interface can explain in one line.

Messages never contain the API key or request headers; they are built from the status code, the
API's own error text and the operation, nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.errors import ErrorKind, FinetopError

__all__ = [
    "ApiError",
    "AuthenticationError",
    "ConflictError",
    "DeadlineExceededError",
    "NotFoundError",
    "PayloadError",
    "RateLimitedError",
    "ResponseTooLargeError",
    "ServerError",
    "TransportError",
    "ValidationError",
]


class PayloadError(FinetopError):
    """A response body that does not fit the wire contract.

    ``problems`` lists every problem with a readable path, e.g. ``$.checkpoints[3].step_number:
    expected int``; the message joins them.
    """

    kind = ErrorKind.PAYLOAD

    def __init__(self, problems: Sequence[str], *, context: str = "") -> None:
        self.problems: tuple[str, ...] = tuple(problems) or ("unreadable payload",)
        self.context = context
        prefix = f"{context}: " if context else ""
        super().__init__(prefix + "; ".join(self.problems))


class ApiError(FinetopError):
    """An HTTP exchange that failed. ``status`` is ``None`` when no response arrived."""

    kind = ErrorKind.SERVER

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


class AuthenticationError(ApiError):
    """401 or 403: the key is missing, wrong or lacks access."""

    kind = ErrorKind.AUTH


class NotFoundError(ApiError):
    """404: the job (or file, or model) does not exist in this workspace."""

    kind = ErrorKind.NOT_FOUND


class ValidationError(ApiError):
    """422 (or 400): the API rejected the request's parameters or body."""

    kind = ErrorKind.VALIDATION


class ConflictError(ApiError):
    """409: the job is in a state that does not allow the action."""

    kind = ErrorKind.CONFLICT


class RateLimitedError(ApiError):
    """429: too many requests; ``retry_after`` is the wait the server asked for, in seconds."""

    kind = ErrorKind.RATE_LIMITED

    def __init__(
        self, message: str, *, status: int | None = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx, including HTML error pages from a proxy; ``retry_after`` when the server gave one."""

    kind = ErrorKind.SERVER

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class TransportError(ApiError):
    """No usable response: connection refused or dropped, DNS failure, timeout."""

    kind = ErrorKind.TRANSPORT


class DeadlineExceededError(TransportError):
    """The whole exchange (connect, headers and body) took longer than its deadline: a server that
    answers a byte at a time never trips a per-read timeout, so each request has one overall."""


class ResponseTooLargeError(ApiError):
    """A response body larger than the cap, on the wire or once decompressed (a gzip bomb). It is
    refused as soon as the cap is passed, so no more than the cap is ever held in memory."""

    kind = ErrorKind.PAYLOAD
