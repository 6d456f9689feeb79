"""DetailPane: every group of the detail payload, "—" for missing values, updates in place."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

import attrs
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Static

from tests.ui.helpers import make_job, wait_for
from tui.api.convert import parse_job, parse_job_list_item
from tui.api.models import CompletionJobDetails, JobDetails, WandbIntegration
from tui.app.widgets.checkpoint_table import CheckpointTable
from tui.app.widgets.detail_pane import DetailPane
from tui.display.formats import MISSING
from tui.monitor.store import JobView

FIXTURES = Path(__file__).parents[1] / "fixtures"
HUNDRED = "job-detail-completion-100-steps-2024-05-docs.json"
PIXTRAL = "job-detail-completion-pixtral-69-steps-2025-07.json"
CLASSIFIER = "job-classifier-success-2025-04-partial-checkpoints.json"
HUNDRED_STEPS = [str(step) for step in range(10, 101, 10)]
"""The checkpoint row keys of the 100-step job, oldest first."""

GROUPS = (
    "Overview",
    "Progress",
    "Cost and tokens",
    "Hyperparameters",
    "Files",
    "Integrations",
    "Events",
    "Checkpoints",
)


def load(name: str) -> JobDetails:
    return parse_job((FIXTURES / name).read_bytes())


class PaneApp(App[None]):
    """The pane inside a scroll container, as the main screen mounts it."""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield DetailPane(tz=UTC)


def pane_of(app: App[None]) -> DetailPane:
    return app.query_one(DetailPane)


def table_of(app: App[None]) -> CheckpointTable:
    return app.query_one(CheckpointTable)


def step_keys(table: CheckpointTable) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


def laid_out(table: CheckpointTable) -> bool:
    """Whether the table's size and scroll range reflect all its rows (layout has caught up)."""
    return table.size.height > 0 and table.virtual_size.height == table.row_count + 1


def rendered_statics(app: App[None]) -> str:
    """The plain text of every visible Static in the pane (what the screen draws, minus layout)."""
    return "\n".join(
        getattr(static.visual, "plain", str(static.content))
        for static in pane_of(app).query(Static)
        if static.display
    )


@attrs.frozen
class MountedPane:
    """A running app with its pilot and its detail pane."""

    app: App[None]
    pilot: Pilot[None]
    pane: DetailPane

    @property
    def table(self) -> CheckpointTable:
        return table_of(self.app)

    async def show(self, job: Any, now: float, **kwargs: Any) -> str:
        """Show ``job`` at wall time ``now``, let it paint and return the pane's plain text."""
        self.pane.show_job(job, now=now, **kwargs)
        await self.pilot.pause()
        return self.pane.plain_text()

    async def until_at_end(self) -> None:
        """Wait until the table's layout has caught up and its last row is in view."""
        table = self.table
        await wait_for(lambda: laid_out(table) and table.is_vertical_scroll_end, self.pilot)

    async def scroll_back(self) -> None:
        """Scroll the table to its first row; wait until it no longer follows the newest."""
        table = self.table
        table.scroll_home(animate=False, immediate=True)
        await wait_for(lambda: not table.following, self.pilot)


@asynccontextmanager
async def mounted_pane(
    size: tuple[int, int] = (120, 60), app: App[None] | None = None
) -> AsyncIterator[MountedPane]:
    """``app`` (a :class:`PaneApp` unless given) running at ``size``."""
    if app is None:
        app = PaneApp()
    async with app.run_test(size=size) as pilot:
        yield MountedPane(app, pilot, pane_of(app))


async def test_every_group_of_the_100_step_job() -> None:
    job = load(HUNDRED)
    async with mounted_pane() as ui:
        text = await ui.show(job, now=job.modified_at + 60)
        for group in (*GROUPS, "Repositories"):
            assert group in text, group
        assert "Classifier targets" not in text
        assert "None" not in text
        assert "None" not in rendered_statics(ui.app)
        assert "2813b7e6-c511-43ac-a16a-1a54a5b884b2" in text
        assert "✔ SUCCESS" in text
        assert "FT (completion)" in text
        assert "ft:open-mistral-7b:57d37e6c:20240531:2813b7e6" in text
        assert "2024-05-31 16:23:12" in text  # created, in the given zone
        assert "100/100 (100%)" in text
        assert "14m 57s" in text  # RUNNING 16:23:14 -> SUCCESS 16:38:11
        assert "learning rate     0.0001" in text
        assert "66f96d02-8b51-4c76-a5ac-a78e28b2584f" in text
        # This 2024 payload has no metadata: cost and tokens read as missing, not "None".
        assert f"cost              {MISSING}" in text
        assert f"trained tokens    {MISSING}" in text
        # Events oldest first, with times.
        queued = text.index("2024-05-31 16:23:12  status-updated  ◌ QUEUED")
        running = text.index("2024-05-31 16:23:14  status-updated  ▶ RUNNING")
        success = text.index("2024-05-31 16:38:11  status-updated  ✔ SUCCESS")
        assert queued < running < success
        # Checkpoints oldest first, keyed by step, with honest column names.
        table = ui.table
        assert step_keys(table) == HUNDRED_STEPS
        labels = [str(column.label) for column in table.ordered_columns]
        assert labels == ["Step", "Time", "Train loss", "Valid loss", "Perplexity"]
        first = [str(cell) for cell in table.get_row("10")]
        assert first == ["10", "2024-05-31 16:25:02", "0.8036", "0.9143", "1.8846"]


async def test_classifier_job_shows_targets_and_wandb_link() -> None:
    job = load(CLASSIFIER)
    async with mounted_pane() as ui:
        text = await ui.show(job, now=job.modified_at)
        for group in (*GROUPS, "Classifier targets"):
            assert group in text, group
        assert "Repositories" not in text
        assert not ui.app.query_one("#detail-repositories").display
        assert "target            intent" in text
        assert "16: social_post, email_sendemail" in text
        assert "cooking_recipe" in text
        assert "W&B project       intent-classifier" in text
        assert "https://wandb.ai/mistral-ai/intent-classifier/runs/tpyu9twr" in text
        assert "3.28 EUR" in text
        assert "auto start        no" in text
        assert "None" not in text
        # Only step 100 was evaluated: the other rows read "—" for validation metrics.
        table = ui.table
        assert [str(c) for c in table.get_row("100")][3:] == ["0.000625", "1.0004"]
        assert [str(c) for c in table.get_row("1")][3:] == [MISSING, MISSING]
        assert "28, 1 evaluated" in text


async def test_wandb_url_not_yet_known() -> None:
    job = load("job-classifier-after-start-queued-2025-04.json")
    async with mounted_pane() as ui:
        text = await ui.show(job, now=job.modified_at)
        assert f"url               {MISSING}  (appears once the job runs)" in text
        assert "moderation" in text
        assert "estimated start   2025-04-16 12:34:21" in text
        assert "Checkpoints  none yet" in text
        assert not ui.table.display
        assert "None" not in text


async def test_pixtral_job_without_validation() -> None:
    job = load(PIXTRAL)
    async with mounted_pane() as ui:
        text = await ui.show(job, now=job.modified_at)
        assert "validation        none" in text
        assert "17.88 USD" in text
        assert "trained tokens    9M  (9,043,968)" in text
        assert "69, 0 evaluated" in text
        table = ui.table
        assert table.row_count == 69
        for key in step_keys(table):
            row = [str(cell) for cell in table.get_row(key)]
            assert row[3:] == [MISSING, MISSING]
            assert row[2] != MISSING
        assert "None" not in text


async def test_list_only_job_says_details_are_coming() -> None:
    listing = json.loads((FIXTURES / "jobs-list-2024-07.json").read_text())
    item = parse_job_list_item(listing["data"][0])
    async with mounted_pane() as ui:
        text = await ui.show(item, now=item.modified_at)
        assert "no events yet: they come with the job's detail" in text
        assert "Checkpoints  not loaded yet" in text
        assert not ui.table.display
        for group in GROUPS:
            assert group in text
        assert "None" not in text
        assert "None" not in rendered_statics(ui.app)


async def test_store_view_freshness_and_errors() -> None:
    job = load(HUNDRED)
    async with mounted_pane() as ui:
        view = JobView(
            job=job,
            detail_fetched_at=100.0,
            detail_final=True,
            last_error="$.checkpoints[3].step_number: expected int",
        )
        text = await ui.show(view, now=job.modified_at, monotonic_now=130.0)
        assert "final (the job has finished), detail fetched 30s ago" in text
        assert "last error        $.checkpoints[3].step_number: expected int" in text
        assert ui.pane.job is job


async def test_file_names_replace_ids_when_known() -> None:
    job = load(HUNDRED)
    async with mounted_pane() as ui:
        await ui.show(job, now=job.modified_at)
        files = ui.app.query_one("#detail-files", Static)
        ui.pane.set_file_names({"66f96d02-8b51-4c76-a5ac-a78e28b2584f": "ultrachat_train.jsonl"})
        await ui.pilot.pause()
        assert ui.app.query_one("#detail-files", Static) is files
        text = ui.pane.plain_text()
        assert "training          ultrachat_train.jsonl  66f96d02" in text
        assert "validation        84482011-dfe9-4245-9103-d28b6aef30d4" in text


async def test_nothing_selected() -> None:
    async with mounted_pane(size=(80, 24)) as ui:
        await ui.pilot.pause()
        assert ui.app.query_one("#detail-empty").display
        await ui.show(load(HUNDRED), now=0)
        assert not ui.app.query_one("#detail-empty").display
        text = await ui.show(None, now=0)
        assert ui.app.query_one("#detail-empty").display
        assert not ui.table.display
        assert text == ""


def with_checkpoints(job: JobDetails, count: int) -> JobDetails:
    """The job as it looked when only its first ``count`` checkpoints existed."""
    return attrs.evolve(job, checkpoints=job.checkpoints_by_step[:count])


async def test_more_checkpoints_update_in_place() -> None:
    job = load(HUNDRED)
    async with mounted_pane() as ui:
        running = attrs.evolve(with_checkpoints(job, 4), status="RUNNING")
        text = await ui.show(running, now=job.created_at + 400)
        statics = {w.id: w for w in ui.pane.query(Static)}
        table = ui.table
        assert step_keys(table) == ["10", "20", "30", "40"]
        assert "40/100 (40%)" in text

        text = await ui.show(job, now=job.modified_at)
        assert {w.id: w for w in ui.pane.query(Static)} == statics
        assert ui.table is table
        assert step_keys(table) == HUNDRED_STEPS
        assert "100/100 (100%)" in text
        assert ui.pane.new_checkpoints == 0  # all rows fit: the view was at the end


async def test_out_of_order_and_vanished_checkpoints() -> None:
    job = load(HUNDRED)
    async with mounted_pane() as ui:
        by_step = job.checkpoints_by_step
        await ui.show(attrs.evolve(job, checkpoints=by_step[5:]), now=0)
        await ui.show(attrs.evolve(job, checkpoints=by_step[:2] + by_step[6:]), now=0)
        assert step_keys(ui.table) == ["10", "20", "70", "80", "90", "100"]


async def test_n_new_badge_while_scrolled_back() -> None:
    job = load(PIXTRAL)
    async with mounted_pane() as ui:
        pane, table = ui.pane, ui.table
        badge = ui.app.query_one("#detail-new-badge", Static)
        pane.show_job(with_checkpoints(job, 30), now=job.modified_at)
        # 30 rows do not fit: the table follows the newest, at its end.
        await ui.until_at_end()
        assert table.max_scroll_y > 0
        assert table.following
        # One scrollbar: the pane's; the table scrolls without drawing its own.
        assert table.styles.scrollbar_size_vertical == 0
        assert table.scrollbar_gutter.right == 0
        max_at_30 = table.max_scroll_y

        # More arrive while following: the view moves to the new end, no badge.
        pane.show_job(with_checkpoints(job, 35), now=job.modified_at)
        await ui.until_at_end()
        assert table.max_scroll_y == max_at_30 + 5
        assert pane.new_checkpoints == 0
        assert not badge.display

        # The user scrolls back; new checkpoints do not move the view, a badge counts them.
        await ui.scroll_back()
        await ui.show(with_checkpoints(job, 50), now=job.modified_at)
        await ui.show(job, now=job.modified_at)
        assert table.scroll_y == 0
        assert table.row_count == 69
        assert pane.new_checkpoints == 34
        assert badge.display
        assert "34 new" in str(badge.content)

        # Jumping to the end clears the badge and follows again.
        table.focus()
        await ui.pilot.press("end")
        await wait_for(lambda: table.following and not badge.display, ui.pilot)
        assert pane.new_checkpoints == 0
        assert table.is_vertical_scroll_end


async def test_scrolling_back_to_the_end_clears_the_badge_and_switching_jobs_resets() -> None:
    job = load(PIXTRAL)
    async with mounted_pane() as ui:
        pane, table = ui.pane, ui.table
        pane.show_job(with_checkpoints(job, 30), now=0)
        await ui.until_at_end()
        await ui.scroll_back()
        await ui.show(with_checkpoints(job, 40), now=0)
        assert pane.new_checkpoints == 10
        table.scroll_end(animate=False, immediate=True)
        await wait_for(lambda: pane.new_checkpoints == 0, ui.pilot)

        await ui.scroll_back()
        await ui.show(with_checkpoints(job, 45), now=0)
        assert pane.new_checkpoints == 5
        other: CompletionJobDetails = load(HUNDRED)  # type: ignore[assignment]
        await ui.show(other, now=0)
        assert pane.new_checkpoints == 0
        assert step_keys(table) == HUNDRED_STEPS
        assert ui.table is table


ALL_JOB_FIXTURES = sorted(p.name for p in FIXTURES.glob("job-*.json"))


async def test_every_real_payload_renders_without_none() -> None:
    assert len(ALL_JOB_FIXTURES) >= 9
    async with mounted_pane(size=(100, 50)) as ui:
        for name in ALL_JOB_FIXTURES:
            job = load(name)
            text = await ui.show(job, now=job.modified_at + 30)
            for group in GROUPS:
                assert group in text, (name, group)
            assert "None" not in text, name
            assert not re.search(r"\bnan\b", text, re.IGNORECASE), name
            assert "None" not in rendered_statics(ui.app), name
            assert ui.table.row_count == len({c.step_number for c in job.checkpoints})


async def test_events_without_data_still_list_with_times() -> None:
    job = load("job-detail-completion-10-steps-2024-07.json")
    async with mounted_pane(size=(100, 50)) as ui:
        text = await ui.show(job, now=job.modified_at)
        lines = [line for line in text.splitlines() if "status-updated" in line]
        assert len(lines) == 6
        times = [line.split("  status-updated")[0].strip() for line in lines]
        assert times == sorted(times)
        assert times[0] == "2024-07-19 16:12:28"
        assert "2.62 USD" in text
        assert "trained tokens    1.3M  (1,310,720)" in text


async def test_long_words_are_not_cut_in_a_narrow_pane() -> None:
    class BarePaneApp(App[None]):
        """The pane on its own, without the scroll container around it."""

        def compose(self) -> ComposeResult:
            yield DetailPane()

    job_id = "1f8e6521-09ef-42b4-a4de-7a8d3b77cbb4"
    model = "ft:ministral-8b-latest:ws:faq-bot:1f8e6521"
    url = "https://wandb.ai/acme/ft/runs/1f8e652109ef"
    job = attrs.evolve(
        make_job(job_id, status="SUCCESS", fine_tuned_model=model, suffix="faq-bot"),
        integrations=(WandbIntegration(project="ft", name="faq", url=url),),
    )
    async with mounted_pane(size=(56, 80), app=BarePaneApp()) as ui:
        lines = (await ui.show(job, job.created_at + 3600)).splitlines()
        # Each long word whole, on one line (under its label when the value column is short).
        assert f"    {job_id}" in lines
        assert f"    {model}" in lines
        assert f"    {url}" in lines
        assert all(len(line) <= 54 for line in lines if not line[:1].isdigit())
