"""The sections of the detail pane, each built from a job as ``Content``, with no widget state.

Every builder takes what it renders from (the job, the clock, the zone, known file names) and
``width``, the pane's content width, which decides how long values wrap: ``0`` means unknown
(not laid out yet) and nothing wraps. Missing values read as ``—`` (``MISSING``), never ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo

import attrs
from textual.cache import LRUCache
from textual.content import Content
from textual.style import Style

from tui.api.models import (
    ClassifierJob,
    ClassifierJobDetails,
    CompletionJob,
    GithubRepository,
    Job,
    WandbIntegration,
    is_detail,
)
from tui.app.widgets.status_badge import status_content
from tui.display.formats import (
    MISSING,
    fmt_age,
    fmt_bool,
    fmt_count,
    fmt_duration,
    fmt_float,
    fmt_money,
    fmt_progress,
    fmt_time,
    fmt_tokens,
    is_number,
    or_missing,
    progress_bar,
)
from tui.monitor.progress import compute_progress

__all__ = [
    "checkpoints_heading",
    "cost",
    "events",
    "files",
    "header",
    "hyperparameters",
    "integrations",
    "overview",
    "progress",
    "repositories",
    "targets",
]

FileNames = Mapping[str, str] | LRUCache[str, str]
"""File id -> filename, as far as known (the pane keeps a bounded cache)."""

_LABEL_WIDTH = 18
"""The label column: the longest label ("expected duration") and a space."""
_DEEP_INDENT = 4
"""Indent of a value moved under its label (a token too long for the value column)."""
_NOT_LOADED = "not loaded yet: they come with the job's detail"
"""What a section fed only by the detail payload says before that payload arrives."""


def header(job: Job) -> Content:
    """The status badge and the job's most telling name, above the sections."""
    title = job.suffix or job.fine_tuned_model or job.model
    return Content.assemble(status_content(job.status), "  ", (title or MISSING, "bold"))


def overview(
    job: Job,
    *,
    now: float,
    tz: tzinfo | None,
    width: int,
    view: object | None = None,
    monotonic_now: float | None = None,
) -> Content:
    """Identity, model, type and times; with a store ``view``, how fresh the data is.

    ``view`` is read by attribute (``detail_fetched_at``, ``detail_final``, ``last_error``), so
    anything shaped like the store's ``JobView`` will do; ``monotonic_now`` is the store's clock.
    """
    kind = job.kind.value
    job_type = job.job_type if job.job_type == kind else f"{job.job_type} ({kind})"
    lines = [
        _heading("Overview"),
        _kv(width, "id", job.id),
        _kv(width, "status", status_content(job.status)),
        _kv(width, "model", or_missing(job.model)),
        _kv(width, "type", or_missing(job_type)),
        _kv(width, "suffix", or_missing(job.suffix)),
        _kv(width, "fine-tuned model", or_missing(job.fine_tuned_model)),
        _kv(width, "created", _when(job.created_at, now, tz)),
        _kv(width, "modified", _when(job.modified_at, now, tz)),
        _kv(width, "auto start", fmt_bool(job.auto_start)),
        *_freshness(job, view, monotonic_now, width),
    ]
    return _lines(lines)


def _freshness(
    job: Job, view: object | None, monotonic_now: float | None, width: int
) -> list[Content]:
    if view is None:
        return []
    lines: list[Content] = []
    fetched = getattr(view, "detail_fetched_at", None)
    if getattr(view, "detail_final", False):
        state = "final (the job has finished)"
    elif is_detail(job):
        state = "live"
    else:
        state = "list only; the detail is being fetched"
    if fetched is not None and monotonic_now is not None:
        state += f", detail fetched {fmt_age(fetched, monotonic_now)}"
    lines.append(_kv(width, "data", state))
    error = getattr(view, "last_error", None)
    if error:
        lines.append(_kv(width, "last error", (str(error), "$error")))
    return lines


def progress(job: Job, *, now: float, tz: tzinfo | None, width: int) -> Content:
    """Steps with a bar, start and end times, elapsed time, rate and ETA."""
    measured = compute_progress(job, now)
    step = measured.step
    if step is None and measured.fraction == 1.0:
        step = measured.total_steps  # a successful job ran every step, checkpoints or not
    steps = fmt_progress(step, measured.total_steps)
    # The bar shares the line with the steps: narrower in a narrow pane, never wrapped.
    room = width - 2 - _LABEL_WIDTH - len(steps) - 2 if width else 20
    bar_width = max(8, min(20, room))
    bar = progress_bar(measured.fraction, bar_width) if measured.fraction is not None else ""
    eta = fmt_duration(measured.eta)
    if measured.eta is not None and measured.eta_source == "estimate":
        eta += "  (from expected duration)"
    elif measured.eta is not None:
        eta += "  (from recent steps)"
    elif job.is_terminal:
        eta = "finished"
    rate = f"{measured.rate * 60:.3g} steps/min" if measured.rate and measured.rate > 0 else MISSING
    estimated_start = job.metadata.estimated_start_time if job.metadata else None
    lines = [
        _heading("Progress"),
        _kv(width, "steps", steps, ("  " + bar if bar else "", "$primary")),
        _kv(width, "estimated start", _when(estimated_start, now, tz)),
        _kv(width, "started", _when(measured.started_at, now, tz)),
        _kv(width, "finished", _when(measured.finished_at, now, tz)),
        _kv(
            width,
            "duration" if measured.finished_at else "elapsed",
            fmt_duration(measured.elapsed),
        ),
        _kv(width, "rate", rate),
        _kv(width, "ETA", eta),
    ]
    return _lines(lines)


def cost(job: Job, *, width: int) -> Content:
    """Cost, expected duration and token counts from the job's metadata."""
    meta = job.metadata
    get = (lambda name: getattr(meta, name)) if meta is not None else (lambda name: None)

    def tokens(value: int | None) -> str:
        if not is_number(value) or (value == 0 and meta is not None):
            return MISSING  # zeros mean "not estimated yet" before VALIDATED
        return f"{fmt_tokens(value)}  ({fmt_count(value)})"

    lines = [
        _heading("Cost and tokens"),
        _kv(width, "cost", fmt_money(get("cost"), get("cost_currency"))),
        _kv(width, "expected duration", fmt_duration(get("expected_duration_seconds") or None)),
        _kv(width, "train tokens", tokens(get("train_tokens"))),
        _kv(width, "tokens per step", tokens(get("train_tokens_per_step"))),
        _kv(width, "data tokens", tokens(get("data_tokens"))),
        _kv(width, "trained tokens", tokens(job.trained_tokens)),
    ]
    return _lines(lines)


def hyperparameters(job: Job, *, width: int) -> Content:
    """Every training parameter the job's kind has, in the model's field order."""
    params = job.hyperparameters
    lines = [_heading("Hyperparameters")]
    for field in attrs.fields(type(params)):
        if field.name == "wire_keys":
            continue
        value = getattr(params, field.name)
        text = fmt_count(value) if isinstance(value, int) else fmt_float(value)
        lines.append(_kv(width, field.name.replace("_", " "), text))
    return _lines(lines)


def files(job: Job, names: FileNames, *, width: int) -> Content:
    """Training and validation files, each as ``name  id`` once its name is known."""
    lines = [_heading("Files")]
    for label, ids in (("training", job.training_files), ("validation", job.validation_files)):
        for index, shown in enumerate(_file_list(ids, names)):
            lines.append(_kv(width, label if index == 0 else "", shown))
    return _lines(lines)


def _file_list(ids: Sequence[str] | None, names: FileNames) -> list[Content]:
    """Each file as ``name (id)`` when its name is known, else its id."""
    if ids is None:
        return [Content(MISSING)]
    if not ids:
        return [_none()]
    shown: list[Content] = []
    for file_id in ids:
        name = names.get(file_id)
        if name:
            shown.append(Content.assemble(name, (f"  {file_id}", "$text-muted")))
        else:
            shown.append(Content(file_id))
    return shown


def integrations(job: Job, *, width: int) -> Content:
    """W&B project, run name and link; other integrations as their raw fields."""
    lines = [_heading("Integrations")]
    configured = job.integrations
    if configured is None:
        lines.append(_kv(width, "", MISSING))
    elif not configured:
        lines.append(_kv(width, "", _none()))
    for integration in configured or ():
        if isinstance(integration, WandbIntegration):
            lines.append(_kv(width, "W&B project", integration.project or MISSING))
            run_name = integration.name or integration.run_name
            lines.append(_kv(width, "run name", or_missing(run_name)))
            url = integration.url
            if url:
                lines.append(_kv(width, "url", (url, Style(link=url, underline=True))))
            else:
                note = ("  (appears once the job runs)", "dim")
                lines.append(_kv(width, "url", MISSING, note))
        else:
            lines.append(_kv(width, integration.type or "integration", _raw(integration.raw)))
    return _lines(lines)


def repositories(job: Job, *, width: int) -> Content | None:
    """The GitHub repositories of a completion job; ``None`` (no section) for other kinds."""
    if not isinstance(job, CompletionJob):
        return None  # classifier jobs have no repositories
    lines = [_heading("Repositories")]
    if not job.repositories:
        lines.append(_kv(width, "", _none()))
    for repo in job.repositories:
        if isinstance(repo, GithubRepository):
            ref = f"@{repo.ref}" if repo.ref else ""
            lines.append(
                _kv(
                    width,
                    "github",
                    f"{repo.owner}/{repo.name}{ref}",
                    (f"  commit {repo.commit_id[:12]}  weight {fmt_float(repo.weight)}", "dim"),
                )
            )
        else:
            lines.append(_kv(width, repo.type or "repository", _raw(repo.raw)))
    return _lines(lines)


def targets(job: Job, *, width: int) -> Content | None:
    """The targets of a classifier job and their labels; ``None`` (no section) for other kinds."""
    if not isinstance(job, ClassifierJob):
        return None
    lines = [_heading("Classifier targets")]
    if not isinstance(job, ClassifierJobDetails):
        lines.append(_kv(width, "", (_NOT_LOADED, "dim")))
        return _lines(lines)
    if not job.classifier_targets:
        lines.append(_kv(width, "", _none()))
    for target in job.classifier_targets:
        lines.append(_kv(width, "target", (target.name, "bold")))
        lines.append(_kv(width, "labels", f"{len(target.labels)}: " + ", ".join(target.labels)))
        lines.append(_kv(width, "weight", fmt_float(target.weight)))
        lines.append(_kv(width, "loss function", or_missing(target.loss_function)))
    return _lines(lines)


def events(job: Job, *, now: float, tz: tzinfo | None, width: int) -> Content:
    """The job's events, oldest first, each with its time, name, status and age."""
    lines = [_heading("Events")]
    if not is_detail(job):
        note = "no events yet: they come with the job's detail"
        lines.append(_kv(width, "", (note, "$text-muted")))
        return _lines(lines)
    history = job.events_by_time
    if not history:
        lines.append(_kv(width, "", ("none yet", "$text-muted")))
    for event in history:
        status = event.status
        detail: Content | str = status_content(status) if status else ""
        lines.append(
            Content.assemble(
                ("  " + fmt_time(event.created_at, tz), "$text-muted"),
                "  ",
                event.name or MISSING,
                "  ",
                detail,
                (f"  {fmt_age(event.created_at, now)}", "dim"),
            )
        )
    return _lines(lines)


def checkpoints_heading(job: Job) -> Content:
    """The heading above the checkpoints table: how many there are, how many were evaluated."""
    if not is_detail(job):
        note = f"  {_NOT_LOADED}"
    elif checkpoints := job.checkpoints_by_step:
        evaluated = sum(1 for c in checkpoints if c.metrics.evaluated)
        note = f"  {len(checkpoints)}, {evaluated} evaluated"
    else:
        note = "  none yet"
    return Content.assemble(_heading("Checkpoints"), (note, "$text-muted"))


def _kv(width: int, label: str, *value: str | Content | tuple[str, str | Style]) -> Content:
    """One ``label   value`` line; the label dim and padded so values line up.

    A value too long for the pane wraps under itself (a hanging indent), not under the label.
    A single word too long for the value column (a job id, a model name, a URL) is not cut
    in two: it moves to the lines under the label, where it has nearly the whole width,
    and only a word longer than that is folded.
    """
    indent = 2 + _LABEL_WIDTH
    head = Content.assemble((f"  {label:<{_LABEL_WIDTH}}", "$text-muted"))
    body = Content.assemble(*value)
    room = width - indent
    if room < 16 or body.cell_length <= room:
        return head + body
    longest = max((len(word) for word in body.plain.split()), default=0)
    if longest <= room:
        return head + Content("\n" + " " * indent).join(body.wrap(room))
    deep = Content("\n" + " " * _DEEP_INDENT)
    return head.rstrip() + deep + deep.join(body.wrap(width - _DEEP_INDENT))


def _when(timestamp: float | None, now: float, tz: tzinfo | None) -> Content:
    if not is_number(timestamp):
        return Content(MISSING)
    return Content.assemble(fmt_time(timestamp, tz), (f"  {fmt_age(timestamp, now)}", "dim"))


def _raw(fields: Mapping[str, object]) -> str:
    """An entry of a type this app does not know, as its ``key=value`` fields."""
    return ", ".join(f"{k}={v}" for k, v in fields.items() if k != "type") or MISSING


def _none() -> Content:
    return Content.assemble(("none", "$text-muted"))


def _heading(title: str) -> Content:
    return Content.assemble((title, "bold $primary"))


def _lines(lines: Iterable[Content]) -> Content:
    return Content("\n").join(lines)
