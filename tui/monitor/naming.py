"""What a job is called where room is short: its name, and its base model's short name.

A job's name is its suffix. Without one, the fine-tuned model's name
(``ft:open-mistral-7b:b6e34a5e:20240531:4ffddbce``) holds nothing but the base model, the
workspace, a date and the job id's first characters -- the id again -- so such a job has no
name of its own (``None``), and lists show its base model instead. Short model names drop what
every Mistral model shares: ``open-mistral-7b`` reads ``7b``, ``mistral-small-latest``
``small``, ``ministral-8b-latest`` ``ministral-8b``.
"""

from __future__ import annotations

import re

from tui.api.models import Job

__all__ = ["job_name", "short_model"]

_GENERATED_TAIL = re.compile(r"^\d{8}$")
"""The date the service puts where a fine-tuned model's suffix would be."""
_MODEL_PREFIXES = ("open-", "mistral-")
_MODEL_SUFFIXES = ("-latest",)


def job_name(job: Job) -> str | None:
    """The job's own name: its suffix, else the suffix part of its fine-tuned model's name;
    ``None`` when it has neither (see the module docstring)."""
    if job.suffix:
        return job.suffix
    model = job.fine_tuned_model
    if not model:
        return None
    if not model.startswith("ft:"):
        return model
    # ft:[classifier:]<base>:<workspace>:<suffix or YYYYMMDD>:<id prefix or hash>
    parts = model.split(":")
    if len(parts) < 5:
        return None
    tail = parts[-2]
    if not tail or _GENERATED_TAIL.match(tail):
        return None
    return tail


def short_model(model: str) -> str:
    """``model`` without the prefixes and suffixes all Mistral models share."""
    short = model
    for prefix in _MODEL_PREFIXES:
        if short.startswith(prefix) and len(short) > len(prefix):
            short = short[len(prefix) :]
    for suffix in _MODEL_SUFFIXES:
        if short.endswith(suffix) and len(short) > len(suffix):
            short = short[: -len(suffix)]
    return short
