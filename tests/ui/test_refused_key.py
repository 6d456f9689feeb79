"""A refused key: the reason where the jobs would be, no automatic retries, and ``r`` reads the
key again (``api_key_command`` runs again) before retrying."""

from __future__ import annotations

import shlex
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from textual.pilot import Pilot

from tests.ui.helpers import Recorder, settings, wait_for
from tui.api.client import RetryPolicy
from tui.api.clock import ManualClock
from tui.app.app import FinetopApp
from tui.app.widgets.job_table import JobTable
from tui.app.widgets.status_line import StatusLine
from tui.headless.connect import Connection
from tui.monitor.status import PollerState
from tui.settings.key import KeyKind, KeySource
from tui.sim.app import create_app
from tui.sim.world import World

RIGHT_KEY = "sk-right-key-0123456789"
WRONG_KEY = "sk-wrong-key-9876543210"
SIM_START = 1_780_000_000.0


class Counting(httpx.AsyncBaseTransport):
    """The simulator's transport, counting the requests that reach it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await self.inner.handle_async_request(request)


@asynccontextmanager
async def refused(
    key_file: Path,
) -> AsyncIterator[tuple[FinetopApp, Pilot[Any], Counting, ManualClock, Recorder]]:
    """The app on a simulator that wants ``RIGHT_KEY``, its key read by a command from a file."""
    clock = ManualClock(SIM_START)
    world = World(seed=3, jobs=5, live=1, clock=clock, arrivals=False)
    transport = Counting(httpx.ASGITransport(app=create_app(world, api_key=RIGHT_KEY)))
    code = f"print(open({str(key_file)!r}).read().strip())"
    source = KeySource(
        kind=KeyKind.COMMAND,
        origin="test",
        command=f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}",
    )
    config = settings(demo=False, server_url="http://127.0.0.1:9", api_key=source)
    connection = Connection(config, retry=RetryPolicy(attempts=1), transport=transport, clock=clock)
    app = FinetopApp(config, connection=connection, clock=clock)
    recorder = Recorder()
    recorder.attach(app)
    async with app.run_test(size=(120, 30), message_hook=recorder.hook) as pilot:
        yield app, pilot, transport, clock, recorder


async def test_a_refused_key_is_said_where_the_jobs_would_be(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(WRONG_KEY)
    async with refused(key_file) as (app, pilot, transport, clock, recorder):
        table = app.main_screen.query_one(JobTable)
        line = app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "auth failed — r to retry" in line.plain, pilot)
        await wait_for(lambda: "authentication failed" in table.empty_text, pilot)
        assert "press r" in table.empty_text
        assert WRONG_KEY not in table.empty_text
        assert len(recorder.titled("Offline: auth failed")) == 1

        # No automatic retries: an hour later, not one more request.
        assert app.poller is not None
        await app.poller.wait_idle()
        sent = transport.requests
        clock.advance(3600)
        await app.poller.wait_idle()
        await pilot.pause()
        assert transport.requests == sent
        assert app.poller.status.state is PollerState.HALTED

        # The user fixes the key and presses r: the command runs again, polling resumes.
        key_file.write_text(RIGHT_KEY)
        await pilot.press("r")
        await wait_for(lambda: table.row_count == 6, pilot)
        await wait_for(lambda: "● updated" in line.plain, pilot)
        assert app.poller.status.state is PollerState.OK


async def test_r_with_the_same_wrong_key_is_refused_again_and_halts_again(
    tmp_path: Path,
) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(WRONG_KEY)
    async with refused(key_file) as (app, pilot, transport, _, _):
        line = app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "auth failed — r to retry" in line.plain, pilot)
        sent = transport.requests
        await pilot.press("r")
        await wait_for(lambda: transport.requests > sent, pilot)
        assert app.poller is not None
        await wait_for(lambda: app.poller.status.state is PollerState.HALTED, pilot)  # type: ignore[union-attr]
        assert "auth failed — r to retry" in line.plain
