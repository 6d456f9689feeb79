"""What the poller tells its consumers: changes, never whole snapshots.

Each change is a small frozen value. The app turns them into Textual messages; ``finetop watch``
prints them as lines. They carry models from :mod:`tui.api.models`, so consumers never parse.
"""

from __future__ import annotations

import attrs

from tui.api.models import Checkpoint, Event, Job
from tui.errors import ErrorKind

__all__ = [
    "Change",
    "CheckpointsAdded",
    "DetailFetched",
    "EventsAdded",
    "JobAdded",
    "JobChanged",
    "JobError",
    "JobGone",
    "PollFailed",
    "PollRecovered",
    "PollSucceeded",
]


@attrs.frozen
class JobAdded:
    """A job the store did not know appeared (first listing, or a new job)."""

    job: Job


@attrs.frozen
class JobChanged:
    """A known job changed; ``fields`` names the wire fields whose values differ."""

    job: Job
    fields: frozenset[str]


@attrs.frozen
class CheckpointsAdded:
    """Checkpoints not seen before, oldest first (only the new ones)."""

    job_id: str
    checkpoints: tuple[Checkpoint, ...]


@attrs.frozen
class EventsAdded:
    """Events not seen before, oldest first (only the new ones)."""

    job_id: str
    events: tuple[Event, ...]


@attrs.frozen
class DetailFetched:
    """A job's detail body (events, checkpoints) arrived where none was held -- its first fetch,
    or a re-fetch after eviction -- or it became final (fetched after the job finished).

    Sent even when the detail brought nothing new, so a view waiting for the detail stops waiting.
    """

    job_id: str
    final: bool
    """The job had finished when the detail was fetched: it will not change again."""


@attrs.frozen
class JobGone:
    """The API answered 404 for a job it used to list: deleted or moved out of the workspace."""

    job_id: str


@attrs.frozen
class JobError:
    """Fetching one job failed in a way that concerns only that job (e.g. a payload problem).

    The other jobs keep being polled and the poller does not back off; ``message`` carries the
    readable path of the problem (``$.checkpoints[3].step_number: expected int``).
    """

    job_id: str
    kind: ErrorKind
    message: str


@attrs.frozen
class PollFailed:
    """A poll failed. ``retry_at`` is on the poller's monotonic clock; ``retry_in`` in seconds."""

    kind: ErrorKind
    message: str
    retry_in: float
    retry_at: float
    first: bool
    """True for the first failure of a streak (the one a UI announces)."""
    halted: bool = False
    """No automatic retry follows (the key was refused): only the user's refresh retries."""


@attrs.frozen
class PollRecovered:
    """The first success after one or more failures."""

    failures: int
    """How many polls failed in the streak that just ended."""


@attrs.frozen
class PollSucceeded:
    """Any successful poll; ``at`` is the poller's monotonic time (drives "updated N s ago")."""

    at: float
    wall_time: float


Change = (
    JobAdded
    | JobChanged
    | CheckpointsAdded
    | EventsAdded
    | DetailFetched
    | JobGone
    | JobError
    | PollFailed
    | PollRecovered
    | PollSucceeded
)
