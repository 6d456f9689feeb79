"""The headless commands against the simulated API in-process (and a few fakes)."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import attrs
import orjson
import pytest
from support.inprocess_sim import SIM_START, sim_client

from tui.api.clock import ManualClock
from tui.api.convert import parse_job, unstructure
from tui.api.errors import AuthenticationError, ServerError
from tui.api.listing import JobListing
from tui.api.models import Event, JobDetails
from tui.display.formats import MISSING, fmt_duration
from tui.headless.jobs import HEADERS, job_row, run_jobs
from tui.headless.render import format_table
from tui.headless.show import render_job, run_show
from tui.headless.watch import _items, run_watch
from tui.monitor.store import JobStore, JobSummary, to_list_item
from tui.sim.world import JobQuery

FIXTURES = Path(__file__).parents[2] / "fixtures"
MISSING_ID = "00000000-0000-4000-8000-000000000000"


def fixture(name: str) -> JobDetails:
    return parse_job((FIXTURES / name).read_bytes())


async def test_jobs_table_lists_every_page() -> None:
    clock = ManualClock(start=SIM_START)
    client, world, _, _ = sim_client(clock, jobs=250, live=2, arrivals=False)
    out = io.StringIO()
    assert await run_jobs(client, out=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split("  ")[0] == "ID"
    assert [cell.strip() for cell in lines[0].split("  ") if cell.strip()] == list(HEADERS)
    assert [line.split()[0] for line in lines[1:]] == world.job_ids()
    await client.aclose()


async def test_jobs_filters_and_json_lines() -> None:
    clock = ManualClock(start=SIM_START)
    client, world, _, _ = sim_client(clock, jobs=60, live=2, arrivals=False)
    out = io.StringIO()
    assert await run_jobs(client, status="success", as_json=True, out=out) == 0
    rows = [orjson.loads(line) for line in out.getvalue().splitlines()]
    expected = [j for j in world.job_ids() if world.job_status(j) == "SUCCESS"]
    assert [r["id"] for r in rows] == expected
    assert all(r["status"] == "SUCCESS" for r in rows)
    # Each line is the wire JSON of the list item, exactly as the API sent it.
    _, items = world.list_jobs(JobQuery(page_size=1000, status="SUCCESS"))
    assert rows == items
    out = io.StringIO()
    model = world.job(world.job_ids()[0])["model"]
    assert await run_jobs(client, model=model, out=out) == 0
    assert all(model in line for line in out.getvalue().splitlines()[1:])
    await client.aclose()


async def test_jobs_error_is_one_line() -> None:
    class Failing:
        async def list_all_jobs(self, **_: object) -> list[object]:
            raise AuthenticationError("HTTP 401: Unauthorized", status=401)

    out, err = io.StringIO(), io.StringIO()
    assert await run_jobs(Failing(), out=out, err=err) == 1  # type: ignore[arg-type]
    assert out.getvalue() == ""
    assert err.getvalue().count("\n") == 1
    assert err.getvalue().startswith("finetop: error:")


async def test_show_groups_a_running_job() -> None:
    clock = ManualClock(start=SIM_START)
    client, world, _, _ = sim_client(clock, jobs=10, live=1, arrivals=False)
    running = next(j for j in world.job_ids() if world.job_status(j) == "RUNNING")
    out = io.StringIO()
    assert await run_show(client, running, out=out, now=clock.time()) == 0
    text = out.getvalue()
    for group in (
        "Overview",
        "Progress",
        "Cost and tokens",
        "Hyperparameters",
        "Files",
        "Integrations",
        "Repositories",
        "Events",
        "Checkpoints",
    ):
        assert any(line.split("  ")[0] == group for line in text.splitlines()), group
    assert "ETA" in text
    assert "PERPLEXITY" in text
    assert "-train.jsonl  " in text  # file names looked up, the id after each
    out = io.StringIO()
    assert await run_show(client, running, as_json=True, out=out) == 0
    assert json.loads(out.getvalue()) == world.job(running)
    await client.aclose()


async def test_show_not_found() -> None:
    clock = ManualClock(start=SIM_START)
    client, _, _, _ = sim_client(clock, jobs=3, live=0, arrivals=False)
    out, err = io.StringIO(), io.StringIO()
    assert await run_show(client, MISSING_ID, out=out, err=err) == 5
    assert err.getvalue() == f"finetop: error: job {MISSING_ID} not found\n"
    await client.aclose()


def test_render_real_payload() -> None:
    job = fixture("job-detail-completion-pixtral-69-steps-2025-07.json")
    text = "\n".join(render_job(job, now=job.modified_at + 10_000))
    assert "69/69 (100%)" in text
    assert "  duration          8m 47s" in text  # RUNNING at ...145 to SUCCESS at ...672
    assert "17.88 USD" in text
    assert "  ETA               finished" in text
    # No validation file: valid loss 0.0 means "not evaluated", shown as a dash.
    step69 = next(line for line in text.splitlines() if line.strip().startswith("69 "))
    assert step69.split()[-2:] == [MISSING, MISSING]


def test_render_classifier_targets() -> None:
    job = fixture("job-classifier-validated-2025-04.json")
    text = "\n".join(render_job(job, now=job.modified_at))
    assert "Classifier targets" in text
    for target in job.classifier_targets:
        assert target.name in text


def test_render_helpers() -> None:
    assert fmt_duration(None) == MISSING
    assert fmt_duration(42) == "42s"
    assert fmt_duration(3864) == "1h 04m"
    assert fmt_duration(2 * 86400 + 3 * 3600) == "2d 03h"
    assert format_table(("A", "B"), [["xx", "y"]]) == ["A   B", "xx  y"]


async def drive(clock: ManualClock, task: asyncio.Task[int], *, on_sleep=None) -> int:  # type: ignore[no-untyped-def]
    """Run ``task`` to completion, moving the clock to each sleep's deadline."""
    sleeps = 0
    while not task.done():
        deadline = clock.next_deadline()
        if deadline is not None:
            sleeps += 1
            if on_sleep is not None:
                on_sleep(sleeps)
            clock.set(deadline)
        await asyncio.sleep(0)
    return task.result()


async def test_watch_follows_a_running_job_to_its_end() -> None:
    clock = ManualClock(start=SIM_START)
    client, world, _, _ = sim_client(clock, jobs=5, live=1, speed=60.0, arrivals=False)
    running = next(j for j in world.job_ids() if world.job_status(j) == "RUNNING")
    out, err = io.StringIO(), io.StringIO()
    task = asyncio.create_task(run_watch(client, running, out=out, err=err, clock=clock))
    code = await drive(clock, task)
    final = world.job_status(running)
    assert code == {"SUCCESS": 0, "FAILED": 2, "CANCELLED": 4}[final]
    lines = out.getvalue().splitlines()
    assert "watching" in lines[0]
    steps = [int(line.split("step ")[1].split("/")[0]) for line in lines if " checkpoint " in line]
    assert steps == sorted(steps)
    assert len(steps) == len(set(steps)) > 1
    assert lines[-1].endswith(f"finished    {final}")
    # History and new items come in time order: the events before the first checkpoint.
    timed = [line for line in lines if " event " in line or " checkpoint " in line]
    stamps = [line[:23] for line in timed]
    assert stamps == sorted(stamps)
    assert " event " in timed[0]
    assert err.getvalue() == ""
    await client.aclose()


async def test_watch_rides_out_server_errors() -> None:
    clock = ManualClock(start=SIM_START)
    client, world, app, _ = sim_client(clock, jobs=5, live=1, speed=60.0, arrivals=False)
    running = next(j for j in world.job_ids() if world.job_status(j) == "RUNNING")
    out, err = io.StringIO(), io.StringIO()
    app.set_faults("503:1")

    def heal(sleeps: int) -> None:
        if sleeps == 4:
            app.set_faults(None)

    task = asyncio.create_task(run_watch(client, running, out=out, err=err, clock=clock))
    code = await drive(clock, task, on_sleep=heal)
    assert code in (0, 2, 4)
    errors = err.getvalue().splitlines()
    assert len(errors) == 5  # four failures, then "reconnected"
    assert all("retrying in" in line for line in errors[:4])
    assert errors[-1] == "finetop: reconnected"
    await client.aclose()


async def test_watch_not_found() -> None:
    clock = ManualClock(start=SIM_START)
    client, _, _, _ = sim_client(clock, jobs=3, live=0, arrivals=False)
    out, err = io.StringIO(), io.StringIO()
    assert await run_watch(client, MISSING_ID, out=out, err=err, clock=clock) == 5
    assert "not found" in err.getvalue()
    await client.aclose()


class OneJob:
    """A fetcher that returns a fixed job, after scripted errors."""

    def __init__(self, job: JobDetails, errors: list[Exception] | None = None) -> None:
        self.job = job
        self.errors = errors or []

    async def get_job(self, job_id: str) -> JobDetails:
        if self.errors:
            raise self.errors.pop(0)
        return self.job


@pytest.mark.parametrize(
    ("status", "code"),
    [("SUCCESS", 0), ("FAILED", 2), ("FAILED_VALIDATION", 3), ("CANCELLED", 4)],
)
async def test_watch_exit_status_follows_final_status(status: str, code: int) -> None:
    import attrs

    job = attrs.evolve(fixture("job-detail-completion-63-steps-2024-06.json"), status=status)
    out = io.StringIO()
    assert await run_watch(OneJob(job), job.id, out=out, clock=ManualClock()) == code
    assert out.getvalue().splitlines()[-1].endswith(status)


async def test_watch_auth_error_exits_1_and_transient_waits() -> None:
    job = fixture("job-detail-completion-10-steps-2024-07.json")
    clock = ManualClock()
    err = io.StringIO()
    fetcher = OneJob(job, [ServerError("HTTP 502", status=502, retry_after=30.0)])
    task = asyncio.create_task(run_watch(fetcher, job.id, out=io.StringIO(), err=err, clock=clock))
    start = clock.monotonic()
    assert await drive(clock, task) == 0
    assert clock.monotonic() - start >= 30  # Retry-After honoured
    err = io.StringIO()
    failing = OneJob(job, [AuthenticationError("HTTP 401: Unauthorized", status=401)])
    assert await run_watch(failing, job.id, out=io.StringIO(), err=err, clock=clock) == 1
    assert err.getvalue().count("\n") == 1


def test_jobs_rows_show_what_is_known_and_a_summary_fills_the_rest() -> None:
    detail = fixture("job-detail-completion-100-steps-2024-05-docs.json")
    item = to_list_item(detail)
    now = detail.modified_at + 60
    row = dict(zip(HEADERS, job_row(item, now), strict=True))
    # A finished list item: every step ran; the losses are not in a list item.
    assert row["STEP"] == "100/100"
    assert (row["TRAIN LOSS"], row["VALID LOSS"]) == (MISSING, MISSING)
    summary = JobSummary(step=100, train_loss=0.8161, valid_loss=0.9143)
    row = dict(zip(HEADERS, job_row(item, now, summary), strict=True))
    assert (row["TRAIN LOSS"], row["VALID LOSS"]) == ("0.8161", "0.9143")
    # A detail brings its own: the last checkpoint and the run's duration.
    row = dict(zip(HEADERS, job_row(detail, now), strict=True))
    assert row["STEP"] == "100/100"
    assert row["DURATION"] == "14m 57s"
    running = to_list_item(attrs.evolve(detail, status="RUNNING"))
    row = dict(zip(HEADERS, job_row(running, running.modified_at + 90), strict=True))
    assert row["STEP"] == f"{MISSING}/100"
    assert row["DURATION"] == "1m 30s"


async def test_jobs_takes_summaries_for_the_loss_columns() -> None:
    job = to_list_item(fixture("job-detail-completion-10-steps-2024-07.json"))

    class Lister:
        async def list_all_jobs(self, **_: object) -> JobListing:
            return JobListing((job,), claimed_total=1)

    out = io.StringIO()
    summaries = {job.id: JobSummary(step=10, train_loss=1.25, valid_loss=1.5)}
    assert await run_jobs(Lister(), out=out, now=job.modified_at, summaries=summaries) == 0
    header, line = out.getvalue().splitlines()
    assert "1.25" in line.split()
    assert line.index("1.25") == header.index("TRAIN LOSS")


async def test_show_json_is_one_line_of_the_wire_json() -> None:
    job = fixture("job-detail-completion-63-steps-2024-06.json")

    class Reader:
        async def get_job(self, job_id: str) -> JobDetails:
            return job

    out = io.StringIO()
    assert await run_show(Reader(), job.id, as_json=True, out=out) == 0  # type: ignore[arg-type]
    assert out.getvalue().count("\n") == 1
    assert json.loads(out.getvalue()) == unstructure(job)


async def test_watch_json_prints_one_object_per_line() -> None:
    job = fixture("job-detail-completion-10-steps-2024-07.json")
    out = io.StringIO()
    assert await run_watch(OneJob(job), job.id, out=out, clock=ManualClock(), as_json=True) == 0
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    kinds = [r["kind"] for r in records]
    assert kinds[0] == "watching"
    assert kinds[-1] == "finished"
    assert records[-1]["status"] == "SUCCESS"
    events = [r for r in records if r["kind"] == "event"]
    assert len(events) == len(job.events)
    assert {r["event"]["name"] for r in events} == {"status-updated"}
    (checkpoint,) = [r for r in records if r["kind"] == "checkpoint"]  # the latest only
    assert checkpoint["checkpoint"]["step_number"] == job.last_step
    assert all(r["at"] for r in records)


def test_watch_lines_make_server_text_safe() -> None:
    job = attrs.evolve(
        fixture("job-detail-completion-10-steps-2024-07.json"),
        suffix="a\x1b]52;c;QQ==\x07b",
        events=(Event(name="x\x9bz", created_at=1, data={"status": "FAILED", "error": "\u202e"}),),
    )
    store = JobStore(clock=ManualClock())
    lines = [item.text for item in _items(store.apply(job), job, 0.0, first=True)]
    assert lines[0].endswith("a␛]52;c;QQ==␇b  status SUCCESS")
    assert lines[1].endswith("event       x<U+009B>z FAILED  error=<U+202E>")
