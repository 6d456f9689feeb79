"""Job ids as people type them: a full UUID, or a unique prefix such as the 8 characters the job
list shows (``finetop show 736b1be2``), the way git and docker take short ids.

A full UUID is used as it is (no lookup), and so is anything that is not hex (the API's path
rules refuse what cannot be an id, such as ``..``). A prefix is matched, case-insensitively, against
every job of the listing (within the page budget) and the jobs the local history knows: one
match is the job; none, or several, is a one-line error listing up to
:data:`MAX_CANDIDATES` candidates with their status and name (server text, made safe).

The local history plugs in through :data:`KnownJobs`, a function returning the jobs it knows
(:meth:`HistoryLink.known_jobs <tui.headless.history_link.HistoryLink.known_jobs>`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from tui.api.listing import JobListing
from tui.api.models import Job
from tui.display.formats import short_id
from tui.display.text import safe_text
from tui.errors import ErrorKind, FinetopError
from tui.headless import EXIT_ERROR, EXIT_NOT_FOUND
from tui.monitor.labels import status_label
from tui.monitor.naming import job_name

__all__ = [
    "MAX_CANDIDATES",
    "MIN_PREFIX",
    "AmbiguousJobId",
    "JobIdError",
    "JobLister",
    "KnownJobs",
    "UnknownJobId",
    "is_full_id",
    "no_known_jobs",
    "resolve_job_id",
]

MIN_PREFIX = 4
"""The shortest prefix looked up (shorter ones match too much to be meant)."""
MAX_CANDIDATES = 5
"""Candidates listed when a prefix matches several jobs."""
NAME_LIMIT = 40
"""The longest a candidate's name reads."""

_FULL_ID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_PREFIX = re.compile(r"^[0-9a-fA-F][0-9a-fA-F-]*$")

KnownJobs = Callable[[], Awaitable[Iterable[Job]]]
"""Jobs known locally (the local history), searched with the listing."""


async def no_known_jobs() -> tuple[Job, ...]:
    """No local history: the listing alone."""
    return ()


class JobLister(Protocol):
    """What the lookup needs from the client."""

    async def list_all_jobs(self) -> JobListing: ...


class JobIdError(FinetopError):
    """A job id that names no job, or several; ``exit_status`` is the command's."""

    kind = ErrorKind.VALIDATION
    exit_status = EXIT_ERROR


class UnknownJobId(JobIdError):
    """No job has this id or an id starting with it."""

    kind = ErrorKind.NOT_FOUND
    exit_status = EXIT_NOT_FOUND


class AmbiguousJobId(JobIdError):
    """Several jobs have ids starting with this prefix."""


def is_full_id(text: str) -> bool:
    """Whether ``text`` is a whole job id (a UUID), used without a lookup."""
    return bool(_FULL_ID.match(text))


def _candidate(job: Job) -> str:
    name = safe_text(job_name(job) or job.model, limit=NAME_LIMIT)
    return f"{safe_text(short_id(job.id))} {status_label(job.status)} {name}"


async def resolve_job_id(
    client: JobLister, text: str, *, known_jobs: KnownJobs = no_known_jobs
) -> str:
    """The job id ``text`` names: itself when it is a full UUID (or not hex at all: no short id),
    else the one job whose id starts with it. Raises :class:`UnknownJobId`,
    :class:`AmbiguousJobId` or :class:`JobIdError` (too short), each one line; the client's
    errors pass through."""
    candidate = text.strip()
    if is_full_id(candidate):
        return candidate
    if not _PREFIX.match(candidate):
        return text  # no short id: the API's path rules and answer say what it makes of it
    text = candidate
    shown = safe_text(text, limit=NAME_LIMIT)
    if len(text) < MIN_PREFIX:
        raise JobIdError(
            f"job id prefix {shown!r} is too short: give at least {MIN_PREFIX} characters"
        )
    prefix = text.lower()
    listing = await client.list_all_jobs()
    jobs = {job.id: job for job in listing}
    for job in await known_jobs():
        jobs.setdefault(job.id, job)
    matches = [job for job_id, job in jobs.items() if job_id.lower().startswith(prefix)]
    if len(matches) == 1:
        return matches[0].id
    if not matches:
        cut = " (the listing stopped at its page budget)" if listing.truncated else ""
        raise UnknownJobId(f"no job id starts with {shown} among {len(jobs)} jobs{cut}")
    listed = "; ".join(_candidate(job) for job in matches[:MAX_CANDIDATES])
    more = f"; and {len(matches) - MAX_CANDIDATES} more" if len(matches) > MAX_CANDIDATES else ""
    raise AmbiguousJobId(
        f"job id prefix {shown} matches {len(matches)} jobs: {listed}{more}; give more of the id"
    )
