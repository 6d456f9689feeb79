"""The Textual messages the app posts when the poller reports changes.

The app's poller worker turns :mod:`tui.monitor.changes` values into these and posts them to the
main screen, which hands them to its widgets. Widgets never see HTTP; they read the store.

:class:`JobsChanged` and :class:`ConnectionChanged` can arrive faster than the screen repaints
(a full listing of thousands of jobs): they implement ``can_replace`` so a backlog collapses
into one message carrying the union of what changed.
"""

from __future__ import annotations

from textual.message import Message

from tui.api.models import Checkpoint

__all__ = [
    "CheckpointsArrived",
    "ConnectionChanged",
    "JobFinished",
    "JobsChanged",
]


class JobsChanged(Message):
    """Jobs were added, changed or removed in the store; rows and the detail must follow."""

    def __init__(self, job_ids: set[str], *, gone: set[str] | None = None) -> None:
        super().__init__()
        self.job_ids: set[str] = set(job_ids)
        """Ids of jobs added or changed (read their new state from the store)."""
        self.gone: set[str] = set(gone or ())
        """Ids of jobs that no longer exist."""

    def can_replace(self, message: Message) -> bool:
        """Collapse a backlog into the pending ``message``, which is dispatched instead of this
        older one. What the newer message says about a job wins (gone, or back again)."""
        if not isinstance(message, JobsChanged):
            return False
        older_changed = self.job_ids - message.gone if message.gone else self.job_ids
        older_gone = self.gone - message.job_ids if self.gone else self.gone
        message.job_ids = _merged(message.job_ids, older_changed)
        message.gone = _merged(message.gone, older_gone)
        return True


def _merged(first: set[str], second: set[str]) -> set[str]:
    """The union, built by adding the smaller set to the larger (which it may modify): a long
    backlog of merges costs what its messages hold, not the square of it."""
    if len(first) < len(second):
        first, second = second, first
    first |= second
    return first


class CheckpointsArrived(Message):
    """New checkpoints of one job (only the new ones, oldest first)."""

    def __init__(self, job_id: str, checkpoints: tuple[Checkpoint, ...]) -> None:
        super().__init__()
        self.job_id = job_id
        """The job the checkpoints belong to."""
        self.checkpoints = checkpoints
        """The new checkpoints, oldest first."""


class JobFinished(Message):
    """A job reached a terminal status while the app was open (announced once)."""

    def __init__(self, job_id: str, status: str, text: str) -> None:
        super().__init__()
        self.job_id = job_id
        """The job that finished."""
        self.status = status
        """Its terminal status (SUCCESS, FAILED, FAILED_VALIDATION, CANCELLED)."""
        self.text = text
        """The notice, safe text: the job's name, how it ended, its final step and losses,
        a failure's reason (see :func:`tui.monitor.finish.finish_message`)."""


class ConnectionChanged(Message):
    """A poll succeeded, failed or recovered: the status line re-reads the poller's status."""

    def can_replace(self, message: Message) -> bool:
        """Only the latest matters: the state is read from the poller, not carried here."""
        return isinstance(message, ConnectionChanged)
