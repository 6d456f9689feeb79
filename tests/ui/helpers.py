"""Shared helpers for the app's Pilot tests: waiting on conditions, settings, fake jobs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any

import attrs
from textual.pilot import Pilot

from tui.api.errors import ConflictError, NotFoundError
from tui.api.models import (
    Checkpoint,
    CompletionJobDetails,
    CompletionTrainingParameters,
    JobDetails,
    JobsPage,
    Metrics,
    RetrievedFile,
)
from tui.monitor.store import to_list_item
from tui.settings.config import Settings

__all__ = ["FakeClient", "Recorder", "make_job", "settings", "wait_for"]


async def wait_for(
    condition: Callable[[], Any], pilot: Pilot[Any], *, within: float = 10.0, step: float = 0.02
) -> None:
    """Let the app run in small steps until ``condition()`` holds; fail after ``within`` s."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await pilot.pause(step)


def settings(**overrides: Any) -> Settings:
    """Settings for tests: demo workspace, nothing read from disk."""
    base: dict[str, Any] = {"demo": True}
    base.update(overrides)
    return Settings(**base)


def make_job(
    job_id: str,
    *,
    status: str = "RUNNING",
    created_at: int = 1_750_000_000,
    model: str = "open-mistral-7b",
    suffix: str | None = None,
    steps: int = 100,
    checkpoints: Iterable[tuple[int, float, float]] = (),
    auto_start: bool = True,
    fine_tuned_model: str | None = None,
) -> CompletionJobDetails:
    """A completion job with ``(step, train_loss, valid_loss)`` checkpoints."""
    cps = tuple(
        Checkpoint(
            metrics=Metrics(train_loss=train, valid_loss=valid, valid_mean_token_accuracy=2**valid),
            step_number=step,
            created_at=created_at + 60 + step,
        )
        for step, train, valid in checkpoints
    )
    return CompletionJobDetails(
        id=job_id,
        model=model,
        status=status,
        created_at=created_at,
        modified_at=created_at + 60,
        job_type="completion",
        auto_start=auto_start,
        suffix=suffix,
        fine_tuned_model=fine_tuned_model,
        hyperparameters=CompletionTrainingParameters(training_steps=steps),
        checkpoints=cps[::-1],
    )


class FakeClient:
    """An in-memory stand-in for MistralClient (the subset the app uses)."""

    def __init__(
        self, jobs: Iterable[JobDetails] = (), files: dict[str, str] | None = None
    ) -> None:
        self.jobs: dict[str, JobDetails] = {job.id: job for job in jobs}
        self.files: dict[str, str] = dict(files or {})
        """File id -> filename; any other id is not found."""
        self.calls: list[tuple[str, object]] = []
        self.fail_with: Exception | None = None

    def set_status(self, job_id: str, status: str) -> None:
        self.jobs[job_id] = attrs.evolve(self.jobs[job_id], status=status)

    async def list_jobs(self, *, page: int = 0, page_size: int = 100, **_: Any) -> JobsPage:
        self.calls.append(("list", page))
        await asyncio.sleep(0)
        if self.fail_with is not None:
            raise self.fail_with
        ordered = sorted(self.jobs.values(), key=lambda j: (-j.created_at, j.id))
        chunk = ordered[page * page_size : (page + 1) * page_size]
        return JobsPage(total=len(ordered), data=tuple(to_list_item(j) for j in chunk))

    async def get_job(self, job_id: str) -> JobDetails:
        self.calls.append(("get", job_id))
        await asyncio.sleep(0)
        if self.fail_with is not None:
            raise self.fail_with
        if job_id not in self.jobs:
            raise NotFoundError("No fine tuning job matches the given query.", status=404)
        return self.jobs[job_id]

    async def get_file(self, file_id: str) -> RetrievedFile:
        self.calls.append(("file", file_id))
        await asyncio.sleep(0)
        if file_id not in self.files:
            raise NotFoundError("No file matches the given query.", status=404)
        return RetrievedFile(id=file_id, filename=self.files[file_id])

    async def cancel_job(self, job_id: str) -> JobDetails:
        self.calls.append(("cancel", job_id))
        job = self.jobs[job_id]
        if job.is_terminal:
            raise ConflictError(f"Job {job_id} is already {job.status}", status=409)
        self.jobs[job_id] = attrs.evolve(job, status="CANCELLATION_REQUESTED")
        return self.jobs[job_id]

    async def start_job(self, job_id: str) -> JobDetails:
        self.calls.append(("start", job_id))
        self.jobs[job_id] = attrs.evolve(self.jobs[job_id], status="QUEUED")
        return self.jobs[job_id]

    async def aclose(self) -> None:
        return None


class Recorder:
    """Collects what the app posts and notifies, for assertions."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.notices: list[tuple[str, dict[str, Any]]] = []

    def hook(self, message: Any) -> None:
        self.messages.append(message)

    def of(self, kind: type) -> list[Any]:
        return [m for m in self.messages if isinstance(m, kind)]

    def attach(self, app: Any) -> None:
        """Record ``app.notify`` calls (the notification still shows)."""
        original = app.notify

        def notify(message: str, **kwargs: Any) -> None:
            self.notices.append((message, kwargs))
            original(message, **kwargs)

        app.notify = notify

    def titled(self, title: str) -> list[str]:
        return [message for message, kwargs in self.notices if kwargs.get("title") == title]


async def settle(app: Any, pilot: Pilot[Any], *, within: float = 10.0) -> None:
    """Wait until the app's poller sleeps with nothing due and the screen has handled what the
    last poll posted: the moment to assert that something did *not* happen."""
    await wait_for(lambda: app.poller is not None and app.poller.is_idle, pilot, within=within)
    await pilot.pause()
