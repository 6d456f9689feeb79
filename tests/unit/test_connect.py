"""Connection setup: the key read when connecting, the demo simulator started and always stopped."""

from __future__ import annotations

import sys
import threading

import attrs
import httpx
import pytest

from tui import __version__
from tui.errors import FinetopError, InsecureURLError
from tui.headless.connect import Connection, open_client, resolve_key
from tui.settings.config import KeyKind, KeySource, Secret, Settings, load_settings
from tui.settings.key import ApiKeyError
from tui.sim.options import SimOptions

SECRET = "sk-connect-test-5a4b3c2d1e"
EMPTY_PAGE = {"object": "list", "total": 0, "data": []}


def simulator_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "finetop-sim" and t.is_alive()]


def recording_transport(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=EMPTY_PAGE)

    return httpx.MockTransport(handle)


def command_settings(command: str) -> Settings:
    return Settings(api_key=KeySource(kind=KeyKind.COMMAND, origin="test", command=command))


async def test_demo_mode_serves_the_simulator_and_stops_it() -> None:
    settings = load_settings(env={})
    assert settings.demo
    async with open_client(settings) as conn:
        assert conn.demo is True
        assert conn.workspace == "demo"
        assert conn.base_url.startswith("http://127.0.0.1:")
        page = await conn.client.list_jobs(page_size=100)
        assert page.total >= SimOptions.demo().jobs
        # Something is training from the very first answer (the app's cursor starts on it).
        assert any(job.status == "RUNNING" for job in page.data)
        assert simulator_threads()
        base_url = conn.base_url
    assert not simulator_threads()
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as plain:
            await plain.get(f"{base_url}/v1/fine_tuning/jobs")


async def test_key_is_sent_as_a_bearer_token_with_finetop_user_agent() -> None:
    seen: list[httpx.Request] = []
    settings = load_settings(env={"MISTRAL_API_KEY": SECRET})
    async with open_client(settings, transport=recording_transport(seen)) as conn:
        assert conn.demo is False
        assert conn.base_url == "https://api.mistral.ai"
        assert conn.workspace == "api.mistral.ai"
        await conn.client.list_jobs()
    [request] = seen
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert request.headers["user-agent"].startswith(f"finetop/{__version__}")
    assert str(request.url).startswith("https://api.mistral.ai/v1/fine_tuning/jobs")


async def test_key_command_runs_when_connecting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINETOP_TEST_KEY", SECRET)
    settings = command_settings(
        f"{sys.executable} -c \"import os; print(os.environ['FINETOP_TEST_KEY'])\""
    )
    seen: list[httpx.Request] = []
    connection = Connection(settings, transport=recording_transport(seen))
    async with connection as conn:
        await conn.client.list_jobs()
        assert conn.settings.api_key.value == Secret(SECRET)
    assert seen[0].headers["authorization"] == f"Bearer {SECRET}"


async def test_a_failing_key_command_leaves_nothing_running() -> None:
    connection = Connection(command_settings(f"{sys.executable} -c 'exit(9)'"))
    with pytest.raises(ApiKeyError, match="exit status 9"):
        await connection.start()
    assert not connection.is_open
    assert not simulator_threads()


def test_resolve_key_leaves_env_demo_and_resolved_settings_alone() -> None:
    env_settings = load_settings(env={"MISTRAL_API_KEY": SECRET})
    assert resolve_key(env_settings) is env_settings
    demo = attrs.evolve(command_settings("false"), demo=True)
    assert resolve_key(demo) is demo  # demo mode never runs the command
    done = command_settings("unused")
    done = attrs.evolve(done, api_key=attrs.evolve(done.api_key, value=Secret(SECRET)))
    assert resolve_key(done) is done


async def test_simulator_stopped_when_the_client_cannot_be_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_client(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no client today")

    monkeypatch.setattr("tui.api.client.MistralClient", broken_client)
    with pytest.raises(RuntimeError, match="no client today"):
        await Connection(Settings(demo=True)).start()
    assert not simulator_threads()


async def test_client_property_and_double_stop() -> None:
    connection = Connection(Settings(demo=True))
    with pytest.raises(RuntimeError, match="not open"):
        _ = connection.client
    await connection.start()
    await connection.start()  # already open: no second simulator
    assert len(simulator_threads()) == 1
    await connection.stop()
    await connection.stop()
    assert not simulator_threads()


async def test_client_also_refuses_insecure_http() -> None:
    # Settings built directly skip load_settings' check; the client enforces the rule too.
    settings = Settings(
        server_url="http://example.com",
        api_key=KeySource(kind=KeyKind.ENV, env_name="X", value=Secret(SECRET)),
    )
    with pytest.raises(InsecureURLError):
        await Connection(settings).start()
    allowed = attrs.evolve(settings, insecure_http=True)
    async with open_client(allowed, transport=recording_transport([])) as conn:
        assert conn.base_url == "http://example.com"


async def test_a_simulator_that_cannot_start_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(self: object, timeout: float = 10.0) -> str:
        raise OSError("no ports left")

    monkeypatch.setattr("tui.sim.runner.SimulatorThread.start", refuse)
    connection = Connection(Settings(demo=True))
    with pytest.raises(FinetopError, match="simulator did not start: no ports left"):
        await connection.start()
    assert not connection.is_open
