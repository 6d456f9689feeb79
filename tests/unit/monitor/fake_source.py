"""A tiny in-memory JobSource for poller tests, with scripted failures."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from tui.api.errors import NotFoundError
from tui.api.models import Checkpoint, CompletionJobDetails, JobDetails, JobsPage
from tui.monitor.store import to_list_item


class FakeSource:
    """Jobs by id; ``list_jobs`` pages them newest first; ``get_job`` returns the detail."""

    def __init__(self) -> None:
        self.jobs: dict[str, JobDetails] = {}
        self.calls: list[tuple[str, object]] = []
        self.failures: list[Exception] = []
        """Raised, one per request, before answering (FIFO)."""
        self.detail_failures: dict[str, Exception] = {}
        """Raised by ``get_job`` for that id (every time)."""
        self.on_request: Callable[[], None] | None = None

    def put(self, job: JobDetails) -> None:
        self.jobs[job.id] = job

    def add_checkpoint(self, job_id: str, cp: Checkpoint) -> None:
        job = self.jobs[job_id]
        self.jobs[job_id] = attrs.evolve(job, checkpoints=(cp, *job.checkpoints))

    def set_status(self, job_id: str, status: str) -> None:
        self.jobs[job_id] = attrs.evolve(self.jobs[job_id], status=status)

    def _maybe_fail(self) -> None:
        if self.on_request:
            self.on_request()
        if self.failures:
            raise self.failures.pop(0)

    async def list_jobs(self, *, page: int = 0, page_size: int = 100) -> JobsPage:
        self.calls.append(("list", (page, page_size)))
        self._maybe_fail()
        ordered = sorted(self.jobs.values(), key=lambda j: (-j.created_at, j.id))
        chunk = ordered[page * page_size : (page + 1) * page_size]
        return JobsPage(total=len(ordered), data=tuple(to_list_item(j) for j in chunk))

    async def get_job(self, job_id: str) -> CompletionJobDetails:
        self.calls.append(("get", job_id))
        self._maybe_fail()
        if job_id in self.detail_failures:
            raise self.detail_failures[job_id]
        if job_id not in self.jobs:
            raise NotFoundError("No fine tuning job matches the given query.", status=404)
        return self.jobs[job_id]  # type: ignore[return-value]

    def count(self, kind: str) -> int:
        return sum(1 for k, _ in self.calls if k == kind)
