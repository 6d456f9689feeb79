"""``finetop watch JOB_ID``: follow one job, one line per new status, event and checkpoint.

A simple detail loop (one job needs no list polling) with the poller's policy: the job's store
entry reports what is new; 429, 5xx and network errors print one line on stderr and back off
(honouring Retry-After) without giving up. It exits when the job ends, with a status that says
how: 0 SUCCESS, 2 FAILED, 3 FAILED_VALIDATION, 4 CANCELLED; 5 if the job does not exist; 1 on
other errors (e.g. authentication).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, TextIO

import attrs

from tui.api.backoff import Backoff
from tui.api.clock import Clock, SystemClock
from tui.api.convert import unstructure
from tui.api.errors import (
    AuthenticationError,
    NotFoundError,
    PayloadError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from tui.api.models import Checkpoint, Event, Job
from tui.display.formats import MISSING, fmt_duration, fmt_fixed
from tui.display.jsonl import json_line
from tui.display.text import safe_text
from tui.errors import FinetopError
from tui.headless import (
    EXIT_CANCELLED,
    EXIT_ERROR,
    EXIT_FAILED,
    EXIT_FAILED_VALIDATION,
    EXIT_NOT_FOUND,
    EXIT_OK,
)
from tui.headless.history_link import HistoryLink, JobFetcher, fetch_detail
from tui.headless.render import PROG, error_line, fmt_utc, wire_event
from tui.monitor.changes import Change, CheckpointsAdded, EventsAdded, JobAdded, JobChanged
from tui.monitor.detail_groups import event_detail
from tui.monitor.labels import status_word
from tui.monitor.store import JobStore

__all__ = ["EXIT_BY_STATUS", "JobFetcher", "checkpoint_line", "run_watch"]

EXIT_BY_STATUS: dict[str, int] = {
    "SUCCESS": EXIT_OK,
    "FAILED": EXIT_FAILED,
    "FAILED_VALIDATION": EXIT_FAILED_VALIDATION,
    "CANCELLED": EXIT_CANCELLED,
}
"""The exit status for each terminal job status."""

_TRANSIENT = (RateLimitedError, ServerError, TransportError, PayloadError)
"""Errors worth waiting out: the next try may well succeed."""


def checkpoint_line(checkpoint: Checkpoint, total_steps: int | None) -> str:
    """``step 40/100  train 0.8123  valid 0.7843  perplexity 1.7223``."""
    metrics = checkpoint.metrics
    step = f"{checkpoint.step_number}/{total_steps}" if total_steps else str(checkpoint.step_number)
    valid = fmt_fixed(metrics.valid_loss) if metrics.evaluated else MISSING
    return (
        f"{fmt_utc(checkpoint.created_at)}  checkpoint  step {step}  "
        f"train {fmt_fixed(metrics.train_loss)}  valid {valid}  "
        f"perplexity {fmt_fixed(metrics.perplexity)}"
    )


def _event_line(event: Event) -> str:
    status = f" {status_word(event.status)}" if event.status else ""
    detail = event_detail(event)
    detail = f"  {detail}" if detail else ""
    return f"{fmt_utc(event.created_at)}  event       {safe_text(event.name)}{status}{detail}"


@attrs.frozen
class _Item:
    """One thing to report: its line of text and its JSON record (``--json``)."""

    text: str
    record: dict[str, Any]


def _items(changes: Iterable[Change], job: Job, now_wall: float, first: bool) -> list[_Item]:
    """What one fetch's changes report: the job and status first, then its new events and
    checkpoints interleaved in time order."""
    changes = list(changes)
    head: list[_Item] = []
    timed: list[tuple[int, int, _Item]] = []
    announced = {
        e.status for c in changes if isinstance(c, EventsAdded) for e in c.events if e.status
    }
    for change in changes:
        match change:
            case JobAdded(job=added):
                label = safe_text(added.suffix or added.fine_tuned_model) or MISSING
                text = (
                    f"{fmt_utc(now_wall)}  watching    {safe_text(added.id)}  "
                    f"{safe_text(added.model)}  {label}  status {status_word(added.status)}"
                )
                record: dict[str, Any] = {"id": added.id, "model": added.model}
                record |= {"suffix": added.suffix}
                record |= {"fine_tuned_model": added.fine_tuned_model, "status": added.status}
                head.append(_Item(text, {"kind": "watching", "at": now_wall, **record}))
            case JobChanged(job=changed, fields=fields) if "status" in fields:
                # The status-updated event that goes with it says the same, with its own time.
                if changed.status not in announced:
                    text = f"{fmt_utc(now_wall)}  status      {status_word(changed.status)}"
                    status = {"kind": "status", "at": now_wall, "status": changed.status}
                    head.append(_Item(text, status))
            case EventsAdded(events=events):
                timed.extend(
                    (e.created_at, 0, _Item(_event_line(e), _record("event", e))) for e in events
                )
            case CheckpointsAdded(checkpoints=checkpoints):
                # On the first fetch only the latest checkpoint matters; later, every new one.
                shown = checkpoints[-1:] if first else checkpoints
                total = job.training_steps
                timed.extend(
                    (c.created_at, 1, _Item(checkpoint_line(c, total), _record("checkpoint", c)))
                    for c in shown
                )
            case _:
                pass
    return head + [item for _, _, item in sorted(timed, key=lambda t: (t[0], t[1]))]


def _record(kind: str, model: Event | Checkpoint) -> dict[str, Any]:
    """An event or checkpoint as the API sent it, with what it is and when."""
    wire = wire_event(model) if isinstance(model, Event) else unstructure(model)
    return {"kind": kind, "at": model.created_at, kind: wire}


class _Printer:
    """Writes reported items as lines of text or as JSON lines, and flushes."""

    def __init__(self, out: TextIO, *, as_json: bool) -> None:
        self.out = out
        self.as_json = as_json

    def write(self, items: Iterable[_Item]) -> None:
        for item in items:
            self.out.write((json_line(item.record) if self.as_json else item.text) + "\n")
        self.out.flush()


def _retry_after(error: FinetopError) -> float | None:
    return getattr(error, "retry_after", None)


async def run_watch(
    client: JobFetcher,
    job_id: str,
    *,
    out: TextIO,
    err: TextIO | None = None,
    clock: Clock | None = None,
    interval: float = 10.0,
    backoff: Backoff | None = None,
    as_json: bool = False,
    history: HistoryLink | None = None,
) -> int:
    """Follow ``job_id`` until it ends; see the module docstring for output and exit statuses.

    ``interval`` is the time between fetches while all is well. With ``as_json`` each line is
    a JSON object: ``{"kind": "watching" | "status" | "event" | "checkpoint" | "finished",
    "at": unix seconds, ...}``, events and checkpoints as the API sent them.

    With ``history`` (the local history, which a running app may share), every detail fetched
    is kept there (its new checkpoints appended), and a finished job whose final detail it
    holds is reported from there without a request.
    """
    err = err or sys.stderr
    clock = clock or SystemClock()
    backoff = backoff or Backoff(base=2.0, cap=300.0)
    store = JobStore(clock=clock)
    printer = _Printer(out, as_json=as_json)
    failures = 0
    first = True
    while True:
        try:
            details = await fetch_detail(client, job_id, history)
        except NotFoundError:
            print(error_line(f"job {job_id} not found"), file=err)
            return EXIT_NOT_FOUND
        except AuthenticationError as error:
            print(error_line(error), file=err)
            return EXIT_ERROR
        except _TRANSIENT as error:
            delay = backoff.next_delay(failures, _retry_after(error))
            failures += 1
            retrying = f" (retrying in {fmt_duration(delay)})"
            print(error_line(error, error.kind.value) + retrying, file=err)
            await clock.sleep(delay)
            continue
        except FinetopError as error:
            print(error_line(error), file=err)
            return EXIT_ERROR
        if failures:
            print(f"{PROG}: reconnected", file=err)
        failures = 0
        changes = store.apply(details)
        printer.write(_items(changes, details, clock.time(), first))
        first = False
        if details.is_terminal:
            code = EXIT_BY_STATUS.get(details.status, EXIT_ERROR)
            now = clock.time()
            text = f"{fmt_utc(now)}  finished    {status_word(details.status)}"
            printer.write([_Item(text, {"kind": "finished", "at": now, "status": details.status})])
            return code
        await clock.sleep(interval)
