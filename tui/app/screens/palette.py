"""The command palette, with a search input that applies keys in the order they were typed.

Textual's palette is kept as it is (providers, list, bindings); only its input is swapped for one
that also mixes in :class:`~tui.app.widgets.ordered_input.OrderedInput`, so backspaces typed in
one burst with letters do not get overtaken by them.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.command import CommandInput, CommandPalette

from tui.app.widgets.ordered_input import OrderedInput

__all__ = ["OrderedCommandInput", "OrderedCommandPalette"]


class OrderedCommandInput(CommandInput, OrderedInput):
    """The palette's input (still a ``CommandInput``: the palette queries and styles it as one)."""


class OrderedCommandPalette(CommandPalette):
    """Textual's command palette with :class:`OrderedCommandInput` as its search input."""

    def compose(self) -> ComposeResult:
        # Swap the input as Textual's compose yields it, inside the same containers, rather than
        # copying the palette's layout.
        for widget in super().compose():
            if type(widget) is CommandInput:
                widget = OrderedCommandInput(
                    placeholder=widget.placeholder,
                    select_on_focus=widget.select_on_focus,
                    id=widget.id,
                    classes=" ".join(widget.classes),
                )
            yield widget
