"""Short job ids: a unique prefix names its job, no match is "not found" (5), several is one
line listing candidates (1), a full UUID skips the lookup; ``show`` and ``watch`` take them."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.inprocess_sim import SIM_START, sim_client

from tui.api.client import MistralClient, RetryPolicy
from tui.api.clock import ManualClock
from tui.api.convert import parse_jobs_page
from tui.headless.history_link import HistoryLink, known_jobs_of
from tui.headless.job_ids import (
    AmbiguousJobId,
    JobIdError,
    UnknownJobId,
    is_full_id,
    resolve_job_id,
)
from tui.headless.show import run_show
from tui.headless.watch import run_watch

FIXTURES = Path(__file__).parents[2] / "fixtures"
LIST = json.loads((FIXTURES / "jobs-list-2024-07.json").read_text())
DETAIL = json.loads((FIXTURES / "job-detail-completion-10-steps-2024-07.json").read_text())

TWINS = ("736b1be2-0000-4000-8000-000000000001", "736b1be2-0000-4000-8000-000000000002")
"""Two jobs whose ids share their first 8 characters (as the job list shows them)."""
HOSTILE = "evil\x1b]52;c;aGk=\x07\x1b[2Jname"


class Api:
    """The list and detail endpoints over a fixed set of real list items (ids rewritten)."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.requests: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        path = request.url.path.removeprefix("/v1/fine_tuning/jobs")
        if path == "":
            page = int(request.url.params.get("page", 0))
            size = int(request.url.params.get("page_size", 100))
            chunk = self.items[page * size : (page + 1) * size]
            return httpx.Response(
                200, json={"object": "list", "total": len(self.items), "data": chunk}
            )
        job_id = path.strip("/")
        for item in self.items:
            if item["id"] == job_id:
                return httpx.Response(200, json={**DETAIL, "id": job_id, "status": item["status"]})
        return httpx.Response(404, json={"detail": "No fine tuning job matches the given query."})

    def client(self) -> MistralClient:
        return MistralClient(
            "https://api.example.com",
            "sk-test",
            transport=httpx.MockTransport(self.handle),
            retry=RetryPolicy(attempts=1),
        )


def _items() -> list[dict[str, Any]]:
    items = copy.deepcopy(LIST["data"])
    items[0]["id"], items[1]["id"] = TWINS
    items[1]["suffix"] = HOSTILE
    return items


@pytest.fixture
def api() -> Api:
    return Api(_items())


async def test_a_unique_prefix_names_its_job(api: Api) -> None:
    target = api.items[5]["id"]
    async with api.client() as client:
        assert await resolve_job_id(client, target[:8]) == target
        assert await resolve_job_id(client, target[:8].upper()) == target
        assert await resolve_job_id(client, f"  {target[:13]} ") == target


async def test_a_full_uuid_is_used_without_a_lookup(api: Api) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    async with api.client() as client:
        assert await resolve_job_id(client, unknown) == unknown
    assert api.requests == []
    assert is_full_id(TWINS[0])
    assert not is_full_id(TWINS[0][:8])


async def test_no_match_is_not_found(api: Api) -> None:
    async with api.client() as client:
        with pytest.raises(UnknownJobId) as caught:
            await resolve_job_id(client, "ffffeeee")
    assert str(caught.value) == f"no job id starts with ffffeeee among {len(api.items)} jobs"
    assert caught.value.exit_status == 5


async def test_several_matches_list_the_candidates_safely(api: Api) -> None:
    async with api.client() as client:
        with pytest.raises(AmbiguousJobId) as caught:
            await resolve_job_id(client, "736b1be2")
    message = str(caught.value)
    assert message.startswith("job id prefix 736b1be2 matches 2 jobs: 736b1be2 ")
    assert message.endswith("; give more of the id")
    assert "\n" not in message
    assert "\x1b" not in message
    assert "\x07" not in message
    assert f" {api.items[0]['status']} " in message
    assert caught.value.exit_status == 1


async def test_at_most_five_candidates_are_listed() -> None:
    items = _items()
    for n, item in enumerate(items[:8]):
        item["id"] = f"abcd{n:04d}-0000-4000-8000-000000000000"
    async with Api(items).client() as client:
        with pytest.raises(AmbiguousJobId) as caught:
            await resolve_job_id(client, "abcd")
    message = str(caught.value)
    assert message.count("abcd0") == 5
    assert "; and 3 more; give more of the id" in message


async def test_a_too_short_prefix_is_refused_without_a_lookup(api: Api) -> None:
    async with api.client() as client:
        with pytest.raises(JobIdError, match="too short: give at least 4 characters"):
            await resolve_job_id(client, "7b1")
    assert api.requests == []


@pytest.mark.parametrize("text", ["not-an-id", "ftjob-abc123", "..", ""])
async def test_what_is_not_hex_is_no_short_id_and_goes_as_it_is(api: Api, text: str) -> None:
    # The API's own rules decide (``..`` and the empty id are refused before any request).
    async with api.client() as client:
        assert await resolve_job_id(client, text) == text
    assert api.requests == []


async def test_the_history_finds_jobs_the_listing_no_longer_has(api: Api, tmp_path: Path) -> None:
    gone = parse_jobs_page(
        {"total": 1, "data": [{**LIST["data"][3], "id": "c0ffee00-1111-4000-8000-000000000000"}]}
    ).data
    history = await HistoryLink().open(
        "https://api.example", "acme", max_bytes=10 * 1024 * 1024, directory=tmp_path
    )
    try:
        history.record_items(gone)
        await history.flush()
        async with api.client() as client:
            found = await resolve_job_id(client, "c0ffee", known_jobs=known_jobs_of(history))
            # Without the history, the listing alone knows no such job.
            with pytest.raises(UnknownJobId):
                await resolve_job_id(client, "c0ffee")
    finally:
        await history.close()
    assert found == gone[0].id


# ---------------------------------------------------------------- the commands


async def test_show_takes_a_short_id(api: Api) -> None:
    target = api.items[5]["id"]
    out, err = io.StringIO(), io.StringIO()
    async with api.client() as client:
        assert await run_show(client, target[:8], out=out, err=err) == 0
    assert target in out.getvalue()
    assert err.getvalue() == ""


@pytest.mark.parametrize(("prefix", "status"), [("ffffeeee", 5), ("736b1be2", 1)])
async def test_show_and_watch_refuse_an_unknown_or_ambiguous_prefix_in_one_line(
    api: Api, prefix: str, status: int
) -> None:
    for command in (run_show, run_watch):
        out, err = io.StringIO(), io.StringIO()
        async with api.client() as client:
            assert await command(client, prefix, out=out, err=err) == status  # type: ignore[operator]
        assert out.getvalue() == ""
        assert err.getvalue().count("\n") == 1
        assert err.getvalue().startswith("finetop: error: ")


async def test_watch_follows_a_job_named_by_its_short_id() -> None:
    clock = ManualClock(start=SIM_START)
    client, world, _, _ = sim_client(clock, jobs=12, live=1, speed=600.0, arrivals=False)
    finished = next(j for j in world.job_ids() if world.job_status(j) == "SUCCESS")
    out = io.StringIO()
    assert await run_watch(client, finished[:8], out=out, err=io.StringIO(), clock=clock) == 0
    assert f"watching    {finished}" in out.getvalue()
    await client.aclose()
