"""Files and model cards of a simulated workspace, as ``/v1/files`` and ``/v1/models`` send them.

Files are described from their id's seed (sizes, lines, signature), so a file reads the same
every time without being stored.
"""

from __future__ import annotations

import random
from typing import Any

from tui.sim.lifecycle import SimJob
from tui.sim.seeding import CLASSIFIER_MODELS, COMPLETION_MODELS

__all__ = ["base_model_cards", "file_payload", "fine_tuned_model_card"]

_BASE_MODELS_CREATED = 1_700_000_000


def file_payload(file_id: str, job: SimJob, kind: str) -> dict[str, Any]:
    """``GET /v1/files/{id}`` for a file of ``job`` (``kind``: ``train`` or ``validation``)."""
    rng = random.Random(file_id)
    lines = rng.randint(200, 40_000) if kind == "train" else rng.randint(50, 2_000)
    name = f"{(job.suffix or job.model).replace(':', '-')}-{kind}.jsonl"
    return {
        "id": file_id,
        "object": "file",
        "bytes": lines * rng.randint(300, 2_400),
        "created_at": int(job.created_at) - rng.randint(60, 3_600),
        "filename": name,
        "purpose": "fine-tune",
        "sample_type": "instruct",
        "num_lines": lines,
        "mimetype": "application/jsonl",
        "source": "upload",
        "signature": f"{rng.getrandbits(64):016x}",
        "deleted": False,
    }


def base_model_cards() -> list[dict[str, Any]]:
    """The cards of the base models that can be fine-tuned."""
    return [
        {
            "id": info.id,
            "object": "model",
            "created": _BASE_MODELS_CREATED,
            "owned_by": "mistralai",
            "capabilities": {
                "completion_chat": info not in CLASSIFIER_MODELS,
                "function_calling": True,
                "completion_fim": info.id.startswith("codestral"),
                "fine_tuning": True,
                "vision": info.id.startswith("pixtral"),
                "classification": info in CLASSIFIER_MODELS,
            },
            "name": info.id,
            "description": f"Base model {info.id}",
            "max_context_length": info.max_context_length,
            "aliases": [],
            "deprecation": None,
            "deprecation_replacement_model": None,
            "default_model_temperature": 0.3,
            "type": "base",
        }
        for info in (*COMPLETION_MODELS, *CLASSIFIER_MODELS)
    ]


def fine_tuned_model_card(job: SimJob, workspace: str, *, archived: bool) -> dict[str, Any]:
    """The card of the model ``job`` produced (it must have one)."""
    return {
        "id": job.fine_tuned_model,
        "object": "model",
        "created": int(job.modified_at),
        "owned_by": workspace,
        "capabilities": {
            "completion_chat": job.job_type == "completion",
            "function_calling": False,
            "completion_fim": False,
            "fine_tuning": False,
            "vision": False,
            "classification": job.job_type == "classifier",
        },
        "name": None,
        "description": None,
        "max_context_length": 32768,
        "aliases": [],
        "deprecation": None,
        "deprecation_replacement_model": None,
        "default_model_temperature": None,
        "type": "fine-tuned",
        "job": job.id,
        "root": job.model,
        "archived": archived,
    }
