"""Scenes of the real app on the seeded simulator, rendered to SVG the same way every time.

The snapshot tests (``tests/snapshots/test_snapshots.py``) and the README screenshots
(``screenshots/regenerate.py``) both build their pictures here, so the two never drift apart.

What keeps a picture identical across runs and machines:

- the app and the simulated world share one :class:`ManualClock` that never moves on its own, so
  ages, ETAs, timestamps and "updated N s ago" are fixed, and the poller, once it has fetched
  what is due, sleeps on that clock for good;
- the world is the demo's (``SimOptions.demo()``: runs that last minutes, so the pictures show
  what ``finetop --demo`` shows) from a fixed seed, without arrivals, and the client reaches it
  in-process (``httpx.ASGITransport``): no sockets, no threads;
- timestamps are shown in UTC and the environment cannot switch colours off
  (:data:`PINNED_ENV`, :data:`UNSET_ENV`; applied by the caller, see :func:`pin_environment`);
- a scene is captured only once the data is in (rows, the highlighted job's detail, the poller
  idle) and the rendered screen no longer changes from one pause to the next.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import attrs
import httpx
from textual.pilot import Pilot

from tests.ui.helpers import settings, wait_for
from tui.api.client import MistralClient, RetryPolicy
from tui.api.clock import ManualClock
from tui.app.app import FinetopApp
from tui.app.screens.confirm import ConfirmModal
from tui.app.screens.help import HelpScreen
from tui.app.screens.metrics import MetricsScreen
from tui.app.themes import BUNDLED_THEMES, DEFAULT_THEME
from tui.app.widgets.chart_pane import ChartPane
from tui.app.widgets.detail_pane import DetailPane
from tui.app.widgets.job_table import JobTable
from tui.monitor.store import JobView
from tui.sim.app import create_app
from tui.sim.options import SimOptions
from tui.sim.world import World

__all__ = [
    "PINNED_ENV",
    "README_SCENES",
    "SIM_START",
    "SNAPSHOT_SCENES",
    "UNSET_ENV",
    "Scene",
    "Stage",
    "pin_environment",
    "render",
]

SIM_START = 1_780_000_000.0
"""The shared clock's start: 2026-05-28 20:26:40 UTC (the app starts :data:`WARMUP` later)."""
SEED = 7
WORKSPACE_JOBS = 33
"""Jobs in the workspace, the live ones included."""
LIVE_JOBS = 3
WARMUP = 150.0
"""Seconds the world runs before the app starts: the running jobs are then a third to two
thirds through their runs, with a few validation passes each (about one per tenth of a run),
so their charts show train and valid curves, and none has finished yet."""

PINNED_ENV: dict[str, str] = {"TZ": "UTC"}
"""Variables set while rendering: the detail pane shows local times."""
UNSET_ENV: tuple[str, ...] = (
    "NO_COLOR",  # Textual and Rich would render without colour
    "FORCE_COLOR",
    "TEXTUAL",
    "TEXTUAL_ANIMATIONS",
    "TEXTUAL_THEME",
    "COLORTERM",
)
"""Variables removed while rendering: each could change what the app draws."""

SETTLE_TIMEOUT = 20.0
"""Seconds a scene may take to load before it counts as broken (only reached on a bug)."""
STABLE_FRAMES = 3
"""Identical consecutive frames that make a screen settled."""


@contextmanager
def pin_environment(environ: MutableMapping[str, str] | None = None) -> Iterator[None]:
    """Apply :data:`PINNED_ENV` / :data:`UNSET_ENV` to ``environ`` and restore it afterwards."""
    env = os.environ if environ is None else environ
    saved = {name: env.get(name) for name in (*PINNED_ENV, *UNSET_ENV)}
    for name in UNSET_ENV:
        env.pop(name, None)
    env.update(PINNED_ENV)
    time.tzset()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        time.tzset()


@attrs.frozen
class Stage:
    """A running app on the seeded simulator, for a scene to drive."""

    app: FinetopApp
    pilot: Pilot[Any]
    world: World
    clock: ManualClock

    @property
    def table(self) -> JobTable:
        return self.app.main_screen.query_one(JobTable)


@asynccontextmanager
async def staged_app(size: tuple[int, int], theme: str) -> AsyncIterator[Stage]:
    """The app on a fresh seeded world, every job listed, the first row highlighted and its
    detail in (the app asks for the highlighted job's detail on opening)."""
    clock = ManualClock(SIM_START)
    options = SimOptions.demo(seed=SEED, jobs=WORKSPACE_JOBS, live=LIVE_JOBS, arrivals=False)
    world = options.build_world(clock)
    clock.advance(WARMUP)
    client = MistralClient(
        "http://127.0.0.1:9",
        None,
        transport=httpx.ASGITransport(app=create_app(world)),
        retry=RetryPolicy(attempts=1),
        clock=clock,
    )
    app = FinetopApp(settings(theme=theme), client=client, clock=clock)
    try:
        async with app.run_test(size=size) as pilot:
            stage = Stage(app, pilot, world, clock)
            await wait_for(
                lambda: stage.table.row_count == len(world.job_ids()),
                pilot,
                within=SETTLE_TIMEOUT,
            )
            await _settle_selection(stage, selected=True)
            yield stage
    finally:
        await client.aclose()


def _selection_settled(stage: Stage, *, selected: bool) -> bool:
    """The highlighted job is shown and the poller has nothing left to do.

    ``selected``: the poller was told about the job and its detail must be in.
    """
    app = stage.app
    poller = app.poller
    job_id = stage.table.highlighted_job_id
    if poller is None or job_id is None:
        return False
    view = app.store.get(job_id)
    main = app.main_screen
    return (
        view is not None
        and (not selected or (poller.selected == job_id and view.has_detail))
        and main.query_one(DetailPane).job is view.job
        and main.query_one(ChartPane).job_id == job_id
        and poller.is_idle
    )


async def _settle_selection(stage: Stage, *, selected: bool) -> None:
    await wait_for(
        lambda: _selection_settled(stage, selected=selected), stage.pilot, within=SETTLE_TIMEOUT
    )


async def _settle_screen(stage: Stage) -> str:
    """Pause until :data:`STABLE_FRAMES` frames in a row are identical; return that frame."""
    pilot = stage.pilot
    deadline = time.monotonic() + SETTLE_TIMEOUT
    await pilot.wait_for_scheduled_animations()
    last = stage.app.export_screenshot()
    same = 1
    while same < STABLE_FRAMES:
        if time.monotonic() > deadline:
            raise AssertionError("the screen kept changing")
        await pilot.pause(0.05)
        frame = stage.app.export_screenshot()
        same = same + 1 if frame == last else 1
        last = frame
    return last


# ---------------------------------------------------------------------- what a scene does


def best_running_job(stage: Stage) -> str:
    """The running job with the most evaluated checkpoints, then the most steps: the fullest
    chart (train and valid loss, perplexity)."""

    def fullness(view: JobView) -> tuple[int, int, str]:
        evaluated = getattr(view.job, "evaluated_checkpoints", ())
        return (len(evaluated), view.summary.step or 0, view.id)

    running = [view for view in stage.app.store.jobs() if view.job.status == "RUNNING"]
    assert running, "the seeded world has running jobs"
    return max(running, key=fullness).id


async def highlight(stage: Stage, job_id: str) -> None:
    """Move the table's cursor onto ``job_id`` with ``j`` / ``k``, as a user would.

    Resting on a job is what makes the app ask for its detail, so the cursor always moves onto
    the job (stepping off and back when it is already there). Rows passed on the way must be
    unfinished jobs, whose details are in already: a slow key press could otherwise let a
    finished row's detail be fetched, and change the picture.
    """
    table = stage.table
    ids = table.job_ids
    here, there = ids.index(table.highlighted_job_id or ids[0]), ids.index(job_id)
    if here == there:
        keys = ["j", "k"] if there + 1 < len(ids) else ["k", "j"]
        passed = [ids[there + 1 if keys[0] == "j" else there - 1]]
    elif here < there:
        keys, passed = ["j"] * (there - here), ids[here + 1 : there]
    else:
        keys, passed = ["k"] * (here - there), ids[there + 1 : here]
    for passed_id in passed:
        view = stage.app.store.get(passed_id)
        assert view is not None
        assert not view.job.is_terminal, "the cursor would pass a finished job"
    await stage.pilot.press(*keys)
    assert table.highlighted_job_id == job_id
    await _settle_selection(stage, selected=True)


async def main_view(stage: Stage) -> None:
    """The view as :func:`staged_app` leaves it: the newest job highlighted, its detail in."""


async def running_job(stage: Stage) -> None:
    """A running job with checkpoints highlighted: its chart (and detail, where there is room)
    beside or below the list."""
    await highlight(stage, best_running_job(stage))


async def running_job_full(stage: Stage) -> None:
    """A running job's detail opened with ``enter`` (full screen on small terminals)."""
    await running_job(stage)
    await stage.pilot.press("enter")
    screen = stage.app.main_screen
    await wait_for(lambda: screen.detail_scroll.has_focus, stage.pilot)


async def running_job_history(stage: Stage) -> None:
    """A running job's detail scrolled to its end: integrations, events and checkpoints."""
    await running_job_full(stage)
    scroll = stage.app.main_screen.detail_scroll
    await stage.pilot.press("end")
    await wait_for(
        lambda: scroll.max_scroll_y > 0 and scroll.scroll_y == scroll.max_scroll_y, stage.pilot
    )


def running_neighbour(stage: Stage, job_id: str) -> str:
    """A running job next to ``job_id`` in the list (the one above, else the one below)."""
    ids = stage.table.job_ids
    index = ids.index(job_id)
    for other in (index - 1, index + 1):
        view = stage.app.store.get(ids[other]) if 0 <= other < len(ids) else None
        if view is not None and view.job.status == "RUNNING":
            return view.id
    raise AssertionError("the seeded world has running jobs side by side")


async def open_metrics(stage: Stage, *, runs: int) -> MetricsScreen:
    """``m``, then wait for the view's chart to hold ``runs`` runs with their checkpoints."""
    await stage.pilot.press("m")
    app = stage.app
    await wait_for(lambda: isinstance(app.screen, MetricsScreen), stage.pilot)
    view = app.screen
    assert isinstance(view, MetricsScreen)

    def drawn() -> bool:
        chart = view.chart
        return (
            chart.frame is not None
            and len(chart.runs) == runs
            and all(run.train for run in chart.runs)
        )

    await wait_for(drawn, stage.pilot, within=SETTLE_TIMEOUT)
    return view


async def metrics_full(stage: Stage) -> None:
    """The full-screen metrics view of a running job, its step cursor ten steps back."""
    await running_job(stage)
    view = await open_metrics(stage, runs=1)
    await stage.pilot.press("right", "shift+left")
    await wait_for(lambda: view.chart.cursor_step is not None, stage.pilot)


async def metrics_compare(stage: Stage) -> None:
    """Two running jobs marked with ``space`` and compared in the metrics view."""
    selected = best_running_job(stage)
    other = running_neighbour(stage, selected)
    await highlight(stage, other)
    await stage.pilot.press("space")
    await highlight(stage, selected)
    await stage.pilot.press("space")
    await open_metrics(stage, runs=2)


async def help_screen(stage: Stage) -> None:
    """The key list (``?``)."""
    await stage.pilot.press("question_mark")
    await wait_for(lambda: isinstance(stage.app.screen, HelpScreen), stage.pilot)


async def confirm_cancel(stage: Stage) -> None:
    """The confirmation asked before cancelling a running job (``c``)."""
    await running_job(stage)
    await stage.pilot.press("c")
    await wait_for(lambda: isinstance(stage.app.screen, ConfirmModal), stage.pilot)


@attrs.frozen
class Scene:
    """One picture: what to do on the app, at which terminal size, in which theme."""

    name: str
    size: tuple[int, int]
    act: Callable[[Stage], Awaitable[None]]
    theme: str = DEFAULT_THEME


async def render(scene: Scene) -> str:
    """Run the app, play the scene and return its settled SVG screenshot."""
    async with staged_app(scene.size, scene.theme) as stage:
        await scene.act(stage)
        return await _settle_screen(stage)


def _sized(name: str, act: Callable[[Stage], Awaitable[None]]) -> list[Scene]:
    return [Scene(f"{name}-{w}x{h}", (w, h), act) for w, h in ((80, 24), (160, 48))]


MAIN_SIZES: tuple[tuple[int, int], ...] = (
    (80, 24),
    (120, 35),
    (140, 30),
    (160, 45),
    (200, 60),
    (120, 50),
)
"""The terminal sizes the main screen is pinned at with a running job highlighted."""

SNAPSHOT_SCENES: tuple[Scene, ...] = (
    *_sized("main", main_view),
    *(Scene(f"running-{w}x{h}", (w, h), running_job) for w, h in MAIN_SIZES),
    Scene("detail-full-80x24", (80, 24), running_job_full),
    Scene("metrics-80x24", (80, 24), metrics_full),
    Scene("metrics-120x35", (120, 35), metrics_full),
    Scene("compare-120x35", (120, 35), metrics_compare),
    *_sized("help", help_screen),
    *_sized("confirm-cancel", confirm_cancel),
    *(Scene(f"theme-{theme}-120x40", (120, 40), main_view, theme) for theme in BUNDLED_THEMES),
)
"""The scenes pinned by the snapshot tests."""

README_SIZE = (120, 40)
"""Every column fits, with the detail below the table; still readable when a README scales it."""

README_SCENES: tuple[Scene, ...] = (
    Scene("main", README_SIZE, running_job),
    Scene("wide", (160, 48), running_job),
    Scene("detail", README_SIZE, running_job_history),
    Scene("help", README_SIZE, help_screen),
    Scene("confirm", README_SIZE, confirm_cancel),
    Scene("narrow", (80, 24), running_job),
    Scene("large", (200, 60), running_job),
    Scene("metrics", README_SIZE, metrics_full),
    Scene("compare", README_SIZE, metrics_compare),
    Scene("narrow-detail", (80, 24), running_job_full),
    # "main" shows the default theme.
    *(
        Scene(f"theme-{theme}", README_SIZE, running_job, theme)
        for theme in BUNDLED_THEMES
        if theme != DEFAULT_THEME
    ),
)
"""The README screenshots (``screenshots/<name>.svg``)."""
