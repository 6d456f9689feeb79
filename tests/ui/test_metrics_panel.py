"""MetricsPanel draws exactly the measured points of a job's checkpoints, in place, bounded."""

from __future__ import annotations

import json
import math
from pathlib import Path

import attrs
import pytest
from textual.app import App, ComposeResult
from textual.widgets import Sparkline, Static

from tui.api.convert import parse_job, parse_job_list_item
from tui.api.models import Checkpoint, CompletionJobDetails, Metrics
from tui.app.widgets.metrics import MAX_POINTS, MetricsPanel, downsample
from tui.monitor.store import JobView

FIXTURES = Path(__file__).parents[1] / "fixtures"
DETAIL_FIXTURES = [
    "job-detail-completion-100-steps-2024-05-docs.json",
    "job-detail-completion-63-steps-2024-06.json",
    "job-detail-completion-10-steps-2024-07.json",
    "job-detail-completion-pixtral-69-steps-2025-07.json",
    "job-classifier-success-2025-04-partial-checkpoints.json",
    "job-classifier-validated-2025-04.json",
]


def load(name: str) -> CompletionJobDetails:
    return parse_job((FIXTURES / name).read_bytes())  # type: ignore[return-value]


def expected_series(job: CompletionJobDetails) -> dict[str, list[float]]:
    """What the sparklines must hold, computed straight from the payload's checkpoints."""
    by_step = sorted(job.checkpoints, key=lambda c: c.step_number)
    evaluated = [c for c in by_step if c.metrics.valid_loss]
    return {
        "train_loss": [c.metrics.train_loss for c in by_step if c.metrics.train_loss is not None],
        "valid_loss": [c.metrics.valid_loss for c in evaluated],
        "perplexity": [c.metrics.valid_mean_token_accuracy for c in evaluated],
    }


class MetricsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield MetricsPanel()


def sparklines(app: App[None]) -> dict[str, Sparkline]:
    return {key: app.query_one(f"#spark-{key}", Sparkline) for key in expected_series_keys()}


def expected_series_keys() -> tuple[str, ...]:
    return ("train_loss", "valid_loss", "perplexity")


def label_text(app: App[None], key: str) -> str:
    return str(app.query_one(f"#label-{key}", Static).content)


@pytest.mark.parametrize("name", DETAIL_FIXTURES)
async def test_series_equal_the_measured_checkpoints(name: str) -> None:
    job = load(name)
    app = MetricsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        panel = app.query_one(MetricsPanel)
        panel.show_job(job)
        await pilot.pause()
        expected = expected_series(job)
        assert panel.series() == expected
        for key, sparkline in sparklines(app).items():
            assert list(sparkline.data or []) == expected[key]
            values = list(sparkline.data or [])
            assert all(math.isfinite(v) for v in values)
            if key != "train_loss":
                assert all(v > 0 for v in values)  # 0.0 means "not evaluated", never drawn
            shown = len(expected[key]) >= 2  # one point would draw a meaningless full block
            assert sparkline.styles.visibility == ("visible" if shown else "hidden")


async def test_labels_show_last_min_and_step_range() -> None:
    job = load("job-detail-completion-100-steps-2024-05-docs.json")
    app = MetricsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        app.query_one(MetricsPanel).show_job(job)
        await pilot.pause()
        train = label_text(app, "train_loss")
        assert "train loss" in train
        assert "0.8161" in train  # last (step 100)
        assert "min 0.7755" in train  # step 70
        assert "steps 10–100" in train
        assert "1.7650" in label_text(app, "perplexity")
        assert "perplexity" in label_text(app, "perplexity")


async def test_pixtral_has_no_validation_points() -> None:
    job = load("job-detail-completion-pixtral-69-steps-2025-07.json")
    app = MetricsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        panel = app.query_one(MetricsPanel)
        panel.show_job(job)
        await pilot.pause()
        assert len(panel.series()["train_loss"]) == 69
        assert panel.series()["valid_loss"] == []
        assert panel.series()["perplexity"] == []
        # A finished job without a validation file says so; it never says "yet".
        assert "no validation set" in label_text(app, "valid_loss")
        assert "yet" not in label_text(app, "valid_loss")
        assert "None" not in label_text(app, "valid_loss")


@pytest.mark.parametrize(
    ("status", "validation_files", "note"),
    [
        ("SUCCESS", ("file-v",), "not evaluated"),
        ("FAILED", ("file-v",), "not evaluated"),
        ("RUNNING", ("file-v",), "not evaluated yet"),
        ("RUNNING", (), "no validation set"),
    ],
)
async def test_the_valid_loss_note_tells_the_truth(
    status: str, validation_files: tuple[str, ...], note: str
) -> None:
    job = attrs.evolve(
        load("job-detail-completion-pixtral-69-steps-2025-07.json"),
        status=status,
        validation_files=validation_files,
    )
    app = MetricsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        app.query_one(MetricsPanel).show_job(job)
        await pilot.pause()
        for key in ("valid_loss", "perplexity"):
            assert label_text(app, key).endswith(f"—  {note}"), label_text(app, key)


async def test_updates_in_place_as_checkpoints_arrive() -> None:
    job = load("job-detail-completion-100-steps-2024-05-docs.json")
    newest_first = job.checkpoints
    app = MetricsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        panel = app.query_one(MetricsPanel)
        before = sparklines(app)
        for count in (1, 4, 10):
            partial = attrs.evolve(job, checkpoints=newest_first[-count:])
            panel.show_job(partial)
            await pilot.pause()
            assert panel.series() == expected_series(partial)
            assert len(panel.series()["train_loss"]) == count
        after = sparklines(app)
        assert all(before[k] is after[k] for k in before)
        assert list(after["valid_loss"].data or []) == expected_series(job)["valid_loss"]


async def test_accepts_a_store_view_and_a_list_item_and_none() -> None:
    job = load("job-detail-completion-10-steps-2024-07.json")
    listing = json.loads((FIXTURES / "jobs-list-2024-07.json").read_text())
    item = parse_job_list_item(listing["data"][0])
    app = MetricsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        panel = app.query_one(MetricsPanel)
        panel.show_job(JobView(job=job))
        await pilot.pause()
        assert panel.job_id == job.id
        assert panel.series()["train_loss"] == [0.851776]
        panel.show_job(item)
        await pilot.pause()
        assert panel.series() == {"train_loss": [], "valid_loss": [], "perplexity": []}
        assert "no checkpoints yet" in label_text(app, "train_loss")
        panel.show_job(None)
        await pilot.pause()
        assert panel.job_id is None
        assert "None" not in label_text(app, "train_loss")


async def test_missing_nan_and_zero_values_are_not_drawn() -> None:
    job = load("job-detail-completion-10-steps-2024-07.json")
    checkpoints = (
        Checkpoint(Metrics(0.9, 1.0, 2.0), step_number=1, created_at=10),
        Checkpoint(Metrics(None, None, None), step_number=2, created_at=20),
        Checkpoint(Metrics(float("nan"), float("nan"), float("nan")), step_number=3, created_at=30),
        Checkpoint(Metrics(0.8, 0.0, 0.0), step_number=4, created_at=40),
        Checkpoint(Metrics(0.7, 0.5, 2**0.5), step_number=5, created_at=50),
        Checkpoint(Metrics(float("inf"), 0.4, None), step_number=6, created_at=60),
    )
    app = MetricsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        panel = app.query_one(MetricsPanel)
        panel.show_job(attrs.evolve(job, checkpoints=checkpoints))
        await pilot.pause()
        assert panel.series() == {
            "train_loss": [0.9, 0.8, 0.7],
            "valid_loss": [1.0, 0.5, 0.4],
            "perplexity": [2.0, 2**0.5],
        }
        assert panel.full_series()["valid_loss"].steps == (1, 5, 6)


async def test_buffers_are_bounded() -> None:
    job = load("job-detail-completion-10-steps-2024-07.json")
    count = MAX_POINTS * 4 + 7
    checkpoints = tuple(
        Checkpoint(Metrics(1.0 + i / count, 0.5, 2**0.5), step_number=i + 1, created_at=i)
        for i in range(count)
    )
    app = MetricsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        panel = app.query_one(MetricsPanel)
        panel.show_job(attrs.evolve(job, checkpoints=checkpoints))
        await pilot.pause()
        drawn = panel.series()["train_loss"]
        assert len(drawn) == MAX_POINTS
        assert drawn[0] == checkpoints[0].metrics.train_loss
        assert drawn[-1] == checkpoints[-1].metrics.train_loss
        assert len(app.query_one("#spark-train_loss", Sparkline).data or []) == MAX_POINTS
        assert f"steps 1–{count}" in label_text(app, "train_loss")


def test_downsample() -> None:
    assert downsample([1.0, 2.0], 5) == [1.0, 2.0]
    assert downsample([float(i) for i in range(10)], 4) == [0.0, 3.0, 6.0, 9.0]
    assert downsample([1.0, 2.0, 3.0], 1) == [3.0]
    assert downsample([1.0, 2.0, 3.0], 0) == []
