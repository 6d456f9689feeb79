"""The client against finetop's simulator, in process: real wire payloads end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from api_payloads import RecordingClock

from tui.api.backoff import Backoff
from tui.api.client import MistralClient, RetryPolicy
from tui.api.clock import ManualClock
from tui.api.convert import unstructure
from tui.api.errors import (
    AuthenticationError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from tui.api.models import JobKind, JobStatus, StatusGroup
from tui.sim.app import create_app
from tui.sim.world import World

START = 1_760_000_000.0


@pytest.fixture
def world() -> World:
    return World(seed=11, jobs=140, live=3, speed=60.0, clock=ManualClock(START), arrivals=False)


def client_for(
    app: Any, clock: RecordingClock, *, key: str | None = None, attempts: int = 1
) -> MistralClient:
    return MistralClient(
        "http://127.0.0.1:9",
        key,
        transport=httpx.ASGITransport(app=app),
        retry=RetryPolicy(attempts=attempts, backoff=Backoff(jitter=0.0)),
        clock=clock,
    )


@pytest.fixture
async def client(world: World, clock: RecordingClock) -> AsyncIterator[MistralClient]:
    async with client_for(create_app(world), clock) as client:
        yield client


async def test_every_simulated_job_lists_and_reads(client: MistralClient, world: World) -> None:
    jobs = await client.list_all_jobs(page_size=50)
    assert [job.id for job in jobs] == world.job_ids()
    assert {job.kind for job in jobs} <= {JobKind.COMPLETION, JobKind.CLASSIFIER}
    for job in jobs[:25]:
        detail = await client.get_job(job.id)
        assert detail.id == job.id
        assert unstructure(detail) == world.job(job.id)  # the model holds the whole payload
        steps = [c.step_number for c in detail.checkpoints_by_step]
        assert steps == sorted(steps)


async def test_filters_reach_the_simulator(client: MistralClient, world: World) -> None:
    succeeded = await client.list_all_jobs(status="SUCCESS")
    assert succeeded
    assert all(job.status == JobStatus.SUCCESS for job in succeeded)
    assert len(succeeded) == sum(world.job_status(i) == "SUCCESS" for i in world.job_ids())


async def test_cancel_a_live_job(client: MistralClient) -> None:
    live = [j for j in await client.list_all_jobs() if j.status_group is StatusGroup.RUNNING]
    assert live
    cancelled = await client.cancel_job(live[0].id)
    assert cancelled.status in {"CANCELLATION_REQUESTED", "CANCELLED"}


async def test_files_and_unknown_jobs(client: MistralClient) -> None:
    job = (await client.list_jobs(page_size=1)).data[0]
    file = await client.get_file(job.training_files[0])
    assert file.id == job.training_files[0]
    assert file.filename
    with pytest.raises(NotFoundError, match="job not found — deleted or in another workspace"):
        await client.get_job("00000000-0000-4000-8000-000000000000")


async def test_archive_round_trip(client: MistralClient) -> None:
    done = [j for j in await client.list_all_jobs(status="SUCCESS") if j.fine_tuned_model]
    model = done[0].fine_tuned_model
    assert model is not None
    assert (await client.archive_model(model)).archived is True
    assert (await client.unarchive_model(model)).archived is False


async def test_wrong_key(world: World, clock: RecordingClock) -> None:
    app = create_app(world, api_key="sk-right")
    async with client_for(app, clock, key="sk-wrong") as wrong:
        with pytest.raises(AuthenticationError) as caught:
            await wrong.list_jobs()
    assert "sk-wrong" not in str(caught.value)
    async with client_for(app, clock, key="sk-right") as right:
        assert (await right.list_jobs()).total == len(world)


async def test_rate_limit_and_its_headers(world: World, clock: RecordingClock) -> None:
    async with client_for(create_app(world, rate_limit=2), clock) as client:
        await client.list_jobs(page_size=1)
        assert client.rate_limits is not None
        assert client.rate_limits.limit_requests_minute == 2
        assert client.rate_limits.remaining_requests_minute == 1
        await client.list_jobs(page_size=1)
        with pytest.raises(RateLimitedError) as caught:
            await client.list_jobs(page_size=1)
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0
    assert client.rate_limits.remaining_requests_minute == 0


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ("500:1", ServerError),
        ("html502:1", ServerError),
        ("503:1", ServerError),
        ("429:1", RateLimitedError),
    ],
)
async def test_injected_faults_are_retried_then_reported(
    world: World, clock: RecordingClock, faults: str, error: type[Exception]
) -> None:
    async with client_for(create_app(world, faults=faults), clock, attempts=3) as client:
        with pytest.raises(error) as caught:
            await client.list_jobs()
    assert len(clock.sleeps) == 2
    assert "<" not in str(caught.value)


async def test_a_dropped_connection_is_a_transport_error(
    world: World, clock: RecordingClock
) -> None:
    async with client_for(create_app(world, faults="drop:1"), clock) as client:
        with pytest.raises(TransportError, match="dropped"):
            await client.get_job(world.job_ids()[0])
