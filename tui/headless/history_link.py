"""The local history wired to the poller, the app and the headless commands.

:class:`HistoryLink` is the poller's :class:`~tui.monitor.archive.Archive` over one
:class:`~tui.history.HistoryStore`, and what the app and the commands read the history through.
Every SQLite call runs on one thread of its own, in the order it was made: writes are handed to
that thread and not awaited (the poller never waits for the disk), reads are awaited and see
every write made before them. The store's one-line warnings are delivered on the event loop.

The history is skipped (``open_history`` returns ``None``) with ``--no-cache`` / ``cache = false``.
In demo mode it lives in a private temporary folder removed on close: the demo's simulator
serves a new made-up workspace each run, which must leave no file behind, yet the demo should
show what the history gives (history rows filled in with their losses in the background).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, TypeVar

from tui.api.clock import Clock
from tui.api.models import Job, JobDetails
from tui.headless.job_ids import KnownJobs, no_known_jobs
from tui.history import HistoryStore, HistorySummary, StoredJobs
from tui.monitor.changes import Change
from tui.monitor.store import JobStore, JobSummary
from tui.settings.config import Settings

__all__ = [
    "MAX_PENDING_WRITES",
    "HistoryLink",
    "JobFetcher",
    "fetch_detail",
    "history_wanted",
    "job_summary",
    "known_jobs_of",
    "open_history",
]

MAX_PENDING_WRITES = 256
"""Writes waiting for the history's thread beyond which new ones are dropped (a disk slower
than the API must not grow a queue without end)."""

_log = logging.getLogger(__name__)
T = TypeVar("T")


def job_summary(summary: HistorySummary) -> JobSummary:
    """What the job list shows of a stored summary."""
    return JobSummary(
        step=summary.last_step,
        train_loss=summary.train_loss,
        valid_loss=summary.valid_loss,
        perplexity=summary.perplexity,
        checkpoints=summary.checkpoint_count,
        duration=summary.duration,
    )


def _job_summaries(stored: StoredJobs) -> dict[str, JobSummary]:
    return {job_id: job_summary(summary) for job_id, summary in stored.summaries.items()}


class HistoryLink:
    """One history file, used from an event loop (see the module docstring)."""

    def __init__(
        self, *, on_warning: Callable[[str], None] | None = None, scratch: Path | None = None
    ) -> None:
        """A link with no store yet: :meth:`open` opens it. ``scratch``: a folder of the
        link's own, removed with everything in it on :meth:`close`."""
        self._scratch = scratch
        """A folder of the link's own (the demo's), removed on :meth:`close`."""
        self.on_warning: Callable[[str], None] = on_warning or _log.warning
        """Receives each one-line warning, on the event loop."""
        self.store: HistoryStore | None = None
        """The store, once open."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finetop-history")
        """The history's one thread: every SQLite call, in the order made."""
        self._loop: asyncio.AbstractEventLoop | None = None
        """The event loop the link is used from (warnings are delivered there)."""
        self._final: set[str] = set()
        """Ids of the finished jobs whose final detail the file holds."""
        self._pending: set[asyncio.Future[None]] = set()
        """Writes handed to the thread and not done yet."""
        self._dropping = False
        """Writes are being dropped (said once per spell)."""

    async def open(
        self,
        server_url: str,
        workspace: str,
        *,
        max_bytes: int,
        directory: Path | None = None,
        clock: Clock | None = None,
    ) -> HistoryLink:
        """Open (or create) the history of ``server_url`` + ``workspace``; returns ``self``."""
        self._loop = asyncio.get_running_loop()
        self.store = await self._run(
            lambda: HistoryStore.for_workspace(
                server_url,
                workspace,
                directory=directory,
                max_bytes=max_bytes,
                clock=clock,
                on_warning=self._relay,
            )
        )
        return self

    @property
    def enabled(self) -> bool:
        """Whether the file is in use (not after the store disabled itself, or closed)."""
        return self.store is not None and self.store.enabled

    # ------------------------------------------------------------------ reading

    async def load(self) -> StoredJobs:
        """Every stored job with its summary; notes which final details are held."""
        store = self.store
        if store is None:
            return StoredJobs()
        stored = await self._run(store.load_jobs)
        self._final |= stored.final_details
        return stored

    async def known_jobs(self) -> tuple[Job, ...]:
        """Every job the history holds (for short ids the listing no longer has)."""
        return (await self.load()).jobs

    async def seed(self, jobs: JobStore) -> list[Change]:
        """Fill ``jobs`` with what the history holds (shown as cached until a listing
        confirms it); returns the changes, one ``JobAdded`` per job."""
        stored = await self.load()
        seen_at = max(stored.last_seen.values(), default=None)
        return jobs.seed(stored.jobs, _job_summaries(stored), seen_at=seen_at)

    async def summaries(self) -> Mapping[str, JobSummary]:
        """What the history knows of each job's training, by id."""
        return _job_summaries(await self.load())

    def has_final(self, job_id: str) -> bool:
        """Whether the final detail of this finished job is held."""
        return job_id in self._final

    async def final_detail(self, job_id: str) -> JobDetails | None:
        """The held final detail of a finished job (``None`` if it is not, or is no longer
        readable: then it is fetched again)."""
        store = self.store
        if store is None or job_id not in self._final:
            return None
        details = await self._run(lambda: store.load_details(job_id))
        if details is None or not details.is_terminal:
            self._final.discard(job_id)
            return None
        return details

    async def stored_final(self, job_id: str) -> JobDetails | None:
        """The final detail of a finished job if the file holds one, read without loading
        every job first (for ``finetop show`` and ``watch``)."""
        store = self.store
        if store is None:
            return None

        def read() -> JobDetails | None:
            if job_id not in store.final_detail_ids():
                return None
            return store.load_details(job_id)

        details = await self._run(read)
        return details if details is not None and details.is_terminal else None

    # ------------------------------------------------------------------ writing

    def listed(self, jobs: Sequence[Job], changed: Collection[str]) -> None:
        """Store the new and changed list items; the others were only seen again."""
        items = [job for job in jobs if job.id in changed]
        seen = [job.id for job in jobs if job.id not in changed]
        self._write(lambda store: store.record(items=items, seen=seen))

    def record_items(self, jobs: Sequence[Job]) -> None:
        """Store list items (what ``finetop jobs`` listed)."""
        self._write(lambda store: store.record(items=jobs))

    def fetched(self, details: JobDetails) -> None:
        """Store a detail: its new checkpoints and events; final if the job has finished."""
        if details.is_terminal:
            self._final.add(details.id)
        self._write(lambda store: store.record(details=[details]))

    def forgot(self, job_ids: Collection[str]) -> None:
        """Forget jobs the API no longer knows."""
        ids = list(job_ids)
        self._final.difference_update(ids)
        self._write(lambda store: store.forget(ids))

    async def flush(self) -> None:
        """Wait until every write handed over so far is done."""
        await self._run(lambda: None)

    async def close(self) -> None:
        """Finish the writes, close the file and stop the thread; safe to call twice."""
        store, self.store = self.store, None
        if store is not None and self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the thread was already shut down
                await self._run(store.close)
        self._executor.shutdown(wait=False)
        scratch, self._scratch = self._scratch, None
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    # ------------------------------------------------------------------ the thread

    async def _run(self, work: Callable[[], T]) -> T:
        """``work()`` on the history's thread, after everything handed over before it."""
        loop = self._loop or asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, work)

    def _write(self, work: Callable[[HistoryStore], None]) -> None:
        """Hand a write to the thread, unless too many are waiting already."""
        store, loop = self.store, self._loop
        if store is None or loop is None or not store.enabled:
            return
        if len(self._pending) >= MAX_PENDING_WRITES:
            if not self._dropping:
                self._dropping = True
                self.on_warning("history: the disk is falling behind; some updates not kept")
            return
        self._dropping = False
        future = loop.run_in_executor(self._executor, work, store)
        self._pending.add(future)
        future.add_done_callback(self._written)

    def _written(self, future: asyncio.Future[None]) -> None:
        self._pending.discard(future)
        if not future.cancelled() and future.exception() is not None:
            # The store turns every SQLite and OS error into a warning; anything else is a bug.
            _log.error("history write failed", exc_info=future.exception())

    def _relay(self, message: str) -> None:
        """The store's warning, from its thread, delivered on the event loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            _log.warning("%s", message)
            return
        try:
            loop.call_soon_threadsafe(self.on_warning, message)
        except RuntimeError:  # the loop closed meanwhile
            _log.warning("%s", message)


class JobFetcher(Protocol):
    """What fetching one job needs from the client."""

    async def get_job(self, job_id: str) -> JobDetails: ...


async def fetch_detail(client: JobFetcher, job_id: str, history: HistoryLink | None) -> JobDetails:
    """A job's detail: the final one ``history`` holds, else fetched (and handed to it)."""
    if history is not None:
        stored = await history.stored_final(job_id)
        if stored is not None:
            return stored
    details = await client.get_job(job_id)
    if history is not None:
        history.fetched(details)
    return details


def known_jobs_of(history: HistoryLink | None) -> KnownJobs:
    """What a short id is looked up in besides the listing: the history's jobs, if kept."""
    return history.known_jobs if history is not None else no_known_jobs


def history_wanted(settings: Settings) -> bool:
    """Whether to keep a history: not with ``--no-cache`` (``cache = false``)."""
    return settings.cache


async def open_history(
    settings: Settings,
    *,
    on_warning: Callable[[str], None] | None = None,
    directory: Path | None = None,
    clock: Clock | None = None,
) -> HistoryLink | None:
    """The history of the settings' server and workspace, open; ``None`` when not wanted.

    A file that cannot be used gives a link that keeps nothing (after one warning), never an
    error.
    """
    if not history_wanted(settings):
        return None
    scratch = None
    if settings.demo and directory is None:
        scratch = directory = Path(tempfile.mkdtemp(prefix="finetop-demo-"))  # mode 0700
    return await HistoryLink(on_warning=on_warning, scratch=scratch).open(
        settings.server_url,
        settings.workspace_label,
        max_bytes=int(settings.cache_max_mib * 1024 * 1024),
        directory=directory,
        clock=clock,
    )
