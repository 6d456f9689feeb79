"""When a job started and finished training, read from its events (and status when they are silent).

Pure functions of a job, kept with the wire contract because every layer reads these two moments
the same way: the monitor's progress and ETA, the local history's durations, ``finetop show``.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.api.models import (
    ACTIVE_STATUSES,
    Event,
    Job,
    is_detail,
    is_terminal_status,
)

__all__ = ["finished_at", "job_events", "started_at", "training_duration"]


def job_events(job: Job) -> tuple[Event, ...]:
    """A job's events oldest first; a list item has none."""
    if is_detail(job):
        return job.events_by_time
    return ()


def started_at(job: Job, events: Sequence[Event] | None = None) -> float | None:
    """When training started: the first RUNNING/STARTED event, else ``modified_at`` if running."""
    events = job_events(job) if events is None else events
    for event in events:
        if event.status in ACTIVE_STATUSES:
            return float(event.created_at)
    if job.status in ACTIVE_STATUSES and not events:
        # modified_at changes only on status changes, so it marks the switch to RUNNING.
        return float(job.modified_at)
    return None


def finished_at(job: Job, events: Sequence[Event] | None = None) -> float | None:
    """When a finished job reached its terminal status (its last terminal event)."""
    if not job.is_terminal:
        return None
    events = job_events(job) if events is None else events
    for event in reversed(events):
        if event.status is not None and is_terminal_status(event.status):
            return float(event.created_at)
    # Older payloads carry events without data; the job's own modified_at is the status change.
    return float(job.modified_at)


def training_duration(job: Job) -> float | None:
    """Seconds from the start of training to the terminal status of a finished job; ``None``
    while it runs, or when its payload does not tell when it started (a list item)."""
    events = job_events(job)
    start, end = started_at(job, events), finished_at(job, events)
    return end - start if start is not None and end is not None else None
