"""JobStore: every known job by id, list items merged with details, bounded, queryable.

The poller feeds it models; it answers with :mod:`tui.monitor.changes` values describing what
actually changed, and the UI reads :class:`JobView` snapshots from it.

Merging: a list item never erases what a detail brought. When a job has a detail (events,
checkpoints, classifier targets) and a list refresh arrives, the list fields are updated on the
detail (``attrs.evolve``) and the events and checkpoints are kept.

Bounds, so memory after hours equals memory after minutes:
- each job keeps at most ``max_checkpoints`` checkpoints and ``max_events`` events (the newest);
- at most ``max_details`` jobs keep their detail body, holding at most ``max_detail_checkpoints``
  checkpoints between them; beyond either, the least recently used detail is dropped back to its
  list fields (its summary -- last step and losses -- stays). Jobs that are still moving and the
  selected job are pinned. An evicted detail is fetched again when needed
  (:meth:`JobStore.needs_detail`).
- what was already reported (checkpoint and event watermarks) survives eviction, so a re-fetch
  does not announce old checkpoints as new.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import Any

import attrs

from tui.api.clock import Clock, SystemClock
from tui.api.models import (
    ACTIVE_STATUSES,
    Checkpoint,
    ClassifierJob,
    CompletionJob,
    Event,
    Job,
    JobDetails,
    JobsPage,
    JobStatus,
    StatusGroup,
    is_detail,
)
from tui.errors import ErrorKind, FinetopError
from tui.monitor.changes import (
    Change,
    CheckpointsAdded,
    DetailFetched,
    EventsAdded,
    JobAdded,
    JobChanged,
    JobGone,
)
from tui.monitor.progress import compute_progress
from tui.monitor.query import JobFilter, SortColumn, SortSpec

__all__ = [
    "DETAIL_ONLY_FIELDS",
    "Freshness",
    "JobFilter",
    "JobStore",
    "JobSummary",
    "JobView",
    "SortColumn",
    "SortSpec",
    "job_of",
    "list_fields",
    "to_list_item",
]

DETAIL_ONLY_FIELDS: frozenset[str] = frozenset({"events", "checkpoints", "classifier_targets"})
"""Fields only ``GET /jobs/{id}`` returns."""


def _list_class(job: Job) -> type[CompletionJob] | type[ClassifierJob]:
    return ClassifierJob if isinstance(job, ClassifierJob) else CompletionJob


def list_fields(job: Job) -> tuple[str, ...]:
    """The names of the wire fields a list item of this job's class holds."""
    return tuple(f.name for f in attrs.fields(_list_class(job)) if f.name != "wire_keys")


def to_list_item(job: Job) -> Job:
    """``job`` without its detail-only fields (a list item); list items are returned as is."""
    if not is_detail(job):
        return job
    cls = _list_class(job)
    values = {name: getattr(job, name) for name in list_fields(job)}
    keys = job.wire_keys - DETAIL_ONLY_FIELDS if job.wire_keys is not None else None
    return cls(**values, wire_keys=keys)


class Freshness(StrEnum):
    """How current a job's data is."""

    FRESH = "fresh"
    STALE = "stale"
    FAILING = "failing"


_STATUS_RANK: dict[str, int] = {
    "RUNNING": 0,
    "STARTED": 0,
    "CANCELLATION_REQUESTED": 1,
    "VALIDATING": 2,
    "VALIDATED": 3,
    "QUEUED": 4,
    "FAILED": 5,
    "FAILED_VALIDATION": 6,
    "CANCELLED": 7,
    "SUCCESS": 8,
}


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

    @classmethod
    def of(cls, details: JobDetails) -> JobSummary:
        """The summary of a detail payload."""
        by_step = details.checkpoints_by_step
        if not by_step:
            return cls()
        last = by_step[-1]
        evaluated = [c for c in by_step if c.metrics.evaluated]
        last_eval = evaluated[-1] if evaluated else None
        return cls(
            step=last.step_number,
            train_loss=last.metrics.train_loss,
            valid_loss=last_eval.metrics.valid_loss if last_eval else None,
            perplexity=last_eval.metrics.perplexity if last_eval else None,
            checkpoints=len(by_step),
        )


def _search_fields(job: Job) -> tuple[str, str, str, str]:
    return (job.id, job.model, job.suffix or "", job.fine_tuned_model or "")


def _search_text(job: Job) -> str:
    return "\n".join(_search_fields(job)).lower()


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


@attrs.define
class _Marks:
    """What has already been reported for a job; survives detail eviction."""

    checkpoint: tuple[int, int] | None = None
    """Highest (step, created_at) reported."""
    event_time: int | None = None
    """Latest event time reported."""
    event_keys: frozenset[tuple[Any, ...]] = frozenset()
    """Keys of the events reported at exactly ``event_time`` (several may share a second)."""


def _event_key(event: Event) -> tuple[Any, ...]:
    return (event.created_at, event.name, event.status)


_SortKey = Callable[[JobView], Any]


class JobStore:
    """Jobs by id, merged and bounded. Not thread-safe: use it from one event loop.

    ``apply``/``apply_page``/``remove`` return the changes they caused, so the poller can pass
    them on; everything else only reads.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        max_checkpoints: int = 2000,
        max_events: int = 500,
        max_details: int = 200,
        max_detail_checkpoints: int = 20_000,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        """Source of ``listed_at``/``detail_fetched_at`` stamps and of ``now`` in queries."""
        self.max_checkpoints = max_checkpoints
        """Newest checkpoints kept per job."""
        self.max_events = max_events
        """Newest events kept per job."""
        self.max_details = max_details
        """Detail bodies kept for unpinned jobs (LRU)."""
        self.max_detail_checkpoints = max_detail_checkpoints
        """Checkpoints kept across the unpinned detail bodies: a few jobs with thousands of
        checkpoints each evict like many small ones, so the cache's size follows its content."""
        self._views: dict[str, JobView] = {}
        self._marks: dict[str, _Marks] = {}
        self._details: OrderedDict[str, int] = OrderedDict()
        """Ids of jobs holding a detail body (-> its checkpoint count), least recently used
        first."""
        self._active: set[str] = set()
        """Ids of jobs that are not terminal."""
        self._selected: str | None = None

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return len(self._views)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._views

    def __iter__(self) -> Iterator[JobView]:
        return iter(list(self._views.values()))

    def get(self, job_id: str) -> JobView | None:
        """The view of one job, or ``None``."""
        return self._views.get(job_id)

    def jobs(self) -> list[JobView]:
        """Every job, newest first."""
        return self.query()

    def ids(self) -> list[str]:
        """Every known job id (insertion order)."""
        return list(self._views)

    def active_ids(self) -> list[str]:
        """Ids of the jobs that are not terminal (the poller follows their details)."""
        return sorted(self._active)

    @property
    def detail_count(self) -> int:
        """How many jobs hold a detail body right now."""
        return len(self._details)

    @property
    def selected(self) -> str | None:
        """The selected job id (pinned in the detail cache)."""
        return self._selected

    def counts_by_group(self) -> dict[StatusGroup, int]:
        """How many jobs are in each status group (every group present, zeros included)."""
        counts = dict.fromkeys(StatusGroup, 0)
        for view in self._views.values():
            counts[view.job.status_group] += 1
        return counts

    def query(
        self,
        filter: JobFilter | None = None,
        sort: SortSpec | None = None,
        *,
        now_wall: float | None = None,
    ) -> list[JobView]:
        """Jobs passing ``filter``, ordered by ``sort`` (default: newest first).

        Cheap enough to call on every keystroke: one pass over precomputed search text and one
        sort. Missing values (no loss yet, no ETA) always come last; ties keep newest first.
        """
        flt = filter or JobFilter()
        spec = sort or SortSpec()
        views: Iterable[JobView] = self._views.values()
        if not flt.is_empty:
            groups, kind = flt.groups, flt.job_kind
            terms, inverted = flt.terms, flt.inverted  # computed once, not per job
            views = [
                v
                for v in views
                if (not groups or v.job.status_group in groups)
                and (kind is None or v.job.kind == kind)
                and (not terms or all(t in v.search_text for t in terms) != inverted)
            ]
        # Base order: newest first, id as the final tie-breaker; the column sort is stable.
        rows = sorted(views, key=lambda v: (-v.job.created_at, v.job.id))
        if spec.column is SortColumn.CREATED:
            return rows if spec.descending else rows[::-1]
        key = self._sort_key(spec.column, self.clock.time() if now_wall is None else now_wall)
        keyed = [(key(v), v) for v in rows]
        present = [(k, v) for k, v in keyed if k is not None]
        missing = [v for k, v in keyed if k is None]
        present.sort(key=lambda kv: kv[0], reverse=spec.descending)
        return [v for _, v in present] + missing

    @staticmethod
    def _sort_key(column: SortColumn, now_wall: float) -> _SortKey:
        keys: dict[SortColumn, _SortKey] = {
            SortColumn.STATUS: lambda v: _STATUS_RANK.get(v.job.status, 9),
            SortColumn.MODEL: lambda v: v.job.model.lower(),
            SortColumn.TYPE: lambda v: v.job.kind.value,
            SortColumn.NAME: lambda v: v.name.lower() or None,
            SortColumn.PROGRESS: lambda v: v.fraction,
            SortColumn.TRAIN_LOSS: lambda v: v.summary.train_loss,
            SortColumn.VALID_LOSS: lambda v: v.summary.valid_loss,
            SortColumn.ETA: lambda v: v.eta(now_wall),
        }
        return keys[column]

    def needs_detail(self, job_id: str) -> bool:
        """Whether the job's detail should be fetched regardless of schedule.

        True when no detail body is held (never fetched, or evicted) and the job is selected or
        still moving, or when a job seen live has finished and its final detail is not held yet.
        """
        view = self._views.get(job_id)
        if view is None:
            return False
        if not view.job.is_terminal:
            return not view.has_detail
        if job_id == self._selected:
            return not (view.has_detail and view.detail_final)
        return view.watched_live and not view.detail_final

    # ------------------------------------------------------------------ selection and LRU

    def select(self, job_id: str | None) -> None:
        """Mark the job the user looks at: its detail is pinned and counts as just used."""
        previous = self._selected
        self._selected = job_id
        if job_id is not None:
            self.touch(job_id)
        if previous is not None and previous != job_id:
            self._evict()

    def touch(self, job_id: str) -> None:
        """Count the job's detail as just used (it is evicted last)."""
        if job_id in self._details:
            self._details.move_to_end(job_id)

    def _pinned(self, job_id: str) -> bool:
        """The selected job and moving jobs keep their detail. A VALIDATED job waiting for a
        start can wait for weeks (and a workspace can hold hundreds), so it is evicted like a
        finished one and fetched again when looked at."""
        if job_id == self._selected:
            return True
        view = self._views.get(job_id)
        return (
            view is not None and job_id in self._active and view.job.status != JobStatus.VALIDATED
        )

    def _evict(self) -> None:
        excess = len(self._details) - self.max_details
        if excess <= 0 and sum(self._details.values()) <= self.max_detail_checkpoints:
            return  # within both bounds even counting the pinned bodies: nothing to weigh
        unpinned = [(job_id, n) for job_id, n in self._details.items() if not self._pinned(job_id)]
        checkpoints = sum(n for _, n in unpinned)
        victims: list[str] = []
        for job_id, n in unpinned:  # least recently used first
            if excess <= 0 and checkpoints <= self.max_detail_checkpoints:
                break
            victims.append(job_id)
            excess -= 1
            checkpoints -= n
        for job_id in victims:
            del self._details[job_id]
            view = self._views[job_id]
            self._views[job_id] = attrs.evolve(view, job=to_list_item(view.job), detail_final=False)

    # ------------------------------------------------------------------ writing

    def apply_page(self, page: JobsPage, *, at: float | None = None) -> list[Change]:
        """Merge every job of a list page; returns the changes."""
        changes: list[Change] = []
        for job in page.data:
            changes.extend(self.apply(job, at=at))
        return changes

    def apply(self, job: Job, *, at: float | None = None) -> list[Change]:
        """Merge a list item or a detail into the store; returns what changed.

        A new job gives ``JobAdded``; a known one ``JobChanged`` naming the fields that differ.
        A detail adds ``CheckpointsAdded``/``EventsAdded`` with only the ones not reported before,
        and ``DetailFetched`` when the job held no detail body (or a final one arrives), even if it
        brought nothing new: a view showing "being fetched" must learn that it was.
        """
        now = self.clock.monotonic() if at is None else at
        old = self._views.get(job.id)
        details = self._capped(job) if is_detail(job) else None
        if details is not None:
            merged: Job = details
        elif old is not None and old.has_detail:
            merged = self._merge_list_into_detail(old.job, job)
        else:
            merged = job

        changes: list[Change] = []
        if old is None:
            changes.append(JobAdded(merged))
        else:
            fields = _changed_fields(old.job, merged)
            if fields:
                changes.append(JobChanged(merged, fields))

        if details is not None:
            changes.extend(self._new_history(details))
            if old is None or not old.has_detail or old.detail_final != merged.is_terminal:
                changes.append(DetailFetched(job.id, final=merged.is_terminal))

        base = old or JobView(job=merged, search_text=_search_text(merged))
        updates: dict[str, Any] = {"job": merged}
        if old is not None and _search_fields(old.job) != _search_fields(merged):
            updates["search_text"] = _search_text(merged)
        if details is not None:
            # Only a detail clears a detail failure (a list item says nothing about it).
            updates.update(failures=0, last_error=None, last_error_kind=None, error_at=None)
            updates["detail_fetched_at"] = now
            updates["detail_final"] = merged.is_terminal
            updates["summary"] = JobSummary.of(details)
        else:
            updates["listed_at"] = now
            if old is not None and old.has_detail and merged.status != old.job.status:
                # The detail no longer matches the job's status; a final one is due if it ended.
                updates["detail_final"] = False
        if not merged.is_terminal:
            updates["watched_live"] = True
        view = attrs.evolve(base, **updates)
        self._views[job.id] = view

        if merged.is_terminal:
            self._active.discard(job.id)
        else:
            self._active.add(job.id)
        if details is not None:
            self._details[job.id] = len(details.checkpoints)
            self._details.move_to_end(job.id)
            self._evict()
        return changes

    def remove(self, job_id: str) -> list[Change]:
        """Forget a job the API no longer knows (404); returns ``[JobGone]`` if it was known."""
        if self._views.pop(job_id, None) is None:
            return []
        self._marks.pop(job_id, None)
        self._details.pop(job_id, None)
        self._active.discard(job_id)
        if self._selected == job_id:
            self._selected = None
        return [JobGone(job_id)]

    def record_error(self, job_id: str, error: FinetopError, *, at: float | None = None) -> None:
        """Note a failed fetch of one job (shown as "failing" until the next success)."""
        view = self._views.get(job_id)
        if view is None:
            return
        self._views[job_id] = attrs.evolve(
            view,
            last_error=str(error),
            last_error_kind=error.kind,
            error_at=self.clock.monotonic() if at is None else at,
            failures=view.failures + 1,
        )

    # ------------------------------------------------------------------ helpers

    def _capped(self, details: JobDetails) -> JobDetails:
        updates: dict[str, Any] = {}
        if len(details.checkpoints) > self.max_checkpoints:
            updates["checkpoints"] = details.checkpoints_by_step[-self.max_checkpoints :]
        if len(details.events) > self.max_events:
            updates["events"] = details.events_by_time[-self.max_events :]
        return attrs.evolve(details, **updates) if updates else details

    @staticmethod
    def _merge_list_into_detail(detail: Job, item: Job) -> Job:
        if _list_class(detail) is not type(item):
            return item  # the job changed type: nothing of the old detail applies
        values = {name: getattr(item, name) for name in list_fields(item)}
        keys = detail.wire_keys
        if item.wire_keys is not None and keys is not None:
            keys = item.wire_keys | (keys & DETAIL_ONLY_FIELDS)
        return attrs.evolve(detail, **values, wire_keys=keys)

    def _new_history(self, details: JobDetails) -> list[Change]:
        marks = self._marks.setdefault(details.id, _Marks())
        changes: list[Change] = []
        mark = marks.checkpoint
        new_checkpoints: list[Checkpoint] = [
            c
            for c in details.checkpoints_by_step
            if mark is None or (c.step_number, c.created_at) > mark
        ]
        if new_checkpoints:
            last = new_checkpoints[-1]
            marks.checkpoint = max(mark or (-1, -1), (last.step_number, last.created_at))
            changes.append(CheckpointsAdded(details.id, tuple(new_checkpoints)))

        new_events: list[Event] = []
        for event in details.events_by_time:
            t = marks.event_time
            if (
                t is None
                or event.created_at > t
                or (event.created_at == t and _event_key(event) not in marks.event_keys)
            ):
                new_events.append(event)
        if new_events:
            latest = max(e.created_at for e in new_events)
            if marks.event_time is None or latest > marks.event_time:
                marks.event_time = latest
                marks.event_keys = frozenset()
            marks.event_keys = marks.event_keys | {
                _event_key(e) for e in new_events if e.created_at == marks.event_time
            }
            changes.append(EventsAdded(details.id, tuple(new_events)))
        return changes


def _changed_fields(old: Job, new: Job) -> frozenset[str]:
    """Names of the list fields whose values differ (detail-only fields are reported apart)."""
    names = list_fields(new)
    changed = {name for name in names if getattr(old, name, None) != getattr(new, name)}
    if type(old) is not type(new) and _list_class(old) is not _list_class(new):
        changed.add("job_type")
    if is_detail(old) and is_detail(new):
        old_targets = getattr(old, "classifier_targets", ())
        new_targets = getattr(new, "classifier_targets", ())
        if old_targets != new_targets:
            changed.add("classifier_targets")
    return frozenset(changed)
