"""The job list: a Line API widget that owns its rendering, rows keyed by job id.

:meth:`JobTable.sync` takes the jobs to show, in order (:class:`~tui.monitor.ordering.JobRows`
from the store). The list keeps them as two lists -- no per-row widget state -- and draws only
the lines on screen (:meth:`render_line`), from cells cached per job
(:class:`~tui.app.widgets.job_lines.RowPainter`). After a sync it repaints only what changed in
view: a line that shows another job or gained or lost the cursor, else only the cells that draw
differently -- a poll that brings one job a checkpoint repaints that row's progress, losses and
ETA, nothing else.

The cursor belongs to a job: it stays on it across polls, filters and re-sorts, and a new job
never takes it. Once the list is scrolled down, rows arriving above leave the view where it is;
the header counts them (``▲ 3 new above``) until they are scrolled to. The header also shows
the sort, on its column's label or, when that column is not shown, in its spare cells.

``space`` marks jobs (a glyph in the gutter); :attr:`JobTable.marked_ids` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar, TypeAlias

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.actions import Scope, bindings_for
from tui.app.widgets.job_columns import COLUMN_BY_KEY, Layout, fit_columns
from tui.app.widgets.job_header import (
    PlacedNote,
    header_line,
    list_notes,
    sort_note_room,
)
from tui.app.widgets.job_lines import ColumnMeasures, RowPainter
from tui.app.widgets.job_messages import Highlighted, MarksChanged, NewAbove, Selected, SortClicked
from tui.app.widgets.job_rows import TIME_COLUMNS, CellStyles, time_cells
from tui.app.widgets.job_table_css import JOB_TABLE_CSS
from tui.monitor.ordering import JobRows
from tui.monitor.store import JobView

__all__ = ["JobTable"]


class JobTable(ScrollView, can_focus=True, inherit_bindings=False):
    """The job list (see the module docstring)."""

    DEFAULT_CSS = JOB_TABLE_CSS
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "job-table--header",
        "job-table--cursor",
        "job-table--badge",
        "job-table--sort-note",
        "job-table--mark",
        "job-table--empty",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings_for(Scope.TABLE, read_only=False),
        # The screen's "open detail" key, shown in the footer while the list has the focus,
        # under the screen's binding id (so a keymap moves both).
        Binding("enter", "select_cursor", "Detail", show=True, id="open_detail"),
    ]

    Highlighted: TypeAlias = Highlighted
    Selected: TypeAlias = Selected
    NewAbove: TypeAlias = NewAbove
    MarksChanged: TypeAlias = MarksChanged
    SortClicked: TypeAlias = SortClicked

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._ids: list[str] = []
        """Job ids in display order."""
        self._views: list[JobView] = []
        """The view each row draws, index for index with ``_ids``."""
        self._cursor = 0
        """The cursor's row."""
        self._now = 0.0
        """Wall time the time cells are drawn for."""
        self._painter = RowPainter()
        self._measures = ColumnMeasures()
        self._layout = Layout()
        """The columns shown (see :func:`fit_columns`)."""
        self._sorted_by: tuple[str | None, bool] = (None, False)
        """The sorted column's key and direction (``True``: descending)."""
        self._marked: set[str] = set()
        """Jobs marked with ``space``."""
        self._unseen_above: set[str] = set()
        """Jobs that arrived above the view while it was scrolled down, not yet scrolled to."""
        self._notes: list[PlacedNote] = []
        """The notes on the header line, as last drawn."""
        self.badge_key = "g"
        """The key the badge names to see new jobs (the screen sets it from the keymap)."""
        self._empty_text = ""
        """What the list says while it shows no job (why: connecting, a refused key...)."""

    @property
    def empty_text(self) -> str:
        """What the list says while it shows no job; plain, safe text (the screen sets it)."""
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            if not self._ids:
                self.refresh(Region(0, 1, self.size.width, 1))

    # ------------------------------------------------------------------ reading

    @property
    def row_count(self) -> int:
        """How many jobs the list shows."""
        return len(self._ids)

    @property
    def job_ids(self) -> list[str]:
        """Job ids in display order."""
        return list(self._ids)

    @property
    def cursor_row(self) -> int:
        """The cursor's row (0 when the list is empty)."""
        return self._cursor

    @property
    def highlighted_job_id(self) -> str | None:
        """The id of the job under the cursor, if any."""
        return self._ids[self._cursor] if self._ids else None

    @property
    def shown_columns(self) -> list[str]:
        """Keys of the columns shown, in display order."""
        return self._layout.keys

    @property
    def column_layout(self) -> Layout:
        """The columns shown and their widths."""
        return self._layout

    @property
    def marked_ids(self) -> frozenset[str]:
        """Jobs marked with ``space`` (shown or filtered out)."""
        return frozenset(self._marked)

    @property
    def new_above(self) -> int:
        """How many jobs arrived above the view since it was last scrolled to them."""
        return len(self._unseen_above)

    @property
    def parked_count(self) -> int:
        """Jobs a filter hides whose measures are kept (jobs gone from the workspace are not)."""
        return len(self._measures.ids() - set(self._ids))

    @property
    def header_text(self) -> str:
        """The header line as last drawn, without styles."""
        line, _ = self._header()
        return line.plain

    @property
    def header_notes(self) -> list[PlacedNote]:
        """The notes on the header line (the sort, the new-jobs badge), where they went."""
        _, notes = self._header()
        return notes

    @property
    def page_height(self) -> int:
        """Rows in view (the header excluded)."""
        return max(1, self.scrollable_content_region.height - 1)

    def visible_job_ids(self) -> list[str]:
        """Ids of the rows currently scrolled into view."""
        top = self.scroll_offset.y
        return self._ids[top : top + self.page_height]

    def get_cell(self, job_id: str, column: str) -> Text:
        """The cell a job's row shows in ``column`` (``KeyError`` if it is not listed)."""
        try:
            view = self._views[self._ids.index(job_id)]
        except ValueError:
            raise KeyError(job_id) from None
        if column == "model" and self._layout.short_model:
            column = "model_short"
        return self._painter.cells(view, self._now)[column]

    # ------------------------------------------------------------------ writing

    def sync(
        self,
        rows: JobRows | Sequence[JobView],
        now: float,
        changed: Iterable[str] | None = None,
    ) -> None:
        """Show ``rows`` in this order; redraw the rows of ``changed`` ids (``None``: all)."""
        if not isinstance(rows, JobRows):
            rows = JobRows.of(rows)
        self._now = now
        old_ids, old_views, old_cursor = self._ids, self._views, self._cursor
        old_top = self.scroll_offset.y
        anchor = self._anchor()
        highlighted = self.highlighted_job_id
        same_order = rows.ids == old_ids
        arrived = set() if same_order else set(rows.ids) - set(old_ids)
        # New to the list, not back from behind a filter: only those count as new above.
        fresh = self._measures.unmeasured(arrived)
        changed_set = None if changed is None else set(changed)
        self._ids, self._views = rows.ids, rows.views
        # Measure new and changed jobs; fit the columns again if their widths moved.
        relaid = self._measures.measure_rows(rows, changed_set, arrived) and self._relayout()
        self._cursor = self._locate(highlighted, old_cursor, same_order)
        self._update_virtual_size()
        if anchor is not None:
            self._keep_in_view(anchor)
        else:
            self._scroll_to_cursor()
        if relaid or self.scroll_offset.y != old_top:
            self.refresh()
        else:
            self._repaint_changed(old_ids, old_views, old_cursor, changed_set)
        self._note_unseen(fresh)
        self._cursor_moved(highlighted)

    def refresh_times(self, views: Iterable[JobView], now: float) -> None:
        """Redraw the time-dependent cells (age, progress, ETA) of ``views`` only."""
        self._now = now
        top = self.scroll_offset.y
        positions = {job_id: index for index, job_id in self._visible_indexes()}
        for view in views:
            index = positions.get(view.job.id)
            if index is None:
                continue
            times = time_cells(view, now, self._painter.styles.muted)
            cells = dict(zip(TIME_COLUMNS, times, strict=True))
            moved = self._painter.replace_cells(self._views[index], cells)
            if moved:
                self._refresh_cells(index - top + 1, moved)

    def forget(self, job_ids: Iterable[str]) -> None:
        """Drop what is kept for jobs that no longer exist (their rows go with ``sync``)."""
        gone = set(job_ids)
        for job_id in gone:
            self._measures.forget(job_id)
        self._painter.discard(gone)
        if self._marked & gone:
            self._marked -= gone
            self.post_message(self.MarksChanged(self, self.marked_ids))
        self._unseen_above -= gone

    def set_sort_marker(self, column: str | None, descending: bool) -> None:
        """Show the sort: an arrow on the column's label, or a note when it is not shown."""
        self._sorted_by = (column, descending)
        if not self._relayout():
            self._refresh_header()

    # ------------------------------------------------------------------ keys and mouse

    def action_cursor_down(self) -> None:
        """Next job."""
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        """Previous job."""
        self.move_cursor(self._cursor - 1)

    def action_page_down(self) -> None:
        """One page down."""
        self.move_cursor(self._cursor + self.page_height)

    def action_page_up(self) -> None:
        """One page up."""
        self.move_cursor(self._cursor - self.page_height)

    def action_scroll_top(self) -> None:
        """First job (and the view back at the top)."""
        self.move_cursor(0)
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_scroll_bottom(self) -> None:
        """Last job."""
        self.move_cursor(len(self._ids) - 1)

    def action_select_cursor(self) -> None:
        """Choose the job under the cursor."""
        job_id = self.highlighted_job_id
        if job_id is not None:
            self.post_message(self.Selected(self, job_id))

    def action_toggle_mark(self) -> None:
        """Mark or unmark the job under the cursor."""
        job_id = self.highlighted_job_id
        if job_id is None:
            return
        self._marked ^= {job_id}
        self._refresh_row(self._cursor)
        self.post_message(self.MarksChanged(self, self.marked_ids))

    def move_cursor(self, row: int, *, scroll: bool = True) -> None:
        """Put the cursor on ``row`` (clamped to the list)."""
        if not self._ids:
            return
        highlighted = self.highlighted_job_id
        old = self._cursor
        self._cursor = max(0, min(len(self._ids) - 1, row))
        if scroll:
            self._scroll_to_cursor()
        if self._cursor != old:
            self._refresh_row(old)
            self._refresh_row(self._cursor)
        self._cursor_moved(highlighted)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            self._header_clicked(offset.x)
            return
        row = self.scroll_offset.y + offset.y - 1
        if row >= len(self._ids):
            return
        if row == self._cursor:
            self.action_select_cursor()
        else:
            self.move_cursor(row)

    def _header_clicked(self, x: int) -> None:
        for placed in self._notes:
            if placed.x <= x < placed.end and placed.note.kind == "badge":
                self.action_scroll_top()
                return
        key = self._layout.column_at(x)
        if key is not None:
            self.post_message(self.SortClicked(self, key))

    def on_focus(self) -> None:
        self._refresh_row(self._cursor)

    def on_blur(self) -> None:
        self._refresh_row(self._cursor)

    # ------------------------------------------------------------------ drawing

    def on_mount(self) -> None:
        self._painter.styles = self._theme_styles()
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._relayout()

    def on_resize(self) -> None:
        self._relayout()
        self._update_virtual_size()

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _theme_styles(self) -> CellStyles:
        app = self.app
        ansi = app.current_theme.name.startswith("textual-ansi") or bool(app.ansi_color)
        return CellStyles.from_theme(app.theme_variables, ansi=ansi)

    def _theme_changed(self, _theme: object) -> None:
        styles = self._theme_styles()
        if styles != self._painter.styles:
            self._painter.styles = styles
            self._painter.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        base = self.rich_style
        if y == 0:
            line, _ = self._header()
            return self._text_strip(
                line, width, base + self.get_component_rich_style("job-table--header")
            )
        index = self.scroll_offset.y + y - 1
        if not self._ids and index == 0 and self._empty_text:
            text = Text(f" {self._empty_text}", no_wrap=True, overflow="ellipsis")
            return self._text_strip(
                text, width, base + self.get_component_rich_style("job-table--empty")
            )
        if index >= len(self._ids):
            return Strip.blank(width, base)
        cursor = (
            self.get_component_rich_style("job-table--cursor") if index == self._cursor else None
        )
        mark = (
            self.get_component_rich_style("job-table--mark")
            if self._ids[index] in self._marked
            else None
        )
        return self._painter.strip(
            self._views[index],
            self._now,
            self._layout,
            width,
            base,
            cursor,
            mark,
            self.app.console,
        )

    def _text_strip(self, text: Text, width: int, style: Style) -> Strip:
        """``text`` as a line ``width`` cells wide over ``style``. The style goes under the
        segments: Rich drops a Text's own style when the text has no spans."""
        text.truncate(width, overflow="ellipsis", pad=True)
        strip = Strip(list(text.render(self.app.console)))
        return strip.adjust_cell_length(width).apply_style(style)

    def _header(self) -> tuple[Text, list[PlacedNote]]:
        notes = list_notes(
            self._layout,
            self._sorted_by,
            len(self._unseen_above),
            self.badge_key,
            sort_style=self.get_component_rich_style("job-table--sort-note"),
            badge_style=self.get_component_rich_style("job-table--badge"),
        )
        style = self.get_component_rich_style("job-table--header")
        line, self._notes = header_line(
            self._layout, self._content_width(), self._sorted_by, notes, style
        )
        return line, self._notes

    def _refresh_header(self) -> None:
        self.refresh(Region(0, 0, self.size.width, 1))

    def _refresh_row(self, index: int) -> None:
        """Repaint one row's line, if it is in view."""
        y = index - self.scroll_offset.y + 1
        if 1 <= y <= self.page_height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _visible_indexes(self) -> list[tuple[int, str]]:
        top = self.scroll_offset.y
        return [
            (index, job_id)
            for index, job_id in enumerate(self._ids[top : top + self.page_height], start=top)
        ]

    def _repaint_changed(
        self,
        old_ids: list[str],
        old_views: list[JobView],
        old_cursor: int,
        changed: set[str] | None,
    ) -> None:
        """Repaint what changed in view (the order did not shift the view: a full repaint
        was asked for otherwise): whole lines for another job or the cursor, and only the
        cells that draw differently within a line (a new checkpoint: progress, losses, ETA)."""
        top = self.scroll_offset.y
        ids, views = self._ids, self._views
        for line in range(1, self.page_height + 1):
            index = top + line - 1
            if index >= len(ids):
                if index < len(old_ids):
                    self._refresh_cells(line, None)  # a row that left the bottom
                continue
            job_id, view = ids[index], views[index]
            if (
                index >= len(old_ids)
                or old_ids[index] != job_id  # another job on this line
                or (index == old_cursor) != (index == self._cursor)  # the cursor came or went
            ):
                self._refresh_cells(line, None)
            elif changed is None or job_id in changed or old_views[index] is not view:
                moved = self._painter.update(view, self._now)
                if moved is None or moved:
                    self._refresh_cells(line, moved)

    def _refresh_cells(self, line: int, keys: set[str] | None) -> None:
        """Repaint the cells ``keys`` of a line in view (``None``: the whole line)."""
        width = self.size.width
        if keys is None:
            self.refresh(Region(0, line, width, 1))
            return
        span = self._layout.span_of(keys)
        if span is not None:
            start, end = span
            self.refresh(Region(start, line, min(end, width) - start, 1))

    # ------------------------------------------------------------------ columns

    def _relayout(self) -> bool:
        """Fit the columns to the width and the widest values; whether the layout changed."""
        width = self._content_width()
        if width <= 0:
            return False
        widest = self._measures.widest()
        layout = fit_columns(width, widest)
        column, _ = self._sorted_by
        if column is not None and column not in layout.keys:
            # The sort is told at the right end of the header: room for it, from the names.
            reserve = sort_note_room(COLUMN_BY_KEY[column].label)
            layout = fit_columns(width, widest, reserve)
        if layout == self._layout:
            return False
        self._layout = layout
        self.refresh()
        return True

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self._content_width(), len(self._ids) + 1)

    # ------------------------------------------------------------------ cursor and view

    def _locate(self, job_id: str | None, old: int, same_order: bool) -> int:
        """The cursor's row after a sync: its job's row, else the same row (clamped)."""
        if not self._ids:
            return 0
        if job_id is not None:
            if same_order:
                return old
            try:
                return self._ids.index(job_id)
            except ValueError:
                pass
        return max(0, min(len(self._ids) - 1, old))

    def _cursor_moved(self, before: str | None) -> None:
        """Tell the screen when the cursor is on another job."""
        now = self.highlighted_job_id
        if now != before:
            self.post_message(self.Highlighted(self, now))

    def _scroll_to_cursor(self) -> None:
        top, page = self.scroll_offset.y, self.page_height
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True, force=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, immediate=True, force=True)

    def _anchor(self) -> tuple[str, int] | None:
        """The row the eye is on and its line in the view, once scrolled down (at the top,
        rows arriving above are what the user wants to see): the cursor's row when in view,
        else the top row."""
        top = self.scroll_offset.y
        if top <= 0 or not self._ids:
            return None
        row = self._cursor if top <= self._cursor < top + self.page_height else top
        if row >= len(self._ids):
            return None
        return self._ids[row], row - top

    def _keep_in_view(self, anchor: tuple[str, int]) -> None:
        """Scroll so the anchored row stays on its line while rows come and go above it."""
        job_id, line = anchor
        try:
            index = self._ids.index(job_id)
        except ValueError:
            return
        target = index - line
        if target != self.scroll_offset.y:
            self.scroll_to(y=target, animate=False, immediate=True, force=True)

    def _note_unseen(self, fresh: set[str]) -> None:
        before = len(self._unseen_above)
        top = self.scroll_offset.y
        if top and fresh:
            self._unseen_above |= fresh.intersection(self._ids[:top])
        self._prune_unseen(before)

    def _prune_unseen(self, before: int | None = None) -> None:
        """Forget arrivals that scrolled into view (or left); tell the screen the new count."""
        before = len(self._unseen_above) if before is None else before
        if self._unseen_above:
            self._unseen_above.intersection_update(self._ids[: self.scroll_offset.y])
        if len(self._unseen_above) != before:
            self._refresh_header()
            self.post_message(self.NewAbove(len(self._unseen_above)))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._prune_unseen()
