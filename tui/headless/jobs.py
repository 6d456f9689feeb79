"""``finetop jobs``: the workspace's jobs as a table or as JSON lines (every page).

A listing stops at the page budget (``max_list_pages``): what was read is printed, a one-line note
on stderr says the listing was truncated and how many jobs the server claimed, and the exit status
stays 0 (the jobs shown are real; a script that must have all of them raises the budget).
"""

from __future__ import annotations

import sys
from typing import Any, Protocol, TextIO

from tui.api.convert import dumps
from tui.api.listing import JobListing
from tui.api.models import Job
from tui.display.formats import MISSING, fmt_count
from tui.errors import FinetopError
from tui.headless import EXIT_ERROR, EXIT_OK
from tui.headless.render import PROG, fmt_utc, format_table

__all__ = ["JobLister", "job_row", "run_jobs"]

HEADERS = ("ID", "STATUS", "TYPE", "MODEL", "NAME", "CREATED", "STEPS")


class JobLister(Protocol):
    """What ``run_jobs`` needs from the client."""

    async def list_all_jobs(self, *, page_size: int = 100, **filters: Any) -> JobListing: ...


def job_row(job: Job) -> list[str]:
    """One table row: id, status, kind, model, suffix or fine-tuned model, created, steps."""
    return [
        job.id,
        job.status,
        job.kind.value,
        job.model,
        job.suffix or job.fine_tuned_model or MISSING,
        fmt_utc(job.created_at),
        fmt_count(job.training_steps),
    ]


async def run_jobs(
    client: JobLister,
    *,
    status: str | None = None,
    model: str | None = None,
    as_json: bool = False,
    out: TextIO,
    err: TextIO | None = None,
) -> int:
    """List every job (newest first), filtered by status and model on the server side.

    With ``as_json`` each job is one line of wire JSON (as the API sent it). Returns 0, or 1
    after one error line on ``err``.
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
        print(f"{PROG}: error: {error}", file=err)
        return EXIT_ERROR
    if jobs.truncated:
        print(
            f"{PROG}: note: listing truncated at {len(jobs)} jobs; the server claims "
            f"{jobs.claimed_total} (raise max_list_pages to read more)",
            file=err,
        )
    if as_json:
        for job in jobs:
            out.write(dumps(job).decode() + "\n")
        return EXIT_OK
    if not jobs:
        out.write("no jobs\n")
        return EXIT_OK
    for line in format_table(HEADERS, [job_row(job) for job in jobs]):
        out.write(line + "\n")
    return EXIT_OK
