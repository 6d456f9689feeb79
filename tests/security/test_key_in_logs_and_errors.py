"""The API key never appears in logs, screenshots, exception messages or reprs.

A real simulator serves loopback HTTP (so httpx *and* httpcore do their real logging) and
requires the key. Everything is logged at DEBUG while the client is used directly and while the
app runs under Pilot; then every log record, every error the client raises (401, 500, transport)
with its whole traceback chain, and the reprs of the objects that hold the key are searched.
"""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Iterator

import pytest
from textual.command import CommandPalette

from tests.security.keys import KEY, WRONG_KEY, assert_no_key
from tests.ui.helpers import settings, wait_for
from tui.api.client import MistralClient, RetryPolicy
from tui.api.errors import AuthenticationError, ServerError, TransportError
from tui.app.app import FinetopApp
from tui.app.widgets.job_table import JobTable
from tui.errors import FinetopError
from tui.headless.connect import Connection
from tui.settings.config import load_settings
from tui.settings.key import KeyKind, KeySource, Secret
from tui.sim.runner import SimulatorThread
from tui.sim.world import World

NO_RETRY = RetryPolicy(attempts=1)


class SimLog:
    """The simulator's request log lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)


@pytest.fixture
def sim() -> Iterator[tuple[SimulatorThread, SimLog]]:
    """A simulator on a loopback port that requires ``KEY``."""
    log = SimLog()
    world = World(seed=7, jobs=10, live=2, arrivals=False)
    with SimulatorThread(world=world, api_key=KEY, request_log=log) as server:
        yield server, log


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Everything at DEBUG, including the HTTP stack's own loggers."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "finetop", "tui", "textual", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _assert_records_clean(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert_no_key(record.getMessage(), f"log record {record.name}")
        assert_no_key(repr(record.args), f"log record args {record.name}")
        if record.exc_info:
            assert_no_key("".join(traceback.format_exception(*record.exc_info)), record.name)
    assert_no_key(caplog.text, "the captured log")


def _whole_story(error: BaseException) -> str:
    """Everything a traceback would print: message, repr, chained causes."""
    return "\n".join(
        [str(error), repr(error), repr(error.args), *traceback.format_exception(error)]
    )


async def test_client_calls_log_nothing_secret(
    sim: tuple[SimulatorThread, SimLog], debug_logs: pytest.LogCaptureFixture
) -> None:
    server, log = sim
    async with MistralClient(server.base_url, KEY, retry=NO_RETRY) as client:
        page = await client.list_jobs()
        assert page.data
        running = [job for job in page.data if job.status == "RUNNING"]
        await client.get_job(page.data[0].id)
        await client.cancel_job(running[0].id)  # a POST too
        assert_no_key(repr(client), "repr(client)")
        assert_no_key(str(vars(client)), "vars(client)")
    # The capture did see the HTTP stack at work, so its silence about the key means something.
    assert any(r.name.startswith("httpx") for r in debug_logs.records)
    assert any(r.name.startswith("httpcore") for r in debug_logs.records)
    _assert_records_clean(debug_logs)
    assert any("POST" in line for line in log.lines)
    assert_no_key("\n".join(log.lines), "the simulator's request log")


async def test_the_app_logs_and_screenshots_nothing_secret(
    sim: tuple[SimulatorThread, SimLog], debug_logs: pytest.LogCaptureFixture
) -> None:
    server, log = sim
    client = MistralClient(server.base_url, KEY, retry=NO_RETRY)
    app = FinetopApp(settings(demo=False, server_url=server.base_url), client=client)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.main_screen.query_one(JobTable)
        await wait_for(lambda: table.row_count >= 10, pilot)
        screenshots = [app.export_screenshot()]
        await pilot.press("j", "enter", "question_mark")
        screenshots.append(app.export_screenshot())
        await pilot.press("escape", "ctrl+p")
        await wait_for(lambda: isinstance(app.screen, CommandPalette), pilot)
        screenshots.append(app.export_screenshot())
        await pilot.press("escape")
    await client.aclose()
    for index, svg in enumerate(screenshots):
        assert "<svg" in svg
        assert_no_key(svg, f"screenshot #{index}")
    assert any(line.startswith("GET /v1/fine_tuning/jobs") for line in log.lines)
    _assert_records_clean(debug_logs)


async def test_a_refused_key_is_not_in_the_error(
    sim: tuple[SimulatorThread, SimLog], debug_logs: pytest.LogCaptureFixture
) -> None:
    server, log = sim
    async with MistralClient(server.base_url, WRONG_KEY, retry=NO_RETRY) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_jobs()
    assert caught.value.status == 401
    assert_no_key(_whole_story(caught.value), "the 401 error")
    assert any(" 401 " in line for line in log.lines)
    _assert_records_clean(debug_logs)


async def test_server_and_transport_errors_hold_no_key(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    failing = SimulatorThread(world=World(seed=7, jobs=3, live=0), api_key=KEY, faults="500:1")
    with failing:
        async with MistralClient(failing.base_url, KEY, retry=NO_RETRY) as client:
            with pytest.raises(ServerError) as server_error:
                await client.list_jobs()
    assert server_error.value.status == 500
    assert_no_key(_whole_story(server_error.value), "the 500 error")

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    async with MistralClient(f"http://127.0.0.1:{closed_port}", KEY, retry=NO_RETRY) as client:
        with pytest.raises(TransportError) as transport_error:
            await client.get_job("0" * 8)
    assert_no_key(_whole_story(transport_error.value), "the transport error")
    _assert_records_clean(debug_logs)


def test_a_key_that_cannot_be_sent_is_refused_without_echoing_it() -> None:
    for bad in (f"{KEY}\nmore", f"{KEY} extra", f"{KEY}\x00", f"{KEY}\u00e9"):
        with pytest.raises(FinetopError) as caught:
            MistralClient("http://127.0.0.1:9", bad)
        assert_no_key(_whole_story(caught.value), f"the error for {bad!r}")


async def test_reprs_of_everything_holding_the_key() -> None:
    secret = Secret(KEY)
    assert_no_key(repr(secret), "repr(Secret)")
    assert_no_key(str(secret), "str(Secret)")
    assert_no_key(f"{secret} {secret!r} {secret:>40}", "formatted Secret")
    assert secret.reveal() == KEY  # the wrapper still holds it, for the Authorization header

    source = KeySource(kind=KeyKind.ENV, origin="env:MISTRAL_API_KEY", value=secret)
    assert_no_key(repr(source), "repr(KeySource)")
    assert_no_key(source.describe(), "KeySource.describe()")

    loaded = load_settings({"server_url": "http://127.0.0.1:9"}, env={"MISTRAL_API_KEY": KEY})
    assert loaded.api_key.value == secret
    for text in (repr(loaded), str(loaded)):
        assert_no_key(text, "Settings")

    connection = Connection(loaded, retry=NO_RETRY)
    await connection.start()
    try:
        assert_no_key(repr(connection), "repr(Connection)")
        assert_no_key(repr(vars(connection)), "vars(Connection)")
        assert_no_key(repr(connection.client), "repr(MistralClient)")
        assert_no_key(repr(vars(connection.client)), "vars(MistralClient)")
    finally:
        await connection.stop()
