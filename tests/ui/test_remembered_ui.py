"""The theme, sort, filter and status group survive a restart; the config still wins for the
theme; a damaged or unwritable state file costs one warning, never the app."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.ui.helpers import FakeClient, Recorder, make_job, settings, wait_for
from tui.app.app import FinetopApp
from tui.app.widgets.job_table import JobTable
from tui.monitor.query import SortColumn, SortSpec
from tui.settings.ui_state import ViewState, read_state

T0 = 1_750_000_000


def _client() -> FakeClient:
    return FakeClient(
        [
            make_job("run-a", status="RUNNING", created_at=T0 + 3, suffix="alpha"),
            make_job("run-b", status="RUNNING", created_at=T0 + 2, suffix="beta"),
            make_job("done-c", status="SUCCESS", created_at=T0 + 1, suffix="alpine"),
        ]
    )


@asynccontextmanager
async def running(
    state_file: Path, **overrides: Any
) -> AsyncIterator[tuple[FinetopApp, Pilot[Any], Recorder]]:
    app = FinetopApp(settings(**overrides), client=_client(), state_file=state_file)
    recorder = Recorder()
    recorder.attach(app)
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.main_screen.query_one(JobTable)
        await wait_for(lambda: table.row_count > 0, pilot)
        yield app, pilot, recorder


def _first_option(app: FinetopApp) -> str:
    options = app.screen.query_one(OptionList)
    if not options.option_count:
        return ""
    prompt = options.get_option_at_index(0).prompt
    return str(getattr(prompt, "plain", prompt))


async def _pick_theme(app: FinetopApp, pilot: Pilot[Any], name: str) -> None:
    """Choose a theme the way a user does: the palette's "Theme" command, then its name."""
    await pilot.press("ctrl+p")
    await wait_for(lambda: isinstance(app.screen, CommandPalette), pilot)
    await pilot.press(*"theme")
    await wait_for(lambda: _first_option(app).startswith("Theme"), pilot)
    await pilot.press("enter")
    await wait_for(lambda: isinstance(app.screen, CommandPalette), pilot)
    await pilot.press(*name)
    await wait_for(lambda: _first_option(app).startswith(name), pilot)
    await pilot.press("enter")
    await wait_for(lambda: app.theme == name, pilot)


async def test_theme_sort_filter_and_group_come_back(tmp_path: Path) -> None:
    state_file = tmp_path / "state" / "state.json"
    async with running(state_file) as (app, pilot, _):
        await _pick_theme(app, pilot, "nord")
        await pilot.press("s", "S")  # the next column (model), then reversed
        await pilot.press("slash", *"alp", "enter")
        await pilot.press("2")  # running jobs only
        screen = app.main_screen
        await wait_for(lambda: screen.query_one(JobTable).row_count == 1, pilot)
        expected_sort = screen.sort_spec
        assert expected_sort == SortSpec(SortColumn.MODEL, descending=False)
        await pilot.press("q")

    state, warning = read_state(state_file)
    assert warning is None
    assert state.theme == "nord"
    assert state.view("demo") == ViewState(
        sort="model", descending=False, filter="alp", group="running"
    )

    async with running(state_file) as (app, pilot, recorder):
        screen = app.main_screen
        assert app.theme == "nord"
        assert screen.sort_spec == expected_sort
        assert screen.group_name == "running"
        assert screen.job_filter.text == "alp"
        assert screen.filter_input.value == "alp"
        assert screen.has_class("-filtering")  # the filter in force is in view
        await wait_for(lambda: screen.query_one(JobTable).job_ids == ["run-a"], pilot)
        assert 'running · "alp"' in screen.status_line.plain
        assert recorder.notices == []


async def test_the_configured_theme_wins_and_the_saved_one_is_kept(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    async with running(state_file) as (app, pilot, _):
        await _pick_theme(app, pilot, "nord")
    async with running(state_file, theme="finetop-light") as (app, pilot, _):
        assert app.theme == "finetop-light"
        await pilot.press("q")
    # Starting with a configured theme does not count as choosing it.
    assert read_state(state_file)[0].theme == "nord"


async def test_other_workspaces_keep_their_own_view(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    async with running(state_file) as (app, pilot, _):
        await pilot.press("3")  # pending
        await pilot.press("q")
    other = {"demo": False, "server_url": "http://127.0.0.1:9", "workspace": "lab"}
    async with running(state_file, **other) as (app, pilot, _):
        assert app.main_screen.group_name == "all"
        await pilot.press("4")
        await pilot.press("q")
    state, _ = read_state(state_file)
    assert state.view("demo").group == "pending"
    assert state.view("http://127.0.0.1:9 lab").group == "failed"


async def test_a_damaged_state_file_is_ignored_with_one_warning(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_text('{"version": 1, "workspaces": {"demo": 7}}')
    async with running(state_file) as (app, pilot, recorder):
        assert app.theme == "finetop"
        assert app.main_screen.group_name == "all"
        assert recorder.titled("UI state") == [
            f'{state_file}: damaged UI state ignored: workspaces["demo"]: expected an object'
        ]
        await pilot.press("5")
        await pilot.press("q")
    # The next save replaced it with a good file.
    state, warning = read_state(state_file)
    assert warning is None
    assert state.view("demo").group == "succeeded"


def _replace_folder_by_a_file(folder: Path) -> None:
    """Make a folder unusable while the app runs: a file now stands where it was."""
    folder.rename(folder.with_name(folder.name + "-moved"))
    folder.write_text("")


async def test_a_state_file_that_cannot_be_written_warns_once(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    async with running(state_file) as (app, pilot, recorder):
        _replace_folder_by_a_file(state_file.parent)
        await pilot.press("2")
        await wait_for(lambda: bool(recorder.titled("UI state")), pilot)
        await pilot.press("3", "s")
        app.remembered.save_view()
        (warning,) = recorder.titled("UI state")
        assert warning.startswith(f"Cannot save the UI state to {state_file}: ")
        assert app.is_running


async def test_a_state_file_that_cannot_be_read_warns_once(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    async with running(blocker / "state.json") as (app, pilot, recorder):
        await pilot.press("2", "s")
        app.remembered.save_view()
        (warning,) = recorder.titled("UI state")
        assert warning.startswith(f"{blocker / 'state.json'}: cannot read the UI state")
        assert app.is_running


def _files_below(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


async def test_without_a_state_file_nothing_is_written() -> None:
    state_home = Path(os.environ["XDG_STATE_HOME"])  # the test's own (tests/conftest.py)
    app = FinetopApp(settings(), client=_client())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("2", "s")
        await _pick_theme(app, pilot, "nord")
        await pilot.press("q")
    assert _files_below(state_home) == []
