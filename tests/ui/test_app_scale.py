"""5,000 jobs: loading, moving, filtering and sorting stay correct (timings are printed, not
asserted; see tests/benchmarks for measurements)."""

from __future__ import annotations

import time

import pytest

from tests.ui.helpers import FakeClient, make_job, settings, settle, wait_for
from tui.app.app import FinetopApp
from tui.app.widgets.job_table import JobTable

pytestmark = pytest.mark.slow

N = 5000
T0 = 1_750_000_000
STATUSES = ["SUCCESS"] * 8 + ["FAILED", "CANCELLED"]


def _jobs() -> list:
    return [
        make_job(
            f"job-{i:05d}",
            status="RUNNING" if i % 250 == 0 else STATUSES[i % 10],
            created_at=T0 + i,
            suffix=f"s{i % 97}",
        )
        for i in range(N)
    ]


async def test_five_thousand_jobs_stay_responsive() -> None:
    client = FakeClient(_jobs())
    app = FinetopApp(settings(), client=client)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.main_screen.query_one(JobTable)
        await wait_for(lambda: table.row_count == N, pilot, within=60)
        timings["load"] = time.perf_counter() - start
        assert table.job_ids[0] == f"job-{N - 1:05d}"

        t = time.perf_counter()
        await pilot.press("G")
        assert table.highlighted_job_id == "job-00000"
        await pilot.press("k", "k")
        assert table.highlighted_job_id == "job-00002"
        timings["move"] = time.perf_counter() - t

        t = time.perf_counter()
        await pilot.press("slash", *"s42")
        expected = len([j for j in client.jobs.values() if "s42" in (j.suffix or "")])
        await wait_for(lambda: table.row_count == expected, pilot)
        await pilot.press("escape")
        await pilot.press("j")
        chosen = table.highlighted_job_id
        await pilot.press("slash", *"s42")
        await wait_for(lambda: table.row_count < N, pilot)
        await pilot.press("enter", "j", "j")
        chosen = table.highlighted_job_id
        await pilot.press("slash", "escape")
        await wait_for(lambda: table.row_count == N, pilot)
        timings["filter"] = time.perf_counter() - t
        # The job highlighted in the filtered view keeps the cursor when the filter goes.
        assert table.highlighted_job_id == chosen
        await pilot.press("G", "k", "k")

        t = time.perf_counter()
        await pilot.press("2")
        await wait_for(lambda: table.row_count == N // 250, pilot)
        await pilot.press("1")
        await wait_for(lambda: table.row_count == N, pilot)
        timings["group"] = time.perf_counter() - t

        await pilot.press("G", "k", "k")
        t = time.perf_counter()
        await pilot.press("S")
        await wait_for(lambda: table.job_ids[0] == "job-00000", pilot)
        assert table.highlighted_job_id == "job-00002"
        assert table.cursor_row == 2
        timings["sort"] = time.perf_counter() - t

        t = time.perf_counter()
        calls = len(client.calls)
        await pilot.press("r")
        await wait_for(lambda: len(client.calls) >= calls + N // 100, pilot)
        await settle(app, pilot)
        assert table.highlighted_job_id == "job-00002"
        timings["refresh"] = time.perf_counter() - t
    print(" ".join(f"{name}={seconds:.2f}s" for name, seconds in timings.items()))
