"""The checkpoints of one job as a table keyed by step, gaining and losing rows by key.

It is never cleared per poll. It follows new checkpoints while it is scrolled to its end; once
the user scrolls back it stays put and tells its parent (``FollowChanged``), which counts what
arrives below in a "N new" badge (as ``toolong`` does for log lines).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.widgets import DataTable

from tui.api.models import Checkpoint
from tui.monitor.detail_groups import CHECKPOINT_COLUMNS, Times, checkpoint_cells

__all__ = ["CheckpointTable"]

_COLUMNS = CHECKPOINT_COLUMNS
"""Column keys and labels, in display order (the same as ``finetop show``'s)."""
_NUMERIC = frozenset({"step", "train_loss", "valid_loss", "perplexity"})
"""Columns aligned right."""


class CheckpointTable(DataTable[Any]):
    """The checkpoints of one job, oldest step first, rows keyed by step.

    ``following`` is true while the view sits at the end: new rows then scroll into view.
    Scrolling back turns it off; scrolling to the end again turns it back on.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("end", "follow", "Latest checkpoint", show=False, id="detail.checkpoints.end"),
    ]

    class FollowChanged(Message):
        """The table started or stopped following new checkpoints."""

        def __init__(self, table: CheckpointTable, following: bool) -> None:
            super().__init__()
            self.table = table
            """The table that changed."""
            self.following = following
            """Whether it now follows new checkpoints."""

        @property
        def control(self) -> CheckpointTable:
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            id=id, classes=classes, cursor_type="row", zebra_stripes=True, show_cursor=False
        )
        self.following = True
        """Whether new rows scroll into view (the view is at the end)."""
        self._steps: dict[str, Checkpoint] = {}

    def on_mount(self) -> None:
        for key, label in _COLUMNS:
            self.add_column(label, key=key)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        at_end = round(new_value) >= self.max_scroll_y
        if at_end != self.following:
            self.following = at_end
            self.post_message(self.FollowChanged(self, at_end))

    def watch_virtual_size(self, old_size: Size, new_size: Size) -> None:
        # Rows are measured after they are added, so the scroll range grows later than sync():
        # keep the view pinned to the end for as long as the table follows.
        if self.following and new_size.height > old_size.height:
            self.scroll_end(animate=False, immediate=True)

    def on_resize(self) -> None:
        # The table grows with its rows up to its max height; the end moves with it.
        if self.following:
            self.scroll_end(animate=False, immediate=True)

    def action_follow(self) -> None:
        """Jump to the newest checkpoint and follow new ones."""
        self.scroll_end(animate=False, immediate=True)
        self.following = True
        self.post_message(self.FollowChanged(self, True))

    def reset(self) -> None:
        """Empty the table for another job; it follows again."""
        self.clear()
        self._steps.clear()
        if not self.following:
            self.following = True
            self.post_message(self.FollowChanged(self, True))

    def sync(self, checkpoints: Sequence[Checkpoint], tz: tzinfo | None) -> int:
        """Make the rows match ``checkpoints`` (sorted by step); returns how many rows were added.

        Existing rows are updated cell by cell, vanished ones removed, new ones appended (and the
        table re-sorted only if a new step lands before an existing one).
        """
        wanted = {str(c.step_number): c for c in checkpoints}
        for key in [k for k in self._steps if k not in wanted]:
            self.remove_row(key)
            del self._steps[key]
        added = 0
        last_step = max((c.step_number for c in self._steps.values()), default=None)
        out_of_order = False
        for key, checkpoint in wanted.items():
            old = self._steps.get(key)
            if old == checkpoint:
                continue
            cells = self._cells(checkpoint, tz)
            if old is None:
                self.add_row(*cells, key=key)
                added += 1
                if last_step is not None and checkpoint.step_number < last_step:
                    out_of_order = True
            else:
                for (column, _), cell in zip(_COLUMNS, cells, strict=True):
                    self.update_cell(key, column, cell)
            self._steps[key] = checkpoint
        if out_of_order:
            self.sort("step", key=lambda cell: int(cell.plain))
        # No scrolling here: the new rows are measured later; watch_virtual_size follows them.
        return added

    @staticmethod
    def _cells(checkpoint: Checkpoint, tz: tzinfo | None) -> tuple[Any, ...]:
        # No age in a cell, so ``now`` plays no part.
        cells = checkpoint_cells(checkpoint, Times(0.0, tz))
        return tuple(
            Text(cell, justify="right") if key in _NUMERIC else cell
            for (key, _), cell in zip(_COLUMNS, cells, strict=True)
        )
