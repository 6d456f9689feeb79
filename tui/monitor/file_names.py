"""The names of a job's training and validation files, looked up through the client.

The client remembers the files it fetched (bounded), so asking again is cheap. A file that cannot
be read is not asked for again for :data:`FILE_RETRY` seconds: a view that looks names up at
every selection must not turn one broken file into a request (or a notice) per keystroke.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from tui.api.clock import Clock
from tui.api.models import Job, RetrievedFile
from tui.errors import FinetopError
from tui.monitor.detail_groups import named_file_ids

__all__ = ["FILE_RETRY", "MAX_FAILURES", "FileNameLookup", "FileReader"]

FILE_RETRY = 300.0
"""Seconds before a file whose name could not be fetched is asked for again."""
MAX_FAILURES = 1024
"""How many failed lookups are remembered (the oldest forgotten first)."""


class FileReader(Protocol):
    """What a lookup needs from the client."""

    async def get_file(self, file_id: str) -> RetrievedFile: ...


class FileNameLookup:
    """Looks up file names, remembering for a while the files that could not be read."""

    def __init__(self, clock: Clock, *, retry: float = FILE_RETRY) -> None:
        self.clock = clock
        """The monotonic clock failures are timed on."""
        self.retry = retry
        """Seconds before a failed file is asked for again."""
        self._failures: OrderedDict[str, float] = OrderedDict()

    async def look_up(self, client: FileReader, job: Job) -> dict[str, str]:
        """File id -> filename for the job's files that could be read (the names are server
        text: shown only through the display boundary)."""
        names: dict[str, str] = {}
        for file_id in named_file_ids(job):
            failed_at = self._failures.get(file_id)
            if failed_at is not None and self.clock.monotonic() - failed_at < self.retry:
                continue
            try:
                names[file_id] = (await client.get_file(file_id)).filename
            except FinetopError:
                self._failures[file_id] = self.clock.monotonic()
                self._failures.move_to_end(file_id)
                while len(self._failures) > MAX_FAILURES:
                    self._failures.popitem(last=False)
            else:
                self._failures.pop(file_id, None)
        return names
