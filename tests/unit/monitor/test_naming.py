"""What a job and its model are called in narrow places."""

from __future__ import annotations

import pytest

from tests.unit.monitor.monitor_factories import item
from tui.monitor.naming import job_name, short_model


@pytest.mark.parametrize(
    ("model", "short"),
    [
        ("open-mistral-7b", "7b"),
        ("open-mistral-nemo", "nemo"),
        ("mistral-small-latest", "small"),
        ("mistral-large-2407", "large-2407"),
        ("codestral-latest", "codestral"),
        ("ministral-8b-latest", "ministral-8b"),
        ("pixtral-12b-latest", "pixtral-12b"),
        ("mistral-", "mistral-"),  # nothing would be left: kept whole
        ("-latest", "-latest"),
        ("gpt-4o", "gpt-4o"),
    ],
)
def test_short_model_names_drop_what_every_model_shares(model: str, short: str) -> None:
    assert short_model(model) == short


@pytest.mark.parametrize(
    ("suffix", "fine_tuned", "name"),
    [
        ("exp-1", "ft:open-mistral-7b:b6e34a5e:exp-1:4ffddbce", "exp-1"),
        (None, "ft:open-mistral-7b:b6e34a5e:20240531:4ffddbce", None),  # date and id only
        (None, "ft:classifier:ministral-3b-latest:8e2706f0:20250416:db22ea7e", None),
        (None, "ft:open-mistral-7b:b6e34a5e:my-run:4ffddbce", "my-run"),
        (None, "ft:davinci-002:my-org:custom_suffix:7q8mpxmy", "custom_suffix"),
        (None, "ft:odd", None),
        (None, "my-own-model-name", "my-own-model-name"),
        (None, None, None),
        ("", None, None),
    ],
)
def test_a_job_is_named_by_its_suffix_never_by_its_id_again(
    suffix: str | None, fine_tuned: str | None, name: str | None
) -> None:
    job = item("4ffddbce-1111-2222-3333-444444444444", suffix=suffix, fine_tuned_model=fine_tuned)
    assert job_name(job) == name
