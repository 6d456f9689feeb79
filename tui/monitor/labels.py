"""How a job's status reads: a glyph and a word, so status never depends on colour alone.

The one place the rule lives: the job list, the detail pane, the status line and the headless
commands all render these. A status the API adds later still reads, as ``? RAW`` (made safe for a
terminal first: a status is server text like any other).
"""

from __future__ import annotations

from collections.abc import Mapping

from tui.api.models import JobStatus
from tui.display.text import safe_text

__all__ = ["STATUS_GLYPHS", "status_glyph", "status_label", "status_word"]

STATUS_GLYPHS: Mapping[str, str] = {
    JobStatus.QUEUED: "◌",
    JobStatus.VALIDATING: "◐",
    JobStatus.VALIDATED: "○",
    JobStatus.STARTED: "▶",
    JobStatus.RUNNING: "▶",
    JobStatus.CANCELLATION_REQUESTED: "◼",
    JobStatus.SUCCESS: "✔",
    JobStatus.FAILED: "✘",
    JobStatus.FAILED_VALIDATION: "✘",
    JobStatus.CANCELLED: "⊘",
}
"""One glyph per documented status; every other status gets ``?``."""

_SHORT_WORDS: Mapping[str, str] = {
    JobStatus.CANCELLATION_REQUESTED: "CANCELLING",
    JobStatus.FAILED_VALIDATION: "INVALID",
}
"""Words too long for a narrow column; the long form is used where there is room."""

STATUS_WORD_LIMIT = 40
"""The longest an unknown status reads."""


def status_glyph(status: str | None) -> str:
    """The glyph for a raw status string (``?`` when finetop does not know it)."""
    return STATUS_GLYPHS.get(status or "", "?")


def status_word(status: str | None, *, short: bool = False) -> str:
    """The status as a word: the API's own, shortened for narrow columns when ``short``."""
    if not status:
        return "?"
    if short and status in _SHORT_WORDS:
        return _SHORT_WORDS[status]
    return safe_text(status, limit=STATUS_WORD_LIMIT)


def status_label(status: str | None, *, short: bool = False) -> str:
    """``✔ SUCCESS``, ``▶ RUNNING``, ``? SOMETHING_NEW``: the glyph and the word."""
    return f"{status_glyph(status)} {status_word(status, short=short)}"
