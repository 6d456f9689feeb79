"""Jobs built in code for monitor tests (no converter needed)."""

from __future__ import annotations

from typing import Any

import attrs

from tui.api.models import (
    Checkpoint,
    CompletionJob,
    CompletionJobDetails,
    CompletionTrainingParameters,
    Event,
    JobMetadata,
    Metrics,
)

T0 = 1_750_000_000


def item(job_id: str = "job-1", status: str = "RUNNING", **overrides: Any) -> CompletionJob:
    """A completion list item."""
    values: dict[str, Any] = {
        "id": job_id,
        "model": "open-mistral-7b",
        "status": status,
        "created_at": T0,
        "modified_at": T0 + 10,
        "job_type": "completion",
        "hyperparameters": CompletionTrainingParameters(training_steps=100),
    }
    values.update(overrides)
    return CompletionJob(**values)


def checkpoint(step: int, at: int, train: float = 1.0, valid: float = 0.0) -> Checkpoint:
    """A checkpoint; ``valid=0.0`` means not evaluated (the API's convention)."""
    return Checkpoint(
        metrics=Metrics(
            train_loss=train,
            valid_loss=valid,
            valid_mean_token_accuracy=2**valid if valid else None,
        ),
        step_number=step,
        created_at=at,
    )


def status_event(status: str, at: int) -> Event:
    return Event(name="status-updated", created_at=at, data={"status": status})


def detail(
    job_id: str = "job-1",
    status: str = "RUNNING",
    checkpoints: tuple[Checkpoint, ...] = (),
    events: tuple[Event, ...] = (),
    **overrides: Any,
) -> CompletionJobDetails:
    """A completion detail with the given history."""
    base = item(job_id, status, **overrides)
    fields = {f.name: getattr(base, f.name) for f in attrs.fields(CompletionJob)}
    fields.pop("wire_keys")
    return CompletionJobDetails(**fields, checkpoints=checkpoints, events=events)


def metadata(expected: int | None) -> JobMetadata:
    return JobMetadata(expected_duration_seconds=expected)
