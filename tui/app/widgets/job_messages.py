"""What the job list tells the screen: the cursor's job, a choice, marks, arrivals, sorting.

Each is also reachable as an attribute of :class:`~tui.app.widgets.job_table.JobTable`
(``JobTable.Highlighted``); handlers are named ``on_job_table_...``.
"""

from __future__ import annotations

from textual.message import Message
from textual.widget import Widget

__all__ = ["Highlighted", "MarksChanged", "NewAbove", "Selected", "SortClicked"]


class _FromList(Message):
    """A message from the list, which ``@on`` selectors match (``@on(..., "#jobs")``)."""

    def __init__(self, table: Widget) -> None:
        super().__init__()
        self.table = table
        """The list that posted it."""

    @property
    def control(self) -> Widget:
        """The list (for ``@on`` selectors)."""
        return self.table


class Highlighted(_FromList, namespace="job_table"):
    """The cursor is on another job (``None``: the list is empty)."""

    def __init__(self, table: Widget, job_id: str | None) -> None:
        super().__init__(table)
        self.job_id = job_id
        """The job under the cursor."""


class Selected(_FromList, namespace="job_table"):
    """The user chose the job under the cursor (``enter``, or a click on it)."""

    def __init__(self, table: Widget, job_id: str) -> None:
        super().__init__(table)
        self.job_id = job_id
        """The job chosen."""


class MarksChanged(_FromList, namespace="job_table"):
    """Jobs were marked or unmarked (``space``)."""

    def __init__(self, table: Widget, marked: frozenset[str]) -> None:
        super().__init__(table)
        self.marked = marked
        """Every marked job."""


class SortClicked(_FromList, namespace="job_table"):
    """A column's label was clicked: sort by it."""

    def __init__(self, table: Widget, column: str) -> None:
        super().__init__(table)
        self.column = column
        """The column's key."""


class NewAbove(Message, namespace="job_table"):
    """The number of jobs that arrived above the rows in view, not yet scrolled to."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        """How many."""
