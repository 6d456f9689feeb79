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
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from tui.api.clock import Clock, SystemClock
from tui.api.models import (
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
from tui.errors import FinetopError
from tui.monitor.changes import (
    Change,
    CheckpointsAdded,
    DetailFetched,
    EventsAdded,
    JobAdded,
    JobChanged,
    JobGone,
)
from tui.monitor.job_view import (
    Freshness,
    JobSummary,
    JobView,
    job_of,
    search_fields,
    search_text,
)
from tui.monitor.ordering import JobRows, SortedJobs, filter_rows
from tui.monitor.query import JobFilter, SortColumn, SortSpec

__all__ = [
    "DETAIL_ONLY_FIELDS",
    "Freshness",
    "JobFilter",
    "JobRows",
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


class JobStore:
    """Jobs by id, merged and bounded. Not thread-safe: use it from one event loop.

    ``apply``/``apply_page``/``remove`` return the changes they caused, so the poller can pass
    them on; everything else only reads.
    """

    RESORT_AFTER = 64
    """Changed jobs beyond which (and beyond an eighth of all jobs) a query sorts everything
    again rather than moving each changed job (a first listing, a full refresh)."""

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
        self._order: SortedJobs | None = None
        """The jobs in the order last queried, kept up to date through ``_pending``."""
        self._pending: set[str] = set()
        """Jobs written since ``_order`` was last brought up to date."""
        self._all_pinned = False
        """The last eviction left only pinned bodies, and none was unpinned since."""
        self._group_counts: dict[StatusGroup, int] = dict.fromkeys(StatusGroup, 0)
        """How many jobs are in each status group, kept as jobs are written."""
        self.cached_since: float | None = None
        """While the jobs seeded from the local history await their first complete listing:
        the wall time they were last seen (the newest); ``None`` otherwise."""

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
        return dict(self._group_counts)

    def query(
        self,
        filter: JobFilter | None = None,
        sort: SortSpec | None = None,
        *,
        now_wall: float | None = None,
    ) -> list[JobView]:
        """Jobs passing ``filter``, ordered by ``sort`` (default: newest first).

        Missing values (no loss yet, no ETA) always come last; ties keep newest first.
        """
        return self.query_rows(filter, sort, now_wall=now_wall).views

    def query_rows(
        self,
        filter: JobFilter | None = None,
        sort: SortSpec | None = None,
        *,
        now_wall: float | None = None,
        keep: str | None = None,
    ) -> JobRows:
        """Like :meth:`query`, as ids and views (what the job list keeps); ``keep`` stays in
        the rows even when it no longer passes the filter (the job the user is watching).

        Cheap enough for every keystroke: the order of the last sort asked for is kept and
        moved job by job as jobs change (:class:`~tui.monitor.ordering.SortedJobs`); a query
        is one pass over precomputed search text.
        """
        order = self._sorted(
            sort or SortSpec(), self.clock.time() if now_wall is None else now_wall
        )
        return filter_rows(
            order.ids, order.views, filter or JobFilter(), self._views.get, keep=keep
        )

    def _sorted(self, spec: SortSpec, now_wall: float) -> SortedJobs:
        """The kept order for ``spec``, brought up to date (rebuilt when much has changed)."""
        order, pending = self._order, self._pending
        rebuild = (
            order is None
            or order.spec != spec
            or len(pending) > max(self.RESORT_AFTER, len(self._views) // 8)
        )
        if rebuild or order is None:
            order = self._order = SortedJobs(spec, self._views.values(), now_wall)
        else:
            for job_id in pending:
                order.update(job_id, self._views.get(job_id), now_wall)
        pending.clear()
        return order

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
            self._all_pinned = False  # the previous selection's body may go now
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
        if self._all_pinned:
            return  # over a bound with pinned bodies only, and none unpinned since
        unpinned = [(job_id, n) for job_id, n in self._details.items() if not self._pinned(job_id)]
        checkpoints = sum(n for _, n in unpinned)
        victims: list[str] = []
        for job_id, n in unpinned:  # least recently used first
            if excess <= 0 and checkpoints <= self.max_detail_checkpoints:
                break
            victims.append(job_id)
            excess -= 1
            checkpoints -= n
        # Still over a bound: every body left is pinned. Hundreds of moving jobs each bring
        # their detail; none of them is worth another pass until something is unpinned.
        self._all_pinned = excess > 0 or checkpoints > self.max_detail_checkpoints
        for job_id in victims:
            del self._details[job_id]
            view = self._views[job_id]
            self._put(attrs.evolve(view, job=to_list_item(view.job), detail_final=False))

    # ------------------------------------------------------------------ writing

    def seed(
        self,
        jobs: Iterable[Job],
        summaries: Mapping[str, JobSummary],
        *,
        seen_at: float | None,
    ) -> list[Change]:
        """Show jobs known from the local history before the API is asked.

        Each job not known yet is added as ``cached`` (until a listing carries it), with its
        stored summary; ``seen_at`` (wall time) is when the history last saw any of them.
        Returns a ``JobAdded`` per job added.
        """
        changes: list[Change] = []
        for job in jobs:
            if job.id in self._views:
                continue
            self._put(
                JobView(
                    job=job,
                    search_text=search_text(job),
                    summary=summaries.get(job.id, JobSummary()),
                    cached=True,
                    # A job stored while it ran was seen live: its final detail is worth having.
                    watched_live=not job.is_terminal,
                )
            )
            if not job.is_terminal:
                self._active.add(job.id)
            changes.append(JobAdded(job))
        if changes:
            self.cached_since = seen_at
        return changes

    def listing_complete(self) -> None:
        """A listing of every page ended: the seeded jobs are no longer waiting for one."""
        self.cached_since = None

    def apply_page(self, page: JobsPage, *, at: float | None = None) -> list[Change]:
        """Merge every job of a list page; returns the changes."""
        changes: list[Change] = []
        for job in page.data:
            changes.extend(self.apply(job, at=at))
        return changes

    def apply(self, job: Job, *, at: float | None = None, stored: bool = False) -> list[Change]:
        """Merge a list item or a detail into the store; returns what changed.

        A new job gives ``JobAdded``; a known one ``JobChanged`` naming the fields that differ.
        A detail adds ``CheckpointsAdded``/``EventsAdded`` with only the ones not reported before,
        and ``DetailFetched`` when the job held no detail body (or a final one arrives), even if it
        brought nothing new: a view showing "being fetched" must learn that it was.
        ``stored``: the job comes from the local history, not the API (a seeded job stays
        ``cached``).
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

        base = old or JobView(job=merged, search_text=search_text(merged))
        updates: dict[str, Any] = {"job": merged}
        if old is not None and search_fields(old.job) != search_fields(merged):
            updates["search_text"] = search_text(merged)
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
        if not stored:
            updates["cached"] = False
        self._put(attrs.evolve(base, **updates))

        if merged.is_terminal:
            self._active.discard(job.id)
        else:
            self._active.add(job.id)
        if not self._pinned(job.id):
            self._all_pinned = False  # its body (if any) may be evicted
        if details is not None:
            self._details[job.id] = len(details.checkpoints)
            self._details.move_to_end(job.id)
            self._evict()
        return changes

    def remove(self, job_id: str) -> list[Change]:
        """Forget a job the API no longer knows (404); returns ``[JobGone]`` if it was known."""
        view = self._views.pop(job_id, None)
        if view is None:
            return []
        self._group_counts[view.job.status_group] -= 1
        self._pending.add(job_id)
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
        self._put(
            attrs.evolve(
                view,
                last_error=str(error),
                last_error_kind=error.kind,
                error_at=self.clock.monotonic() if at is None else at,
                failures=view.failures + 1,
            )
        )

    # ------------------------------------------------------------------ helpers

    def _put(self, view: JobView) -> None:
        """Store a job's view (every write goes through here: counts and order follow)."""
        job_id = view.job.id
        old = self._views.get(job_id)
        if old is not None:
            self._group_counts[old.job.status_group] -= 1
        self._group_counts[view.job.status_group] += 1
        self._views[job_id] = view
        self._pending.add(job_id)

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
