"""The detail pane's scroll container: it takes the focus (``tab``, ``enter``) and scrolls.

The arrows, page keys and home/end scroll it as in any scroll view; ``j``/``k`` do the same
as down/up (ids ``detail_down``/``detail_up`` in :mod:`tui.app.actions`), beside the list and
in the full-screen detail alike, so the keys that move through the list move through the
detail once it has the focus.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.containers import VerticalScroll

from tui.app.actions import Scope, bindings_for

__all__ = ["DetailScroll"]


class DetailScroll(VerticalScroll):
    """A vertical scroll container with the detail's keys."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for(Scope.DETAIL, read_only=True)
