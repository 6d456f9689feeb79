"""Poller schedules, errors and controls against an in-memory source under a ManualClock."""

from __future__ import annotations

import asyncio

import pytest
from fake_source import FakeSource
from monitor_factories import T0, checkpoint, detail
from poller_helpers import advance, make_poller, running, step

from tui.api.clock import ManualClock
from tui.api.errors import (
    AuthenticationError,
    PayloadError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from tui.errors import ErrorKind
from tui.monitor.changes import (
    CheckpointsAdded,
    DetailFetched,
    JobAdded,
    JobError,
    JobGone,
    PollFailed,
    PollRecovered,
    PollSucceeded,
)
from tui.monitor.status import PollerState


def workspace(running: int = 2, finished: int = 5) -> FakeSource:
    source = FakeSource()
    for n in range(finished):
        source.put(detail(f"done-{n}", status="SUCCESS", created_at=T0 + n))
    for n in range(running):
        source.put(
            detail(
                f"run-{n}",
                status="RUNNING",
                created_at=T0 + 100 + n,
                checkpoints=(checkpoint(10, T0 + 200),),
            )
        )
    return source


async def test_first_poll_lists_everything_and_fetches_running_details() -> None:
    clock, source = ManualClock(), workspace()
    poller, seen = make_poller(source, clock)
    async with running(poller):
        assert source.count("list") == 1
        assert sorted(j for k, j in source.calls if k == "get") == ["run-0", "run-1"]
        assert sum(isinstance(c, JobAdded) for c in seen) == 7
        assert sum(isinstance(c, CheckpointsAdded) for c in seen) == 2
        assert isinstance(seen[-1], PollSucceeded)
        status = poller.status
        assert status.state is PollerState.OK
        assert status.next_poll_at == clock.monotonic() + 10


async def test_tiers_follow_their_intervals() -> None:
    clock, source = ManualClock(), workspace()
    poller, _ = make_poller(source, clock)
    start = clock.monotonic()
    async with running(poller):
        source.calls.clear()
        await advance(clock, poller, 300)
        gets = source.count("get")
        lists = [arg for kind, arg in source.calls if kind == "list"]
        assert gets == 2 * 30  # two running jobs, every 10 s for 300 s
        # Newest page at 30, 60, ... 270 s (it covers the whole small workspace, so it counts
        # as the full list too), then again at 300 s.
        assert lists == [(0, 50)] * 10
        assert clock.monotonic() == start + 300


async def test_new_checkpoint_and_new_job_reach_consumer_in_time() -> None:
    clock, source = ManualClock(), workspace()
    poller, seen = make_poller(source, clock)
    async with running(poller):
        await advance(clock, poller, 3)
        seen.clear()
        made_at = clock.monotonic()
        source.add_checkpoint("run-0", checkpoint(20, int(made_at)))
        source.put(detail("new", status="QUEUED", created_at=T0 + 999))
        await advance(clock, poller, 10)
        assert CheckpointsAdded("run-0", (checkpoint(20, int(made_at)),)) in seen
        assert not any(isinstance(c, JobAdded) for c in seen)
        await advance(clock, poller, 20)
        added = [c for c in seen if isinstance(c, JobAdded)]
        assert [c.job.id for c in added] == ["new"]


async def test_finished_job_gets_one_final_detail() -> None:
    clock, source = ManualClock(), workspace(running=1, finished=0)
    poller, _seen = make_poller(source, clock)
    async with running(poller):
        source.set_status("run-0", "SUCCESS")
        source.add_checkpoint("run-0", checkpoint(100, T0 + 300))
        await advance(clock, poller, 10)
        assert poller.store.get("run-0").job.status == "SUCCESS"
        assert poller.store.get("run-0").summary.step == 100
        source.calls.clear()
        await advance(clock, poller, 600)
        assert source.count("get") == 0


async def test_job_finishing_between_details_gets_final_detail_via_list() -> None:
    clock, source = ManualClock(), workspace(running=1, finished=0)
    poller, _ = make_poller(source, clock, detail_interval=1000.0)
    async with running(poller):
        source.set_status("run-0", "SUCCESS")
        source.add_checkpoint("run-0", checkpoint(100, T0 + 300))
        source.calls.clear()
        await advance(clock, poller, 30)  # the list notices; the final detail follows at once
        assert source.count("get") == 1
        assert poller.store.get("run-0").summary.step == 100
        await advance(clock, poller, 300)
        assert source.count("get") == 1


async def test_selecting_a_finished_job_fetches_it_once() -> None:
    clock, source = ManualClock(), workspace(running=0, finished=3)
    poller, _ = make_poller(source, clock)
    async with running(poller):
        assert source.count("get") == 0
        poller.select("done-1")
        await poller.wait_idle()
        assert source.calls[-1] == ("get", "done-1")
        poller.select("done-2")
        await poller.wait_idle()
        poller.select("done-1")
        await poller.wait_idle()
        assert source.count("get") == 2  # done-2 once, done-1 not again
        # Passing over a job before its turn does not fetch it.
        poller.select("done-0")
        poller.select("done-1")
        await poller.wait_idle()
        assert source.count("get") == 2


async def test_details_wanted_for_compared_runs_are_fetched_once_each() -> None:
    clock, source = ManualClock(), workspace(running=1, finished=3)
    poller, _ = make_poller(source, clock)
    async with running(poller):
        assert source.calls[-1] == ("get", "run-0")  # the running job only
        before = len(source.calls)
        poller.want_details(["done-0", "done-2", "run-0", "nobody"])
        await poller.wait_idle()
        fetched = sorted(j for k, j in source.calls[before:] if k == "get")
        assert fetched == ["done-0", "done-2"]  # run-0's body is held; unknown ids are skipped
        assert poller.store.get("done-0").has_detail  # type: ignore[union-attr]
        # Asked again (the view refreshes), nothing is fetched twice.
        poller.want_details(["done-0", "done-2"])
        await advance(clock, poller, 600)
        assert sorted(j for k, j in source.calls if k == "get" and j != "run-0") == fetched
        # A new request replaces the old one: a job no longer looked at is not fetched.
        poller.want_details(["done-1"])
        poller.want_details([])
        await advance(clock, poller, 60)
        assert ("get", "done-1") not in source.calls


async def test_not_found_job_is_gone_not_retried() -> None:
    clock, source = ManualClock(), workspace(running=1, finished=0)
    poller, seen = make_poller(source, clock)
    async with running(poller):
        del source.jobs["run-0"]
        await advance(clock, poller, 10)
        assert JobGone("run-0") in seen
        assert "run-0" not in poller.store
        source.calls.clear()
        await advance(clock, poller, 100)
        assert source.count("get") == 0
        assert poller.status.failures == 0


async def test_payload_error_is_reported_and_others_continue() -> None:
    clock, source = ManualClock(), workspace(running=2, finished=0)
    problem = PayloadError(["$.checkpoints[3].step_number: expected int"])
    source.detail_failures["run-0"] = problem
    poller, seen = make_poller(source, clock)
    async with running(poller):
        errors = [c for c in seen if isinstance(c, JobError)]
        assert errors
        assert "$.checkpoints[3].step_number" in errors[0].message
        assert errors[0].kind is ErrorKind.PAYLOAD
        assert poller.store.get("run-1").has_detail
        assert poller.store.get("run-0").failures == 1
        assert poller.status.state is PollerState.OK
        source.calls.clear()
        await advance(clock, poller, 70)
        # run-0 is retried with a doubling gap (10, 20, 40 s), not in a tight loop, while run-1
        # keeps its 10 s schedule.
        gets = [j for k, j in source.calls if k == "get"]
        assert gets.count("run-0") == 3
        assert gets.count("run-1") == 7
        del source.detail_failures["run-0"]
        await advance(clock, poller, 80)
        assert poller.store.get("run-0").failures == 0
        assert poller.store.get("run-0").has_detail


async def test_rate_limit_pauses_every_tier_until_retry_after() -> None:
    clock, source = ManualClock(), workspace()
    poller, seen = make_poller(source, clock)
    async with running(poller):
        seen.clear()
        source.failures.append(RateLimitedError("Requests rate limit exceeded", retry_after=120))
        failed_at = await step(clock, poller)
        [failed] = [c for c in seen if isinstance(c, PollFailed)]
        assert failed.first
        assert failed.kind is ErrorKind.RATE_LIMITED
        assert failed.retry_in == 120
        assert poller.status.next_poll_at == failed_at + 120
        source.calls.clear()
        await advance(clock, poller, 119)  # the automatic schedule waits out the Retry-After
        assert source.calls == []
        await advance(clock, poller, 1)
        assert source.calls
        assert any(isinstance(c, PollRecovered) and c.failures == 1 for c in seen)
        assert poller.status.state is PollerState.OK


async def test_a_refused_key_halts_polling_until_the_user_asks() -> None:
    clock, source = ManualClock(), workspace()
    poller, seen = make_poller(source, clock)
    async with running(poller):
        seen.clear()
        source.failures.append(AuthenticationError("authentication failed (HTTP 401)", status=401))
        await step(clock, poller)
        [failed] = [c for c in seen if isinstance(c, PollFailed)]
        assert failed.halted
        assert failed.kind is ErrorKind.AUTH
        assert poller.status.state is PollerState.HALTED
        assert poller.status.next_poll_at is None
        source.calls.clear()
        await advance(clock, poller, 24 * 3600)  # a day: no request would be let in anyway
        assert source.calls == []
        poller.refresh_now()
        await poller.wait_idle()
        assert source.calls
        assert poller.status.state is PollerState.OK


async def test_failure_streak_backs_off_and_reports_once() -> None:
    clock, source = ManualClock(), workspace()
    poller, seen = make_poller(source, clock)
    async with running(poller):
        seen.clear()
        source.failures.extend(
            [ServerError("Service unavailable", status=503)] * 3 + [TransportError("refused")]
        )
        delays = []
        for _ in range(4):
            await step(clock, poller)
            delays.append(poller.status.next_poll_at - clock.monotonic())
        failed = [c for c in seen if isinstance(c, PollFailed)]
        assert [f.first for f in failed] == [True, False, False, False]
        assert delays == [2.0, 4.0, 8.0, 16.0]
        assert poller.status.state is PollerState.OFFLINE
        assert poller.status.last_error_kind is ErrorKind.TRANSPORT
        await step(clock, poller)
        assert [type(c) for c in seen[-2:]] == [PollRecovered, PollSucceeded]
        assert seen[-2] == PollRecovered(4)


async def test_first_failure_is_stale_not_offline() -> None:
    clock, source = ManualClock(), workspace()
    poller, _ = make_poller(source, clock)
    async with running(poller):
        source.failures.append(ServerError("bad gateway", status=502))
        await step(clock, poller)
        status = poller.status
        assert status.state is PollerState.STALE
        assert status.retry_in(clock.monotonic()) == pytest.approx(2.0)
        assert status.failing_since == clock.monotonic()


async def test_pause_and_resume() -> None:
    clock, source = ManualClock(), workspace()
    poller, _ = make_poller(source, clock)
    async with running(poller):
        poller.pause()
        await poller.wait_idle()
        assert poller.status.paused
        assert poller.status.next_poll_at is None
        source.calls.clear()
        clock.advance(3600)
        await poller.wait_idle()
        assert source.calls == []
        poller.resume()
        await poller.wait_idle()
        assert source.count("list") == 1
        assert source.count("get") == 2


async def test_refresh_now_and_interval_changes_apply_at_once() -> None:
    clock, source = ManualClock(), workspace()
    poller, _ = make_poller(source, clock)
    async with running(poller):
        source.calls.clear()
        poller.refresh_now()
        await poller.wait_idle()
        assert source.count("list") == 1
        assert source.count("get") == 2
        now = clock.monotonic()
        poller.set_intervals(detail_interval=2.0)
        await poller.wait_idle()
        assert poller.status.next_poll_at == now + 2
        poller.scale_interval(2.0)
        await poller.wait_idle()
        assert poller.status.next_poll_at == now + 4
        assert poller.status.detail_interval == 4
        poller.set_focus(False)
        await poller.wait_idle()
        assert poller.status.next_poll_at == now + 12
        poller.set_focus(True)
        poller.scale_interval(0.5)
        await poller.wait_idle()
        assert poller.status.next_poll_at == now + 2


async def test_requests_never_exceed_max_in_flight_and_polls_do_not_overlap() -> None:
    clock, source = ManualClock(), workspace(running=10, finished=250)
    in_flight = peak = 0
    original_get, original_list = source.get_job, source.list_jobs

    async def slow(call, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            for _ in range(3):
                await asyncio.sleep(0)
            return await call(*args, **kwargs)
        finally:
            in_flight -= 1

    source.get_job = lambda job_id: slow(original_get, job_id)  # type: ignore[method-assign]
    source.list_jobs = lambda **kw: slow(original_list, **kw)  # type: ignore[method-assign]
    poller, _ = make_poller(source, clock)
    async with running(poller):
        await advance(clock, poller, 60)
        assert peak == 3
        assert source.count("list") >= 3  # 3 pages of 100


async def test_listeners_get_one_batch_per_page_detail_and_cycle() -> None:
    clock, source = ManualClock(), workspace(running=1, finished=1)
    poller, _ = make_poller(source, clock)
    batches: list[list[type]] = []
    remove = poller.add_listener(lambda batch: batches.append([type(c) for c in batch]))
    async with running(poller):
        assert batches[:3] == [
            [JobAdded, JobAdded],  # the list page
            [CheckpointsAdded, DetailFetched],  # the running job's detail
            [PollSucceeded],  # the cycle's outcome
        ]
        remove()
        seen = len(batches)
        poller.refresh_now()
        await advance(clock, poller, 1)
        assert len(batches) == seen


async def test_scheduled_full_list_is_a_rolling_sweep() -> None:
    clock, source = ManualClock(), workspace(running=0, finished=250)
    poller, _ = make_poller(source, clock)
    async with running(poller):
        assert [a for k, a in source.calls if k == "list"] == [(0, 100), (1, 100), (2, 100)]
        # An old job (on the last page) changes: only a full sweep can notice it.
        source.set_status("done-3", "CANCELLED")
        source.calls.clear()
        await advance(clock, poller, 360)
        lists = [a for k, a in source.calls if k == "list"]
        sweep = [a for a in lists if a[1] == 100]
        assert sweep == [(0, 100), (1, 100), (2, 100)]  # one page per list tick, no burst
        assert lists.count((0, 50)) == 12
        assert poller.store.get("done-3").job.status == "CANCELLED"


async def test_an_unexpected_exception_backs_off_instead_of_stopping() -> None:
    clock, source = ManualClock(), workspace()
    poller, seen = make_poller(source, clock)
    async with running(poller):
        source.failures.append(RuntimeError("socket went away oddly"))
        await step(clock, poller)
        [failed] = [c for c in seen if isinstance(c, PollFailed)]
        assert failed.kind is ErrorKind.SERVER
        assert "RuntimeError" in failed.message
        await step(clock, poller)
        assert isinstance(seen[-1], PollSucceeded)
