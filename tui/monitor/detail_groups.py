"""One job's detail, grouped and labelled once, for the detail pane and ``finetop show``.

Groups, top to bottom: overview, progress, cost and tokens, hyperparameters, files,
integrations, repositories (completion jobs), classifier targets (classifier jobs), events and
checkpoints. Each :class:`Group` is a title and rows of (label, value); a value is a run of
:class:`Piece` values whose text is already safe to show (every server string has been through
:func:`~tui.display.text.safe_text`) and formatted. What a renderer styles travels as a
:class:`Tone`: a status (by its group), a link (only URLs that passed
:func:`~tui.display.links.check_link`), muted and dim notes, the missing marker ``—``.

The app renders the groups as Textual ``Content``, ``finetop show`` as plain text; neither has to
remember which field came from a server. Nothing here imports Textual.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from datetime import tzinfo
from enum import StrEnum
from typing import Protocol

import attrs

from tui.api.models import (
    Checkpoint,
    ClassifierJob,
    ClassifierJobDetails,
    CompletionJob,
    Event,
    GithubRepository,
    Job,
    WandbIntegration,
    is_detail,
)
from tui.display.formats import (
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
    fmt_rate,
    fmt_time,
    fmt_tokens,
    is_number,
)
from tui.display.links import check_link
from tui.display.text import LONG_TEXT_LIMIT, clip, data_text, safe_text
from tui.monitor.labels import status_label
from tui.monitor.progress import compute_progress

__all__ = [
    "CHECKPOINT_COLUMNS",
    "LABEL_WIDTH",
    "DetailState",
    "FileNames",
    "Group",
    "Layout",
    "Piece",
    "Row",
    "Times",
    "Tone",
    "checkpoint_cells",
    "checkpoints",
    "cost",
    "detail_groups",
    "event_detail",
    "events",
    "files",
    "header",
    "hyperparameters",
    "integrations",
    "job_title",
    "named_file_ids",
    "overview",
    "progress",
    "repositories",
    "targets",
    "validation_note",
]

LABEL_WIDTH = 18
"""The label column: the longest label ("expected duration") and a space."""
LABEL_LIMIT = 30
"""The longest a label taken from a server (an unknown integration's type) reads."""
LIST_LIMIT = 50
"""How many of a classifier target's labels are listed (the count says how many there are)."""
FILE_LOOKUPS = 20
"""The most file names looked up for one job."""
FILE_ID_LIMIT = 128
"""The longest file id looked up (real ones are UUIDs)."""
NOT_LOADED = "not loaded yet: they come with the job's detail"
"""What a group fed only by the detail payload says before that payload arrives."""


class Tone(StrEnum):
    """How a piece of a value is styled; plain text reads the same without any style."""

    PLAIN = "plain"
    MUTED = "muted"
    """Secondary: an id next to its name, an event's time, the ``none`` marker."""
    DIM = "dim"
    """A note after a value: an age, where a value comes from, why a URL is not a link."""
    STRONG = "strong"
    """What heads a block: the job's title, a classifier target's name."""
    STATUS = "status"
    """A job status (``Piece.status`` holds the raw one, for its colour)."""
    LINK = "link"
    """A URL that may be opened (``Piece.link``)."""
    ERROR = "error"
    """The last error concerning the job."""


def _printable(text: str) -> str:
    """``text`` with any character that could steer a terminal made visible, nothing cut.

    Builders pass safe text already; this makes a :class:`Piece` or a :class:`Row` label unable
    to hold anything else, whoever builds it.
    """
    if text.isprintable():
        return text
    return safe_text(text, limit=10 * len(text) + 1)  # a stand-in is at most 10 characters


@attrs.frozen
class Piece:
    """A run of text, safe to show, and how to style it."""

    text: str = attrs.field(converter=_printable)
    """Safe, formatted text (one line: a control character cannot get in)."""
    tone: Tone = Tone.PLAIN
    """How to style it."""
    status: str | None = None
    """For :attr:`Tone.STATUS`: the raw status, whose group picks the colour."""
    link: str | None = None
    """For :attr:`Tone.LINK`: the URL, checked by ``check_link``."""


@attrs.frozen
class Row:
    """One line of a group: a label and its value."""

    label: str = attrs.field(converter=_printable)
    """Safe label text ("" for a continuation line or a timeline entry)."""
    pieces: tuple[Piece, ...]
    """The value, piece by piece."""
    bar: float | None = None
    """A fraction in [0, 1] that renderers with room draw as a progress bar after the value."""

    @property
    def text(self) -> str:
        """The value as plain text."""
        return "".join(piece.text for piece in self.pieces)


class Layout(StrEnum):
    """How a group's rows are laid out."""

    PAIRS = "pairs"
    """Label and value, the labels in a column."""
    LINES = "lines"
    """Each row a line of its own, without a label column (the events timeline)."""
    TABLE = "table"
    """A table of :data:`CHECKPOINT_COLUMNS` follows the title; the rows are not in the group
    (the app keeps its table by key, ``finetop show`` prints :func:`checkpoint_cells`)."""


@attrs.frozen
class Group:
    """A titled group of rows."""

    key: str
    """A stable id: ``overview``, ``progress``, ``cost``..."""
    title: str
    """What the group is called on screen."""
    rows: tuple[Row, ...] = ()
    layout: Layout = Layout.PAIRS
    note: tuple[Piece, ...] = ()
    """Pieces after the title (the checkpoints' count)."""


@attrs.frozen
class Times:
    """How times read: the zone, a suffix naming it, and ``now`` for ages."""

    now: float
    """Wall-clock Unix seconds, for ages, elapsed time and the ETA."""
    tz: tzinfo | None = None
    """The zone timestamps are shown in (the local zone when ``None``)."""
    zone: str = ""
    """Written after each timestamp (``" UTC"`` in printed output, which may be read anywhere)."""

    def stamp(self, timestamp: float | None) -> str:
        """``2024-05-31 16:23:12`` (and the zone suffix), or :data:`MISSING`."""
        text = fmt_time(timestamp, self.tz)
        return text if text == MISSING else text + self.zone

    def when(self, timestamp: float | None) -> tuple[Piece, ...]:
        """The timestamp and how long ago it was: ``2024-05-31 16:23:12  5m ago``."""
        if not is_number(timestamp):
            return (Piece(MISSING),)
        return (Piece(self.stamp(timestamp)), Piece(f"  {fmt_age(timestamp, self.now)}", Tone.DIM))


class DetailState(Protocol):
    """What the overview reads of a store view (``JobView`` fits) to say how fresh it is."""

    @property
    def detail_fetched_at(self) -> float | None:
        """When the detail was last fetched, on the store's monotonic clock."""

    @property
    def detail_final(self) -> bool:
        """Whether the detail held was fetched after the job finished."""

    @property
    def last_error(self) -> str | None:
        """The last error concerning the job."""


FileNames = Callable[[str], str | None]
"""A lookup: file id -> its filename, if known (a dict's or the pane's bounded cache's ``get``)."""


# --------------------------------------------------------------------------- small helpers


def _text(value: object, tone: Tone = Tone.PLAIN) -> Piece:
    """Server text as a piece; absent or empty reads as :data:`MISSING`."""
    if value is None or value == "":
        return Piece(MISSING)
    return Piece(safe_text(value), tone)


def _row(label: str, *pieces: Piece | str, bar: float | None = None) -> Row:
    return Row(label, tuple(p if isinstance(p, Piece) else Piece(p) for p in pieces), bar)


def _none() -> Piece:
    return Piece("none", Tone.MUTED)


def _label(value: object, fallback: str) -> str:
    """A label that came from a server (an integration's type): safe and short."""
    return safe_text(value, limit=LABEL_LIMIT) or fallback


def _raw(fields: object) -> Piece:
    """An entry of a type finetop does not know, as its ``key=value`` fields."""
    if not isinstance(fields, dict):
        return Piece(MISSING)
    shown = {k: v for k, v in fields.items() if k != "type"}
    return Piece(data_text(shown)) if shown else Piece(MISSING)


def job_title(job: Job) -> str:
    """The job's most telling name: its suffix, else its fine-tuned model, else its model."""
    return safe_text(job.suffix or job.fine_tuned_model or job.model) or MISSING


def _status(status: str) -> Piece:
    return Piece(status_label(status), Tone.STATUS, status=status)


# --------------------------------------------------------------------------- the groups


def header(job: Job) -> tuple[Piece, ...]:
    """The status and the job's most telling name, above the groups."""
    return (_status(job.status), Piece("  "), Piece(job_title(job), Tone.STRONG))


def overview(
    job: Job,
    times: Times,
    *,
    state: DetailState | None = None,
    monotonic_now: float | None = None,
) -> Group:
    """Identity, model, type and times; with a store view (``state``), how fresh the data is."""
    kind = job.kind.value
    job_type = job.job_type if job.job_type == kind else f"{job.job_type} ({kind})"
    rows = [
        _row("id", _text(job.id)),
        _row("status", _status(job.status)),
        _row("model", _text(job.model)),
        _row("type", _text(job_type)),
        _row("suffix", _text(job.suffix)),
        _row("fine-tuned model", _text(job.fine_tuned_model)),
        _row("created", *times.when(job.created_at)),
        _row("modified", *times.when(job.modified_at)),
        _row("auto start", fmt_bool(job.auto_start)),
        *_freshness(job, state, monotonic_now),
    ]
    return Group("overview", "Overview", tuple(rows))


def _freshness(job: Job, state: DetailState | None, monotonic_now: float | None) -> list[Row]:
    if state is None:
        return []
    if state.detail_final:
        text = "final (the job has finished)"
    elif is_detail(job):
        text = "live"
    else:
        text = "list only; the detail is being fetched"
    fetched = state.detail_fetched_at
    if fetched is not None and monotonic_now is not None:
        text += f", detail fetched {fmt_age(fetched, monotonic_now)}"
    rows = [_row("data", text)]
    if state.last_error:
        rows.append(_row("last error", Piece(safe_text(state.last_error), Tone.ERROR)))
    return rows


def progress(job: Job, times: Times) -> Group:
    """Steps with a bar, start and end times, elapsed time, rate and ETA."""
    measured = compute_progress(job, times.now)
    step = measured.step
    if step is None and measured.fraction == 1.0:
        step = measured.total_steps  # a successful job ran every step, checkpoints or not
    eta = fmt_duration(measured.eta)
    if measured.eta is not None and measured.eta_source == "estimate":
        eta += "  (from expected duration)"
    elif measured.eta is not None:
        eta += "  (from recent steps)"
    elif job.is_terminal:
        eta = "finished"
    estimated_start = job.metadata.estimated_start_time if job.metadata else None
    rows = (
        _row("steps", fmt_progress(step, measured.total_steps), bar=measured.fraction),
        _row("estimated start", *times.when(estimated_start)),
        _row("started", *times.when(measured.started_at)),
        _row("finished", *times.when(measured.finished_at)),
        _row("duration" if measured.finished_at else "elapsed", fmt_duration(measured.elapsed)),
        _row("rate", fmt_rate(measured.rate)),
        _row("ETA", eta),
    )
    return Group("progress", "Progress", rows)


def cost(job: Job) -> Group:
    """Cost, expected duration and token counts from the job's metadata."""
    meta = job.metadata

    def tokens(value: int | None) -> str:
        if not is_number(value) or (value == 0 and meta is not None):
            return MISSING  # zeros mean "not estimated yet" before VALIDATED
        return f"{fmt_tokens(value)}  ({fmt_count(value)})"

    if meta is None:
        money = MISSING
        expected = per_step = train = data = None
    else:
        currency = safe_text(meta.cost_currency, limit=LABEL_LIMIT) or None
        money = fmt_money(meta.cost, currency)
        expected = meta.expected_duration_seconds
        per_step, train, data = meta.train_tokens_per_step, meta.train_tokens, meta.data_tokens
    rows = (
        _row("cost", money),
        _row("expected duration", fmt_duration(expected or None)),
        _row("train tokens", tokens(train)),
        _row("tokens per step", tokens(per_step)),
        _row("data tokens", tokens(data)),
        _row("trained tokens", tokens(job.trained_tokens)),
    )
    return Group("cost", "Cost and tokens", rows)


def hyperparameters(job: Job) -> Group:
    """Every training parameter the job's kind has, in the model's field order."""
    params = job.hyperparameters
    rows = []
    for field in attrs.fields(type(params)):
        if field.name == "wire_keys":
            continue
        value = getattr(params, field.name)
        text = fmt_count(value) if isinstance(value, int) else fmt_float(value)
        rows.append(_row(field.name.replace("_", " "), text))
    return Group("hyperparameters", "Hyperparameters", tuple(rows))


def named_file_ids(job: Job) -> tuple[str, ...]:
    """The job's file ids worth asking the API a name for: at most :data:`FILE_LOOKUPS`, each
    short and printable (an id is server text too, and goes into a request's path)."""
    ids = (*job.training_files, *(job.validation_files or ()))
    plausible = (
        file_id
        for file_id in dict.fromkeys(ids)
        if 0 < len(file_id) <= FILE_ID_LIMIT and file_id.isprintable() and " " not in file_id
    )
    return tuple(itertools.islice(plausible, FILE_LOOKUPS))


def files(job: Job, names: FileNames) -> Group:
    """Training and validation files, each as ``name  id`` once its name is known."""
    rows = []
    for label, ids in (("training", job.training_files), ("validation", job.validation_files)):
        for index, pieces in enumerate(_file_list(ids, names)):
            rows.append(Row(label if index == 0 else "", pieces))
    return Group("files", "Files", tuple(rows))


def _file_list(ids: Sequence[str] | None, names: FileNames) -> list[tuple[Piece, ...]]:
    if ids is None:
        return [(Piece(MISSING),)]
    if not ids:
        return [(_none(),)]
    shown: list[tuple[Piece, ...]] = []
    for file_id in ids:
        name = names(file_id)
        if name:
            shown.append((_text(name), Piece(f"  {safe_text(file_id)}", Tone.MUTED)))
        else:
            shown.append((_text(file_id),))
    return shown


def integrations(job: Job) -> Group:
    """W&B project, run name and link; other integrations as their raw fields."""
    rows: list[Row] = []
    configured = job.integrations
    if configured is None:
        rows.append(_row("", MISSING))
    elif not configured:
        rows.append(_row("", _none()))
    for integration in configured or ():
        if isinstance(integration, WandbIntegration):
            rows.append(_row("W&B project", _text(integration.project)))
            rows.append(_row("run name", _text(integration.name or integration.run_name)))
            rows.append(_row("url", *wandb_url(integration.url)))
        else:
            rows.append(
                _row(_label(integration.type, "integration"), _raw(integration.raw)),
            )
    return Group("integrations", "Integrations", tuple(rows))


def wandb_url(url: str | None) -> tuple[Piece, ...]:
    """A W&B URL: a link when it may be opened, else inert text and why it is not a link."""
    if not url:
        return (Piece(MISSING), Piece("  (appears once the job runs)", Tone.DIM))
    check = check_link(url)
    if check.url is not None:
        return (Piece(safe_text(url), Tone.LINK, link=check.url),)
    return (Piece(safe_text(url)), Piece(f"  (not a link: {check.reason})", Tone.DIM))


def repositories(job: Job) -> Group | None:
    """The GitHub repositories of a completion job; ``None`` (no group) for other kinds."""
    if not isinstance(job, CompletionJob):
        return None  # classifier jobs have no repositories
    rows: list[Row] = []
    if not job.repositories:
        rows.append(_row("", _none()))
    for repo in job.repositories:
        if isinstance(repo, GithubRepository):
            ref = f"@{repo.ref}" if repo.ref else ""
            name = safe_text(f"{repo.owner}/{repo.name}{ref}")
            commit = safe_text(repo.commit_id[:12])
            note = f"  commit {commit}  weight {fmt_float(repo.weight)}"
            rows.append(_row("github", name, Piece(note, Tone.DIM)))
        else:
            rows.append(_row(_label(repo.type, "repository"), _raw(repo.raw)))
    return Group("repositories", "Repositories", tuple(rows))


def targets(job: Job) -> Group | None:
    """The targets of a classifier job and their labels; ``None`` (no group) for other kinds."""
    if not isinstance(job, ClassifierJob):
        return None
    if not isinstance(job, ClassifierJobDetails):
        return Group("targets", "Classifier targets", (_row("", Piece(NOT_LOADED, Tone.DIM)),))
    rows: list[Row] = []
    if not job.classifier_targets:
        rows.append(_row("", _none()))
    for target in job.classifier_targets:
        labels = [safe_text(label, limit=60) for label in target.labels[:LIST_LIMIT]]
        more = (
            f", … {len(target.labels) - LIST_LIMIT} more" if len(target.labels) > LIST_LIMIT else ""
        )
        listed = clip(", ".join(labels), LONG_TEXT_LIMIT) + more
        rows.append(_row("target", _text(target.name, Tone.STRONG)))
        rows.append(_row("labels", f"{len(target.labels)}: {listed}"))
        rows.append(_row("weight", fmt_float(target.weight)))
        rows.append(_row("loss function", _text(target.loss_function)))
    return Group("targets", "Classifier targets", tuple(rows))


def event_detail(event: Event) -> str:
    """What an event's ``data`` says besides its status (a failure's reason), as safe text."""
    data = event.data
    if not data:
        return ""
    rest = {key: value for key, value in data.items() if key != "status"}
    return data_text(rest) if rest else ""


def events(job: Job, times: Times) -> Group:
    """The job's events, oldest first, each with its time, name, status, data and age."""
    if not is_detail(job):
        note = "no events yet: they come with the job's detail"
        return Group("events", "Events", (_row("", Piece(note, Tone.MUTED)),), Layout.LINES)
    history = job.events_by_time
    if not history:
        return Group("events", "Events", (_row("", Piece("none yet", Tone.MUTED)),), Layout.LINES)
    rows = []
    for event in history:
        status = event.status
        detail = event_detail(event)
        rows.append(
            _row(
                "",
                Piece(times.stamp(event.created_at), Tone.MUTED),
                "  ",
                _text(event.name),
                "  ",
                _status(status) if status else Piece(""),
                Piece(f"  {detail}", Tone.DIM) if detail else Piece(""),
                Piece(f"  {fmt_age(event.created_at, times.now)}", Tone.DIM),
            )
        )
    return Group("events", "Events", tuple(rows), Layout.LINES)


CHECKPOINT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("step", "Step"),
    ("time", "Time"),
    ("train_loss", "Train loss"),
    ("valid_loss", "Valid loss"),
    ("perplexity", "Perplexity"),
)
"""Column keys and labels of the checkpoints table, in display order."""


def checkpoint_cells(checkpoint: Checkpoint, times: Times) -> tuple[str, ...]:
    """One checkpoint's cells, in :data:`CHECKPOINT_COLUMNS` order (numbers only: no server
    text). Validation metrics read ``—`` where no evaluation ran."""
    metrics = checkpoint.metrics
    return (
        str(checkpoint.step_number),
        times.stamp(checkpoint.created_at),
        fmt_loss(metrics.train_loss),
        fmt_loss(metrics.valid_loss) if metrics.evaluated else MISSING,
        fmt_perplexity(metrics.perplexity) if metrics.evaluated else MISSING,
    )


def validation_note(job: Job) -> str:
    """Why a job has no validation loss: ``no validation set``, ``not evaluated`` (finished
    without one) or ``not evaluated yet``. A finished job never says "yet"."""
    if job.validation_files is not None and not job.validation_files:
        return "no validation set"
    return "not evaluated" if job.is_terminal else "not evaluated yet"


def checkpoints(job: Job) -> Group:
    """The title of the checkpoints table: how many there are, how many were evaluated."""
    if not is_detail(job):
        note = f"  {NOT_LOADED}"
    elif by_step := job.checkpoints_by_step:
        evaluated = sum(1 for c in by_step if c.metrics.evaluated)
        note = f"  {len(by_step)}, {evaluated} evaluated"
        if not evaluated:
            note += f" ({validation_note(job)})"
    else:
        note = "  none yet"
    return Group("checkpoints", "Checkpoints", (), Layout.TABLE, (Piece(note, Tone.MUTED),))


def detail_groups(
    job: Job,
    times: Times,
    names: FileNames,
    *,
    state: DetailState | None = None,
    monotonic_now: float | None = None,
) -> tuple[Group, ...]:
    """Every group of ``job``, top to bottom (the kind's own groups only)."""
    groups: Iterable[Group | None] = (
        overview(job, times, state=state, monotonic_now=monotonic_now),
        progress(job, times),
        cost(job),
        hyperparameters(job),
        files(job, names),
        integrations(job),
        repositories(job),
        targets(job),
        events(job, times),
        checkpoints(job),
    )
    return tuple(group for group in groups if group is not None)
