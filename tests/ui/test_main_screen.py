"""The main screen's cursor and list: the detail follows the cursor; arrivals above are counted."""

from __future__ import annotations

from textual.widgets import Static

from tests.ui.helpers import make_job, wait_for
from tests.ui.test_app import T0, launch, table_of
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


async def test_a_badge_counts_jobs_arriving_above_a_scrolled_list_and_g_shows_them() -> None:
    jobs = [make_job(f"old-{i:02d}", status="SUCCESS", created_at=T0 - i) for i in range(80)]
    async with launch(jobs, size=(120, 24), keymap={"top": "t"}) as (app, pilot, client, _):
        screen = app.main_screen
        table = table_of(app)
        badge = screen.query_one("#jobs-new-badge", Static)
        await pilot.press(*["j"] * 40)
        await wait_for(lambda: table.scroll_y > 0, pilot)
        seen = table.visible_job_ids()
        assert not badge.display

        for i in range(3):
            client.jobs[f"new-{i}"] = make_job(f"new-{i}", created_at=T0 + 100 + i)
        app.poller.refresh_now()  # type: ignore[union-attr]
        await wait_for(lambda: badge.display, pilot)
        assert str(badge.render()) == "▲ 3 new above · t to see them"  # the remapped key
        assert table.visible_job_ids() == seen  # no row moved, none hidden
        assert table.highlighted_job_id == "old-40"
        # Over the table's header, at its right end, on top.
        await wait_for(lambda: badge.region.right >= table.region.right - 2, pilot)
        assert badge.region.y == table.region.y
        assert screen.get_widget_at(badge.region.x + 1, badge.region.y)[0] is badge

        await pilot.press("t")
        await wait_for(lambda: not badge.display, pilot)
        assert table.visible_job_ids()[:3] == ["new-2", "new-1", "new-0"]
