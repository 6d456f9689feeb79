"""DetailPane: every group of the detail payload, "—" for missing values, updates in place."""

from __future__ import annotations

import json
import re
from datetime import UTC
from pathlib import Path

import attrs
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tests.ui.helpers import make_job, wait_for
from tui.api.convert import parse_job, parse_job_list_item
from tui.api.models import CompletionJobDetails, JobDetails, WandbIntegration
from tui.app.widgets.checkpoint_table import CheckpointTable
from tui.app.widgets.detail_pane import DetailPane
from tui.formatting import MISSING
from tui.monitor.store import JobView

FIXTURES = Path(__file__).parents[1] / "fixtures"
HUNDRED = "job-detail-completion-100-steps-2024-05-docs.json"
PIXTRAL = "job-detail-completion-pixtral-69-steps-2025-07.json"
CLASSIFIER = "job-classifier-success-2025-04-partial-checkpoints.json"

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


async def test_every_group_of_the_100_step_job() -> None:
    job = load(HUNDRED)
    app = PaneApp()
    async with app.run_test(size=(120, 60)) as pilot:
        pane = pane_of(app)
        pane.show_job(job, now=job.modified_at + 60)
        await pilot.pause()
        text = pane.plain_text()
        for group in (*GROUPS, "Repositories"):
            assert group in text, group
        assert "Classifier targets" not in text
        assert "None" not in text
        assert "None" not in rendered_statics(app)
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
        table = table_of(app)
        assert step_keys(table) == [str(step) for step in range(10, 101, 10)]
        labels = [str(column.label) for column in table.ordered_columns]
        assert labels == ["Step", "Time", "Train loss", "Valid loss", "Perplexity"]
        first = [str(cell) for cell in table.get_row("10")]
        assert first == ["10", "2024-05-31 16:25:02", "0.8036", "0.9143", "1.8846"]


async def test_classifier_job_shows_targets_and_wandb_link() -> None:
    job = load(CLASSIFIER)
    app = PaneApp()
    async with app.run_test(size=(120, 60)) as pilot:
        pane = pane_of(app)
        pane.show_job(job, now=job.modified_at)
        await pilot.pause()
        text = pane.plain_text()
        for group in (*GROUPS, "Classifier targets"):
            assert group in text, group
        assert "Repositories" not in text
        assert not app.query_one("#detail-repositories").display
        assert "target            intent" in text
        assert "16: social_post, email_sendemail" in text
        assert "cooking_recipe" in text
        assert "W&B project       intent-classifier" in text
        assert "https://wandb.ai/mistral-ai/intent-classifier/runs/tpyu9twr" in text
        assert "3.28 EUR" in text
        assert "auto start        no" in text
        assert "None" not in text
        # Only step 100 was evaluated: the other rows read "—" for validation metrics.
        table = table_of(app)
        assert [str(c) for c in table.get_row("100")][3:] == ["0.000625", "1.0004"]
        assert [str(c) for c in table.get_row("1")][3:] == [MISSING, MISSING]
        assert "28, 1 evaluated" in text


async def test_wandb_url_not_yet_known() -> None:
    job = parse_job((FIXTURES / "job-classifier-after-start-queued-2025-04.json").read_bytes())
    app = PaneApp()
    async with app.run_test(size=(120, 60)) as pilot:
        pane = pane_of(app)
        pane.show_job(job, now=job.modified_at)
        await pilot.pause()
        text = pane.plain_text()
        assert f"url               {MISSING}  (appears once the job runs)" in text
        assert "moderation" in text
        assert "estimated start   2025-04-16 12:34:21" in text
        assert "Checkpoints  none yet" in text
        assert not table_of(app).display
        assert "None" not in text


async def test_pixtral_job_without_validation() -> None:
    job = load(PIXTRAL)
    app = PaneApp()
    async with app.run_test(size=(120, 60)) as pilot:
        pane = pane_of(app)
        pane.show_job(job, now=job.modified_at)
        await pilot.pause()
        text = pane.plain_text()
        assert "validation        none" in text
        assert "17.88 USD" in text
        assert "trained tokens    9M  (9,043,968)" in text
        assert "69, 0 evaluated" in text
        table = table_of(app)
        assert table.row_count == 69
        for key in step_keys(table):
            row = [str(cell) for cell in table.get_row(key)]
            assert row[3:] == [MISSING, MISSING]
            assert row[2] != MISSING
        assert "None" not in text


async def test_list_only_job_says_details_are_coming() -> None:
    listing = json.loads((FIXTURES / "jobs-list-2024-07.json").read_text())
    item = parse_job_list_item(listing["data"][0])
    app = PaneApp()
    async with app.run_test(size=(120, 60)) as pilot:
        pane = pane_of(app)
        pane.show_job(item, now=item.modified_at)
        await pilot.pause()
        text = pane.plain_text()
        assert "no events yet: they come with the job's detail" in text
        assert "Checkpoints  not loaded yet" in text
        assert not table_of(app).display
        for group in GROUPS:
            assert group in text
        assert "None" not in text
        assert "None" not in rendered_statics(app)


async def test_store_view_freshness_and_errors() -> None:
    job = load(HUNDRED)
    app = PaneApp()
    async with app.run_test(size=(120, 60)) as pilot:
        pane = pane_of(app)
        view = JobView(
            job=job,
            detail_fetched_at=100.0,
            detail_final=True,
            last_error="$.checkpoints[3].step_number: expected int",
        )
        pane.show_job(view, now=job.modified_at, monotonic_now=130.0)
        await pilot.pause()
        text = pane.plain_text()
        assert "final (the job has finished), detail fetched 30s ago" in text
        assert "last error        $.checkpoints[3].step_number: expected int" in text
        assert pane.job is job


async def test_file_names_replace_ids_when_known() -> None:
    job = load(HUNDRED)
    app = PaneApp()
    async with app.run_test(size=(120, 60)) as pilot:
        pane = pane_of(app)
        pane.show_job(job, now=job.modified_at)
        await pilot.pause()
        files = app.query_one("#detail-files", Static)
        pane.set_file_names({"66f96d02-8b51-4c76-a5ac-a78e28b2584f": "ultrachat_train.jsonl"})
        await pilot.pause()
        assert app.query_one("#detail-files", Static) is files
        text = pane.plain_text()
        assert "training          ultrachat_train.jsonl  66f96d02" in text
        assert "validation        84482011-dfe9-4245-9103-d28b6aef30d4" in text


async def test_nothing_selected() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = pane_of(app)
        await pilot.pause()
        assert app.query_one("#detail-empty").display
        pane.show_job(load(HUNDRED), now=0)
        await pilot.pause()
        assert not app.query_one("#detail-empty").display
        pane.show_job(None, now=0)
        await pilot.pause()
        assert app.query_one("#detail-empty").display
        assert not table_of(app).display
        assert pane.plain_text() == ""


def with_checkpoints(job: JobDetails, count: int) -> JobDetails:
    """The job as it looked when only its first ``count`` checkpoints existed."""
    return attrs.evolve(job, checkpoints=job.checkpoints_by_step[:count])


async def test_more_checkpoints_update_in_place() -> None:
    job = load(HUNDRED)
    app = PaneApp()
    async with app.run_test(size=(120, 60)) as pilot:
        pane = pane_of(app)
        running = attrs.evolve(with_checkpoints(job, 4), status="RUNNING")
        pane.show_job(running, now=job.created_at + 400)
        await pilot.pause()
        statics = {w.id: w for w in pane.query(Static)}
        table = table_of(app)
        assert step_keys(table) == ["10", "20", "30", "40"]
        assert "40/100 (40%)" in pane.plain_text()

        pane.show_job(job, now=job.modified_at)
        await pilot.pause()
        assert {w.id: w for w in pane.query(Static)} == statics
        assert table_of(app) is table
        assert step_keys(table) == [str(step) for step in range(10, 101, 10)]
        assert "100/100 (100%)" in pane.plain_text()
        assert pane.new_checkpoints == 0  # all rows fit: the view was at the end


async def test_out_of_order_and_vanished_checkpoints() -> None:
    job = load(HUNDRED)
    app = PaneApp()
    async with app.run_test(size=(120, 60)) as pilot:
        pane = pane_of(app)
        by_step = job.checkpoints_by_step
        pane.show_job(attrs.evolve(job, checkpoints=by_step[5:]), now=0)
        await pilot.pause()
        pane.show_job(attrs.evolve(job, checkpoints=by_step[:2] + by_step[6:]), now=0)
        await pilot.pause()
        assert step_keys(table_of(app)) == ["10", "20", "70", "80", "90", "100"]


async def test_n_new_badge_while_scrolled_back() -> None:
    job = load(PIXTRAL)
    app = PaneApp()
    async with app.run_test(size=(120, 60)) as pilot:
        pane = pane_of(app)
        table = table_of(app)
        badge = app.query_one("#detail-new-badge", Static)
        pane.show_job(with_checkpoints(job, 30), now=job.modified_at)
        # 30 rows do not fit: the table follows the newest, at its end.
        await wait_for(lambda: laid_out(table) and table.is_vertical_scroll_end, pilot)
        assert table.max_scroll_y > 0
        assert table.following
        # One scrollbar: the pane's; the table scrolls without drawing its own.
        assert table.styles.scrollbar_size_vertical == 0
        assert table.scrollbar_gutter.right == 0
        max_at_30 = table.max_scroll_y

        # More arrive while following: the view moves to the new end, no badge.
        pane.show_job(with_checkpoints(job, 35), now=job.modified_at)
        await wait_for(lambda: laid_out(table) and table.is_vertical_scroll_end, pilot)
        assert table.max_scroll_y == max_at_30 + 5
        assert pane.new_checkpoints == 0
        assert not badge.display

        # The user scrolls back; new checkpoints do not move the view, a badge counts them.
        table.scroll_home(animate=False, immediate=True)
        await wait_for(lambda: not table.following, pilot)
        pane.show_job(with_checkpoints(job, 50), now=job.modified_at)
        await pilot.pause()
        pane.show_job(job, now=job.modified_at)
        await pilot.pause()
        assert table.scroll_y == 0
        assert table.row_count == 69
        assert pane.new_checkpoints == 34
        assert badge.display
        assert "34 new" in str(badge.content)

        # Jumping to the end clears the badge and follows again.
        table.focus()
        await pilot.press("end")
        await wait_for(lambda: table.following and not badge.display, pilot)
        assert pane.new_checkpoints == 0
        assert table.is_vertical_scroll_end


async def test_scrolling_back_to_the_end_clears_the_badge_and_switching_jobs_resets() -> None:
    job = load(PIXTRAL)
    app = PaneApp()
    async with app.run_test(size=(120, 60)) as pilot:
        pane = pane_of(app)
        table = table_of(app)
        pane.show_job(with_checkpoints(job, 30), now=0)
        await wait_for(lambda: laid_out(table) and table.is_vertical_scroll_end, pilot)
        table.scroll_home(animate=False, immediate=True)
        await wait_for(lambda: not table.following, pilot)
        pane.show_job(with_checkpoints(job, 40), now=0)
        await pilot.pause()
        assert pane.new_checkpoints == 10
        table.scroll_end(animate=False, immediate=True)
        await wait_for(lambda: pane.new_checkpoints == 0, pilot)

        table.scroll_home(animate=False, immediate=True)
        await wait_for(lambda: not table.following, pilot)
        pane.show_job(with_checkpoints(job, 45), now=0)
        await pilot.pause()
        assert pane.new_checkpoints == 5
        other: CompletionJobDetails = load(HUNDRED)  # type: ignore[assignment]
        pane.show_job(other, now=0)
        await pilot.pause()
        assert pane.new_checkpoints == 0
        assert step_keys(table) == [str(step) for step in range(10, 101, 10)]
        assert table_of(app) is table


ALL_JOB_FIXTURES = sorted(p.name for p in FIXTURES.glob("job-*.json"))


async def test_every_real_payload_renders_without_none() -> None:
    assert len(ALL_JOB_FIXTURES) >= 9
    app = PaneApp()
    async with app.run_test(size=(100, 50)) as pilot:
        pane = pane_of(app)
        for name in ALL_JOB_FIXTURES:
            job = load(name)
            pane.show_job(job, now=job.modified_at + 30)
            await pilot.pause()
            text = pane.plain_text()
            for group in GROUPS:
                assert group in text, (name, group)
            assert "None" not in text, name
            assert not re.search(r"\bnan\b", text, re.IGNORECASE), name
            assert "None" not in rendered_statics(app), name
            assert table_of(app).row_count == len({c.step_number for c in job.checkpoints})


async def test_events_without_data_still_list_with_times() -> None:
    job = load("job-detail-completion-10-steps-2024-07.json")
    app = PaneApp()
    async with app.run_test(size=(100, 50)) as pilot:
        pane = pane_of(app)
        pane.show_job(job, now=job.modified_at)
        await pilot.pause()
        lines = [line for line in pane.plain_text().splitlines() if "status-updated" in line]
        assert len(lines) == 6
        times = [line.split("  status-updated")[0].strip() for line in lines]
        assert times == sorted(times)
        assert times[0] == "2024-07-19 16:12:28"
        assert "2.62 USD" in pane.plain_text()
        assert "trained tokens    1.3M  (1,310,720)" in pane.plain_text()


async def test_long_words_are_not_cut_in_a_narrow_pane() -> None:
    class PaneApp(App[None]):
        def compose(self) -> ComposeResult:
            yield DetailPane()

    job_id = "1f8e6521-09ef-42b4-a4de-7a8d3b77cbb4"
    model = "ft:ministral-8b-latest:ws:faq-bot:1f8e6521"
    url = "https://wandb.ai/acme/ft/runs/1f8e652109ef"
    job = attrs.evolve(
        make_job(job_id, status="SUCCESS", fine_tuned_model=model, suffix="faq-bot"),
        integrations=(WandbIntegration(project="ft", name="faq", url=url),),
    )
    app = PaneApp()
    async with app.run_test(size=(56, 80)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_job(job, job.created_at + 3600)
        await pilot.pause()
        lines = pane.plain_text().splitlines()
        # Each long word whole, on one line (under its label when the value column is short).
        assert f"    {job_id}" in lines
        assert f"    {model}" in lines
        assert f"    {url}" in lines
        assert all(len(line) <= 54 for line in lines if not line[:1].isdigit())
