"""The simulated workspace: jobs, their files and fine-tuned models, moving with a clock.

The world is advanced lazily: every read first applies what the clock says has happened
(:meth:`World.advance_to_now`). Timestamps are the clock's wall time; ``speed`` divides the
durations of jobs that move while the simulator runs (the historical ones keep real durations),
so a client's "3 minutes ago" and ETA arithmetic stay consistent with its own clock.
"""

from __future__ import annotations

import functools
import random
import threading
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

import attrs

from tui.api.clock import Clock, SystemClock
from tui.api.models import JobStatus
from tui.sim import lifecycle, wire
from tui.sim.lifecycle import SimJob
from tui.sim.problems import conflict, not_found
from tui.sim.seeding import CLASSIFIER_MODELS, COMPLETION_MODELS, JobFactory

__all__ = ["JobQuery", "NewJob", "World"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _synchronized(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Hold the world's lock: the server thread and a test or demo thread may both read it."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        self = args[0]
        with self._lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


_DAY = 86_400.0
_FILE_NOT_FOUND = "File not found"
_MODEL_NOT_FOUND = "Model not found"


@attrs.frozen
class JobQuery:
    """Filters and paging of ``GET /v1/fine_tuning/jobs`` (already parsed)."""

    page: int = 0
    page_size: int = 100
    model: str | None = None
    created_after: float | None = None
    created_before: float | None = None
    created_by_me: bool = False
    status: str | None = None
    wandb_project: str | None = None
    wandb_name: str | None = None
    suffix: str | None = None

    def matches(self, job: SimJob) -> bool:
        """Whether ``job`` passes every filter that is set."""
        if self.model is not None and job.model != self.model:
            return False
        if self.created_after is not None and job.created_at < self.created_after:
            return False
        if self.created_before is not None and job.created_at > self.created_before:
            return False
        if self.created_by_me and not job.created_by_me:
            return False
        if self.status is not None and job.status != self.status:
            return False
        if self.suffix is not None and job.suffix != self.suffix:
            return False
        if self.wandb_project is not None and (
            job.wandb is None or job.wandb.project != self.wandb_project
        ):
            return False
        return not (
            self.wandb_name is not None and (job.wandb is None or job.wandb.name != self.wandb_name)
        )


@attrs.frozen
class NewJob:
    """A validated ``POST /v1/fine_tuning/jobs`` body."""

    model: str
    job_type: str
    training_files: list[str]
    validation_files: list[str]
    hyperparameters: dict[str, Any]
    suffix: str | None = None
    auto_start: bool = True
    wandb_project: str | None = None
    wandb_name: str | None = None
    classifier_targets: list[dict[str, Any]] | None = None


class World:
    """A seeded workspace of fine-tuning jobs that move through time.

    ``jobs`` historical jobs (mostly SUCCESS; some FAILED, FAILED_VALIDATION, CANCELLED, and
    VALIDATED ones waiting for ``/start``; completion and classifier), ``live`` jobs in progress,
    and with ``arrivals`` a new job every ``arrival_interval`` real seconds on average (divided
    by ``speed``). At most ``max_jobs`` jobs are kept: the oldest idle ones (finished, or
    waiting in VALIDATED) are dropped.
    """

    def __init__(
        self,
        seed: int = 7,
        jobs: int = 40,
        live: int = 3,
        speed: float = 60.0,
        clock: Clock | None = None,
        arrivals: bool = True,
        *,
        max_jobs: int = 500,
        arrival_interval: float = 900.0,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.seed = seed
        self.speed = speed
        self.clock: Clock = clock or SystemClock()
        self.arrivals = arrivals
        self.max_jobs = max(1, max_jobs)
        self.arrival_interval = arrival_interval
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        # Separate streams, so arrivals and created jobs do not shift the seeded history.
        self._arrival_rng = random.Random(seed * 7919 + 1)
        self._create_rng = random.Random(seed * 7919 + 2)
        workspace, entity = JobFactory.workspace_ids(self._rng)
        self._factory = JobFactory(workspace=workspace, wandb_entity=entity)
        self._jobs: dict[str, SimJob] = {}
        self._active: set[str] = set()
        self._files: dict[str, tuple[str, str]] = {}
        """file id -> (job id, "train" | "validation")."""
        self._archived: set[str] = set()
        now = self.clock.time()
        self._seed_history(now, jobs)
        self._seed_live(now, live)
        self._next_arrival = now + self._arrival_gap()
        self.advance_to_now()

    # ------------------------------------------------------------------ time

    @property
    def workspace(self) -> str:
        """The workspace id used in fine-tuned model names."""
        return self._factory.workspace

    def now(self) -> float:
        """The world's current wall time (the clock's)."""
        return self.clock.time()

    @_synchronized
    def advance_to_now(self) -> None:
        """Apply arrivals and every planned status change due by now."""
        now = self.now()
        if self.arrivals:
            self._arrive_until(now)
        for job_id in list(self._active):
            job = self._jobs[job_id]
            lifecycle.advance(job, now)
            if job.is_terminal and not job.pending:
                self._active.discard(job_id)
        self._enforce_cap()

    # ------------------------------------------------------------------ reads

    def __len__(self) -> int:
        return len(self._jobs)

    @_synchronized
    def job_ids(self) -> list[str]:
        """Every job id, newest first."""
        self.advance_to_now()
        return [job.id for job in self._newest_first(self._jobs.values())]

    @_synchronized
    def sim_job(self, job_id: str) -> SimJob:
        """The internal record of a job (tests use it to read plans); raises 404 problems."""
        self.advance_to_now()
        job = self._jobs.get(job_id)
        if job is None:
            raise not_found()
        return job

    @_synchronized
    def job(self, job_id: str) -> dict[str, Any]:
        """A job's detail payload (``GET /v1/fine_tuning/jobs/{id}``)."""
        return wire.job_detail(self.sim_job(job_id), self.now())

    @_synchronized
    def job_status(self, job_id: str) -> str:
        """A job's current status."""
        return self.sim_job(job_id).status

    @_synchronized
    def list_jobs(self, query: JobQuery | None = None) -> tuple[int, list[dict[str, Any]]]:
        """``(total after filters, the page's list items)``, newest first."""
        query = query or JobQuery()
        self.advance_to_now()
        matching = [job for job in self._newest_first(self._jobs.values()) if query.matches(job)]
        start = query.page * query.page_size
        page = matching[start : start + query.page_size] if query.page_size > 0 else []
        return len(matching), [wire.job_list_item(job) for job in page]

    @_synchronized
    def counts(self) -> dict[str, int]:
        """How many jobs are in each status."""
        self.advance_to_now()
        out: dict[str, int] = {}
        for job in self._jobs.values():
            out[job.status] = out.get(job.status, 0) + 1
        return out

    # ------------------------------------------------------------------ actions

    @_synchronized
    def create_job(self, new: NewJob) -> dict[str, Any]:
        """Create and queue a job; returns its list-item payload (as the API's create does)."""
        self.advance_to_now()
        now = self.now()
        job = self._factory.make(
            self._create_rng,
            created_at=now,
            scale=1.0 / self.speed,
            classifier=new.job_type == "classifier",
            auto_start=new.auto_start,
            model=new.model,
            training_files=list(new.training_files),
            validation_files=list(new.validation_files),
            suffix=new.suffix,
            wandb_project=new.wandb_project,
            wandb_name=new.wandb_name,
            hyperparameters=new.hyperparameters,
            classifier_targets=new.classifier_targets,
            random_extras=False,
        )
        self._add(job)
        job.begin(now)
        self._enforce_cap()
        return wire.job_list_item(job)

    @_synchronized
    def estimate(self, new: NewJob) -> dict[str, Any]:
        """A ``dry_run`` create: the figures validation would find, without creating a job."""
        job = self._factory.make(
            random.Random(f"{self.seed}:{new.model}:{new.training_files}"),
            created_at=self.now(),
            scale=1.0 / self.speed,
            classifier=new.job_type == "classifier",
            model=new.model,
            training_files=list(new.training_files),
            validation_files=list(new.validation_files),
            hyperparameters=new.hyperparameters,
            random_extras=False,
        )
        job.validated = True
        figures = wire.metadata(job) or {}
        return {
            **figures,
            "deprecated": True,
            "details": "Dry run: no job was created.",
            "epochs": round(job.train_tokens / job.tokens.data_tokens, 4),
            "training_steps": job.training_steps,
            "object": "job.metadata",
        }

    @_synchronized
    def start_job(self, job_id: str) -> dict[str, Any]:
        """``POST /start``: only a VALIDATED job that has not been started can start."""
        job = self.sim_job(job_id)
        if not lifecycle.start(job, self.now()):
            raise conflict(
                f"Job {job_id} cannot be started: its status is {job.status}; only a VALIDATED "
                "job created with auto_start=false can be started, once."
            )
        self._active.add(job.id)
        return wire.job_detail(job, self.now())

    @_synchronized
    def cancel_job(self, job_id: str) -> dict[str, Any]:
        """``POST /cancel``: a queued, validating, validated or running job can be cancelled."""
        job = self.sim_job(job_id)
        if not lifecycle.cancel(job, self.now()):
            raise conflict(f"Job {job_id} cannot be cancelled: its status is {job.status}.")
        self._active.add(job.id)
        return wire.job_detail(job, self.now())

    # ------------------------------------------------------------------ files

    @_synchronized
    def file(self, file_id: str) -> dict[str, Any]:
        """``GET /v1/files/{id}``."""
        ref = self._files.get(file_id)
        job = self._jobs.get(ref[0]) if ref else None
        if ref is None or job is None:
            raise not_found(_FILE_NOT_FOUND)
        return self._file_payload(file_id, job, ref[1])

    @_synchronized
    def list_files(self, page: int = 0, page_size: int = 100) -> tuple[int, list[dict[str, Any]]]:
        """``GET /v1/files``: newest first."""
        self.advance_to_now()
        items = []
        for job in self._newest_first(self._jobs.values()):
            items += [(f, job, "train") for f in job.training_files]
            items += [(f, job, "validation") for f in job.validation_files]
        start = page * page_size
        chunk = items[start : start + page_size] if page_size > 0 else []
        return len(items), [self._file_payload(f, job, kind) for f, job, kind in chunk]

    def _file_payload(self, file_id: str, job: SimJob, kind: str) -> dict[str, Any]:
        rng = random.Random(file_id)
        lines = rng.randint(200, 40_000) if kind == "train" else rng.randint(50, 2_000)
        name = f"{(job.suffix or job.model).replace(':', '-')}-{kind}.jsonl"
        return {
            "id": file_id,
            "object": "file",
            "bytes": lines * rng.randint(300, 2_400),
            "created_at": int(job.created_at) - rng.randint(60, 3_600),
            "filename": name,
            "purpose": "fine-tune",
            "sample_type": "instruct",
            "num_lines": lines,
            "mimetype": "application/jsonl",
            "source": "upload",
            "signature": f"{rng.getrandbits(64):016x}",
            "deleted": False,
        }

    # ------------------------------------------------------------------ models

    @_synchronized
    def models(self) -> list[dict[str, Any]]:
        """``GET /v1/models``: base models, then the workspace's fine-tuned models."""
        self.advance_to_now()
        created = 1_700_000_000
        out: list[dict[str, Any]] = []
        for info in (*COMPLETION_MODELS, *CLASSIFIER_MODELS):
            out.append(
                {
                    "id": info.id,
                    "object": "model",
                    "created": created,
                    "owned_by": "mistralai",
                    "capabilities": {
                        "completion_chat": info not in CLASSIFIER_MODELS,
                        "function_calling": True,
                        "completion_fim": info.id.startswith("codestral"),
                        "fine_tuning": True,
                        "vision": info.id.startswith("pixtral"),
                        "classification": info in CLASSIFIER_MODELS,
                    },
                    "name": info.id,
                    "description": f"Base model {info.id}",
                    "max_context_length": info.max_context_length,
                    "aliases": [],
                    "deprecation": None,
                    "deprecation_replacement_model": None,
                    "default_model_temperature": 0.3,
                    "type": "base",
                }
            )
        for job in self._newest_first(self._jobs.values()):
            if job.fine_tuned_model is None:
                continue
            out.append(
                {
                    "id": job.fine_tuned_model,
                    "object": "model",
                    "created": int(job.modified_at),
                    "owned_by": self.workspace,
                    "capabilities": {
                        "completion_chat": job.job_type == "completion",
                        "function_calling": False,
                        "completion_fim": False,
                        "fine_tuning": False,
                        "vision": False,
                        "classification": job.job_type == "classifier",
                    },
                    "name": None,
                    "description": None,
                    "max_context_length": 32768,
                    "aliases": [],
                    "deprecation": None,
                    "deprecation_replacement_model": None,
                    "default_model_temperature": None,
                    "type": "fine-tuned",
                    "job": job.id,
                    "root": job.model,
                    "archived": job.fine_tuned_model in self._archived,
                }
            )
        return out

    @_synchronized
    def set_archived(self, model_id: str, archived: bool) -> dict[str, Any]:
        """Archive or unarchive a fine-tuned model."""
        self.advance_to_now()
        if not any(job.fine_tuned_model == model_id for job in self._jobs.values()):
            raise not_found(_MODEL_NOT_FOUND)
        if archived:
            self._archived.add(model_id)
        else:
            self._archived.discard(model_id)
        return {"id": model_id, "object": "model", "archived": archived}

    # ------------------------------------------------------------------ seeding

    def _seed_history(self, now: float, count: int) -> None:
        rng = self._rng
        # Every status appears once (given enough jobs), then mostly SUCCESS.
        outcomes = [
            JobStatus.SUCCESS,
            JobStatus.FAILED,
            JobStatus.FAILED_VALIDATION,
            JobStatus.CANCELLED,
            JobStatus.VALIDATED,
        ][:count]
        weights = {
            JobStatus.SUCCESS: 0.62,
            JobStatus.FAILED: 0.1,
            JobStatus.FAILED_VALIDATION: 0.08,
            JobStatus.CANCELLED: 0.12,
            JobStatus.VALIDATED: 0.08,
        }
        while len(outcomes) < count:
            outcomes.append(rng.choices(list(weights), weights=list(weights.values()))[0])
        ages = sorted((rng.uniform(0.15, 30.0) * _DAY for _ in range(count)), reverse=True)
        for index, (outcome, age) in enumerate(zip(outcomes, ages, strict=True)):
            classifier = index == 1 or rng.random() < 0.2
            waiting = outcome == JobStatus.VALIDATED
            planned = (
                JobStatus.SUCCESS
                if outcome in (JobStatus.VALIDATED, JobStatus.CANCELLED)
                else outcome
            )
            job = self._factory.make(
                rng,
                created_at=now - age,
                scale=1.0,
                outcome=planned,
                classifier=classifier,
                auto_start=not waiting and rng.random() < 0.85,
                created_by_me=rng.random() < 0.7,
            )
            if not job.auto_start and not waiting and planned != JobStatus.FAILED_VALIDATION:
                job.auto_start = True  # it ran, so it was started; keep the plan simple
            self._add(job)
            job.begin(job.created_at)
            if outcome == JobStatus.CANCELLED:
                self._plan_cancel(rng, job)

    def _plan_cancel(self, rng: random.Random, job: SimJob) -> None:
        plan = job.plan
        if rng.random() < 0.25:
            at = job.created_at + rng.uniform(0.1, 0.9) * plan.queue_seconds
        else:
            training = job.training_steps * plan.step_seconds
            at = (
                job.created_at
                + plan.queue_seconds
                + plan.validation_seconds
                + 1.0
                + rng.uniform(0.1, 0.9) * training
            )
        job.pending.append((at, lifecycle.CANCEL))
        job.pending.sort(key=lambda item: item[0])

    def _seed_live(self, now: float, count: int) -> None:
        rng = self._rng
        scale = 1.0 / self.speed
        progress = (0.4, -1.0, 0.1)
        for index in range(count):
            job = self._factory.make(
                rng,
                created_at=now,
                scale=scale,
                outcome=JobStatus.FAILED if index == 3 else JobStatus.SUCCESS,
                classifier=index == 4,
                created_by_me=True,
            )
            if index == 2:
                job.checkpoint_every = 1  # one live job shows per-step checkpoints
            fraction = progress[index] if index < len(progress) else rng.uniform(0.05, 0.8)
            plan = job.plan
            if fraction < 0:
                back = 0.0  # just created: QUEUED now
            else:
                back = (
                    plan.queue_seconds
                    + plan.validation_seconds
                    + min(1.0, plan.queue_seconds)
                    + fraction * job.training_steps * plan.step_seconds
                )
            job.created_at = now - back
            job.modified_at = job.created_at
            self._add(job)
            job.begin(job.created_at)

    def _arrival_gap(self) -> float:
        return self._arrival_rng.expovariate(1.0) * self.arrival_interval / self.speed

    def _arrive_until(self, now: float) -> None:
        horizon = self.max_jobs * self.arrival_interval / self.speed
        if now - self._next_arrival > horizon:
            # A big clock jump: only the last ``max_jobs`` arrivals could survive the cap anyway.
            self._next_arrival = now - horizon
        while self._next_arrival <= now:
            at = self._next_arrival
            rng = self._arrival_rng
            roll = rng.random()
            outcome = (
                JobStatus.FAILED
                if roll < 0.1
                else JobStatus.FAILED_VALIDATION
                if roll < 0.17
                else JobStatus.SUCCESS
            )
            job = self._factory.make(
                rng,
                created_at=at,
                scale=1.0 / self.speed,
                outcome=outcome,
                classifier=rng.random() < 0.2,
                auto_start=rng.random() < 0.85,
                created_by_me=rng.random() < 0.6,
            )
            self._add(job)
            job.begin(at)
            lifecycle.advance(job, now)
            self._next_arrival = at + self._arrival_gap()
            self._enforce_cap()

    # ------------------------------------------------------------------ bookkeeping

    def _add(self, job: SimJob) -> None:
        self._jobs[job.id] = job
        self._active.add(job.id)
        for file_id in job.training_files:
            self._files[file_id] = (job.id, "train")
        for file_id in job.validation_files:
            self._files[file_id] = (job.id, "validation")

    def _enforce_cap(self) -> None:
        excess = len(self._jobs) - self.max_jobs
        if excess <= 0:
            return
        # The oldest idle jobs go, finished or idling in VALIDATED alike: dropping finished ones
        # first would leave a long run's workspace all waiting jobs (15 % of arrivals never
        # start), with nothing left running or finishing.
        idle = [
            job
            for job in self._jobs.values()
            if not job.pending and (job.is_terminal or job.status == JobStatus.VALIDATED)
        ]
        idle.sort(key=lambda job: job.created_at)
        for job in idle[:excess]:
            del self._jobs[job.id]
            self._active.discard(job.id)
            for file_id in (*job.training_files, *job.validation_files):
                if self._files.get(file_id, ("",))[0] == job.id:
                    del self._files[file_id]
            if job.fine_tuned_model is not None:
                self._archived.discard(job.fine_tuned_model)

    @staticmethod
    def _newest_first(jobs: Iterable[SimJob]) -> list[SimJob]:
        return sorted(jobs, key=lambda job: (job.created_at, job.id), reverse=True)
