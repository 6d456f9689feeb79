"""Training curves for charts: series from checkpoints, scales, ticks, readouts and frames.

Headless (no Textual): the app's chart widget styles what :func:`layout_frame` lays out, and
anything else (a test, a plain-text renderer) can read the same frame as text.
"""

from tui.monitor.curves.frame import (
    MIN_HEIGHT,
    MIN_WIDTH,
    ChartFrame,
    PlotGeometry,
    layout_frame,
)
from tui.monitor.curves.ink import Ink, Role, Row, Span
from tui.monitor.curves.plot import MAX_RUNS, ChartOptions, ChartPlot, LineKind, build_plot
from tui.monitor.curves.readout import (
    SEPARATOR,
    CursorReadout,
    Summary,
    cursor_stops,
    move_cursor,
    readout_at,
    readout_text,
    summarize,
    summary_parts,
    summary_text,
    wrap_parts,
)
from tui.monitor.curves.scale import YScale, find_spikes, robust_scale
from tui.monitor.curves.series import Curve, RunCurves, Sample, curves_from_job, run_label
from tui.monitor.curves.smoothing import ema

__all__ = [
    "MAX_RUNS",
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "SEPARATOR",
    "ChartFrame",
    "ChartOptions",
    "ChartPlot",
    "CursorReadout",
    "Curve",
    "Ink",
    "LineKind",
    "PlotGeometry",
    "Role",
    "Row",
    "RunCurves",
    "Sample",
    "Span",
    "Summary",
    "YScale",
    "build_plot",
    "cursor_stops",
    "curves_from_job",
    "ema",
    "find_spikes",
    "layout_frame",
    "move_cursor",
    "readout_at",
    "readout_text",
    "robust_scale",
    "run_label",
    "summarize",
    "summary_parts",
    "summary_text",
    "wrap_parts",
]
