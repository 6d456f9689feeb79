"""The job list's named choices: the status group filters and the sortable columns."""

from __future__ import annotations

from tui.api.models import StatusGroup
from tui.app.widgets.job_columns import COLUMN_BY_KEY
from tui.monitor.query import SortColumn

__all__ = ["COLUMN_TO_SORT", "GROUP_FILTERS", "SORT_TO_COLUMN"]

GROUP_FILTERS: dict[str, frozenset[StatusGroup]] = {
    "all": frozenset(),
    "running": frozenset({StatusGroup.RUNNING}),
    "pending": frozenset({StatusGroup.PENDING}),
    "failed": frozenset({StatusGroup.FAILED}),
    "succeeded": frozenset({StatusGroup.SUCCEEDED}),
    "cancelled": frozenset({StatusGroup.CANCELLED}),
}
"""The status group filters, in the order ``f`` cycles through them."""

SORT_TO_COLUMN: dict[SortColumn, str] = {
    SortColumn.STATUS: "status",
    SortColumn.CREATED: "age",
    SortColumn.MODEL: "model",
    SortColumn.TYPE: "type",
    SortColumn.NAME: "name",
    SortColumn.PROGRESS: "progress",
    SortColumn.TRAIN_LOSS: "train",
    SortColumn.VALID_LOSS: "valid",
    SortColumn.ETA: "eta",
}
assert set(SORT_TO_COLUMN.values()) <= set(COLUMN_BY_KEY)
COLUMN_TO_SORT: dict[str, SortColumn] = {key: column for column, key in SORT_TO_COLUMN.items()}
