"""Models to rows and back: the wire JSON of list items, checkpoints and events, and reassembly.

Everything stored is the converter's own wire JSON (:func:`tui.api.convert.dumps`), so reading
back goes through the same parser as the API's answers and gives equal models.

A detail is split in three: its list item (the ``item`` column, the same bytes a list page would
give), the keys only a detail has besides checkpoints and events (``detail_extra``, e.g. classifier
targets) and one row per checkpoint and per event. The API sends checkpoints newest first and
events in an order that differs between API versions, so the order each list arrived in is
stored with the job, and reassembly gives the lists back in that order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import orjson

from tui.api.convert import dumps, parse_job, parse_jobs_page, unstructure
from tui.api.models import (
    Checkpoint,
    ClassifierJob,
    ClassifierJobDetails,
    CompletionJob,
    CompletionJobDetails,
    Event,
    Job,
    JobDetails,
    JobsPage,
)

__all__ = [
    "CheckpointRow",
    "EventRow",
    "assemble_details",
    "checkpoint_rows",
    "event_rows",
    "item_json",
    "newest_first",
    "parse_items",
    "split_details",
]

CheckpointRow = tuple[str, int, int, bytes]
"""``(job_id, step, created_at, body)``."""
EventRow = tuple[str, int, bytes, int, int]
"""``(job_id, created_at, body, occurrence, tie)``."""


def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in attrs.fields(cls) if f.name != "wire_keys")


_HISTORY_KEYS = frozenset({"checkpoints", "events"})
_DETAIL_EXTRA_KEYS: dict[type, frozenset[str]] = {
    detail: _field_names(detail) - _field_names(item) - _HISTORY_KEYS
    for detail, item in (
        (CompletionJobDetails, CompletionJob),
        (ClassifierJobDetails, ClassifierJob),
    )
}
"""What each detail class adds to its list item besides checkpoints and events."""


def item_json(job: Job) -> bytes:
    """The wire JSON of a list item (a detail loses its detail-only keys)."""
    if isinstance(job, CompletionJobDetails | ClassifierJobDetails):
        return split_details(job)[0]
    return dumps(job)


def split_details(details: JobDetails) -> tuple[bytes, bytes | None]:
    """``(item JSON, detail-extra JSON or None)``; checkpoints and events are stored apart."""
    # Emptied first, so a thousand checkpoints are not serialised only to be dropped.
    data: dict[str, Any] = unstructure(attrs.evolve(details, checkpoints=(), events=()))
    for key in _HISTORY_KEYS:
        data.pop(key, None)
    extra = {key: data.pop(key) for key in _DETAIL_EXTRA_KEYS[type(details)] if key in data}
    return orjson.dumps(data), orjson.dumps(extra) if extra else None


def newest_first(times: Sequence[int]) -> bool | None:
    """Whether a list arrived newest first; ``None`` when it is too short to tell."""
    if len(times) < 2 or times[0] == times[-1]:
        return None
    return times[0] > times[-1]


def checkpoint_rows(job_id: str, checkpoints: Iterable[Checkpoint]) -> list[CheckpointRow]:
    """Rows for ``checkpoints`` (the first of two with the same step wins)."""
    by_step: dict[int, Checkpoint] = {}
    for checkpoint in checkpoints:
        by_step.setdefault(checkpoint.step_number, checkpoint)
    return [(job_id, step, c.created_at, dumps(c)) for step, c in by_step.items()]


def event_rows(job_id: str, events: Sequence[Event]) -> list[EventRow]:
    """Rows for every event of one payload, oldest first.

    ``occurrence`` counts identical events (old payloads repeat ``status-updated`` without data
    in the same second), so all are kept once and none twice when the payload comes again.
    ``tie`` keeps the order of events sharing a second.
    """
    ordered = list(reversed(events)) if newest_first([e.created_at for e in events]) else events
    seen: dict[tuple[int, bytes], int] = {}
    ties: dict[int, int] = {}
    rows: list[EventRow] = []
    for event in ordered:
        body = orjson.dumps(unstructure(event), option=orjson.OPT_SORT_KEYS)
        occurrence = seen.get((event.created_at, body), 0)
        seen[(event.created_at, body)] = occurrence + 1
        tie = ties.get(event.created_at, 0)
        ties[event.created_at] = tie + 1
        rows.append((job_id, event.created_at, body, occurrence, tie))
    return rows


def _json_array(bodies: Sequence[bytes]) -> bytes:
    return b"[" + b",".join(bodies) + b"]"


def assemble_details(
    item: bytes,
    extra: bytes | None,
    checkpoints: Sequence[bytes],
    events: Sequence[bytes],
) -> JobDetails:
    """The detail the stored parts make, as :func:`~tui.api.convert.parse_job` gives it.

    ``checkpoints`` and ``events`` are wire JSON bodies already in their stored order.
    Raises :class:`~tui.api.errors.PayloadError` if a part no longer parses.
    """
    payload: dict[str, Any] = orjson.loads(item)
    if extra is not None:
        payload.update(orjson.loads(extra))
    payload["checkpoints"] = orjson.loads(_json_array(checkpoints))
    payload["events"] = orjson.loads(_json_array(events))
    return parse_job(payload)


def parse_items(items: Sequence[bytes]) -> JobsPage:
    """Stored list items as one page, parsed in one pass like a page from the API.

    Raises :class:`~tui.api.errors.PayloadError` if any item does not parse.
    """
    prefix = b'{"object":"list","total":%d,"data":' % len(items)
    return parse_jobs_page(prefix + _json_array(items) + b"}")
