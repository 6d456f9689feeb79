"""The job list on its own: cells, diffing by key, cursor kept across reorders, only changed
lines repainted, the mouse and the page keys, marks."""

from __future__ import annotations

from typing import Any

import attrs
from textual import events
from textual.app import App, ComposeResult
from textual.geometry import Region

from tests.ui.helpers import make_job
from tui.app.widgets.job_table import JobTable
from tui.monitor.store import JobStore

NOW = 1_750_000_000 + 3600


def _views(*jobs: Any) -> list[Any]:
    store = JobStore()
    for job in jobs:
        store.apply(job)
    return store.query()


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []

    def compose(self) -> ComposeResult:
        yield JobTable(id="jobs")

    def on_job_table_highlighted(self, message: JobTable.Highlighted) -> None:
        self.messages.append(message)

    def on_job_table_selected(self, message: JobTable.Selected) -> None:
        self.messages.append(message)

    def on_job_table_marks_changed(self, message: JobTable.MarksChanged) -> None:
        self.messages.append(message)


async def _five_synced(table: JobTable, pilot: Any) -> list[Any]:
    """Jobs j0..j4 (j4 the newest) shown in the table; the list, to change and sync again."""
    jobs = [make_job(f"j{i}", created_at=1_750_000_000 + i) for i in range(5)]
    table.sync(_views(*jobs), NOW)
    await pilot.pause()
    return jobs


def _spy_refreshes(table: JobTable) -> list[tuple[Region, ...]]:
    """Record the regions of every ``refresh`` call (``()``: the whole list)."""
    calls: list[tuple[Region, ...]] = []
    original = table.refresh

    def spy(*regions: Region, **kwargs: Any) -> Any:
        calls.append(regions)
        return original(*regions, **kwargs)

    table.refresh = spy  # type: ignore[method-assign]
    return calls


async def test_sync_keeps_the_cursor_on_its_job_through_arrivals_and_reorders() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(JobTable)
        jobs = await _five_synced(table, pilot)
        assert table.job_ids == ["j4", "j3", "j2", "j1", "j0"]
        table.move_cursor(2)
        assert table.highlighted_job_id == "j2"
        # One job changes status, a new job arrives on top: the cursor stays on its job.
        jobs[1] = attrs.evolve(jobs[1], status="SUCCESS")
        jobs.append(make_job("j9", created_at=1_750_000_100))
        table.sync(_views(*jobs), NOW, changed={"j1", "j9"})
        await pilot.pause()
        assert table.job_ids == ["j9", "j4", "j3", "j2", "j1", "j0"]
        assert table.highlighted_job_id == "j2"
        assert table.cursor_row == 3
        # Reversed order: the cursor follows the job.
        table.sync(_views(*jobs)[::-1], NOW)
        await pilot.pause()
        assert table.highlighted_job_id == "j2"
        assert table.job_ids[0] == "j0"
        # Its job filtered out: the cursor stays on the same row, on whichever job is there.
        table.sync([view for view in _views(*jobs) if view.id != "j2"], NOW)
        await pilot.pause()
        assert table.highlighted_job_id == table.job_ids[table.cursor_row]
        highlighted = [m.job_id for m in app.messages if isinstance(m, JobTable.Highlighted)]
        assert highlighted == ["j4", "j2", table.highlighted_job_id]


async def test_a_poll_that_changes_one_job_repaints_its_line_only() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(JobTable)
        jobs = await _five_synced(table, pilot)
        refreshed = _spy_refreshes(table)
        jobs[1] = attrs.evolve(jobs[1], status="SUCCESS")
        table.sync(_views(*jobs), NOW, changed={"j1"})
        await pilot.pause()
        # One region, one line: the row of j1 (the fourth row, under the header).
        assert refreshed
        assert all(len(regions) == 1 for regions in refreshed)
        assert {(region.y, region.height) for (region,) in refreshed} == {(4, 1)}
        assert str(table.get_cell("j1", "status")) == "✔ SUCCESS"
        assert "SUCCESS" in table.render_line(4).text
        # The same jobs again, every view a new object, nothing drawn differently: no repaint.
        refreshed.clear()
        table.sync(_views(*jobs), NOW, changed={"j0", "j1", "j2", "j3", "j4"})
        await pilot.pause()
        assert refreshed == []


async def test_a_new_checkpoint_repaints_only_the_cells_it_changes() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(JobTable)
        job = make_job("run", suffix="exp-1", checkpoints=[(10, 1.0, 1.2)])
        table.sync(_views(job), NOW)
        await pilot.pause()
        refreshed = _spy_refreshes(table)
        later = make_job("run", suffix="exp-1", checkpoints=[(10, 1.0, 1.2), (20, 0.8, 0.9)])
        table.sync(_views(later), NOW, changed={"run"})
        ((region,),) = refreshed
        layout = table.column_layout
        assert region.y == 1
        assert region.x == layout.x_of("progress")  # the status, id and name stay as sent
        assert "spark" in layout.keys  # the loss curve changes too...
        assert region.right <= (layout.x_of("age") or 0)  # ... but not the age or type
        assert "0.8" in table.render_line(1).text


async def test_the_clock_repaints_only_the_rows_whose_times_changed() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(JobTable)
        old = make_job("old", created_at=NOW - 10 * 86_400)
        new = make_job("new", created_at=NOW - 30)
        views = _views(old, new)
        table.sync(views, NOW)
        await pilot.pause()
        for y in range(1, 3):
            table.render_line(y)  # drawn once, as on screen
        refreshed = _spy_refreshes(table)
        table.refresh_times(views, NOW + 60)  # "30s ago" becomes "1m ago"; "10d ago" stays
        assert [(region.y, region.height) for (region,) in refreshed] == [(1, 1)]
        assert "1m ago" in table.render_line(1).text


async def test_many_rows_come_back_in_one_pass_with_the_cursor_on_its_job() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(JobTable)
        views = _views(*[make_job(f"j{i:04}", created_at=1_750_000_000 + i) for i in range(800)])
        table.sync(views, NOW)
        await pilot.pause()
        assert table.row_count == 800
        assert table.cursor_row == 0
        assert table.highlighted_job_id == "j0799"
        kept = [view for view in views if view.job.id.endswith("7")]
        table.sync(kept, NOW)  # a filter: most rows leave
        await pilot.pause()
        assert table.parked_count == 800 - len(kept)
        table.move_cursor(5)
        job_id = table.highlighted_job_id
        table.sync(views, NOW)  # the filter cleared: they all come back, in order
        await pilot.pause()
        assert table.row_count == 800
        assert table.job_ids == [view.job.id for view in views]
        assert table.highlighted_job_id == job_id
        assert table.parked_count == 0
        assert str(table.get_cell("j0123", "id")) == "j0123"


async def test_keys_and_the_mouse_move_the_cursor_and_the_view() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(JobTable)
        table.sync(
            _views(*[make_job(f"j{i:03}", created_at=1_750_000_000 - i) for i in range(100)]), NOW
        )
        await pilot.pause()
        page = table.page_height
        await pilot.press("pagedown")
        assert table.cursor_row == page
        await pilot.press("pageup")
        assert table.cursor_row == 0
        await pilot.press("G")
        assert table.highlighted_job_id == "j099"
        assert table.visible_job_ids()[-1] == "j099"
        await pilot.press("g")
        assert table.cursor_row == 0
        assert table.scroll_y == 0
        # A click moves the cursor to the row clicked (line 3 is the third row)...
        await pilot.click(table, offset=(10, 3))
        assert table.highlighted_job_id == "j002"
        assert not [m for m in app.messages if isinstance(m, JobTable.Selected)]
        # ... a click on the cursor's row chooses its job.
        await pilot.click(table, offset=(10, 3))
        assert [m.job_id for m in app.messages if isinstance(m, JobTable.Selected)] == ["j002"]
        # The wheel scrolls the view, not the cursor.
        wheel = events.MouseScrollDown(
            table, 10, 5, 0, 0, 0, False, False, False, screen_x=10, screen_y=5
        )
        table.post_message(wheel)
        await pilot.pause()
        assert table.scroll_y > 0
        assert table.highlighted_job_id == "j002"


async def test_space_marks_jobs_with_a_glyph_and_marks_outlive_a_filter() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(JobTable)
        views = _views(*[make_job(f"j{i}", created_at=1_750_000_000 - i) for i in range(5)])
        table.sync(views, NOW)
        await pilot.pause()
        await pilot.press("space", "j", "j", "space")
        assert table.marked_ids == {"j0", "j2"}
        assert table.render_line(1).text.startswith("●")
        assert not table.render_line(2).text.startswith("●")
        table.sync(views[1:], NOW)  # j0 filtered out: still marked
        await pilot.pause()
        assert table.marked_ids == {"j0", "j2"}
        await pilot.press("space")  # the cursor is on j2 (row 1 now)
        assert table.marked_ids == {"j0"}
        table.forget(["j0"])  # gone from the workspace
        await pilot.pause()
        assert table.marked_ids == frozenset()
        marks = [m.marked for m in app.messages if isinstance(m, JobTable.MarksChanged)]
        assert marks == [{"j0"}, {"j0", "j2"}, {"j0"}, frozenset()]


def _numbered(store: JobStore, first: int, last: int) -> None:
    for i in range(first, last):
        store.apply(make_job(f"j{i:03d}", created_at=1_750_000_000 + i))


async def _add_and_sync(
    table: JobTable, store: JobStore, pilot: Any, first: int, last: int
) -> None:
    """Jobs ``j<first>`` .. ``j<last - 1>`` (newest last) into the store, then into the table."""
    _numbered(store, first, last)
    table.sync(store.query_rows(), NOW)
    await pilot.pause()


async def test_rows_arriving_above_a_scrolled_view_leave_it_in_place_and_are_counted() -> None:
    counts: list[int] = []

    def record(message: object) -> None:
        if isinstance(message, JobTable.NewAbove):
            counts.append(message.count)

    app = TableApp()
    async with app.run_test(size=(120, 20), message_hook=record) as pilot:
        table, store = app.query_one(JobTable), JobStore()
        await _add_and_sync(table, store, pilot, 0, 100)
        table.move_cursor(50)
        await pilot.pause()
        table.scroll_to(y=45, animate=False, immediate=True)
        await pilot.pause()
        seen = table.visible_job_ids()
        cursor_line = table.cursor_row - table.scroll_y

        await _add_and_sync(table, store, pilot, 100, 105)  # newer: they sort above every row
        assert table.visible_job_ids() == seen
        assert table.highlighted_job_id == "j049"
        assert table.cursor_row - table.scroll_y == cursor_line
        assert table.new_above == 5
        assert counts[-1] == 5
        assert "▲ 5 new" in table.header_text

        await pilot.press("g")  # to the top: they are seen
        assert table.scroll_y == 0
        assert table.new_above == 0
        assert counts[-1] == 0
        assert "▲" not in table.header_text


async def test_rows_arriving_at_the_top_of_an_unscrolled_view_are_simply_shown() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table, store = app.query_one(JobTable), JobStore()
        await _add_and_sync(table, store, pilot, 0, 100)
        await _add_and_sync(table, store, pilot, 100, 103)
        assert table.scroll_y == 0
        assert table.visible_job_ids()[:3] == ["j102", "j101", "j100"]
        assert table.highlighted_job_id == "j099"  # the cursor stays on its job
        assert table.new_above == 0


async def test_unseen_arrivals_are_dropped_as_they_scroll_into_view_or_leave() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table, store = app.query_one(JobTable), JobStore()
        await _add_and_sync(table, store, pilot, 0, 100)
        # Scrolled away from the cursor (row 0), as a mouse wheel leaves it.
        table.scroll_to(y=40, animate=False, immediate=True)
        await pilot.pause()
        seen = table.visible_job_ids()
        await _add_and_sync(table, store, pilot, 100, 110)
        assert table.visible_job_ids() == seen  # not dragged back to the cursor's job
        assert table.highlighted_job_id == "j099"
        assert table.new_above == 10
        # Rows 0-9 are the new ones (newest first): from row 7 down, three are in view.
        table.scroll_to(y=7, animate=False, immediate=True)
        await pilot.pause()
        assert table.new_above == 7
        store.remove("j109")  # the newest, still above the view, goes away
        table.sync(store.query_rows(), NOW)
        await pilot.pause()
        assert table.new_above == 6
