"""Which arrangement of list, chart and detail the main screen takes at a terminal size.

The job list always keeps about 8 rows and the selected job's chart at least 4; the detail gets
what is left, or opens full screen with ``enter`` when there is no room for it:

- ``-wide`` (from :data:`WIDE_WIDTH` columns): the list on the left; on the right the chart
  above the detail;
- ``-split`` (narrower, from :data:`SPLIT_HEIGHT` rows): the list above; below it the chart
  and the detail, side by side from :data:`BESIDE_WIDTH` columns (``-beside``), else stacked;
- ``-compact`` (narrower and shorter, 80x24 to 159x45): the list above the chart; ``enter``
  shows the detail instead of both (``-detail-full``). Below :data:`SHORT_HEIGHT` rows
  (``-short``) the chart gives way to its one-line readout.

The heights themselves are shares of the body in ``app.tcss``; this module only names the
arrangement, so the rules are tested without a terminal.
"""

from __future__ import annotations

from enum import StrEnum

import attrs

__all__ = [
    "BESIDE_WIDTH",
    "SHORT_HEIGHT",
    "SPLIT_HEIGHT",
    "WIDE_WIDTH",
    "Arrangement",
    "MainLayout",
]

WIDE_WIDTH = 160
"""From this width the list is beside the chart and detail (the list then keeps every column
but type and age; below it, a list beside a 58-column pane would lose the losses too)."""
SPLIT_HEIGHT = 46
"""From this height (when not wide) the detail sits below the list with the chart; below it the
detail opens full screen with ``enter``: at 120x40 a third of the body each would leave the list,
the chart and the detail all cramped (and a detail repainting beside a chart at every
checkpoint costs a terminal over SSH more than the chart does)."""
BESIDE_WIDTH = 120
"""From this width (split) the chart and the detail share the lower half side by side."""
SHORT_HEIGHT = 18
"""Below this height the list's 8 rows leave no room for a chart: only its readout line shows."""


class Arrangement(StrEnum):
    """The three arrangements, named by the CSS class the screen carries."""

    WIDE = "-wide"
    SPLIT = "-split"
    COMPACT = "-compact"


@attrs.frozen
class MainLayout:
    """The arrangement for one terminal size."""

    arrangement: Arrangement
    """Wide, split or compact."""
    beside: bool = False
    """Split: the chart and the detail side by side (else one above the other)."""
    short: bool = False
    """Compact on a very short terminal: the chart reduced to its readout line."""

    @classmethod
    def for_size(cls, width: int, height: int) -> MainLayout:
        """The layout for a ``width`` x ``height`` terminal."""
        if width >= WIDE_WIDTH:
            return cls(Arrangement.WIDE)
        if height >= SPLIT_HEIGHT:
            return cls(Arrangement.SPLIT, beside=width >= BESIDE_WIDTH)
        return cls(Arrangement.COMPACT, short=height < SHORT_HEIGHT)

    @property
    def detail_shown(self) -> bool:
        """Whether the detail has a place next to the list (else it opens full screen)."""
        return self.arrangement is not Arrangement.COMPACT

    def classes(self) -> dict[str, bool]:
        """Every layout class of the screen and whether it applies."""
        flags = {arrangement.value: arrangement is self.arrangement for arrangement in Arrangement}
        flags["-beside"] = self.beside
        flags["-short"] = self.short
        return flags
