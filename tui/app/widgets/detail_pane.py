"""Everything one job's detail payload holds, grouped, updated in place as polls arrive.

Sections, top to bottom: overview, progress, cost and tokens, hyperparameters, files,
integrations, repositories (completion jobs), classifier targets (classifier jobs), events
(oldest first) and a checkpoints table.

Each section is one ``Static`` whose content is replaced only when it changed; the checkpoints
table is a ``DataTable`` keyed by step that gains and loses rows by key, never cleared per poll.
The table follows new checkpoints while it is scrolled to its end; once the user scrolls back it
stays put and a "N new" badge counts what arrived below (as ``toolong`` does for log lines).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from typing import Any, ClassVar

import attrs
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.content import Content
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.style import Style
from textual.widget import Widget
from textual.widgets import DataTable, Static

from tui.api.models import (
    Checkpoint,
    ClassifierJob,
    ClassifierJobDetails,
    CompletionJob,
    CompletionJobDetails,
    GithubRepository,
    Job,
    WandbIntegration,
)
from tui.app.widgets.metrics import unwrap_job
from tui.app.widgets.status_badge import status_content
from tui.formatting import (
    MISSING,
    fmt_age,
    fmt_bool,
    fmt_count,
    fmt_duration,
    fmt_float,
    fmt_loss,
    fmt_money,
    fmt_perplexity,
    fmt_progress,
    fmt_time,
    fmt_tokens,
    is_number,
    or_missing,
    progress_bar,
)
from tui.monitor.progress import compute_progress

__all__ = ["CheckpointTable", "DetailPane"]

MAX_FILE_NAMES = 1024
"""How many file names the pane remembers (a bounded cache, least recently used dropped)."""

_LABEL_WIDTH = 18
"""The label column: the longest label ("expected duration") and a space."""
_DEEP_INDENT = 4
"""Indent of a value moved under its label (a token too long for the value column)."""
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
_TITLES = {
    "overview": "Overview",
    "progress": "Progress",
    "cost": "Cost and tokens",
    "hyperparameters": "Hyperparameters",
    "files": "Files",
    "integrations": "Integrations",
    "repositories": "Repositories",
    "targets": "Classifier targets",
    "events": "Events",
}
_CHECKPOINT_COLUMNS = (
    ("step", "Step"),
    ("time", "Time"),
    ("train_loss", "Train loss"),
    ("valid_loss", "Valid loss"),
    ("perplexity", "Perplexity"),
)


def _heading(title: str) -> Content:
    return Content.assemble((title, "bold $primary"))


def _lines(lines: Iterable[Content]) -> Content:
    return Content("\n").join(lines)


def _is_details(job: Job | None) -> bool:
    return isinstance(job, CompletionJobDetails | ClassifierJobDetails)


def _file_list(ids: Sequence[str] | None, names: LRUCache[str, str]) -> list[Content]:
    """Each file as ``name (id)`` when its name is known, else its id."""
    if ids is None:
        return [Content(MISSING)]
    if not ids:
        return [Content.assemble(("none", "$text-muted"))]
    shown: list[Content] = []
    for file_id in ids:
        name = names.get(file_id)
        if name:
            shown.append(Content.assemble(name, (f"  {file_id}", "$text-muted")))
        else:
            shown.append(Content(file_id))
    return shown


class CheckpointTable(DataTable[Any]):
    """The checkpoints of one job, oldest step first, rows keyed by step.

    ``following`` is true while the view sits at the end: new rows then scroll into view.
    Scrolling back turns it off; scrolling to the end again turns it back on.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("end", "follow", "Latest checkpoint", show=False, id="detail.checkpoints.end"),
    ]

    class FollowChanged(Message):
        """The table started or stopped following new checkpoints."""

        def __init__(self, table: CheckpointTable, following: bool) -> None:
            super().__init__()
            self.table = table
            """The table that changed."""
            self.following = following
            """Whether it now follows new checkpoints."""

        @property
        def control(self) -> CheckpointTable:
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            id=id, classes=classes, cursor_type="row", zebra_stripes=True, show_cursor=False
        )
        self.following = True
        """Whether new rows scroll into view (the view is at the end)."""
        self._steps: dict[str, Checkpoint] = {}

    def on_mount(self) -> None:
        for key, label in _CHECKPOINT_COLUMNS:
            self.add_column(label, key=key)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        at_end = round(new_value) >= self.max_scroll_y
        if at_end != self.following:
            self.following = at_end
            self.post_message(self.FollowChanged(self, at_end))

    def watch_virtual_size(self, old_size: Size, new_size: Size) -> None:
        # Rows are measured after they are added, so the scroll range grows later than sync():
        # keep the view pinned to the end for as long as the table follows.
        if self.following and new_size.height > old_size.height:
            self.scroll_end(animate=False, immediate=True)

    def on_resize(self) -> None:
        # The table grows with its rows up to its max height; the end moves with it.
        if self.following:
            self.scroll_end(animate=False, immediate=True)

    def action_follow(self) -> None:
        """Jump to the newest checkpoint and follow new ones."""
        self.scroll_end(animate=False, immediate=True)
        self.following = True
        self.post_message(self.FollowChanged(self, True))

    def reset(self) -> None:
        """Empty the table for another job; it follows again."""
        self.clear()
        self._steps.clear()
        if not self.following:
            self.following = True
            self.post_message(self.FollowChanged(self, True))

    def sync(self, checkpoints: Sequence[Checkpoint], tz: tzinfo | None) -> int:
        """Make the rows match ``checkpoints`` (sorted by step); returns how many rows were added.

        Existing rows are updated cell by cell, vanished ones removed, new ones appended (and the
        table re-sorted only if a new step lands before an existing one).
        """
        wanted = {str(c.step_number): c for c in checkpoints}
        for key in [k for k in self._steps if k not in wanted]:
            self.remove_row(key)
            del self._steps[key]
        added = 0
        last_step = max((c.step_number for c in self._steps.values()), default=None)
        out_of_order = False
        for key, checkpoint in wanted.items():
            old = self._steps.get(key)
            if old == checkpoint:
                continue
            cells = self._cells(checkpoint, tz)
            if old is None:
                self.add_row(*cells, key=key)
                added += 1
                if last_step is not None and checkpoint.step_number < last_step:
                    out_of_order = True
            else:
                for (column, _), cell in zip(_CHECKPOINT_COLUMNS, cells, strict=True):
                    self.update_cell(key, column, cell)
            self._steps[key] = checkpoint
        if out_of_order:
            self.sort("step", key=lambda cell: int(cell.plain))
        # No scrolling here: the new rows are measured later; watch_virtual_size follows them.
        return added

    @staticmethod
    def _cells(checkpoint: Checkpoint, tz: tzinfo | None) -> tuple[Any, ...]:
        metrics = checkpoint.metrics
        return (
            _right(str(checkpoint.step_number)),
            fmt_time(checkpoint.created_at, tz),
            _right(fmt_loss(metrics.train_loss)),
            _right(fmt_loss(metrics.valid_loss) if metrics.evaluated else MISSING),
            _right(fmt_perplexity(metrics.perplexity) if metrics.evaluated else MISSING),
        )


def _right(text: str) -> Text:
    return Text(text, justify="right")


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
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``tz`` is the zone times are shown in (the local zone when ``None``)."""
        super().__init__(name=name, id=id, classes=classes)
        self.tz = tz
        """The zone timestamps are shown in."""
        self._file_names: LRUCache[str, str] = LRUCache(MAX_FILE_NAMES)
        self._job: Job | None = None
        self._view: Any = None
        self._now: float = 0.0
        self._monotonic_now: float | None = None
        self._texts: dict[str, Content] = {}
        self._new_count = 0
        self._width = 0

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
        job = unwrap_job(job_or_view)
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

    def set_file_names(self, names: Mapping[str, str]) -> None:
        """Learn file names (file id -> filename); the files section shows them from now on."""
        for file_id, filename in names.items():
            self._file_names.set(file_id, filename)
        if self.is_mounted and self._job is not None:
            self._update_section("files", self._files_section(self._job))

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
        yield Static(id="detail-header")
        for key in _SECTIONS:
            yield Static(id=f"detail-{key}", classes="detail-section")
        yield Static(id="detail-checkpoints-heading")
        badge = Static(id="detail-new-badge")
        badge.display = False
        badge.tooltip = "Newer checkpoints below; press end or click to jump to them"
        yield badge
        yield CheckpointTable(id="detail-checkpoints")

    def on_mount(self) -> None:
        self._render_all()

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
        if self._texts.get(key) != content:
            self._texts[key] = content
            widget.update(content)

    def _render_all(self) -> None:
        job = self._job
        self.query_one("#detail-empty").display = job is None
        table = self.query_one(CheckpointTable)
        table.display = job is not None
        if job is None:
            for key in ("header", *_SECTIONS, "checkpoints-heading"):
                self._update_section(key, None)
            return
        self._update_section("header", self._header(job))
        self._update_section("overview", self._overview(job))
        self._update_section("progress", self._progress(job))
        self._update_section("cost", self._cost(job))
        self._update_section("hyperparameters", self._hyperparameters(job))
        self._update_section("files", self._files_section(job))
        self._update_section("integrations", self._integrations(job))
        self._update_section("repositories", self._repositories(job))
        self._update_section("targets", self._targets(job))
        self._update_section("events", self._events(job))
        self._render_checkpoints(job, table)

    def _render_checkpoints(self, job: Job, table: CheckpointTable) -> None:
        checkpoints = job.checkpoints_by_step if _is_details(job) else ()  # type: ignore[union-attr]
        if _is_details(job):
            if checkpoints:
                evaluated = sum(1 for c in checkpoints if c.metrics.evaluated)
                note = f"{len(checkpoints)}, {evaluated} evaluated"
                heading = Content.assemble(_heading("Checkpoints"), (f"  {note}", "$text-muted"))
            else:
                heading = Content.assemble(_heading("Checkpoints"), ("  none yet", "$text-muted"))
        else:
            heading = Content.assemble(
                _heading("Checkpoints"),
                ("  not loaded yet: they come with the job's detail", "$text-muted"),
            )
        self._update_section("checkpoints-heading", heading)
        table.display = bool(checkpoints)
        added = table.sync(checkpoints, self.tz)
        if added and not table.following:
            self._set_new_count(self._new_count + added)

    def _header(self, job: Job) -> Content:
        title = job.suffix or job.fine_tuned_model or job.model
        return Content.assemble(
            status_content(job.status),
            "  ",
            (title or MISSING, "bold"),
        )

    def _freshness(self) -> list[Content]:
        view = self._view
        if view is None:
            return []
        lines: list[Content] = []
        fetched = getattr(view, "detail_fetched_at", None)
        if getattr(view, "detail_final", False):
            state = "final (the job has finished)"
        elif _is_details(self._job):
            state = "live"
        else:
            state = "list only; the detail is being fetched"
        if fetched is not None and self._monotonic_now is not None:
            state += f", detail fetched {fmt_age(fetched, self._monotonic_now)}"
        lines.append(self._kv("data", state))
        error = getattr(view, "last_error", None)
        if error:
            lines.append(self._kv("last error", (str(error), "$error")))
        return lines

    def _overview(self, job: Job) -> Content:
        now, tz = self._now, self.tz
        kind = job.kind.value
        job_type = job.job_type if job.job_type == kind else f"{job.job_type} ({kind})"
        lines = [
            _heading(_TITLES["overview"]),
            self._kv("id", job.id),
            self._kv("status", status_content(job.status)),
            self._kv("model", or_missing(job.model)),
            self._kv("type", or_missing(job_type)),
            self._kv("suffix", or_missing(job.suffix)),
            self._kv("fine-tuned model", or_missing(job.fine_tuned_model)),
            self._kv("created", self._when(job.created_at, now, tz)),
            self._kv("modified", self._when(job.modified_at, now, tz)),
            self._kv("auto start", fmt_bool(job.auto_start)),
            *self._freshness(),
        ]
        return _lines(lines)

    def _kv(self, label: str, *value: str | Content | tuple[str, str | Style]) -> Content:
        """One ``label   value`` line; the label dim and padded so values line up.

        A value too long for the pane wraps under itself (a hanging indent), not under the label.
        A single word too long for the value column (a job id, a model name, a URL) is not cut
        in two: it moves to the lines under the label, where it has nearly the whole width,
        and only a word longer than that is folded.
        """
        indent = 2 + _LABEL_WIDTH
        head = Content.assemble((f"  {label:<{_LABEL_WIDTH}}", "$text-muted"))
        body = Content.assemble(*value)
        room = self._width - indent
        if room < 16 or body.cell_length <= room:
            return head + body
        longest = max((len(word) for word in body.plain.split()), default=0)
        if longest <= room:
            return head + Content("\n" + " " * indent).join(body.wrap(room))
        deep = Content("\n" + " " * _DEEP_INDENT)
        return head.rstrip() + deep + deep.join(body.wrap(self._width - _DEEP_INDENT))

    @staticmethod
    def _when(timestamp: float | None, now: float, tz: tzinfo | None) -> Content:
        if not is_number(timestamp):
            return Content(MISSING)
        return Content.assemble(fmt_time(timestamp, tz), (f"  {fmt_age(timestamp, now)}", "dim"))

    def _progress(self, job: Job) -> Content:
        progress = compute_progress(job, self._now)
        step = progress.step
        if step is None and progress.fraction == 1.0:
            step = progress.total_steps  # a successful job ran every step, checkpoints or not
        steps = fmt_progress(step, progress.total_steps)
        # The bar shares the line with the steps: narrower in a narrow pane, never wrapped.
        room = self._width - 2 - _LABEL_WIDTH - len(steps) - 2 if self._width else 20
        bar_width = max(8, min(20, room))
        bar = progress_bar(progress.fraction, bar_width) if progress.fraction is not None else ""
        eta = fmt_duration(progress.eta)
        if progress.eta is not None and progress.eta_source == "estimate":
            eta += "  (from expected duration)"
        elif progress.eta is not None:
            eta += "  (from recent steps)"
        elif job.is_terminal:
            eta = "finished"
        rate = (
            f"{progress.rate * 60:.3g} steps/min"
            if progress.rate and progress.rate > 0
            else MISSING
        )
        estimated_start = job.metadata.estimated_start_time if job.metadata else None
        lines = [
            _heading(_TITLES["progress"]),
            self._kv(
                "steps",
                steps,
                ("  " + bar if bar else "", "$primary"),
            ),
            self._kv("estimated start", self._when(estimated_start, self._now, self.tz)),
            self._kv("started", self._when(progress.started_at, self._now, self.tz)),
            self._kv("finished", self._when(progress.finished_at, self._now, self.tz)),
            self._kv(
                "duration" if progress.finished_at else "elapsed", fmt_duration(progress.elapsed)
            ),
            self._kv("rate", rate),
            self._kv("ETA", eta),
        ]
        return _lines(lines)

    def _cost(self, job: Job) -> Content:
        meta = job.metadata
        get = (lambda name: getattr(meta, name)) if meta is not None else (lambda name: None)

        def tokens(value: int | None) -> str:
            if not is_number(value) or (value == 0 and meta is not None):
                return MISSING  # zeros mean "not estimated yet" before VALIDATED
            return f"{fmt_tokens(value)}  ({fmt_count(value)})"

        lines = [
            _heading(_TITLES["cost"]),
            self._kv("cost", fmt_money(get("cost"), get("cost_currency"))),
            self._kv("expected duration", fmt_duration(get("expected_duration_seconds") or None)),
            self._kv("train tokens", tokens(get("train_tokens"))),
            self._kv("tokens per step", tokens(get("train_tokens_per_step"))),
            self._kv("data tokens", tokens(get("data_tokens"))),
            self._kv("trained tokens", tokens(job.trained_tokens)),
        ]
        return _lines(lines)

    def _hyperparameters(self, job: Job) -> Content:
        params = job.hyperparameters
        lines = [_heading(_TITLES["hyperparameters"])]
        for field in attrs.fields(type(params)):
            if field.name == "wire_keys":
                continue
            value = getattr(params, field.name)
            text = fmt_count(value) if isinstance(value, int) else fmt_float(value)
            lines.append(self._kv(field.name.replace("_", " "), text))
        return _lines(lines)

    def _files_section(self, job: Job) -> Content:
        lines = [_heading(_TITLES["files"])]
        for label, ids in (("training", job.training_files), ("validation", job.validation_files)):
            for index, shown in enumerate(_file_list(ids, self._file_names)):
                lines.append(self._kv(label if index == 0 else "", shown))
        return _lines(lines)

    def _integrations(self, job: Job) -> Content:
        lines = [_heading(_TITLES["integrations"])]
        integrations = job.integrations
        if integrations is None:
            lines.append(self._kv("", MISSING))
        elif not integrations:
            lines.append(self._kv("", ("none", "$text-muted")))
        for integration in integrations or ():
            if isinstance(integration, WandbIntegration):
                project = integration.project or MISSING
                lines.append(self._kv("W&B project", project))
                run_name = integration.name or integration.run_name
                lines.append(self._kv("run name", or_missing(run_name)))
                url = integration.url
                if url:
                    lines.append(self._kv("url", (url, Style(link=url, underline=True))))
                else:
                    lines.append(self._kv("url", MISSING, ("  (appears once the job runs)", "dim")))
            else:
                raw = ", ".join(f"{k}={v}" for k, v in integration.raw.items() if k != "type")
                lines.append(self._kv(integration.type or "integration", raw or MISSING))
        return _lines(lines)

    def _repositories(self, job: Job) -> Content | None:
        if not isinstance(job, CompletionJob):
            return None  # classifier jobs have no repositories
        lines = [_heading(_TITLES["repositories"])]
        if not job.repositories:
            lines.append(self._kv("", ("none", "$text-muted")))
        for repo in job.repositories:
            if isinstance(repo, GithubRepository):
                ref = f"@{repo.ref}" if repo.ref else ""
                lines.append(
                    self._kv(
                        "github",
                        f"{repo.owner}/{repo.name}{ref}",
                        (f"  commit {repo.commit_id[:12]}  weight {fmt_float(repo.weight)}", "dim"),
                    )
                )
            else:
                raw = ", ".join(f"{k}={v}" for k, v in repo.raw.items() if k != "type")
                lines.append(self._kv(repo.type or "repository", raw or MISSING))
        return _lines(lines)

    def _targets(self, job: Job) -> Content | None:
        if not isinstance(job, ClassifierJob):
            return None
        lines = [_heading(_TITLES["targets"])]
        if not isinstance(job, ClassifierJobDetails):
            lines.append(self._kv("", ("not loaded yet: they come with the job's detail", "dim")))
            return _lines(lines)
        if not job.classifier_targets:
            lines.append(self._kv("", ("none", "$text-muted")))
        for target in job.classifier_targets:
            lines.append(self._kv("target", (target.name, "bold")))
            lines.append(self._kv("labels", f"{len(target.labels)}: " + ", ".join(target.labels)))
            lines.append(self._kv("weight", fmt_float(target.weight)))
            lines.append(self._kv("loss function", or_missing(target.loss_function)))
        return _lines(lines)

    def _events(self, job: Job) -> Content:
        lines = [_heading(_TITLES["events"])]
        if not isinstance(job, CompletionJobDetails | ClassifierJobDetails):
            note = "no events yet: they come with the job's detail"
            lines.append(self._kv("", (note, "$text-muted")))
            return _lines(lines)
        events = job.events_by_time
        if not events:
            lines.append(self._kv("", ("none yet", "$text-muted")))
        for event in events:
            status = event.status
            detail: Content | str = status_content(status) if status else ""
            lines.append(
                Content.assemble(
                    ("  " + fmt_time(event.created_at, self.tz), "$text-muted"),
                    "  ",
                    event.name or MISSING,
                    "  ",
                    detail,
                    (f"  {fmt_age(event.created_at, self._now)}", "dim"),
                )
            )
        return _lines(lines)
