"""Every real Mistral payload parses, with the values it holds, and serialises back unchanged."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from api_payloads import (
    MISTRAL_JOB_FILES,
    MISTRAL_LIST_FILES,
    OPENAI_FILES,
    fixture_bytes,
    read_fixture,
)

from tui.api.convert import (
    dumps,
    parse_job,
    parse_job_list_item,
    parse_jobs_page,
    unstructure,
)
from tui.api.errors import PayloadError
from tui.api.models import (
    ClassifierJobDetails,
    CompletionJob,
    CompletionJobDetails,
    JobKind,
    StatusGroup,
    WandbIntegration,
)

DROPPED: dict[str, set[str]] = {
    # a top-level key the SDK 0.x repr printed but the wire contract does not have
    "job-detail-completion-63-steps-2024-06.json": {"$.estimated_start_time"},
}
"""Keys of each payload that the models do not know (so serialising drops them)."""


def sub_tree_differences(result: Any, payload: Any, path: str = "$") -> set[str]:
    """Paths of ``payload`` missing from ``result``; asserts everything present is equal."""
    if isinstance(payload, dict):
        assert isinstance(result, dict), path
        assert set(result) <= set(payload), f"{path}: invented keys {set(result) - set(payload)}"
        missing = {f"{path}.{key}" for key in payload if key not in result}
        for key in result:
            missing |= sub_tree_differences(result[key], payload[key], f"{path}.{key}")
        return missing
    if isinstance(payload, list):
        assert isinstance(result, list), path
        assert len(result) == len(payload), path
        missing = set()
        for index, (a, b) in enumerate(zip(result, payload, strict=True)):
            missing |= sub_tree_differences(a, b, f"{path}[{index}]")
        return missing
    assert result == payload, path
    assert type(result) is type(payload) or {type(result), type(payload)} <= {int, float}, path
    return set()


@pytest.mark.parametrize("name", MISTRAL_JOB_FILES)
def test_every_job_payload_parses_the_same_from_bytes_str_and_mapping(name: str) -> None:
    raw = fixture_bytes(name)
    job = parse_job(raw)
    assert parse_job(raw.decode()) == job
    assert parse_job(read_fixture(name)) == job
    assert job.id == read_fixture(name)["id"]


@pytest.mark.parametrize("name", MISTRAL_JOB_FILES + MISTRAL_LIST_FILES)
def test_round_trip_reproduces_the_payload_minus_unknown_keys(name: str) -> None:
    payload = read_fixture(name)
    model = parse_jobs_page(payload) if "total" in payload else parse_job(payload)
    wire = unstructure(model)
    assert sub_tree_differences(wire, payload) == DROPPED.get(name, set())
    again = parse_jobs_page(wire) if "total" in payload else parse_job(wire)
    assert again == model
    assert unstructure(again) == wire
    assert orjson.loads(dumps(model)) == wire


def test_one_hundred_step_job_has_ten_ascending_checkpoints_with_perplexity() -> None:
    job = parse_job(fixture_bytes("job-detail-completion-100-steps-2024-05-docs.json"))
    assert isinstance(job, CompletionJobDetails)
    assert job.job_type == "FT"
    assert job.kind is JobKind.COMPLETION
    assert job.status_group is StatusGroup.SUCCEEDED
    assert job.is_terminal
    assert len(job.checkpoints) == 10
    # the wire order is newest first
    assert [c.step_number for c in job.checkpoints] == list(range(100, 0, -10))
    steps = [c.step_number for c in job.checkpoints_by_step]
    assert steps == sorted(steps) == list(range(10, 101, 10))
    assert job.last_step == 100
    assert job.training_steps == 100
    assert len(job.evaluated_checkpoints) == 10
    for point in job.checkpoints:
        assert point.metrics.valid_loss is not None
        assert point.metrics.perplexity == pytest.approx(2**point.metrics.valid_loss, rel=1e-5)
    assert job.metadata is None
    assert job.auto_start is True  # absent: the default
    assert [e.status for e in job.events_by_time] == ["QUEUED", "RUNNING", "SUCCESS"]
    assert job.fine_tuned_model == "ft:open-mistral-7b:57d37e6c:20240531:2813b7e6"


def test_sixty_three_step_job_checkpoints_and_dropped_unknown_key() -> None:
    job = parse_job(fixture_bytes("job-detail-completion-63-steps-2024-06.json"))
    assert [c.step_number for c in job.checkpoints_by_step] == [12, 24, 36, 48, 60]
    assert job.training_steps == 63
    assert job.last_step == 60
    assert "estimated_start_time" not in unstructure(job)


def test_pixtral_job_valid_metrics_are_not_evaluated() -> None:
    job = parse_job(fixture_bytes("job-detail-completion-pixtral-69-steps-2025-07.json"))
    assert job.model == "pixtral-12b-latest"
    assert job.kind is JobKind.COMPLETION
    assert len(job.checkpoints) == 69
    assert [c.step_number for c in job.checkpoints_by_step] == list(range(1, 70))
    assert job.evaluated_checkpoints == ()
    assert all(c.metrics.perplexity is None for c in job.checkpoints)
    assert all(c.metrics.train_loss is not None for c in job.checkpoints)
    assert job.validation_files == ()
    assert job.hyperparameters.epochs == 2.0
    assert job.metadata is not None
    assert job.metadata.cost == 17.88
    assert [e.status for e in job.events_by_time] == [
        "QUEUED",
        "VALIDATING",
        "VALIDATED",
        "RUNNING",
        "SUCCESS",
    ]


def test_ten_step_job_has_events_without_data() -> None:
    job = parse_job(fixture_bytes("job-detail-completion-10-steps-2024-07.json"))
    assert len(job.events) == 6
    assert all(e.data is None and e.status is None for e in job.events)
    assert all(e.name == "status-updated" for e in job.events)
    assert [e.created_at for e in job.events_by_time] == sorted(e.created_at for e in job.events)
    assert len(job.checkpoints) == 1
    assert job.checkpoints[0].metrics.perplexity == pytest.approx(2**0.92623, rel=1e-5)
    assert job.trained_tokens == 1310720
    assert job.repositories == ()
    assert job.integrations == ()


def test_classifier_jobs_have_targets_and_wandb() -> None:
    job = parse_job(fixture_bytes("job-classifier-success-2025-04-partial-checkpoints.json"))
    assert isinstance(job, ClassifierJobDetails)
    assert job.kind is JobKind.CLASSIFIER
    assert len(job.classifier_targets) == 1
    target = job.classifier_targets[0]
    assert target.name == "intent"
    assert len(target.labels) == 16
    assert "play_music" in target.labels
    assert isinstance(job.wandb, WandbIntegration)
    assert job.wandb.project == "intent-classifier"
    assert job.wandb.url == "https://wandb.ai/mistral-ai/intent-classifier/runs/tpyu9twr"
    assert job.wandb.type == "wandb"  # absent on the wire: the spec's default
    assert "type" not in unstructure(job)["integrations"][0]
    assert [c.step_number for c in job.evaluated_checkpoints] == [100]
    assert job.last_step == 100


def test_classifier_lifecycle_payloads() -> None:
    created = parse_job(fixture_bytes("job-classifier-created-queued-2025-04.json"))
    assert isinstance(created, ClassifierJobDetails)
    assert created.events == ()
    assert created.checkpoints == ()
    assert created.classifier_targets == ()
    assert created.metadata is not None
    assert created.metadata.cost == 0.0
    assert created.metadata.expected_duration_seconds is None
    assert created.hyperparameters.epochs is None
    validated = parse_job(fixture_bytes("job-classifier-validated-2025-04.json"))
    assert validated.status == "VALIDATED"
    assert validated.metadata is not None
    assert validated.metadata.expected_duration_seconds == 400
    started = parse_job(fixture_bytes("job-classifier-after-start-queued-2025-04.json"))
    assert isinstance(started, ClassifierJobDetails)
    assert started.status == "QUEUED"
    assert started.auto_start is False
    assert started.metadata is not None
    assert started.metadata.estimated_start_time == 1744806861
    assert started.classifier_targets[0].name == "moderation"
    assert "toxicity" in started.classifier_targets[0].labels


def test_created_job_has_null_metadata() -> None:
    job = parse_job(fixture_bytes("job-created-queued-2024-07.json"))
    assert job.status_group is StatusGroup.PENDING
    assert job.metadata is not None
    assert job.metadata.cost is None
    assert job.metadata.train_tokens is None
    assert job.hyperparameters.fim_ratio is None
    assert job.trained_tokens is None


def test_jobs_list_page() -> None:
    page = parse_jobs_page(fixture_bytes("jobs-list-2024-07.json"))
    assert page.total == 32
    assert page.object == "list"
    assert len(page.data) == 32
    assert all(type(job) is CompletionJob for job in page.data)  # list items: no details
    assert {job.status for job in page.data} == {"SUCCESS", "VALIDATED", "FAILED"}
    assert all(job.kind is JobKind.COMPLETION for job in page.data)
    with_wandb = [job for job in page.data if job.wandb is not None]
    assert len(with_wandb) == 21
    assert with_wandb[0].wandb is not None
    assert with_wandb[0].wandb.run_name == "economist_style_guide_v8"
    created = [j.created_at for j in page.data]
    assert created == sorted(created, reverse=True)


def test_list_items_parse_one_by_one_and_as_details_without_events() -> None:
    payload = read_fixture("jobs-list-2024-07.json")
    page = parse_jobs_page(payload)
    for item, job in zip(payload["data"], page.data, strict=True):
        assert parse_job_list_item(item) == job
        detail = parse_job(item)
        assert detail.events == ()
        assert detail.checkpoints == ()
        assert unstructure(detail) == unstructure(job)


@pytest.mark.parametrize("name", OPENAI_FILES)
def test_openai_shapes_are_refused_with_paths(name: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_job(fixture_bytes(name))
    assert all(problem.startswith("$") for problem in caught.value.problems)
    with pytest.raises(PayloadError):
        parse_jobs_page(fixture_bytes(name))


def test_openai_job_is_refused_for_what_it_lacks() -> None:
    with pytest.raises(PayloadError) as caught:
        parse_job(fixture_bytes("openai-job-retrieve-spec.json"))
    assert "$.job_type: required field missing" in caught.value.problems
    assert "$.modified_at: required field missing" in caught.value.problems
