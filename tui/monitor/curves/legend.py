"""The text rows above a chart: the key of a one-run chart, the legend of compared runs, and
the readout at the step cursor. Each is a list of ``(text, ink)`` pieces fitted to a width.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.display.formats import fmt_loss
from tui.display.text import cell_width, fit_cells
from tui.monitor.curves.ink import (
    SPIKE_ABOVE,
    TRAIN_GLYPH,
    VALID_GLYPH,
    Ink,
    Role,
    Row,
    Span,
)
from tui.monitor.curves.plot import ChartPlot
from tui.monitor.curves.readout import readout_at, readout_text

__all__ = [
    "Piece",
    "cursor_pieces",
    "fit_row",
    "key_pieces",
    "run_legend_pieces",
    "runs_line_pieces",
]

Piece = tuple[str, Ink]
"""A piece of a text row and its ink."""

_BLANK = Ink(Role.BLANK)
_TEXT = Ink(Role.TEXT)
_MUTED = Ink(Role.MUTED)


def fit_row(pieces: Sequence[Piece], width: int) -> Row:
    """Pieces laid left to right, the last one that overflows cut, padded to ``width`` cells."""
    spans: list[Span] = []
    used = 0
    for text, ink in pieces:
        room = width - used
        if room <= 0:
            break
        fitted = fit_cells(text, room)
        if fitted:
            spans.append(Span(fitted, ink))
            used += cell_width(fitted)
    if used < width:
        spans.append(Span(" " * (width - used), _BLANK))
    return tuple(spans)


def _view_state(plot: ChartPlot) -> str:
    """``last 200 steps · log``: the options that change what the chart shows."""
    options = plot.options
    parts = []
    if options.last_steps is not None:
        parts.append(f"last {options.last_steps} steps")
    if options.log_scale:
        parts.append("log")
    return " · ".join(parts)


def key_pieces(plot: ChartPlot, *, clipped: bool) -> list[Piece]:
    """``⠤⠤ train  ⠄⠄ valid  ▲ off scale   last 200 steps · log``.

    With several runs each has its own colour, so the glyph samples are drawn in plain text.
    """
    options = plot.options
    several = len(plot.runs) > 1
    train, valid = (_TEXT, _TEXT) if several else (Ink(Role.TRAIN), Ink(Role.VALID))
    pieces: list[Piece] = [(TRAIN_GLYPH, train), (" train", _TEXT)]
    if options.smoothing > 0:
        pieces += [
            (f" ema {options.smoothing:g}, raw ", _MUTED),
            (TRAIN_GLYPH, _MUTED if several else Ink(Role.TRAIN_RAW)),
        ]
    pieces += [("  ", _BLANK), (VALID_GLYPH, valid), (" valid", _TEXT)]
    if clipped:
        pieces += [("  ", _BLANK), (SPIKE_ABOVE, Ink(Role.SPIKE)), (" off scale", _MUTED)]
    if state := _view_state(plot):
        pieces += [("   ", _BLANK), (state, _MUTED)]
    return pieces


def cursor_pieces(plot: ChartPlot, step: int) -> list[Piece]:
    """The readout of the first run at the cursor: ``step 120 · train 0.8161 · valid ...``."""
    return [(readout_text(readout_at(plot.runs[0], step)), Ink(Role.CURSOR))]


def run_legend_pieces(plot: ChartPlot, index: int, cursor_step: int | None) -> list[Piece]:
    """``1 ⠤⠤ ab12cd34 suffix  best valid 0.8197 @100`` (or the run's readout at the cursor)."""
    run = plot.runs[index]
    ink = Ink(Role.TRAIN, run=index)
    pieces: list[Piece] = [(f"{index + 1} ", ink), (TRAIN_GLYPH, ink), (" ", _BLANK)]
    pieces.append((run.label or "(no job)", _TEXT))
    if cursor_step is not None:
        pieces.append(("  " + readout_text(readout_at(run, cursor_step)), _MUTED))
        return pieces
    best = run.best_valid
    detail = (
        f"best valid {fmt_loss(best.value)} @{best.step}" if best else f"valid {run.valid_note}"
    )
    pieces.append(("  " + detail, _MUTED))
    return pieces


def runs_line_pieces(plot: ChartPlot) -> list[Piece]:
    """Every compared run on one line: ``1 ab12cd34 0.8197 · 2 ffe01122 0.8311``."""
    pieces: list[Piece] = []
    for index, run in enumerate(plot.runs):
        if index:
            pieces.append((" · ", _MUTED))
        best = run.best_valid
        pieces.append((f"{index + 1} ", Ink(Role.TRAIN, run=index)))
        pieces.append((run.label or "(no job)", _TEXT))
        if best is not None:
            pieces.append((f" {fmt_loss(best.value)}", _MUTED))
    if state := _view_state(plot):
        pieces += [("   ", _BLANK), (state, _MUTED)]
    return pieces
