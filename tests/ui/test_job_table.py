"""The job table on its own: cells, diffing by key, cursor kept across reorders."""

from __future__ import annotations

from typing import Any

import attrs
from textual.app import App, ComposeResult

from tests.ui.helpers import make_job
from tui.app.widgets.job_rows import COLUMNS, fit_columns, row_cells, status_cell
from tui.app.widgets.job_table import JobTable
from tui.monitor.store import JobStore

NOW = 1_750_000_000 + 3600


def test_status_is_glyph_and_word() -> None:
    assert str(status_cell("RUNNING")) == "▶ RUNNING"
    assert str(status_cell("SUCCESS")) == "✔ SUCCESS"
    assert str(status_cell("FAILED")) == "✘ FAILED"
    assert str(status_cell("QUEUED")) == "◌ QUEUED"
    assert str(status_cell("CANCELLATION_REQUESTED")) == "◼ CANCELLING"
    assert str(status_cell("SOMETHING_NEW")) == "? SOMETHING_NEW"


def _views(*jobs: Any) -> list[Any]:
    store = JobStore()
    for job in jobs:
        store.apply(job)
    return store.query()


def test_row_cells_show_progress_bar_and_losses() -> None:
    job = make_job("a", suffix="my-[run]", checkpoints=[(40, 0.8, 0.9)])
    (view,) = _views(job)
    cells = dict(zip([key for key, _, _ in COLUMNS], row_cells(view, NOW), strict=True))
    assert str(cells["progress"]) == "   40/100 ███·····"
    assert str(cells["name"]) == "my-[run]"  # never read as markup
    assert str(cells["train"]) == "0.8"
    assert str(cells["valid"]) == "0.9"
    assert str(cells["id"]) == "a"


def test_progress_bar_keeps_its_width_and_eta_has_no_prefix() -> None:
    big = make_job("b", steps=1000, checkpoints=[(1000, 0.8, 0.9)], status="RUNNING")
    small = make_job("s", steps=69, checkpoints=[(5, 0.8, 0.9)], status="RUNNING")
    huge = make_job("h", steps=100_000, checkpoints=[(50_000, 0.8, 0.9)], status="RUNNING")
    progress = {}
    for view in _views(big, small, huge):
        cells = dict(zip([key for key, _, _ in COLUMNS], row_cells(view, NOW), strict=True))
        progress[view.job.id] = str(cells["progress"])
        assert not str(cells["eta"]).startswith("ETA")
    assert progress["b"] == "1000/1000 ████████"
    assert progress["s"] == "     5/69 █·······"
    assert progress["h"] == "      50% ████····"
    assert {len(text) for text in progress.values()} == {18}


def test_columns_fit_the_width() -> None:
    for width in range(60, 260):
        layout = fit_columns(width)
        used = sum(column_width + 2 for _, column_width in layout)
        keys = [key for key, _ in layout]
        assert keys[:4] == ["status", "id", "name", "progress"]
        assert used <= width - 1 or keys == ["status", "id", "name", "progress"]
    assert [key for key, _ in fit_columns(200)] == [key for key, _, _ in COLUMNS]
    assert "type" not in dict(fit_columns(101))
    assert "train" in dict(fit_columns(101))


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield JobTable(id="jobs")


async def _five_synced(table: JobTable, pilot: Any) -> list[Any]:
    """Jobs j0..j4 (j4 the newest) shown in the table; the list, to change and sync again."""
    jobs = [make_job(f"j{i}", created_at=1_750_000_000 + i) for i in range(5)]
    table.sync(_views(*jobs), NOW)
    await pilot.pause()
    return jobs


async def test_sync_diffs_by_key_and_keeps_the_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(JobTable)
        jobs = await _five_synced(table, pilot)
        assert table.job_ids == ["j4", "j3", "j2", "j1", "j0"]
        table.move_cursor(row=2)
        assert table.highlighted_job_id == "j2"

        def no_clear(*_: Any, **__: Any) -> None:
            raise AssertionError("a poll must never clear the table")

        table.clear = no_clear  # type: ignore[method-assign]
        updated: list[tuple[str, str]] = []
        original = table._set_cell

        def spy(data: Any, column: Any, value: Any) -> None:
            row = next(key for key, row_data in table._data.items() if row_data is data)
            updated.append((str(row.value), str(column.value)))
            original(data, column, value)

        table._set_cell = spy  # type: ignore[method-assign]
        # One job changes status, a new job arrives on top: only changed cells are written.
        jobs[1] = attrs.evolve(jobs[1], status="SUCCESS")
        jobs.append(make_job("j9", created_at=1_750_000_100))
        table.sync(_views(*jobs), NOW, changed={"j1", "j9"})
        await pilot.pause()
        assert table.job_ids == ["j9", "j4", "j3", "j2", "j1", "j0"]
        assert table.highlighted_job_id == "j2"
        assert ("j1", "status") in updated
        assert all(row == "j1" for row, _ in updated)
        # Reversed order: the cursor follows the job.
        table.sync(_views(*jobs)[::-1], NOW)
        await pilot.pause()
        assert table.highlighted_job_id == "j2"
        assert table.job_ids[0] == "j0"


async def test_a_changed_cell_repaints_its_row_only() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(JobTable)
        jobs = await _five_synced(table, pilot)
        refreshed: list[tuple[Any, ...]] = []
        original = table.refresh

        def spy(*regions: Any, **kw: Any) -> Any:
            refreshed.append(regions)
            return original(*regions, **kw)

        table.refresh = spy  # type: ignore[method-assign]
        jobs[1] = attrs.evolve(jobs[1], status="SUCCESS")
        table.sync(_views(*jobs), NOW, changed={"j1"})
        await pilot.pause()
        # One region, one line: the row of j1 (the fourth row, under the header).
        assert refreshed
        assert all(len(regions) == 1 for regions in refreshed)
        assert {(region.y, region.height) for (region,) in refreshed} == {(4, 1)}
        index = table.job_ids.index("j1")
        assert str(table.get_cell_at((index, 0))) == "✔ SUCCESS"
        # The row's old render is not reused.
        assert "SUCCESS" in table.render_line(index + 1).text


async def test_many_rows_come_back_in_one_pass_with_the_cursor_on_its_job() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(JobTable)
        views = _views(*[make_job(f"j{i:04}", created_at=1_750_000_000 + i) for i in range(800)])

        def one_by_one(*_: Any, **__: Any) -> None:
            raise AssertionError("rows are added in bulk")

        table.add_row = one_by_one  # type: ignore[method-assign]
        table.sync(views, NOW)
        await pilot.pause()
        assert table.row_count == 800
        assert table.cursor_row == 0
        assert table.highlighted_job_id == "j0799"
        kept = [view for view in views if view.job.id.endswith("7")]
        table.sync(kept, NOW)  # a filter: most rows leave
        await pilot.pause()
        table.move_cursor(row=5)
        job_id = table.highlighted_job_id
        table.sync(views, NOW)  # the filter cleared: they all come back, in order
        await pilot.pause()
        assert table.row_count == 800
        assert table.job_ids == [view.job.id for view in views]
        assert table.highlighted_job_id == job_id
        index = table.job_ids.index("j0123")
        assert str(table.get_cell_at((index, 1))) == "j0123"


def _numbered(store: JobStore, first: int, last: int) -> None:
    for i in range(first, last):
        store.apply(make_job(f"j{i:03d}", created_at=1_750_000_000 + i))


async def _add_and_sync(
    table: JobTable, store: JobStore, pilot: Any, first: int, last: int
) -> None:
    """Jobs ``j<first>`` .. ``j<last - 1>`` (newest last) into the store, then into the table."""
    _numbered(store, first, last)
    table.sync(store.query(), NOW)
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
        table.move_cursor(row=50)
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

        await pilot.press("g")  # to the top: they are seen
        assert table.scroll_y == 0
        assert table.new_above == 0
        assert counts[-1] == 0


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
        table.sync(store.query(), NOW)
        await pilot.pause()
        assert table.new_above == 6
