"""HelpScreen lists exactly the bindings it is given (after remapping) and closes on its keys."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from tui.app.actions import key_display
from tui.app.screens.help import HelpScreen

BINDINGS = [
    ("down,j", "Next job", "jobs.down"),
    ("up,k", "Previous job", "jobs.up"),
    ("slash", "Filter", "filter"),
    ("ctrl+p", "Commands", "palette"),
    ("x", "Cancel job", "job.cancel"),  # remapped from c by the user's keymap
    ("question_mark,f1", "Help", "help"),
]


class HelpApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("jobs")


def test_key_display() -> None:
    assert key_display("down,j") == "↓ j"
    assert key_display("ctrl+p") == "^p"
    assert key_display("slash") == "/"
    assert key_display("question_mark,f1") == "? f1"


async def test_lists_every_given_binding_in_order() -> None:
    app = HelpApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = HelpScreen(BINDINGS)
        app.push_screen(screen)
        await pilot.pause()
        rows = screen.rows()
        assert [(r[1], r[2]) for r in rows] == [(d, i) for _, d, i in BINDINGS]
        assert [r[0] for r in rows] == [key_display(k) for k, _, _ in BINDINGS]
        # The remapped key is the one shown; the default it replaced is not.
        assert ("x", "Cancel job", "job.cancel") in rows
        assert not any(r[0] == "c" for r in rows)
        assert screen.query_one(DataTable).row_count == len(BINDINGS)


async def test_read_only_note() -> None:
    app = HelpApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = HelpScreen(BINDINGS[:2], read_only=True)
        app.push_screen(screen)
        await pilot.pause()
        notes = " ".join(str(s.content) for s in screen.query(".help-note").results(Static))
        assert "Read-only" in notes


@pytest.mark.parametrize("key", ["escape", "q", "question_mark", "f1"])
async def test_closes_on_its_keys(key: str) -> None:
    app = HelpApp()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(HelpScreen(BINDINGS))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
