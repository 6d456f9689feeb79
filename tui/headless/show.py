"""``finetop show JOB_ID``: one job in full, grouped as the app's detail pane groups it.

``JOB_ID`` is a full id or a unique prefix of one (see :mod:`tui.headless.job_ids`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Protocol, TextIO

from tui.api.clock import SystemClock
from tui.api.errors import NotFoundError
from tui.api.models import JobDetails, RetrievedFile
from tui.display.formats import progress_bar
from tui.display.jsonl import json_line
from tui.errors import FinetopError
from tui.headless import EXIT_ERROR, EXIT_NOT_FOUND, EXIT_OK
from tui.headless.history_link import HistoryLink, JobFetcher, fetch_detail, known_jobs_of
from tui.headless.job_ids import JobIdError, JobLister, resolve_job_id
from tui.headless.render import error_line, format_table, wire_job
from tui.monitor.detail_groups import (
    CHECKPOINT_COLUMNS,
    LABEL_WIDTH,
    Group,
    Layout,
    Piece,
    Times,
    checkpoint_cells,
    detail_groups,
    header,
)
from tui.monitor.file_names import FileNameLookup

__all__ = ["BAR_WIDTH", "JobReader", "plain", "render_job", "run_show"]

BAR_WIDTH = 20
"""Cells of the progress bar after the steps."""


class JobReader(JobLister, JobFetcher, Protocol):
    """What ``run_show`` needs from the client (the listing only for a short id)."""

    async def get_file(self, file_id: str) -> RetrievedFile: ...


def _group_lines(group: Group, job: JobDetails, times: Times) -> list[str]:
    """One group as plain text: the title, then its rows (or the checkpoints table)."""
    lines = [group.title + plain(group.note)]
    if group.layout is Layout.TABLE:
        checkpoints = job.checkpoints_by_step
        if checkpoints:
            headers = [label.upper() for _, label in CHECKPOINT_COLUMNS]
            rows = [list(checkpoint_cells(c, times)) for c in checkpoints]
            lines += ["  " + line for line in format_table(headers, rows)]
        return lines
    for row in group.rows:
        if group.layout is Layout.LINES:
            lines.append(("  " + row.text).rstrip())
            continue
        value = row.text
        if row.bar is not None:
            value += "  " + progress_bar(row.bar, BAR_WIDTH)
        lines.append(f"  {row.label:<{LABEL_WIDTH}}{value}".rstrip())
    return lines


def plain(pieces: Iterable[Piece]) -> str:
    """Pieces as plain text (their tones mean nothing on a pipe)."""
    return "".join(piece.text for piece in pieces)


def render_job(
    job: JobDetails, *, now: float, file_names: Mapping[str, str] | None = None
) -> list[str]:
    """The text of ``finetop show``: the job's status and name, then every detail group
    (overview, progress, cost and tokens, hyperparameters, files, integrations, repositories,
    classifier targets, events and checkpoints), as the app's detail pane groups them."""
    times = Times(now, UTC, " UTC")
    lines = [plain(header(job))]
    for group in detail_groups(job, times, (file_names or {}).get):
        lines += ["", *_group_lines(group, job, times)]
    return lines


async def run_show(
    client: JobReader,
    job_id: str,
    *,
    as_json: bool = False,
    out: TextIO,
    err: TextIO | None = None,
    now: float | None = None,
    history: HistoryLink | None = None,
) -> int:
    """Print one job in full (or its wire JSON). 0; 5 when it does not exist or no job id
    starts with the prefix given; 1 on errors (a prefix several jobs start with among them)."""
    err = err or sys.stderr
    try:
        job_id = await resolve_job_id(client, job_id, known_jobs=known_jobs_of(history))
        job = await fetch_detail(client, job_id, history)
    except JobIdError as error:
        print(error_line(error), file=err)
        return error.exit_status
    except NotFoundError:
        print(error_line(f"job {job_id} not found"), file=err)
        return EXIT_NOT_FOUND
    except FinetopError as error:
        print(error_line(error), file=err)
        return EXIT_ERROR
    if as_json:
        # One line, every terminal-steering character escaped, however deep the data goes.
        out.write(json_line(wire_job(job)) + "\n")
        return EXIT_OK
    # A file that cannot be read just shows its id.
    names = await FileNameLookup(SystemClock()).look_up(client, job)
    for line in render_job(job, now=time.time() if now is None else now, file_names=names):
        out.write(line + "\n")
    return EXIT_OK
