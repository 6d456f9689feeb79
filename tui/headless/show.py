"""``finetop show JOB_ID``: one job in full, grouped as the app's detail pane groups it."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Mapping
from typing import Protocol, TextIO

import orjson

from tui.api.convert import unstructure
from tui.api.errors import NotFoundError
from tui.api.models import (
    ClassifierJobDetails,
    GithubRepository,
    JobDetails,
    RetrievedFile,
    WandbIntegration,
)
from tui.display.formats import (
    MISSING,
    fmt_bool,
    fmt_count,
    fmt_duration,
    fmt_fixed,
    fmt_float,
    or_missing,
)
from tui.errors import FinetopError
from tui.headless import EXIT_ERROR, EXIT_NOT_FOUND, EXIT_OK
from tui.headless.render import PROG, fmt_utc, format_table
from tui.monitor.progress import compute_progress

__all__ = ["JobReader", "render_job", "run_show"]


class JobReader(Protocol):
    """What ``run_show`` needs from the client."""

    async def get_job(self, job_id: str) -> JobDetails: ...

    async def get_file(self, file_id: str) -> RetrievedFile: ...


def _value(value: object) -> str:
    if isinstance(value, bool):
        return fmt_bool(value)
    if isinstance(value, float):
        return fmt_float(value)
    if isinstance(value, int):
        return fmt_count(value)
    return or_missing(value)


def _group(title: str, pairs: Iterable[tuple[str, str]]) -> list[str]:
    pairs = list(pairs)
    width = max((len(label) for label, _ in pairs), default=0)
    lines = [title]
    lines.extend(f"  {label.ljust(width)}  {value}" for label, value in pairs)
    if not pairs:
        lines.append(f"  {MISSING}")
    return lines


def _file_label(file_id: str, names: Mapping[str, str]) -> str:
    name = names.get(file_id)
    return f"{file_id} ({name})" if name else file_id


def render_job(
    job: JobDetails, *, now: float, file_names: Mapping[str, str] | None = None
) -> list[str]:
    """The text of ``finetop show``: overview, progress, cost and tokens, hyperparameters, files,
    integrations, repositories, classifier targets, events and checkpoints."""
    names = file_names or {}
    progress = compute_progress(job, now)
    meta = job.metadata
    lines: list[str] = [f"Job {job.id}", ""]

    lines += _group(
        "Overview",
        [
            ("Status", f"{job.status} ({job.status_group.value})"),
            (
                "Type",
                f"{job.kind.value} ({job.job_type})"
                if job.kind.value != job.job_type
                else job.job_type,
            ),
            ("Model", _value(job.model)),
            ("Fine-tuned model", _value(job.fine_tuned_model)),
            ("Suffix", _value(job.suffix)),
            ("Created", fmt_utc(job.created_at)),
            ("Modified", fmt_utc(job.modified_at)),
            ("Auto start", fmt_bool(job.auto_start)),
        ],
    )
    step = progress.step
    total = progress.total_steps
    steps = MISSING if step is None and total is None else f"{_value(step)} / {_value(total)}"
    if progress.percent is not None:
        steps += f" ({progress.percent:.0f}%)"
    rate = f"{progress.rate:.3f} steps/s" if progress.rate else MISSING
    eta = fmt_duration(progress.eta)
    if progress.eta is not None and progress.eta_source == "estimate":
        eta += " (estimated)"
    lines += [
        "",
        *_group(
            "Progress",
            [
                ("Step", steps),
                ("Started", fmt_utc(progress.started_at)),
                ("Finished", fmt_utc(progress.finished_at)),
                (
                    "Duration" if progress.finished_at is not None else "Elapsed",
                    fmt_duration(progress.elapsed),
                ),
                ("ETA", eta),
                ("Rate", rate),
            ],
        ),
    ]
    cost = MISSING
    if meta is not None and meta.cost is not None:
        cost = f"{meta.cost:.2f} {meta.cost_currency or ''}".rstrip()
    lines += [
        "",
        *_group(
            "Cost and tokens",
            [
                ("Cost", cost),
                (
                    "Expected duration",
                    fmt_duration(meta.expected_duration_seconds)
                    if meta and meta.expected_duration_seconds
                    else MISSING,
                ),
                ("Estimated start", fmt_utc(meta.estimated_start_time) if meta else MISSING),
                ("Trained tokens", fmt_count(job.trained_tokens)),
                ("Train tokens", fmt_count(meta.train_tokens) if meta else MISSING),
                ("Tokens per step", fmt_count(meta.train_tokens_per_step) if meta else MISSING),
                ("Data tokens", fmt_count(meta.data_tokens) if meta else MISSING),
            ],
        ),
    ]
    hyper = unstructure(job.hyperparameters)
    lines += ["", *_group("Hyperparameters", [(k, _value(v)) for k, v in hyper.items()])]
    validation = job.validation_files or ()
    lines += [
        "",
        *_group(
            "Files",
            [("Training", _file_label(f, names)) for f in job.training_files]
            + [("Validation", _file_label(f, names)) for f in validation],
        ),
    ]
    integrations: list[tuple[str, str]] = []
    for integration in job.integrations or ():
        if isinstance(integration, WandbIntegration):
            label = "/".join(p for p in (integration.project, integration.name) if p)
            run = f" run {integration.run_name}" if integration.run_name else ""
            integrations.append(("W&B", f"{label}{run}  {integration.url or MISSING}"))
        else:
            integrations.append((integration.type, MISSING))
    lines += ["", *_group("Integrations", integrations)]
    repositories: list[tuple[str, str]] = []
    for repo in getattr(job, "repositories", ()) or ():
        if isinstance(repo, GithubRepository):
            ref = f"@{repo.ref}" if repo.ref else ""
            repositories.append(
                (
                    "GitHub",
                    f"{repo.owner}/{repo.name}{ref} {repo.commit_id[:12]} (weight {repo.weight:g})",
                )
            )
        else:
            repositories.append((repo.type, MISSING))
    lines += ["", *_group("Repositories", repositories)]
    if isinstance(job, ClassifierJobDetails):
        targets = [
            (
                t.name,
                f"{', '.join(t.labels) or MISSING}  weight {_value(t.weight)}  "
                f"loss {_value(t.loss_function)}",
            )
            for t in job.classifier_targets
        ]
        lines += ["", *_group("Classifier targets", targets)]

    lines += ["", "Events"]
    events = job.events_by_time
    if events:
        rows = [[fmt_utc(e.created_at), e.name, e.status or MISSING] for e in events]
        lines += ["  " + line for line in format_table(("TIME", "EVENT", "STATUS"), rows)]
    else:
        lines.append(f"  {MISSING}")

    lines += ["", "Checkpoints"]
    checkpoints = job.checkpoints_by_step
    if checkpoints:
        rows = [
            [
                str(c.step_number),
                fmt_utc(c.created_at),
                fmt_fixed(c.metrics.train_loss),
                fmt_fixed(c.metrics.valid_loss) if c.metrics.evaluated else MISSING,
                fmt_fixed(c.metrics.perplexity),
            ]
            for c in checkpoints
        ]
        headers = ("STEP", "TIME", "TRAIN LOSS", "VALID LOSS", "PERPLEXITY")
        lines += ["  " + line for line in format_table(headers, rows)]
    else:
        lines.append(f"  {MISSING}")
    return lines


async def _file_names(client: JobReader, job: JobDetails) -> dict[str, str]:
    """Filenames of the job's files; a file that cannot be read just shows its id."""
    names: dict[str, str] = {}
    for file_id in (*job.training_files, *(job.validation_files or ())):
        try:
            names[file_id] = (await client.get_file(file_id)).filename
        except (FinetopError, AttributeError):
            continue
    return names


async def run_show(
    client: JobReader,
    job_id: str,
    *,
    as_json: bool = False,
    out: TextIO,
    err: TextIO | None = None,
    now: float | None = None,
) -> int:
    """Print one job in full (or its wire JSON). 0, 5 when it does not exist, 1 on errors."""
    err = err or sys.stderr
    try:
        job = await client.get_job(job_id)
    except NotFoundError:
        print(f"{PROG}: error: job {job_id} not found", file=err)
        return EXIT_NOT_FOUND
    except FinetopError as error:
        print(f"{PROG}: error: {error}", file=err)
        return EXIT_ERROR
    if as_json:
        out.write(orjson.dumps(unstructure(job), option=orjson.OPT_INDENT_2).decode() + "\n")
        return EXIT_OK
    names = await _file_names(client, job)
    for line in render_job(job, now=time.time() if now is None else now, file_names=names):
        out.write(line + "\n")
    return EXIT_OK
