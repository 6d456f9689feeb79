"""A poll cycle is a success only when a request in it worked, not merely when one was sent."""

from __future__ import annotations

from fake_source import FakeSource
from monitor_factories import T0, checkpoint, detail
from poller_helpers import make_poller, running, step

from tui.api.clock import ManualClock
from tui.api.errors import PayloadError, ServerError
from tui.monitor.changes import JobError, PollFailed, PollRecovered, PollSucceeded


def one_running_job() -> FakeSource:
    source = FakeSource()
    source.put(
        detail("run-0", status="RUNNING", created_at=T0, checkpoints=(checkpoint(10, T0 + 50),))
    )
    return source


def _only_detail_gets(source: FakeSource) -> bool:
    return bool(source.calls) and all(kind == "get" for kind, _ in source.calls)


async def test_a_round_of_failed_detail_payloads_is_not_a_success() -> None:
    clock, source = ManualClock(), one_running_job()
    poller, seen = make_poller(source, clock, list_interval=30, detail_interval=10)
    async with running(poller):
        assert any(isinstance(c, PollSucceeded) for c in seen)
        last_success = poller.status.last_success_at
        source.detail_failures["run-0"] = PayloadError(["$.checkpoints[0].step_number: bad"])
        seen.clear()
        source.calls.clear()
        await step(clock, poller)
        assert _only_detail_gets(source), source.calls
        assert any(isinstance(c, JobError) for c in seen)
        assert not any(isinstance(c, PollSucceeded) for c in seen)
        assert poller.status.last_success_at == last_success


async def test_failed_detail_payloads_do_not_end_an_outage() -> None:
    clock, source = ManualClock(), one_running_job()
    poller, seen = make_poller(source, clock, list_interval=30, detail_interval=10)
    async with running(poller):
        # A detail round fails on the server: the poller is offline.
        source.failures.append(ServerError("Service unavailable", status=503))
        source.calls.clear()
        await step(clock, poller)
        assert _only_detail_gets(source), source.calls
        assert any(isinstance(c, PollFailed) for c in seen)
        # The retry reaches the server but the payload is unusable: still not recovered.
        source.detail_failures["run-0"] = PayloadError(["$.checkpoints[0].step_number: bad"])
        seen.clear()
        source.calls.clear()
        await step(clock, poller)
        assert _only_detail_gets(source), source.calls
        assert not any(isinstance(c, PollRecovered | PollSucceeded) for c in seen)
        assert poller.status.failures == 1
        # A usable answer ends the outage.
        del source.detail_failures["run-0"]
        seen.clear()
        await step(clock, poller)
        assert [type(c) for c in seen if isinstance(c, PollRecovered | PollSucceeded)] == [
            PollRecovered,
            PollSucceeded,
        ]
