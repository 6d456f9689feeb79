"""The main screen: status line, job list, the selected job's chart and detail, filter bar, footer.

The screen receives the app's messages (:mod:`tui.app.messages`) and hands data from the store
to its widgets. It never talks HTTP: refresh, cancel and the rest are app actions.

Layout follows the terminal (:mod:`tui.app.screens.main_layout`): the list and the selected
job's chart are on screen at every size from 80x24; the detail sits beside them from 160
columns, below the list from 46 rows, and elsewhere opens full screen with ``enter``
(``escape`` goes back). After any layout change the focus is on something shown. ``m`` opens
the full-screen metrics view (:mod:`tui.app.screens.metrics`), comparing the marked jobs; the
screen feeds it every change of the jobs it shows.

On opening, the cursor goes to the newest running job (:mod:`tui.app.screens.first_cursor`).

Repaints are skipped while a modal covers the screen or updates are paused; what changed in the
meantime is remembered and applied when the screen is visible again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

import attrs
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Vertical
from textual.css.query import NoMatches
from textual.events import DescendantBlur, DescendantFocus, Key, Resize, ScreenResume
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from tui.app.actions import Scope, bindings_for, first_key
from tui.app.messages import CheckpointsArrived, ConnectionChanged, JobsChanged
from tui.app.screens.first_cursor import FirstCursor
from tui.app.screens.list_choices import COLUMN_TO_SORT, GROUP_FILTERS, SORT_TO_COLUMN
from tui.app.screens.main_layout import MainLayout
from tui.app.screens.metrics import MetricsScreen
from tui.app.widgets.chart_pane import ChartPane
from tui.app.widgets.detail_pane import DetailPane
from tui.app.widgets.detail_scroll import DetailScroll
from tui.app.widgets.footer import FitFooter
from tui.app.widgets.job_table import JobTable
from tui.app.widgets.ordered_input import OrderedInput
from tui.app.widgets.status_line import StatusLine, empty_list_text
from tui.monitor.curves import MAX_RUNS
from tui.monitor.query import JobFilter, SortSpec

if TYPE_CHECKING:
    from tui.app.host import ScreenHost
    from tui.monitor.store import JobView

__all__ = ["MainScreen", "ReadOnlyMainScreen", "main_screen_class"]


class FilterInput(OrderedInput):
    """The filter bar's input: keys typed in one burst (``/``, Home, ``!``) apply in order."""


class _MainScreenBase(Screen[None]):
    """Everything but the mutating bindings (see :func:`main_screen_class`)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for(Scope.SCREEN, read_only=True)

    SELECT_DELAY = 0.15
    """Seconds the cursor must rest on a job before its detail is fetched."""
    SHOW_DELAY = 0.06
    """Seconds the cursor must rest on a job before the detail pane shows it."""
    TIME_REFRESH = 5.0
    """Seconds between refreshes of the visible rows' age, progress and ETA."""
    REFRESH_EVERY = 0.05
    """Seconds at least between two re-queries for polled changes: details arriving one by
    one (hundreds at start) are applied together instead of each re-reading every job."""
    PALETTE_SCOPES: ClassVar[frozenset[Scope]] = frozenset({Scope.APP, Scope.SCREEN})
    """Whose actions the command palette offers over this screen."""

    def __init__(self) -> None:
        super().__init__()
        self.job_filter = JobFilter()
        """The filter in force (text and status groups)."""
        self.group_name = "all"
        """The name of the status group filter (a key of :data:`GROUP_FILTERS`)."""
        self.sort_spec = SortSpec()
        """The sort order in force."""
        self.shown_job_id: str | None = None
        """The job the detail pane shows."""
        self._kept_outside: str | None = None
        """The job under the cursor, listed although it left the filter (see refresh_jobs)."""
        self._deferred: set[str] = set()
        """Jobs that changed while repaints were skipped."""
        self._views_shown: int | None = None
        """How many jobs the last sync showed."""
        self._select_timer: Timer | None = None
        self._show_timer: Timer | None = None
        self._show_pending: str | None = None
        self._cooldown: Timer | None = None
        """Set while changes wait for :data:`REFRESH_EVERY` to pass since the last re-query."""
        """The job the show timer will show."""
        self._filter_typed: str | None = None
        """Filter text typed and not applied yet (keys typed in one burst apply once)."""
        self._first_cursor = FirstCursor()
        """Puts the cursor on the newest running job on opening."""
        self.metrics_view: MetricsScreen | None = None
        """The full-screen metrics view, while it is open."""

    @property
    def finetop(self) -> ScreenHost:
        """The app, as this screen uses it."""
        return cast("ScreenHost", self.app)

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Container(id="body"):
            with Vertical(id="jobs-pane"):
                yield JobTable(id="jobs")
            with Container(id="side"):
                yield ChartPane(id="chart-pane")
                # The pane is not focusable itself; its scroll container is, so tab/enter can
                # reach it and the arrow keys (and j/k) scroll it.
                with DetailScroll(id="detail-scroll"):
                    yield DetailPane(id="detail", clock=self.finetop.clock)
        with Container(id="filter-bar"):
            # No select-on-focus: the selection lands after keys typed in the same burst (Home, !)
            # and the next character would replace the whole filter.
            yield FilterInput(
                placeholder="filter: words match id, model, suffix; ! inverts",
                id="filter",
                select_on_focus=False,
            )
        yield FitFooter()

    def on_mount(self) -> None:
        if self.job_filter.text:  # a filter remembered from the last run
            self.filter_input.value = self.job_filter.text
            self.add_class("-filtering")
        self.table.focus()
        self.table.badge_key = first_key("top", self.finetop.keymap)
        self._update_layout(self.app.size.width, self.app.size.height)
        self.table.set_sort_marker(SORT_TO_COLUMN[self.sort_spec.column], self.sort_spec.descending)
        self.set_interval(self.TIME_REFRESH, self._refresh_times)
        self.refresh_jobs(None)

    # ------------------------------------------------------------------ parts

    @property
    def table(self) -> JobTable:
        return self.query_one(JobTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def detail_scroll(self) -> DetailScroll:
        return self.query_one(DetailScroll)

    @property
    def chart_pane(self) -> ChartPane:
        return self.query_one(ChartPane)

    @property
    def status_line(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#filter", Input)

    @property
    def detail_pending(self) -> bool:
        """Whether the detail pane is about to follow the cursor (it waits for it to rest)."""
        return self._show_timer is not None

    @property
    def highlighted_job_id(self) -> str | None:
        """The job under the table's cursor."""
        return self.table.highlighted_job_id

    # ------------------------------------------------------------------ layout

    def on_resize(self, event: Resize) -> None:
        self._update_layout(event.size.width, event.size.height)

    def _update_layout(self, width: int, height: int) -> None:
        layout = MainLayout.for_size(width, height)
        for name, applies in layout.classes().items():
            self.set_class(applies, name)
        if layout.detail_shown:
            self.remove_class("-detail-full")
        # Once the new styles are applied: a widget just hidden must not keep the focus.
        self.call_after_refresh(self._focus_shown)

    def _focus_shown(self) -> None:
        """Give the focus to the list (the detail in its full view) if it is on a hidden widget
        (the detail, after a resize that leaves it no room): keys must reach what is shown."""
        focused = self.focused
        if focused is not None and all(
            node.display for node in focused.ancestors_with_self if isinstance(node, Widget)
        ):
            return
        (self.detail_scroll if self.has_class("-detail-full") else self.table).focus()
        self.refresh_bindings()

    # ------------------------------------------------------------------ data in

    def _painting(self) -> bool:
        """Whether repaints happen now (not under a modal, not paused)."""
        return self.is_active and not self.finetop.paused

    def on_jobs_changed(self, message: JobsChanged) -> None:
        self._feed_metrics(message.job_ids | message.gone)
        self._deferred |= message.job_ids | message.gone
        self.table.forget(message.gone)
        if not self._painting() or self._cooldown is not None:
            return  # applied when visible again, or when the cooldown ends
        self.flush_deferred()
        self._cooldown = self.set_timer(self.REFRESH_EVERY, self._cooldown_over)

    def _cooldown_over(self) -> None:
        self._cooldown = None
        if self._deferred and self._painting():
            self.flush_deferred()
            self._cooldown = self.set_timer(self.REFRESH_EVERY, self._cooldown_over)

    def on_checkpoints_arrived(self, message: CheckpointsArrived) -> None:
        # The store already holds them; the detail and chart re-read the job.
        self._feed_metrics({message.job_id})
        if not self._painting():
            self._deferred.add(message.job_id)
            return
        if message.job_id == self.shown_job_id:
            self._show_job(message.job_id)

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        self.update_status()

    def on_screen_resume(self, event: ScreenResume) -> None:
        self.flush_deferred()

    def _feed_metrics(self, changed: set[str] | None) -> None:
        """Hand changes to the metrics view while it shows (``None``: re-read every job)."""
        view = self.metrics_view
        if view is not None and view.is_current and not self.finetop.paused:
            view.refresh_runs(changed)

    def flush_deferred(self) -> None:
        """Apply what changed while repaints were skipped."""
        self._feed_metrics(None)
        if not self.is_mounted or not self._painting():
            return
        if self._deferred:
            changed, self._deferred = self._deferred, set()
            self.refresh_jobs(changed)
        self.update_status()

    def refresh_jobs(self, changed: set[str] | None, *, keep_cursor: bool = True) -> None:
        """Re-query the store and sync the table; ``changed=None`` rewrites every row.

        The job under the cursor stays listed when a change of its own takes it out of the
        filter (a watched run finishing under the "running" filter); only the user's own filter
        changes (``keep_cursor=False``) or moving away let it go.
        """
        if not self.is_mounted:
            return
        store = self.finetop.store
        now = self.finetop.wall_now()
        keep = self.highlighted_job_id if keep_cursor else None
        rows = store.query_rows(self.job_filter, self.sort_spec, now_wall=now, keep=keep)
        kept = store.get(keep) if keep is not None else None
        self._kept_outside = (
            keep if kept is not None and not self.job_filter.predicate()(kept) else None
        )
        self.table.sync(rows, now, changed)
        self._views_shown = len(rows)
        self._place_first_cursor()
        highlighted = self.highlighted_job_id
        if highlighted != self.shown_job_id:
            # Another job under the cursor (the first row on opening, the row a filter left
            # highlighted): shown once the list's frame is out, as a cursor move is.
            self._follow_cursor(highlighted)
        elif highlighted is not None and (changed is None or highlighted in changed):
            self._show_job(highlighted)
        self.update_status()

    def _place_first_cursor(self) -> None:
        """On opening, put the cursor on the newest running job (until the user moves it)."""
        target = self._first_cursor.target(self.finetop.store, self.highlighted_job_id)
        if target is None:
            return
        ids = self.table.job_ids
        if target in ids:
            self.table.move_cursor(ids.index(target))
            self._first_cursor.placed()

    def update_status(self) -> None:
        """Redraw the status line (the app calls this once a second)."""
        try:
            line = self.status_line
        except NoMatches:
            return
        shown = self._views_shown
        total = len(self.finetop.store)
        snapshot = self.finetop.status_snapshot(
            shown if shown != total else None, self.filter_label
        )
        line.show(snapshot)
        self.table.empty_text = empty_list_text(snapshot, jobs=total)

    @property
    def filter_label(self) -> str:
        """The filter in force, in words: ``running · "s42"``, ``not "s42"``; empty when none."""
        parts = [] if self.group_name == "all" else [self.group_name]
        flt = self.job_filter
        if flt.terms:
            words = " ".join(flt.terms)
            parts.append(f'not "{words}"' if flt.inverted else f'"{words}"')
        return " · ".join(parts)

    def _refresh_times(self) -> None:
        if not self._painting():
            return
        store = self.finetop.store
        views = [store.get(job_id) for job_id in self.table.visible_job_ids()]
        self.table.refresh_times(
            [view for view in views if view is not None], self.finetop.wall_now()
        )

    def _show_job(self, job_id: str | None) -> None:
        view: JobView | None = self.finetop.store.get(job_id) if job_id else None
        if view is None:
            job_id = None
        self.shown_job_id = job_id
        self.detail.show_job(
            view, self.finetop.wall_now(), monotonic_now=self.finetop.clock.monotonic()
        )
        self.chart_pane.show_job(view)

    # ------------------------------------------------------------------ selection

    @property
    def marked_job_ids(self) -> frozenset[str]:
        """The jobs marked in the list (``space``), to compare their runs."""
        return self.table.marked_ids

    @on(JobTable.Highlighted, "#jobs")
    def _row_highlighted(self, event: JobTable.Highlighted) -> None:
        if self._kept_outside is not None and event.job_id != self._kept_outside:
            # The cursor left a job kept only because it was watched: the filter applies again.
            self._kept_outside = None
            self.refresh_jobs(set())
        self._follow_cursor(event.job_id)

    def _follow_cursor(self, job_id: str | None) -> None:
        """Show the job the cursor rests on, a moment later, and ask for its detail.

        Redrawing the detail pane (and its relayout) for every row the cursor passes costs
        more than moving the cursor, and would hold back the list's own frame.
        """
        if self._show_timer is not None:
            if self._show_pending == job_id:
                return  # already on its way
            self._show_timer.stop()
            self._show_timer = None
        if job_id == self.shown_job_id:
            return
        self._show_pending = job_id
        self._show_timer = self.set_timer(self.SHOW_DELAY, lambda: self._show_rested(job_id))
        self._select_soon(job_id)

    def _show_rested(self, job_id: str | None) -> None:
        self._show_timer = None
        self._show_pending = None
        if job_id != self.shown_job_id:
            self._show_job(job_id)

    def _select_soon(self, job_id: str | None) -> None:
        """Tell the app the user rests on ``job_id`` once the cursor stays there a moment."""
        # Holding j over thousands of rows must not fire a request per row.
        if self._select_timer is not None:
            self._select_timer.stop()
        self._select_timer = self.set_timer(
            self.SELECT_DELAY, lambda: self.finetop.select_job(job_id)
        )

    @on(JobTable.Selected, "#jobs")
    def _row_selected(self, event: JobTable.Selected) -> None:
        event.stop()
        self.action_open_detail()

    @on(JobTable.SortClicked, "#jobs")
    def _sort_clicked(self, event: JobTable.SortClicked) -> None:
        column = COLUMN_TO_SORT.get(event.column)
        if column is None:
            return  # a column that does not sort (the id, the curve)
        if column is self.sort_spec.column:
            self._set_sort(self.sort_spec.toggled())
        else:
            self._set_sort(attrs.evolve(self.sort_spec, column=column))

    # ------------------------------------------------------------------ filter

    def action_filter(self) -> None:
        """Show the filter bar and put the cursor in it."""
        self.add_class("-filtering")
        # Focus now, not on the next message (``focus()`` defers): keys typed in the same burst
        # as "/" (a paste, a quick typist over SSH) are already queued and must reach the input.
        self.set_focus(self.filter_input)

    @property
    def detail_open(self) -> bool:
        """Whether the user is in the detail (its full view, or the focus in it)."""
        try:
            scroll = self.detail_scroll
        except NoMatches:
            return False
        return self.has_class("-detail-full") or scroll.has_focus_within

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The filter key is a priority binding; while the filter has the focus it is just a
        # character to type (so "/" can be searched for).
        if action == "filter":
            return not self.filter_input.has_focus
        # The footer offers the way in while in the list and the way back while in the detail.
        if action == "open_detail":
            return not self.detail_open
        if action == "close_detail":
            return self.detail_open or self.filter_input.has_focus
        return True

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        self.refresh_bindings()

    def on_key(self, event: Key) -> None:
        # Keys typed in the same burst as "/" were already queued for the table when the filter
        # took the focus; they bubble up here unhandled. They belong in the filter (a "5" must
        # not switch to succeeded jobs, a "c" must not ask to cancel).
        if event.is_printable and event.character and self.filter_input.has_focus:
            event.stop()
            event.prevent_default()
            self.filter_input.insert_text_at_cursor(event.character)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        # Applied at once, after the messages already queued: keys typed in one burst (a
        # paste, a quick typist over SSH) filter once, with the last text.
        if self._filter_typed is None:
            self.call_later(self._apply_typed_filter)
        self._filter_typed = event.value

    def _apply_typed_filter(self) -> None:
        text, self._filter_typed = self._filter_typed, None
        if text is not None:
            self.set_filter_text(text)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.set_class(bool(event.value), "-filtering")
        self.table.focus()

    def set_filter_text(self, text: str) -> None:
        """Filter the table by ``text`` (a leading ``!`` inverts)."""
        self._first_cursor.disarm()
        self.job_filter = JobFilter(text=text, groups=self.job_filter.groups)
        self.refresh_jobs(set(), keep_cursor=False)
        self.finetop.remembered.view_changed()

    def action_group(self, name: str) -> None:
        """Show one status group (``all`` shows every job)."""
        self._first_cursor.disarm()
        self.group_name = name if name in GROUP_FILTERS else "all"
        self.job_filter = JobFilter(
            text=self.job_filter.text, groups=GROUP_FILTERS[self.group_name]
        )
        self.refresh_jobs(set(), keep_cursor=False)
        self.finetop.remembered.view_changed()
        self.notify(f"Showing {self.group_name} jobs", timeout=2)

    def action_cycle_group(self) -> None:
        """Move to the next status group filter."""
        names = list(GROUP_FILTERS)
        self.action_group(names[(names.index(self.group_name) + 1) % len(names)])

    def action_toggle_mark(self) -> None:
        """Mark or unmark the highlighted job (the palette's way to the list's ``space``)."""
        self.table.action_toggle_mark()

    # ------------------------------------------------------------------ sort

    def _set_sort(self, spec: SortSpec) -> None:
        self._first_cursor.disarm()
        self.sort_spec = spec
        self.table.set_sort_marker(SORT_TO_COLUMN[spec.column], spec.descending)
        self.refresh_jobs(set())
        self.finetop.remembered.view_changed()

    def action_sort_column(self) -> None:
        """Sort by the next column."""
        self._set_sort(self.sort_spec.next_column())

    def action_sort_direction(self) -> None:
        """Reverse the sort order."""
        self._set_sort(self.sort_spec.toggled())

    # ------------------------------------------------------------------ panes

    def action_open_detail(self) -> None:
        """Show the highlighted job's detail: focus it, or open it full screen when compact."""
        if self.highlighted_job_id is None:
            return
        if self.has_class("-compact"):
            self.add_class("-detail-full")
        self.detail_scroll.focus()
        self.refresh_bindings()

    def action_close_detail(self) -> None:
        """Back to the list (closes the full detail view and the filter bar's focus)."""
        if self.filter_input.has_focus:
            self._filter_typed = None
            self.filter_input.value = ""
            self.set_filter_text("")
            self.remove_class("-filtering")
        self.remove_class("-detail-full")
        self.table.focus()
        self.refresh_bindings()

    def action_open_metrics(self) -> None:
        """Open the full-screen metrics view: the selected job, and the marked ones compared."""
        selected = self.highlighted_job_id
        marked = self.marked_job_ids
        in_list = [job_id for job_id in self.table.job_ids if job_id in marked]
        # Marked jobs a filter hides are compared too, after the listed ones.
        ids = list(dict.fromkeys([*([selected] if selected else []), *in_list, *sorted(marked)]))
        if not ids:
            self.notify("No job selected", severity="warning", timeout=3)
            return
        if len(ids) > MAX_RUNS:
            self.notify(f"Comparing the first {MAX_RUNS} of {len(ids)} jobs", timeout=4)
        view = MetricsScreen(ids)
        self.metrics_view = view

        def closed(_: None) -> None:
            if self.metrics_view is view:
                self.metrics_view = None

        self.app.push_screen(view, closed)

    def action_switch_pane(self) -> None:
        """Move the focus between the job list and the detail."""
        if self.table.has_focus:
            self.action_open_detail()
        else:
            self.action_close_detail()


class ReadOnlyMainScreen(_MainScreenBase):
    """The main screen without any binding that changes a job."""


class MainScreen(_MainScreenBase):
    """The main screen with the cancel and start bindings."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for(
        Scope.SCREEN, read_only=False, mutating_only=True
    )


def main_screen_class(read_only: bool) -> type[_MainScreenBase]:
    """The screen class for the mode: read-only mode has no mutating binding at all."""
    return ReadOnlyMainScreen if read_only else MainScreen
