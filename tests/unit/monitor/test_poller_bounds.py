"""The poller against a hostile server, under a ManualClock: a list claiming 10^12 jobs, absurd
Retry-After values, ``r`` during a 429, and bound errors that keep the last good data."""

from __future__ import annotations

import asyncio
import math

import attrs
import httpx
import orjson
import pytest
from fake_source import FakeSource
from monitor_factories import T0, detail, item
from poller_helpers import make_poller, running, step
from support.bombs import GzipBomb

from tui.api.bounds import MIB, ClientBounds
from tui.api.client import MistralClient, RetryPolicy
from tui.api.clock import ManualClock
from tui.api.convert import dumps
from tui.api.errors import DeadlineExceededError, RateLimitedError, ResponseTooLargeError
from tui.api.models import JobDetails, JobsPage
from tui.errors import ErrorKind
from tui.monitor.changes import PollFailed, PollRecovered
from tui.monitor.poller import Poller
from tui.monitor.settings import PollerSettings
from tui.monitor.status import PollerState
from tui.monitor.store import JobStore, to_list_item

TRILLION = 10**12


class EndlessSource:
    """Full pages of finished jobs forever, claiming ``total``; notes how it was asked."""

    def __init__(self, total: int = TRILLION) -> None:
        self.total = total
        self.calls: list[tuple[int, int]] = []
        """(page, page_size) of each list request."""
        self.in_flight = 0
        self.most_in_flight = 0
        self.most_tasks = 0
        """The most asyncio tasks alive while a page was being served."""

    async def list_jobs(self, *, page: int = 0, page_size: int = 100) -> JobsPage:
        self.calls.append((page, page_size))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.most_tasks = max(self.most_tasks, len(asyncio.all_tasks()))
        try:
            await asyncio.sleep(0)  # an answer takes a turn of the loop, as a real one would
        finally:
            self.in_flight -= 1
        first = page * page_size
        count = max(0, min(page_size, self.total - first))
        jobs = (item(f"job-{first + n}", status="SUCCESS") for n in range(count))
        return JobsPage(total=self.total, data=tuple(jobs))

    async def get_job(self, job_id: str) -> JobDetails:
        return detail(job_id, status="SUCCESS")

    def full_pages(self) -> list[int]:
        """Page numbers of the full-size (not newest-page) requests, in order."""
        return [page for page, size in self.calls if size == 100]


def workspace() -> FakeSource:
    source = FakeSource()
    for n in range(3):
        source.put(detail(f"done-{n}", status="SUCCESS", created_at=T0 + n))
    source.put(detail("run-0", status="RUNNING", created_at=T0 + 10))
    return source


# --------------------------------------------------------------------------- the page budget


async def test_a_trillion_jobs_are_listed_within_the_page_budget_a_few_at_a_time() -> None:
    clock, source = ManualClock(), EndlessSource()
    poller, _ = make_poller(source, clock, max_list_pages=30, max_in_flight=3)
    async with running(poller):
        assert sorted(source.full_pages()) == list(range(30))
        assert source.most_in_flight <= 3
        # Three workers share the pages: no task per page (the poller, the test, the workers).
        assert source.most_tasks <= 3 + 3
        status = poller.status
        assert status.listing_truncated == TRILLION
        assert status.state is PollerState.OK
        assert len(poller.store.ids()) == 3000


async def test_the_rolling_sweep_keeps_to_the_budget_too() -> None:
    clock, source = ManualClock(), EndlessSource()
    poller, _ = make_poller(source, clock, max_list_pages=4, max_in_flight=2)
    async with running(poller):
        source.calls.clear()
        # The sweep starts a full-list interval (300 s) later, then takes a page per list tick
        # (30 s): 4 pages spread over the 10 ticks of an interval.
        for _ in range(10 + 4):
            await step(clock, poller)
        assert source.full_pages() == [0, 1, 2, 3]
        assert poller.status.listing_truncated == TRILLION


class ShiftingSource(EndlessSource):
    """An endless source whose ids can move on: ``offset`` is added to every job number."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self.offset = 0

    async def list_jobs(self, *, page: int = 0, page_size: int = 100) -> JobsPage:
        listed = await super().list_jobs(page=page, page_size=page_size)
        moved = (
            attrs.evolve(job, id=f"job-{self.offset + int(job.id[4:])}") for job in listed.data
        )
        return JobsPage(total=listed.total, data=tuple(moved))


async def test_a_listing_cut_short_by_the_budget_forgets_no_job() -> None:
    clock, source = ManualClock(), ShiftingSource(total=250)
    poller, _ = make_poller(source, clock, max_list_pages=3)
    async with running(poller):
        assert len(poller.store.ids()) == 250  # one complete listing
        # Thousands of jobs arrive: the budgeted pages now hold only new ones. A listing cut
        # short cannot tell a deleted job from one beyond its pages, so none is dropped.
        source.offset, source.total = 1_000_000, TRILLION
        for _ in range(30):  # past two full-list intervals
            await step(clock, poller)
        assert poller.status.listing_truncated == TRILLION
        assert {f"job-{n}" for n in range(250)} <= set(poller.store.ids())


async def test_a_listing_within_the_budget_is_no_longer_truncated() -> None:
    clock, source = ManualClock(), EndlessSource()
    poller, _ = make_poller(source, clock, max_list_pages=3)
    async with running(poller):
        assert poller.status.listing_truncated == TRILLION
        source.total = 250
        source.calls.clear()
        poller.refresh_now()
        await poller.wait_idle()
        assert poller.status.listing_truncated is None
        assert sorted(source.full_pages()) == [0, 1, 2]


# --------------------------------------------------------------------------- Retry-After


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [(1e9, 900.0), (1e308, 900.0), (math.inf, 900.0), (math.nan, 2.0), (-5.0, 2.0), (7.0, 7.0)],
)
async def test_retry_after_is_capped_on_the_schedule(retry_after: float, wait: float) -> None:
    clock, source = ManualClock(), workspace()
    poller, seen = make_poller(source, clock)
    async with running(poller):
        seen.clear()
        source.failures.append(RateLimitedError("rate limited", retry_after=retry_after))
        failed_at = await step(clock, poller)
        [failed] = [c for c in seen if isinstance(c, PollFailed)]
        assert failed.retry_in == wait
        assert poller.status.next_poll_at == failed_at + wait
        assert poller.status.retry_in(clock.monotonic()) == wait


async def test_the_retry_after_cap_is_a_setting() -> None:
    clock, source = ManualClock(), workspace()
    settings = PollerSettings(max_retry_after=60.0, backoff_jitter=0.0)
    poller = Poller(source, JobStore(clock=clock), settings, clock)
    async with running(poller):
        source.failures.append(RateLimitedError("rate limited", retry_after=1e9))
        failed_at = await step(clock, poller)
        assert poller.status.next_poll_at == failed_at + 60.0


# --------------------------------------------------------------------------- refresh now


async def test_refresh_now_tries_at_once_during_a_rate_limit_backoff() -> None:
    clock, source = ManualClock(), workspace()
    poller, seen = make_poller(source, clock)
    async with running(poller):
        source.failures.append(RateLimitedError("rate limited", retry_after=600))
        await step(clock, poller)
        assert poller.status.state is not PollerState.OK
        source.calls.clear()
        seen.clear()
        asked_at = clock.monotonic()
        poller.refresh_now()
        await poller.wait_idle()
        assert clock.monotonic() == asked_at  # no time passed: it did not wait the 600 s
        assert ("list", (0, 100)) in source.calls
        assert any(isinstance(c, PollRecovered) for c in seen)
        assert poller.status.state is PollerState.OK


async def test_a_refresh_refused_again_backs_the_schedule_off_anew() -> None:
    clock, source = ManualClock(), workspace()
    poller, _ = make_poller(source, clock)
    async with running(poller):
        source.failures.append(RateLimitedError("rate limited", retry_after=600))
        await step(clock, poller)
        source.failures.append(RateLimitedError("rate limited", retry_after=120))
        poller.refresh_now()
        await poller.wait_idle()
        now = clock.monotonic()
        assert poller.status.failures == 2
        assert poller.status.next_poll_at == now + 120
        source.calls.clear()
        clock.advance(119)
        await poller.wait_idle()
        assert source.calls == []  # the automatic schedule honours the new Retry-After


# --------------------------------------------------------------------------- bound errors


async def test_bound_errors_fail_the_poll_and_keep_the_last_good_data() -> None:
    clock, source = ManualClock(), workspace()
    poller, seen = make_poller(source, clock)
    async with running(poller):
        assert len(poller.store.ids()) == 4
        seen.clear()
        too_large = "response too large: GET /v1/fine_tuning/jobs sent more than 64 MiB"
        source.failures.append(ResponseTooLargeError(too_large))
        await step(clock, poller)
        status = poller.status
        assert status.state is PollerState.STALE
        assert status.last_error_kind is ErrorKind.PAYLOAD
        assert status.last_error_message == too_large
        assert len(poller.store.ids()) == 4
        [failed] = [c for c in seen if isinstance(c, PollFailed)]
        assert failed.message == too_large
        source.failures.append(DeadlineExceededError("no complete answer within 60 s"))
        await step(clock, poller)
        assert poller.status.state is PollerState.OFFLINE
        assert len(poller.store.ids()) == 4


async def test_a_gzip_bomb_reaches_the_status_line_through_the_real_client() -> None:
    clock = ManualClock()
    job = detail("done-0", status="SUCCESS")
    good = orjson.dumps({"object": "list", "total": 1, "data": [orjson.loads(dumps(job))]})
    bomb = GzipBomb(64 * MIB)
    serve_bomb = False

    def answer(request: httpx.Request) -> httpx.Response:
        if serve_bomb:
            headers = {"content-type": "application/json", "content-encoding": "gzip"}
            return httpx.Response(200, headers=headers, stream=httpx.ByteStream(bomb.first))
        return httpx.Response(200, content=good, headers={"content-type": "application/json"})

    client = MistralClient(
        "https://api.mistral.ai",
        "sk-test-0123456789abcdef",
        transport=httpx.MockTransport(answer),
        retry=RetryPolicy(attempts=1),
        clock=clock,
        bounds=ClientBounds(max_response_bytes=MIB),
    )
    poller, _ = make_poller(client, clock)
    async with client, running(poller):
        view = poller.store.get("done-0")
        assert view is not None
        assert view.job == to_list_item(job)
        serve_bomb = True
        poller.refresh_now()
        await poller.wait_idle()
        status = poller.status
        assert status.last_error_message == (
            "response too large: GET /v1/fine_tuning/jobs sent a body that inflates past 1 MiB "
            "(see max_response_mib)"
        )
        assert poller.store.get("done-0") is not None
