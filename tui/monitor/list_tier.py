"""The list tier: the newest page, the rolling sweep, the full list, and forgetting jobs that
listings no longer return.

The newest page (``newest_page_size`` jobs) every ``list_interval`` brings new jobs and status
changes of recent ones. Every page is fetched at once at start and on ``refresh_now()``; after
that, every ``full_list_interval`` the full list is a rolling sweep, a few pages per list tick,
so that no minute carries a burst of pages (rate limits are per minute).

A listing of every page reads at most ``max_list_pages`` pages, whatever ``total`` the server
claims, and never more than ``max_in_flight`` at a time: a few workers take page numbers in
turn, so a claimed 10^12 jobs starts neither 10^10 requests nor 10^10 waiting tasks. A listing
cut short keeps what it read and leaves the claimed total in ``truncated_total``.
"""

from __future__ import annotations

import asyncio
import math

import attrs

from tui.api.models import JobsPage
from tui.monitor.budget import Recurring
from tui.monitor.changes import JobAdded, JobChanged
from tui.monitor.detail_tier import DetailTier
from tui.monitor.gate import PollAborted
from tui.monitor.schedule import list_due_at, page_count, spread_pages
from tui.monitor.tier import Tier

__all__ = ["ListTier"]


@attrs.define(eq=False)
class ListTier(Tier):
    """Fetches the job list on schedule and applies it to the store."""

    details: DetailTier = attrs.field(kw_only=True)
    """Told which finished jobs to fetch once, and which jobs are gone."""
    _last_list_at: float | None = attrs.field(default=None, init=False)
    """When the last list tick (newest page or full list) fetched its pages."""
    _last_full_at: float | None = attrs.field(default=None, init=False)
    """When the last complete listing ended (``None``: none yet, so one is owed)."""
    _full_requested: bool = attrs.field(default=False, init=False)
    """``refresh_now()`` asked for every page at once."""
    _sweep_next: int | None = attrs.field(default=None, init=False)
    """Next page of a rolling full-list sweep in progress (``None``: no sweep running)."""
    _sweep_total: int = attrs.field(default=0, init=False)
    """The list's total as last seen (sizes the sweep)."""
    _sweep_credit: float = attrs.field(default=0.0, init=False)
    """Pages the sweep may fetch, accumulated per list tick."""
    _sweep_seen: set[str] = attrs.field(factory=set, init=False)
    """Ids the rolling sweep under way has listed so far."""
    _unlisted: dict[str, int] = attrs.field(factory=dict, init=False)
    """Jobs missing from the last complete listings, and how many in a row."""
    truncated_total: int | None = attrs.field(default=None, init=False)
    """The total the server claimed when the last listing of every page stopped at the page
    budget; ``None`` when it was complete."""

    def request_full(self) -> None:
        """Fetch every page in the next cycle."""
        self._full_requested = True

    def request_newest(self) -> None:
        """Fetch the newest page in the next cycle."""
        self._last_list_at = None

    @property
    def _full_pending(self) -> bool:
        """A listing of every page is owed: the first one, or one asked for."""
        return self._full_requested or self._last_full_at is None

    def due_at(self, now: float) -> float:
        """When the next list tick is due."""
        return list_due_at(
            self.pace, now, last_list_at=self._last_list_at, full_pending=self._full_pending
        )

    async def poll(self, start: float) -> None:
        """The list work due at ``start``: every page when owed, else the newest page and the
        next pages of a sweep. Raises :class:`PollAborted` when the cycle fails."""
        if self._full_pending:
            await self._poll_full_list()
            return
        if start < self.due_at(start):
            return
        if self._sweep_next is None and self._sweep_due(start):
            self._sweep_next = 0
            self._sweep_credit = 0.0
        await self._poll_newest_page()
        if self._sweep_next is not None:
            await self._poll_sweep_pages()

    def _sweep_due(self, now: float) -> bool:
        full_every = self.pace.effective(self.pace.settings.full_list_interval)
        return self._last_full_at is not None and now >= self._last_full_at + full_every

    async def _list_page(self, page: int, page_size: int) -> JobsPage:
        return await self.gate.send(lambda source: source.list_jobs(page=page, page_size=page_size))

    async def _fetch_pages(self, numbers: range, page_size: int) -> list[JobsPage]:
        """Fetch pages, ``max_in_flight`` at a time, and apply each that came back, in page
        order. A failed one leaves its error with the gate: callers apply what arrived, then
        ``check()``."""
        pending = iter(numbers)
        fetched: dict[int, JobsPage] = {}

        async def worker() -> None:
            # Workers share one iterator: each takes the next page number when it is free.
            for number in pending:
                try:
                    fetched[number] = await self._list_page(number, page_size)
                except PollAborted:
                    return

        workers = min(len(numbers), self.pace.settings.max_in_flight)
        await asyncio.gather(*(worker() for _ in range(workers)))
        pages = [fetched[number] for number in sorted(fetched)]
        for page in pages:
            self._apply(page, self.clock.monotonic())
        return pages

    def _budgeted_pages_of(self, total: int, page_size: int) -> int:
        """Pages a listing of ``total`` jobs reads: all of them, up to ``max_list_pages``."""
        return min(page_count(total, page_size), self.pace.settings.max_list_pages)

    def _budgeted_pages(self, total: int, page_size: int) -> int:
        """:meth:`_budgeted_pages_of`, noting the claimed total when the budget cuts the
        listing short."""
        pages = self._budgeted_pages_of(total, page_size)
        self.truncated_total = total if page_count(total, page_size) > pages else None
        return pages

    @property
    def listed_once(self) -> bool:
        """Whether a listing of every page has ended in this run."""
        return self._last_full_at is not None

    def schedule(self, now: float) -> list[Recurring]:
        """The list requests to come, for the budget's projection: the newest page every list
        interval, with the most pages a rolling sweep may add to a tick."""
        settings = self.pace.settings
        per_tick = 1
        if self._sweep_total > settings.newest_page_size:
            ticks = max(1, int(settings.full_list_interval // settings.list_interval))
            pages = self._budgeted_pages_of(self._sweep_total, settings.page_size)
            per_tick += math.ceil(pages / ticks)
        every = self.pace.effective(settings.list_interval)
        return [Recurring(self.due_at(now), every, per_tick)]

    def _completed(self, now: float, listed: set[str]) -> None:
        """A listing of every page ended at ``now``, listing ``listed``."""
        self._last_full_at = now
        self.store.listing_complete()
        if self.truncated_total is None:
            # A listing cut short by the page budget cannot tell a deleted job from one beyond
            # its pages: it forgets nothing.
            self._forget_unlisted(listed)

    def _apply(self, page: JobsPage, at: float) -> None:
        changes = self.store.apply_page(page, at=at)
        self.archive.listed(
            page.data,
            {c.job.id for c in changes if isinstance(c, JobAdded | JobChanged)},
        )
        for change in changes:
            # A job seen live that just finished: fetch its final checkpoints once.
            if (
                isinstance(change, JobChanged)
                and change.job.is_terminal
                and "status" in change.fields
            ):
                view = self.store.get(change.job.id)
                if view is not None and view.watched_live:
                    self.details.want(change.job.id)
        self.emit(changes)

    async def _poll_newest_page(self) -> None:
        size = self.pace.settings.newest_page_size
        page = await self._list_page(0, size)
        now = self.clock.monotonic()
        self._apply(page, now)
        self._last_list_at = now
        self._sweep_total = page.total
        if page.total <= size:
            self.truncated_total = None
            self._sweep_next = None
            # That page was the whole workspace: it counts as a full listing too.
            self._full_requested = False
            self._completed(now, {job.id for job in page.data})

    async def _poll_sweep_pages(self) -> None:
        settings = self.pace.settings
        size = settings.page_size
        pages = self._budgeted_pages(self._sweep_total, size)
        ticks = max(1, int(settings.full_list_interval // settings.list_interval))
        per_tick, self._sweep_credit = spread_pages(self._sweep_credit, pages, ticks)
        first = self._sweep_next or 0
        if first == 0:
            self._sweep_seen = set()
        numbers = range(first, min(pages, first + per_tick))
        for page in await self._fetch_pages(numbers, size):
            self._sweep_total = page.total
            self._sweep_seen.update(job.id for job in page.data)
        self.gate.check()
        self._sweep_next = first + len(numbers)
        if self._sweep_next >= self._budgeted_pages(self._sweep_total, size):
            self._sweep_next = None
            self._completed(self.clock.monotonic(), self._sweep_seen)
            self._sweep_seen = set()

    async def _poll_full_list(self) -> None:
        size = self.pace.settings.page_size
        first = await self._list_page(0, size)
        self._apply(first, self.clock.monotonic())
        rest = await self._fetch_pages(range(1, self._budgeted_pages(first.total, size)), size)
        self.gate.check()
        now = self.clock.monotonic()
        self._last_list_at = now
        self._full_requested = False
        self._sweep_next = None
        self._sweep_total = first.total
        self._completed(now, {job.id for page in (first, *rest) for job in page.data})

    def _forget_unlisted(self, listed: set[str]) -> None:
        """Drop jobs that complete listings no longer return (deleted, or aged out).

        A job goes only after missing two complete listings in a row: rows shift between pages
        while a listing is under way (a deletion moves them up a page), so one miss can be an
        artefact of paging. Without this, a long-open app would keep every job it ever saw.
        """
        misses: dict[str, int] = {}
        gone: list[str] = []
        for job_id in self.store.ids():
            view = self.store.get(job_id)
            # Jobs never listed (known from a detail fetch alone) are not judged by listings;
            # jobs seeded from the local history are: a listing is what confirms them.
            if view is None or (view.listed_at is None and not view.cached) or job_id in listed:
                continue
            count = self._unlisted.get(view.id, 0) + 1
            if count >= 2:
                gone.append(view.id)
            else:
                misses[view.id] = count
        self._unlisted = misses
        for job_id in gone:
            self.details.forget(job_id)
