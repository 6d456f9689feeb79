"""Fault injection: every kind, seeded and reproducible, switchable at run time."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time

import httpx
import pytest

from tui.api.clock import ManualClock
from tui.sim.app import create_app
from tui.sim.drift import UNKNOWN_STATUSES
from tui.sim.faults import Fault, FaultSpec, FaultSpecError
from tui.sim.runner import SimulatorThread
from tui.sim.world import World

JOBS = "/v1/fine_tuning/jobs"
FULL = (
    "429:0.05,500:0.02,502:0.01,503:0.02,html520:0.01,"
    "slow:0.05@3s,drop:0.01,truncate:0.01,drift:0.1"
)


def test_parse_the_full_spec() -> None:
    spec = FaultSpec.parse(FULL)
    assert [f.kind for f in spec.faults] == [
        "status", "status", "status", "status", "html", "slow", "drop", "truncate", "drift",
    ]  # fmt: skip
    assert spec.faults[5] == Fault("slow", 0.05, delay=3.0)
    assert spec.faults[4] == Fault("html", 0.01, status=520)
    assert str(spec) == FULL
    assert FaultSpec.parse(str(spec)) == spec
    assert not FaultSpec.parse("")
    assert not FaultSpec.parse(None)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("500", "expected kind:probability"),
        ("500:x", "not a probability"),
        ("500:1.5", "between 0 and 1"),
        ("200:0.1", "4xx or 5xx"),
        ("boom:0.1", "unknown fault"),
        ("slow:0.1@soon", "not a delay"),
        ("drop:0.1@3s", "only slow"),
        ("500:0.7,502:0.7", "more than 1"),
    ],
)
def test_bad_specs_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(FaultSpecError, match=fragment):
        FaultSpec.parse(text)


async def statuses(client: httpx.AsyncClient, n: int) -> list[int]:
    return [(await client.get(JOBS, params={"page_size": 1})).status_code for _ in range(n)]


@pytest.mark.parametrize(
    ("spec", "status", "body", "retry_after"),
    [
        (
            "429:1",
            429,
            {
                "object": "error",
                "message": "Requests rate limit exceeded",
                "type": "rate_limited",
                "param": None,
                "code": "1300",
            },
            True,
        ),
        ("500:1", 500, {"detail": "Internal Server Error"}, False),
        ("503:1", 503, None, True),
        ("502:1", 502, None, False),
    ],
)
async def test_status_faults_send_real_bodies(
    world: World, client_for, spec: str, status: int, body: dict | None, retry_after: bool
) -> None:
    async with client_for(create_app(world, faults=spec)) as client:
        response = await client.get(JOBS)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    if body is not None:
        assert response.json() == body
    else:
        assert set(response.json()) == {"message", "request_id"}
    assert ("retry-after" in response.headers) == retry_after
    if retry_after:
        assert 1 <= int(response.headers["retry-after"]) <= 5


async def test_html_error_page(world: World, client_for) -> None:
    async with client_for(create_app(world, faults="html520:1")) as client:
        response = await client.get(JOBS)
    assert response.status_code == 520
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_truncated_json_with_matching_length(world: World, client_for) -> None:
    async with client_for(create_app(world, faults="truncate:1")) as client:
        response = await client.get(JOBS, params={"page_size": 3})
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert response.text.startswith('{"data":[')


async def test_schema_drift(world: World, client_for) -> None:
    app = create_app(world, faults="drift:1", fault_seed=3)
    async with client_for(app) as client:
        pages = [(await client.get(JOBS)).json() for _ in range(5)]
        details = [(await client.get(f"{JOBS}/{item['id']}")).json() for item in pages[0]["data"]]
    items = [item for page in pages for item in page["data"]]
    assert all("x_priority_class" in item for item in items)
    assert any(item["status"] in UNKNOWN_STATUSES for item in items)
    assert any(item["job_type"] == "FT" for item in items)
    events = [event for detail in details for event in detail["events"]]
    assert any("data" not in event for event in events)
    assert any("data" in event for event in events)


async def test_slow_waits_on_the_world_clock(world: World, client_for, request_lines, held) -> None:
    app = create_app(world, faults="slow:1@3s", request_log=request_lines.append)
    async with client_for(app) as client:
        response = await held(asyncio.create_task(client.get(JOBS)), 3.0)
    assert response.status_code == 200
    assert request_lines[0].endswith("[fault slow]")


async def test_drop_in_process_raises_remote_protocol_error(world: World, client_for) -> None:
    app = create_app(world, faults="drop:1")
    async with client_for(app) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(JOBS)
    assert app.sim.requests_served == 1
    assert app.sim.records[0].status == 0


def test_drop_over_a_real_socket(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with (
        SimulatorThread(world=world, faults="drop:1") as sim,
        httpx.Client(base_url=sim.base_url, timeout=5) as client,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(JOBS)
        sim.set_faults(None)  # once the faults stop, the same client recovers
        assert client.get(JOBS).status_code == 200
        assert sim.requests_served == 2
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_faults_can_be_switched_off_at_run_time(world: World, client_for) -> None:
    app = create_app(world, faults="500:1")
    async with client_for(app) as client:
        assert await statuses(client, 3) == [500, 500, 500]
        app.set_faults(None)
        assert await statuses(client, 3) == [200, 200, 200]
        app.set_faults(FaultSpec.parse("503:1"))
        assert await statuses(client, 1) == [503]
    assert app.sim.injector.injected == {"500": 3, "503": 1}


async def test_faults_are_seeded_and_reproducible(clock: ManualClock, client_for) -> None:
    async def run(seed: int) -> list[int]:
        world = World(seed=1, jobs=5, live=0, clock=clock, arrivals=False)
        app = create_app(world, faults="500:0.3,502:0.2", fault_seed=seed)
        async with client_for(app) as client:
            return await statuses(client, 40)

    first, again, other = await run(9), await run(9), await run(10)
    assert first == again
    assert first != other
    assert {500, 502, 200} == set(first)


def test_stop_releases_a_delayed_response(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """Shutting down ends ``slow`` waits: the client gets its answer, nothing is cancelled."""
    caplog.set_level(logging.WARNING)
    sim = SimulatorThread(world=world, faults="slow:1@600s")
    url = sim.start()
    results: list[int] = []

    def call() -> None:
        results.append(httpx.get(url + JOBS, timeout=30).status_code)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 10
    while not sim.app.sim.delayed_responses and time.monotonic() < deadline:
        time.sleep(0.005)  # waiting for the request to reach the delay
    sim.stop()
    caller.join(10)
    assert results == [200]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
