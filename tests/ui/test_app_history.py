"""The app with a local history: rows at once, cached until the first listing, losses shown."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import attrs
from platformdirs import user_cache_path

from tests.ui.helpers import FakeClient, Recorder, make_job, settings, wait_for
from tui.api.clock import ManualClock
from tui.api.models import Event, JobsPage
from tui.app.app import FinetopApp
from tui.app.widgets.job_rows import row_cells
from tui.app.widgets.job_table import JobTable
from tui.headless.history_link import HistoryLink
from tui.history import HistoryStore, history_files
from tui.monitor.store import to_list_item
from tui.sim.server import SimOptions, SimulatorThread

SERVER = "https://api.example.test"
WORKSPACE = "work"


class GatedClient(FakeClient):
    """A client whose listings wait until ``open`` is set (the API has not answered yet)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open = asyncio.Event()

    async def list_jobs(self, *, page: int = 0, page_size: int = 100, **_: Any) -> JobsPage:
        await self.open.wait()
        return await super().list_jobs(page=page, page_size=page_size)


def jobs() -> list[Any]:
    done = make_job(
        "done-a",
        status="SUCCESS",
        created_at=1_700_000_000,
        suffix="alpha",
        checkpoints=[(50, 1.5, 1.6), (100, 0.8125, 0.9375)],
    )
    # It trained from 1_700_000_100 to 1_700_003_700: an hour.
    done = attrs.evolve(
        done,
        events=tuple(
            Event("status-updated", at, {"status": status})
            for at, status in ((1_700_003_700, "SUCCESS"), (1_700_000_100, "RUNNING"))
        ),
    )
    running = make_job("run-b", created_at=1_700_100_000, checkpoints=[(10, 2.0, 2.1)])
    return [done, running]


async def test_rows_come_from_the_history_at_once_and_are_cached_until_listed(
    tmp_path: Path,
) -> None:
    known = jobs()
    seen_at = 1_750_000_000.0
    store = HistoryStore.for_workspace(
        SERVER, WORKSPACE, directory=tmp_path, clock=ManualClock(start=seen_at)
    )
    store.record(items=[to_list_item(job) for job in known], details=[known[0]])
    store.close()

    link = await HistoryLink().open(SERVER, WORKSPACE, max_bytes=1 << 26, directory=tmp_path)
    client = GatedClient(known)
    app = FinetopApp(settings(), client=client, history=link)  # type: ignore[arg-type]
    async with app.run_test(size=(140, 30)) as pilot:
        table = app.main_screen.query_one("#jobs", JobTable)
        # No listing has answered, yet both jobs are on screen, marked as cached.
        await wait_for(lambda: set(table.job_ids) == {"done-a", "run-b"}, pilot)
        assert ("list", 0) not in client.calls
        assert app.store.cached_since == seen_at
        view = app.store.get("done-a")
        assert view is not None
        assert view.cached
        cells = row_cells(view, app.wall_now())
        # The finished job's losses and duration come from the history, with no detail fetched.
        assert cells["train"].plain == "0.8125"
        assert cells["valid"].plain == "0.9375"
        assert cells["eta"].plain == "1h 00m"

        client.open.set()
        await wait_for(lambda: app.store.cached_since is None, pilot)
        assert app.poller is not None
        assert app.status_snapshot().cached_since is None
        assert not any(v.cached for v in app.store)

        # The finished job is selected: its detail comes from the file, not the API.
        await pilot.press("j")
        await wait_for(lambda: app.store.get("done-a").has_detail, pilot)  # type: ignore[union-attr]
        assert ("get", "done-a") not in client.calls
        await pilot.press("q")
    assert link.store is None  # closed with the app


async def test_an_unusable_history_folder_is_a_plain_notification_and_the_app_runs() -> None:
    # A file where the history folder should be: no history, whoever runs the test.
    folder = user_cache_path("finetop") / "history"
    folder.parent.mkdir(parents=True)
    folder.write_text("not a folder")
    with SimulatorThread(SimOptions(port=0, jobs=5, live=1, arrivals=False)) as simulator:
        app = FinetopApp(settings(demo=False, server_url=simulator.base_url))
        recorder = Recorder()
        recorder.attach(app)
        async with app.run_test(size=(120, 30)) as pilot:
            table = app.main_screen.query_one("#jobs", JobTable)
            await wait_for(lambda: len(table.job_ids) == len(simulator.world), pilot)
            warnings = recorder.titled("History")
            assert len(warnings) == 1
            assert warnings[0].startswith("history: running without the local history")
            assert app.session.history is not None
            assert not app.session.history.enabled
            await pilot.press("q")
    assert folder.read_text() == "not a folder"


async def test_demo_mode_fills_history_rows_from_a_scratch_history_it_removes() -> None:
    app = FinetopApp(settings(demo=True))
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.main_screen.query_one("#jobs", JobTable)
        await wait_for(lambda: len(table.job_ids) >= 10, pilot)
        history = app.session.history
        assert history is not None
        assert history.store is not None
        scratch = history.store.path.parent
        assert user_cache_path("finetop") not in scratch.parents
        # Without a key press, finished jobs' losses come in from the background fill.
        await wait_for(
            lambda: any(
                view.job.status == "SUCCESS" and view.summary.train_loss is not None
                for view in app.store
            ),
            pilot,
            within=60,
        )
        await pilot.press("q")
    assert not scratch.exists()
    assert history_files() == []
