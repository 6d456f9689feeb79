"""The poller: decides what to fetch and when, feeds the store and tells consumers what changed.

Pure asyncio over a :class:`JobSource` (the API client), with time from an injectable
:class:`~tui.api.clock.Clock`, so hours of schedules and backoff run instantly under a
``ManualClock``.

Tiers (each interval is a setting; ``scale_interval`` and an unfocused terminal stretch them):

- the newest page of the job list (``newest_page_size`` jobs) every ``list_interval`` (30 s):
  new jobs and status changes of recent jobs;
- the full list, every page: at start and on ``refresh_now()`` at once; then every
  ``full_list_interval`` (5 min) as a rolling sweep, a few pages per list tick, so that no
  minute carries a burst of pages;
- the detail of every training job every ``detail_interval`` (10 s), of queued and validating
  jobs every ``pending_detail_interval``; VALIDATED jobs (waiting for a start, maybe for weeks)
  are left to the lists; a finished job's detail is fetched once: when it finishes (for its
  final checkpoints) or when it is selected;
- the selected job's detail at once, unless the store already holds a fresh one.

One cycle runs the due tiers, lists first; cycles never overlap, at most ``max_in_flight``
requests run at once, and the next cycle is scheduled from when the last one finished.

Errors: 429, 5xx, transport and auth failures back the whole poller off (exponential, jittered,
honouring Retry-After: rate limits are per organisation); it never gives up and never raises.
A 404 on a job removes it (``JobGone``); a payload error on a job is reported as ``JobError``
with its path and the other jobs carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Protocol

import attrs

from tui.api.backoff import Backoff
from tui.api.clock import Clock, SystemClock
from tui.api.errors import ApiError, ErrorKind, FinetopError, NotFoundError, PayloadError
from tui.api.models import ACTIVE_STATUSES, JobDetails, JobsPage
from tui.monitor.changes import (
    Change,
    JobChanged,
    JobError,
    PollFailed,
    PollRecovered,
    PollSucceeded,
)
from tui.monitor.feed import ChangeQueue
from tui.monitor.store import JobStore

__all__ = [
    "JobSource",
    "Poller",
    "PollerSettings",
    "PollerState",
    "PollerStatus",
]

_log = logging.getLogger(__name__)

MIN_SCALE = 0.25
"""Smallest interval factor ``scale_interval`` allows (4x faster than the settings)."""
MAX_SCALE = 16.0
"""Largest interval factor ``scale_interval`` allows."""


class JobSource(Protocol):
    """What the poller needs from the API client (``MistralClient`` fits)."""

    async def list_jobs(self, *, page: int = 0, page_size: int = 100) -> JobsPage:
        """One page of the job list, newest first."""
        ...

    async def get_job(self, job_id: str) -> JobDetails:
        """One job with its events and checkpoints."""
        ...


@attrs.frozen
class PollerSettings:
    """How often each tier polls, in seconds, and how hard the poller may push."""

    list_interval: float = 30.0
    """Newest page of the job list."""
    full_list_interval: float = 300.0
    """Every page of the job list."""
    detail_interval: float = 10.0
    """Detail of each training (RUNNING) job."""
    pending_detail_interval: float = 60.0
    """Detail of each job not finished and not training yet (QUEUED, VALIDATING, ...)."""
    parked_statuses: frozenset[str] = frozenset({"VALIDATED"})
    """Unfinished statuses whose detail is not polled (a VALIDATED job may wait for a start for
    weeks; the lists notice when it moves). A selected parked job is polled as pending."""
    newest_page_size: int = 50
    """Jobs in the "newest page" request."""
    page_size: int = 100
    """Jobs per page of the full list."""
    max_in_flight: int = 3
    """Requests running at once."""
    unfocused_factor: float = 3.0
    """Intervals are multiplied by this while the terminal has lost focus."""
    backoff_base: float = 2.0
    """First retry delay after a failure."""
    backoff_cap: float = 300.0
    """Longest retry delay (a longer Retry-After still wins)."""
    backoff_jitter: float = 0.2
    """Jitter, as a fraction of the delay."""
    offline_after: int = 2
    """Consecutive failed polls after which the status says offline (transport: at once)."""
    stale_after: float | None = None
    """Age of the last success after which the status says stale; default 2x list interval."""
    queue_limit: int = 1000
    """Backlog per ``changes()`` consumer past which changes are coalesced."""

    def __attrs_post_init__(self) -> None:
        for name in ("list_interval", "full_list_interval", "detail_interval"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.max_in_flight < 1 or self.page_size < 1 or self.newest_page_size < 1:
            raise ValueError("max_in_flight and page sizes must be at least 1")


class PollerState(StrEnum):
    """What the status line says."""

    CONNECTING = "connecting"
    """No poll has finished yet."""
    OK = "ok"
    STALE = "stale"
    """Polls are failing (not yet offline) or the last success is old."""
    OFFLINE = "offline"
    """The API cannot be reached (or keeps failing); retrying."""
    PAUSED = "paused"


@attrs.frozen
class PollerStatus:
    """A snapshot for the status line. Times are on the poller's monotonic clock."""

    state: PollerState
    last_success_at: float | None
    """When the last successful poll finished."""
    last_success_wall: float | None
    """The same moment in wall-clock seconds."""
    failing_since: float | None
    """When the current failure streak began."""
    failures: int
    """Polls failed in a row."""
    next_poll_at: float | None
    """When the next poll is due (after backoff), ``None`` while paused or polling."""
    last_error_kind: ErrorKind | None
    last_error_message: str | None
    interval: float
    """The effective list interval (settings x scale x focus)."""
    detail_interval: float
    """The effective detail interval of training jobs."""
    scale: float
    """The interval factor set with ``scale_interval`` (1.0 = the settings)."""
    focused: bool
    paused: bool
    requests: int
    """Requests made since the poller was created."""

    def age(self, now: float) -> float | None:
        """Seconds since the last success ("updated N s ago")."""
        return None if self.last_success_at is None else max(0.0, now - self.last_success_at)

    def retry_in(self, now: float) -> float | None:
        """Seconds until the next poll, while failing."""
        if not self.failures or self.next_poll_at is None:
            return None
        return max(0.0, self.next_poll_at - now)


class _PollAborted(Exception):
    """Raised inside a cycle once a global failure was recorded: skip remaining requests."""


class Poller:
    """Polls the API on a schedule, keeps ``store`` current and emits what changed.

    Run it with ``await poller.run()`` in a task (it runs until cancelled). Consume changes with
    ``async for change in poller.changes(): ...`` and/or ``add_listener(callback)``. Every
    control method (``refresh_now``, ``pause``, ``select``, ``set_intervals``...) takes effect
    at once: it wakes the sleeping loop.
    """

    def __init__(
        self,
        client: JobSource,
        store: JobStore | None = None,
        settings: PollerSettings | None = None,
        clock: Clock | None = None,
        *,
        backoff: Backoff | None = None,
        on_change: Callable[[Change], None] | None = None,
    ) -> None:
        self.client = client
        """Where jobs come from."""
        self.clock: Clock = clock or (store.clock if store is not None else SystemClock())
        """Time for schedules and backoff."""
        self.store = store if store is not None else JobStore(clock=self.clock)
        """The jobs, merged; read it from the UI."""
        self._settings = settings or PollerSettings()
        self._backoff = backoff or Backoff(
            base=self._settings.backoff_base,
            cap=self._settings.backoff_cap,
            jitter=self._settings.backoff_jitter,
        )
        self._listeners: list[Callable[[Change], None]] = [on_change] if on_change else []
        self._queues: list[ChangeQueue] = []
        self._semaphore = asyncio.Semaphore(self._settings.max_in_flight)
        self._wake = asyncio.Event()

        self._scale = 1.0
        self._focused = True
        self._paused = False
        self._selected: str | None = None

        self._last_list_at: float | None = None
        self._last_full_at: float | None = None
        self._sweep_next: int | None = None
        """Next page of a rolling full-list sweep in progress (``None``: no sweep running)."""
        self._sweep_total = 0
        """The list's total as last seen (sizes the sweep)."""
        self._sweep_credit = 0.0
        """Pages the sweep may fetch, accumulated per list tick."""
        self._full_requested = False
        self._force_details = False
        self._wanted: set[str] = set()
        """Finished jobs whose (final) detail is still to fetch."""
        self._tried_at: dict[str, float] = {}
        """When a job's detail fetch last failed on its own (payload error), to space retries."""
        self._sweep_seen: set[str] = set()
        """Ids the rolling sweep under way has listed so far."""
        self._unlisted: dict[str, int] = {}
        """Jobs missing from the last complete listings, and how many in a row."""

        self._failures = 0
        self._failing_since: float | None = None
        self._blocked_until: float | None = None
        self._rate_limited = False
        self._last_error: FinetopError | None = None
        self._last_success_at: float | None = None
        self._last_success_wall: float | None = None
        self._requests = 0

        self._running = False
        self._polling = False
        self._waiting = False
        self._wait_deadline: float | None = None
        self._cycle_error: FinetopError | None = None
        self._cycle_successes = 0

    # ------------------------------------------------------------------ settings and controls

    @property
    def settings(self) -> PollerSettings:
        """The current settings (``set_intervals`` replaces them)."""
        return self._settings

    @property
    def paused(self) -> bool:
        """Whether polling is paused."""
        return self._paused

    @property
    def focused(self) -> bool:
        """Whether the terminal has focus (unfocused polling is slower)."""
        return self._focused

    @property
    def interval_scale(self) -> float:
        """The factor ``scale_interval`` applied to every interval."""
        return self._scale

    @property
    def selected(self) -> str | None:
        """The selected job id."""
        return self._selected

    @property
    def requests(self) -> int:
        """Requests made so far (for budgets and benchmarks)."""
        return self._requests

    def set_intervals(
        self,
        *,
        list_interval: float | None = None,
        full_list_interval: float | None = None,
        detail_interval: float | None = None,
        pending_detail_interval: float | None = None,
    ) -> None:
        """Change intervals (seconds); the schedule is recomputed at once."""
        updates = {
            name: value
            for name, value in (
                ("list_interval", list_interval),
                ("full_list_interval", full_list_interval),
                ("detail_interval", detail_interval),
                ("pending_detail_interval", pending_detail_interval),
            )
            if value is not None
        }
        self._settings = attrs.evolve(self._settings, **updates)
        self._wake.set()

    def scale_interval(self, factor: float) -> float:
        """Multiply every interval by ``factor`` (``+``: 2, ``-``: 0.5); returns the new scale."""
        self._scale = min(MAX_SCALE, max(MIN_SCALE, self._scale * factor))
        self._wake.set()
        return self._scale

    def set_focus(self, focused: bool) -> None:
        """Slow down by ``unfocused_factor`` while the terminal has lost focus."""
        self._focused = focused
        self._wake.set()

    def pause(self) -> None:
        """Stop polling after the request in flight; nothing is fetched until ``resume``."""
        self._paused = True
        self._wake.set()

    def resume(self) -> None:
        """Resume polling; whatever fell due while paused is fetched at once."""
        self._paused = False
        self._wake.set()

    def refresh_now(self, *, full: bool = True) -> None:
        """Poll now: the list (every page when ``full``), every unfinished job and the selection.

        An ongoing backoff is cut short, except after a 429 (never ask before Retry-After).
        """
        if full:
            self._full_requested = True
        else:
            self._last_list_at = None
        self._force_details = True
        if not self._rate_limited:
            self._blocked_until = None
        self._wake.set()

    def select(self, job_id: str | None) -> None:
        """The user looks at ``job_id``: pin its detail and fetch it now unless fresh."""
        self._selected = job_id
        self.store.select(job_id)
        if job_id is not None and self.store.needs_detail(job_id):
            self._wanted.add(job_id)
            self._tried_at.pop(job_id, None)
            self._wake.set()

    # ------------------------------------------------------------------ consumers

    def changes(self, *, limit: int | None = None) -> ChangeQueue:
        """A new subscription: an async iterator over every change from now on.

        Bounded: past ``limit`` pending changes (default ``settings.queue_limit``) the backlog is
        coalesced. ``close()`` it to unsubscribe.
        """
        queue = ChangeQueue(limit or self._settings.queue_limit, on_close=self._unsubscribe)
        self._queues.append(queue)
        return queue

    def _unsubscribe(self, queue: ChangeQueue) -> None:
        with contextlib.suppress(ValueError):
            self._queues.remove(queue)

    def add_listener(self, callback: Callable[[Change], None]) -> Callable[[], None]:
        """Call ``callback`` synchronously with every change; returns a function that removes it.

        A callback that raises is logged and does not stop the poller.
        """
        self._listeners.append(callback)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(callback)

        return remove

    def _emit(self, changes: Iterable[Change]) -> None:
        for change in changes:
            for listener in list(self._listeners):
                try:
                    listener(change)
                except Exception:
                    _log.exception("change listener failed")
            for queue in list(self._queues):
                queue.put(change)

    # ------------------------------------------------------------------ status and idleness

    def _effective(self, seconds: float) -> float:
        factor = self._scale * (1.0 if self._focused else self._settings.unfocused_factor)
        return seconds * factor

    @property
    def status(self) -> PollerStatus:
        """A snapshot for the status line."""
        now = self.clock.monotonic()
        error = self._last_error if self._failures else None
        stale_after = self._settings.stale_after or 2 * self._effective(
            self._settings.list_interval
        )
        if self._paused:
            state = PollerState.PAUSED
        elif self._failures:
            offline = self._failures >= self._settings.offline_after or (
                error is not None and error.kind is ErrorKind.TRANSPORT
            )
            state = PollerState.OFFLINE if offline else PollerState.STALE
        elif self._last_success_at is None:
            state = PollerState.CONNECTING
        elif now - self._last_success_at > stale_after:
            state = PollerState.STALE
        else:
            state = PollerState.OK
        next_at = None if self._paused or self._polling else self._wait_deadline
        return PollerStatus(
            state=state,
            last_success_at=self._last_success_at,
            last_success_wall=self._last_success_wall,
            failing_since=self._failing_since,
            failures=self._failures,
            next_poll_at=next_at,
            last_error_kind=error.kind if error else None,
            last_error_message=str(error) if error else None,
            interval=self._effective(self._settings.list_interval),
            detail_interval=self._effective(self._settings.detail_interval),
            scale=self._scale,
            focused=self._focused,
            paused=self._paused,
            requests=self._requests,
        )

    @property
    def is_idle(self) -> bool:
        """True while the loop sleeps and nothing is due yet (tests step the clock from here)."""
        if not self._waiting or self._wake.is_set():
            return False
        if self._paused or self._wait_deadline is None:
            return True
        return self.clock.monotonic() < self._wait_deadline

    async def wait_idle(self, *, max_spins: int = 1_000_000) -> None:
        """Let the event loop run until the poller is idle (for tests with a ManualClock)."""
        for _ in range(max_spins):
            if self.is_idle:
                return
            await asyncio.sleep(0)
        raise TimeoutError("the poller did not become idle")

    # ------------------------------------------------------------------ schedule

    def _detail_due_at(self, job_id: str, now: float) -> float | None:
        """When the job's detail is next due (``now`` or earlier: due), ``None``: not scheduled."""
        view = self.store.get(job_id)
        if view is None:
            return None
        tried = self._tried_at.get(job_id)
        if view.job.is_terminal:
            if job_id not in self._wanted:
                return None
            if not self.store.needs_detail(job_id):
                # Fetched meanwhile, or selected and then left before its turn: skip it.
                self._wanted.discard(job_id)
                return None
            if tried is None:
                return now
            return tried + self._retry_gap(view.failures)
        interval = self._interval_for(view.job.status)
        if interval is None:
            if job_id != self._selected:
                return None  # parked (e.g. VALIDATED, waiting for a start): the lists watch it
            interval = self._settings.pending_detail_interval
        if self._force_details:
            return now
        if not view.has_detail or view.detail_fetched_at is None:
            # Never fetched (or evicted): now, unless its last fetch failed on its own.
            return now if tried is None else tried + self._retry_gap(view.failures)
        if tried is not None and tried > view.detail_fetched_at:
            return tried + max(self._retry_gap(view.failures), self._effective(interval))
        return view.detail_fetched_at + self._effective(interval)

    def _retry_gap(self, failures: int) -> float:
        """Wait before re-fetching a job whose own payload failed ``failures`` times in a row:
        doubling from the detail interval up to the full-list interval, so a job the API keeps
        sending broken does not cost a request every few seconds forever."""
        gap = self._settings.detail_interval * 2 ** max(0, min(failures - 1, 16))
        return self._effective(min(gap, self._settings.full_list_interval))

    def _interval_for(self, status: str) -> float | None:
        """The detail interval of an unfinished job in ``status``; ``None``: not polled."""
        if status in ACTIVE_STATUSES:
            return self._settings.detail_interval
        if status in self._settings.parked_statuses:
            return None
        return self._settings.pending_detail_interval

    def _detail_candidates(self) -> list[str]:
        ids = set(self.store.active_ids()) | self._wanted
        if self._selected is not None and self._selected in self.store:
            ids.add(self._selected)
        return sorted(ids)

    def _next_deadline(self, now: float) -> float:
        times: list[float] = []
        if self._full_requested or self._last_full_at is None:
            times.append(now)
        # Scheduled full sweeps ride on the list ticks (see _poll_lists): no deadline of their own.
        if self._last_list_at is None:
            times.append(now)
        else:
            times.append(self._last_list_at + self._effective(self._settings.list_interval))
        for job_id in self._detail_candidates():
            due = self._detail_due_at(job_id, now)
            if due is not None:
                times.append(due)
        deadline = min(times)
        if self._blocked_until is not None:
            deadline = max(deadline, self._blocked_until)
        return deadline

    # ------------------------------------------------------------------ the loop

    async def run(self) -> None:
        """Poll until cancelled. Never raises on API errors."""
        if self._running:
            raise RuntimeError("the poller is already running")
        self._running = True
        try:
            while True:
                await self._wait_for_work()
                self._polling = True
                try:
                    await self._cycle()
                finally:
                    self._polling = False
        finally:
            self._running = False
            self._waiting = False

    async def _wait_for_work(self) -> None:
        while True:
            self._wake.clear()
            now = self.clock.monotonic()
            if self._paused:
                self._wait_deadline = None
                await self._sleep_until_woken(None)
                continue
            deadline = self._next_deadline(now)
            if deadline <= now:
                self._wait_deadline = now
                return
            self._wait_deadline = deadline
            await self._sleep_until_woken(deadline - now)
            if self.clock.monotonic() >= deadline and not self._paused:
                return

    async def _sleep_until_woken(self, seconds: float | None) -> None:
        """Sleep ``seconds`` on the clock (forever when ``None``) or until ``_wake`` is set."""
        waiters: set[asyncio.Future[object]] = {asyncio.ensure_future(self._wake.wait())}
        if seconds is not None:
            waiters.add(asyncio.ensure_future(self.clock.sleep(seconds)))
        try:
            # Let both waiters take their first step (the clock registers the sleeper) before
            # reporting idle: a test that then moves a manual clock is sure to wake us.
            await asyncio.sleep(0)
            self._waiting = True
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._waiting = False
            for waiter in waiters:
                waiter.cancel()
            # Let the cancellations land, so no sleeper outlives this wait.
            await asyncio.gather(*waiters, return_exceptions=True)

    async def _cycle(self) -> None:
        """Run every due tier once: lists first, then details."""
        self._cycle_error = None
        self._cycle_successes = 0
        start = self.clock.monotonic()
        try:
            await self._poll_lists(start)
            due = [
                job_id
                for job_id in self._detail_candidates()
                if (at := self._detail_due_at(job_id, start)) is not None and at <= start
            ]
            self._force_details = False
            await asyncio.gather(*(self._poll_detail(job_id) for job_id in due))
        except _PollAborted:
            pass
        self._finish_cycle()

    def _finish_cycle(self) -> None:
        now = self.clock.monotonic()
        error = self._cycle_error
        if error is not None:
            self._failures += 1
            if self._failures == 1:
                self._failing_since = now
            self._last_error = error
            retry_after = getattr(error, "retry_after", None)
            self._rate_limited = error.kind is ErrorKind.RATE_LIMITED
            delay = self._backoff.next_delay(self._failures - 1, retry_after)
            self._blocked_until = now + delay
            self._emit(
                [
                    PollFailed(
                        kind=error.kind,
                        message=str(error),
                        retry_in=delay,
                        retry_at=now + delay,
                        first=self._failures == 1,
                    )
                ]
            )
            return
        self._blocked_until = None
        self._rate_limited = False
        # Only answers that worked make a success: a round of detail fetches whose payloads all
        # failed to parse says nothing good about the link or the data.
        if not self._cycle_successes:
            return
        changes: list[Change] = []
        if self._failures:
            changes.append(PollRecovered(self._failures))
        self._failures = 0
        self._failing_since = None
        self._last_success_at = now
        self._last_success_wall = self.clock.time()
        changes.append(PollSucceeded(at=now, wall_time=self._last_success_wall))
        self._emit(changes)

    # ------------------------------------------------------------------ requests

    async def _list_page(self, page: int, page_size: int) -> JobsPage:
        if self._cycle_error is not None:
            raise _PollAborted
        async with self._semaphore:
            if self._cycle_error is not None:
                raise _PollAborted
            self._requests += 1
            try:
                page_result = await self.client.list_jobs(page=page, page_size=page_size)
            except FinetopError as error:
                self._fail(error)
                raise _PollAborted from error
            except Exception as error:
                self._fail(_unexpected(error))
                raise _PollAborted from error
            self._cycle_successes += 1
            return page_result

    def _fail(self, error: FinetopError) -> None:
        """Record a failure that backs the whole poller off (the first one of a cycle wins,
        except that a 429 always wins: its Retry-After must be honoured)."""
        if self._cycle_error is None or (
            error.kind is ErrorKind.RATE_LIMITED
            and self._cycle_error.kind is not ErrorKind.RATE_LIMITED
        ):
            self._cycle_error = error

    def _apply_list(self, page: JobsPage, at: float) -> None:
        changes = self.store.apply_page(page, at=at)
        for change in changes:
            # A job seen live that just finished: fetch its final checkpoints once.
            if (
                isinstance(change, JobChanged)
                and change.job.is_terminal
                and "status" in (change.fields)
            ):
                view = self.store.get(change.job.id)
                if view is not None and view.watched_live:
                    self._wanted.add(change.job.id)
        self._emit(changes)

    async def _poll_lists(self, start: float) -> None:
        """The list tiers due at ``start``.

        The first listing and ``refresh_now()`` fetch every page at once. A scheduled full list
        is a rolling sweep instead: each list tick fetches the newest page plus the next few
        pages of the sweep, so that it completes within ``full_list_interval`` without a burst
        (rate limits are per minute).
        """
        if self._full_requested or self._last_full_at is None:
            await self._poll_full_list()
            return
        if self._last_list_at is not None and start < self._last_list_at + self._effective(
            self._settings.list_interval
        ):
            return
        full_due = start >= self._last_full_at + self._effective(self._settings.full_list_interval)
        if self._sweep_next is None and full_due:
            self._sweep_next = 0
            self._sweep_credit = 0.0
        await self._poll_newest_page()
        if self._sweep_next is not None:
            await self._poll_sweep_pages()

    async def _poll_sweep_pages(self) -> None:
        size = self._settings.page_size
        pages = max(1, math.ceil(self._sweep_total / size))
        ticks = max(1, int(self._settings.full_list_interval // self._settings.list_interval))
        # Spread the pages evenly over the ticks of one interval (11 pages in 10 ticks: one
        # page per tick and two once), so the sweep ends in time without a burst.
        self._sweep_credit += pages / ticks
        per_tick = max(1, math.floor(self._sweep_credit + 1e-9))
        self._sweep_credit = max(0.0, self._sweep_credit - per_tick)
        first = self._sweep_next or 0
        if first == 0:
            self._sweep_seen = set()
        numbers = range(first, min(pages, first + per_tick))
        results = await asyncio.gather(
            *(self._list_page(n, size) for n in numbers), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                if isinstance(result, _PollAborted):
                    continue
                raise result
            self._apply_list(result, self.clock.monotonic())
            self._sweep_total = result.total
            self._sweep_seen.update(job.id for job in result.data)
        if self._cycle_error is not None:
            raise _PollAborted
        self._sweep_next = first + len(numbers)
        if self._sweep_next >= max(1, math.ceil(self._sweep_total / size)):
            self._sweep_next = None
            self._last_full_at = self.clock.monotonic()
            self._forget_unlisted(self._sweep_seen)
            self._sweep_seen = set()

    async def _poll_newest_page(self) -> None:
        size = self._settings.newest_page_size
        page = await self._list_page(0, size)
        now = self.clock.monotonic()
        self._apply_list(page, now)
        self._last_list_at = now
        self._sweep_total = page.total
        if page.total <= size:
            self._sweep_next = None
            # That page was the whole workspace: it counts as a full listing too.
            self._last_full_at = now
            self._full_requested = False
            self._forget_unlisted({job.id for job in page.data})

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
            # Jobs never listed (known from a detail fetch alone) are not judged by listings.
            if view is None or view.listed_at is None or job_id in listed:
                continue
            count = self._unlisted.get(view.id, 0) + 1
            if count >= 2:
                gone.append(view.id)
            else:
                misses[view.id] = count
        self._unlisted = misses
        for job_id in gone:
            self._wanted.discard(job_id)
            self._tried_at.pop(job_id, None)
            self._emit(self.store.remove(job_id))

    async def _poll_full_list(self) -> None:
        size = self._settings.page_size
        first = await self._list_page(0, size)
        self._apply_list(first, self.clock.monotonic())
        pages = max(1, math.ceil(first.total / size))
        results = await asyncio.gather(
            *(self._list_page(n, size) for n in range(1, pages)), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                if isinstance(result, _PollAborted):
                    continue
                raise result
            self._apply_list(result, self.clock.monotonic())
        if self._cycle_error is not None:
            raise _PollAborted
        now = self.clock.monotonic()
        self._last_full_at = now
        self._last_list_at = now
        self._full_requested = False
        self._sweep_next = None
        self._sweep_total = first.total
        listed = {
            job.id for page in (first, *results) if isinstance(page, JobsPage) for job in page.data
        }
        self._forget_unlisted(listed)

    async def _poll_detail(self, job_id: str) -> None:
        if self._cycle_error is not None:
            return
        async with self._semaphore:
            if self._cycle_error is not None:
                return
            self._requests += 1
            try:
                details = await self.client.get_job(job_id)
            except NotFoundError:
                # The server answered: the link works, the job is gone.
                self._cycle_successes += 1
                self._wanted.discard(job_id)
                self._tried_at.pop(job_id, None)
                self._emit(self.store.remove(job_id))
                return
            except PayloadError as error:
                # Only this job's payload is bad: report it, keep polling the others.
                self._tried_at[job_id] = self.clock.monotonic()
                self.store.record_error(job_id, error, at=self._tried_at[job_id])
                self._emit([JobError(job_id, error.kind, f"job {job_id}: {error}")])
                return
            except FinetopError as error:
                self._fail(error)
                return
            except Exception as error:
                self._fail(_unexpected(error))
                return
            self._cycle_successes += 1
        now = self.clock.monotonic()
        self._tried_at.pop(job_id, None)
        if details.is_terminal:
            self._wanted.discard(job_id)
        self._emit(self.store.apply(details, at=now))


def _unexpected(error: Exception) -> ApiError:
    """An exception the client should have typed: logged, then backed off like a server error,
    because the poller never stops over one request."""
    _log.error("unexpected error while polling", exc_info=error)
    return ApiError(f"unexpected {type(error).__name__}: {error}")
