"""Readable problems from a failed structuring: ``$.checkpoints[3].step_number: expected int``."""

from __future__ import annotations

from typing import Any

from cattrs.v import transform_error

from tui.api.convert_rules import WireTypeError

__all__ = ["problems_of"]


def describe(exc: BaseException, type_: Any) -> str:
    """One readable reason for one failed value (``transform_error`` adds the path)."""
    if isinstance(exc, WireTypeError):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    name = getattr(type_, "__name__", None)
    if name is not None:
        return f"expected {name}"
    return f"invalid value ({type(exc).__name__})"


def problems_of(exc: BaseException) -> list[str]:
    """Every problem a detailed-validation failure holds, each as ``path: reason``."""
    problems = []
    for line in transform_error(exc, "$", describe):
        reason, _, path = line.rpartition(" @ ")
        problems.append(f"{path}: {reason}")
    return problems
