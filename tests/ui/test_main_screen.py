"""The main screen's cursor and list: the detail follows the cursor; arrivals above are counted."""

from __future__ import annotations

from tests.ui.helpers import make_job, wait_for
from tests.ui.test_app import T0, launch, table_of
from tui.app.widgets.detail_pane import DetailPane
from tui.app.widgets.job_columns import COLUMN_BY_KEY
from tui.app.widgets.job_table import JobTable


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
        # No row passed on the way was drawn (a poll may redraw the one shown: same job).
        assert set(shown) == {"failed-d"}
        # Back to the job shown before the pane caught up: nothing left pending.
        await pilot.press("k", "j")
        await wait_for(lambda: not screen.detail_pending, pilot)
        assert set(shown) == {"failed-d"}


def _labels_intact(table: JobTable) -> bool:
    """Every shown column's label is on the header line, where its column starts."""
    header = table.header_text
    for key in table.shown_columns:
        x = table.column_layout.x_of(key)
        label = COLUMN_BY_KEY[key].label
        if x is None or not header[x:].startswith(label):
            return False
    return True


async def test_a_badge_counts_jobs_arriving_above_a_scrolled_list_and_g_shows_them() -> None:
    jobs = [make_job(f"old-{i:02d}", status="SUCCESS", created_at=T0 - i) for i in range(80)]
    async with launch(jobs, size=(200, 24), keymap={"top": "t"}) as (app, pilot, client, _):
        table = table_of(app)
        await pilot.press(*["j"] * 40)
        await wait_for(lambda: table.scroll_y > 0, pilot)
        seen = table.visible_job_ids()
        assert table.new_above == 0

        for i in range(3):
            client.jobs[f"new-{i}"] = make_job(f"new-{i}", created_at=T0 + 100 + i)
        app.poller.refresh_now()  # type: ignore[union-attr]
        await wait_for(lambda: table.new_above == 3, pilot)
        (badge,) = [note for note in table.header_notes if note.note.kind == "badge"]
        assert badge.text == "▲ 3 new above · t"  # the remapped key, in the room there is
        assert table.header_text[badge.x : badge.end] == badge.text
        assert _labels_intact(table)  # the badge covers no column's label
        assert table.visible_job_ids() == seen  # no row moved, none hidden
        assert table.highlighted_job_id == "old-40"

        await pilot.press("t")
        await wait_for(lambda: table.new_above == 0, pilot)
        assert table.visible_job_ids()[:3] == ["new-2", "new-1", "new-0"]
        assert not [note for note in table.header_notes if note.note.kind == "badge"]


async def test_a_click_on_the_badge_shows_the_new_jobs() -> None:
    jobs = [make_job(f"old-{i:02d}", status="SUCCESS", created_at=T0 - i) for i in range(80)]
    async with launch(jobs, size=(80, 24)) as (app, pilot, client, _):
        table = table_of(app)
        await pilot.press(*["j"] * 40)
        client.jobs["new-0"] = make_job("new-0", created_at=T0 + 100)
        app.poller.refresh_now()  # type: ignore[union-attr]
        await wait_for(lambda: table.new_above == 1, pilot)
        (badge,) = [note for note in table.header_notes if note.note.kind == "badge"]
        assert badge.text.startswith("▲ 1")
        assert _labels_intact(table)
        await pilot.click(table, offset=(badge.x, 0))
        await wait_for(lambda: table.scroll_y == 0 and table.new_above == 0, pilot)
        assert table.highlighted_job_id == "new-0"


async def test_a_click_on_a_column_label_sorts_by_it_and_again_reverses() -> None:
    async with launch(size=(120, 30)) as (app, pilot, _, _):
        table, screen = table_of(app), app.main_screen
        status_x = table.column_layout.x_of("status")
        assert status_x is not None
        await pilot.click(table, offset=(status_x, 0))
        await wait_for(lambda: screen.sort_spec.column == "status", pilot)
        assert screen.sort_spec.descending
        assert "Status ▼" in table.header_text
        await pilot.click(table, offset=(status_x, 0))
        await wait_for(lambda: not screen.sort_spec.descending, pilot)
        assert "Status ▲" in table.header_text
        id_x = table.column_layout.x_of("id")
        assert id_x is not None
        await pilot.click(table, offset=(id_x, 0))  # the id does not sort: nothing changes
        await pilot.pause()
        assert screen.sort_spec.column == "status"
