"""A tiny app that hosts one ``MetricsChart``, for the chart's Pilot tests and benchmark.

``RecordingChart`` is the chart itself, noting the regions each refresh asked to repaint
(``None`` for the whole widget), so a test can tell a partial repaint from a full one.
"""

from __future__ import annotations

from typing import Self

from textual.app import App, ComposeResult
from textual.geometry import Region

from tui.app.widgets.chart import MetricsChart

__all__ = ["ChartHost", "RecordingChart"]


class RecordingChart(MetricsChart):
    """A chart that records what each ``refresh`` asked for."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.refreshes: list[tuple[Region, ...] | None] = []
        """Each refresh's regions, ``None`` for a whole-widget refresh."""

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        self.refreshes.append(regions or None)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


class ChartHost(App[None]):
    """One chart filling the screen."""

    CSS = "Screen { layout: vertical; }"

    def __init__(self, **chart_options: object) -> None:
        super().__init__()
        self.chart = RecordingChart(**chart_options)
        """The hosted chart."""

    def compose(self) -> ComposeResult:
        yield self.chart
