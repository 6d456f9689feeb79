from __future__ import annotations

from tests.ui.helpers import FakeClient, make_job, settings, wait_for
from tui.app.app import FinetopApp
from tui.app.widgets.job_table import JobTable


async def test_rows_appear() -> None:
    client = FakeClient([make_job(f"job-{i:04d}", created_at=1_750_000_000 + i) for i in range(20)])
    app = FinetopApp(settings(), client=client)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one(JobTable)
        await wait_for(lambda: table.row_count == 20, pilot)
        assert table.job_ids[0] == "job-0019"
