"""The detail pane stops saying "being fetched" once a detail arrives, even an uneventful one."""

from __future__ import annotations

from tests.ui.helpers import FakeClient, make_job, settings, wait_for
from tui.app.app import FinetopApp
from tui.app.widgets.detail_pane import DetailPane
from tui.app.widgets.job_table import JobTable

T0 = 1_750_000_000
FETCHING = "the detail is being fetched"


def shown(pane: DetailPane) -> str:
    """The pane's text with its wrapping undone (a long value wraps under its label)."""
    return " ".join(pane.plain_text().split())


async def test_pane_leaves_being_fetched_for_a_finished_job_whose_detail_has_nothing_new() -> None:
    # A finished job with no events and no checkpoints: its detail holds exactly what the list
    # item held, so nothing in it is a change of the job's fields or history.
    finished = make_job("done-a", status="SUCCESS", created_at=T0 + 10, suffix="quiet")
    assert not finished.events
    assert not finished.checkpoints
    client = FakeClient([finished, make_job("old-b", status="FAILED", created_at=T0)])
    app = FinetopApp(settings(), client=client)  # type: ignore[arg-type]
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.main_screen.query_one(JobTable)
        pane = app.main_screen.query_one(DetailPane)
        await wait_for(lambda: table.row_count == 2, pilot)
        assert table.highlighted_job_id == "done-a"
        await wait_for(lambda: pane.job is not None and pane.job.id == "done-a", pilot)

        # The highlighted job's detail is fetched once the cursor rests on it.
        await wait_for(lambda: ("get", "done-a") in client.calls, pilot)
        await wait_for(lambda: app.store.get("done-a").has_detail, pilot)
        await wait_for(lambda: FETCHING not in shown(pane), pilot)
        text = shown(pane)
        assert "data final (the job has finished), detail fetched" in text
        assert "they come with the job's detail" not in text
