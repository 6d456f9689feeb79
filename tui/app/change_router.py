"""From the poller's batches of changes to the app's messages and notices.

One batch becomes one ``JobsChanged`` for the main screen, however many jobs it touches; new
checkpoints become ``CheckpointsArrived`` for the job they belong to; a finished job becomes one
``JobFinished`` notice (see :class:`~tui.monitor.finish.FinishNotices`). The connection's state
itself is the poller's (:attr:`Poller.status`): the poll outcomes only tell the screen to redraw
the status line and raise one notice when a streak of failures starts or ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual.message import Message

from tui.app.messages import CheckpointsArrived, ConnectionChanged, JobFinished, JobsChanged
from tui.display.formats import fmt_seconds
from tui.monitor.changes import (
    Change,
    CheckpointsAdded,
    JobAdded,
    JobChanged,
    JobGone,
    PollFailed,
    PollRecovered,
    PollSucceeded,
)

if TYPE_CHECKING:
    from textual.app import App

    from tui.monitor.finish import FinishNotices

__all__ = ["ChangeRouter", "failure_notice"]


def failure_notice(change: PollFailed) -> str:
    """What the notice at the start of a failure streak says: the error and what comes next."""
    if change.halted:
        return f"{change.message} — press r to try again"
    return f"{change.message} — retrying in {fmt_seconds(change.retry_in)}"


class ChangeRouter:
    """Routes one app's changes: messages to the main screen, finish and connection notices."""

    def __init__(
        self,
        app: App[Any],
        finishes: FinishNotices,
        post_main: Callable[[Message], None],
    ) -> None:
        self.app = app
        """Whose messages and notices these are."""
        self.finishes = finishes
        """Which finished jobs get a notice (once each), and what it says."""
        self.post_main = post_main
        """Posts a message to the main screen (dropped before it exists)."""

    def route(self, changes: Sequence[Change]) -> None:
        """Turn one batch of poller (or action) changes into messages and notices."""
        changed: set[str] = set()
        gone: set[str] = set()
        connection = False
        for change in changes:
            match change:
                case JobAdded(job=job) | JobChanged(job=job):
                    changed.add(job.id)
                case CheckpointsAdded(job_id=job_id, checkpoints=checkpoints):
                    self.post_main(CheckpointsArrived(job_id, checkpoints))
                    changed.add(job_id)
                case JobGone(job_id=job_id):
                    gone.add(job_id)
                case PollFailed():
                    connection = True
                    if change.first:
                        self.app.notify(
                            failure_notice(change),
                            title=f"Offline: {change.kind.value}",
                            severity="error" if change.halted else "warning",
                            timeout=30 if change.halted else 8,
                        )
                case PollRecovered(failures=failures):
                    connection = True
                    self.app.notify(f"Back online after {failures} failed polls", timeout=5)
                case PollSucceeded():
                    connection = True
                case _:
                    # EventsAdded, DetailFetched (a detail that brought nothing new still ends
                    # "the detail is being fetched"), JobError.
                    other_id = getattr(change, "job_id", None)
                    if isinstance(other_id, str):
                        changed.add(other_id)
        for notice in self.finishes.take(changes):
            self.app.post_message(JobFinished(notice.job_id, notice.status, notice.text))
        if changed or gone:
            self.post_main(JobsChanged(changed - gone, gone=gone))
        if connection:
            self.post_main(ConnectionChanged())
