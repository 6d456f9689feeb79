"""``--read-only``: no key, remapped key, action call or palette command can cancel or start a job.

The app runs under Pilot against the simulator mounted in-process, with a clock that stands
still (so jobs only change if the app changes them). The simulator's request log must show no
POST at all, and the jobs keep their status.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests.ui.helpers import settings, wait_for
from tui.api.client import MistralClient, RetryPolicy
from tui.api.clock import ManualClock
from tui.app.actions import ACTIONS, MUTATING_ACTIONS, FinetopCommands
from tui.app.app import FinetopApp
from tui.app.screens.confirm import ConfirmModal
from tui.app.widgets.job_table import JobTable
from tui.sim.app import create_app
from tui.sim.world import World

REMAP = {"cancel_job": "x", "start_job": "z"}
"""The user's keymap moves the mutating actions to other keys; read-only must still win."""
MUTATING_TITLES = {spec.description for spec in ACTIONS if spec.mutating}


class RequestLog:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)

    def posts(self) -> list[str]:
        return [line for line in self.lines if not line.startswith("GET ")]


@asynccontextmanager
async def read_only_app() -> AsyncIterator[tuple[FinetopApp, Pilot[Any], World, RequestLog]]:
    clock = ManualClock(1_780_000_000.0)
    world = World(seed=7, jobs=30, live=3, speed=60.0, clock=clock, arrivals=False)
    log = RequestLog()
    client = MistralClient(
        "http://127.0.0.1:9",
        "sk-any",
        transport=httpx.ASGITransport(app=create_app(world, request_log=log)),
        retry=RetryPolicy(attempts=1),
        clock=clock,
    )
    app = FinetopApp(settings(read_only=True, keymap=REMAP), client=client, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.main_screen.query_one(JobTable)
        await wait_for(lambda: table.row_count == len(world.job_ids()), pilot)
        yield app, pilot, world, log
    await client.aclose()


async def _highlight(app: FinetopApp, pilot: Pilot[Any], job_id: str) -> None:
    table = app.main_screen.query_one(JobTable)
    await pilot.press("g")
    for _ in range(table.job_ids.index(job_id)):
        await pilot.press("j")
    assert table.highlighted_job_id == job_id


async def _actions_done(app: FinetopApp) -> None:
    """Wait for any cancel/start call in flight (the poller's worker runs for ever)."""
    in_flight = [worker for worker in app.workers if worker.group == "actions"]
    if in_flight:  # (an empty list would mean "every worker", the poller included)
        await app.workers.wait_for_complete(in_flight)


def _targets(world: World) -> tuple[str, str]:
    """A running job (cancellable) and a validated one waiting for ``/start``."""
    running = next(j for j in world.job_ids() if world.job_status(j) == "RUNNING")
    waiting = next(
        j
        for j in world.job_ids()
        if world.job_status(j) == "VALIDATED" and not world.job(j)["auto_start"]
    )
    return running, waiting


def _option_texts(app: FinetopApp) -> list[str]:
    options = app.screen.query_one(OptionList)
    texts = []
    for index in range(options.option_count):
        prompt = options.get_option_at_index(index).prompt
        texts.append(getattr(prompt, "plain", None) or str(prompt))
    return texts


async def _palette_search(app: FinetopApp, pilot: Pilot[Any], query: str) -> list[str]:
    """Type ``query`` into a fresh command palette; the titles it then offers."""
    expected = [hit.text async for hit in FinetopCommands(app.main_screen).search(query)]
    await pilot.press("ctrl+p")
    await wait_for(lambda: isinstance(app.screen, CommandPalette), pilot)
    await pilot.press(*query)
    assert app.screen.query_one(Input).value == query

    def settled() -> bool:
        texts = _option_texts(app)
        if not expected:
            return any("No matches found" in text for text in texts)
        return len(texts) == len(expected) and all(
            any(title in text for text in texts) for title in expected
        )

    await wait_for(settled, pilot)
    offered = _option_texts(app)
    await pilot.press("escape")
    await wait_for(lambda: not isinstance(app.screen, CommandPalette), pilot)
    return offered


async def test_keys_remapped_keys_actions_and_palette_change_nothing() -> None:
    async with read_only_app() as (app, pilot, world, log):
        running, waiting = _targets(world)
        before = {running: world.job_status(running), waiting: world.job_status(waiting)}

        await _highlight(app, pilot, running)
        for key in ("c", "x"):  # the default key and the user's remapped one
            await pilot.press(key)
            assert not isinstance(app.screen, ConfirmModal), key
        await _highlight(app, pilot, waiting)
        for key in ("a", "z"):
            await pilot.press(key)
            assert not isinstance(app.screen, ConfirmModal), key

        for action in sorted(MUTATING_ACTIONS):
            for name in (action, f"app.{action}", f"screen.{action}"):
                await app.run_action(name)
                await pilot.pause()
                assert not isinstance(app.screen, ConfirmModal), name

        for query in ("cancel", "start", "job"):
            offered = await _palette_search(app, pilot, query)
            assert not [t for t in offered for m in MUTATING_TITLES if m in t], (query, offered)
        assert "Show cancelled jobs" in " ".join(await _palette_search(app, pilot, "cancel"))

        await _actions_done(app)
        assert log.posts() == []
        assert any(line.startswith("GET /v1/fine_tuning/jobs") for line in log.lines)
        assert {job: world.job_status(job) for job in before} == before


async def test_even_a_direct_call_and_a_yes_send_nothing() -> None:
    """Defence in depth: calling the action methods themselves (no binding, no check_action) and
    answering yes to whatever they ask still sends no request that changes a job."""
    async with read_only_app() as (app, pilot, world, log):
        running, waiting = _targets(world)
        for job_id, method in ((running, app.action_cancel_job), (waiting, app.action_start_job)):
            await _highlight(app, pilot, job_id)
            method()
            await pilot.pause()
            if isinstance(app.screen, ConfirmModal):
                await pilot.press("y")
            await _actions_done(app)
        assert log.posts() == []
        assert world.job_status(running) == "RUNNING"
        assert world.job_status(waiting) == "VALIDATED"
