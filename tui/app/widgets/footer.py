"""The footer, fitted to the terminal's width: keys that do not fit are left out, not cut.

Textual's footer lays its keys out in one row and cuts whatever runs past the edge, on an
80-column terminal in the middle of a key. This one measures the keys and leaves out the least
needed ones until the rest fits: first the command palette hint, then the keys in
:data:`DROP_ORDER`. Help (``?``) and quit are always shown; help lists every key.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["DROP_ORDER", "FitFooter", "footer_key_width"]

DROP_ORDER: tuple[str, ...] = (
    "app.toggle_pause",
    "app.refresh_now",
    "sort_column",
    "app.cancel_job",
    "filter",
    "open_detail",
    "close_detail",
    "select_cursor",
)
"""Actions whose keys are left out, in this order, while the footer is too wide."""

PALETTE_CLASS = "-command-palette"


def footer_key_width(key_display: str, description: str, *, palette: bool = False) -> int:
    """Cells a footer key takes: `` key `` then ``description `` (and the palette hint's
    border and right padding)."""
    width = cell_len(key_display) + 2
    if description:
        width += cell_len(description) + 1
    if palette:
        width += 2
    return width


def _width(widget: Widget) -> int:
    if isinstance(widget, FooterKey):
        return footer_key_width(
            widget.key_display, widget.description, palette=widget.has_class(PALETTE_CLASS)
        )
    return 0  # nothing else is composed without groups (finetop's bindings have none)


class FitFooter(Footer):
    """A :class:`Footer` that shows only the keys that fit its width."""

    def __init__(self) -> None:
        super().__init__()
        self._fitted_width = 0
        self.shown_actions: list[str] = []
        """The actions whose keys are shown (tests read it)."""

    def compose(self) -> ComposeResult:
        items = list(super().compose())
        room = self.size.width or self.app.size.width
        self._fitted_width = room

        def total() -> int:
            return sum(_width(item) for item in items)

        if total() > room:
            items = [item for item in items if not item.has_class(PALETTE_CLASS)]
        for action in DROP_ORDER:
            if total() <= room:
                break
            items = [
                item
                for item in items
                if not (isinstance(item, FooterKey) and item.action == action)
            ]
        self.shown_actions = [
            ("palette" if item.has_class(PALETTE_CLASS) else item.action)
            for item in items
            if isinstance(item, FooterKey)
        ]
        yield from items

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._fitted_width:
            self.call_after_refresh(self.recompose)
