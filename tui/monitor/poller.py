"""The poller: decides what to fetch and when, feeds the store and tells consumers what changed.

Pure asyncio over a :class:`~tui.monitor.gate.JobSource` (the API client), with time from an
injectable :class:`~tui.api.clock.Clock`, so hours of schedules and backoff run instantly under a
``ManualClock``.

Tiers (each interval is a setting; ``scale_interval`` and an unfocused terminal stretch them):

- the newest page of the job list (``newest_page_size`` jobs) every ``list_interval`` (30 s):
  new jobs and status changes of recent jobs;
- the full list, every page: at start and on ``refresh_now()`` at once; then every
  ``full_list_interval`` (5 min) as a rolling sweep, a few pages per list tick, so that no
  minute carries a burst of pages (:mod:`tui.monitor.list_tier`);
- the detail of every training job every ``detail_interval`` (10 s), of queued and validating
  jobs every ``pending_detail_interval``; VALIDATED jobs (waiting for a start, maybe for weeks)
  are left to the lists; a finished job's detail is fetched once: when it finishes (for its
  final checkpoints) or when it is selected (:mod:`tui.monitor.detail_tier`);
- the selected job's detail at once, unless the store already holds a fresh one;
- with an ``archive`` (the local history): a finished job's final detail kept there is read
  from there instead of fetched, everything fetched is handed to it, and when nothing else is
  due the detail of finished jobs is fetched in the background, newest first, within the
  request budget (:mod:`tui.monitor.fill_tier`).

One cycle runs the due tiers, lists first; cycles never overlap, at most ``max_in_flight``
requests run at once, and the next cycle is scheduled from when the last one finished
(:mod:`tui.monitor.schedule` holds the arithmetic).

Errors: 429, 5xx, transport and auth failures back the whole poller off (exponential, jittered,
honouring Retry-After up to ``max_retry_after``: rate limits are per organisation); it never gives
up and never raises. ``refresh_now()`` tries at once even during a backoff: the user asked.

Bounds: a listing of every page reads at most ``max_list_pages`` pages, ``max_in_flight`` at a
time; past the budget it keeps what it read and ``status.listing_truncated`` holds the total the
server claimed.
A 404 on a job removes it (``JobGone``); a payload error on a job is reported as ``JobError``
with its path and the other jobs carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from tui.api.backoff import Backoff
from tui.api.clock import Clock, SystemClock
from tui.errors import ErrorKind
from tui.monitor.archive import Archive, NoArchive
from tui.monitor.budget import RequestWindow, projected_requests
from tui.monitor.detail_tier import DetailTier
from tui.monitor.fanout import ChangeFanout, ChangeListener
from tui.monitor.fill_tier import FillTier
from tui.monitor.gate import JobSource, PollAborted, RequestGate
from tui.monitor.health import Health
from tui.monitor.list_tier import ListTier
from tui.monitor.schedule import Pace, next_deadline
from tui.monitor.settings import PollerSettings
from tui.monitor.status import PollerStatus
from tui.monitor.store import JobStore

__all__ = ["Poller"]


class Poller:
    """Polls the API on a schedule, keeps ``store`` current and emits what changed.

    Run it with ``await poller.run()`` in a task (it runs until cancelled). Listeners
    (``on_changes``, ``add_listener``) receive changes in batches: a list page's, a detail's, a
    cycle's outcome. Every
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
        on_changes: ChangeListener | None = None,
        archive: Archive | None = None,
    ) -> None:
        self.client = client
        """Where jobs come from."""
        self.clock: Clock = clock or (store.clock if store is not None else SystemClock())
        """Time for schedules and backoff."""
        self.store = store if store is not None else JobStore(clock=self.clock)
        """The jobs, merged; read it from the UI."""
        settings = settings or PollerSettings()
        self._pace = Pace(settings)
        self._health = Health(
            backoff
            or Backoff(
                base=settings.backoff_base,
                cap=settings.backoff_cap,
                jitter=settings.backoff_jitter,
                retry_after_cap=settings.max_retry_after,
            ),
            self.clock,
        )
        self._fanout = ChangeFanout([on_changes] if on_changes else [])
        self._window = RequestWindow(self.clock, settings.request_budget)
        self._gate = RequestGate(client, settings.max_in_flight, self._window)
        kept = archive if archive is not None else NoArchive()
        tier = (self.store, self._gate, self._pace, self.clock, self._fanout.emit)
        self._details = DetailTier(*tier, archive=kept)
        self._lists = ListTier(*tier, archive=kept, details=self._details)
        self._fill = FillTier(
            *tier,
            archive=kept,
            details=self._details,
            window=self._window,
        )
        self._wake = asyncio.Event()
        self._paused = False
        self._running = False
        self._polling = False
        self._waiting = False
        self._wait_deadline: float | None = None
        # Set each time the loop starts to sleep, so tests wait on it rather than spin.
        self._began_waiting = asyncio.Event()

    # ------------------------------------------------------------------ settings and controls

    @property
    def settings(self) -> PollerSettings:
        """The current settings (``set_intervals`` replaces them)."""
        return self._pace.settings

    @property
    def paused(self) -> bool:
        """Whether polling is paused."""
        return self._paused

    @property
    def focused(self) -> bool:
        """Whether the terminal has focus (unfocused polling is slower)."""
        return self._pace.focused

    @property
    def interval_scale(self) -> float:
        """The factor ``scale_interval`` applied to every interval."""
        return self._pace.scale

    @property
    def selected(self) -> str | None:
        """The selected job id."""
        return self._details.selected

    @property
    def requests(self) -> int:
        """Requests made so far (for budgets and benchmarks)."""
        return self._gate.requests

    def set_intervals(
        self,
        *,
        list_interval: float | None = None,
        full_list_interval: float | None = None,
        detail_interval: float | None = None,
        pending_detail_interval: float | None = None,
    ) -> None:
        """Change intervals (seconds); the schedule is recomputed at once."""
        updates: dict[str, Any] = {
            name: value
            for name, value in (
                ("list_interval", list_interval),
                ("full_list_interval", full_list_interval),
                ("detail_interval", detail_interval),
                ("pending_detail_interval", pending_detail_interval),
            )
            if value is not None
        }
        self._pace.settings = attrs.evolve(self._pace.settings, **updates)
        self._wake.set()

    def scale_interval(self, factor: float) -> float:
        """Multiply every interval by ``factor`` (``+``: 2, ``-``: 0.5); returns the new scale."""
        scale = self._pace.rescale(factor)
        self._wake.set()
        return scale

    def set_focus(self, focused: bool) -> None:
        """Slow down by ``unfocused_factor`` while the terminal has lost focus."""
        self._pace.focused = focused
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

        An ongoing backoff is cut short, even a 429's: the user asked, and a Retry-After that
        fails again backs the automatic schedule off anew.
        """
        self._fill.note_activity()
        if full:
            self._lists.request_full()
        else:
            self._lists.request_newest()
        self._details.force()
        self._health.cut_backoff()
        self._wake.set()

    def select(self, job_id: str | None) -> None:
        """The user looks at ``job_id``: pin its detail and fetch it now unless fresh."""
        self._fill.note_activity()
        if self._details.select(job_id):
            self._wake.set()

    def note_activity(self) -> None:
        """The user did something: the background history fill waits until they are idle."""
        self._fill.note_activity()

    def history_backlog(self) -> int:
        """Finished jobs whose detail the background fill has yet to fetch (0 without an
        archive to keep them)."""
        return self._fill.backlog() if self._fill.archive.enabled else 0

    def want_details(self, job_ids: Iterable[str]) -> None:
        """The user looks at these jobs too (runs compared): fetch the bodies not held yet,
        once each; the next call replaces this one."""
        if self._details.request(job_ids):
            self._wake.set()

    # ------------------------------------------------------------------ consumers

    def add_listener(self, callback: ChangeListener) -> Callable[[], None]:
        """Call ``callback`` synchronously with every batch of changes; returns a function that
        removes it.

        A callback that raises is logged and does not stop the poller.
        """
        return self._fanout.add_listener(callback)

    # ------------------------------------------------------------------ status and idleness

    @property
    def status(self) -> PollerStatus:
        """A snapshot for the status line."""
        now = self.clock.monotonic()
        settings = self._pace.settings
        health = self._health
        error = health.current_error
        interval = self._pace.effective(settings.list_interval)
        state = health.state(
            now,
            offline_after=settings.offline_after,
            stale_after=settings.stale_after or 2 * interval,
        )
        return PollerStatus(
            state=state,
            last_success_at=health.last_success_at,
            last_success_wall=health.last_success_wall,
            failing_since=health.failing_since,
            failures=health.failures,
            next_poll_at=None if self._paused or self._polling else self._wait_deadline,
            last_error_kind=error.kind if error else None,
            last_error_message=str(error) if error else None,
            interval=interval,
            detail_interval=self._pace.effective(settings.detail_interval),
            scale=self._pace.scale,
            focused=self._pace.focused,
            paused=self._paused,
            requests=self._gate.requests,
            listing_truncated=self._lists.truncated_total,
        )

    @property
    def is_idle(self) -> bool:
        """True while the loop sleeps and nothing is due yet (tests step the clock from here)."""
        if not self._waiting or self._wake.is_set():
            return False
        if self._paused or self._wait_deadline is None:
            return True
        return self.clock.monotonic() < self._wait_deadline

    async def wait_idle(self) -> None:
        """Wait until the poller is idle (for tests with a ManualClock; callers bound the wait
        with ``asyncio.timeout``). Waits on the loop's own signal, never spins: a spinning
        caller would starve the history thread of the GIL."""
        while not self.is_idle:
            self._began_waiting.clear()
            await self._began_waiting.wait()

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

    def _next_deadline(self, now: float) -> float:
        fill = self._fill.due_at(
            now, ready=self._fill_ready, projected=lambda: self._projected(now)
        )
        return next_deadline(
            self._lists.due_at(now),
            [*self._details.due_times(now), fill],
            self._health.blocked_until,
        )

    @property
    def _fill_ready(self) -> bool:
        """The fill may run: every page listed once, and no failure streak under way."""
        return self._lists.listed_once and not self._health.failures

    def _projected(self, now: float) -> list[float]:
        """When the regular tiers will send requests within the next budget window."""
        schedule = [*self._lists.schedule(now), *self._details.schedule(now)]
        return projected_requests(schedule, now, now + self._window.window)

    async def _wait_for_work(self) -> None:
        while True:
            self._wake.clear()
            now = self.clock.monotonic()
            if self._paused or self._health.halted:
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
            self._began_waiting.set()
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._waiting = False
            for waiter in waiters:
                waiter.cancel()
            # Let the cancellations land, so no sleeper outlives this wait.
            await asyncio.gather(*waiters, return_exceptions=True)

    async def _cycle(self) -> None:
        """Run every due tier once: lists first, then details; then record how it went."""
        self._gate.begin_cycle()
        start = self.clock.monotonic()
        # A failure that backs the poller off ends the cycle: later tiers would only fail too.
        with contextlib.suppress(PollAborted):
            await self._lists.poll(start)
            await self._details.poll(start)
            # Last, and only with time left in the budget: what the user sees comes first.
            now = self.clock.monotonic()
            await self._fill.poll(
                now, ready=self._fill_ready, projected=lambda: self._projected(now)
            )
        error = self._gate.error
        if error is not None and error.kind is ErrorKind.RATE_LIMITED:
            self._fill.note_rate_limited()
        self._fanout.emit(self._health.record(error, self._gate.successes))
