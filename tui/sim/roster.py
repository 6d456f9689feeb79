"""The workspace's jobs in creation order, the seeded past ones drawn only when first read.

Kept sorted as jobs come (nearly always at the new end), so a page of the newest-first list
costs the page, not the workspace: 50,000 jobs list as fast as 50.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator

from tui.api.models import JobStatus
from tui.sim.lifecycle import SimJob
from tui.sim.past import PastJob

__all__ = ["Roster"]


def is_idle(job: SimJob) -> bool:
    """Whether nothing will happen to the job unless someone acts: finished, or parked."""
    return not job.pending and (job.is_terminal or job.status == JobStatus.VALIDATED)


class Roster:
    """Jobs by id, in ``(created_at, id)`` order; past jobs realized on first read."""

    def __init__(self, realize: Callable[[PastJob], SimJob]) -> None:
        self._realize = realize
        """Draws a past job in full (and registers what it owns, such as its files)."""
        self._order: list[tuple[float, str]] = []
        """``(created_at, id)`` of every job, oldest first."""
        self._jobs: dict[str, SimJob] = {}
        """Jobs drawn in full."""
        self._past: dict[str, PastJob] = {}
        """Past jobs not read yet."""

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._jobs or job_id in self._past

    # ------------------------------------------------------------------ changes

    def add_past(self, jobs: list[PastJob]) -> None:
        """Add past jobs (cheaply: they are drawn when first read)."""
        self._past.update((past.id, past) for past in jobs)
        self._order += [(past.created_at, past.id) for past in jobs]
        self._order.sort()  # Timsort: linear when they come in order, as seeded ones do

    def add(self, job: SimJob) -> None:
        """Add a job drawn in full."""
        self._jobs[job.id] = job
        self._insert(job.created_at, job.id)

    def _insert(self, created_at: float, job_id: str) -> None:
        key = (created_at, job_id)
        if not self._order or key > self._order[-1]:
            self._order.append(key)  # the usual case: the newest job
        else:
            bisect.insort(self._order, key)

    def remove(self, job_id: str) -> SimJob | None:
        """Drop a job; returns it if it had been drawn in full (its files may need dropping)."""
        past = self._past.pop(job_id, None)
        job = self._jobs.pop(job_id, None)
        created_at = past.created_at if past is not None else job.created_at if job else None
        if created_at is None:
            return None
        index = bisect.bisect_left(self._order, (created_at, job_id))
        del self._order[index]
        return job

    # ------------------------------------------------------------------ reads

    def get(self, job_id: str) -> SimJob | None:
        """The job, drawn in full if it was not yet; ``None`` if there is none."""
        job = self._jobs.get(job_id)
        if job is not None:
            return job
        past = self._past.pop(job_id, None)
        if past is None:
            return None
        job = self._realize(past)
        self._jobs[job_id] = job
        return job

    def _job(self, job_id: str) -> SimJob:
        job = self.get(job_id)
        assert job is not None, job_id  # every id in the order is a job
        return job

    def ids_newest_first(self) -> list[str]:
        """Every id, newest first (nothing is drawn)."""
        return [job_id for _, job_id in reversed(self._order)]

    def newest_first(self, start: int = 0, stop: int | None = None) -> list[SimJob]:
        """Jobs ``start:stop`` of the newest-first order (only those are drawn)."""
        size = len(self._order)
        stop = size if stop is None else min(stop, size)
        if start >= stop:
            return []
        chunk = self._order[size - stop : size - start]
        return [self._job(job_id) for _, job_id in reversed(chunk)]

    def each_newest_first(self) -> Iterator[SimJob]:
        """Every job, newest first (drawing each)."""
        for job_id in self.ids_newest_first():
            yield self._job(job_id)

    def status_counts(self) -> dict[str, int]:
        """How many jobs are in each status (past ones counted without drawing them)."""
        out: dict[str, int] = {}
        for past in self._past.values():
            out[past.status] = out.get(past.status, 0) + 1
        for job in self._jobs.values():
            out[job.status] = out.get(job.status, 0) + 1
        return out

    def oldest_idle(self, count: int) -> list[str]:
        """Ids of up to ``count`` idle jobs (finished or parked), oldest first."""
        found: list[str] = []
        for _, job_id in self._order:
            if len(found) >= count:
                break
            # A past job is always idle: it ended, or waits for a /start that only a read allows.
            job = self._jobs.get(job_id)
            if job is None or is_idle(job):
                found.append(job_id)
        return found
