"""Request paths built from ids: each id is one path segment, whatever it contains.

Ids come from the command line, the job list (a server's text) and the user's keys. Each is
percent-encoded whole (``/``, ``?``, ``#``, ``%`` and spaces included) so it can never reach
another path or add a query; ``:`` is kept as is, since model names (``ft:open-mistral-7b:...``)
use it and it is allowed inside a path segment. Dot segments cannot be encoded away (``.`` and
``..`` are removed by URL normalisation, so cancelling job ``.`` would post to ``/jobs/cancel``):
they are refused, as are empty and blank ids, before any request is made.
"""

from __future__ import annotations

from urllib.parse import quote

from tui.api.errors import ValidationError

__all__ = ["JOBS_PATH", "job_path", "segment"]

JOBS_PATH = "/v1/fine_tuning/jobs"
"""The collection of fine-tuning jobs."""

_SAFE = ":"
"""Left as is besides letters, digits and ``-._~`` (which ``quote`` never encodes)."""


def segment(value: str, what: str = "id") -> str:
    """``value`` as one percent-encoded path segment; raises ``ValidationError`` for an id that
    cannot be one (empty, blank, ``.`` or ``..``)."""
    if not value.strip() or value in (".", ".."):
        shown = repr(value) if len(value) <= 20 else repr(value[:20]) + "…"
        raise ValidationError(f"not a valid {what}: {shown}")
    return quote(value, safe=_SAFE)


def job_path(job_id: str) -> str:
    """``/v1/fine_tuning/jobs/{id}``."""
    return f"{JOBS_PATH}/{segment(job_id, 'job id')}"
