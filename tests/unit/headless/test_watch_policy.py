"""``finetop watch``'s failure policy on a fake clock: fail fast before the job has been seen,
ride out outages after, and ``give_up_after`` (``--timeout``) ends it with 6 in one line."""

from __future__ import annotations

import asyncio
import io

import attrs

from tests.unit.headless.test_headless_commands import drive, fixture
from tui.api.clock import ManualClock, SystemClock
from tui.api.errors import PayloadError, ServerError, TransportError
from tui.api.listing import JobListing
from tui.api.models import JobDetails
from tui.headless import EXIT_ERROR, EXIT_OK, EXIT_TIMEOUT
from tui.headless.watch import run_watch

REFUSED = TransportError("cannot connect to 127.0.0.1:9: connection refused")


class Scripted:
    """A job fetcher answering from a script: an exception is raised, a job returned; the last
    entry repeats for ever."""

    def __init__(self, *script: JobDetails | Exception) -> None:
        self.script = list(script)
        self.calls = 0

    async def get_job(self, job_id: str) -> JobDetails:
        self.calls += 1
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step

    async def list_all_jobs(self) -> JobListing:
        raise AssertionError("a full id needs no listing")


def _job(status: str) -> JobDetails:
    return attrs.evolve(fixture("job-detail-completion-10-steps-2024-07.json"), status=status)


async def _watch(fetcher: Scripted, clock: ManualClock, **kwargs: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    job = _job("RUNNING")
    task = asyncio.create_task(
        run_watch(fetcher, job.id, out=out, err=err, clock=clock, interval=10.0, **kwargs)  # type: ignore[arg-type]
    )
    return await drive(clock, task), out.getvalue(), err.getvalue()


async def test_the_first_contact_failing_ends_the_watch_at_once() -> None:
    for error in (REFUSED, PayloadError(["$: expected an object"])):
        fetcher = Scripted(error, _job("SUCCESS"))
        code, out, err = await _watch(fetcher, ManualClock())
        assert code == EXIT_ERROR
        assert fetcher.calls == 1
        assert out == ""
        assert err.count("\n") == 1
        assert err.startswith("finetop: error: ")


async def test_a_busy_api_is_waited_for_even_before_the_job_was_seen() -> None:
    busy = ServerError("HTTP 503", status=503)
    fetcher = Scripted(busy, busy, _job("SUCCESS"))
    code, _, err = await _watch(fetcher, ManualClock())
    assert code == EXIT_OK
    assert err.splitlines()[-1] == "finetop: reconnected"


async def test_an_outage_after_the_job_was_seen_is_ridden_out() -> None:
    fetcher = Scripted(_job("RUNNING"), REFUSED, REFUSED, REFUSED, _job("SUCCESS"))
    code, out, err = await _watch(fetcher, ManualClock())
    assert code == EXIT_OK
    lines = err.splitlines()
    assert len(lines) == 4
    assert all(line.startswith("finetop: no network: ") for line in lines[:3])
    assert lines[-1] == "finetop: reconnected"
    assert out.splitlines()[-1].endswith("finished    SUCCESS")


async def test_give_up_after_ends_a_job_that_runs_on() -> None:
    clock = ManualClock()
    fetcher = Scripted(_job("RUNNING"))
    start = clock.monotonic()
    code, out, err = await _watch(fetcher, clock, give_up_after=45.0)
    assert code == EXIT_TIMEOUT
    assert clock.monotonic() - start == 45.0  # the last sleep was cut to the deadline
    assert fetcher.calls == 5  # at 0, 10, 20, 30, 40 s
    job_id = _job("RUNNING").id
    assert err == f"finetop: error: timed out after 45s: job {job_id} still RUNNING\n"
    assert "watching" in out


async def test_give_up_after_counts_the_time_waiting_for_an_api_that_never_answers() -> None:
    busy = ServerError("HTTP 503", status=503)
    code, out, err = await _watch(Scripted(busy), ManualClock(), give_up_after=60.0)
    assert code == EXIT_TIMEOUT
    assert out == ""
    assert err.splitlines()[-1].endswith(f"job {_job('RUNNING').id} not reached")


async def test_give_up_after_bounds_a_request_that_hangs() -> None:
    class Hanging(Scripted):
        async def get_job(self, job_id: str) -> JobDetails:
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

    err = io.StringIO()
    job = _job("RUNNING")
    code = await run_watch(
        Hanging(job), job.id, out=io.StringIO(), err=err, clock=SystemClock(), give_up_after=0.05
    )
    assert code == EXIT_TIMEOUT
    assert err.getvalue().endswith("not reached\n")
