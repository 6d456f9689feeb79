"""Where the job list's cursor starts: on the newest running job, not on the newest job.

The newest job is often one just queued, which will sit there (or fail validation) for a
while: the job worth watching on opening is the one training. Until the user moves the cursor
(or filters or sorts), each refresh puts it on the newest running job as soon as one is
listed; once it is there, or the user has moved it, the rule is done for the session.
"""

from __future__ import annotations

from tui.api.models import JobStatus
from tui.monitor.store import JobStore

__all__ = ["FirstCursor", "newest_running"]

TRAINING: frozenset[str] = frozenset({JobStatus.RUNNING, JobStatus.STARTED})
"""Statuses of a job that is training (``STARTED`` is read as ``RUNNING``)."""


def newest_running(store: JobStore) -> str | None:
    """The id of the most recently created job that is training, if any."""
    best: tuple[int, str] | None = None
    for job_id in store.active_ids():  # the unfinished jobs only: a few, however many jobs
        view = store.get(job_id)
        if view is None or view.job.status not in TRAINING:
            continue
        key = (view.job.created_at or 0, job_id)
        if best is None or key > best:
            best = key
    return best[1] if best else None


class FirstCursor:
    """The rule of the module docstring, for one main screen."""

    def __init__(self) -> None:
        self.armed = True
        """Whether the rule still applies (the user has not moved the cursor, it is not done)."""
        self._seen: str | None = None
        """The job the cursor was on after the last refresh."""

    def disarm(self) -> None:
        """The user acted on the list (a filter, a sort): leave the cursor to them."""
        self.armed = False

    def placed(self) -> None:
        """The cursor was put on the job :meth:`target` named: the rule is done."""
        self.armed = False

    def target(self, store: JobStore, highlighted: str | None) -> str | None:
        """After a refresh: the job to put the cursor on now, or ``None`` to leave it.

        ``highlighted``: the job under the cursor. The caller moves the cursor there when the
        job is listed, then calls :meth:`placed`.
        """
        if not self.armed:
            return None
        if self._seen is not None and highlighted != self._seen:
            self.armed = False  # moved since the last refresh: by the user
            return None
        self._seen = highlighted
        running = newest_running(store)
        if running is not None and running == highlighted:
            self.armed = False  # already there (the newest job is the one training)
            return None
        return running
