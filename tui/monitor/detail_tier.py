"""The detail tier: which jobs' details to fetch in a cycle, and fetching them.

Training jobs every ``detail_interval``, other unfinished ones every
``pending_detail_interval``, parked ones (VALIDATED) only while selected; a finished job once,
when it finishes (for its final checkpoints) or when it is selected. See
:func:`tui.monitor.schedule.detail_due_at` for the arithmetic. A finished job whose final detail
the archive keeps is read from there, never fetched again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import attrs

from tui.api.errors import NotFoundError, PayloadError
from tui.monitor.budget import Recurring
from tui.monitor.changes import JobError
from tui.monitor.gate import PollAborted
from tui.monitor.schedule import detail_due_at
from tui.monitor.tier import Tier

__all__ = ["DetailTier"]


@attrs.define(eq=False)
class DetailTier(Tier):
    """Schedules and fetches job details; owns the selection and the per-job retry memory."""

    selected: str | None = attrs.field(default=None, init=False)
    """The job the user looks at."""
    _forced: bool = attrs.field(default=False, init=False)
    """``refresh_now()`` asked for every unfinished job in the next cycle."""
    _wanted: set[str] = attrs.field(factory=set, init=False)
    """Finished jobs whose (final) detail is still to fetch."""
    _requested: set[str] = attrs.field(factory=set, init=False)
    """Jobs the user looks at besides the selection (compared runs) whose body is not held."""
    _tried_at: dict[str, float] = attrs.field(factory=dict, init=False)
    """When a job's detail fetch last failed on its own (payload error), to space retries."""

    def select(self, job_id: str | None) -> bool:
        """The user looks at ``job_id``: pin its detail; returns whether to fetch it now."""
        self.selected = job_id
        self.store.select(job_id)
        if job_id is None or not self.store.needs_detail(job_id):
            return False
        self._wanted.add(job_id)
        self._tried_at.pop(job_id, None)
        return True

    def request(self, job_ids: Iterable[str]) -> bool:
        """The user looks at these jobs too (runs compared): fetch each body not held, once.

        Replaces the previous request (what is looked at now is what counts), so the set stays
        as small as what one view shows. Returns whether any fetch became due.
        """
        wanted = set()
        for job_id in job_ids:
            view = self.store.get(job_id)
            if view is not None and not view.has_detail:
                wanted.add(job_id)
            self.store.touch(job_id)
        added = bool(wanted - self._requested)
        self._requested = wanted
        return added

    def want(self, job_id: str) -> None:
        """Fetch this finished job's detail once (it was seen live: its final checkpoints)."""
        self._wanted.add(job_id)

    def force(self) -> None:
        """Fetch every unfinished job in the next cycle, whatever its schedule."""
        self._forced = True

    def forget(self, job_id: str) -> None:
        """The job is gone: drop it from the store, the archive and this tier's memory."""
        self._wanted.discard(job_id)
        self._requested.discard(job_id)
        self._tried_at.pop(job_id, None)
        self.archive.forgot([job_id])
        self.emit(self.store.remove(job_id))

    def due_times(self, now: float) -> list[float | None]:
        """When each candidate job is next due (``None``: not scheduled)."""
        return [self._due_at(job_id, now) for job_id in self._candidates()]

    async def poll(self, start: float) -> None:
        """Fetch every detail due at ``start``."""
        due = [
            job_id
            for job_id in self._candidates()
            if (at := self._due_at(job_id, start)) is not None and at <= start
        ]
        self._forced = False
        await asyncio.gather(*(self._poll_one(job_id) for job_id in due))

    def _candidates(self) -> list[str]:
        ids = set(self.store.active_ids()) | self._wanted | self._requested
        if self.selected is not None and self.selected in self.store:
            ids.add(self.selected)
        return sorted(ids)

    def _due_at(self, job_id: str, now: float) -> float | None:
        view = self.store.get(job_id)
        if view is None:
            return None
        if job_id in self._requested and view.has_detail:
            self._requested.discard(job_id)  # fetched (or brought by a poll) meanwhile
        requested = job_id in self._requested
        wanted = job_id in self._wanted
        if wanted and view.job.is_terminal and not self.store.needs_detail(job_id):
            # Fetched meanwhile, or selected and then left before its turn: skip it.
            self._wanted.discard(job_id)
            wanted = False
            if not requested:
                return None
        wanted = wanted or requested
        return detail_due_at(
            self.pace,
            view,
            now,
            tried_at=self._tried_at.get(job_id),
            wanted=wanted,
            selected=job_id == self.selected,
            forced=self._forced,
        )

    def schedule(self, now: float) -> list[Recurring]:
        """The detail requests this tier will make, for the budget's projection: each
        scheduled job at its due time, then every interval while it is unfinished."""
        schedule: list[Recurring] = []
        for job_id in self._candidates():
            due = self._due_at(job_id, now)
            view = self.store.get(job_id)
            if due is None or view is None:
                continue
            if view.job.is_terminal:
                if not self.archive.has_final(job_id):
                    schedule.append(Recurring(due))
                continue
            interval = self.pace.detail_interval_for(view.job.status)
            if interval is None:  # parked, polled while selected
                interval = self.pace.settings.pending_detail_interval
            schedule.append(Recurring(due, self.pace.effective(interval)))
        return schedule

    async def _load_stored(self, job_id: str) -> bool:
        """Apply the archive's final detail of a finished job instead of fetching it; returns
        whether it did (the archive has none, or one that no longer matches the status)."""
        view = self.store.get(job_id)
        if view is None or not view.job.is_terminal or not self.archive.has_final(job_id):
            return False
        stored = await self.archive.final_detail(job_id)
        view = self.store.get(job_id)  # the store may have moved on while the archive read
        if stored is None or view is None or stored.status != view.job.status:
            return False
        self._wanted.discard(job_id)
        self._tried_at.pop(job_id, None)
        self.emit(self.store.apply(stored, at=self.clock.monotonic(), stored=True))
        return True

    async def _poll_one(self, job_id: str) -> None:
        if await self._load_stored(job_id):
            return
        await self.fetch(job_id)

    async def fetch(self, job_id: str) -> None:
        """Fetch one job's detail from the API, apply it and hand it to the archive; a 404
        forgets the job, a payload error is reported and retried later. Raises nothing."""
        try:
            details = await self.gate.send(
                lambda source: source.get_job(job_id), own_errors=(NotFoundError, PayloadError)
            )
        except PollAborted:
            return
        except NotFoundError:
            # The server answered: the link works, the job is gone.
            self.gate.answered()
            self.forget(job_id)
            return
        except PayloadError as error:
            # Only this job's payload is bad: report it, keep polling the others.
            self._tried_at[job_id] = self.clock.monotonic()
            self.store.record_error(job_id, error, at=self._tried_at[job_id])
            self.emit([JobError(job_id, error.kind, f"job {job_id}: {error}")])
            return
        self._tried_at.pop(job_id, None)
        if details.is_terminal:
            self._wanted.discard(job_id)
        self.archive.fetched(details)
        self.emit(self.store.apply(details, at=self.clock.monotonic()))
