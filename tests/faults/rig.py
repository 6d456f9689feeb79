"""The rig for fault tests: the real app, over real loopback HTTP, against a SimulatorThread.

The app builds its own connection from settings (``server_url`` = the simulator), exactly as
``finetop --server-url`` does, with short poll intervals, a short backoff and a 0.5 s timeout so
that a test takes seconds. Both sides run on the real clock of this process, so the simulator's
request records (``RequestRecord.at``, ``time.monotonic``) compare with the app's times.

What a test can read off a :class:`Rig`: the table's rows and cells, the status line's rendered
text, the detail pane's job, the notices the app raised, errors the event loop or a logger saw,
and the ``Retry-After`` the simulator sent with each record.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import attrs
from rich.text import Text
from textual.pilot import Pilot
from textual.worker import WorkerState

from tui.app.app import FinetopApp
from tui.app.widgets.detail_pane import DetailPane
from tui.app.widgets.job_columns import COLUMNS
from tui.app.widgets.job_rows import status_cell
from tui.app.widgets.job_table import JobTable
from tui.app.widgets.status_line import StatusLine
from tui.monitor.settings import PollerSettings
from tui.settings.config import Settings
from tui.sim.gateway import RequestRecord
from tui.sim.runner import SimulatorThread
from tui.sim.world import World

__all__ = [
    "LIST_INTERVAL",
    "STEADY_COLUMNS",
    "Rig",
    "running_app",
    "wait_for",
]

LIST_INTERVAL = 1.0
"""The app's list (and detail) poll interval in these tests."""
BACKOFF_CAP = 2.0
"""The longest backoff the app waits between failed polls (a longer Retry-After still wins)."""
CLIENT_TIMEOUT = 1.0
"""The app's HTTP timeout; ``slow`` faults hold answers longer than this."""
MAX_RETRY_AFTER = 5.0
"""The longest Retry-After the simulator's injected 429/503 carry."""
SLACK = 2.0
"""Margin for scheduling on a loaded machine, on top of the poll interval."""

STEADY_COLUMNS = tuple(
    column.key for column in COLUMNS if column.key not in ("age", "progress", "eta", "spark")
)
"""Columns whose text depends only on the listed data (age, progress and ETA move with the
clock; the loss curve comes and goes with the detail body)."""

_RETRY = re.compile(r"(?:offline|stale) — retrying (?:in (\d+) s|now) \(([^)]*)\)")


async def wait_for(
    condition: Callable[[], Any],
    pilot: Pilot[Any],
    *,
    within: float,
    what: str | Callable[[], str] = "",
) -> float:
    """Let the app run until ``condition()`` holds; return the seconds it took.

    Fails after ``within`` seconds, naming ``what`` (a callable is asked at that moment).
    """
    start = time.monotonic()
    deadline = start + within
    while not condition():
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"not within {within:.1f} s: {said or condition}")
        await pilot.pause(0.02)
    return time.monotonic() - start


class _ErrorLog(logging.Handler):
    """Collects error records (with tracebacks) from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@attrs.define
class Rig:
    """A running app, its simulator, and what was observed."""

    app: FinetopApp
    pilot: Pilot[Any]
    sim: SimulatorThread
    world: World
    notices: list[tuple[str, dict[str, Any]]] = attrs.Factory(list)
    loop_errors: list[dict[str, Any]] = attrs.Factory(list)
    log_errors: _ErrorLog = attrs.Factory(_ErrorLog)
    retry_after: dict[int, int] = attrs.Factory(dict)
    """Index in the simulator's records (``requests_served`` order) -> Retry-After it sent."""
    sims: list[SimulatorThread] = attrs.Factory(list)
    """Every simulator started for this rig (the current one last)."""

    # ------------------------------------------------------------------ the screen

    @property
    def table(self) -> JobTable:
        return self.app.main_screen.query_one(JobTable)

    @property
    def detail(self) -> DetailPane:
        return self.app.main_screen.query_one(DetailPane)

    def status_text(self) -> str:
        """The status line's text as rendered (what the widget was last given)."""
        content = self.app.main_screen.query_one(StatusLine).content
        return content.plain if isinstance(content, Text) else str(content)

    def retry_shown(self) -> tuple[int | None, str] | None:
        """``(seconds or None for "now", cause)`` while the status line says it is retrying."""
        match = _RETRY.search(self.status_text())
        if match is None:
            return None
        return (int(match[1]) if match[1] is not None else None), match[2]

    def cells(self) -> dict[str, tuple[str, ...]]:
        """Every row's steady cells (see :data:`STEADY_COLUMNS`) as plain text, by job id."""
        table = self.table
        return {
            job_id: tuple(str(table.get_cell(job_id, key)) for key in STEADY_COLUMNS)
            for job_id in table.job_ids
        }

    def shows_world(self) -> bool:
        """Whether the table holds exactly the simulator's jobs, each with its true status."""
        table = self.table
        truth = {job_id: self.world.job_status(job_id) for job_id in self.world.job_ids()}
        if set(table.job_ids) != set(truth):
            return False
        return all(
            str(table.get_cell(job_id, "status")) == status_cell(status).plain
            for job_id, status in truth.items()
        )

    @property
    def failing(self) -> bool:
        """Whether the poller is in a failure streak (its own status, as the screen reads it)."""
        poller = self.app.poller
        return poller is not None and poller.status.failures > 0

    @property
    def last_error(self) -> str | None:
        """The poller's last error message, while failing."""
        poller = self.app.poller
        return poller.status.last_error_message if poller is not None else None

    def recovered(self) -> bool:
        """Polling again: not failing, "updated N s ago", and exactly the world on screen."""
        return not self.failing and "updated" in self.status_text() and self.shows_world()

    def change_world(self, keep: str) -> str:
        """Cancel a live job other than ``keep`` in the world (behind the app's back), so the
        true state differs from the last good data; returns its id (a row on screen)."""
        for job_id in self.table.job_ids:
            if job_id != keep and self.world.job_status(job_id) in ("RUNNING", "QUEUED"):
                self.world.cancel_job(job_id)
                return job_id
        raise AssertionError("no live job to cancel")

    def mismatch(self) -> str:
        """What differs between the table and the world (for failure messages)."""
        table = self.table
        truth = {job_id: self.world.job_status(job_id) for job_id in self.world.job_ids()}
        shown = set(table.job_ids)
        wrong = {
            job_id: (str(table.get_cell(job_id, "status")), status)
            for job_id, status in truth.items()
            if job_id in shown
            and str(table.get_cell(job_id, "status")) != status_cell(status).plain
        }
        tail = [r.line() for r in self.records[-6:]]
        return (
            f"missing={sorted(set(truth) - shown)} extra={sorted(shown - set(truth))} "
            f"wrong status (shown, true)={wrong} status line={self.status_text()!r} "
            f"last error={self.last_error!r} last requests={tail}"
        )

    # ------------------------------------------------------------------ the simulator

    @property
    def records(self) -> list[RequestRecord]:
        return list(self.sim.app.sim.records)

    def titled(self, prefix: str) -> list[str]:
        """Notices whose title starts with ``prefix``."""
        return [m for m, kw in self.notices if str(kw.get("title") or "").startswith(prefix)]

    def titles(self, prefix: str) -> list[str]:
        """Titles of the notices whose title starts with ``prefix``."""
        titles = (str(kw.get("title") or "") for _, kw in self.notices)
        return [title for title in titles if title.startswith(prefix)]

    def said(self, prefix: str) -> list[str]:
        """Notices whose message starts with ``prefix``."""
        return [m for m, _ in self.notices if m.startswith(prefix)]

    def seconds_to_retry(self) -> float:
        """Seconds until the app's next poll while failing (0 when due or not failing)."""
        poller = self.app.poller
        retry_in = poller.status.retry_in(poller.clock.monotonic()) if poller is not None else None
        return retry_in or 0.0

    async def faults_stop(self) -> float:
        """Turn the faults off and wait until the app is back with exactly the world's state.

        The app first has to sit out its backoff: the wait it announced, or a new one if a
        request already on its way when the faults stopped was still hit (a Retry-After of up
        to 5 s). From the first clean answer the simulator sends it, the true state must show
        within one poll interval plus slack. Returns the seconds that took.
        """
        self.sim.set_faults(None)
        off = time.monotonic()

        def first_clean() -> RequestRecord | None:
            return next((r for r in self.records if r.at >= off and r.status == 200), None)

        await wait_for(
            first_clean,
            self.pilot,
            within=self.seconds_to_retry() + MAX_RETRY_AFTER + CLIENT_TIMEOUT + SLACK,
            what="a clean answer once the faults stopped",
        )
        clean = first_clean()
        assert clean is not None
        answered = clean.at + clean.ms / 1000
        await wait_for(
            self.recovered,
            self.pilot,
            within=max(0.0, answered + LIST_INTERVAL + SLACK - time.monotonic()),
            what=self.mismatch,
        )
        return time.monotonic() - answered

    async def server_back(self, port: int) -> float:
        """Start a new simulator over the same world on ``port`` and wait as in
        :meth:`faults_stop`: the first answer, then the true state within one poll interval."""
        await self.start_sim(port)
        await wait_for(
            lambda: any(r.status == 200 for r in self.records),
            self.pilot,
            within=self.seconds_to_retry() + BACKOFF_CAP + SLACK,
            what="a first answer from the new simulator",
        )
        clean = next(r for r in self.records if r.status == 200)
        answered = clean.at + clean.ms / 1000
        await wait_for(
            self.recovered,
            self.pilot,
            within=max(0.0, answered + LIST_INTERVAL + SLACK - time.monotonic()),
            what=self.mismatch,
        )
        return time.monotonic() - answered

    async def stop_sim(self) -> None:
        """Stop the current simulator (its world lives on)."""
        await asyncio.to_thread(self.sim.stop)

    async def start_sim(self, port: int) -> None:
        """Start a new simulator on ``port`` over the same world."""
        sim = SimulatorThread(world=self.world, port=port)
        await asyncio.to_thread(sim.start)
        self._watch_retry_after(sim)
        self.sim = sim
        self.sims.append(sim)

    def _watch_retry_after(self, sim: SimulatorThread) -> None:
        # The injector draws the Retry-After of an injected 429/503 just before that request's
        # record is appended, in the server's loop with no await between: pair them by count.
        state = sim.app.sim
        draw = state.injector.retry_after

        def recorded() -> int:
            value = draw()
            self.retry_after[state.requests_served] = value
            return value

        state.injector.retry_after = recorded  # type: ignore[method-assign]

    # ------------------------------------------------------------------ health

    def assert_healthy(self) -> None:
        """No crash anywhere: app, event loop, poller worker, loggers."""
        gc.collect()  # a task that died unobserved is reported when it is collected
        assert self.app._exception is None, self.app._exception
        assert self.app.is_running
        assert self.app.return_code is None
        assert not self.loop_errors, self.loop_errors
        errors = [
            f"{r.name}: {r.getMessage()}"
            + (f" ({r.exc_info[1]!r})" if r.exc_info and r.exc_info[1] else "")
            for r in self.log_errors.records
        ]
        assert not errors, errors
        assert not self.titled("Polling stopped")
        assert not self.said("Polling stopped")
        workers = [w for w in self.app.workers if w.group == "poller"]
        assert [w.state for w in workers] == [WorkerState.RUNNING], workers

    async def select_running_job(self) -> str:
        """Put the cursor on a live job and wait until the detail pane shows its detail."""
        table = self.table

        def live() -> list[str]:
            return [
                job_id
                for job_id in table.job_ids
                if self.world.job_status(job_id) in ("RUNNING", "QUEUED", "VALIDATING")
            ]

        await wait_for(live, self.pilot, within=5, what="a live job in the table")
        job_id = live()[0]
        await self.pilot.press("g")
        for _ in range(table.job_ids.index(job_id)):
            await self.pilot.press("j")
        assert table.highlighted_job_id == job_id

        def shown() -> bool:
            view = self.app.store.get(job_id)
            job = self.detail.job
            return job is not None and job.id == job_id and view is not None and view.has_detail

        await wait_for(shown, self.pilot, within=5, what="the selected job's detail")

        def selected() -> bool:
            # The cursor rested there: the app told the poller and looked up the job's file
            # names (a request of its own), before any fault starts.
            poller = self.app.poller
            looking_up = any(w.group == "files" and not w.is_finished for w in self.app.workers)
            return poller is not None and poller.selected == job_id and not looking_up

        await wait_for(selected, self.pilot, within=5, what="the selection told the app")
        return job_id

    def detail_shows(self, job_id: str) -> bool:
        job = self.detail.job
        return job is not None and job.id == job_id and job_id[:8] in self.detail.plain_text()


def _settings(base_url: str, list_interval: float, detail_interval: float) -> Settings:
    return Settings(
        server_url=base_url,
        workspace="faults",
        list_interval=list_interval,
        full_list_interval=4 * list_interval,
        detail_interval=detail_interval,
        timeout=CLIENT_TIMEOUT,
    )


def _poller_settings(settings: Settings) -> PollerSettings:
    return PollerSettings(
        list_interval=settings.list_interval,
        full_list_interval=settings.full_list_interval,
        detail_interval=settings.detail_interval,
        pending_detail_interval=settings.detail_interval,
        backoff_base=0.5,
        backoff_cap=BACKOFF_CAP,
    )


@asynccontextmanager
async def running_app(
    *,
    speed: float = 60.0,
    jobs: int = 30,
    list_interval: float = LIST_INTERVAL,
    detail_interval: float = LIST_INTERVAL,
) -> AsyncIterator[Rig]:
    """The app polling a fresh simulated workspace, once it shows the world's jobs."""
    world = World(seed=11, jobs=jobs, live=3, speed=speed, arrivals=True)
    sim = SimulatorThread(world=world)
    base_url = await asyncio.to_thread(sim.start)
    settings = _settings(base_url, list_interval, detail_interval)
    app = FinetopApp(settings, poller_settings=_poller_settings(settings))
    loop = asyncio.get_running_loop()
    previous_handler = loop.get_exception_handler()
    rig_box: list[Rig] = []

    def on_loop_error(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if rig_box:
            rig_box[0].loop_errors.append(context)

    loop.set_exception_handler(on_loop_error)
    errors = _ErrorLog()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            rig = Rig(app=app, pilot=pilot, sim=sim, world=world, log_errors=errors)
            rig.sims.append(sim)
            rig._watch_retry_after(sim)
            rig_box.append(rig)
            original = app.notify

            def notify(message: str, **kwargs: Any) -> None:
                rig.notices.append((message, kwargs))
                original(message, **kwargs)

            app.notify = notify  # type: ignore[method-assign]
            await wait_for(rig.shows_world, pilot, within=8, what="the first listing")
            yield rig
            assert loop.get_exception_handler() is on_loop_error
            rig.assert_healthy()
    finally:
        root.removeHandler(errors)
        loop.set_exception_handler(previous_handler)
        for started in rig_box[0].sims if rig_box else [sim]:
            await asyncio.to_thread(started.stop)
