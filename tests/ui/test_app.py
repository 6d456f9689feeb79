"""The app shell driven with Pilot against an in-memory client: keys, panes, actions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import attrs
from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Button, Input

from tests.ui.helpers import FakeClient, Recorder, make_job, settings, settle, wait_for
from tui.api.errors import RateLimitedError
from tui.api.models import WandbIntegration
from tui.app.actions import FinetopCommands
from tui.app.app import FinetopApp
from tui.app.messages import JobFinished, JobsChanged
from tui.app.screens.confirm import ConfirmModal
from tui.app.screens.help import HelpScreen
from tui.app.widgets.chart_pane import ChartPane
from tui.app.widgets.detail_pane import DetailPane
from tui.app.widgets.job_table import JobTable
from tui.app.widgets.status_line import StatusLine
from tui.monitor.changes import JobGone
from tui.monitor.query import SortColumn

T0 = 1_750_000_000


def _jobs() -> list[Any]:
    return [
        make_job(
            "run-a",
            status="RUNNING",
            created_at=T0 + 50,
            suffix="alpha",
            checkpoints=[(10, 1.2, 1.1), (20, 1.0, 0.0)],
        ),
        make_job("run-b", status="RUNNING", created_at=T0 + 40, suffix="beta"),
        make_job("queued-c", status="QUEUED", created_at=T0 + 30, suffix="gamma"),
        make_job("failed-d", status="FAILED", created_at=T0 + 20, suffix="delta"),
        make_job(
            "done-e",
            status="SUCCESS",
            created_at=T0 + 10,
            suffix="epsilon",
            fine_tuned_model="ft:open-mistral-7b:ws:epsilon:1234",
        ),
        make_job("valid-f", status="VALIDATED", created_at=T0 + 5, suffix="zeta", auto_start=False),
    ]


@asynccontextmanager
async def launch(
    jobs: list[Any] | None = None, size: tuple[int, int] = (120, 40), **overrides: Any
) -> AsyncIterator[tuple[FinetopApp, Pilot[Any], FakeClient, Recorder]]:
    client = FakeClient(_jobs() if jobs is None else jobs)
    extra = {
        k: overrides.pop(k) for k in ("screenshot_dir", "open_url", "environ") if k in overrides
    }
    app = FinetopApp(settings(**overrides), client=client, **extra)  # type: ignore[arg-type]
    recorder = Recorder()
    recorder.attach(app)
    async with app.run_test(size=size, message_hook=recorder.hook) as pilot:
        table = app.screen.query_one(JobTable)
        await wait_for(lambda: table.row_count == len(client.jobs), pilot)
        yield app, pilot, client, recorder


def table_of(app: FinetopApp) -> JobTable:
    return app.main_screen.query_one(JobTable)


async def test_navigation_moves_the_cursor_and_drives_the_detail() -> None:
    async with launch() as (app, pilot, _, _):
        table = table_of(app)
        detail = app.main_screen.query_one(DetailPane)
        assert table.highlighted_job_id == "run-a"
        await wait_for(lambda: detail.job is not None and detail.job.id == "run-a", pilot)
        await pilot.press("j", "j")
        assert table.highlighted_job_id == "queued-c"
        await wait_for(lambda: detail.job is not None and detail.job.id == "queued-c", pilot)
        await pilot.press("k")
        assert table.highlighted_job_id == "run-b"
        await pilot.press("G")
        assert table.highlighted_job_id == "valid-f"
        await pilot.press("g")
        assert table.highlighted_job_id == "run-a"
        await pilot.press("down")
        assert table.highlighted_job_id == "run-b"


async def test_selection_fetches_the_detail_and_the_chart_follows() -> None:
    async with launch() as (app, pilot, client, _):
        pane = app.main_screen.query_one(ChartPane)
        await wait_for(lambda: pane.job_id == "run-a", pilot)
        await wait_for(lambda: ("get", "run-a") in client.calls, pilot)
        await wait_for(lambda: pane.chart.runs[0].train.values == (1.2, 1.0), pilot)
        # 0.0 is "not evaluated", never drawn.
        assert pane.chart.runs[0].valid.values == (1.1,)
        assert pane.readout.text.startswith("train 1 · min 1 @20 · first 1.2 · best valid 1.1 @10")


async def test_filter_text_and_inverted_text() -> None:
    async with launch() as (app, pilot, _, _):
        table = table_of(app)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"alpha")
        await wait_for(lambda: table.job_ids == ["run-a"], pilot)
        app.main_screen.query_one(Input).value = "!alpha"
        await wait_for(lambda: "run-a" not in table.job_ids and len(table.job_ids) == 5, pilot)
        await pilot.press("escape")
        await wait_for(lambda: len(table.job_ids) == 6, pilot)
        assert app.focused is table


async def test_filter_typed_in_one_burst_goes_to_the_input() -> None:
    async with launch() as (app, pilot, client, _):
        for key, char in (("slash", "/"), ("5", "5"), ("c", "c"), ("a", "a")):
            app.post_message(events.Key(key, char))  # queued at once, as a paste arrives
        await wait_for(lambda: app.main_screen.query_one(Input).value == "5ca", pilot)
        assert app.main_screen.group_name == "all"
        assert not isinstance(app.screen, ConfirmModal)
        assert not any(kind in ("cancel", "start") for kind, _ in client.calls)
        await pilot.press("slash", "x")  # while filtering, "/" is just a character
        assert app.main_screen.query_one(Input).value == "5ca/x"


async def test_status_group_keys() -> None:
    async with launch() as (app, pilot, _, _):
        table = table_of(app)
        await pilot.press("2")
        await wait_for(lambda: table.job_ids == ["run-a", "run-b"], pilot)
        await pilot.press("4")
        await wait_for(lambda: table.job_ids == ["failed-d"], pilot)
        await pilot.press("3")
        await wait_for(lambda: set(table.job_ids) == {"queued-c", "valid-f"}, pilot)
        line = app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "showing 2 (pending)" in line.plain, pilot)
        await pilot.press("1")
        await wait_for(lambda: len(table.job_ids) == 6, pilot)
        await pilot.press("f")
        assert app.main_screen.group_name == "running"


async def test_the_watched_job_stays_when_it_leaves_the_filter() -> None:
    async with launch() as (app, pilot, client, _):
        table = table_of(app)
        detail = app.main_screen.query_one(DetailPane)
        await pilot.press("2")  # running jobs only
        await wait_for(lambda: table.job_ids == ["run-a", "run-b"], pilot)
        await pilot.press("j")
        await wait_for(lambda: detail.job is not None and detail.job.id == "run-b", pilot)
        client.set_status("run-b", "SUCCESS")
        await pilot.press("r")
        await wait_for(lambda: detail.job is not None and detail.job.status == "SUCCESS", pilot)
        # Still listed and under the cursor: the user sees how the run they watch ended.
        assert table.job_ids == ["run-a", "run-b"]
        assert table.highlighted_job_id == "run-b"
        # Moving away lets it go; a filter the user changes applies at once.
        await pilot.press("k")
        await wait_for(lambda: table.job_ids == ["run-a"], pilot)
        await pilot.press("4", "2")
        await wait_for(lambda: table.job_ids == ["run-a"], pilot)


async def test_sort_keeps_the_cursor_on_the_same_job() -> None:
    async with launch() as (app, pilot, _, _):
        table = table_of(app)
        await pilot.press("j", "j")
        assert table.highlighted_job_id == "queued-c"
        before = table.job_ids
        await pilot.press("S")
        await wait_for(lambda: table.job_ids == before[::-1], pilot)
        assert table.highlighted_job_id == "queued-c"
        await pilot.press("s")
        assert app.main_screen.sort_spec.column is SortColumn.MODEL
        assert table.highlighted_job_id == "queued-c"


async def test_new_job_does_not_steal_the_cursor() -> None:
    async with launch() as (app, pilot, client, _):
        table = table_of(app)
        await pilot.press("j")
        assert table.highlighted_job_id == "run-b"
        new = make_job("new-g", status="QUEUED", created_at=T0 + 99)
        client.jobs[new.id] = new
        await pilot.press("r")
        await wait_for(lambda: "new-g" in table.job_ids, pilot)
        assert table.job_ids[0] == "new-g"
        assert table.highlighted_job_id == "run-b"


async def test_one_notification_when_a_job_finishes() -> None:
    async with launch(bell=True) as (app, pilot, client, recorder):
        bells: list[int] = []
        app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
        client.set_status("run-b", "SUCCESS")
        await pilot.press("r")
        await wait_for(lambda: recorder.of(JobFinished), pilot)
        # More polls of the same state announce nothing more.
        await pilot.press("r")
        await wait_for(lambda: client.calls.count(("list", 0)) >= 3, pilot)
        await settle(app, pilot)
        assert [m.job_id for m in recorder.of(JobFinished)] == ["run-b"]
        assert len(recorder.titled("Job finished")) == 1
        assert bells == [1]
        assert recorder.of(JobsChanged)


async def test_a_job_seen_finished_is_never_announced() -> None:
    async with launch() as (app, pilot, client, recorder):
        client.set_status("done-e", "SOMETHING_NEW")  # schema drift: an unknown status
        await pilot.press("r")
        await wait_for(lambda: client.calls.count(("list", 0)) >= 2, pilot)
        client.set_status("done-e", "SUCCESS")
        await pilot.press("r")
        await wait_for(lambda: client.calls.count(("list", 0)) >= 3, pilot)
        await settle(app, pilot)
        assert recorder.of(JobFinished) == []


async def test_gone_jobs_leave_no_trace_in_the_announcement_memory() -> None:
    # The app may stay open for days while jobs come and go: what it remembers stays bounded.
    async with launch() as (app, pilot, _, _):
        await wait_for(lambda: "done-e" in app.finishes.announced, pilot)
        app.handle_changes([JobGone("done-e")])
        assert "done-e" not in app.finishes.announced


async def test_cancel_asks_first_with_no_focused() -> None:
    async with launch() as (app, pilot, client, recorder):
        table = table_of(app)
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmModal)
        assert isinstance(app.focused, Button)
        assert app.focused.id == "no"
        await pilot.press("enter")  # "No" is focused: nothing happens
        assert not isinstance(app.screen, ConfirmModal)
        assert ("cancel", "run-a") not in client.calls
        await pilot.press("c")
        await pilot.press("y")
        await wait_for(lambda: ("cancel", "run-a") in client.calls, pilot)
        await wait_for(lambda: "CANCELLING" in str(table.get_cell("run-a", "status")), pilot)
        assert recorder.titled("Cancel requested")


async def test_cancel_reports_the_api_error() -> None:
    async with launch() as (_, pilot, client, recorder):
        await pilot.press("G", "k", "k")  # done-e: SUCCESS, nothing to cancel
        await pilot.press("c")
        assert not any(kind == "cancel" for kind, _ in client.calls)
        assert any("nothing to cancel" in message for message, _ in recorder.notices)


async def test_start_a_validated_job() -> None:
    async with launch() as (app, pilot, client, _):
        await pilot.press("G")
        assert table_of(app).highlighted_job_id == "valid-f"
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await wait_for(lambda: ("start", "valid-f") in client.calls, pilot)


async def test_read_only_has_no_mutating_action_anywhere() -> None:
    async with launch(read_only=True) as (app, pilot, client, _):
        keys = {binding.id for _, binding in app.main_screen._bindings}
        assert "cancel_job" not in keys
        assert "start_job" not in keys
        assert "c" not in app.active_bindings
        await pilot.press("c")
        assert not isinstance(app.screen, ConfirmModal)
        assert await app.run_action("cancel_job") is False
        assert await app.run_action("start_job") is False
        assert not isinstance(app.screen, ConfirmModal)
        provider = FinetopCommands(app.screen)
        titles = [hit.text async for hit in provider.discover()]
        assert "Cancel the job" not in titles
        assert "Refresh now" in titles
        assert not any(kind in ("cancel", "start") for kind, _ in client.calls)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "cancel_job" not in [row[2] for row in app.screen.rows()]


async def test_copy_id_and_model() -> None:
    async with launch() as (app, pilot, _, _):
        await pilot.press("y")
        assert app.clipboard == "run-a"
        await pilot.press("G", "k")
        await pilot.press("Y")
        assert app.clipboard == "ft:open-mistral-7b:ws:epsilon:1234"


async def test_help_lists_every_key() -> None:
    async with launch() as (app, pilot, _, _):
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        ids = [row[2] for row in app.screen.rows()]
        assert {"cancel_job", "filter", "refresh", "quit", "help"} <= set(ids)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_lists_actions_with_keys() -> None:
    async with launch() as (app, pilot, _, _):
        provider = FinetopCommands(app.screen)
        hits = [hit async for hit in provider.discover()]
        by_title = {hit.text: hit.help for hit in hits}
        assert by_title["Cancel the job"] == "key: c"
        assert by_title["Refresh now"] == "key: r"
        found = [hit.text async for hit in provider.search("pause")]
        assert found == ["Pause or resume updates"]
        await pilot.press("ctrl+p")
        await wait_for(lambda: isinstance(app.screen, CommandPalette), pilot)


async def test_palette_command_runs_the_action() -> None:
    async with launch() as (app, _pilot, _, _):
        provider = FinetopCommands(app.screen)
        hits = [h async for h in provider.discover() if h.text == "Copy the job id"]
        hit = hits[0]
        await hit.command()
        assert app.clipboard == "run-a"


async def test_keymap_remaps_by_binding_id() -> None:
    async with launch(keymap={"cancel_job": "x", "copy_id": "ctrl+y"}) as (app, pilot, _, _):
        await pilot.press("c")
        assert not isinstance(app.screen, ConfirmModal)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await pilot.press("ctrl+y")
        assert app.clipboard == "run-a"
        provider = FinetopCommands(app.screen)
        helps = {hit.text: hit.help async for hit in provider.discover()}
        assert helps["Cancel the job"] == "key: x"


async def test_offline_line_under_failures() -> None:
    async with launch() as (app, pilot, client, recorder):
        line = app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "updated" in line.plain, pilot)
        client.fail_with = RateLimitedError("Requests rate limit exceeded", retry_after=40)
        await pilot.press("r")
        # One failure: stale, with the cause and when the next try comes (the poller's say).
        await wait_for(lambda: "retrying in" in line.plain, pilot)
        assert "◐ stale" in line.plain
        assert "(rate limited)" in line.plain
        assert len(recorder.titled("Offline: rate limited")) == 1
        client.fail_with = None
        await pilot.press("r")  # the user asked: it tries at once, even during a 429's wait
        await wait_for(lambda: "● updated" in line.plain, pilot)
        assert "retrying" not in line.plain


async def test_pause_and_interval() -> None:
    async with launch() as (app, pilot, _, _):
        line = app.main_screen.query_one(StatusLine)
        await pilot.press("p")
        assert app.paused
        assert app.poller is not None
        assert app.poller.paused
        await wait_for(lambda: "PAUSED" in line.plain, pilot)
        await pilot.press("p")
        assert not app.poller.paused
        before = app.poller.status.interval
        await pilot.press("plus")
        assert app.poller.status.interval == before * 2
        await pilot.press("minus", "minus")
        assert app.poller.status.interval == before / 2
        await wait_for(lambda: f"every {before / 2:.0f} s" in line.plain, pilot)


async def test_layout_follows_the_terminal_size() -> None:
    async with launch(size=(160, 48)) as (app, pilot, _, _):
        assert app.main_screen.has_class("-wide")
    async with launch(size=(80, 24)) as (app, pilot, _, _):
        screen = app.main_screen
        assert screen.has_class("-compact")
        await pilot.press("enter")
        assert screen.has_class("-detail-full")
        await pilot.press("escape")
        assert not screen.has_class("-detail-full")
        assert app.focused is table_of(app)
    async with launch(size=(120, 50)) as (app, pilot, _, _):
        assert app.main_screen.has_class("-split")
        await pilot.press("tab")
        assert app.focused is not None
        assert app.focused.id == "detail-scroll"
        await pilot.press("tab")
        assert app.focused is table_of(app)


def _svgs(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.svg"))


async def test_screenshot_saves_into_the_configured_dir(tmp_path: Path) -> None:
    async with launch(screenshot_dir=tmp_path) as (_, pilot, _, recorder):
        await pilot.press("f8")
        files = _svgs(tmp_path)
        assert len(files) == 1
        assert recorder.titled("Screenshot") == [f"Saved {files[0]}"]


async def test_open_wandb_over_ssh_shows_and_copies_the_url() -> None:
    url = "https://wandb.ai/acme/ft/runs/abc"
    job = attrs.evolve(
        make_job("wb-1", status="RUNNING"),
        integrations=(WandbIntegration(project="ft", url=url),),
    )
    opened: list[str] = []
    async with launch([job], environ={"SSH_CONNECTION": "1 2 3 4"}, open_url=opened.append) as (
        app,
        pilot,
        _,
        _,
    ):
        await pilot.press("o")
        assert app.clipboard == url
        assert opened == []
    async with launch([job], environ={"DISPLAY": ":0"}, open_url=opened.append) as (
        app,
        pilot,
        _,
        _,
    ):
        await pilot.press("o")
        await wait_for(lambda: opened == [url], pilot)


async def test_repaints_wait_while_a_modal_is_open() -> None:
    async with launch() as (app, pilot, client, _):
        table = table_of(app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        client.jobs["new-h"] = make_job("new-h", created_at=T0 + 500)
        app.poller.refresh_now()  # type: ignore[union-attr]
        await wait_for(lambda: "new-h" in app.store, pilot)
        await settle(app, pilot)
        assert "new-h" not in table.job_ids
        await pilot.press("escape")
        await wait_for(lambda: "new-h" in table.job_ids, pilot)


async def test_quit_exits() -> None:
    async with launch() as (app, pilot, _, _):
        await pilot.press("q")
    assert app.return_code == 0
    async with launch() as (app, pilot, _, _):
        await pilot.press("ctrl+c")
    assert app.return_code == 0
    assert app.return_value == 0


async def test_a_connection_that_cannot_start_is_reported_on_screen() -> None:
    app = FinetopApp(settings(demo=False, server_url="http://example.com"))
    recorder = Recorder()
    recorder.attach(app)
    async with app.run_test(size=(120, 40)) as pilot:
        line = app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "not connected" in line.plain, pilot)
        assert recorder.titled("Cannot connect")
        await pilot.press("r")  # no poller: nothing breaks
        await pilot.press("q")


async def test_rows_of_gone_jobs_are_not_kept_but_filtered_out_rows_are() -> None:
    # Rows a filter hides are kept to come back fast; rows of jobs that left the workspace
    # would otherwise pile up for as long as the window stays open.
    async with launch() as (app, pilot, client, _):
        table = table_of(app)
        await pilot.press("slash", *"gamma", "enter")
        await wait_for(lambda: table.job_ids == ["queued-c"], pilot)
        assert table.parked_count == len(client.jobs) - 1
        del client.jobs["done-e"]
        app.store.remove("done-e")
        app.handle_changes([JobGone("done-e")])  # hidden by the filter when it went
        await pilot.pause()
        assert table.parked_count == len(client.jobs) - 1
        await pilot.press("slash", "ctrl+u", "enter")
        await wait_for(lambda: len(table.job_ids) == len(client.jobs), pilot)
        assert table.parked_count == 0
        del client.jobs["run-b"]
        app.store.remove("run-b")
        app.handle_changes([JobGone("run-b")])  # in view when it went
        await wait_for(lambda: "run-b" not in table.job_ids, pilot)
        assert table.parked_count == 0
