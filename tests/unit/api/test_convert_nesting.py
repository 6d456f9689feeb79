"""Free-form JSON (event data, unknown integrations and repositories) has a bounded depth."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
from api_payloads import read_fixture

from tui.api.convert import parse_job, unstructure
from tui.api.convert_rules import MAX_FREE_FORM_DEPTH
from tui.api.errors import PayloadError
from tui.api.models import OtherIntegration

HUNDRED = "job-detail-completion-100-steps-2024-05-docs.json"
MARKER = "<nested>"
"""A string put where the nested value goes, replaced in the encoded bytes."""


def nested_objects(levels: int) -> dict[str, Any]:
    """``{"a": {"a": ... {}}}`` with ``levels`` objects, built without recursion."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def nested_text(levels: int) -> bytes:
    """The JSON text of :func:`nested_objects` (``orjson.dumps`` itself stops at 255 levels)."""
    return b'{"a":' * (levels - 1) + b"{}" + b"}" * (levels - 1)


def with_event_data(data: Any) -> dict[str, Any]:
    """The 100-step job with ``data`` as the first event's data."""
    job = copy.deepcopy(read_fixture(HUNDRED))
    job["events"][0]["data"] = data
    return job


def as_bytes(job: dict[str, Any], levels: int) -> bytes:
    """``job`` encoded, with :data:`MARKER` replaced by ``levels`` nested objects."""
    raw = orjson.dumps(job)
    assert raw.count(orjson.dumps(MARKER)) == 1
    return raw.replace(orjson.dumps(MARKER), nested_text(levels))


def problems_of(data: Any) -> tuple[str, ...]:
    with pytest.raises(PayloadError) as caught:
        parse_job(data)
    return caught.value.problems


def test_the_bound_is_sixty_four_levels() -> None:
    assert MAX_FREE_FORM_DEPTH == 64


def test_event_data_at_the_bound_is_kept_and_round_trips() -> None:
    deepest = nested_objects(MAX_FREE_FORM_DEPTH)
    job = parse_job(with_event_data(deepest))
    assert job.events[0].data == deepest
    assert parse_job(as_bytes(with_event_data(MARKER), MAX_FREE_FORM_DEPTH)) == job
    assert unstructure(job)["events"][0]["data"] == deepest


@pytest.mark.parametrize("levels", [MAX_FREE_FORM_DEPTH + 1, 400, 5_000])
def test_event_data_past_the_bound_is_refused_with_its_path(levels: int) -> None:
    assert problems_of(with_event_data(nested_objects(levels))) == (
        "$.events[0].data: nested deeper than 64 levels",
    )


def test_arrays_count_as_levels_too() -> None:
    data: Any = []
    for _ in range(MAX_FREE_FORM_DEPTH - 1):
        data = [data]
    assert problems_of(with_event_data({"status": "QUEUED", "trail": data})) == (
        "$.events[0].data: nested deeper than 64 levels",
    )
    assert parse_job(with_event_data({"status": "QUEUED", "trail": data[0]})).events[0].data


def test_four_hundred_levels_in_bytes_are_refused_with_the_path() -> None:
    raw = as_bytes(with_event_data(MARKER), 400)
    assert problems_of(raw) == ("$.events[0].data: nested deeper than 64 levels",)
    assert problems_of(raw.decode()) == ("$.events[0].data: nested deeper than 64 levels",)


def test_five_thousand_levels_in_bytes_are_invalid_json_not_a_crash() -> None:
    # orjson refuses documents nested past 1,024 levels before finetop sees a value.
    (problem,) = problems_of(as_bytes(with_event_data(MARKER), 5_000))
    assert problem.startswith("$: invalid JSON (")


@pytest.mark.parametrize("field", ["integrations", "repositories"])
@pytest.mark.parametrize("levels", [400, 5_000])
def test_unknown_integrations_and_repositories_are_bounded_too(field: str, levels: int) -> None:
    job = read_fixture(HUNDRED)
    kept = {"type": "mlflow", "nested": nested_objects(MAX_FREE_FORM_DEPTH - 1)}
    assert parse_job({**job, field: [kept]}) is not None
    deep = {"type": "mlflow", "nested": nested_objects(levels)}
    assert problems_of({**job, field: [kept, deep]}) == (
        f"$.{field}[1]: nested deeper than 64 levels",
    )


def test_unknown_integration_at_the_bound_keeps_everything() -> None:
    raw = {"type": "mlflow", "nested": nested_objects(MAX_FREE_FORM_DEPTH - 1)}
    job = parse_job({**read_fixture(HUNDRED), "integrations": [raw]})
    assert job.integrations == (OtherIntegration(type="mlflow", raw=raw),)


def test_deep_values_under_unknown_keys_are_ignored_unread() -> None:
    job = parse_job({**read_fixture(HUNDRED), "future_field": nested_objects(5_000)})
    assert job == parse_job(read_fixture(HUNDRED))
