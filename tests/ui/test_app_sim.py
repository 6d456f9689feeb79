"""The app against the simulator mounted in-process, on one ManualClock shared with its world."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from textual.pilot import Pilot

from tests.ui.helpers import Recorder, settings, settle, wait_for
from tui.api.client import MistralClient, RetryPolicy
from tui.api.clock import ManualClock
from tui.app.app import FinetopApp
from tui.app.messages import CheckpointsArrived, JobFinished
from tui.app.screens.confirm import ConfirmModal
from tui.app.widgets.chart_pane import ChartPane
from tui.app.widgets.detail_pane import DetailPane
from tui.app.widgets.job_table import JobTable
from tui.app.widgets.status_line import StatusLine
from tui.sim.app import create_app
from tui.sim.lifecycle import planned_end
from tui.sim.world import World

SIM_START = 1_780_000_000.0


class Switchable(httpx.AsyncBaseTransport):
    """The simulator's transport, with a switch that turns it into a dead network."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.broken = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.broken:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


@asynccontextmanager
async def sim_app(
    *, faults: str | None = None, size: tuple[int, int] = (120, 40), **overrides: Any
) -> AsyncIterator[tuple[FinetopApp, Pilot[Any], World, ManualClock, Switchable, Recorder]]:
    clock = ManualClock(SIM_START)
    world = World(seed=7, jobs=30, live=3, speed=60.0, clock=clock, arrivals=False)
    transport = Switchable(httpx.ASGITransport(app=create_app(world, faults=faults)))
    client = MistralClient(
        "http://127.0.0.1:9", None, transport=transport, retry=RetryPolicy(attempts=1), clock=clock
    )
    app = FinetopApp(settings(**overrides), client=client, clock=clock)
    recorder = Recorder()
    recorder.attach(app)
    async with app.run_test(size=size, message_hook=recorder.hook) as pilot:
        yield app, pilot, world, clock, transport, recorder
    await client.aclose()


def table_of(app: FinetopApp) -> JobTable:
    return app.main_screen.query_one(JobTable)


async def test_rows_show_the_simulated_workspace() -> None:
    async with sim_app() as (app, pilot, world, _, _, _):
        table = table_of(app)
        await wait_for(lambda: table.row_count == len(world.job_ids()), pilot)
        assert table.job_ids == world.job_ids()
        line = app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "updated 0 s ago" in line.plain, pilot)
        assert "DEMO" in line.plain


async def _highlight(app: FinetopApp, pilot: Pilot[Any], job_id: str) -> None:
    table = table_of(app)
    await wait_for(lambda: job_id in table.job_ids, pilot)
    await pilot.press("g")
    for _ in range(table.job_ids.index(job_id)):
        await pilot.press("j")
    assert table.highlighted_job_id == job_id


def _running(app: FinetopApp) -> list[str]:
    return [v.id for v in app.store.jobs() if v.job.status == "RUNNING"]


async def test_a_checkpoint_arriving_while_open_reaches_detail_and_chart() -> None:
    async with sim_app() as (app, pilot, world, clock, _, recorder):
        await wait_for(lambda: _running(app), pilot)
        # The run that goes on longest, so that it still trains after the clock moves on.
        job_id = max(_running(app), key=lambda j: planned_end(world.sim_job(j)) or 0.0)
        await _highlight(app, pilot, job_id)
        detail = app.main_screen.query_one(DetailPane)
        pane = app.main_screen.query_one(ChartPane)
        await wait_for(lambda: app.store.get(job_id).has_detail, pilot)  # type: ignore[union-attr]
        await wait_for(lambda: pane.job_id == job_id, pilot)
        before = len(pane.chart.runs[0].train)
        step_before = app.store.get(job_id).summary.step or 0  # type: ignore[union-attr]
        clock.advance(30)  # half a minute of the world at 60x: plenty of new steps
        assert world.job_status(job_id) == "RUNNING"
        await pilot.press("r")
        await wait_for(
            lambda: (app.store.get(job_id).summary.step or 0) > step_before,  # type: ignore[union-attr]
            pilot,
        )
        await wait_for(lambda: len(pane.chart.runs[0].train) > before, pilot)
        arrived = [m for m in recorder.of(CheckpointsArrived) if m.job_id == job_id]
        assert arrived
        assert arrived[-1].checkpoints[-1].step_number == app.store.get(job_id).summary.step  # type: ignore[union-attr]
        assert detail.job is not None
        assert detail.job.id == job_id
        step = app.store.get(job_id).summary.step  # type: ignore[union-attr]
        assert f"{step}/" in str(table_of(app).get_cell(job_id, "progress"))


async def test_one_notification_per_finished_job() -> None:
    async with sim_app() as (app, pilot, world, clock, _, recorder):
        await wait_for(lambda: _running(app), pilot)
        live = set(_running(app))
        for _ in range(40):
            clock.advance(600)
            await pilot.press("r")
            await settle(app, pilot)
            if all(world.job_status(job_id) not in ("RUNNING",) for job_id in live):
                break
        finished = {job_id for job_id in live if world.job_status(job_id) != "RUNNING"}
        assert finished
        await wait_for(lambda: {m.job_id for m in recorder.of(JobFinished)} >= finished, pilot)
        clock.advance(600)
        await pilot.press("r")
        await settle(app, pilot)
        ids = [m.job_id for m in recorder.of(JobFinished)]
        assert len(ids) == len(set(ids))
        assert len(recorder.titled("Job finished")) == len(ids)


async def test_cancel_a_running_job_on_the_simulator() -> None:
    async with sim_app() as (app, pilot, world, _, _, recorder):
        await wait_for(lambda: _running(app), pilot)
        job_id = _running(app)[0]
        await _highlight(app, pilot, job_id)
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await wait_for(lambda: world.job_status(job_id) != "RUNNING", pilot)
        await wait_for(lambda: recorder.titled("Cancel requested"), pilot)
        await wait_for(
            lambda: app.store.get(job_id).job.status != "RUNNING",  # type: ignore[union-attr]
            pilot,
        )


async def test_start_a_parked_validated_job_on_the_simulator() -> None:
    async with sim_app() as (app, pilot, world, _, _, recorder):
        await wait_for(lambda: len(app.store) > 0, pilot)
        parked = [
            v.id for v in app.store.jobs() if v.job.status == "VALIDATED" and not v.job.auto_start
        ]
        assert parked, "the seeded world has a VALIDATED job waiting for /start"
        job_id = parked[0]
        await _highlight(app, pilot, job_id)
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await wait_for(lambda: recorder.titled("Start requested"), pilot)
        assert world.job_status(job_id) != "VALIDATED"


async def test_offline_under_server_faults() -> None:
    async with sim_app(faults="500:1.0") as (app, pilot, _, clock, _, recorder):
        line = app.main_screen.query_one(StatusLine)
        # One failed poll: stale, retrying; a second one in a row: offline (the poller's rule).
        await wait_for(lambda: "◐ stale — retrying in" in line.plain, pilot)
        assert "(server error)" in line.plain
        clock.advance(600)  # past the backoff
        await wait_for(lambda: "✖ offline — retrying in" in line.plain, pilot)
        assert "(server error)" in line.plain
        assert len(recorder.titled("Offline: server error")) == 1


async def test_no_network_then_recovery() -> None:
    async with sim_app() as (app, pilot, _, clock, transport, recorder):
        line = app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "updated" in line.plain, pilot)
        transport.broken = True
        await pilot.press("r")
        await wait_for(lambda: "offline" in line.plain, pilot)
        assert "no network" in line.plain
        transport.broken = False
        clock.advance(600)  # past the backoff
        await wait_for(lambda: "updated" in line.plain, pilot)
        await wait_for(lambda: any("Back online" in m for m, _ in recorder.notices), pilot)


async def test_stale_while_paused() -> None:
    async with sim_app() as (app, pilot, _, clock, _, _):
        line = app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "updated" in line.plain, pilot)
        await pilot.press("p")
        clock.advance(300)
        await wait_for(lambda: "stale" in line.plain, pilot)
        assert "PAUSED" in line.plain
        assert "updated 5 min ago" in line.plain
