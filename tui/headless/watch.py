"""``finetop watch JOB_ID``: follow one job, one line per new status, event and checkpoint.

A simple detail loop (one job needs no list polling) with the poller's policy: the job's store
entry reports what is new. It exits when the job ends, with a status that says how: 0 SUCCESS,
2 FAILED, 3 FAILED_VALIDATION, 4 CANCELLED; 5 if the job does not exist (or no job id starts with
the prefix given); 6 when ``--timeout`` runs out first; 1 on other errors.

Failing fast, so that ``finetop watch ID && ./deploy.sh`` never hangs on a typo: until the job
has been seen once, a server that cannot be reached (refused, DNS, TLS, timeout), that answers
something that is not the API, or that refuses the key (401/403) ends the watch at once, in one
line. 429 and 5xx mean the API is there and busy: those are waited out, as are network errors
and outages once the job has been seen (one line on stderr each, backing off, honouring
Retry-After). ``--timeout`` bounds the whole watch, lookups and waits included.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol, TextIO, TypeVar

import attrs

from tui.api.backoff import Backoff
from tui.api.clock import Clock, SystemClock
from tui.api.convert import unstructure
from tui.api.errors import (
    NotFoundError,
    PayloadError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from tui.api.models import Checkpoint, Event, Job, JobDetails
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
    EXIT_TIMEOUT,
)
from tui.headless.history_link import HistoryLink, JobFetcher, fetch_detail, known_jobs_of
from tui.headless.job_ids import (
    JobIdError,
    JobLister,
    resolve_job_id,
)
from tui.headless.render import PROG, error_line, fmt_utc, wire_event
from tui.monitor.changes import Change, CheckpointsAdded, EventsAdded, JobAdded, JobChanged
from tui.monitor.detail_groups import event_detail
from tui.monitor.labels import status_word
from tui.monitor.store import JobStore

__all__ = ["EXIT_BY_STATUS", "WatchSource", "checkpoint_line", "run_watch"]

EXIT_BY_STATUS: dict[str, int] = {
    "SUCCESS": EXIT_OK,
    "FAILED": EXIT_FAILED,
    "FAILED_VALIDATION": EXIT_FAILED_VALIDATION,
    "CANCELLED": EXIT_CANCELLED,
}
"""The exit status for each terminal job status."""

_TRANSIENT = (RateLimitedError, ServerError, TransportError, PayloadError)
"""Errors worth waiting out once the job has been seen: the next try may well succeed."""
_UNREACHABLE = (TransportError, PayloadError)
"""Errors that end the watch before the job has been seen: not the API, or no API at all."""

T = TypeVar("T")


class WatchSource(JobLister, JobFetcher, Protocol):
    """What ``run_watch`` needs from the client (the listing only for a short id)."""


class _TimedOut(Exception):
    """The watch's ``--timeout`` ran out."""


class _Deadline:
    """The end of the watch (``None``: none), on the watch's clock."""

    def __init__(self, clock: Clock, timeout: float | None) -> None:
        self.clock = clock
        self.at = None if timeout is None else clock.monotonic() + timeout
        """Monotonic time the watch ends at."""

    def left(self) -> float | None:
        """Seconds left; raises ``_TimedOut`` when none are."""
        if self.at is None:
            return None
        left = self.at - self.clock.monotonic()
        if left <= 0:
            raise _TimedOut
        return left

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        """``call()``, given at most the time left."""
        left = self.left()
        if left is None:
            return await call()
        try:
            return await asyncio.wait_for(call(), left)
        except TimeoutError:
            raise _TimedOut from None

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds``, or until the deadline if it comes first."""
        left = self.left()
        await self.clock.sleep(seconds if left is None else min(seconds, left))


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
    client: WatchSource,
    job_id: str,
    *,
    out: TextIO,
    err: TextIO | None = None,
    clock: Clock | None = None,
    interval: float = 10.0,
    backoff: Backoff | None = None,
    as_json: bool = False,
    give_up_after: float | None = None,
    history: HistoryLink | None = None,
) -> int:
    """Follow ``job_id`` (a full id, or a unique prefix of one) until it ends; see the module
    docstring for output, failures and exit statuses.

    ``interval`` is the time between fetches while all is well; ``give_up_after`` (seconds,
    ``--timeout``) bounds the whole watch. With ``as_json`` each line is a JSON object:
    ``{"kind": "watching" | "status" | "event" | "checkpoint" | "finished", "at": unix
    seconds, ...}``, events and checkpoints as the API sent them.

    With ``history`` (the local history, which a running app may share), a prefix is looked
    up among its jobs too, every detail fetched is kept there (new checkpoints appended), and a
    finished job whose final detail it holds is reported from there without a request.
    """
    err = err or sys.stderr
    clock = clock or SystemClock()
    deadline = _Deadline(clock, give_up_after)
    backoff = backoff or Backoff(base=2.0, cap=300.0)
    watch = _Watch(client, job_id, err, clock, backoff, history)
    try:
        watch.job_id = await watch.fetch(
            deadline, lambda: resolve_job_id(client, job_id, known_jobs=known_jobs_of(history))
        )
        return await watch.follow(deadline, interval, _Printer(out, as_json=as_json))
    except JobIdError as error:
        print(error_line(error), file=err)
        return error.exit_status
    except _TimedOut:
        print(error_line(watch.timed_out(give_up_after or 0.0)), file=err)
        return EXIT_TIMEOUT
    except _Ended as ended:
        return ended.status


class _Ended(Exception):
    """The watch ends with this exit status (its line already printed)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Watch:
    """One watch: the job's store entry, and what is known of the link."""

    def __init__(
        self,
        client: WatchSource,
        job_id: str,
        err: TextIO,
        clock: Clock,
        backoff: Backoff,
        history: HistoryLink | None,
    ) -> None:
        self.client = client
        self.history = history
        """The local history the job's details are read from and kept in (``None``: none)."""
        self.job_id = job_id
        """The job followed (the full id once a prefix is resolved)."""
        self.err = err
        """Where failures and retries are reported."""
        self.clock = clock
        self.backoff = backoff
        """Delays between tries while the API fails."""
        self.store = JobStore(clock=clock)
        """The job's entry: says what each fetch brought that is new."""
        self.last: JobDetails | None = None
        """The job as last fetched (``None`` until it has been seen)."""

    def timed_out(self, timeout: float) -> str:
        """The line that ends a watch whose time ran out."""
        after = f"timed out after {fmt_duration(timeout)}"
        if self.last is None:
            return f"{after}: job {safe_text(self.job_id)} not reached"
        return f"{after}: job {safe_text(self.job_id)} still {status_word(self.last.status)}"

    async def fetch(self, deadline: _Deadline, call: Callable[[], Awaitable[T]]) -> T:
        """``call()``'s answer, waiting out what can be waited out (see the module docstring);
        raises ``_Ended`` once the watch is over, ``JobIdError`` for an id that names no job."""
        failures = 0
        while True:
            try:
                answer = await deadline.run(call)
            except JobIdError:
                raise
            except NotFoundError:
                print(error_line(f"job {self.job_id} not found"), file=self.err)
                raise _Ended(EXIT_NOT_FOUND) from None
            except _UNREACHABLE as error:
                if self.last is None:  # the first contact failed: fail fast, in one line
                    print(error_line(error), file=self.err)
                    raise _Ended(EXIT_ERROR) from None
                await self._wait_out(error, failures, deadline)
            except _TRANSIENT as error:
                await self._wait_out(error, failures, deadline)
            except FinetopError as error:  # 401/403, 422 and the like: trying again won't help
                print(error_line(error), file=self.err)
                raise _Ended(EXIT_ERROR) from None
            else:
                if failures:
                    print(f"{PROG}: reconnected", file=self.err)
                return answer
            failures += 1

    async def follow(self, deadline: _Deadline, interval: float, printer: _Printer) -> int:
        """Fetch the job every ``interval`` until it ends; the exit status."""
        while True:
            details = await self.fetch(
                deadline, lambda: fetch_detail(self.client, self.job_id, self.history)
            )
            changes = self.store.apply(details)
            printer.write(_items(changes, details, self.clock.time(), self.last is None))
            self.last = details
            if details.is_terminal:
                code = EXIT_BY_STATUS.get(details.status, EXIT_ERROR)
                now = self.clock.time()
                text = f"{fmt_utc(now)}  finished    {status_word(details.status)}"
                record = {"kind": "finished", "at": now, "status": details.status}
                printer.write([_Item(text, record)])
                return code
            await deadline.sleep(interval)

    async def _wait_out(self, error: FinetopError, failures: int, deadline: _Deadline) -> None:
        delay = self.backoff.next_delay(failures, _retry_after(error))
        retrying = f" (retrying in {fmt_duration(delay)})"
        print(error_line(error, error.kind.value) + retrying, file=self.err)
        await deadline.sleep(delay)
