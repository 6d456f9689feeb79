"""Numbers a chart reads out: a run's summary, and every metric at a step cursor.

The cursor stops at the steps that have a point (in any compared run). At a cursor step, each
metric reads from the nearest point at or before it; valid loss and perplexity only exist at
evaluated steps, so their readout says which step they come from.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import attrs

from tui.display.formats import MISSING, fmt_loss, fmt_perplexity
from tui.display.text import cell_width
from tui.monitor.curves.series import RunCurves, Sample

__all__ = [
    "SEPARATOR",
    "CursorReadout",
    "Summary",
    "cursor_stops",
    "move_cursor",
    "readout_at",
    "readout_text",
    "summarize",
    "summary_parts",
    "summary_text",
    "wrap_parts",
]

SEPARATOR = " · "
"""Between the pieces of a summary or a readout."""


@attrs.frozen
class Summary:
    """The numbers that sum up a run so far."""

    first: Sample | None
    """The first train loss."""
    last: Sample | None
    """The latest train loss."""
    minimum: Sample | None
    """The lowest train loss and its step."""
    best_valid: Sample | None
    """The lowest valid loss and its step."""
    last_valid: Sample | None
    """The latest valid loss."""
    perplexity: Sample | None
    """The perplexity at the latest evaluated step."""


def summarize(run: RunCurves) -> Summary:
    """The summary of one run."""
    return Summary(
        first=run.train.first,
        last=run.train.last,
        minimum=run.train.minimum,
        best_valid=run.valid.minimum,
        last_valid=run.valid.last,
        perplexity=run.perplexity.last,
    )


@attrs.frozen
class CursorReadout:
    """Every metric of one run at a cursor step."""

    step: int
    """The cursor's step."""
    train: Sample | None
    """The train loss at the cursor, or at the nearest checkpoint before it."""
    valid: Sample | None
    """The valid loss at the nearest evaluated step at or before the cursor."""
    perplexity: Sample | None
    """The perplexity at that same evaluated step."""


def readout_at(run: RunCurves, step: int) -> CursorReadout:
    """What each metric of ``run`` reads at ``step``."""
    return CursorReadout(
        step=step,
        train=run.train.at_or_before(step),
        valid=run.valid.at_or_before(step),
        perplexity=run.perplexity.at_or_before(step),
    )


def cursor_stops(runs: Sequence[RunCurves]) -> tuple[int, ...]:
    """Every step with a point in any run, in order: where the cursor can stand."""
    steps: set[int] = set()
    for run in runs:
        steps.update(run.train.steps)
        steps.update(run.valid.steps)
    return tuple(sorted(steps))


def move_cursor(stops: Sequence[int], step: int | None, offset: int) -> int | None:
    """The stop ``offset`` stops away from ``step`` (clamped to the ends).

    With no cursor yet, it appears on the newest stop.
    """
    if not stops:
        return None
    if step is None:
        return stops[-1]
    if offset < 0:
        index = bisect.bisect_left(stops, step) + offset
    else:
        # From between two stops, one step right is the next stop; zero stays at or before.
        index = bisect.bisect_right(stops, step) - 1 + offset
    return stops[min(max(index, 0), len(stops) - 1)]


def _at(sample: Sample | None) -> str:
    """``0.8161 @70``, or the missing mark."""
    if sample is None:
        return MISSING
    return f"{fmt_loss(sample.value)} @{sample.step}"


def summary_parts(summary: Summary, *, valid_note: str = "not evaluated yet") -> list[str]:
    """The summary's pieces: ``train 0.8161``, ``min 0.7755 @70``, ``first 2.301``,
    ``best valid 0.8197 @100``, ``ppl 1.7650`` (a caller may wrap between them).

    ``valid_note`` says why there is no valid loss (``no validation set`` for a job that has
    none: a finished job never says "yet").
    """
    if summary.last is None and summary.last_valid is None:
        return ["no checkpoints yet"]
    parts = [
        f"train {fmt_loss(summary.last.value) if summary.last else MISSING}",
        f"min {_at(summary.minimum)}",
        f"first {fmt_loss(summary.first.value) if summary.first else MISSING}",
        f"best valid {_at(summary.best_valid) if summary.best_valid else valid_note}",
    ]
    if summary.perplexity is not None:
        parts.append(f"ppl {fmt_perplexity(summary.perplexity.value)}")
    return parts


def summary_text(summary: Summary, *, valid_note: str = "not evaluated yet") -> str:
    """One line: ``train 0.8161 · min 0.7755 @70 · best valid 0.8197 @100 · ppl 1.7650``."""
    return SEPARATOR.join(summary_parts(summary, valid_note=valid_note))


def wrap_parts(parts: Sequence[str], width: int, separator: str = SEPARATOR) -> list[str]:
    """``parts`` joined by ``separator`` into lines of at most ``width`` cells, broken only
    between parts (a part wider than a line gets a line of its own, cut by the caller)."""
    lines: list[str] = []
    line = ""
    for part in parts:
        joined = f"{line}{separator}{part}" if line else part
        if line and cell_width(joined) > width:
            lines.append(line)
            line = part
        else:
            line = joined
    if line:
        lines.append(line)
    return lines


def readout_text(readout: CursorReadout) -> str:
    """One line: ``step 120 · train 0.8161 · valid 0.8197 (step 100) · ppl 1.7650``."""
    parts = [f"step {readout.step}"]
    train = readout.train
    if train is None:
        parts.append(f"train {MISSING}")
    else:
        where = "" if train.step == readout.step else f" (step {train.step})"
        parts.append(f"train {fmt_loss(train.value)}{where}")
    valid = readout.valid
    if valid is None:
        parts.append("valid not evaluated yet")
    else:
        where = "" if valid.step == readout.step else f" (step {valid.step})"
        parts.append(f"valid {fmt_loss(valid.value)}{where}")
    if readout.perplexity is not None:
        parts.append(f"ppl {fmt_perplexity(readout.perplexity.value)}")
    return SEPARATOR.join(parts)
