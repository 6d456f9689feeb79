"""Keys that used to do nothing silently: read-only refusals say why, keymap mistakes are warned
once and quit stays in the footer, and ``f8`` says where the screenshot went."""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.ui.helpers import FakeClient, Recorder, make_job, settings, wait_for
from tui.app.app import FinetopApp
from tui.app.screens.confirm import ConfirmModal
from tui.app.widgets.footer import FitFooter
from tui.app.widgets.job_table import JobTable

CANCEL_NOTICE = "read-only: cancelling is disabled (--read-only)"
START_NOTICE = "read-only: starting jobs is disabled (--read-only)"


@asynccontextmanager
async def running(
    size: tuple[int, int] = (120, 30), **overrides: Any
) -> AsyncIterator[tuple[FinetopApp, Pilot[Any], FakeClient, Recorder]]:
    client = FakeClient(
        [
            make_job("run-a", status="RUNNING", suffix="alpha"),
            make_job("val-b", status="VALIDATED", created_at=1_749_000_000, auto_start=False),
        ]
    )
    extra = {k: overrides.pop(k) for k in ("screenshot_dir", "state_file") if k in overrides}
    app = FinetopApp(settings(**overrides), client=client, **extra)  # type: ignore[arg-type]
    recorder = Recorder()
    recorder.attach(app)
    async with app.run_test(size=size) as pilot:
        table = app.main_screen.query_one(JobTable)
        await wait_for(lambda: table.row_count == 2, pilot)
        yield app, pilot, client, recorder


def _notices(recorder: Recorder, text: str) -> int:
    return sum(1 for message, _ in recorder.notices if message == text)


async def test_read_only_keys_say_why_they_do_nothing() -> None:
    async with running(read_only=True) as (app, pilot, client, recorder):
        await pilot.press("c")
        await wait_for(lambda: _notices(recorder, CANCEL_NOTICE) == 1, pilot)
        await pilot.press("j", "a")
        await wait_for(lambda: _notices(recorder, START_NOTICE) == 1, pilot)
        assert not isinstance(app.screen, ConfirmModal)
        # One notice per press, and still no binding, footer key or request.
        await pilot.press("c")
        await wait_for(lambda: _notices(recorder, CANCEL_NOTICE) == 2, pilot)
        assert "app.cancel_job" not in app.main_screen.query_one(FitFooter).shown_actions
        assert not [call for call in client.calls if call[0] in ("cancel", "start")]


async def test_read_only_refuses_every_other_way_with_the_same_notice() -> None:
    async with running(read_only=True) as (app, pilot, client, recorder):
        assert await app.run_action("cancel_job") is False
        assert await app.run_action("app.start_job") is False
        app.action_cancel_job()  # a direct call too
        await pilot.pause()
        assert _notices(recorder, CANCEL_NOTICE) == 2
        assert _notices(recorder, START_NOTICE) == 1
        assert not isinstance(app.screen, ConfirmModal)
        assert not [call for call in client.calls if call[0] in ("cancel", "start")]


async def test_read_only_refusal_answers_the_users_remapped_key() -> None:
    async with running(read_only=True, keymap={"cancel_job": "x"}) as (_, pilot, _, recorder):
        await pilot.press("c")  # no longer cancel's key: nothing to explain
        await pilot.press("x")
        await wait_for(lambda: _notices(recorder, CANCEL_NOTICE) == 1, pilot)
        await pilot.press("c")
        await pilot.pause()
        assert _notices(recorder, CANCEL_NOTICE) == 1


async def test_read_only_from_the_config_names_the_setting() -> None:
    provenance = {"read_only": "file:/home/u/.config/finetop/config.toml"}
    async with running(read_only=True, provenance=provenance) as (_, pilot, _, recorder):
        await pilot.press("c")
        notice = "read-only: cancelling is disabled (read_only = true in the config)"
        await wait_for(lambda: _notices(recorder, notice) == 1, pilot)


async def test_a_read_only_key_another_binding_took_runs_that_binding() -> None:
    # The user moved refresh to "c": pressing it refreshes, and no refusal is shown.
    async with running(read_only=True, keymap={"refresh": "c"}) as (_, pilot, _, recorder):
        await pilot.press("c")
        await wait_for(lambda: _notices(recorder, "Refreshing…") == 1, pilot)
        assert _notices(recorder, CANCEL_NOTICE) == 0


async def test_writable_mode_still_asks_to_cancel() -> None:
    async with running() as (app, pilot, _, recorder):
        await pilot.press("c")
        await wait_for(lambda: isinstance(app.screen, ConfirmModal), pilot)
        assert _notices(recorder, CANCEL_NOTICE) == 0


async def test_a_keymap_that_takes_q_keeps_quit_in_the_footer_and_warns_once() -> None:
    keymap = {"refresh": "q", "refersh": "x"}
    async with running(size=(160, 30), keymap=keymap) as (app, pilot, client, recorder):
        footer = app.main_screen.query_one(FitFooter)
        await wait_for(lambda: "quit" in footer.shown_actions, pilot)
        quit_item = next(item for item in footer.items() if item.action == "quit")
        assert quit_item.key == "ctrl+c"
        assert quit_item.key_display == "^c"
        warnings = [m for m, kw in recorder.notices if kw.get("severity") == "warning"]
        assert warnings == [
            "keymap.refersh: unknown binding id (did you mean 'refresh'?); ignored",
            "keymap.refresh = 'q': takes q from quit (your mapping wins); quit keeps ctrl+c",
        ]
        # The mapping works as the warning says: q refreshes, ctrl+c quits.
        before = len(client.calls)
        await pilot.press("q")
        await wait_for(lambda: _notices(recorder, "Refreshing…") == 1, pilot)
        assert app.is_running
        assert len(client.calls) >= before
        await pilot.press("ctrl+c")
        await wait_for(lambda: not app.is_running, pilot)


async def test_a_taken_default_key_moves_in_the_help_too() -> None:
    async with running(keymap={"help": "j"}) as (app, pilot, _, _):
        assert app.keymap == {"help": "j", "cursor_down": "down"}
        table = app.main_screen.query_one(JobTable)
        await pilot.press("down")
        assert table.cursor_row == 1
        await pilot.press("j")
        await wait_for(lambda: type(app.screen).__name__ == "HelpScreen", pilot)


async def test_f8_saves_in_the_screenshots_folder_and_says_where() -> None:
    # The user data directory is the test's own (see tests/conftest.py).
    folder = Path(os.environ["XDG_DATA_HOME"]) / "finetop" / "screenshots"
    async with running() as (_, pilot, _, recorder):
        await pilot.press("f8")
        await wait_for(lambda: bool(recorder.titled("Screenshot")), pilot)
    files = sorted(folder.glob("*.svg"))
    assert len(files) == 1
    assert recorder.titled("Screenshot") == [f"Saved {files[0]}"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert "<svg" in files[0].read_text(encoding="utf-8")[:200]
    assert not list(Path.cwd().glob("finetop_*.svg"))


async def test_f8_says_why_when_it_cannot_save(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    async with running(screenshot_dir=blocked / "shots") as (_, pilot, _, recorder):
        await pilot.press("f8")
        await wait_for(lambda: bool(recorder.titled("Screenshot")), pilot)
        (message,) = recorder.titled("Screenshot")
        assert message.startswith(f"Could not save the screenshot in {blocked / 'shots'}: ")
