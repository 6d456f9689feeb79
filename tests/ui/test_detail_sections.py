"""The detail pane's section builders, called directly: no app, no widget, just a job in.

The pane-level tests (``test_detail_pane.py``) cover the real payloads end to end; these pin the
edge cases of each section: what a missing value, an empty list or a not-yet-loaded detail reads.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import attrs
import pytest
from textual.cache import LRUCache
from textual.content import Content

from tests.ui.helpers import make_job
from tui.api.convert import parse_job
from tui.api.models import (
    ClassifierJob,
    ClassifierJobDetails,
    ClassifierTarget,
    CompletionJob,
    Event,
    GithubRepository,
    JobMetadata,
    OtherIntegration,
    OtherRepository,
    WandbIntegration,
    is_detail,
)
from tui.app.widgets import detail_sections as sections
from tui.display.formats import MISSING

FIXTURES = Path(__file__).parents[1] / "fixtures"
CLASSIFIER = "job-classifier-success-2025-04-partial-checkpoints.json"
T0 = 1_750_000_000
"""2025-06-15 15:06:40 UTC."""


def listed(**fields: Any) -> CompletionJob:
    """A completion job as the list endpoint gives it: no events, no checkpoints."""
    base: dict[str, Any] = {
        "id": "job-1",
        "model": "open-mistral-7b",
        "status": "QUEUED",
        "created_at": T0,
        "modified_at": T0 + 60,
        "job_type": "completion",
    }
    return CompletionJob(**(base | fields))


def listed_classifier() -> ClassifierJob:
    return ClassifierJob(
        id="job-2",
        model="ministral-3b-latest",
        status="QUEUED",
        created_at=T0,
        modified_at=T0,
        job_type="classifier",
    )


def lines_of(content: Content | None) -> list[str]:
    assert content is not None
    return content.plain.splitlines()


def value_of(content: Content | None, label: str) -> str:
    """The value on the line labelled ``label`` (the label column is 18 cells wide)."""
    prefix = f"  {label:<18}"
    found = [line[len(prefix) :] for line in lines_of(content) if line.startswith(prefix)]
    assert len(found) == 1, (label, found)
    return found[0]


def test_is_detail_tells_a_detail_from_a_list_item() -> None:
    assert is_detail(make_job("job-1"))
    assert not is_detail(listed())
    assert not is_detail(None)


@pytest.mark.parametrize(
    ("fields", "title"),
    [
        ({"suffix": "faq-bot", "fine_tuned_model": "ft:x"}, "faq-bot"),
        ({"fine_tuned_model": "ft:open-mistral-7b:ws:abc"}, "ft:open-mistral-7b:ws:abc"),
        ({}, "open-mistral-7b"),
        ({"model": ""}, MISSING),
    ],
)
def test_header_names_the_job_by_suffix_then_model(fields: dict[str, Any], title: str) -> None:
    assert sections.header(listed(**fields)).plain == f"◌ QUEUED  {title}"


def test_overview_missing_values_read_as_a_dash() -> None:
    content = sections.overview(listed(job_type="FT"), now=T0 + 120, tz=UTC, width=0)
    assert lines_of(content)[0] == "Overview"
    assert value_of(content, "suffix") == MISSING
    assert value_of(content, "fine-tuned model") == MISSING
    assert value_of(content, "type") == "FT (completion)"
    assert value_of(content, "created") == "2025-06-15 15:06:40  2m ago"
    assert value_of(content, "auto start") == "yes"
    assert "data" not in content.plain  # no store view, no freshness line


@attrs.frozen
class View:
    """Shaped like the store's JobView, as far as the overview reads it."""

    detail_fetched_at: float | None = None
    detail_final: bool = False
    last_error: str | None = None


@pytest.mark.parametrize(
    ("job", "view", "state"),
    [
        (listed(), View(), "list only; the detail is being fetched"),
        (make_job("job-1"), View(detail_fetched_at=95.0), "live, detail fetched 5s ago"),
        (make_job("job-1"), View(detail_final=True), "final (the job has finished)"),
    ],
)
def test_overview_says_how_fresh_a_store_view_is(
    job: CompletionJob, view: View, state: str
) -> None:
    content = sections.overview(job, now=T0, tz=UTC, width=0, view=view, monotonic_now=100.0)
    assert value_of(content, "data") == state
    assert "last error" not in content.plain


def test_overview_shows_the_last_error() -> None:
    view = View(last_error="HTTP 503")
    content = sections.overview(listed(), now=T0, tz=UTC, width=0, view=view, monotonic_now=1.0)
    assert value_of(content, "last error") == "HTTP 503"


def test_overview_moves_a_long_id_under_its_label_in_a_narrow_pane() -> None:
    job_id = "1f8e6521-09ef-42b4-a4de-7a8d3b77cbb4"
    lines = lines_of(sections.overview(listed(id=job_id), now=T0, tz=UTC, width=40))
    assert lines[1:3] == ["  id", f"    {job_id}"]


def test_progress_of_a_job_not_started() -> None:
    content = sections.progress(listed(), now=T0 + 60, tz=UTC, width=0)
    for label in ("steps", "estimated start", "started", "finished", "elapsed", "rate", "ETA"):
        assert value_of(content, label) == MISSING, label


def test_progress_of_a_finished_job_without_checkpoints_ran_every_step() -> None:
    job = make_job("job-1", status="SUCCESS", steps=10)
    content = sections.progress(job, now=T0 + 3600, tz=UTC, width=0)
    steps, bar = value_of(content, "steps").split("  ")
    assert steps == "10/10 (100%)"
    assert len(bar) == 20
    assert value_of(content, "ETA") == "finished"
    # A narrow pane shortens the bar so it stays on the steps line.
    narrow = sections.progress(job, now=T0 + 3600, tz=UTC, width=44)
    assert len(value_of(narrow, "steps").split("  ")[1]) == 10


def test_cost_without_metadata_and_with_zero_estimates() -> None:
    labels = ("cost", "expected duration", "train tokens", "data tokens", "trained tokens")
    for job in (listed(), listed(metadata=JobMetadata(train_tokens=0, data_tokens=0))):
        content = sections.cost(job, width=0)
        assert lines_of(content)[0] == "Cost and tokens"
        for label in labels:
            assert value_of(content, label) == MISSING, (job.metadata, label)


def test_cost_with_estimates() -> None:
    meta = JobMetadata(
        cost=2.62, cost_currency="USD", expected_duration_seconds=125, train_tokens=1_310_720
    )
    content = sections.cost(listed(metadata=meta), width=0)
    assert value_of(content, "cost") == "2.62 USD"
    assert value_of(content, "expected duration") == "2m 05s"
    assert value_of(content, "train tokens") == "1.3M  (1,310,720)"
    assert value_of(content, "tokens per step") == MISSING


def test_hyperparameters_one_line_per_field_without_wire_keys() -> None:
    content = sections.hyperparameters(make_job("job-1", steps=1200), width=0)
    assert value_of(content, "training steps") == "1,200"
    assert value_of(content, "learning rate") == MISSING
    assert value_of(content, "fim ratio") == MISSING
    assert "wire" not in content.plain


def test_files_missing_empty_and_named() -> None:
    job = listed(training_files=("file-a", "file-b"), validation_files=None)
    names = LRUCache[str, str](4)
    names.set("file-b", "train.jsonl")
    assert lines_of(sections.files(job, names, width=0)) == [
        "Files",
        "  training          file-a",
        "                    train.jsonl  file-b",
        f"  validation        {MISSING}",
    ]
    empty = sections.files(listed(validation_files=()), {}, width=0)
    assert value_of(empty, "validation") == "none"


def test_integrations_missing_and_empty() -> None:
    assert lines_of(sections.integrations(listed(integrations=None), width=0))[1].strip() == MISSING
    assert lines_of(sections.integrations(listed(integrations=()), width=0))[1].strip() == "none"


@pytest.mark.parametrize(
    ("integration", "run_name"),
    [
        (WandbIntegration(project="ft", name="faq", run_name="ignored"), "faq"),
        (WandbIntegration(project="ft", run_name="sweep-3"), "sweep-3"),
        (WandbIntegration(project=""), MISSING),
    ],
)
def test_wandb_run_name(integration: WandbIntegration, run_name: str) -> None:
    content = sections.integrations(listed(integrations=(integration,)), width=0)
    assert value_of(content, "run name") == run_name
    assert value_of(content, "W&B project") == (integration.project or MISSING)
    assert value_of(content, "url") == f"{MISSING}  (appears once the job runs)"


def test_wandb_url_is_a_link_and_other_integrations_show_their_fields() -> None:
    url = "https://wandb.ai/acme/ft/runs/abc"
    job = listed(
        integrations=(
            WandbIntegration(project="ft", url=url),
            OtherIntegration(type="mlflow", raw={"type": "mlflow", "uri": "http://m"}),
            OtherIntegration(type="", raw={"type": ""}),
        )
    )
    content = sections.integrations(job, width=0)
    assert value_of(content, "url") == url
    assert any(getattr(span.style, "link", None) == url for span in content.spans)
    assert value_of(content, "mlflow") == "uri=http://m"
    assert value_of(content, "integration") == MISSING


def test_repositories_only_for_completion_jobs() -> None:
    assert sections.repositories(listed_classifier(), width=0) is None
    assert lines_of(sections.repositories(listed(), width=0))[1].strip() == "none"
    job = listed(
        repositories=(
            GithubRepository(name="docs", owner="acme", commit_id="0123456789abcdef", ref="main"),
            OtherRepository(type="gitlab", raw={"type": "gitlab", "path": "a/b"}),
        )
    )
    content = sections.repositories(job, width=0)
    assert value_of(content, "github") == "acme/docs@main  commit 0123456789ab  weight 1"
    assert value_of(content, "gitlab") == "path=a/b"


def test_targets_only_for_classifier_jobs() -> None:
    assert sections.targets(listed(), width=0) is None
    assert lines_of(sections.targets(listed_classifier(), width=0))[1].strip() == (
        "not loaded yet: they come with the job's detail"
    )


def test_targets_of_a_classifier_detail() -> None:
    job = parse_job((FIXTURES / CLASSIFIER).read_bytes())
    assert isinstance(job, ClassifierJobDetails)
    content = sections.targets(job, width=0)
    assert lines_of(content)[0] == "Classifier targets"
    assert value_of(content, "target") == "intent"
    assert value_of(content, "labels").startswith("16: social_post, email_sendemail")
    plain = ClassifierTarget(name="tone", labels=("calm", "angry"))
    content = sections.targets(attrs.evolve(job, classifier_targets=(plain,)), width=0)
    assert lines_of(content)[1:] == [
        "  target            tone",
        "  labels            2: calm, angry",
        f"  weight            {MISSING}",
        f"  loss function     {MISSING}",
    ]
    empty = sections.targets(attrs.evolve(job, classifier_targets=()), width=0)
    assert lines_of(empty)[1].strip() == "none"


def test_events_before_the_detail_none_yet_and_oldest_first() -> None:
    note = sections.events(listed(), now=T0, tz=UTC, width=0)
    assert lines_of(note)[1].strip() == "no events yet: they come with the job's detail"
    assert lines_of(sections.events(make_job("job-1"), now=T0, tz=UTC, width=0))[1].strip() == (
        "none yet"
    )
    job = attrs.evolve(
        make_job("job-1"),
        events=(
            Event(name="status-updated", created_at=T0 + 60, data={"status": "RUNNING"}),
            Event(name="", created_at=T0),
        ),
    )
    assert lines_of(sections.events(job, now=T0 + 120, tz=UTC, width=0))[1:] == [
        f"  2025-06-15 15:06:40  {MISSING}    2m ago",
        "  2025-06-15 15:07:40  status-updated  ▶ RUNNING  1m ago",
    ]


def test_checkpoints_heading_counts_evaluated_checkpoints() -> None:
    assert sections.checkpoints_heading(listed()).plain == (
        "Checkpoints  not loaded yet: they come with the job's detail"
    )
    assert sections.checkpoints_heading(make_job("job-1")).plain == "Checkpoints  none yet"
    job = make_job("job-1", checkpoints=[(10, 1.0, 1.2), (20, 0.9, 0.0)])
    assert sections.checkpoints_heading(job).plain == "Checkpoints  2, 1 evaluated"
