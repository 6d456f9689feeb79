"""``--jobs N`` serves N jobs: the cap follows N, big workspaces page cheaply, and the past jobs
drawn on first read are exactly the ones a fully drawn workspace would hold."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import httpx
import pytest

from tui.api.clock import ManualClock
from tui.sim.cli_args import add_sim_arguments, options_from_args
from tui.sim.options import SimOptions
from tui.sim.world import JobQuery, World

JOBS = "/v1/fine_tuning/jobs"
ClientFor = Callable[..., httpx.AsyncClient]


def flags(*argv: str) -> SimOptions:
    parser = argparse.ArgumentParser(prog="finetop sim")
    add_sim_arguments(parser)
    return options_from_args(parser.parse_args(argv), env={})


async def listed_total(client: httpx.AsyncClient, **params: object) -> int:
    response = await client.get(JOBS, params={"page_size": 1, **params})
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


@pytest.mark.parametrize("count", [1000, 50_000])
async def test_jobs_n_serves_n_jobs(count: int, clock: ManualClock, client_for: ClientFor) -> None:
    options = flags("--jobs", str(count))
    world = options.build_world(clock)
    async with client_for(options.build_app(world)) as client:
        assert await listed_total(client) == count
        clock.advance(6 * 3600)  # jobs keep arriving and finishing; the workspace stays at N
        assert await listed_total(client) == count
        body = (await client.get(JOBS, params={"page": 3, "page_size": 100})).json()
        assert len(body["data"]) == 100
        created = [item["created_at"] for item in body["data"]]
        assert created == sorted(created, reverse=True)
        last_page = count // 100 - 1
        oldest = (await client.get(JOBS, params={"page": last_page, "page_size": 100})).json()
        assert len(oldest["data"]) == 100
        assert oldest["data"][-1]["created_at"] <= created[-1]
        detail = await client.get(f"{JOBS}/{oldest['data'][-1]['id']}")
        assert detail.status_code == 200
        assert detail.json()["status"] == oldest["data"][-1]["status"]


def test_the_cap_follows_the_workspace_size() -> None:
    assert flags().job_cap == 500  # small workspaces keep room to grow
    assert flags("--jobs", "1000").job_cap == 1000
    assert SimOptions(jobs=800, max_jobs=100).job_cap == 800  # never below what was asked for
    assert SimOptions(jobs=10, max_jobs=100).job_cap == 100


def test_jobs_counts_the_live_ones_too(clock: ManualClock) -> None:
    world = flags("--jobs", "10", "--live", "2", "--no-arrivals").build_world(clock)
    counts = world.counts()
    assert sum(counts.values()) == 10
    assert counts["RUNNING"] + counts.get("QUEUED", 0) == 2


def test_past_jobs_read_lazily_match_a_fully_read_workspace(clock: ManualClock) -> None:
    lazy = World(seed=9, jobs=300, live=0, clock=clock, arrivals=False)
    full = World(seed=9, jobs=300, live=0, clock=clock, arrivals=False)
    full.list_jobs(JobQuery(page_size=1000, status="SUCCESS"))  # a filter reads every job
    ids = lazy.job_ids()
    assert ids == full.job_ids()
    picks = ids[::-37]  # oldest first: the order of reads must not matter
    assert [lazy.job(i) for i in picks] == [full.job(i) for i in picks]
    assert lazy.list_jobs(JobQuery(page_size=1000)) == full.list_jobs(JobQuery(page_size=1000))


def test_status_counts_need_no_reads_and_match_the_jobs(clock: ManualClock) -> None:
    world = World(seed=2, jobs=2000, live=0, clock=clock, arrivals=False)
    counts = world.counts()
    _, items = world.list_jobs(JobQuery(page_size=5000))
    listed: dict[str, int] = {}
    for item in items:
        listed[item["status"]] = listed.get(item["status"], 0) + 1
    assert counts == listed
    assert set(counts) == {"SUCCESS", "FAILED", "FAILED_VALIDATION", "CANCELLED", "VALIDATED"}


async def test_a_file_of_an_unread_past_job_is_found(
    clock: ManualClock, client_for: ClientFor
) -> None:
    reader = World(seed=5, jobs=200, live=0, clock=ManualClock(clock.time()), arrivals=False)
    oldest = reader.job(reader.job_ids()[-1])
    world = World(seed=5, jobs=200, live=0, clock=clock, arrivals=False)
    async with client_for(SimOptions().build_app(world)) as client:
        response = await client.get(f"/v1/files/{oldest['training_files'][0]}")
    assert response.status_code == 200
    assert response.json()["id"] == oldest["training_files"][0]
