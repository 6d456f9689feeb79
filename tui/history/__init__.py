"""The local history: a SQLite file per server and workspace, so finetop starts from what it knows.

It keeps list items, the details of finished jobs and the checkpoints and events of running ones,
bounded by size, shared safely by several finetop processes, rebuilt when damaged and skipped
(with a one-line warning) when the disk says no. No Textual here; see :mod:`tui.history.store`
for the threading model.
"""

from __future__ import annotations

from tui.history.inventory import describe_file, inventory
from tui.history.location import (
    history_directory,
    history_files,
    remove_history_files,
    store_path,
)
from tui.history.reads import StoreCounts, StoredJobs
from tui.history.store import DEFAULT_MAX_BYTES, HistoryStore, StoreInfo
from tui.history.summary import HistorySummary

__all__ = [
    "DEFAULT_MAX_BYTES",
    "HistoryStore",
    "HistorySummary",
    "StoreCounts",
    "StoreInfo",
    "StoredJobs",
    "describe_file",
    "history_directory",
    "history_files",
    "inventory",
    "remove_history_files",
    "store_path",
]
