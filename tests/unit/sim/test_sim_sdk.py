"""The official SDK (mistralai 2.5.x) works unchanged against the simulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tui.api.clock import ManualClock
from tui.sim.runner import SimulatorThread
from tui.sim.world import World

mistralai_client = pytest.importorskip("mistralai.client")
errors = pytest.importorskip("mistralai.client.errors")

KEY = "sk-sim-test-key"


@pytest.fixture
def sim(world: World) -> Iterator[SimulatorThread]:
    with SimulatorThread(world=world, api_key=KEY) as running:
        yield running


@pytest.fixture
def sdk(sim: SimulatorThread):  # type: ignore[no-untyped-def]
    with mistralai_client.Mistral(api_key=KEY, server_url=sim.base_url) as client:
        yield client


def test_list_pages_and_filters(sdk, world: World, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    page = sdk.fine_tuning.jobs.list(page=0, page_size=10)
    assert page.total == len(world) == 43
    assert len(page.data) == 10
    assert page.data[0].id == world.job_ids()[0]
    assert {type(job).__name__ for job in page.data} <= {
        "CompletionFineTuningJob",
        "ClassifierFineTuningJob",
    }
    succeeded = sdk.fine_tuning.jobs.list(status="SUCCESS", page_size=100)
    assert succeeded.total == world.counts()["SUCCESS"]
    assert all(job.status == "SUCCESS" for job in succeeded.data)
    since = datetime.fromtimestamp(clock.time(), UTC) - timedelta(days=7)
    recent = sdk.fine_tuning.jobs.list(created_after=since, page_size=100)
    assert 0 < recent.total < page.total
    assert all(job.created_at >= since.timestamp() for job in recent.data)


def test_get_every_job(sdk, world: World) -> None:  # type: ignore[no-untyped-def]
    for job_id in world.job_ids():
        job = sdk.fine_tuning.jobs.get(job_id=job_id)
        assert type(job).__name__ in {
            "CompletionFineTuningJobDetails",
            "ClassifierFineTuningJobDetails",
        }
        assert job.id == job_id
        assert job.status == world.job_status(job_id)
        assert len(job.checkpoints) == len(world.job(job_id)["checkpoints"])


def test_start_and_cancel(sdk, world: World) -> None:  # type: ignore[no-untyped-def]
    waiting = next(i for i in world.job_ids() if world.job_status(i) == "VALIDATED")
    started = sdk.fine_tuning.jobs.start(job_id=waiting)
    assert started.status == "QUEUED"
    assert started.metadata.estimated_start_time is not None
    cancelled = sdk.fine_tuning.jobs.cancel(job_id=waiting)
    assert cancelled.status == "CANCELLATION_REQUESTED"


def test_errors_reach_the_sdk(sdk, sim: SimulatorThread) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(errors.SDKError) as missing:
        sdk.fine_tuning.jobs.get(job_id="00000000-0000-4000-8000-000000000000")
    assert missing.value.status_code == 404
    with (
        mistralai_client.Mistral(api_key="wrong", server_url=sim.base_url) as other,
        pytest.raises(errors.SDKError) as denied,
    ):
        other.fine_tuning.jobs.list()
    assert denied.value.status_code == 401


def test_models_and_files(sdk, world: World) -> None:  # type: ignore[no-untyped-def]
    models = sdk.models.list()
    tuned = [m for m in models.data if getattr(m, "type", None) == "fine-tuned"]
    assert tuned
    assert sdk.models.archive(model_id=tuned[0].id).archived is True
    assert sdk.models.unarchive(model_id=tuned[0].id).archived is False
    file_id = world.job(world.job_ids()[0])["training_files"][0]
    assert sdk.files.retrieve(file_id=file_id).id == file_id
