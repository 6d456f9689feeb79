"""One simulated job and the rules that move it through the real lifecycle.

A job carries a *plan*: the future status changes it will make, each at a wall-clock time.
Time is never pushed into the job; :func:`advance` applies every planned change whose time has
come, so the world can be advanced lazily (on each request) from any clock, and a test that
jumps a ``ManualClock`` by an hour sees exactly what an hour of real polling would have shown.

Lifecycle (as the real service does it)::

    QUEUED -> VALIDATING -> VALIDATED -> RUNNING -> SUCCESS | FAILED
                         \\-> FAILED_VALIDATION
    VALIDATED (auto_start=false) --POST /start--> QUEUED (estimated_start_time set) -> RUNNING ...
    any non-terminal --POST /cancel--> CANCELLATION_REQUESTED -> CANCELLED
"""

from __future__ import annotations

import math

import attrs

from tui.api.models import JobStatus, is_terminal_status
from tui.sim.curves import CurveShape, LossCurve

__all__ = [
    "CANCEL",
    "CANCELLABLE_STATUSES",
    "WAITING_STATUSES",
    "JobPlan",
    "SimJob",
    "TokenPlan",
    "WandbPlan",
    "advance",
    "cancel",
    "place",
    "planned_end",
    "run_delay",
    "schedule_training",
    "start",
    "steps_done",
]

CANCEL = "__cancel__"
"""A pseudo status in a plan: the user asks for cancellation at that time."""

CANCELLABLE_STATUSES: frozenset[str] = frozenset(
    {
        JobStatus.QUEUED,
        JobStatus.VALIDATING,
        JobStatus.VALIDATED,
        JobStatus.STARTED,
        JobStatus.RUNNING,
    }
)
"""Statuses from which ``POST /cancel`` is accepted."""

WAITING_STATUSES: frozenset[str] = frozenset(
    {JobStatus.QUEUED, JobStatus.VALIDATING, JobStatus.VALIDATED}
)
"""Statuses of a job that has not trained yet (a VALIDATED one may wait for ``/start``)."""


@attrs.frozen
class WandbPlan:
    """The W&B integration of a job; its URL is only published once the job runs."""

    project: str
    name: str | None
    run_name: str | None
    entity: str
    run_id: str

    @property
    def url(self) -> str:
        return f"https://wandb.ai/{self.entity}/{self.project}/runs/{self.run_id}"


@attrs.frozen
class TokenPlan:
    """What validation will find out about the data: tokens, epochs and price."""

    train_tokens_per_step: int
    data_tokens: int
    price_per_million: float
    currency: str


@attrs.frozen
class JobPlan:
    """How long each phase takes (already divided by the world's speed) and how the run ends."""

    queue_seconds: float
    """Time spent QUEUED before validation, and after ``/start`` before running."""
    validation_seconds: float
    step_seconds: float
    finalize_seconds: float
    """Gap between the last step and SUCCESS (saving the model)."""
    cancel_seconds: float
    """Gap between CANCELLATION_REQUESTED and CANCELLED."""
    outcome: str
    """SUCCESS, FAILED or FAILED_VALIDATION."""
    fail_step: int | None = None
    """For FAILED: the step the run dies at."""
    duration_estimate: float = 1.0
    """Factor between the real and the announced duration (``expected_duration_seconds``)."""


@attrs.define(eq=False)
class SimJob:
    """A job of the simulated workspace: fixed facts, its plan, and its current state."""

    id: str
    job_type: str
    model: str
    auto_start: bool
    created_at: float
    training_files: list[str]
    validation_files: list[str]
    suffix: str | None
    hyperparameters: dict[str, object]
    """Wire hyperparameters; ``epochs`` is filled in at VALIDATED."""
    classifier_targets: list[dict[str, object]] | None
    wandb: WandbPlan | None
    tokens: TokenPlan
    plan: JobPlan
    checkpoint_every: int
    eval_every: int | None
    """Evaluate the validation set every N steps; ``None`` without a validation file."""
    curve_shape: CurveShape
    curve_seed: int
    workspace: str
    created_by_me: bool
    events_newest_first: bool
    """Older API versions listed events newest first; clients must sort them."""

    status: str = JobStatus.QUEUED
    modified_at: float = 0.0
    events: list[tuple[int, str]] = attrs.Factory(list)
    """Applied status changes, oldest first: (created_at, status)."""
    pending: list[tuple[float, str]] = attrs.Factory(list)
    """Planned status changes, in time order: (time, status or CANCEL)."""
    validated: bool = False
    run_started_at: float | None = None
    stopped_step: int | None = None
    estimated_start_time: int | None = None
    start_requested: bool = False
    fine_tuned_model: str | None = None
    trained_tokens: int | None = None
    _curve: LossCurve | None = None

    @property
    def training_steps(self) -> int:
        steps = self.hyperparameters.get("training_steps")
        return int(steps) if isinstance(steps, int) else 0

    @property
    def is_terminal(self) -> bool:
        return is_terminal_status(self.status)

    @property
    def train_tokens(self) -> int:
        return self.tokens.train_tokens_per_step * self.training_steps

    @property
    def curve(self) -> LossCurve:
        """The run's loss curve, generated on first use."""
        if self._curve is None:
            self._curve = LossCurve(self.curve_shape, self.training_steps, self.curve_seed)
        return self._curve

    def begin(self, at: float) -> None:
        """Record creation (QUEUED) and plan validation and, with auto-start, training."""
        self._apply(at, JobStatus.QUEUED)
        plan = self.plan
        validating_at = at + plan.queue_seconds
        validated_at = validating_at + plan.validation_seconds
        self.pending.append((validating_at, JobStatus.VALIDATING))
        if plan.outcome == JobStatus.FAILED_VALIDATION:
            self.pending.append((validated_at, JobStatus.FAILED_VALIDATION))
            return
        self.pending.append((validated_at, JobStatus.VALIDATED))
        if self.auto_start:
            self.start_requested = True
            schedule_training(self, at + run_delay(plan))

    def _apply(self, at: float, status: str) -> None:
        status = str(status)  # plain strings on the wire, never the enum type
        self.status = status
        self.modified_at = at
        self.events.append((int(at), status))
        if status == JobStatus.VALIDATED:
            self.validated = True
            self.hyperparameters["epochs"] = round(self.train_tokens / self.tokens.data_tokens, 4)
        elif status == JobStatus.RUNNING:
            self.run_started_at = at
        elif status == JobStatus.SUCCESS:
            self.stopped_step = self.training_steps
            self.trained_tokens = self.train_tokens
            self.fine_tuned_model = fine_tuned_model_name(self, at)
        elif status == JobStatus.FAILED:
            self.stopped_step = self.plan.fail_step or 0


def fine_tuned_model_name(job: SimJob, at: float) -> str:
    """``ft:<model>:<workspace>:<YYYYMMDD>:<first 8 of job id>``, as the real service names them."""
    import time as _time  # local: only formatting a date

    day = _time.strftime("%Y%m%d", _time.gmtime(at))
    prefix = "ft:classifier" if job.job_type == "classifier" else "ft"
    return f"{prefix}:{job.model}:{job.workspace}:{day}:{job.id[:8]}"


def run_delay(plan: JobPlan) -> float:
    """Time from creation to RUNNING for a job that starts on its own (``auto_start``)."""
    return plan.queue_seconds + plan.validation_seconds + min(1.0, plan.queue_seconds)


def place(job: SimJob, at: float, progress: float) -> None:
    """Date the job's creation so that at ``at`` it is ``progress`` (0..1) into its run.

    ``progress < 0`` means it was created at ``at`` (QUEUED then). Call before ``begin``.
    """
    back = 0.0
    if progress >= 0:
        back = run_delay(job.plan) + progress * job.training_steps * job.plan.step_seconds
    job.created_at = at - back
    job.modified_at = job.created_at


def planned_end(job: SimJob) -> float | None:
    """When the job is planned to reach a terminal status, if that is planned."""
    ends = [at for at, status in job.pending if is_terminal_status(status)]
    return max(ends) if ends else None


def schedule_training(job: SimJob, run_at: float) -> None:
    """Plan RUNNING at ``run_at`` and the end of the run (SUCCESS or FAILED)."""
    plan = job.plan
    job.pending.append((run_at, JobStatus.RUNNING))
    if plan.outcome == JobStatus.FAILED:
        fail_step = plan.fail_step or 1
        job.pending.append((run_at + fail_step * plan.step_seconds + 1.0, JobStatus.FAILED))
    else:
        end = run_at + job.training_steps * plan.step_seconds + plan.finalize_seconds
        job.pending.append((end, JobStatus.SUCCESS))
    job.pending.sort(key=lambda item: item[0])


def steps_done(job: SimJob, now: float) -> int:
    """How many training steps the job has completed at ``now``."""
    if job.stopped_step is not None:
        return job.stopped_step
    if job.run_started_at is None:
        return 0
    elapsed = max(0.0, now - job.run_started_at)
    return min(job.training_steps, math.floor(elapsed / job.plan.step_seconds))


def advance(job: SimJob, now: float) -> bool:
    """Apply every planned change due by ``now``; return whether the status changed."""
    changed = False
    while job.pending and job.pending[0][0] <= now:
        at, status = job.pending.pop(0)
        if status == CANCEL:
            changed = cancel(job, at) or changed
        else:
            job._apply(at, status)
            changed = True
    return changed


def cancel(job: SimJob, at: float) -> bool:
    """Request cancellation at ``at``; ``False`` when the job's status does not allow it."""
    if job.status not in CANCELLABLE_STATUSES:
        return False
    if job.run_started_at is not None and job.stopped_step is None:
        job.stopped_step = steps_done(job, at)
    job.pending.clear()
    job._apply(at, JobStatus.CANCELLATION_REQUESTED)
    job.pending.append((at + job.plan.cancel_seconds, JobStatus.CANCELLED))
    return True


def start(job: SimJob, at: float) -> bool:
    """``POST /start`` at ``at``: back to QUEUED with an estimated start time, then train."""
    if job.status != JobStatus.VALIDATED or job.start_requested:
        return False
    job.start_requested = True
    run_at = at + job.plan.queue_seconds
    job.estimated_start_time = math.ceil(run_at)
    job._apply(at, JobStatus.QUEUED)
    schedule_training(job, run_at)
    return True
