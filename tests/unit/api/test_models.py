"""Derived views of the models: sorting, evaluated points, last step, status groups, job kinds."""

from __future__ import annotations

import pytest

from tui.api.models import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    Checkpoint,
    ClassifierJob,
    ClassifierJobDetails,
    CompletionJob,
    CompletionJobDetails,
    Event,
    JobKind,
    JobStatus,
    Metrics,
    OtherIntegration,
    StatusGroup,
    WandbIntegration,
    is_terminal_status,
    job_kind,
    status_group,
)

BASE = {
    "id": "j1",
    "model": "open-mistral-7b",
    "status": "RUNNING",
    "created_at": 100,
    "modified_at": 200,
    "job_type": "completion",
}


def checkpoint(step: int, created: int, valid_loss: float | None = 0.5) -> Checkpoint:
    accuracy = 2**valid_loss if valid_loss else valid_loss
    return Checkpoint(Metrics(1.0, valid_loss, accuracy), step_number=step, created_at=created)


def details(**changes: object) -> CompletionJobDetails:
    return CompletionJobDetails(**{**BASE, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "group"),
    [
        ("QUEUED", StatusGroup.PENDING),
        ("VALIDATING", StatusGroup.PENDING),
        ("VALIDATED", StatusGroup.PENDING),
        ("STARTED", StatusGroup.RUNNING),
        ("RUNNING", StatusGroup.RUNNING),
        ("CANCELLATION_REQUESTED", StatusGroup.RUNNING),
        ("SUCCESS", StatusGroup.SUCCEEDED),
        ("FAILED", StatusGroup.FAILED),
        ("FAILED_VALIDATION", StatusGroup.FAILED),
        ("CANCELLED", StatusGroup.CANCELLED),
        ("PAUSED", StatusGroup.UNKNOWN),
        ("", StatusGroup.UNKNOWN),
        ("running", StatusGroup.UNKNOWN),
    ],
)
def test_status_groups_cover_every_documented_status_and_keep_unknown_ones_apart(
    status: str, group: StatusGroup
) -> None:
    assert status_group(status) is group
    assert details(status=status).status_group is group


def test_every_documented_status_has_a_known_group() -> None:
    assert all(status_group(s) is not StatusGroup.UNKNOWN for s in JobStatus)


@pytest.mark.parametrize("status", ["SUCCESS", "FAILED", "FAILED_VALIDATION", "CANCELLED"])
def test_terminal_statuses(status: str) -> None:
    assert is_terminal_status(status)
    assert details(status=status).is_terminal


@pytest.mark.parametrize(
    "status", ["QUEUED", "VALIDATING", "VALIDATED", "STARTED", "RUNNING", "CANCELLATION_REQUESTED"]
)
def test_live_statuses_are_not_terminal(status: str) -> None:
    assert not is_terminal_status(status)
    assert not details(status=status).is_terminal


def test_unknown_status_is_not_terminal_and_status_sets_are_disjoint() -> None:
    assert not is_terminal_status("ARCHIVED_SOMEHOW")
    assert not TERMINAL_STATUSES & ACTIVE_STATUSES
    assert JobStatus.STARTED in ACTIVE_STATUSES


@pytest.mark.parametrize(
    ("job_type", "kind"),
    [
        ("completion", JobKind.COMPLETION),
        ("FT", JobKind.COMPLETION),
        ("classifier", JobKind.CLASSIFIER),
        ("reranker", JobKind.OTHER),
        ("Completion", JobKind.OTHER),
    ],
)
def test_job_kind(job_type: str, kind: JobKind) -> None:
    assert job_kind(job_type) is kind
    assert CompletionJob(**{**BASE, "job_type": job_type}).kind is kind  # type: ignore[arg-type]


def test_classifier_job_kind() -> None:
    job = ClassifierJob(**{**BASE, "job_type": "classifier"})  # type: ignore[arg-type]
    assert job.kind is JobKind.CLASSIFIER


def test_checkpoints_by_step_sorts_newest_first_wire_order_ascending() -> None:
    wire = (checkpoint(30, 300), checkpoint(20, 200), checkpoint(10, 100))
    job = details(checkpoints=wire)
    assert [c.step_number for c in job.checkpoints_by_step] == [10, 20, 30]
    assert job.checkpoints == wire  # the wire order itself is kept


def test_checkpoints_with_equal_steps_sort_by_time() -> None:
    job = details(checkpoints=(checkpoint(10, 150), checkpoint(10, 120)))
    assert [c.created_at for c in job.checkpoints_by_step] == [120, 150]


def test_evaluated_checkpoints_skip_zero_and_missing_valid_loss() -> None:
    job = details(
        checkpoints=(
            checkpoint(40, 400, valid_loss=0.8),
            checkpoint(30, 300, valid_loss=0.0),
            checkpoint(20, 200, valid_loss=None),
            checkpoint(10, 100, valid_loss=0.9),
        )
    )
    assert [c.step_number for c in job.evaluated_checkpoints] == [10, 40]


def test_metrics_perplexity_is_the_misnamed_accuracy_and_none_when_not_evaluated() -> None:
    evaluated = Metrics(train_loss=0.8, valid_loss=0.819697, valid_mean_token_accuracy=1.765035)
    assert evaluated.evaluated
    assert evaluated.perplexity == pytest.approx(2**0.819697, rel=1e-5)
    skipped = Metrics(train_loss=0.8, valid_loss=0.0, valid_mean_token_accuracy=0.0)
    assert not skipped.evaluated
    assert skipped.perplexity is None
    assert Metrics().perplexity is None


def test_last_step_is_the_highest_step_or_none() -> None:
    assert details().last_step is None
    job = details(checkpoints=(checkpoint(5, 50), checkpoint(60, 60), checkpoint(12, 70)))
    assert job.last_step == 60


def test_events_by_time_sorts_oldest_first() -> None:
    events = (
        Event("status-updated", 300, {"status": "SUCCESS"}),
        Event("status-updated", 100, {"status": "QUEUED"}),
        Event("status-updated", 200),
    )
    job = details(events=events)
    assert [e.created_at for e in job.events_by_time] == [100, 200, 300]
    assert [e.status for e in job.events_by_time] == ["QUEUED", None, "SUCCESS"]


def test_event_status_ignores_non_string_values() -> None:
    assert Event("status-updated", 1, {"status": 3}).status is None
    assert Event("status-updated", 1, {}).status is None


def test_wandb_finds_the_first_wandb_integration_among_others() -> None:
    other = OtherIntegration(type="mlflow", raw={"type": "mlflow"})
    wandb = WandbIntegration(project="p", run_name="r")
    assert details(integrations=(other, wandb)).wandb == wandb
    assert details(integrations=(other,)).wandb is None
    assert details(integrations=None).wandb is None


def test_training_steps_come_from_hyperparameters() -> None:
    from tui.api.models import CompletionTrainingParameters

    job = details(hyperparameters=CompletionTrainingParameters(training_steps=69))
    assert job.training_steps == 69
    assert details().training_steps is None


def test_wire_keys_take_no_part_in_equality_and_details_extend_list_items() -> None:
    a = Metrics(1.0, wire_keys=frozenset({"train_loss"}))
    assert a == Metrics(1.0)
    assert hash(a) == hash(Metrics(1.0))
    assert isinstance(details(), CompletionJob)
    classifier = ClassifierJobDetails(**{**BASE, "job_type": "classifier"})  # type: ignore[arg-type]
    assert isinstance(classifier, ClassifierJob)
    assert classifier.classifier_targets == ()
