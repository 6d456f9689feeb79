"""The cells of a job list row, built from a :class:`JobView` with no widget around them.

:func:`row_cells` builds every cell of a job's row (keyed by column, see
:mod:`tui.app.widgets.job_columns`), :func:`time_cells` the cells that change with the clock
alone and :func:`content_widths` the widths the columns sized by content measure. Nothing here
holds state or needs a running app. Server text (names, models, statuses) goes through the
display boundary (:func:`tui.display.text.safe_text`) and is never read as markup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import attrs
from rich.cells import cell_len
from rich.text import Text

from tui.api.models import Job, StatusGroup, is_detail, status_group
from tui.app.widgets.status_badge import DEFAULT_GROUP_STYLES, group_styles_from_theme
from tui.display.formats import MISSING, fmt_age, fmt_duration, fmt_loss, short_id
from tui.display.text import safe_text
from tui.monitor.labels import status_label
from tui.monitor.naming import job_name, short_model
from tui.monitor.progress import compute_progress
from tui.monitor.store import JobView

__all__ = [
    "CONTENT_KEYS",
    "SPARK_LEVELS",
    "TIME_COLUMNS",
    "CellStyles",
    "content_widths",
    "name_text",
    "row_cells",
    "sparkline",
    "status_cell",
    "time_cells",
]

TIME_COLUMNS = ("age", "progress", "eta")
"""Columns whose text depends on ``now`` (refreshed for visible rows on a timer), in the order
:func:`time_cells` returns them."""

SPARK_LEVELS = "▁▂▃▄▅▆▇█"
"""The sparkline's eight heights."""
SPARK_WIDTH = 8
"""Points in a row's sparkline (the column's width)."""

_KIND_WORDS = {"completion": "compl", "classifier": "class"}

BAR_WIDTH = 8
STEP_WIDTH = 9
"""Room for ``step/total`` before the bar (``1000/1000``): the bar never moves or shrinks."""
BAR_FILLED = "█"
BAR_EMPTY = "·"
"""The empty part is a dot, not a shaded block: in the cursor row (dark text on the accent
colour) a shaded block would read as filled and the bar as inverted."""


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
    """Server text (already through ``safe_text``) as plain text, never read as markup."""
    return Text(value or MISSING, style=style, no_wrap=True, overflow="ellipsis", end="")


def name_text(job: Job) -> tuple[str, bool]:
    """What the name column shows, and whether it stands in for a missing name (the base
    model, drawn muted: a job without a suffix has no name of its own)."""
    name = job_name(job)
    if name:
        return safe_text(name), False
    return safe_text(job.model), True


def sparkline(values: Sequence[float], width: int = SPARK_WIDTH) -> str:
    """``values`` as at most ``width`` bar heights (evenly thinned), lowest to highest."""
    points = [value for value in values if math.isfinite(value)]
    if len(points) > width:
        step = len(points) / width
        points = [points[min(len(points) - 1, round((i + 1) * step) - 1)] for i in range(width)]
    if not points:
        return ""
    low, high = min(points), max(points)
    top = len(SPARK_LEVELS) - 1
    if high == low:
        return SPARK_LEVELS[top // 2] * len(points)
    return "".join(SPARK_LEVELS[round((value - low) / (high - low) * top)] for value in points)


def _train_curve(view: JobView) -> str:
    """The train-loss sparkline of a running job whose checkpoints the store holds."""
    job = view.job
    if status_group(job.status) is not StatusGroup.RUNNING or not is_detail(job):
        return ""
    return sparkline(
        [c.metrics.train_loss for c in job.checkpoints_by_step if c.metrics.train_loss is not None]
    )


def content_widths(job: Job) -> tuple[int, int, int, int]:
    """Widths of the job's status, name, model and short model cells (as :func:`row_cells`
    draws them), for the columns sized by their content."""
    model = safe_text(job.model)
    return (
        cell_len(status_label(job.status, short=True)),
        cell_len(name_text(job)[0]),
        cell_len(model),
        cell_len(short_model(model)),
    )


CONTENT_KEYS = ("status", "name", "model", "model_short")
"""What each of :func:`content_widths` measures (the keys :func:`fit_columns` reads)."""


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
    # The header says "ETA/took": a time left in plain text, a finished run's duration dim
    # (a list item does not tell it: the summary keeps what a detail or the history said).
    took = progress.elapsed if progress.elapsed is not None else view.summary.duration
    if progress.eta is not None:
        eta = Text(fmt_duration(progress.eta), no_wrap=True, overflow="ellipsis", end="")
    elif progress.finished_at is not None and took is not None:
        eta = Text(
            fmt_duration(took),
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

    @classmethod
    def from_theme(cls, variables: Mapping[str, str], *, ansi: bool) -> CellStyles:
        """The styles a theme gives (ANSI themes keep the terminal's own colours)."""
        muted = variables.get("finetop-muted-style", "dim")
        if ansi:
            return cls(muted=muted)
        return cls(groups=group_styles_from_theme(variables), muted=muted)


def row_cells(view: JobView, now: float, styles: CellStyles | None = None) -> dict[str, Text]:
    """Every cell of a job's row, keyed by column (``model_short``: the short model name)."""
    job = view.job
    styles = styles or CellStyles()
    age, prog, eta = time_cells(view, now, styles.muted)
    name, stands_in = name_text(job)
    model = safe_text(job.model)
    return {
        "status": status_cell(job.status, styles.groups),
        "id": Text(short_id(job.id), no_wrap=True, end=""),
        "name": _plain(name, style=styles.muted if stands_in else ""),
        "model": _plain(model),
        "model_short": _plain(short_model(model)),
        "progress": prog,
        "eta": eta,
        "train": Text(fmt_loss(view.summary.train_loss), no_wrap=True, end=""),
        "valid": Text(fmt_loss(view.summary.valid_loss), no_wrap=True, end=""),
        "spark": Text(_train_curve(view), no_wrap=True, end=""),
        "age": age,
        "type": Text(_KIND_WORDS.get(str(job.kind), job.job_type), no_wrap=True, end=""),
    }
