"""Mutated payloads: what must still parse, what must fail with a readable path, and fuzzing."""

from __future__ import annotations

import copy
import math
from types import MappingProxyType
from typing import Any

import orjson
import pytest
from api_payloads import MISTRAL_JOB_FILES, read_fixture
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.api.convert import (
    converter,
    parse_archive,
    parse_file,
    parse_job,
    parse_job_list_item,
    parse_jobs_page,
    unstructure,
)
from tui.api.errors import PayloadError
from tui.api.models import (
    ArchiveResult,
    ClassifierJobDetails,
    CompletionJob,
    CompletionJobDetails,
    GithubRepository,
    JobDetails,
    JobKind,
    JobsPage,
    OtherIntegration,
    OtherRepository,
    RetrievedFile,
    StatusGroup,
    WandbIntegration,
)

HUNDRED = "job-detail-completion-100-steps-2024-05-docs.json"
PIXTRAL = "job-detail-completion-pixtral-69-steps-2025-07.json"
CLASSIFIER = "job-classifier-success-2025-04-partial-checkpoints.json"
LIST = "jobs-list-2024-07.json"


def payload(name: str = HUNDRED) -> dict[str, Any]:
    return copy.deepcopy(read_fixture(name))


def problems_of(data: Any, parse: Any = parse_job) -> tuple[str, ...]:
    with pytest.raises(PayloadError) as caught:
        parse(data)
    return caught.value.problems


# --------------------------------------------------------------------------- still readable


def test_unknown_status_is_kept_raw_and_not_terminal() -> None:
    job = parse_job({**payload(), "status": "PAUSED_FOR_MAINTENANCE"})
    assert job.status == "PAUSED_FOR_MAINTENANCE"
    assert job.status_group is StatusGroup.UNKNOWN
    assert not job.is_terminal


@pytest.mark.parametrize("job_type", ["reranker", "FT", "completion", "", "CLASSIFIER"])
def test_non_classifier_job_types_are_completion_jobs(job_type: str) -> None:
    job = parse_job({**payload(), "job_type": job_type})
    assert type(job) is CompletionJobDetails
    assert job.job_type == job_type
    item = parse_job_list_item({**payload(), "job_type": job_type})
    assert type(item) is CompletionJob


def test_unknown_job_type_in_a_list_still_lists() -> None:
    page = payload(LIST)
    page["data"][3]["job_type"] = "dpo"
    result = parse_jobs_page(page)
    assert result.data[3].job_type == "dpo"
    assert result.data[3].kind is JobKind.OTHER
    assert len(result.data) == 32


def test_classifier_type_on_a_completion_payload_gives_a_classifier() -> None:
    job = parse_job({**payload(), "job_type": "classifier"})
    assert type(job) is ClassifierJobDetails


def test_unknown_integration_and_repository_types_are_kept_whole() -> None:
    data = payload(PIXTRAL)
    mlflow = {"type": "mlflow", "tracking_uri": "https://ml.example", "nested": {"a": [1]}}
    wandb = {"project": "p", "name": None, "run_name": "r", "url": None, "type": "wandb"}
    data["integrations"] = [mlflow, wandb]
    hf = {"type": "huggingface", "name": "org/repo"}
    github = {"type": "github", "name": "n", "owner": "o", "commit_id": "c", "weight": 1}
    data["repositories"] = [hf, github]
    job = parse_job(data)
    assert isinstance(job, CompletionJobDetails)
    assert job.integrations == (
        OtherIntegration(type="mlflow", raw=mlflow),
        WandbIntegration(project="p", run_name="r"),
    )
    assert job.wandb == WandbIntegration(project="p", run_name="r")
    assert job.repositories[0] == OtherRepository(type="huggingface", raw=hf)
    assert isinstance(job.repositories[1], GithubRepository)
    assert job.repositories[1].weight == 1.0
    assert type(job.repositories[1].weight) is float
    wire = unstructure(job)
    assert wire["integrations"] == [mlflow, wandb]
    assert wire["repositories"] == [hf, github]
    assert parse_job(wire) == job


def test_integration_without_type_is_wandb() -> None:
    job = parse_job({**payload(), "integrations": [{"project": "x"}]})
    assert job.wandb == WandbIntegration(project="x")
    assert unstructure(job)["integrations"] == [{"project": "x"}]


def test_extra_keys_anywhere_are_ignored_and_not_serialised() -> None:
    data = payload()
    original = parse_job(data)
    data["brand_new"] = {"x": 1}
    data["wire_keys"] = ["not", "ours"]
    data["checkpoints"][2]["extra"] = 1
    data["checkpoints"][2]["metrics"]["valid_accuracy"] = 0.5
    data["events"][0]["level"] = "info"
    data["hyperparameters"]["beta"] = 0.1
    job = parse_job(data)
    assert job == original
    assert unstructure(job) == unstructure(original) == read_fixture(HUNDRED)


def test_missing_optional_fields_take_defaults() -> None:
    required = ("id", "model", "status", "created_at", "modified_at", "job_type")
    data = {key: payload()[key] for key in required}
    job = parse_job(data)
    assert job.events == ()
    assert job.checkpoints == ()
    assert job.integrations == ()
    assert job.metadata is None
    assert job.fine_tuned_model is None
    assert job.training_steps is None
    assert unstructure(job) == data


def test_optional_metric_and_metadata_fields_may_be_missing_or_null() -> None:
    data = payload(PIXTRAL)
    del data["checkpoints"][5]["metrics"]["valid_loss"]
    data["checkpoints"][6]["metrics"] = {}
    data["checkpoints"][7]["metrics"]["train_loss"] = None
    data["metadata"] = {"cost": 3}
    job = parse_job(data)
    by_step = {c.step_number: c for c in job.checkpoints}
    assert by_step[64].metrics.valid_loss is None
    assert by_step[63].metrics.train_loss is None
    assert by_step[62].metrics.train_loss is None
    assert job.metadata is not None
    assert job.metadata.cost == 3.0
    assert type(job.metadata.cost) is float
    assert unstructure(job) == data


def test_events_without_data_and_null_data() -> None:
    data = payload()
    del data["events"][0]["data"]
    data["events"][1]["data"] = None
    job = parse_job(data)
    assert job.events[0].data is None
    assert job.events[1].data is None
    assert job.events[2].status == "QUEUED"
    wire = unstructure(job)
    assert "data" not in wire["events"][0]
    assert wire["events"][1]["data"] is None


def test_non_dict_mappings_are_read_too() -> None:
    data = payload()
    data["checkpoints"] = [MappingProxyType(c) for c in data["checkpoints"]]
    assert parse_job(MappingProxyType(data)) == parse_job(read_fixture(HUNDRED))


def test_one_odd_checkpoint_among_many_keeps_each_checkpoints_own_keys() -> None:
    data = payload(PIXTRAL)
    del data["checkpoints"][40]["metrics"]["valid_mean_token_accuracy"]
    job = parse_job(data)
    assert job.checkpoints[40].metrics.wire_keys == frozenset({"train_loss", "valid_loss"})
    assert job.checkpoints[41].metrics.wire_keys == frozenset(
        {"train_loss", "valid_loss", "valid_mean_token_accuracy"}
    )
    assert unstructure(job) == data


# --------------------------------------------------------------------------- refused, with paths


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["checkpoints"][3].update(step_number="70"), "$.checkpoints[3].step_number"),
        (lambda d: d["checkpoints"][3].update(step_number=True), "$.checkpoints[3].step_number"),
        (lambda d: d["checkpoints"][3].update(step_number=7.0), "$.checkpoints[3].step_number"),
        (lambda d: d.update(created_at=False), "$.created_at"),
        (lambda d: d.update(created_at=None), "$.created_at"),
        (lambda d: d.update(status=3), "$.status"),
        (lambda d: d["checkpoints"][0]["metrics"].update(train_loss=True), None),
        (lambda d: d["checkpoints"][0]["metrics"].update(train_loss="0.8"), None),
        (lambda d: d.update(training_files="abc"), "$.training_files"),
        (lambda d: d.update(training_files=[1]), "$.training_files[0]"),
        (lambda d: d.update(integrations=["wandb"]), "$.integrations[0]"),
        (lambda d: d.update(integrations=[{"type": 5, "project": "p"}]), "$.integrations[0].type"),
        (lambda d: d.update(integrations=[{"name": "no project"}]), "$.integrations[0].project"),
        (lambda d: d.update(events={"name": "x"}), "$.events"),
        (lambda d: d["events"][1].update(data=["QUEUED"]), "$.events[1].data"),
        (lambda d: d.update(auto_start=1), "$.auto_start"),
        (lambda d: d.update(metadata=[]), "$.metadata"),
        (lambda d: d.update(hyperparameters={"training_steps": "100"}), None),
        (lambda d: d.pop("id"), "$.id"),
    ],
)
def test_wrong_types_name_the_path(mutate: Any, expected: str | None) -> None:
    data = payload()
    mutate(data)
    problems = problems_of(data)
    if expected is None:
        assert len(problems) == 1
    else:
        assert [p.split(": ")[0] for p in problems] == [expected]


def test_the_documented_example_message() -> None:
    data = payload()
    data["checkpoints"][3]["step_number"] = "70"
    assert problems_of(orjson.dumps(data)) == ("$.checkpoints[3].step_number: expected int",)
    with pytest.raises(PayloadError, match=r"\$\.checkpoints\[3\]\.step_number: expected int"):
        parse_job(data)


def test_every_problem_is_listed_even_in_long_checkpoint_lists() -> None:
    data = payload(PIXTRAL)
    data["checkpoints"][2]["step_number"] = "x"
    data["checkpoints"][50]["metrics"]["valid_loss"] = "high"
    data["checkpoints"][60]["created_at"] = True
    del data["model"]
    assert problems_of(data) == (
        "$.model: required field missing",
        "$.checkpoints[2].step_number: expected int",
        "$.checkpoints[50].metrics.valid_loss: expected number",
        "$.checkpoints[60].created_at: expected int",
    )


def test_list_page_problems_name_the_item() -> None:
    data = payload(LIST)
    data["data"][5]["status"] = 3
    data["total"] = "32"
    assert problems_of(data, parse_jobs_page) == (
        "$.total: expected int",
        "$.data[5].status: expected str",
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (float("nan"), "expected a finite number"),
        (float("inf"), "expected a finite number"),
        (10**400, "number out of range"),
        (True, "expected number"),
    ],
)
def test_odd_numbers_in_float_fields(value: Any, reason: str) -> None:
    data = payload(PIXTRAL)
    data["checkpoints"][30]["metrics"]["train_loss"] = value
    assert problems_of(data) == (f"$.checkpoints[30].metrics.train_loss: {reason}",)


def test_huge_ints() -> None:
    data = payload()
    data["created_at"] = 10**30  # from a mapping: a Python int, kept
    assert parse_job(data).created_at == 10**30
    text = orjson.dumps(payload()).replace(b"1717172592", b"1" + b"0" * 30, 1)
    # orjson reads a number past 64 bits as a float: not an int any more
    assert problems_of(text) == ("$.created_at: expected int",)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"[]", "$: expected object"),
        (b"3", "$: expected object"),
        (b"null", "$: expected object"),
        ('"job"', "$: expected object"),
        ([], "$: expected object"),
        (None, "$: expected object"),
        (3, "$: expected object"),
    ],
)
def test_top_level_must_be_an_object(data: Any, problem: str) -> None:
    assert problems_of(data) == (problem,)
    assert problems_of(data, parse_jobs_page) == (problem,)


@pytest.mark.parametrize(
    "data", [b"", b"{", b"\xff\xfe", b'{"id": NaN}', b"{'id': 1}", "\ud800", bytearray(b"[")]
)
def test_invalid_json(data: Any) -> None:
    (problem,) = problems_of(data)
    assert problem.startswith("$: invalid JSON")


@pytest.mark.parametrize("data", [object(), {1, 2}, Exception("x")])
def test_unsupported_input_types(data: Any) -> None:
    (problem,) = problems_of(data)
    assert problem.startswith("$: expected JSON")


def test_file_and_archive_payloads() -> None:
    file_payload = {
        "id": "f1",
        "object": "file",
        "bytes": 123,
        "created_at": 1,
        "filename": "train.jsonl",
        "purpose": "fine-tune",
        "sample_type": "instruct",
        "source": "upload",
        "deleted": False,
        "num_lines": 10,
    }
    result = parse_file(orjson.dumps(file_payload))
    assert result == RetrievedFile(**file_payload)
    assert unstructure(result) == file_payload
    assert problems_of({**file_payload, "deleted": "no"}, parse_file) == (
        "$.deleted: expected bool",
    )
    archived = parse_archive(b'{"id": "ft:x", "object": "model", "archived": true}')
    assert archived == ArchiveResult(id="ft:x", archived=True)
    assert problems_of(b'{"id": "ft:x"}', parse_archive) == ("$.archived: required field missing",)


# --------------------------------------------------------------------------- fuzzing

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
DELETE = object()


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:12]):
            found += paths_of(child, (*prefix, index))
    return found


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy_ = dict(value)
        if new is DELETE and not rest:
            copy_.pop(head, None)
        else:
            copy_[head] = replaced(value[head], rest, new)
        return copy_
    copy_list = list(value)
    if new is DELETE and not rest:
        del copy_list[head]
    else:
        copy_list[head] = replaced(value[head], rest, new)
    return copy_list


PARSERS = [
    (parse_job, JobDetails),
    (parse_jobs_page, JobsPage),
    (parse_file, RetrievedFile),
    (parse_archive, ArchiveResult),
]


def check_only_payload_errors(data: Any) -> None:
    for parse, type_ in PARSERS:
        try:
            model = parse(data)
        except PayloadError as exc:
            problems = exc.problems
            assert problems
            assert all(p.startswith("$") for p in problems)
            continue
        # Accepted: the detailed rules agree, and the model serialises and re-reads to itself.
        decoded = orjson.loads(data) if isinstance(data, bytes | str) else data
        assert converter.structure(decoded, type_) == model
        assert parse(unstructure(model)) == model


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_only_ever_raises_payload_errors(value: Any) -> None:
    check_only_payload_errors(value if isinstance(value, dict) else {"wrapped": value})
    try:
        raw = orjson.dumps(value)
    except (orjson.JSONEncodeError, TypeError):
        raw = b'{"total": NaN}'  # non-finite floats or huge ints: not JSON
    check_only_payload_errors(raw)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64) | st.text(max_size=32))
def test_arbitrary_bytes_and_text_only_raise_payload_errors(data: bytes | str) -> None:
    check_only_payload_errors(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_payloads_only_raise_payload_errors(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from([*MISTRAL_JOB_FILES, LIST]))
    original = read_fixture(name)
    path = data.draw(st.sampled_from(paths_of(original)))
    new = data.draw(json_values | st.just(DELETE) if path else json_values)
    mutated = replaced(original, path, new)
    check_only_payload_errors(mutated)
    try:
        raw = orjson.dumps(mutated)
    except (orjson.JSONEncodeError, TypeError):
        return
    check_only_payload_errors(raw)


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.booleans())
def test_any_number_in_a_long_metrics_column(value: Any) -> None:
    data = payload(PIXTRAL)
    data["checkpoints"][10]["metrics"]["valid_loss"] = value
    try:
        job = parse_job(data)
    except PayloadError as exc:
        problem = exc.problems[0]
        assert problem.startswith("$.checkpoints[10].metrics.valid_loss: ")
        assert isinstance(value, bool) or not math.isfinite(float(value))
    else:
        assert job.checkpoints[10].metrics.valid_loss == float(value)
        assert type(job.checkpoints[10].metrics.valid_loss) is float


def test_metrics_sent_as_the_integer_zero_become_floats() -> None:
    data = payload(PIXTRAL)
    for point in data["checkpoints"]:
        point["metrics"].update(valid_loss=0, valid_mean_token_accuracy=0)
    raw = orjson.dumps(data)
    assert b'"valid_loss":0,' in raw
    job = parse_job(raw)
    for point in job.checkpoints:
        assert point.metrics.valid_loss == 0.0
        assert type(point.metrics.valid_loss) is float
        assert type(point.metrics.valid_mean_token_accuracy) is float
        assert not point.metrics.evaluated
