"""The key reference: every active binding, as remapped by the user's keymap.

The app passes the bindings it actually has (after applying the keymap, without the mutating
ones in read-only mode), so this screen never lists a key that does not work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tui.app.actions import key_display

__all__ = ["HelpScreen"]


class HelpScreen(ModalScreen[None]):
    """A scrollable table of keys, what they do, and the id to remap them by."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
    }
    HelpScreen > #help-dialog {
        width: 80;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $primary;
        border-title-color: $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-keys {
        height: auto;
        max-height: 1fr;
        background: $surface;
    }
    HelpScreen .help-note {
        dock: bottom;
        height: auto;
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss_help", "Close", id="help.close"),
    ]

    def __init__(
        self,
        bindings: Sequence[tuple[str, str, str]],
        *,
        read_only: bool = False,
        title: str = "finetop keys",
    ) -> None:
        """``bindings`` are ``(keys, description, id)`` tuples, in the order to show them."""
        super().__init__()
        self.bindings = list(bindings)
        """The ``(keys, description, id)`` rows this screen lists."""
        self.read_only = read_only
        """Whether the app runs read-only (mutating actions are then absent)."""
        self._title = title

    def compose(self) -> ComposeResult:
        dialog = Vertical(id="help-dialog")
        dialog.border_title = self._title
        with dialog:
            table: DataTable[Text | str] = DataTable(
                id="help-keys", cursor_type="row", zebra_stripes=True
            )
            table.add_column("Key", key="key")
            table.add_column("Action", key="action")
            table.add_column("Id (for the keymap)", key="id")
            for index, (keys, description, binding_id) in enumerate(self.bindings):
                table.add_row(
                    Text(key_display(keys), style="bold"),
                    description,
                    Text(binding_id, style="dim"),
                    key=str(index),  # ids may repeat when one action has two bindings
                )
            yield table
            notes = []
            if self.read_only:
                notes.append("Read-only: actions that change jobs are disabled.")
            notes.append(
                'Remap a key in the config file\'s [keymap] table: id = "keys". '
                "Close with escape, q or ?."
            )
            yield Static("\n".join(notes), classes="help-note", markup=False)

    def rows(self) -> list[tuple[str, str, str]]:
        """What the table shows, as plain ``(keys, description, id)`` text (for tests)."""
        table = self.query_one("#help-keys", DataTable)
        rows: list[tuple[str, str, str]] = []
        for row_key in table.rows:
            keys, description, binding_id = (str(cell) for cell in table.get_row(row_key))
            rows.append((keys, description, binding_id))
        return rows

    def action_dismiss_help(self) -> None:
        """Close the help screen."""
        self.dismiss(None)
