"""What the poller keeps across runs, and finds again: the archive protocol.

The local history (:mod:`tui.history`) sits beside the monitor, not under it, so the poller
does not know it: it talks to an :class:`Archive`, which the layer above both provides
(:mod:`tui.headless.history_link`). Without one, :class:`NoArchive` keeps nothing.

Writes are handed over and not awaited (the archive orders and runs them off the event loop);
the one read, a stored final detail, is awaited.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from tui.api.models import Job, JobDetails

__all__ = ["Archive", "NoArchive"]


class Archive(Protocol):
    """Where the poller records what it learns, and finds the final details it already has."""

    @property
    def enabled(self) -> bool:
        """Whether it keeps anything now (a history that disabled itself keeps nothing)."""
        ...

    def has_final(self, job_id: str) -> bool:
        """Whether the final detail of this finished job is kept (never fetch it again)."""
        ...

    async def final_detail(self, job_id: str) -> JobDetails | None:
        """The kept final detail of a finished job, or ``None`` (then it is fetched)."""
        ...

    def listed(self, jobs: Sequence[Job], changed: Collection[str]) -> None:
        """A list page arrived: ``jobs`` in it, ``changed`` the ids new or changed since."""
        ...

    def fetched(self, details: JobDetails) -> None:
        """A detail arrived from the API (its new checkpoints are appended)."""
        ...

    def forgot(self, job_ids: Collection[str]) -> None:
        """These jobs are gone from the API: forget them too."""
        ...


class NoArchive:
    """Keeps nothing: every finished job's detail is fetched when wanted."""

    @property
    def enabled(self) -> bool:
        """Never: nothing is kept."""
        return False

    def has_final(self, job_id: str) -> bool:
        """Nothing is kept."""
        return False

    async def final_detail(self, job_id: str) -> JobDetails | None:
        """Nothing is kept."""
        return None

    def listed(self, jobs: Sequence[Job], changed: Collection[str]) -> None:
        """Nothing to keep."""

    def fetched(self, details: JobDetails) -> None:
        """Nothing to keep."""

    def forgot(self, job_ids: Collection[str]) -> None:
        """Nothing to forget."""
