"""An input whose editing keys act in the order they were typed.

Textual's ``Input`` inserts a printable character as soon as the key reaches it, but its editing
keys (backspace, home, ctrl+w...) are bindings: they run only once the key event has bubbled up
the DOM to the app, one message queue per ancestor. Keys arriving in one burst (a quick typist
over SSH, a terminal multiplexer) then apply out of order: "key", three backspaces and "refresh"
reads "keyrefr", because the letters overtake the backspaces on their way up.

:class:`OrderedInput` runs the input's own binding for a key the moment the key arrives, which is
the binding the app would have picked anyway: the screen's ``active_bindings`` (the keymap
applied) names, for each key, the binding and the widget it belongs to, the focused widget first.
"""

from __future__ import annotations

from textual.events import Key
from textual.widgets import Input

__all__ = ["OrderedInput"]


class OrderedInput(Input):
    """An ``Input`` that applies its editing keys in arrival order.

    Mix it in before another ``Input`` subclass to give that class the same behaviour
    (``class X(CommandInput, OrderedInput)``): the other class keeps its CSS type name.
    """

    async def on_key(self, event: Key) -> None:
        if event.is_printable:
            return  # Input's own key handler (next in the MRO) inserts it
        active = self.screen.active_bindings.get(event.key)
        # Only this input's bindings; priority ones never get this far.
        if active is None or active.node is not self or active.binding.priority:
            return
        if await self.app.run_action(active.binding.action, self):
            event.stop()
            event.prevent_default()
