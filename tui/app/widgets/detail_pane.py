"""Everything one job's detail payload holds, grouped, updated in place as polls arrive.

Sections, top to bottom: overview, progress, cost and tokens, hyperparameters, files,
integrations, repositories (completion jobs), classifier targets (classifier jobs), events
(oldest first) and a checkpoints table. ``detail_sections`` builds each section's content;
this widget owns the state they are built from (job, clock, zone, file names, width).

Each section is one ``Static`` whose content is replaced only when it changed; the checkpoints
table (``CheckpointTable``) gains and loses rows by key. While the user has scrolled the table
back, a "N new" badge counts the checkpoints that arrived below.

Relative times ("5m ago", "detail fetched 12s ago", the elapsed time and ETA) tick: given a
clock, the pane re-reads them every :data:`TIME_REFRESH` seconds, and every :data:`TIME_TICK`
while one of them says "just now" (so none says it for longer than it is true), and repaints
the sections whose text changed. A finished job no longer says "21s ago" for minutes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.cache import LRUCache
from textual.content import Content
from textual.events import Click
from textual.widget import Widget
from textual.widgets import Static

from tui.api.clock import Clock
from tui.api.models import Job, is_detail
from tui.app.widgets import detail_sections as sections
from tui.app.widgets.checkpoint_table import CheckpointTable
from tui.display.formats import age_changes_at
from tui.monitor.store import job_of

__all__ = ["DetailPane"]

MAX_FILE_NAMES = 1024
"""How many file names the pane remembers (a bounded cache, least recently used dropped)."""
TIME_TICK = 1.0
"""Seconds between looks at the clock; relative times are re-read at this pace while one of
them says "just now" (which means < 5 s)."""
TIME_REFRESH = 5.0
"""Seconds between re-readings of relative times otherwise (as the job table's time cells)."""
_TIMED_SECTIONS = ("overview", "progress", "events")
"""The sections that hold relative times."""

_SECTIONS = (
    "overview",
    "progress",
    "cost",
    "hyperparameters",
    "files",
    "integrations",
    "repositories",
    "targets",
    "events",
)
"""Section ids (``#detail-<id>``), top to bottom."""


class DetailPane(Widget):
    """A read-only view of one job, as tall as its content. Call :meth:`show_job` after each poll.

    Mount it inside a scroll container (``VerticalScroll``): that container scrolls and takes the
    focus; the pane itself is not focusable.
    """

    DEFAULT_CSS = """
    DetailPane {
        height: auto;
        padding: 0 1;
    }
    DetailPane > .detail-section {
        height: auto;
        margin-bottom: 1;
    }
    DetailPane > #detail-header {
        height: auto;
        margin-bottom: 1;
    }
    DetailPane > #detail-empty {
        color: $text-muted;
        height: auto;
    }
    DetailPane > #detail-checkpoints-heading {
        height: 1;
    }
    DetailPane > #detail-new-badge {
        height: 1;
        width: auto;
        background: $warning;
        color: $background;
        text-style: bold;
        padding: 0 1;
    }
    /* The pane scrolls inside a scroll container with its own scrollbar: a second one for the
       table beside it reads as clutter. The table still scrolls (wheel, end), the heading says
       how many checkpoints there are and the "N new" badge what arrived below. */
    DetailPane > CheckpointTable {
        height: auto;
        max-height: 14;
        margin-bottom: 1;
        scrollbar-size-vertical: 0;
    }
    """

    def __init__(
        self,
        *,
        tz: tzinfo | None = None,
        clock: Clock | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``tz`` is the zone times are shown in (the local zone when ``None``); with a
        ``clock`` (the app's) relative times tick between updates."""
        super().__init__(name=name, id=id, classes=classes)
        self.tz = tz
        """The zone timestamps are shown in."""
        self.clock = clock
        """Where ticking relative times read the time (``None``: they change with updates)."""
        self._file_names: LRUCache[str, str] = LRUCache(MAX_FILE_NAMES)
        self._job: Job | None = None
        self._view: Any = None
        self._now: float = 0.0
        self._monotonic_now: float | None = None
        self._texts: dict[str, Content] = {}
        self._new_count = 0
        self._width = 0
        self._times_read_at = -math.inf
        """When (the clock's monotonic time) a tick last re-read the relative times."""
        self._events_until = 0.0
        """Until when (wall clock) the events' ages read as drawn: a tick before then leaves
        the timeline alone (hundreds of events are not rebuilt every second)."""

    # ------------------------------------------------------------------ public API

    @property
    def job(self) -> Job | None:
        """The job shown, if any."""
        return self._job

    @property
    def new_checkpoints(self) -> int:
        """Checkpoints that arrived below the view while the user was scrolled back."""
        return self._new_count

    def show_job(self, job_or_view: Any, now: float, *, monotonic_now: float | None = None) -> None:
        """Show a job (a ``Job``, a ``JobDetails`` or a store ``JobView``; ``None`` clears).

        ``now`` is wall-clock Unix seconds, for ages, elapsed time and the ETA.
        ``monotonic_now`` (the store's clock) lets the pane say how old its data is.
        """
        job = job_of(job_or_view)
        previous = self._job
        self._job = job
        self._view = job_or_view if job_or_view is not job else None
        self._now = now
        self._monotonic_now = monotonic_now
        if not self.is_mounted:
            return  # on_mount renders it
        table = self.query_one(CheckpointTable)
        if previous is None or job is None or previous.id != job.id:
            table.reset()
            self._set_new_count(0)
        self._render_all()

    def refresh_times(self, now: float, *, monotonic_now: float | None = None) -> None:
        """Re-read relative times at ``now`` (wall) and ``monotonic_now`` (the store's clock);
        only the sections whose text changed repaint."""
        self._now = now
        if monotonic_now is not None:
            self._monotonic_now = monotonic_now
        if self.is_mounted and self._job is not None:
            self._render_times(self._job, ticking=True)

    def set_file_names(self, names: Mapping[str, str]) -> None:
        """Learn file names (file id -> filename); the files section shows them from now on."""
        for file_id, filename in names.items():
            self._file_names.set(file_id, filename)
        if self.is_mounted and self._job is not None:
            self._update_section("files", self._files(self._job))

    def plain_text(self) -> str:
        """Everything the pane shows as plain text, checkpoint rows included (for tests, copy)."""
        parts = [self._texts.get(key, Content("")).plain for key in ("header", *_SECTIONS)]
        parts.append(self._texts.get("checkpoints-heading", Content("")).plain)
        table = self.query_one(CheckpointTable)
        for row_key in table.rows:
            parts.append("  ".join(str(cell) for cell in table.get_row(row_key)))
        return "\n".join(part for part in parts if part)

    # ------------------------------------------------------------------ composition

    def compose(self) -> ComposeResult:
        yield Static("No job selected.", id="detail-empty", markup=False)
        # Sections get Content (never markup); plain strings would be plain too.
        yield Static(id="detail-header", markup=False)
        for key in _SECTIONS:
            yield Static(id=f"detail-{key}", classes="detail-section", markup=False)
        yield Static(id="detail-checkpoints-heading", markup=False)
        badge = Static(id="detail-new-badge", markup=False)
        badge.display = False
        badge.tooltip = "Newer checkpoints below; press end or click to jump to them"
        yield badge
        yield CheckpointTable(id="detail-checkpoints")

    def on_mount(self) -> None:
        self._render_all()
        if self.clock is not None:
            self.set_interval(TIME_TICK, self._tick)

    def _tick(self) -> None:
        clock = self.clock
        # A hidden pane (the compact layout's list view) catches up on its next tick in view.
        if clock is None or self._job is None or not self.is_on_screen:
            return
        monotonic = clock.monotonic()
        if monotonic - self._times_read_at >= TIME_REFRESH or self._says_just_now():
            self._times_read_at = monotonic
            self.refresh_times(clock.time(), monotonic_now=monotonic)

    def _says_just_now(self) -> bool:
        texts = self._texts
        return any("just now" in texts[key].plain for key in _TIMED_SECTIONS if key in texts)

    def on_resize(self) -> None:
        # Long values wrap with a hanging indent computed from the width: redo it on resize.
        width = self.content_region.width
        if width != self._width:
            self._width = width
            self._render_all()

    @on(CheckpointTable.FollowChanged)
    def _follow_changed(self, event: CheckpointTable.FollowChanged) -> None:
        event.stop()
        if event.following:
            self._set_new_count(0)

    @on(Click, "#detail-new-badge")
    def _badge_clicked(self) -> None:
        self.query_one(CheckpointTable).action_follow()

    # ------------------------------------------------------------------ rendering

    def _set_new_count(self, count: int) -> None:
        self._new_count = count
        badge = self.query_one("#detail-new-badge", Static)
        badge.display = count > 0
        if count:
            badge.update(f"▼ {count} new")

    def _update_section(self, key: str, content: Content | None) -> None:
        """Replace one section's content if it changed; ``None`` hides the section."""
        widget = self.query_one(f"#detail-{key}", Static)
        widget.display = content is not None
        if content is None:
            self._texts.pop(key, None)
            return
        previous = self._texts.get(key)
        if previous != content:
            self._texts[key] = content
            # A ticking age changes a section every second: relayout only when its size does.
            widget.update(content, layout=not self._same_size(previous, content))

    def _same_size(self, old: Content | None, new: Content) -> bool:
        """Whether ``new`` takes the room ``old`` took: as many lines, none wrapping."""
        width = self._width
        if old is None or width <= 0:
            return False
        old_lines, new_lines = old.plain.split("\n"), new.plain.split("\n")
        if len(old_lines) != len(new_lines):
            return False
        return all(cell_len(line) <= width for line in (*old_lines, *new_lines))

    def _render_all(self) -> None:
        job = self._job
        self.query_one("#detail-empty").display = job is None
        table = self.query_one(CheckpointTable)
        table.display = job is not None
        if job is None:
            for key in ("header", *_SECTIONS, "checkpoints-heading"):
                self._update_section(key, None)
            return
        width = self._width
        self._update_section("header", sections.header(job))
        self._render_times(job)
        self._update_section("cost", sections.cost(job, width=width))
        self._update_section("hyperparameters", sections.hyperparameters(job, width=width))
        self._update_section("files", self._files(job))
        self._update_section("integrations", sections.integrations(job, width=width))
        self._update_section("repositories", sections.repositories(job, width=width))
        self._update_section("targets", sections.targets(job, width=width))
        self._render_checkpoints(job, table)

    def _render_times(self, job: Job, *, ticking: bool = False) -> None:
        """The sections that hold relative times: overview, progress and events (when
        ``ticking``, the events only once one of their ages reads differently)."""
        now, tz, width = self._now, self.tz, self._width
        self._update_section(
            "overview",
            sections.overview(
                job,
                now=now,
                tz=tz,
                width=width,
                view=self._view,
                monotonic_now=self._monotonic_now,
            ),
        )
        self._update_section("progress", sections.progress(job, now=now, tz=tz, width=width))
        if ticking and now < self._events_until:
            return
        self._update_section("events", sections.events(job, now=now, tz=tz, width=width))
        events = job.events if is_detail(job) else ()
        self._events_until = min(
            (age_changes_at(event.created_at, now) for event in events), default=math.inf
        )

    def _files(self, job: Job) -> Content:
        return sections.files(job, self._file_names, width=self._width)

    def _render_checkpoints(self, job: Job, table: CheckpointTable) -> None:
        self._update_section("checkpoints-heading", sections.checkpoints_heading(job))
        checkpoints = job.checkpoints_by_step if is_detail(job) else ()
        table.display = bool(checkpoints)
        added = table.sync(checkpoints, self.tz)
        if added and not table.following:
            self._set_new_count(self._new_count + added)
