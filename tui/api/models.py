"""Typed, immutable models of what the Mistral fine-tuning API returns.

The classes mirror the wire JSON field for field (snake_case, same names) so that the one cattrs
converter in :mod:`tui.api.convert` can structure and unstructure them without renaming. Values the
real API leaves open are kept raw: ``status`` and ``job_type`` are plain strings, with helpers that
interpret them, so an unknown value never makes a job unreadable.

Every model carries ``wire_keys``: the known keys the payload actually held. It takes no part
in equality; the converter uses it to re-serialise a parsed object exactly as it arrived (a key
that was absent stays absent, a key that was ``null`` stays ``null``). Objects built in code
leave it ``None`` and serialise every field.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeGuard

import attrs

__all__ = [
    "ACTIVE_STATUSES",
    "TERMINAL_STATUSES",
    "ArchiveResult",
    "Checkpoint",
    "ClassifierJob",
    "ClassifierJobDetails",
    "ClassifierTarget",
    "ClassifierTrainingParameters",
    "CompletionJob",
    "CompletionJobDetails",
    "CompletionTrainingParameters",
    "Event",
    "GithubRepository",
    "Integration",
    "Job",
    "JobDetails",
    "JobKind",
    "JobMetadata",
    "JobStatus",
    "JobsPage",
    "Metrics",
    "OtherIntegration",
    "OtherRepository",
    "Repository",
    "RetrievedFile",
    "StatusGroup",
    "WandbIntegration",
    "is_detail",
    "is_terminal_status",
    "job_kind",
    "status_group",
]


def _wire_keys_field() -> Any:
    """The hidden ``wire_keys`` field shared by every model (see the module docstring)."""
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


# --------------------------------------------------------------------------- open enums


class JobStatus(StrEnum):
    """The statuses the API documents. ``Job.status`` stays a plain string: others may appear."""

    QUEUED = "QUEUED"
    STARTED = "STARTED"
    VALIDATING = "VALIDATING"
    VALIDATED = "VALIDATED"
    RUNNING = "RUNNING"
    FAILED_VALIDATION = "FAILED_VALIDATION"
    FAILED = "FAILED"
    SUCCESS = "SUCCESS"
    CANCELLED = "CANCELLED"
    CANCELLATION_REQUESTED = "CANCELLATION_REQUESTED"


TERMINAL_STATUSES: frozenset[str] = frozenset(
    {JobStatus.SUCCESS, JobStatus.FAILED, JobStatus.FAILED_VALIDATION, JobStatus.CANCELLED}
)
"""Statuses after which a job never changes again. Unknown statuses are not terminal."""

ACTIVE_STATUSES: frozenset[str] = frozenset(
    {JobStatus.STARTED, JobStatus.RUNNING, JobStatus.CANCELLATION_REQUESTED}
)
"""Statuses in which a job is training (``STARTED`` is documented but behaves like RUNNING)."""


class StatusGroup(StrEnum):
    """Coarse buckets used for filters and the header's counts."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


_STATUS_GROUPS: dict[str, StatusGroup] = {
    JobStatus.QUEUED: StatusGroup.PENDING,
    JobStatus.VALIDATING: StatusGroup.PENDING,
    JobStatus.VALIDATED: StatusGroup.PENDING,
    JobStatus.STARTED: StatusGroup.RUNNING,
    JobStatus.RUNNING: StatusGroup.RUNNING,
    JobStatus.CANCELLATION_REQUESTED: StatusGroup.RUNNING,
    JobStatus.SUCCESS: StatusGroup.SUCCEEDED,
    JobStatus.FAILED: StatusGroup.FAILED,
    JobStatus.FAILED_VALIDATION: StatusGroup.FAILED,
    JobStatus.CANCELLED: StatusGroup.CANCELLED,
}


def status_group(status: str) -> StatusGroup:
    """The group a raw status string belongs to; unknown strings fall in ``UNKNOWN``."""
    return _STATUS_GROUPS.get(status, StatusGroup.UNKNOWN)


def is_terminal_status(status: str) -> bool:
    """Whether a raw status string means the job is finished for good."""
    return status in TERMINAL_STATUSES


class JobKind(StrEnum):
    """What a raw ``job_type`` means. The 2024 API said ``FT`` for completion jobs."""

    COMPLETION = "completion"
    CLASSIFIER = "classifier"
    OTHER = "other"


_JOB_KINDS: dict[str, JobKind] = {
    "completion": JobKind.COMPLETION,
    "FT": JobKind.COMPLETION,
    "classifier": JobKind.CLASSIFIER,
}


def job_kind(job_type: str) -> JobKind:
    """Interpret a raw ``job_type``; anything unrecognised is ``OTHER``."""
    return _JOB_KINDS.get(job_type, JobKind.OTHER)


# --------------------------------------------------------------------------- small parts


@attrs.frozen
class Metrics:
    """Metrics recorded with a checkpoint.

    ``valid_mean_token_accuracy`` is misnamed by the API: it always equals ``2 ** valid_loss``, a
    perplexity. A ``valid_loss`` of ``0.0`` means the step was not evaluated.
    """

    train_loss: float | None = None
    valid_loss: float | None = None
    valid_mean_token_accuracy: float | None = None
    wire_keys: frozenset[str] | None = _wire_keys_field()

    @property
    def evaluated(self) -> bool:
        """Whether a validation pass ran at this step (``0.0`` and ``None`` mean it did not)."""
        return bool(self.valid_loss)

    @property
    def perplexity(self) -> float | None:
        """The honest name of ``valid_mean_token_accuracy``; ``None`` when not evaluated."""
        return self.valid_mean_token_accuracy if self.evaluated else None


@attrs.frozen
class Checkpoint:
    """A checkpoint saved during training, with the metrics at that step."""

    metrics: Metrics
    step_number: int
    created_at: int
    wire_keys: frozenset[str] | None = _wire_keys_field()


@attrs.frozen
class Event:
    """A job event; in practice always ``status-updated`` with ``data = {"status": ...}``."""

    name: str
    created_at: int
    data: dict[str, Any] | None = None
    wire_keys: frozenset[str] | None = _wire_keys_field()

    @property
    def status(self) -> str | None:
        """The status this event reports, when it carries one."""
        value = self.data.get("status") if self.data else None
        return value if isinstance(value, str) else None


@attrs.frozen
class JobMetadata:
    """Cost and size estimates; all ``None`` (or zero) until the job is VALIDATED."""

    expected_duration_seconds: int | None = None
    cost: float | None = None
    cost_currency: str | None = None
    train_tokens_per_step: int | None = None
    train_tokens: int | None = None
    data_tokens: int | None = None
    estimated_start_time: int | None = None
    wire_keys: frozenset[str] | None = _wire_keys_field()


@attrs.frozen
class WandbIntegration:
    """A Weights & Biases integration; ``url`` is ``None`` until the job is RUNNING."""

    project: str
    name: str | None = None
    run_name: str | None = None
    url: str | None = None
    type: str = "wandb"
    wire_keys: frozenset[str] | None = _wire_keys_field()


@attrs.frozen
class OtherIntegration:
    """An integration of a type finetop does not know; kept whole so nothing is lost."""

    type: str
    raw: dict[str, Any] = attrs.field(factory=dict)
    wire_keys: frozenset[str] | None = _wire_keys_field()


Integration = WandbIntegration | OtherIntegration


@attrs.frozen
class GithubRepository:
    """A GitHub repository used as training data."""

    name: str
    owner: str
    commit_id: str
    ref: str | None = None
    weight: float = 1.0
    type: str = "github"
    wire_keys: frozenset[str] | None = _wire_keys_field()


@attrs.frozen
class OtherRepository:
    """A repository of a type finetop does not know; kept whole so nothing is lost."""

    type: str
    raw: dict[str, Any] = attrs.field(factory=dict)
    wire_keys: frozenset[str] | None = _wire_keys_field()


Repository = GithubRepository | OtherRepository


@attrs.frozen
class ClassifierTarget:
    """One head of a classifier job: a name and the labels it predicts."""

    name: str
    labels: tuple[str, ...] = ()
    weight: float | None = None
    loss_function: str | None = None
    wire_keys: frozenset[str] | None = _wire_keys_field()


@attrs.frozen
class _TrainingParameterFields:
    """Hyperparameters both job types share."""

    training_steps: int | None = None
    learning_rate: float | None = None
    weight_decay: float | None = None
    warmup_fraction: float | None = None
    epochs: float | None = None
    seq_len: int | None = None


@attrs.frozen
class CompletionTrainingParameters(_TrainingParameterFields):
    """Hyperparameters of a completion job."""

    fim_ratio: float | None = None
    wire_keys: frozenset[str] | None = _wire_keys_field()


@attrs.frozen
class ClassifierTrainingParameters(_TrainingParameterFields):
    """Hyperparameters of a classifier job."""

    wire_keys: frozenset[str] | None = _wire_keys_field()


# --------------------------------------------------------------------------- jobs


@attrs.frozen
class _JobFields:
    """Fields common to every job, list item or detail, of every type."""

    id: str
    model: str
    status: str
    created_at: int
    modified_at: int
    job_type: str
    auto_start: bool = True
    training_files: tuple[str, ...] = ()
    validation_files: tuple[str, ...] | None = ()
    object: str = "job"
    fine_tuned_model: str | None = None
    suffix: str | None = None
    integrations: tuple[Integration, ...] | None = ()
    trained_tokens: int | None = None
    metadata: JobMetadata | None = None

    @property
    def kind(self) -> JobKind:
        """What kind of job this is, ``FT`` counting as completion."""
        return job_kind(self.job_type)

    @property
    def status_group(self) -> StatusGroup:
        """The coarse bucket of this job's status."""
        return status_group(self.status)

    @property
    def is_terminal(self) -> bool:
        """Whether the job has finished for good (unknown statuses are not terminal)."""
        return is_terminal_status(self.status)

    @property
    def training_steps(self) -> int | None:
        """The planned number of steps, when known."""
        # Each job class declares its own parameters type (attrs fields cannot be redeclared
        # narrower in a subclass), so the base class cannot name the attribute.
        return self.hyperparameters.training_steps  # type: ignore[attr-defined]

    @property
    def wandb(self) -> WandbIntegration | None:
        """The first W&B integration, if any."""
        for integration in self.integrations or ():
            if isinstance(integration, WandbIntegration):
                return integration
        return None


@attrs.frozen
class CompletionJob(_JobFields):
    """A completion (or legacy ``FT``, or unknown-type) job as listed by ``GET /jobs``."""

    hyperparameters: CompletionTrainingParameters = attrs.field(
        factory=CompletionTrainingParameters
    )
    repositories: tuple[Repository, ...] = ()
    wire_keys: frozenset[str] | None = _wire_keys_field()


@attrs.frozen
class ClassifierJob(_JobFields):
    """A classifier job as listed by ``GET /jobs``."""

    hyperparameters: ClassifierTrainingParameters = attrs.field(
        factory=ClassifierTrainingParameters
    )
    wire_keys: frozenset[str] | None = _wire_keys_field()


class _DetailViews:
    """Derived views over what ``GET /jobs/{id}`` adds to a list item: events and checkpoints.

    A slot-less mixin, so it combines with the slotted attrs classes; the fields themselves are
    declared on each detail class.
    """

    __slots__ = ()
    events: tuple[Event, ...]
    checkpoints: tuple[Checkpoint, ...]

    @property
    def events_by_time(self) -> tuple[Event, ...]:
        """Events oldest first (their wire order differs between API versions)."""
        return tuple(sorted(self.events, key=lambda e: e.created_at))

    @property
    def checkpoints_by_step(self) -> tuple[Checkpoint, ...]:
        """Checkpoints oldest first (the API sends them newest first)."""
        return tuple(sorted(self.checkpoints, key=lambda c: (c.step_number, c.created_at)))

    @property
    def evaluated_checkpoints(self) -> tuple[Checkpoint, ...]:
        """Checkpoints at which a validation pass ran, oldest first."""
        return tuple(c for c in self.checkpoints_by_step if c.metrics.evaluated)

    @property
    def last_step(self) -> int | None:
        """The highest step a checkpoint reached, when there is one."""
        return max((c.step_number for c in self.checkpoints), default=None)


@attrs.frozen
class CompletionJobDetails(_DetailViews, CompletionJob):
    """A completion job with its events and checkpoints, from ``GET /jobs/{id}``."""

    events: tuple[Event, ...] = ()
    checkpoints: tuple[Checkpoint, ...] = ()
    wire_keys: frozenset[str] | None = _wire_keys_field()


@attrs.frozen
class ClassifierJobDetails(_DetailViews, ClassifierJob):
    """A classifier job with its events, checkpoints and targets, from ``GET /jobs/{id}``."""

    events: tuple[Event, ...] = ()
    checkpoints: tuple[Checkpoint, ...] = ()
    classifier_targets: tuple[ClassifierTarget, ...] = ()
    wire_keys: frozenset[str] | None = _wire_keys_field()


Job = CompletionJob | ClassifierJob
"""A job as the list endpoint returns it (a detail is also a ``Job``)."""

JobDetails = CompletionJobDetails | ClassifierJobDetails
"""A job with events and checkpoints."""


def is_detail(job: object) -> TypeGuard[JobDetails]:
    """Whether ``job`` carries its detail payload (events, checkpoints, classifier targets), as
    only ``GET /jobs/{id}`` returns it, rather than being a list item."""
    return isinstance(job, CompletionJobDetails | ClassifierJobDetails)


@attrs.frozen
class JobsPage:
    """One page of ``GET /v1/fine_tuning/jobs`` (the API's ``JobsOut``)."""

    total: int
    data: tuple[Job, ...] = ()
    object: str = "list"
    wire_keys: frozenset[str] | None = _wire_keys_field()


# --------------------------------------------------------------------------- files and models


@attrs.frozen
class RetrievedFile:
    """``GET /v1/files/{id}`` (the API's ``RetrieveFileOut``); finetop shows its filename."""

    id: str
    filename: str
    bytes: int = 0
    created_at: int = 0
    object: str = "file"
    purpose: str = "fine-tune"
    sample_type: str | None = None
    source: str | None = None
    deleted: bool = False
    num_lines: int | None = None
    mimetype: str | None = None
    signature: str | None = None
    expires_at: int | None = None
    visibility: str | None = None
    wire_keys: frozenset[str] | None = _wire_keys_field()


@attrs.frozen
class ArchiveResult:
    """The answer to archiving or unarchiving a fine-tuned model."""

    id: str
    archived: bool
    object: str = "model"
    wire_keys: frozenset[str] | None = _wire_keys_field()
