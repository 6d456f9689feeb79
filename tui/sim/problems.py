"""Error answers the simulated API gives, shaped like the real service's.

Fine-tuning routes answer FastAPI style (``{"detail": ...}``); the gateway in front of them
answers 401 and 429 with ``{"message": ...}`` bodies. Handlers raise :class:`SimProblem`; the
server turns it into the response.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "JOB_NOT_FOUND",
    "SimProblem",
    "conflict",
    "field_error",
    "invalid",
    "not_found",
]

JOB_NOT_FOUND = "No fine tuning job matches the given query."


class SimProblem(Exception):
    """An HTTP error answer: status, JSON body and extra headers."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found(detail: str = JOB_NOT_FOUND) -> SimProblem:
    """404 with a FastAPI ``detail`` string."""
    return SimProblem(404, {"detail": detail})


def conflict(detail: str) -> SimProblem:
    """409: the job's status does not allow the action."""
    return SimProblem(409, {"detail": detail})


def field_error(
    kind: str, loc: list[str | int], msg: str, value: Any, ctx: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One pydantic-v2 style error item of a 422 ``detail`` list."""
    item: dict[str, Any] = {"type": kind, "loc": loc, "msg": msg, "input": value}
    if ctx is not None:
        item["ctx"] = ctx
    return item


def invalid(errors: list[dict[str, Any]]) -> SimProblem:
    """422 with FastAPI's list of validation errors."""
    return SimProblem(422, {"detail": errors})
