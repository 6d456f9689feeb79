"""The poller with the local history: the simulator in-process, one ManualClock, a real file.

What the history promises the poller: a finished job's detail is fetched once, ever (a second
run reads it from the file); running jobs' checkpoints are appended as they arrive; finished
jobs are filled in the background, within 30 requests a minute counting everything the poller
sends, and not while the user is active or after a 429.
"""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import AsyncIterator
from pathlib import Path

import attrs
from support.inprocess_sim import SIM_START, RequestLog, sim_client
from unit.monitor.poller_helpers import advance, running

from tui.api.backoff import Backoff
from tui.api.client import MistralClient
from tui.api.clock import ManualClock
from tui.api.models import CompletionJob
from tui.headless.history_link import HistoryLink
from tui.history import HistoryStore
from tui.monitor.changes import Change
from tui.monitor.poller import Poller
from tui.monitor.settings import PollerSettings
from tui.monitor.store import JobStore
from tui.sim.app import SimApp
from tui.sim.world import World

SERVER = "http://127.0.0.1:9"
WORKSPACE = "sim"
DETAIL = re.compile(r"^GET /v1/fine_tuning/jobs/([0-9a-f-]{36}) ")


@attrs.define
class Rig:
    """A simulated workspace and a history folder shared by successive poller runs."""

    clock: ManualClock
    world: World
    app: SimApp
    log: RequestLog
    client: MistralClient
    directory: Path

    async def link(self) -> HistoryLink:
        return await HistoryLink().open(
            SERVER, WORKSPACE, max_bytes=200 * 1024 * 1024, directory=self.directory,
            clock=self.clock,
        )  # fmt: skip

    def poller(
        self, link: HistoryLink, store: JobStore | None = None, **settings: object
    ) -> Poller:
        seen: list[Change] = []
        return Poller(
            self.client,
            store or JobStore(clock=self.clock),
            PollerSettings(**settings),  # type: ignore[arg-type]
            self.clock,
            backoff=Backoff(base=2.0, cap=300.0, jitter=0.0, rng=random.Random(3)),
            on_changes=seen.extend,
            archive=link,
        )

    def detail_requests(self, since: float = 0.0, until: float | None = None) -> list[str]:
        """Ids of the jobs whose detail was requested in ``[since, until)``."""
        ids = []
        for at, line in self.log.lines:
            match = DETAIL.match(line)
            if match and at >= since and (until is None or at < until):
                ids.append(match.group(1))
        return ids

    def finished_ids(self) -> set[str]:
        return {
            job_id
            for job_id in self.world.job_ids()
            if self.world.job_status(job_id) in ("SUCCESS", "FAILED", "CANCELLED")
        }


@contextlib.asynccontextmanager
async def rig(tmp_path: Path, *, jobs: int, live: int) -> AsyncIterator[Rig]:
    clock = ManualClock(start=SIM_START)
    client, world, app, log = sim_client(clock, jobs=jobs, live=live, speed=1.0, arrivals=False)
    try:
        yield Rig(clock, world, app, log, client, tmp_path / "history")
    finally:
        await client.aclose()


def busiest_minute(times: list[float]) -> int:
    """The most requests any 60 s window holds."""
    times = sorted(times)
    return max((sum(1 for t in times if start <= t < start + 60) for start in times), default=0)


async def fill_completely(sim: Rig, poller: Poller, link: HistoryLink, limit: float) -> None:
    """Let the poller run until it has filled every finished job in, within ``limit`` s."""
    spent = 0.0
    while poller.history_backlog() and spent < limit:
        await advance(sim.clock, poller, 60)
        spent += 60
    await link.flush()
    assert poller.history_backlog() == 0


async def test_a_second_run_fetches_no_detail_the_history_holds_as_final(tmp_path: Path) -> None:
    async with rig(tmp_path, jobs=40, live=2) as sim:
        link = await sim.link()
        first = sim.poller(link)
        async with running(first) as poller:
            await fill_completely(sim, poller, link, limit=1800)
        await link.close()
        stored = HistoryStore.for_workspace(SERVER, WORKSPACE, directory=sim.directory)
        final = stored.final_detail_ids()
        stored.close()
        assert len(final) >= 30  # every finished job was filled in

        link = await sim.link()
        store = JobStore(clock=sim.clock)
        seeded = await link.seed(store)
        assert len(seeded) == len(sim.world)
        second = sim.poller(link, store)
        start = sim.clock.monotonic()
        async with running(second) as poller:
            # The user browses every finished job: each comes from the file, not the API.
            for job_id in sorted(final):
                poller.select(job_id)
                await poller.wait_idle()
                view = poller.store.get(job_id)
                assert view is not None
                assert view.has_detail
                assert view.detail_final
            await advance(sim.clock, poller, 600)
        await link.close()
        asked = set(sim.detail_requests(since=start))
        assert not asked & final, "a detail stored as final was fetched again"


async def test_the_fill_keeps_every_minute_within_30_requests(tmp_path: Path) -> None:
    async with rig(tmp_path, jobs=300, live=3) as sim:
        link = await sim.link()
        async with running(sim.poller(link)) as poller:
            start = sim.clock.monotonic()
            await advance(sim.clock, poller, 15 * 60)
            times = [at for at, _ in sim.log.lines if at >= start]
            filled = set(sim.detail_requests(since=start)) & sim.finished_ids()
        await link.close()
    assert busiest_minute(times) <= 30
    # The fill used the room the regular polling left: far more than it would have fetched.
    assert len(filled) >= 60
    # And in those 15 minutes, 15 x 30 is the most there could have been.
    assert len(times) <= 15 * 30


async def test_the_fill_waits_while_the_user_is_active(tmp_path: Path) -> None:
    async with rig(tmp_path, jobs=100, live=1) as sim:
        link = await sim.link()
        async with running(sim.poller(link, fill_quiet=5.0)) as poller:
            await advance(sim.clock, poller, 30)  # the fill has started
            finished = sorted(sim.finished_ids())
            start = sim.clock.monotonic()
            selected = set()
            for turn in range(60):  # two minutes of moving the cursor every 2 s
                job_id = finished[turn % len(finished)]
                selected.add(job_id)
                poller.select(job_id)
                await advance(sim.clock, poller, 2)
            busy_end = sim.clock.monotonic()
            await advance(sim.clock, poller, 60)
            during = set(sim.detail_requests(since=start, until=busy_end))
            after = set(sim.detail_requests(since=busy_end))
        await link.close()
    running_ids = set(sim.world.job_ids()) - sim.finished_ids()
    assert during - selected - running_ids == set(), "the fill ran while the user was active"
    assert after - running_ids, "the fill did not resume once the user stopped"


async def test_a_429_stops_the_fill(tmp_path: Path) -> None:
    async with rig(tmp_path, jobs=100, live=1) as sim:
        link = await sim.link()
        async with running(sim.poller(link, fill_pause_after_rate_limit=300.0)) as poller:
            await advance(sim.clock, poller, 30)
            assert poller.history_backlog() < len(sim.finished_ids())  # it was filling
            sim.app.set_faults("429:1")
            await advance(sim.clock, poller, 5)
            limited_at = sim.clock.monotonic()
            sim.app.set_faults(None)
            await advance(sim.clock, poller, 200)
            backlog = poller.history_backlog()
            running_ids = set(sim.world.job_ids()) - sim.finished_ids()
            fill = set(sim.detail_requests(since=limited_at)) - running_ids
            assert fill == set(), "the fill ran within 5 minutes of a 429"
            assert backlog > 0
            await advance(sim.clock, poller, 300)
            assert poller.history_backlog() < backlog  # and resumed after the pause
        await link.close()


async def test_running_jobs_checkpoints_are_appended_across_polls(tmp_path: Path) -> None:
    async with rig(tmp_path, jobs=10, live=2) as sim:
        link = await sim.link()
        async with running(sim.poller(link)) as poller:
            live = poller.store.active_ids()
            counts = []
            for _ in range(6):
                await advance(sim.clock, poller, 120)
                await link.flush()
                assert link.store is not None
                held = [
                    len(details.checkpoints)
                    for job_id in live
                    if (details := link.store.load_details(job_id)) is not None
                ]
                counts.append(sum(held))
                for job_id in live:
                    view = poller.store.get(job_id)
                    stored = link.store.load_details(job_id)
                    if view is not None and view.details is not None and stored is not None:
                        # Every checkpoint the poller saw is in the file, once.
                        steps = [c.step_number for c in stored.checkpoints]
                        assert len(steps) == len(set(steps))
                        assert {c.step_number for c in view.details.checkpoints} <= set(steps)
        await link.close()
    assert counts[-1] > counts[0] > 0
    assert counts == sorted(counts)


async def test_stored_jobs_are_cached_until_listed_and_forgotten_when_gone(
    tmp_path: Path,
) -> None:
    async with rig(tmp_path, jobs=20, live=0) as sim:
        link = await sim.link()
        listed = sim.world.list_jobs()[1][0]
        ghost = CompletionJob(
            **{**_item_fields(listed), "id": "00000000-0000-4000-8000-00000000dead"}
        )
        assert link.store is not None
        link.store.record(items=[ghost])
        store = JobStore(clock=sim.clock)
        await link.seed(store)
        assert store.cached_since == SIM_START
        view = store.get(ghost.id)
        assert view is not None
        assert view.cached
        poller = sim.poller(link, store, full_list_interval=300.0)
        assert poller.store.cached_since == SIM_START
        async with running(poller):
            # The first listing confirmed the others; the ghost waits for a second miss.
            assert poller.store.cached_since is None
            assert not any(v.cached for v in store if v.id != ghost.id)
            assert ghost.id in store
            await advance(sim.clock, poller, 330)
            assert ghost.id not in store
        await link.flush()
        assert ghost.id not in {job.id for job in link.store.load_jobs().jobs}
        await link.close()


def _item_fields(wire: dict[str, object]) -> dict[str, object]:
    from tui.api.convert import parse_job_list_item

    item = parse_job_list_item(wire)
    return {f.name: getattr(item, f.name) for f in attrs.fields(type(item))}
