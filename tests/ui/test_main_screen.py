"""The main screen's cursor: the detail pane follows the row the cursor rests on."""

from __future__ import annotations

from tests.ui.helpers import wait_for
from tests.ui.test_app import launch, table_of
from tui.app.widgets.detail_pane import DetailPane


async def test_the_detail_shows_the_row_the_cursor_rests_on_not_each_row_passed() -> None:
    async with launch() as (app, pilot, _, _):
        screen = app.main_screen
        detail = screen.query_one(DetailPane)
        await wait_for(lambda: detail.job is not None and detail.job.id == "run-a", pilot)
        # A long rest time, so that a slow machine cannot take the keys for separate moves.
        screen.SHOW_DELAY = 0.5  # type: ignore[misc]
        shown: list[str | None] = []
        original = screen._show_job

        def spy(job_id: str | None) -> None:
            shown.append(job_id)
            original(job_id)

        screen._show_job = spy  # type: ignore[method-assign]
        await pilot.press("j", "j", "j")
        # The cursor moves at once; the detail follows once it rests.
        assert table_of(app).highlighted_job_id == "failed-d"
        assert detail.job is not None
        assert detail.job.id == "run-a"
        await wait_for(lambda: detail.job is not None and detail.job.id == "failed-d", pilot)
        assert shown == ["failed-d"]
        # Back to the job shown before the pane caught up: nothing left pending.
        await pilot.press("k", "j")
        await pilot.pause(0.6)
        assert shown == ["failed-d"]
