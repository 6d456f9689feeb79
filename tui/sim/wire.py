"""Render simulated jobs, files and models as the wire JSON the real API sends.

Key order and presence follow captured payloads (see ``tests/fixtures``): list items carry no
events or checkpoints; details add them; ``metadata`` is ``null`` until the job is VALIDATED;
the W&B ``url`` is ``null`` until RUNNING; checkpoints are newest first.
"""

from __future__ import annotations

from typing import Any

from tui.api.models import JobStatus
from tui.sim.curves import metrics_at
from tui.sim.lifecycle import SimJob, steps_done

__all__ = ["checkpoints", "events", "job_detail", "job_list_item", "metadata"]


def metadata(job: SimJob) -> dict[str, Any] | None:
    """``metadata``: null before validation, then consistent figures."""
    if not job.validated:
        return None
    tokens = job.tokens
    train_tokens = job.train_tokens
    expected = job.training_steps * job.plan.step_seconds * job.plan.duration_estimate
    return {
        "expected_duration_seconds": max(1, round(expected)),
        "cost": round(train_tokens / 1_000_000 * tokens.price_per_million, 4),
        "cost_currency": tokens.currency,
        "train_tokens_per_step": tokens.train_tokens_per_step,
        "train_tokens": train_tokens,
        "data_tokens": tokens.data_tokens,
        "estimated_start_time": job.estimated_start_time,
    }


def _integrations(job: SimJob) -> list[dict[str, Any]]:
    if job.wandb is None:
        return []
    wandb = job.wandb
    return [
        {
            "type": "wandb",
            "project": wandb.project,
            "name": wandb.name,
            "run_name": wandb.run_name,
            "url": wandb.url if job.run_started_at is not None else None,
        }
    ]


def job_list_item(job: SimJob) -> dict[str, Any]:
    """The job as ``GET /v1/fine_tuning/jobs`` lists it."""
    item: dict[str, Any] = {
        "id": job.id,
        "auto_start": job.auto_start,
        "model": job.model,
        "status": job.status,
        "created_at": int(job.created_at),
        "modified_at": int(job.modified_at),
        "training_files": list(job.training_files),
        "hyperparameters": dict(job.hyperparameters),
        "validation_files": list(job.validation_files),
        "object": "job",
        "fine_tuned_model": job.fine_tuned_model,
        "suffix": job.suffix,
        "integrations": _integrations(job),
        "trained_tokens": job.trained_tokens,
        "metadata": metadata(job),
        "job_type": job.job_type,
    }
    if job.job_type == "completion":
        item["repositories"] = []
    return item


def events(job: SimJob) -> list[dict[str, Any]]:
    """``status-updated`` events, in the order this job's API version used."""
    out = [
        {"name": "status-updated", "created_at": at, "data": {"status": status}}
        for at, status in job.events
    ]
    if job.events_newest_first:
        out.reverse()
    return out


def checkpoints(job: SimJob, now: float) -> list[dict[str, Any]]:
    """Checkpoints written so far, newest first, with the metrics the API reports."""
    done = steps_done(job, now)
    if done <= 0 or job.run_started_at is None:
        return []
    every = job.checkpoint_every
    out: list[dict[str, Any]] = []
    last = done - done % every
    for step in range(last, 0, -every):
        evaluated = job.eval_every is not None and (
            step % job.eval_every == 0 or step == job.training_steps
        )
        out.append(
            {
                "metrics": metrics_at(job.curve, step, evaluated=evaluated),
                "step_number": step,
                "created_at": int(job.run_started_at + step * job.plan.step_seconds),
            }
        )
    return out


def job_detail(job: SimJob, now: float) -> dict[str, Any]:
    """The job as ``GET /v1/fine_tuning/jobs/{id}`` returns it."""
    detail = job_list_item(job)
    if job.job_type == "classifier":
        # Real classifier details put the targets right after the hyperparameters.
        detail = {
            **{k: v for k, v in detail.items() if k != "validation_files"},
        }
        ordered: dict[str, Any] = {}
        for key, value in detail.items():
            ordered[key] = value
            if key == "hyperparameters":
                ordered["classifier_targets"] = [dict(t) for t in job.classifier_targets or []]
                ordered["validation_files"] = list(job.validation_files)
        detail = ordered
    detail["events"] = events(job)
    detail["checkpoints"] = checkpoints(job, now)
    return detail


def is_running(job: SimJob) -> bool:
    """Whether the job is training (its checkpoints may still grow)."""
    return job.status in (JobStatus.RUNNING, JobStatus.STARTED)
