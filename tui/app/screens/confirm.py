"""A yes/no question before a mutating action (cancel a job, start a job).

"No" comes first and has the focus, so a stray ``enter`` never cancels a training run. ``y``
answers yes, ``n`` and ``escape`` answer no. The screen returns the answer with ``dismiss``.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

__all__ = ["ConfirmModal"]


class ConfirmModal(ModalScreen[bool]):
    """Ask one question; dismiss with ``True`` for yes and ``False`` for no."""

    DEFAULT_CSS = """
    ConfirmModal {
        align: center middle;
        background: $background 60%;
    }
    ConfirmModal > #confirm-dialog {
        width: 60;
        max-width: 90%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    ConfirmModal #confirm-title {
        text-style: bold;
        color: $warning;
        margin-bottom: 1;
    }
    ConfirmModal #confirm-message {
        margin-bottom: 1;
    }
    ConfirmModal #confirm-buttons {
        height: auto;
        align-horizontal: right;
    }
    ConfirmModal #confirm-keys {
        color: $text-muted;
        text-align: right;
    }
    ConfirmModal Button {
        margin-left: 2;
    }
    /* Textual's focus style reverses the label: on the orange "No" that is a dark block, not
       an obvious "this one". Bold underlined text and accent edges instead. */
    ConfirmModal #confirm-buttons > Button:focus {
        text-style: bold underline;
        border-top: tall $accent;
        border-bottom: tall $accent;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "No", show=False, id="confirm.escape"),
        Binding("left,right", "switch_button", "Switch", show=False, id="confirm.switch"),
    ]

    def __init__(
        self,
        title: str,
        message: str,
        *,
        yes_label: str = "Yes",
        no_label: str = "No",
    ) -> None:
        """Build the dialog; ``yes_label`` can name the action, e.g. ``Cancel job``."""
        super().__init__()
        self.title_text = title
        """The question's headline."""
        self.message_text = message
        """What will happen if the answer is yes."""
        self._yes_label = yes_label
        self._no_label = no_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(self.title_text, id="confirm-title", markup=False)
            yield Static(self.message_text, id="confirm-message", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(self._no_label, id="no", variant="primary")
                yield Button(self._yes_label, id="yes", variant="error")
            yield Static("y yes · n or escape no", id="confirm-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def _pressed_yes(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _pressed_no(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        """Close the dialog with ``answer``."""
        self.dismiss(answer)

    def action_switch_button(self) -> None:
        """Move the focus between the two buttons."""
        no_button = self.query_one("#no", Button)
        target = "#yes" if no_button.has_focus else "#no"
        self.query_one(target, Button).focus()
