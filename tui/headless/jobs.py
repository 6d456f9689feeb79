"""``finetop jobs``: the workspace's jobs as a table or as JSON lines (every page).

A listing stops at the page budget (``max_list_pages``): what was read is printed, a one-line note
on stderr says the listing was truncated and how many jobs the server claimed, and the exit status
stays 0 (the jobs shown are real; a script that must have all of them raises the budget).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from datetime import UTC
from typing import Any, Protocol, TextIO

from tui.api.listing import JobListing
from tui.api.models import Job, JobStatus, is_detail
from tui.display.formats import MISSING, fmt_duration, fmt_loss
from tui.display.jsonl import json_line
from tui.display.text import safe_text
from tui.errors import FinetopError
from tui.headless import EXIT_ERROR, EXIT_OK
from tui.headless.history_link import HistoryLink
from tui.headless.render import error_line, format_table, wire_job
from tui.monitor.detail_groups import Times
from tui.monitor.labels import status_word
from tui.monitor.progress import compute_progress
from tui.monitor.store import JobSummary

__all__ = ["EXTRA_KEY", "HEADERS", "JobLister", "job_row", "run_jobs", "summary_fields"]

HEADERS = (
    "ID",
    "STATUS",
    "TYPE",
    "MODEL",
    "NAME",
    "CREATED",
    "STEP",
    "TRAIN LOSS",
    "VALID LOSS",
    "DURATION",
)
"""The table's columns."""

NAME_LIMIT = 60
"""The widest a model or name cell reads (the full value is in ``--json``)."""

EXTRA_KEY = "finetop"
"""The key under which ``--json`` adds what finetop knows of a job besides the API's own
fields (its last step, losses and duration, from the local history); the API has no such
field, and a server sending one would see it replaced."""


class JobLister(Protocol):
    """What ``run_jobs`` needs from the client."""

    async def list_all_jobs(self, *, page_size: int = 100, **filters: Any) -> JobListing: ...


def _step(job: Job, summary: JobSummary) -> str:
    """``40/100``; ``—/100`` when the step is not known (a list item says only the total)."""
    total = job.training_steps
    step = summary.step
    if step is None and job.status == JobStatus.SUCCESS:
        step = total  # a successful job ran every step
    if total is None:
        return MISSING if step is None else str(step)
    return f"{MISSING if step is None else step}/{total}"


def job_row(job: Job, now: float, summary: JobSummary | None = None) -> list[str]:
    """One table row: id, status, kind, model, name, created, step, losses, duration.

    A list item says nothing of checkpoints: the step and losses come from ``summary`` (what
    a detail, or a local history, knows of the job) and read ``—`` without one. A detail
    brings its own.
    """
    if summary is None:
        summary = JobSummary.of(job) if is_detail(job) else JobSummary()
    elapsed = compute_progress(job, now).elapsed
    if elapsed is None:
        elapsed = summary.duration  # a list item does not tell; a detail or the history did
    return [
        safe_text(job.id),
        status_word(job.status),
        job.kind.value,
        safe_text(job.model, limit=NAME_LIMIT) or MISSING,
        safe_text(job.suffix or job.fine_tuned_model, limit=NAME_LIMIT) or MISSING,
        Times(now, UTC, " UTC").stamp(job.created_at),
        _step(job, summary),
        fmt_loss(summary.train_loss),
        fmt_loss(summary.valid_loss),
        fmt_duration(elapsed),
    ]


def summary_fields(summary: JobSummary | None) -> dict[str, Any]:
    """What is known of a job's training, for ``--json`` (under :data:`EXTRA_KEY`)."""
    if summary is None:
        return {}
    fields = {
        "step": summary.step,
        "train_loss": summary.train_loss,
        "valid_loss": summary.valid_loss,
        "perplexity": summary.perplexity,
        "duration_seconds": summary.duration,
    }
    return {name: value for name, value in fields.items() if value is not None}


async def run_jobs(
    client: JobLister,
    *,
    status: str | None = None,
    model: str | None = None,
    as_json: bool = False,
    out: TextIO,
    err: TextIO | None = None,
    now: float | None = None,
    summaries: Mapping[str, JobSummary] | None = None,
    history: HistoryLink | None = None,
) -> int:
    """List every job (newest first), filtered by status and model on the server side.

    With ``as_json`` each job is one line of its wire JSON (as the API sent it, terminal
    controls escaped), plus, when ``summaries`` know anything of it, a ``"finetop"`` object
    (``step``, ``train_loss``, ``valid_loss``, ``perplexity``, ``duration_seconds``).
    ``summaries`` (job id -> what is known of its checkpoints) fills the step, loss and
    duration columns; without them, ``history`` (the local history) gives them, and keeps
    the jobs listed. Returns 0, or 1 after one error line on ``err``.
    """
    err = err or sys.stderr
    filters: dict[str, Any] = {}
    if status:
        filters["status"] = status.upper()
    if model:
        filters["model"] = model
    try:
        jobs = await client.list_all_jobs(**filters)
    except FinetopError as error:
        print(error_line(error), file=err)
        return EXIT_ERROR
    if history is not None:
        history.record_items(list(jobs))
        if summaries is None:
            summaries = await history.summaries()
    if jobs.truncated:
        note = (
            f"listing truncated at {len(jobs)} jobs; the server claims {jobs.claimed_total} "
            "(raise max_list_pages to read more)"
        )
        print(error_line(note, "note"), file=err)
    known = summaries or {}
    if as_json:
        for job in jobs:
            record = wire_job(job)
            extra = summary_fields(known.get(job.id))
            if extra:
                record[EXTRA_KEY] = extra
            out.write(json_line(record) + "\n")
        return EXIT_OK
    if not jobs:
        out.write("no jobs\n")
        return EXIT_OK
    now = time.time() if now is None else now
    rows = [job_row(job, now, known.get(job.id)) for job in jobs]
    for line in format_table(HEADERS, rows):
        out.write(line + "\n")
    return EXIT_OK
