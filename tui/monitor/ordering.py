"""The store's jobs kept in one sort order, moved job by job instead of resorted.

A filter keystroke or a poll that changed a few jobs must not sort thousands of jobs again.
:class:`SortedJobs` holds the jobs of one :class:`~tui.monitor.query.SortSpec` as parallel lists
(keys, ids, views) ordered by a key that is unique per job; a changed job leaves its place and
is inserted at its new one with two binary searches. :func:`sort_key` builds those keys with
the rules of :meth:`tui.monitor.store.JobStore.query`: missing values last in both directions,
ties newest first.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Iterable
from contextlib import suppress
from itertools import compress
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import attrs

from tui.monitor.query import JobFilter, SortColumn, SortSpec

if TYPE_CHECKING:
    from tui.monitor.store import JobView

__all__ = ["STATUS_RANK", "JobRows", "SortedJobs", "filter_rows", "sort_key"]

STATUS_RANK: dict[str, int] = {
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
"""The order of statuses when sorting by status: what moves first, what ended last."""
UNKNOWN_STATUS_RANK = 9

SortKey = tuple[Any, ...]


@attrs.frozen
class JobRows:
    """Jobs in display order: their ids and views, index for index."""

    ids: list[str]
    """Job ids in display order."""
    views: list[JobView]
    """The view of each job, in the same order."""
    lookup: Callable[[str], JobView | None]
    """The current view of any job by id, listed here or not (the store's ``get``)."""

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, views: Iterable[JobView]) -> JobRows:
        """Rows from views already in display order."""
        listed = list(views)
        by_id = {view.job.id: view for view in listed}
        return cls(list(by_id), listed, by_id.get)


def _descending_text(text: str) -> tuple[int, ...]:
    """A key under which strings sort in reverse (``"b"`` before ``"ab"`` before ``"a"``):
    each character negated, then a terminator above every negated character, so that a
    string sorts before its own prefixes."""
    return (*(-ord(char) for char in text), 0)


def _column_value(view: JobView, column: SortColumn, now_wall: float) -> Any:
    """The value a column sorts by, or ``None`` when the job has none."""
    job = view.job
    value: Any
    if column is SortColumn.STATUS:
        value = STATUS_RANK.get(job.status, UNKNOWN_STATUS_RANK)
    elif column is SortColumn.MODEL:
        value = job.model.lower()
    elif column is SortColumn.TYPE:
        value = job.kind.value
    elif column is SortColumn.NAME:
        value = view.name.lower() or None
    elif column is SortColumn.PROGRESS:
        value = view.fraction
    elif column is SortColumn.TRAIN_LOSS:
        value = view.summary.train_loss
    elif column is SortColumn.VALID_LOSS:
        value = view.summary.valid_loss
    else:
        # The projected end time orders ETAs like the ETAs themselves, but does not change
        # while time passes: a job's key stays valid until the job itself changes.
        eta = view.eta(now_wall)
        value = None if eta is None else now_wall + eta
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN has no place in an order
    return value


def sort_key(view: JobView, spec: SortSpec, now_wall: float) -> SortKey:
    """The job's key in ``spec``'s order, unique per job (it ends with the id).

    Newest first, then id, breaks every tie; jobs without a value for the column come last in
    either direction.
    """
    job = view.job
    if spec.column is SortColumn.CREATED:
        if spec.descending:
            return (-job.created_at, job.id)
        return (job.created_at, _descending_text(job.id))
    value = _column_value(view, spec.column, now_wall)
    if value is None:
        return (1, -job.created_at, job.id)
    if spec.descending:
        value = _descending_text(value) if isinstance(value, str) else -value
    return (0, value, -job.created_at, job.id)


class SortedJobs:
    """Jobs in one sort order, kept in place as jobs change (see the module docstring)."""

    def __init__(self, spec: SortSpec, views: Iterable[JobView], now_wall: float) -> None:
        self.spec = spec
        """The order kept."""
        entries = sorted(((sort_key(view, spec, now_wall), view) for view in views), key=_first)
        self._keys: list[SortKey] = [key for key, _ in entries]
        self._views: list[JobView] = [view for _, view in entries]
        self._ids: list[str] = [view.job.id for view in self._views]
        self._key_of: dict[str, SortKey] = {
            job_id: key for job_id, key in zip(self._ids, self._keys, strict=True)
        }

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[str]:
        """Job ids in order (the list itself: callers copy what they keep)."""
        return self._ids

    @property
    def views(self) -> list[JobView]:
        """Views in order (the list itself: callers copy what they keep)."""
        return self._views

    def update(self, job_id: str, view: JobView | None, now_wall: float) -> None:
        """Move one job to its place for ``view`` (``None``: the job is gone)."""
        old = self._key_of.pop(job_id, None)
        new = None if view is None else sort_key(view, self.spec, now_wall)
        if old is not None:
            at = bisect_left(self._keys, old)
            if new == old and view is not None:
                self._views[at] = view  # same place, newer view
                self._key_of[job_id] = old
                return
            del self._keys[at], self._views[at], self._ids[at]
        if new is None or view is None:
            return
        at = bisect_left(self._keys, new)
        self._keys.insert(at, new)
        self._views.insert(at, view)
        self._ids.insert(at, job_id)
        self._key_of[job_id] = new


_first: Callable[[tuple[SortKey, JobView]], SortKey] = itemgetter(0)


def filter_rows(
    ids: list[str],
    views: list[JobView],
    flt: JobFilter,
    lookup: Callable[[str], JobView | None],
    keep: str | None = None,
) -> JobRows:
    """The rows (in their order) that pass ``flt``, and ``keep`` whether it passes or not: one
    pass over precomputed search text."""
    if flt.is_empty:
        return JobRows(list(ids), list(views), lookup)
    terms, inverted = flt.terms, flt.inverted  # computed once, not per job
    mask: list[bool]
    if not flt.groups and flt.job_kind is None and len(terms) == 1:
        term = terms[0]  # the common case, typing one word: no generator per job
        mask = [(term in view.search_text) != inverted for view in views]
    else:
        mask = list(map(flt.predicate(), views))
    if keep is not None and lookup(keep) is not None:
        with suppress(ValueError):  # a job the order does not hold yet
            mask[ids.index(keep)] = True
    return JobRows(list(compress(ids, mask)), list(compress(views, mask)), lookup)
