"""The cells of a job list row, built from a :class:`JobView` with no widget around them.

:data:`COLUMNS` names every column in display order, :func:`fit_columns` picks the ones that fit
a width, :func:`row_cells` builds a job's whole row and :func:`time_cells` the cells that change
with the clock alone. Nothing here holds state or needs a running app: the table widget
(:mod:`tui.app.widgets.job_table`) keeps its rows in step with these.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
from rich.text import Text

from tui.api.models import Job, StatusGroup, status_group
from tui.app.widgets.status_badge import DEFAULT_GROUP_STYLES
from tui.display.formats import MISSING, fmt_age, fmt_duration, fmt_loss, short_id
from tui.monitor.labels import status_label
from tui.monitor.progress import compute_progress
from tui.monitor.store import JobView

__all__ = [
    "COLUMNS",
    "COLUMN_INDEX",
    "TIME_COLUMNS",
    "CellStyles",
    "JobIdCell",
    "fit_columns",
    "row_cells",
    "status_cell",
    "time_cells",
]

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("status", "Status", 12),
    ("id", "Id", 8),
    ("name", "Name", 12),
    ("progress", "Progress", 18),
    ("eta", "ETA/took", 8),
    ("train", "Train", 6),
    ("valid", "Valid", 6),
    ("model", "Model", 14),
    ("type", "Type", 5),
    ("age", "Age", 7),
)
"""``(key, label, width)`` of every column, in display order. What tells a run apart and how it
is doing come first, so an 80-column terminal shows them without scrolling sideways. The name
column's width is its minimum: it grows into the room the other columns leave."""

DROP_ORDER: tuple[str, ...] = ("type", "age", "model", "valid", "train", "eta")
"""Columns left out, in this order, while the shown ones are wider than the table."""
NAME_MAX_WIDTH = 30
"""The widest the name column grows."""
CELL_PADDING = 1
"""The table's padding on each side of a cell (DataTable's default)."""
SCROLLBAR_WIDTH = 1
"""Room kept for the vertical scrollbar (``scrollbar-size-vertical`` in app.tcss)."""

TIME_COLUMNS = ("age", "progress", "eta")
"""Columns whose text depends on ``now`` (refreshed for visible rows on a timer), in the order
:func:`time_cells` returns them."""
COLUMN_INDEX = {key: index for index, (key, _, _) in enumerate(COLUMNS)}
"""Each column's index in :data:`COLUMNS` (and in what :func:`row_cells` returns)."""

_KIND_WORDS = {"completion": "compl", "classifier": "class"}

BAR_WIDTH = 8
STEP_WIDTH = 9
"""Room for ``step/total`` before the bar (``1000/1000``): the bar never moves or shrinks."""
BAR_FILLED = "█"
BAR_EMPTY = "·"
"""The empty part is a dot, not a shaded block: in the cursor row (dark text on the accent
colour) a shaded block would read as filled and the bar as inverted."""


def fit_columns(width: int) -> tuple[tuple[str, int], ...]:
    """``(key, width)`` of the columns shown in a table ``width`` cells wide (scrollbar
    included), in display order; the name column takes what is left, up to its maximum."""
    widths = {key: column_width for key, _, column_width in COLUMNS}
    shown = [key for key, _, _ in COLUMNS]
    room = width - SCROLLBAR_WIDTH

    def total() -> int:
        return sum(widths[key] + 2 * CELL_PADDING for key in shown)

    for key in DROP_ORDER:
        if total() <= room:
            break
        shown.remove(key)
    widths["name"] = max(widths["name"], min(NAME_MAX_WIDTH, widths["name"] + room - total()))
    return tuple((key, widths[key]) for key in shown)


class JobIdCell(Text):
    """The id cell: shows the short id and carries the full one (used to reorder rows)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(short_id(job_id), no_wrap=True, end="")
        self.job_id = job_id
        """The full job id."""


def status_cell(status: str, styles: Mapping[StatusGroup, str] | None = None) -> Text:
    """Glyph and word (never colour alone), styled by status group (``styles``: the theme's)."""
    style = (styles or DEFAULT_GROUP_STYLES).get(status_group(status), "")
    return Text(status_label(status, short=True), style=style, no_wrap=True, end="")


def _bar(fraction: float | None) -> str:
    filled = round(max(0.0, min(1.0, fraction or 0.0)) * BAR_WIDTH)
    return BAR_FILLED * filled + BAR_EMPTY * (BAR_WIDTH - filled)


def _steps_label(step: int, total: int) -> str:
    """``step/total`` right-aligned in :data:`STEP_WIDTH` cells (a percentage if too long)."""
    label = f"{step}/{total}"
    if len(label) > STEP_WIDTH:
        label = f"{100 * step / total:.0f}%"
    return label.rjust(STEP_WIDTH)


def _plain(value: str | None, style: str = "") -> Text:
    """User data as plain text: a suffix with ``[`` must never be read as markup."""
    return Text(value or MISSING, style=style, no_wrap=True, overflow="ellipsis", end="")


def _name(job: Job) -> str | None:
    if job.suffix:
        return job.suffix
    model = job.fine_tuned_model
    if model and model.startswith("ft:"):
        # ft:base:workspace:suffix:hash — the tail is what tells models apart.
        return ":".join(model.split(":")[-2:])
    return model


def time_cells(view: JobView, now: float, muted: str = "dim") -> tuple[Text, Text, Text]:
    """The age, progress and ETA (or duration) cells of a job at wall time ``now``."""
    job = view.job
    progress = compute_progress(job, now)
    # "just now" does not fit the column; "now" says the same.
    age_text = fmt_age(job.created_at, now).replace("just now", "now")
    age = Text(age_text, no_wrap=True, end="")
    if progress.total_steps:
        # The summary keeps the last step when the detail body was evicted.
        step = progress.step or view.summary.step or 0
        if job.status == "SUCCESS":
            step = max(step, progress.total_steps)
        label = _steps_label(step, progress.total_steps)
        fraction = 1.0 if job.status == "SUCCESS" else step / progress.total_steps
        prog = Text(f"{label} {_bar(fraction)}", no_wrap=True, overflow="ellipsis", end="")
    else:
        prog = Text(MISSING, no_wrap=True, end="")
    # The header says "ETA/took": a time left in plain text, a finished run's duration dim.
    if progress.eta is not None:
        eta = Text(fmt_duration(progress.eta), no_wrap=True, overflow="ellipsis", end="")
    elif progress.finished_at is not None and progress.elapsed is not None:
        eta = Text(
            fmt_duration(progress.elapsed),
            style=muted,
            no_wrap=True,
            overflow="ellipsis",
            end="",
        )
    else:
        eta = Text(MISSING, no_wrap=True, end="")
    return age, prog, eta


@attrs.frozen
class CellStyles:
    """The styles cells take from the theme."""

    groups: Mapping[StatusGroup, str] | None = None
    """Status colours (``None``: named ANSI colours)."""
    muted: str = "dim"
    """Secondary text: a finished run's duration, the base model standing in for a name.
    High-contrast themes use italic instead: dim text on the cursor row is unreadable."""


def row_cells(view: JobView, now: float, styles: CellStyles | None = None) -> tuple[Text, ...]:
    """Every cell of a job's row, in :data:`COLUMNS` order."""
    job = view.job
    styles = styles or CellStyles()
    age, prog, eta = time_cells(view, now, styles.muted)
    cells = {
        "status": status_cell(job.status, styles.groups),
        "id": JobIdCell(job.id),
        "model": _plain(job.model),
        "type": Text(_KIND_WORDS.get(str(job.kind), job.job_type), no_wrap=True, end=""),
        # No suffix and no fine-tuned model yet: the base model (dim) still says what it is.
        "name": _plain(_name(job)) if _name(job) else _plain(job.model, style=styles.muted),
        "age": age,
        "progress": prog,
        "train": Text(fmt_loss(view.summary.train_loss), no_wrap=True, end=""),
        "valid": Text(fmt_loss(view.summary.valid_loss), no_wrap=True, end=""),
        "eta": eta,
    }
    return tuple(cells[key] for key, _, _ in COLUMNS)
