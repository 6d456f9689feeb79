"""What the notice of a job that finished says: which job, how it ended, where it got, and why.

``a992a603 failed`` tells little. The notice names the job by its suffix or model, gives its final
step and losses, and for a failure the reason when the API gives one (what the last event's data
says besides its status). Every part is safe text, ready for a plain notification.
"""

from __future__ import annotations

from collections.abc import Mapping

from tui.api.models import Job, JobStatus, is_detail
from tui.display.formats import fmt_loss, short_id
from tui.display.text import safe_text
from tui.monitor.detail_groups import event_detail, validation_note
from tui.monitor.store import JobSummary

__all__ = ["FINISH_WORDS", "REASON_KEYS", "failure_reason", "finish_message", "job_label"]

FINISH_WORDS: Mapping[str, str] = {
    JobStatus.SUCCESS: "succeeded",
    JobStatus.FAILED: "failed",
    JobStatus.FAILED_VALIDATION: "failed validation",
    JobStatus.CANCELLED: "was cancelled",
}
"""How each terminal status reads in a sentence."""

REASON_KEYS = ("error", "message", "reason", "detail", "error_message")
"""Keys of an event's ``data`` that say why, tried in this order before the whole of it."""

LABEL_LIMIT = 60
"""The longest a job's name reads in a notice."""
REASON_LIMIT = 300
"""The longest a failure's reason reads in a notice."""


def job_label(job_id: str, name: str | None) -> str:
    """``faq-bot (a992a603)``, or the short id alone: safe text."""
    short = safe_text(short_id(job_id))
    shown = safe_text(name, limit=LABEL_LIMIT)
    return f"{shown} ({short})" if shown else short


def failure_reason(job: Job) -> str | None:
    """Why a job failed, when its events say (newest first); ``None`` when they do not."""
    if not is_detail(job):
        return None
    for event in reversed(job.events_by_time):
        data = event.data or {}
        for key in REASON_KEYS:
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return safe_text(value, limit=REASON_LIMIT)
        detail = event_detail(event)
        if detail:
            return safe_text(detail, limit=REASON_LIMIT)
    return None


def finish_message(job: Job, summary: JobSummary) -> str:
    """The notice's text, one fact per line::

    faq-bot (a992a603) failed
    step 40/100 · train 0.8123 · valid 0.7843
    reason: CUDA out of memory
    """
    word = FINISH_WORDS.get(job.status) or f"ended {safe_text(job.status, limit=40)}"
    lines = [f"{job_label(job.id, job.suffix or job.fine_tuned_model or job.model)} {word}"]
    facts: list[str] = []
    total = job.training_steps
    step = summary.step
    if step is None and job.status == JobStatus.SUCCESS:
        step = total
    if step is not None:
        facts.append(f"step {step}/{total}" if total else f"step {step}")
    if summary.train_loss is not None:
        facts.append(f"train {fmt_loss(summary.train_loss)}")
        if summary.valid_loss:
            facts.append(f"valid {fmt_loss(summary.valid_loss)}")
        else:
            facts.append(validation_note(job))
    if facts:
        lines.append(" · ".join(facts))
    if job.status in (JobStatus.FAILED, JobStatus.FAILED_VALIDATION):
        reason = failure_reason(job)
        if reason:
            lines.append(f"reason: {reason}")
    return "\n".join(lines)
