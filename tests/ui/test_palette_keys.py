"""The command palette's search applies keys typed in one burst in the order they were typed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from textual import events
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot

from tests.ui.helpers import FakeClient, make_job, settings, wait_for
from tui.app.app import FinetopApp
from tui.app.screens.palette import OrderedCommandInput, OrderedCommandPalette
from tui.app.widgets.job_table import JobTable

T0 = 1_750_000_000


@asynccontextmanager
async def launch() -> AsyncIterator[tuple[FinetopApp, Pilot[Any]]]:
    client = FakeClient(
        [
            make_job("run-a", status="RUNNING", created_at=T0 + 20, suffix="alpha"),
            make_job("done-b", status="SUCCESS", created_at=T0 + 10, suffix="beta"),
        ]
    )
    app = FinetopApp(settings(), client=client)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one(JobTable)
        await wait_for(lambda: table.row_count == 2, pilot)
        yield app, pilot


async def open_palette(app: FinetopApp, pilot: Pilot[Any]) -> CommandInput:
    await pilot.press("ctrl+p")
    await wait_for(lambda: isinstance(app.screen, CommandPalette), pilot)
    search = app.screen.query_one(CommandInput)
    await wait_for(lambda: app.focused is search, pilot)
    return search


def burst(app: FinetopApp, keys: list[str]) -> None:
    """Queue every key at once, as a quick typist's keys arrive over SSH."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


async def settled(search: CommandInput, pilot: Pilot[Any], expected: str) -> None:
    """The search reads ``expected`` and still does once every queued key was handled."""
    await wait_for(lambda: search.value == expected, pilot)
    await pilot.pause()
    assert search.value == expected


async def test_ctrl_p_opens_the_palette_with_the_ordered_input_styled_as_textuals() -> None:
    async with launch() as (app, pilot):
        search = await open_palette(app, pilot)
        assert isinstance(app.screen, OrderedCommandPalette)
        assert isinstance(search, OrderedCommandInput)
        assert len(app.screen.query(CommandInput)) == 1
        # CommandInput's own CSS still applies (a blank border, not Input's tall one).
        assert search.styles.border_top[0] == "blank"
        assert search.placeholder == "Search for commands…"


async def test_backspaces_and_letters_in_one_burst_apply_in_order() -> None:
    async with launch() as (app, pilot):
        search = await open_palette(app, pilot)
        burst(app, [*"key", "backspace", "backspace", "backspace", *"refresh"])
        await settled(search, pilot, "refresh")
        command_list = app.screen.query_one(CommandList)
        await wait_for(
            lambda: any(
                "Refresh now" in str(command_list.get_option_at_index(i).prompt)
                for i in range(command_list.option_count)
            ),
            pilot,
        )


async def test_other_editing_keys_in_one_burst_apply_in_order() -> None:
    async with launch() as (app, pilot):
        search = await open_palette(app, pilot)
        burst(app, [*"use", "home", *"pa"])
        await settled(search, pilot, "pause")
        burst(app, ["end", *" x", "ctrl+w", "backspace", "left", "delete", "e"])
        await settled(search, pilot, "pause")
        burst(app, ["ctrl+u", *"sort"])
        await settled(search, pilot, "sort")


async def test_enter_runs_the_command_found() -> None:
    async with launch() as (app, pilot):
        await open_palette(app, pilot)
        await pilot.press(*"pause")
        command_list = app.screen.query_one(CommandList)
        await wait_for(lambda: command_list.option_count == 1, pilot)
        await pilot.press("enter")
        await wait_for(lambda: app.paused, pilot)
        assert not isinstance(app.screen, CommandPalette)


async def test_escape_closes_the_palette() -> None:
    async with launch() as (app, pilot):
        await open_palette(app, pilot)
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, CommandPalette), pilot)
