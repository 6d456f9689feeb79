"""The notice of a job that finished: which jobs get one, when, and what it says.

``a992a603 failed`` tells little. The notice names the job by its suffix or model, gives its final
step and losses, and for a failure the reason when the API gives one (what the last event's data
says besides its status). Every part is safe text, ready for a plain notification.

:class:`FinishNotices` decides which finishes are announced: each once, only for jobs seen before
they finished, and after the job's final detail (its last checkpoint, the failure's reason) when
a list poll saw the status first, or after :data:`FINISH_WAIT` seconds without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from tui.api.clock import Clock
from tui.api.models import Job, JobStatus, is_detail
from tui.display.formats import fmt_loss, short_id
from tui.display.text import safe_text
from tui.monitor.changes import Change, DetailFetched, JobAdded, JobChanged, JobGone
from tui.monitor.detail_groups import event_detail, validation_note
from tui.monitor.store import JobStore, JobSummary

__all__ = [
    "FINISH_WAIT",
    "FINISH_WORDS",
    "REASON_KEYS",
    "FinishNotice",
    "FinishNotices",
    "failure_reason",
    "finish_message",
    "job_label",
]

FINISH_WAIT = 30.0
"""Seconds a notice waits for the job's final detail when a list poll saw the status first;
then it says what is known."""

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


@attrs.frozen
class FinishNotice:
    """One job to announce as finished."""

    job_id: str
    status: str
    """Its terminal status."""
    text: str
    """What the notice says (:func:`finish_message`)."""


class FinishNotices:
    """Which finished jobs to announce, and when (see the module docstring).

    Bounded like the workspace: a job's marks go with it (``JobGone``).
    """

    def __init__(self, store: JobStore, clock: Clock, *, wait: float = FINISH_WAIT) -> None:
        self.store = store
        """Where the finished job's summary and events are read."""
        self.clock = clock
        """The monotonic clock the wait is measured on."""
        self.wait = wait
        """Seconds to wait for a final detail."""
        self._announced: set[str] = set()
        """Jobs announced, or finished before first seen (never announced)."""
        self._waiting: dict[str, float] = {}
        """Jobs waiting for their final detail -> until when (monotonic)."""

    @property
    def announced(self) -> frozenset[str]:
        """The jobs that will not be announced (again)."""
        return frozenset(self._announced)

    def take(self, changes: Iterable[Change]) -> list[FinishNotice]:
        """The notices one batch of changes brings (and those whose wait is over)."""
        ready: list[str] = []
        for change in changes:
            match change:
                case JobAdded(job=job) if job.is_terminal:
                    # Finished before we first saw it: never announced, even if an odd status
                    # (schema drift) comes and goes later.
                    self._announced.add(job.id)
                case JobChanged(job=job, fields=fields) if (
                    "status" in fields and job.is_terminal and job.id not in self._announced
                ):
                    self._announced.add(job.id)
                    view = self.store.get(job.id)
                    if view is not None and view.watched_live and not view.detail_final:
                        self._waiting[job.id] = self.clock.monotonic() + self.wait
                    else:
                        ready.append(job.id)
                case DetailFetched(job_id=job_id, final=True) if job_id in self._waiting:
                    ready.append(job_id)
                case JobGone(job_id=job_id):
                    self._announced.discard(job_id)
                    self._waiting.pop(job_id, None)
                case _:
                    pass
        now = self.clock.monotonic()
        ready += [job_id for job_id, until in self._waiting.items() if until <= now]
        notices = []
        for job_id in dict.fromkeys(ready):
            self._waiting.pop(job_id, None)
            view = self.store.get(job_id)
            if view is not None and view.job.is_terminal:
                job = view.job
                notices.append(FinishNotice(job.id, job.status, finish_message(job, view.summary)))
        return notices
