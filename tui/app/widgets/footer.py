"""The footer, fitted to the terminal's width: keys that do not fit are left out, not cut.

Textual's footer lays its keys out in one row and cuts whatever runs past the edge, on an
80-column terminal in the middle of a key. This one draws the same keys itself, from the
screen's public ``active_bindings``, and leaves out the least needed ones until the rest fits:
first the command palette hint, then the keys in :data:`DROP_ORDER`. Help (``?``) and quit are
always shown; help lists every key. A click on a key presses it.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

__all__ = ["DROP_ORDER", "FitFooter", "FooterItem", "footer_key_width"]

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

PALETTE = "palette"
"""What :attr:`FitFooter.shown_actions` calls the command palette hint."""
PALETTE_EDGE = "▏"
"""The line between the keys and the command palette hint."""


def footer_key_width(key_display: str, description: str, *, palette: bool = False) -> int:
    """Cells a footer key takes: `` key `` then ``description `` (and the palette hint's
    edge and right padding)."""
    width = cell_len(key_display) + 2
    if description:
        width += cell_len(description) + 1
    if palette:
        width += 2
    return width


@attrs.frozen
class FooterItem:
    """One key the footer offers."""

    key: str
    """The key pressed when the item is clicked."""
    key_display: str
    """How the key reads (``⏎``, ``^p``)."""
    description: str
    action: str
    enabled: bool = True
    palette: bool = False
    """The command palette hint (drawn at the right end)."""

    @property
    def width(self) -> int:
        """Cells the item takes."""
        return footer_key_width(self.key_display, self.description, palette=self.palette)


class FitFooter(Widget, can_focus=False):
    """The key bar at the bottom: the keys that fit its width."""

    DEFAULT_CSS = """
    FitFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .fit-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .fit-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .fit-footer--edge {
            color: $foreground 20%;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "fit-footer--key",
        "fit-footer--description",
        "fit-footer--edge",
    }

    def __init__(self) -> None:
        super().__init__()
        self.shown_actions: list[str] = []
        """The actions whose keys are shown (the palette hint as ``"palette"``)."""
        self._spans: list[tuple[int, int, FooterItem]] = []
        """Where each shown item was drawn (for clicks)."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def on_resize(self) -> None:
        self.refresh()

    def items(self) -> list[FooterItem]:
        """Every key the screen offers in a footer now, in binding order, palette last."""
        app = self.app
        items: list[FooterItem] = []
        actions: set[str] = set()
        palette: FooterItem | None = None
        quit_key: FooterItem | None = None
        for active in self.screen.active_bindings.values():
            binding: Binding = active.binding
            if binding.action == "command_palette" and app.ENABLE_COMMAND_PALETTE:
                palette = _item(app.get_key_display(binding), binding, active.enabled, True)
            elif binding.show and binding.action not in actions:
                actions.add(binding.action)
                items.append(_item(app.get_key_display(binding), binding, active.enabled))
            elif binding.action == "quit" and binding.description and quit_key is None:
                quit_key = _item(app.get_key_display(binding), binding, active.enabled)
        if "quit" not in actions and quit_key is not None:
            # A keymap took quit's shown key (q): quit is still shown, with the key it kept.
            items.append(quit_key)
        return [*items, palette] if palette is not None else items

    def fitted(self, width: int) -> list[FooterItem]:
        """The items that fit ``width`` cells (see the module docstring)."""
        items = self.items()

        def total() -> int:
            return sum(item.width for item in items)

        if total() > width:
            items = [item for item in items if not item.palette]
        for action in DROP_ORDER:
            if total() <= width:
                break
            items = [item for item in items if item.action != action]
        return items

    def render(self) -> Text:
        width = self.size.width or self.app.size.width
        items = self.fitted(width)
        self.shown_actions = [PALETTE if item.palette else item.action for item in items]
        key_style = self.get_component_rich_style("fit-footer--key")
        text_style = self.get_component_rich_style("fit-footer--description")
        line = Text(no_wrap=True, end="")
        self._spans = []
        keys = [item for item in items if not item.palette]
        palette = [item for item in items if item.palette]
        for item in keys:
            self._draw(line, item, key_style, text_style)
        if palette:
            line.append(" " * max(0, width - line.cell_len - palette[0].width))
            line.append(PALETTE_EDGE, style=self.get_component_rich_style("fit-footer--edge"))
            self._draw(line, palette[0], key_style, text_style)
            line.append(" ")
        return line

    def _draw(self, line: Text, item: FooterItem, key_style: Style, text_style: Style) -> None:
        start = line.cell_len
        dim = Style(dim=not item.enabled)
        line.append(f" {item.key_display} ", style=key_style + dim)
        if item.description:
            line.append(f"{item.description} ", style=text_style + dim)
        self._spans.append((start, line.cell_len, item))

    def on_click(self, event: events.Click) -> None:
        for start, end, item in self._spans:
            if start <= event.x < end:
                event.stop()
                if item.enabled:
                    self.app.simulate_key(item.key)
                else:
                    self.app.bell()
                return


def _item(key_display: str, binding: Binding, enabled: bool, palette: bool = False) -> FooterItem:
    return FooterItem(
        key=binding.key,
        key_display=key_display,
        description=binding.description,
        action=binding.action,
        enabled=enabled,
        palette=palette,
    )
