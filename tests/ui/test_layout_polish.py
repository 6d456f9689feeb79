"""What the app shows on opening and at every terminal size: the first job's detail is asked
for, the job table fits its space, the footer and the status line fit the width."""

from __future__ import annotations

from typing import Any

from tests.ui.helpers import FakeClient, make_job, settings, wait_for
from tui.app.app import FinetopApp
from tui.app.widgets.detail_pane import DetailPane
from tui.app.widgets.job_table import JobTable

T0 = 1_750_000_000


def _finished_first() -> list[Any]:
    # The newest job (the first row) has finished: only selecting it fetches its detail.
    return [
        make_job(
            "done-new",
            status="SUCCESS",
            created_at=T0 + 50,
            suffix="newest",
            checkpoints=[(50, 1.1, 1.2), (100, 0.9, 1.0)],
        ),
        make_job("run-old", status="RUNNING", created_at=T0, suffix="older"),
    ]


async def test_the_first_row_is_selected_and_its_detail_fetched_on_opening() -> None:
    client = FakeClient(_finished_first())
    app = FinetopApp(settings(), client=client)  # type: ignore[arg-type]
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.main_screen.query_one(JobTable)
        await wait_for(lambda: table.row_count == 2, pilot)
        assert table.highlighted_job_id == "done-new"
        await wait_for(lambda: ("get", "done-new") in client.calls, pilot)
        assert app.poller is not None
        assert app.poller.selected == "done-new"
        pane = app.main_screen.query_one(DetailPane)

        def detail_shown() -> bool:
            view = app.store.get("done-new")
            return view is not None and view.has_detail and pane.job is view.job

        await wait_for(detail_shown, pilot)
        assert "being fetched" not in pane.plain_text()
