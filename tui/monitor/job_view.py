"""What the store answers about one job: an immutable :class:`JobView` and its summary.

A view is replaced (never changed) whenever the store learns something about its job, so
holders can tell "changed" from "same" by identity.
"""

from __future__ import annotations

from enum import StrEnum

import attrs

from tui.api.models import (
    ACTIVE_STATUSES,
    ClassifierJob,
    CompletionJob,
    Job,
    JobDetails,
    is_detail,
)
from tui.api.timeline import training_duration
from tui.errors import ErrorKind
from tui.monitor.progress import compute_progress

__all__ = ["Freshness", "JobSummary", "JobView", "job_of", "search_fields", "search_text"]


class Freshness(StrEnum):
    """How current a job's data is."""

    FRESH = "fresh"
    STALE = "stale"
    FAILING = "failing"


@attrs.frozen
class JobSummary:
    """What the table shows about training, kept even when the detail body is evicted."""

    step: int | None = None
    """Highest checkpoint step seen."""
    train_loss: float | None = None
    """Train loss at the latest checkpoint."""
    valid_loss: float | None = None
    """Validation loss at the latest evaluated checkpoint (``0.0`` means not evaluated)."""
    perplexity: float | None = None
    """``valid_mean_token_accuracy`` (really ``2 ** valid_loss``) at that checkpoint."""
    checkpoints: int = 0
    """How many checkpoints the last detail held (after the cap)."""
    duration: float | None = None
    """Seconds from the start of training to the terminal status, once the job finished (a
    list item cannot tell: this is what a detail, or the local history, said)."""

    @classmethod
    def of(cls, details: JobDetails) -> JobSummary:
        """The summary of a detail payload."""
        duration = training_duration(details)
        by_step = details.checkpoints_by_step
        if not by_step:
            return cls(duration=duration)
        last = by_step[-1]
        evaluated = [c for c in by_step if c.metrics.evaluated]
        last_eval = evaluated[-1] if evaluated else None
        return cls(
            step=last.step_number,
            train_loss=last.metrics.train_loss,
            valid_loss=last_eval.metrics.valid_loss if last_eval else None,
            perplexity=last_eval.metrics.perplexity if last_eval else None,
            checkpoints=len(by_step),
            duration=duration,
        )


def search_fields(job: Job) -> tuple[str, str, str, str]:
    """What a filter's words are matched against: id, model, suffix, fine-tuned model."""
    return (job.id, job.model, job.suffix or "", job.fine_tuned_model or "")


def search_text(job: Job) -> str:
    """:func:`search_fields` lowercased in one string (precomputed once per job)."""
    return "\n".join(search_fields(job)).lower()


@attrs.frozen
class JobView:
    """An immutable snapshot of one job as the store knows it.

    Times (``listed_at``, ``detail_fetched_at``, ``error_at``) are on the store's monotonic clock.
    """

    job: Job
    """The merged latest job: a ``JobDetails`` while its detail body is held, else a list item."""
    listed_at: float | None = None
    """When a list page last carried this job."""
    detail_fetched_at: float | None = None
    """When its detail was last fetched (kept after the body is evicted)."""
    detail_final: bool = False
    """The detail held was fetched after the job finished: it will not change again."""
    watched_live: bool = False
    """The store saw this job before it finished (so its final detail is worth fetching)."""
    cached: bool = False
    """Known from the local history only: no listing (nor fetched detail) has confirmed it in
    this run yet."""
    summary: JobSummary = attrs.field(factory=JobSummary)
    """Last step and losses, kept across eviction."""
    last_error: str | None = None
    """The last error concerning this job (e.g. a payload problem with its path)."""
    last_error_kind: ErrorKind | None = None
    """The kind of ``last_error``."""
    error_at: float | None = None
    """When ``last_error`` happened."""
    failures: int = 0
    """Consecutive failed detail fetches of this job; reset by a successful one."""
    search_text: str = attrs.field(default="", repr=False, eq=False)
    """Lowercase id, model, suffix and fine-tuned model, precomputed for filtering."""

    @property
    def id(self) -> str:
        """The job id."""
        return self.job.id

    @property
    def has_detail(self) -> bool:
        """Whether the detail body (events, checkpoints) is held right now."""
        return is_detail(self.job)

    @property
    def details(self) -> JobDetails | None:
        """The job as a ``JobDetails`` when its detail body is held."""
        return self.job if is_detail(self.job) else None

    @property
    def name(self) -> str:
        """The suffix, else the fine-tuned model, else empty."""
        return self.job.suffix or self.job.fine_tuned_model or ""

    @property
    def fraction(self) -> float | None:
        """Progress in [0, 1] from the summary's step (1.0 for SUCCESS)."""
        if self.job.status == "SUCCESS":
            return 1.0
        total = self.job.training_steps
        if self.summary.step is None or not total:
            return None
        return min(1.0, self.summary.step / total)

    @property
    def last_seen_at(self) -> float | None:
        """The latest successful fetch of anything about this job."""
        times = [t for t in (self.listed_at, self.detail_fetched_at) if t is not None]
        return max(times) if times else None

    def freshness(self, now: float, stale_after: float) -> Freshness:
        """``FAILING`` if its last fetch failed, ``STALE`` if not seen for ``stale_after`` s."""
        if self.failures:
            return Freshness.FAILING
        seen = self.last_seen_at
        if seen is None or now - seen > stale_after:
            return Freshness.STALE
        return Freshness.FRESH

    def eta(self, now_wall: float) -> float | None:
        """Seconds to the planned last step (see :mod:`tui.monitor.progress`), if training."""
        if self.job.status not in ACTIVE_STATUSES:
            return None
        return compute_progress(self.job, now_wall).eta


def job_of(value: JobView | Job | None) -> Job | None:
    """The job inside a store view, or the job itself (``None`` for ``None``)."""
    if value is None or isinstance(value, CompletionJob | ClassifierJob):
        return value
    return value.job
