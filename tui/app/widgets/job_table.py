"""The job list: a DataTable keyed by job id, diffed cell by cell, never cleared per poll.

:meth:`JobTable.sync` takes the jobs to show, in order, and makes the table match: it removes
rows that left, adds rows that arrived, rewrites only the cells whose text changed (column widths
are fixed, so no width pass) and reorders rows with one ``sort`` when the order moved. The
highlighted job keeps the cursor through all of it; a new job never steals it.

The table never scrolls sideways: the columns that fit its width are shown (the least useful
ones, type, age and model, go first) and the name column takes the room left over (see
:func:`~tui.app.widgets.job_rows.fit_columns`). Only a resize that changes that choice
rebuilds the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, DuplicateKey, Row, RowKey

from tui.app.actions import Scope, bindings_for
from tui.app.widgets.job_rows import (
    COLUMN_INDEX,
    COLUMNS,
    TIME_COLUMNS,
    CellStyles,
    fit_columns,
    row_cells,
    time_cells,
)
from tui.app.widgets.status_badge import group_styles_from_theme
from tui.monitor.store import JobView

__all__ = ["JobTable"]


class JobTable(DataTable[Text]):
    """The job list. Rows are keyed by job id; ``sync`` keeps them in step with the store."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings_for(Scope.TABLE, read_only=False),
        # DataTable's own enter binding (hidden) would hide the screen's from the footer: the
        # same key, shown, under the screen's binding id (so a keymap moves both).
        Binding("enter", "select_cursor", "Detail", show=True, id="open_detail"),
    ]

    class NewAbove(Message):
        """The number of jobs that arrived above the rows in view, not yet scrolled to."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    _holding_view = False
    """Set while ``sync`` moves the cursor to its job without scrolling to it (a class default:
    DataTable scrolls to its cursor during its own ``__init__``)."""

    REBUILD_THRESHOLD = 300
    """Removing more rows than this rebuilds the table (``remove_row`` is linear per call)."""
    DETACHED_LIMIT = 20_000
    """Most detached rows whose cells are kept for reuse."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._cells: dict[str, tuple[Text, ...]] = {}
        """The cells each row shows, to write only those that changed."""
        self._order: list[str] = []
        """Job ids in display order, as last synced."""
        self._views: dict[str, JobView] = {}
        """The view each row was drawn from."""
        self._detached: dict[str, tuple[JobView, tuple[Text, ...]]] = {}
        """Cells of rows a filter removed, reused when the same (unchanged) view comes back."""
        self._layout: tuple[tuple[str, int], ...] = ()
        """The columns shown and their widths (see :func:`fit_columns`)."""
        self._shown: list[int] = []
        """Indexes into :data:`COLUMNS` of the columns shown."""
        self._sort_marker: tuple[str | None, bool] = (None, False)
        self._styles = CellStyles()
        self._now = 0.0
        self._leaving: set[str] = set()
        """Rows of jobs that no longer exist, removed (not kept for reuse) at the next sync."""
        self._unseen_above: set[str] = set()
        """Jobs that arrived above the view while it was scrolled down, not yet scrolled to."""

    def on_mount(self) -> None:
        self._styles = self._theme_styles()
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._fit(self.size.width or self.app.size.width)

    def _theme_styles(self) -> CellStyles:
        theme = self.app.current_theme
        variables = self.app.theme_variables
        muted = variables.get("finetop-muted-style", "dim")
        if theme.name.startswith("textual-ansi") or self.app.ansi_color:
            return CellStyles(muted=muted)
        return CellStyles(groups=group_styles_from_theme(variables), muted=muted)

    def _theme_changed(self, _theme: object) -> None:
        styles = self._theme_styles()
        if styles == self._styles:
            return
        self._styles = styles
        with self.app.batch_update():
            for job_id in self._order:
                view = self._views.get(job_id)
                if view is not None:
                    self._write(job_id, self._cells[job_id], self._row_cells(view, self._now))
        self._detached.clear()

    def _row_cells(self, view: JobView, now: float) -> tuple[Text, ...]:
        return row_cells(view, now, self._styles)

    def on_resize(self) -> None:
        self._fit(self.region.width)

    @property
    def shown_columns(self) -> list[str]:
        """Keys of the columns shown, in display order."""
        return [key for key, _ in self._layout]

    def _fit(self, width: int) -> None:
        """Show the columns that fit ``width``; rebuild the rows when that choice changes."""
        if width <= 0:
            return
        layout = fit_columns(width)
        if layout == self._layout:
            return
        if [key for key, _ in layout] == self.shown_columns:
            # Only the name column's width moved (a resize drag): no rebuild of the rows.
            self._layout = layout
            for key, column_width in layout:
                self.columns[key].width = column_width  # type: ignore[index]
            self._require_update_dimensions = True
            self._clear_caches()
            self.refresh()
            return
        self._layout = layout
        self._shown = [COLUMN_INDEX[key] for key, _ in layout]
        keep = self.highlighted_job_id
        labels = {key: label for key, label, _ in COLUMNS}
        with self.app.batch_update():
            # DataTable.clear, whatever the instance's clear is: this is a layout change.
            DataTable.clear(self, columns=True)
            for key, column_width in layout:
                self.add_column(labels[key], key=key, width=column_width)
            self._append_rows(
                [(job_id, self._shown_cells(self._cells[job_id])) for job_id in self._order]
            )
            self.set_sort_marker(*self._sort_marker)
            self._restore_cursor(keep)

    def _shown_cells(self, cells: tuple[Text, ...]) -> list[Text]:
        return [cells[index] for index in self._shown]

    # ------------------------------------------------------------------ reading

    @property
    def highlighted_job_id(self) -> str | None:
        """The id of the job under the cursor, if any."""
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None

    @property
    def job_ids(self) -> list[str]:
        """Job ids in display order."""
        return list(self._order)

    def set_sort_marker(self, column: str | None, descending: bool) -> None:
        """Mark the sorted column's header with an arrow."""
        self._sort_marker = (column, descending)
        for key, label, _ in COLUMNS:
            if key not in self.columns:
                continue
            text = label
            if key == column:
                text = f"{label} {'▼' if descending else '▲'}"
            self.columns[key].label = Text(text)  # type: ignore[index]
        self.refresh()

    # ------------------------------------------------------------------ writing

    def sync(
        self, views: Sequence[JobView], now: float, changed: Iterable[str] | None = None
    ) -> None:
        """Show ``views`` in this order; rewrite the cells of ``changed`` ids (``None``: all)."""
        self._now = now
        keep = self.highlighted_job_id
        anchor = self._anchor()
        wanted = [view.job.id for view in views]
        wanted_set = set(wanted)
        changed_set = None if changed is None else set(changed)
        arrived: list[JobView] = []
        with self.app.batch_update():
            stale = [job_id for job_id in self._cells if job_id not in wanted_set]
            if len(stale) > self.REBUILD_THRESHOLD:
                self._rebuild(views, now)
            else:
                for job_id in stale:
                    self.remove_row(job_id)
                    self._park(job_id)
                for view in views:
                    job_id = view.job.id
                    old = self._cells.get(job_id)
                    if old is None:
                        arrived.append(view)
                    elif (
                        changed_set is None
                        or job_id in changed_set
                        or (self._views.get(job_id) is not view)
                    ):
                        self._views[job_id] = view
                        self._write(job_id, old, self._row_cells(view, now))
                self._add(arrived, now)
                if wanted != self._order:
                    rank = {job_id: index for index, job_id in enumerate(wanted)}
                    self.sort("id", key=lambda cell: rank[cell.job_id])
            self._order = wanted
            if anchor is None:
                self._restore_cursor(keep)
            else:
                self._keep_in_view(anchor)
                # The cursor follows its job without dragging the view along: scrolled away
                # from it (a mouse wheel), the user stays where they are.
                self._holding_view = True
                try:
                    self._restore_cursor(keep)
                finally:
                    self._holding_view = False
        self._note_unseen(view.job.id for view in arrived)

    def refresh_times(self, views: Iterable[JobView], now: float) -> None:
        """Rewrite the time-dependent cells (age, progress, ETA) of ``views`` only."""
        with self.app.batch_update():
            for view in views:
                old = self._cells.get(view.job.id)
                if old is None:
                    continue
                new = list(old)
                cells = time_cells(view, now, self._styles.muted)
                for key, cell in zip(TIME_COLUMNS, cells, strict=True):
                    new[COLUMN_INDEX[key]] = cell
                self._write(view.job.id, old, tuple(new))

    def forget(self, job_ids: Iterable[str]) -> None:
        """Drop what is kept for jobs that no longer exist (their rows went with ``sync``).

        A filtered-out row is kept for when the filter is cleared; a job gone from the
        workspace never comes back, and keeping its row would grow with every job that ever
        passed through a long-open window.
        """
        for job_id in job_ids:
            self._detached.pop(job_id, None)
            self._unseen_above.discard(job_id)
            if job_id in self._cells:
                self._leaving.add(job_id)  # its row goes at the next sync: not to be kept

    @property
    def parked_count(self) -> int:
        """Rows kept for reuse (jobs a filter hides)."""
        return len(self._detached)

    # ------------------------------------------------------------------ arrivals above

    @property
    def new_above(self) -> int:
        """How many jobs arrived above the view since it was last scrolled to them."""
        return len(self._unseen_above)

    def _anchor(self) -> tuple[str, float] | None:
        """The row the eye is on, and its distance from the top of the view.

        Only once scrolled down: at the top, rows arriving above are what the user wants to see.
        The cursor's row when it is in view, else the top row.
        """
        if self.scroll_y <= 0 or not self._order:
            return None
        top = int(self.scroll_y)
        bottom = top + max(1, self.scrollable_content_region.height - self.header_height)
        row = self.cursor_row if top <= self.cursor_row < bottom else top
        if row >= len(self._order):
            return None
        return self._order[row], row - self.scroll_y

    def _keep_in_view(self, anchor: tuple[str, float]) -> None:
        """Scroll so the anchored row stays on its line while rows come and go above it."""
        if self._require_update_dimensions:
            # The virtual height catches up on idle: scrolling now must not be clamped to the
            # old height (nor show a frame of shifted rows), and the cursor's own scroll must
            # not be deferred past the hold below.
            self._require_update_dimensions = False
            self._update_dimensions(())
        job_id, offset = anchor
        if RowKey(job_id) not in self._row_locations:
            return
        target = self.get_row_index(job_id) - offset
        if target != self.scroll_y:
            self.scroll_to(y=target, animate=False, immediate=True)

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        if not self._holding_view:
            super()._scroll_cursor_into_view(animate)

    def _above_view(self, job_id: str, top: int) -> bool:
        index = self._row_locations.get(RowKey(job_id))
        return index is not None and index < top

    def _note_unseen(self, arrived: Iterable[str]) -> None:
        top = int(self.scroll_y)
        before = len(self._unseen_above)
        if top:
            self._unseen_above.update(job_id for job_id in arrived if self._above_view(job_id, top))
        self._prune_unseen(before)

    def _prune_unseen(self, before: int | None = None) -> None:
        """Forget arrivals that scrolled into view (or left); tell the screen the new count."""
        before = len(self._unseen_above) if before is None else before
        if self._unseen_above:
            top = int(self.scroll_y)
            self._unseen_above = {
                job_id for job_id in self._unseen_above if self._above_view(job_id, top)
            }
        if len(self._unseen_above) != before:
            self.post_message(self.NewAbove(len(self._unseen_above)))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._prune_unseen()

    def visible_job_ids(self) -> list[str]:
        """Ids of the rows currently scrolled into view."""
        top = int(self.scroll_y)
        height = max(1, self.size.height)
        return self._order[top : top + height]

    def _write(self, job_id: str, old: tuple[Text, ...], new: tuple[Text, ...]) -> None:
        """Store the cells of ``new`` that differ from ``old`` and repaint that row only.

        ``update_cell`` would repaint the whole table (and send every visible line to the
        terminal) for one changed cell. Widths are fixed and rows one line high, so nothing
        but the row's own lines can change: write the data and repaint just that row, if it
        is on screen.
        """
        if old == new:
            return
        self._cells[job_id] = new
        row_key = RowKey(job_id)
        data = self._data.get(row_key)
        if data is None:
            return
        written = False
        for (key, _, _), before, after in zip(COLUMNS, old, new, strict=True):
            if before != after and key in self.columns:
                self._set_cell(data, ColumnKey(key), after)
                written = True
        if written:
            self._repaint_row(row_key)

    def _set_cell(self, data: dict[ColumnKey, Text], column_key: ColumnKey, value: Text) -> None:
        """Write one cell of a row's data (no repaint: see :meth:`_repaint_row`)."""
        data[column_key] = value

    def _repaint_row(self, row_key: RowKey) -> None:
        """Drop the renders that may hold the row's old cells and repaint its line if shown."""
        # The render caches are keyed by DataTable's update count; clearing them instead of
        # bumping it keeps the row offsets (a pass over every row) cached.
        self._row_render_cache.clear()
        self._cell_render_cache.clear()
        self._row_renderable_cache.clear()
        self._line_cache.clear()
        index = self._row_locations.get(row_key)
        if index is None:
            return
        # Every row is one line high, under the header.
        y = index + (self.header_height if self.show_header else 0)
        self._refresh_region(Region(0, y, max(self.size.width, self.virtual_size.width), 1))

    def _add(self, views: Iterable[JobView], now: float) -> None:
        """Append rows for ``views`` (at the bottom: ``sync`` sorts them into place)."""
        rows: list[tuple[str, list[Text]]] = []
        for view in views:
            job_id = view.job.id
            detached = self._detached.pop(job_id, None)
            # JobViews are immutable and replaced on every change: the same object, the same
            # cells.
            reuse = detached is not None and detached[0] is view
            cells = detached[1] if reuse and detached else self._row_cells(view, now)
            rows.append((job_id, self._shown_cells(cells)))
            self._cells[job_id] = cells
            self._views[job_id] = view
        self._append_rows(rows)

    def _append_rows(self, rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
        """``add_row`` for many rows at once: what it does per row, with the per-table parts
        (the ordered columns, the cursor check, the idle check) done once.

        Clearing a filter on a large workspace brings back thousands of rows; ``add_row``
        rebuilds the ordered column list and re-validates the cursor for each of them.
        """
        if not rows:
            return
        columns = [column.key for column in self.ordered_columns]
        was_empty = self.row_count == 0
        for job_id, cells in rows:
            row_key = RowKey(job_id)
            if row_key in self._row_locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            self._row_locations[row_key] = len(self.rows)
            self._data[row_key] = dict(zip(columns, cells, strict=True))
            self.rows[row_key] = Row(row_key, 1)
        # Every row has a fixed height of one line and fixed-width cells: the dimensions pass
        # needs no list of new rows to measure (see _update_dimensions).
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and self.columns and self.show_cursor and self.cursor_type != "none":
            # As add_row does: a cursor can now be shown where there was none.
            self._highlight_cursor()
        self._update_count += 1
        self.check_idle()

    def _park(self, job_id: str) -> None:
        """Take a row's cells out of the table, kept for reuse unless its job is gone."""
        cells = self._cells.pop(job_id)
        view = self._views.pop(job_id, None)
        if job_id in self._leaving:
            self._leaving.discard(job_id)
            return
        if view is not None:
            if len(self._detached) > self.DETACHED_LIMIT:
                self._detached.clear()  # bounded: a cache, not a history
            self._detached[job_id] = (view, cells)

    def _rebuild(self, views: Sequence[JobView], now: float) -> None:
        for job_id in list(self._cells):
            self._park(job_id)
        self.clear()
        self._add(views, now)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # Every column has a fixed width and every row a height of one line, so measuring each
        # new cell (ten per job, thousands of jobs after a filter is cleared) is wasted work:
        # only the virtual size needs updating.
        super()._update_dimensions(())

    def _restore_cursor(self, job_id: str | None) -> None:
        if job_id is None or RowKey(job_id) not in self.rows:
            return
        index = self.get_row_index(job_id)
        if index != self.cursor_row:
            self.move_cursor(row=index, animate=False)
