"""Schema drift: what a response looks like when the API changes under a client.

Applied to a decoded JSON body: unknown fields appear, a status the enum does not know, the
2024 ``job_type: "FT"``, and events without ``data``. Clients must keep working.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["UNKNOWN_STATUSES", "drift_body"]

UNKNOWN_STATUSES = ("PAUSED", "QUEUED_FOR_RETRY", "PREEMPTED")


def _drift_job(job: dict[str, Any], rng: random.Random) -> None:
    job["x_priority_class"] = rng.choice(("standard", "batch", "priority"))
    if rng.random() < 0.4:
        job["status"] = rng.choice(UNKNOWN_STATUSES)
    if job.get("job_type") == "completion" and rng.random() < 0.5:
        job["job_type"] = "FT"
    metadata = job.get("metadata")
    if isinstance(metadata, dict):
        metadata["x_gpu_hours"] = round(rng.uniform(0.1, 40.0), 2)
    events = job.get("events")
    if isinstance(events, list) and rng.random() < 0.6:
        for event in events:
            if isinstance(event, dict):
                event.pop("data", None)
    checkpoints = job.get("checkpoints")
    if isinstance(checkpoints, list):
        for checkpoint in checkpoints[:3]:
            metrics = checkpoint.get("metrics") if isinstance(checkpoint, dict) else None
            if isinstance(metrics, dict):
                metrics["train_perplexity"] = round(2.0 ** float(metrics.get("train_loss") or 0), 6)


def drift_body(body: Any, rng: random.Random) -> Any:
    """Return ``body`` with drift applied (mutated in place where it is a dict)."""
    if not isinstance(body, dict):
        return body
    if body.get("object") == "job":
        _drift_job(body, rng)
    elif isinstance(body.get("data"), list):
        for item in body["data"]:
            if isinstance(item, dict) and item.get("object") == "job":
                _drift_job(item, rng)
        body["x_next_cursor"] = None
    else:
        body["x_api_revision"] = "2026-11-01"
    return body
