"""HistoryStore: the local SQLite history of one server and workspace.

Threading: one SQLite connection per store, guarded by a lock. Every public method may be
called from any thread -- the event loop's, or ``asyncio.to_thread`` workers -- and calls from
several threads run one after the other. Each call is one short transaction (a write batch is
one ``BEGIN IMMEDIATE`` ... ``COMMIT``), and no transaction outlives the call, so a caller that
awaits between calls never holds the file. Another finetop process opens its own store on the
same file; WAL mode and the busy timeout let both read and write.

Failure never reaches the caller: the store warns once (one line, through ``on_warning``) and
then behaves as follows.
- Busy past the timeout (another process holding the file): that call does nothing.
- Damaged or foreign file: set aside as ``<name>.corrupt-<UTC time>`` and rebuilt empty.
- Anything else (full disk, read-only file or directory, newer schema, I/O error): the store
  disables itself, and every method returns its empty result from then on.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import attrs

from tui.api.clock import Clock, SystemClock
from tui.api.errors import PayloadError
from tui.api.models import Job, JobDetails
from tui.history.eviction import evict_to_fit, release_free_pages
from tui.history.location import store_path
from tui.history.opening import (
    NewerHistoryFile,
    NotAHistoryFile,
    open_history_file,
    set_aside,
)
from tui.history.reads import (
    StoreCounts,
    StoredJobs,
    count_rows,
    files_bytes,
    load_details,
    load_jobs,
    store_bytes,
)
from tui.history.schema import SCHEMA_VERSION
from tui.history.transactions import Fault, classify, write_transaction
from tui.history.writes import forget_jobs, mark_seen, record_details, record_items
from tui.settings.urls import canonical_server_url

__all__ = ["DEFAULT_MAX_BYTES", "HistoryStore", "StoreInfo"]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
"""The default size cap of one history file (200 MiB)."""

DEFAULT_BUSY_TIMEOUT = 5.0
"""Seconds a call waits for another process's transaction before giving up on that call."""

_log = logging.getLogger(__name__)
T = TypeVar("T")


@attrs.frozen
class StoreInfo:
    """What ``finetop cache`` shows about one history file."""

    path: Path
    """The database file (its ``-wal`` and ``-shm`` sit next to it)."""
    server_url: str
    """The server, without credentials, query or fragment."""
    workspace: str
    """The workspace label."""
    enabled: bool
    """False once the store disabled itself (see ``warning``)."""
    size_bytes: int = 0
    """``page_count * page_size``: what the cap is measured against."""
    disk_bytes: int = 0
    """Bytes on disk of the database and its ``-wal``/``-shm`` files."""
    max_bytes: int = DEFAULT_MAX_BYTES
    """The size cap."""
    schema_version: int = SCHEMA_VERSION
    """The schema version this finetop writes."""
    counts: StoreCounts = attrs.field(factory=StoreCounts)
    """Jobs, finished details, checkpoints, events, oldest and newest seen."""
    warning: str | None = None
    """The last warning the store gave, if any."""


class HistoryStore:
    """The history file of one server and workspace (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        *,
        server_url: str,
        workspace: str,
        max_bytes: int = DEFAULT_MAX_BYTES,
        clock: Clock | None = None,
        on_warning: Callable[[str], None] | None = None,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        """Open (or create) the file at once; on failure the store starts disabled."""
        self.path = path
        """The database file."""
        self.server_url = canonical_server_url(server_url)
        """The server, as stored in the file (no credentials)."""
        self.workspace = workspace
        """The workspace label."""
        self.max_bytes = max_bytes
        """The size cap; the least recently seen jobs are evicted beyond it."""
        self.clock: Clock = clock or SystemClock()
        """Wall time of ``last_seen`` stamps and of set-aside file names."""
        self.busy_timeout = busy_timeout
        """Seconds to wait for another process's write transaction."""
        self.warning: str | None = None
        """The last warning given (also sent to ``on_warning``)."""
        self._on_warning = on_warning if on_warning is not None else _log.warning
        self._lock = threading.Lock()
        self._rebuilt = False
        """Whether a damaged file was already set aside this session (once only)."""
        self._busy = False
        """Whether the last call found the file busy (its warning is not repeated)."""
        self._conn: sqlite3.Connection | None = None
        self._conn = self._open()

    @classmethod
    def for_workspace(
        cls,
        server_url: str,
        workspace: str,
        *,
        directory: Path | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        clock: Clock | None = None,
        on_warning: Callable[[str], None] | None = None,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> HistoryStore:
        """The store of ``server_url`` + ``workspace`` in the user cache directory."""
        return cls(
            store_path(server_url, workspace, directory),
            server_url=server_url,
            workspace=workspace,
            max_bytes=max_bytes,
            clock=clock,
            on_warning=on_warning,
            busy_timeout=busy_timeout,
        )

    # ------------------------------------------------------------------ state

    @property
    def enabled(self) -> bool:
        """Whether the store is working (False after it disabled itself or was closed)."""
        return self._conn is not None

    def close(self) -> None:
        """Close the connection; the store is disabled from then on."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def record(
        self,
        *,
        items: Iterable[Job] = (),
        details: Iterable[JobDetails] = (),
        seen: Iterable[str] = (),
    ) -> None:
        """Store one poll cycle's worth of changes in one transaction.

        ``items``: list items to insert or update. ``details``: details whose new checkpoints
        and events are appended (and which are marked final if the job has finished).
        ``seen``: ids of stored jobs listed again unchanged (only their last-seen time moves).
        Then, if the file is over its cap, the least recently seen jobs are evicted.
        """
        item_list, detail_list, seen_list = list(items), list(details), list(seen)
        if not (item_list or detail_list or seen_list):
            return

        def write(conn: sqlite3.Connection) -> None:
            now = self.clock.time()
            with write_transaction(conn):
                record_items(conn, item_list, now)
                for one in detail_list:
                    record_details(conn, one, now)
                mark_seen(conn, seen_list, now)
            evict_to_fit(conn, self.max_bytes)

        self._call(None, write)

    def forget(self, job_ids: Iterable[str]) -> None:
        """Delete jobs the API no longer knows, with their checkpoints and events."""
        ids = list(job_ids)

        def delete(conn: sqlite3.Connection) -> None:
            with write_transaction(conn):
                forget_jobs(conn, ids)

        if ids:
            self._call(None, delete)

    def clear(self) -> None:
        """Empty the file (every job, checkpoint and event) and shrink it.

        The file itself stays (with its identity), so another finetop process that has it open
        keeps working; its ``-wal`` is checkpointed and cut back.
        """

        def empty(conn: sqlite3.Connection) -> None:
            with write_transaction(conn):
                for table in ("checkpoints", "events", "jobs"):
                    conn.execute(f"DELETE FROM {table}")
            release_free_pages(conn)

        self._call(None, empty)

    # ------------------------------------------------------------------ reading

    def load_jobs(self) -> StoredJobs:
        """Every stored list item (newest first), with summaries and final-detail ids."""
        stored = self._call(StoredJobs(), load_jobs)
        if stored.unreadable:
            self._warn(f"history: {stored.unreadable} stored jobs no longer parse, left out")
        return stored

    def load_details(self, job_id: str) -> JobDetails | None:
        """The stored detail of one job, reassembled as ``parse_job`` gives it, or ``None``."""

        def read(conn: sqlite3.Connection) -> JobDetails | None:
            try:
                return load_details(conn, job_id)
            except PayloadError as exc:
                self._warn(f"history: the stored detail of a job no longer parses ({exc})")
                return None

        return self._call(None, read)

    def final_detail_ids(self) -> frozenset[str]:
        """Ids of finished jobs whose final detail is stored (never fetch those again)."""
        return self._call(
            frozenset(),
            lambda conn: frozenset(
                job_id for (job_id,) in conn.execute("SELECT id FROM jobs WHERE detail_final")
            ),
        )

    def info(self) -> StoreInfo:
        """Where the file is, its size and what it holds (zeros when disabled)."""

        def read(conn: sqlite3.Connection) -> StoreInfo:
            return attrs.evolve(
                self._info(),
                size_bytes=store_bytes(conn),
                disk_bytes=files_bytes(self.path),
                counts=count_rows(conn),
            )

        return self._call(self._info(), read)

    def _info(self) -> StoreInfo:
        return StoreInfo(
            path=self.path,
            server_url=self.server_url,
            workspace=self.workspace,
            enabled=self.enabled,
            max_bytes=self.max_bytes,
            warning=self.warning,
        )

    # ------------------------------------------------------------------ failure handling

    def _call(self, default: T, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` on the connection under the lock; on failure, ``default``."""
        with self._lock:
            conn = self._conn
            if conn is None:
                return default
            try:
                result = work(conn)
            except (sqlite3.Error, OSError) as exc:
                self._failed(exc)
                return default
            self._busy = False
            return result

    def _failed(self, exc: sqlite3.Error | OSError) -> None:
        fault = classify(exc)
        if fault is Fault.BUSY:
            if not self._busy:  # once per busy spell, not once per call
                self._warn(f"history: the file stayed busy, one call skipped ({exc})")
            self._busy = True
            return
        if fault is Fault.DAMAGED and not self._rebuilt:
            self._close_connection()
            self._conn = self._rebuild(str(exc))
            return
        self._disable(str(exc))

    def _close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            # A connection to a broken file may fail to close; it is dropped all the same.
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def _disable(self, reason: str) -> None:
        self._close_connection()
        self._warn(f"history: running without the local history ({reason}): {self.path}")

    def _warn(self, message: str) -> None:
        self.warning = message
        self._on_warning(message)

    def _open(self, *, may_rebuild: bool = True) -> sqlite3.Connection | None:
        try:
            return open_history_file(
                self.path,
                server_url=self.server_url,
                workspace=self.workspace,
                busy_timeout=self.busy_timeout,
                now=self.clock.time(),
            )
        except NotAHistoryFile as exc:
            if may_rebuild and not self._rebuilt:
                return self._rebuild(str(exc))
            self._disable(str(exc))
        except (NewerHistoryFile, sqlite3.Error, OSError) as exc:
            self._disable(str(exc))
        return None

    def _rebuild(self, reason: str) -> sqlite3.Connection | None:
        """Set the damaged or foreign file aside and start a new one (once per session)."""
        self._rebuilt = True
        try:
            moved = set_aside(self.path, self.clock.time())
        except OSError as exc:
            self._disable(f"{reason}; could not set it aside: {exc}")
            return None
        self._warn(
            f"history: {self.path.name} was unreadable ({reason}); set aside as {moved.name}"
        )
        return self._open(may_rebuild=False)
