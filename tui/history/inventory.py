"""What every history file holds, read without knowing whose it is (for ``finetop cache``).

Opening a :class:`~tui.history.store.HistoryStore` checks the file's identity and sets a foreign
one aside; listing the folder must not. Here each file is opened read-only, its server and
workspace read from its ``meta`` table, and its rows counted. Nothing is written, nothing moved.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tui.history.location import history_files
from tui.history.reads import count_rows, files_bytes, store_bytes
from tui.history.schema import APPLICATION_ID
from tui.history.store import StoreInfo

__all__ = ["describe_file", "inventory"]

_UNKNOWN = "?"
"""Server or workspace of a file that does not say."""


def describe_file(path: Path, *, busy_timeout: float = 2.0) -> StoreInfo:
    """What one history file holds; ``enabled`` is False (with ``warning`` saying why) when it
    cannot be read as a finetop history file."""
    try:
        with closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout)
        ) as conn:
            (application_id,) = conn.execute("PRAGMA application_id").fetchone()
            if application_id != APPLICATION_ID:
                raise sqlite3.DatabaseError("not a finetop history file")
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            return StoreInfo(
                path=path,
                server_url=str(meta.get("server_url", _UNKNOWN)),
                workspace=str(meta.get("workspace", _UNKNOWN)),
                enabled=True,
                size_bytes=store_bytes(conn),
                disk_bytes=files_bytes(path),
                schema_version=int(version),
                counts=count_rows(conn),
            )
    except (sqlite3.Error, OSError) as exc:
        return StoreInfo(
            path=path,
            server_url=_UNKNOWN,
            workspace=_UNKNOWN,
            enabled=False,
            disk_bytes=_disk_bytes(path),
            warning=f"unreadable: {exc}",
        )


def _disk_bytes(path: Path) -> int:
    try:
        return files_bytes(path)
    except OSError:
        return 0


def inventory(directory: Path | None = None) -> list[StoreInfo]:
    """Every history file of ``directory`` (the default folder if ``None``), described."""
    return [describe_file(path) for path in history_files(directory)]
