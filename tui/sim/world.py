"""The simulated workspace: jobs, their files and fine-tuned models, moving with a clock.

The world is advanced lazily: every read first applies what the clock says has happened
(:meth:`World.advance_to_now`). Timestamps are the clock's wall time; ``speed`` divides the
durations of jobs that move while the simulator runs (the historical ones keep real durations),
so a client's "3 minutes ago" and ETA arithmetic stay consistent with its own clock.
"""

from __future__ import annotations

import functools
import math
import random
import threading
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import attrs

from tui.api.clock import Clock, SystemClock
from tui.api.models import JobStatus
from tui.sim import catalog, lifecycle, wire
from tui.sim.arrivals import Arrivals
from tui.sim.lifecycle import SimJob
from tui.sim.pace import Pace
from tui.sim.past import PastJob, draw_past_jobs, realize
from tui.sim.problems import conflict, not_found
from tui.sim.relay import Relay
from tui.sim.roster import Roster
from tui.sim.seeding import JobFactory

__all__ = ["JobQuery", "NewJob", "World"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


class _Locked(Protocol):
    _lock: threading.RLock


_S = TypeVar("_S", bound=_Locked)


def _synchronized(
    method: Callable[Concatenate[_S, _P], _R],
) -> Callable[Concatenate[_S, _P], _R]:
    """Hold the world's lock: the server thread and a test or demo thread may both read it."""

    @functools.wraps(method)
    def wrapper(self: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


DEFAULT_MAX_JOBS = 500
"""The cap on kept jobs unless told otherwise (a bigger seeded workspace raises it)."""
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

    @property
    def filtered(self) -> bool:
        """Whether any filter is set (an unfiltered page is a slice of the whole list)."""
        return self.created_by_me or any(
            value is not None
            for value in (
                self.model,
                self.created_after,
                self.created_before,
                self.status,
                self.wandb_project,
                self.wandb_name,
                self.suffix,
            )
        )

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

    ``jobs`` past jobs (mostly SUCCESS; some FAILED, FAILED_VALIDATION, CANCELLED, and VALIDATED
    ones waiting for ``/start``; completion and classifier), ``live`` jobs in progress, and:

    - with ``arrivals``, a new job every ``arrival_interval`` real seconds on average (divided
      by ``speed``), turned away while ``max_pending`` jobs already wait to train;
    - ``always_running`` relay lanes, each with a job RUNNING at every instant
      (:mod:`tui.sim.relay`);
    - with a ``pace``, the jobs the simulator starts itself train at that wall-clock pace
      (:mod:`tui.sim.pace`) instead of at ``speed``.

    At most ``max_jobs`` jobs are kept (at least ``jobs``): the oldest idle ones (finished, or
    waiting in VALIDATED) are dropped. Everything that happens is applied in time order when
    the world is next read, so what a client sees at a given time does not depend on when, or
    how often, it looked before.
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
        max_jobs: int = DEFAULT_MAX_JOBS,
        arrival_interval: float = 900.0,
        always_running: int = 0,
        max_pending: int | None = None,
        pace: Pace | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.seed = seed
        self.speed = speed
        self.clock: Clock = clock or SystemClock()
        self.arrivals = arrivals
        self.max_jobs = max(1, max_jobs)
        self.arrival_interval = arrival_interval
        self.max_pending = max_pending
        """Arrivals are turned away while this many jobs wait to train; ``None``: never."""
        self.pace = pace
        """Wall-clock pace of the jobs the simulator starts itself; ``None``: timings / speed."""
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        workspace, entity = JobFactory.workspace_ids(self._rng)
        self._factory = JobFactory(workspace=workspace, wandb_entity=entity)
        self._jobs = Roster(self._realize)
        self._active: set[str] = set()
        """Jobs with planned changes ahead."""
        self._files: dict[str, tuple[str, str]] = {}
        """file id -> (job id, "train" | "validation"), for the jobs drawn in full."""
        self._archived: set[str] = set()
        now = self.clock.time()
        self._jobs.add_past(draw_past_jobs(self._rng, jobs, now))
        self._seed_live(now, live)
        # Separate streams, so arrivals, lanes and created jobs do not shift the seeded past.
        scale = 1.0 / speed
        self._arrivals = Arrivals(
            random.Random(seed * 7919 + 1),
            self._factory,
            mean_gap=arrival_interval * scale,
            scale=scale,
            pace=pace,
            start=now,
        )
        """Jobs people submit now and then (with ``arrivals``)."""
        self._create_rng = random.Random(seed * 7919 + 2)
        """Draws what a ``POST /jobs`` leaves open."""
        self._relay = Relay(always_running, seed, self._factory, scale=scale, pace=pace, start=now)
        """Keeps ``always_running`` jobs RUNNING at every instant."""
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
        """Apply arrivals, hand-overs and every planned status change due by now, in order."""
        now = self.now()
        # After a big clock jump only the last ``max_jobs`` arrivals could survive the cap.
        horizon = now - self.max_jobs * self.arrival_interval / self.speed
        if self.arrivals:
            self._arrivals.skip_to(horizon)
        self._relay.skip_to(horizon)
        while True:
            arrival_at = self._arrivals.next_at if self.arrivals else math.inf
            handover_at = self._relay.next_at()
            at = min(arrival_at, handover_at)
            if at > now:
                break
            self._advance_active(at)  # the world as it was then decides, not as it is now
            if handover_at <= arrival_at:
                self._add(self._relay.take())
            else:
                job = self._arrivals.take(admit=self._has_room())
                if job is not None:
                    self._add(job)
            self._enforce_cap()
        self._advance_active(now)
        self._enforce_cap()

    def _advance_active(self, at: float) -> None:
        for job_id in list(self._active):
            job = self._jobs.get(job_id)
            if job is None:
                self._active.discard(job_id)
                continue
            lifecycle.advance(job, at)
            if not job.pending:  # nothing planned: only a request can move it now
                self._active.discard(job_id)

    def _has_room(self) -> bool:
        """Whether fewer than ``max_pending`` jobs wait to train."""
        if self.max_pending is None:
            return True
        waiting = 0
        for job_id in self._active:
            job = self._jobs.get(job_id)
            waiting += job is not None and job.status in lifecycle.WAITING_STATUSES
        return waiting < self.max_pending

    # ------------------------------------------------------------------ reads

    def __len__(self) -> int:
        return len(self._jobs)

    @_synchronized
    def job_ids(self) -> list[str]:
        """Every job id, newest first."""
        self.advance_to_now()
        return self._jobs.ids_newest_first()

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
        start = query.page * query.page_size
        stop = start + max(0, query.page_size)
        if not query.filtered:
            page = self._jobs.newest_first(start, stop)
            return len(self._jobs), [wire.job_list_item(job) for job in page]
        matching = [job for job in self._jobs.each_newest_first() if query.matches(job)]
        return len(matching), [wire.job_list_item(job) for job in matching[start:stop]]

    @_synchronized
    def counts(self) -> dict[str, int]:
        """How many jobs are in each status."""
        self.advance_to_now()
        return self._jobs.status_counts()

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
        job.begin(now)
        self._add(job)
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
        now = self.now()
        if not lifecycle.cancel(job, now):
            raise conflict(f"Job {job_id} cannot be cancelled: its status is {job.status}.")
        self._active.add(job.id)
        self._relay.hurry(job_id, now)  # a relay lane must not stay empty
        return wire.job_detail(job, now)

    @_synchronized
    def remove_job(self, job_id: str) -> None:
        """Drop a job as if deleted behind the API's back (the API itself cannot delete jobs)."""
        if job_id not in self._jobs:
            raise not_found()
        self._drop(job_id)

    # ------------------------------------------------------------------ files

    @_synchronized
    def file(self, file_id: str) -> dict[str, Any]:
        """``GET /v1/files/{id}``."""
        ref = self._files.get(file_id)
        if ref is None:
            self._realize_all()  # it may belong to a past job nobody has read yet
            ref = self._files.get(file_id)
        job = self._jobs.get(ref[0]) if ref else None
        if ref is None or job is None:
            raise not_found(_FILE_NOT_FOUND)
        return catalog.file_payload(file_id, job, ref[1])

    @_synchronized
    def list_files(self, page: int = 0, page_size: int = 100) -> tuple[int, list[dict[str, Any]]]:
        """``GET /v1/files``: newest first."""
        self.advance_to_now()
        items = []
        for job in self._jobs.each_newest_first():
            items += [(f, job, "train") for f in job.training_files]
            items += [(f, job, "validation") for f in job.validation_files]
        start = page * page_size
        chunk = items[start : start + page_size] if page_size > 0 else []
        return len(items), [catalog.file_payload(f, job, kind) for f, job, kind in chunk]

    # ------------------------------------------------------------------ models

    @_synchronized
    def models(self) -> list[dict[str, Any]]:
        """``GET /v1/models``: base models, then the workspace's fine-tuned models."""
        self.advance_to_now()
        return catalog.base_model_cards() + [
            catalog.fine_tuned_model_card(
                job, self.workspace, archived=job.fine_tuned_model in self._archived
            )
            for job in self._jobs.each_newest_first()
            if job.fine_tuned_model is not None
        ]

    @_synchronized
    def set_archived(self, model_id: str, archived: bool) -> dict[str, Any]:
        """Archive or unarchive a fine-tuned model."""
        self.advance_to_now()
        if not any(job.fine_tuned_model == model_id for job in self._jobs.each_newest_first()):
            raise not_found(_MODEL_NOT_FOUND)
        if archived:
            self._archived.add(model_id)
        else:
            self._archived.discard(model_id)
        return {"id": model_id, "object": "model", "archived": archived}

    # ------------------------------------------------------------------ seeding

    def _realize(self, past: PastJob) -> SimJob:
        job = realize(past, self._factory, self.now())
        self._register_files(job)
        if job.pending:
            self._active.add(job.id)
        return job

    def _realize_all(self) -> None:
        for _ in self._jobs.each_newest_first():
            pass

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
                pace=self.pace,
            )
            if index == 2:
                job.checkpoint_every = 1  # one live job shows per-step checkpoints
            fraction = progress[index] if index < len(progress) else rng.uniform(0.05, 0.8)
            lifecycle.place(job, now, fraction)
            job.begin(job.created_at)
            self._add(job)

    # ------------------------------------------------------------------ bookkeeping

    def _add(self, job: SimJob) -> None:
        """Add a job already begun."""
        self._jobs.add(job)
        self._active.add(job.id)
        self._register_files(job)

    def _register_files(self, job: SimJob) -> None:
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
        for job_id in self._jobs.oldest_idle(excess):
            self._drop(job_id)

    def _drop(self, job_id: str) -> None:
        job = self._jobs.remove(job_id)
        self._active.discard(job_id)
        if job is None:
            return  # never read: it registered nothing
        for file_id in (*job.training_files, *job.validation_files):
            if self._files.get(file_id, ("",))[0] == job_id:
                del self._files[file_id]
        if job.fine_tuned_model is not None:
            self._archived.discard(job.fine_tuned_model)
