"""The detail pane's sections: the core's detail groups rendered as Textual ``Content``.

The groups, their labels and their (already safe) values come from
:mod:`tui.monitor.detail_groups`, which ``finetop show`` renders too; this module only lays them
out and styles them. Every piece becomes plain ``Content`` text (never markup), styled by its
tone: a status by its group's colour, a checked URL as an OSC 8 link.

Every builder takes what it renders from (the job, the clock, the zone, known file names) and
``width``, the pane's content width, which decides how long values wrap: ``0`` means unknown
(not laid out yet) and nothing wraps. Missing values read as ``—`` (``MISSING``), never ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo

from textual.cache import LRUCache
from textual.content import Content
from textual.style import Style

from tui.api.models import Job, status_group
from tui.app.widgets.status_badge import THEME_GROUP_STYLES
from tui.display.formats import progress_bar
from tui.monitor import detail_groups as groups
from tui.monitor.detail_groups import (
    LABEL_WIDTH,
    DetailState,
    Group,
    Layout,
    Piece,
    Row,
    Times,
    Tone,
)

__all__ = [
    "checkpoints_heading",
    "cost",
    "events",
    "files",
    "group_content",
    "header",
    "hyperparameters",
    "integrations",
    "overview",
    "piece_part",
    "pieces_content",
    "progress",
    "repositories",
    "targets",
]

_DEEP_INDENT = 4
"""Indent of a value moved under its label (a token too long for the value column)."""
_BAR_STYLE = "$primary"

_TONE_STYLES: dict[Tone, str] = {
    Tone.PLAIN: "",
    Tone.MUTED: "$text-muted",
    Tone.DIM: "dim",
    Tone.STRONG: "bold",
    Tone.ERROR: "$error",
}
"""Styles of the tones that need nothing but a style string (status and link are per piece)."""


Part = str | tuple[str, str | Style]
"""A part of ``Content.assemble``: plain text, or text and a style (never markup)."""


def piece_part(piece: Piece) -> Part:
    """One piece as a part of ``Content.assemble``, with its tone's style."""
    if piece.tone is Tone.STATUS and piece.status is not None:
        return (piece.text, THEME_GROUP_STYLES[status_group(piece.status)])
    if piece.tone is Tone.LINK and piece.link is not None:
        return (piece.text, Style(link=piece.link, underline=True))
    style = _TONE_STYLES.get(piece.tone, "")
    return (piece.text, style) if style else piece.text


def pieces_content(pieces: Iterable[Piece]) -> Content:
    """Pieces side by side, as plain ``Content`` text with their styles."""
    return Content.assemble(*(piece_part(piece) for piece in pieces))


def group_content(group: Group | None, width: int) -> Content | None:
    """A whole group: its bold title, then its rows laid out for ``width``."""
    if group is None:
        return None
    # One assemble for the whole group: a timeline of hundreds of events is one pass.
    parts: list[Part | Content] = [(group.title, "bold $primary")]
    parts += [piece_part(piece) for piece in group.note]
    if group.layout is Layout.TABLE:
        return Content.assemble(*parts)
    for row in group.rows:
        if group.layout is Layout.LINES:
            parts.append("\n  ")
            parts += [piece_part(piece) for piece in row.pieces]
        else:
            parts += ["\n", _kv(width, row)]
    return Content.assemble(*parts)


def _kv(width: int, row: Row) -> Content:
    """One ``label   value`` line; the label muted and padded so values line up.

    A value too long for the pane wraps under itself (a hanging indent), not under the label.
    A single word too long for the value column (a job id, a model name, a URL) is not cut
    in two: it moves to the lines under the label, where it has nearly the whole width,
    and only a word longer than that is folded.
    """
    indent = 2 + LABEL_WIDTH
    head = Content.styled(f"  {row.label:<{LABEL_WIDTH}}", "$text-muted")
    body = pieces_content(row.pieces)
    if row.bar is not None:
        # The bar shares the line with the value: narrower in a narrow pane, never wrapped.
        room = width - indent - body.cell_length - 2 if width else 20
        bar = progress_bar(row.bar, max(8, min(20, room)))
        body += Content.styled("  " + bar, _BAR_STYLE)
    room = width - indent
    if room < 16 or body.cell_length <= room:
        return head + body
    longest = max((len(word) for word in body.plain.split()), default=0)
    if longest <= room:
        return head + Content("\n" + " " * indent).join(body.wrap(room))
    deep = Content("\n" + " " * _DEEP_INDENT)
    return head.rstrip() + deep + deep.join(body.wrap(width - _DEEP_INDENT))


# ------------------------------------------------------------------ one builder per section


def header(job: Job) -> Content:
    """The status badge and the job's most telling name, above the sections."""
    return pieces_content(groups.header(job))


def overview(
    job: Job,
    *,
    now: float,
    tz: tzinfo | None,
    width: int,
    view: DetailState | None = None,
    monotonic_now: float | None = None,
) -> Content:
    """Identity, model, type and times; with a store ``view``, how fresh the data is."""
    group = groups.overview(job, Times(now, tz), state=view, monotonic_now=monotonic_now)
    return _content(group, width)


def progress(job: Job, *, now: float, tz: tzinfo | None, width: int) -> Content:
    """Steps with a bar, start and end times, elapsed time, rate and ETA."""
    return _content(groups.progress(job, Times(now, tz)), width)


def cost(job: Job, *, width: int) -> Content:
    """Cost, expected duration and token counts from the job's metadata."""
    return _content(groups.cost(job), width)


def hyperparameters(job: Job, *, width: int) -> Content:
    """Every training parameter the job's kind has."""
    return _content(groups.hyperparameters(job), width)


def files(job: Job, names: Mapping[str, str] | LRUCache[str, str], *, width: int) -> Content:
    """Training and validation files, each as ``name  id`` once its name is known."""
    return _content(groups.files(job, names.get), width)


def integrations(job: Job, *, width: int) -> Content:
    """W&B project, run name and link; other integrations as their fields."""
    return _content(groups.integrations(job), width)


def repositories(job: Job, *, width: int) -> Content | None:
    """The GitHub repositories of a completion job; ``None`` (no section) for other kinds."""
    return group_content(groups.repositories(job), width)


def targets(job: Job, *, width: int) -> Content | None:
    """The targets of a classifier job and their labels; ``None`` for other kinds."""
    return group_content(groups.targets(job), width)


def events(job: Job, *, now: float, tz: tzinfo | None, width: int) -> Content:
    """The job's events, oldest first, each with its time, name, status and age."""
    return _content(groups.events(job, Times(now, tz)), width)


def checkpoints_heading(job: Job) -> Content:
    """The heading above the checkpoints table: how many there are, how many were evaluated."""
    return _content(groups.checkpoints(job), 0)


def _content(group: Group, width: int) -> Content:
    content = group_content(group, width)
    assert content is not None
    return content
