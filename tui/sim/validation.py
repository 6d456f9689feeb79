"""Parse request parameters and bodies the way the real (FastAPI + pydantic) service does.

Bad input becomes a 422 whose ``detail`` is a list of ``{type, loc, msg, input}`` items, the
shape FastAPI produces, so clients exercise their handling of real validation errors.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tui.api.models import JobStatus
from tui.sim.problems import SimProblem, field_error, invalid
from tui.sim.seeding import CLASSIFIER_MODELS, COMPLETION_MODELS
from tui.sim.world import JobQuery, NewJob

__all__ = ["parse_job_in", "parse_job_query", "parse_page", "parse_uuid"]

_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n"}
_STATUSES = [str(s) for s in JobStatus]
_HEX = set("0123456789abcdefABCDEF")


def parse_uuid(value: str, name: str) -> str:
    """A path UUID, normalised to lowercase; 422 ``uuid_parsing`` otherwise."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        pass
    bad = next(
        ((i, c) for i, c in enumerate(value.removeprefix("urn:uuid:")) if c not in _HEX | {"-"}),
        None,
    )
    if bad is not None:
        reason = (
            "invalid character: expected an optional prefix of `urn:uuid:` followed by "
            f"[0-9a-fA-F-], found `{bad[1]}` at {bad[0] + 1}"
        )
    else:
        reason = f"invalid length: expected length 32 for simple format, found {len(value)}"
    raise invalid(
        [
            field_error(
                "uuid_parsing",
                ["path", name],
                f"Input should be a valid UUID, {reason}",
                value,
                {"error": reason},
            )
        ]
    )


def _int(params: Mapping[str, str], name: str, default: int, errors: list[dict[str, Any]]) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        errors.append(
            field_error(
                "int_parsing",
                ["query", name],
                "Input should be a valid integer, unable to parse string as an integer",
                raw,
            )
        )
        return default
    if value < 0:
        errors.append(
            field_error(
                "greater_than_equal",
                ["query", name],
                "Input should be greater than or equal to 0",
                raw,
                {"ge": 0},
            )
        )
    return value


def _bool(params: Mapping[str, str], name: str, errors: list[dict[str, Any]]) -> bool:
    raw = params.get(name)
    if raw is None:
        return False
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        errors.append(
            field_error(
                "bool_parsing",
                ["query", name],
                "Input should be a valid boolean, unable to interpret input",
                raw,
            )
        )
    return False


def _datetime(params: Mapping[str, str], name: str, errors: list[dict[str, Any]]) -> float | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    text = raw.strip()
    try:
        return float(text)  # pydantic also accepts Unix timestamps
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "+") if "T" in text else text)
    except ValueError:
        errors.append(
            field_error(
                "datetime_from_date_parsing",
                ["query", name],
                "Input should be a valid datetime or date, invalid date separator",
                raw,
                {"error": "invalid date separator"},
            )
        )
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # naive times are taken as UTC
    return parsed.timestamp()


def _text(params: Mapping[str, str], name: str) -> str | None:
    raw = params.get(name)
    return raw if raw not in (None, "") else None


def parse_page(params: Mapping[str, str]) -> tuple[int, int]:
    """``page`` / ``page_size`` of a list endpoint."""
    errors: list[dict[str, Any]] = []
    page = _int(params, "page", 0, errors)
    size = _int(params, "page_size", 100, errors)
    if errors:
        raise invalid(errors)
    return page, size


def parse_job_query(params: Mapping[str, str]) -> JobQuery:
    """The filters of ``GET /v1/fine_tuning/jobs``."""
    errors: list[dict[str, Any]] = []
    page = _int(params, "page", 0, errors)
    size = _int(params, "page_size", 100, errors)
    status = _text(params, "status")
    if status is not None and status not in _STATUSES:
        expected = ", ".join(f"'{s}'" for s in _STATUSES[:-1]) + f" or '{_STATUSES[-1]}'"
        errors.append(
            field_error(
                "enum",
                ["query", "status"],
                f"Input should be {expected}",
                status,
                {"expected": expected},
            )
        )
    query = JobQuery(
        page=page,
        page_size=size,
        model=_text(params, "model"),
        created_after=_datetime(params, "created_after", errors),
        created_before=_datetime(params, "created_before", errors),
        created_by_me=_bool(params, "created_by_me", errors),
        status=status,
        wandb_project=_text(params, "wandb_project"),
        wandb_name=_text(params, "wandb_name"),
        suffix=_text(params, "suffix"),
    )
    if errors:
        raise invalid(errors)
    return query


# ---------------------------------------------------------------------------- JobIn


def _check_number(
    params: Mapping[str, Any],
    key: str,
    loc: list[str | int],
    errors: list[dict[str, Any]],
    *,
    lo: float | None = None,
    hi: float | None = None,
    exclusive_lo: bool = False,
    integer: bool = False,
) -> None:
    if key not in params or params[key] is None:
        return
    value = params[key]
    where = [*loc, key]
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (integer and not isinstance(value, int))
    ):
        kind, msg = (
            ("int_type", "Input should be a valid integer")
            if integer
            else ("float_type", "Input should be a valid number")
        )
        errors.append(field_error(kind, where, msg, value))
        return
    if not math.isfinite(value):
        errors.append(field_error("finite_number", where, "Input should be a finite number", value))
    elif lo is not None and (value <= lo if exclusive_lo else value < lo):
        kind, word = (
            ("greater_than", "greater than")
            if exclusive_lo
            else ("greater_than_equal", "greater than or equal to")
        )
        errors.append(
            field_error(
                kind,
                where,
                f"Input should be {word} {lo:g}",
                value,
                {"gt" if exclusive_lo else "ge": lo},
            )
        )
    elif hi is not None and value > hi:
        errors.append(
            field_error(
                "less_than_equal",
                where,
                f"Input should be less than or equal to {hi:g}",
                value,
                {"le": hi},
            )
        )


def _uuid_value(item: Any, loc: list[str | int], errors: list[dict[str, Any]]) -> str | None:
    if isinstance(item, str):
        try:
            return str(uuid.UUID(item))
        except ValueError:
            pass
    errors.append(field_error("uuid_parsing", loc, "Input should be a valid UUID", item))
    return None


def _uuid_list(value: Any, loc: list[str | int], errors: list[dict[str, Any]]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(field_error("list_type", loc, "Input should be a valid list", value))
        return []
    parsed = [_uuid_value(item, [*loc, index], errors) for index, item in enumerate(value)]
    return [item for item in parsed if item is not None]


def parse_job_in(body: Any) -> NewJob:
    """Validate a ``JobIn`` body; 422 with every problem found."""
    if not isinstance(body, dict):
        raise invalid(
            [
                field_error(
                    "model_attributes_type",
                    ["body"],
                    "Input should be a valid dictionary or object to extract fields from",
                    body,
                )
            ]
        )
    errors: list[dict[str, Any]] = []
    model = body.get("model")
    if "model" not in body:
        errors.append(field_error("missing", ["body", "model"], "Field required", body))
    elif not isinstance(model, str):
        errors.append(
            field_error("string_type", ["body", "model"], "Input should be a valid string", model)
        )
    hyper = body.get("hyperparameters")
    if "hyperparameters" not in body:
        errors.append(field_error("missing", ["body", "hyperparameters"], "Field required", body))
    elif not isinstance(hyper, dict):
        errors.append(
            field_error(
                "model_attributes_type",
                ["body", "hyperparameters"],
                "Input should be a valid dictionary or object to extract fields from",
                hyper,
            )
        )
    else:
        loc: list[str | int] = ["body", "hyperparameters"]
        _check_number(hyper, "training_steps", loc, errors, lo=1, integer=True)
        _check_number(hyper, "learning_rate", loc, errors, lo=1e-8, hi=1)
        _check_number(hyper, "weight_decay", loc, errors, lo=0, hi=1)
        _check_number(hyper, "warmup_fraction", loc, errors, lo=0, hi=1)
        _check_number(hyper, "epochs", loc, errors, lo=0, exclusive_lo=True)
        _check_number(hyper, "seq_len", loc, errors, lo=100, integer=True)
        _check_number(hyper, "fim_ratio", loc, errors, lo=0, hi=1)
    training: list[str] = []
    raw_training = body.get("training_files", [])
    if raw_training is not None and not isinstance(raw_training, list):
        errors.append(
            field_error(
                "list_type",
                ["body", "training_files"],
                "Input should be a valid list",
                raw_training,
            )
        )
    for index, item in enumerate(raw_training or []):
        where: list[str | int] = ["body", "training_files", index]
        if not isinstance(item, dict) or "file_id" not in item:
            errors.append(field_error("missing", [*where, "file_id"], "Field required", item))
            continue
        file_id = _uuid_value(item["file_id"], [*where, "file_id"], errors)
        if file_id is not None:
            training.append(file_id)
        _check_number(item, "weight", where, errors, lo=0, exclusive_lo=True)
    validation = _uuid_list(body.get("validation_files"), ["body", "validation_files"], errors)
    suffix = body.get("suffix")
    if suffix is not None and not isinstance(suffix, str):
        errors.append(
            field_error("string_type", ["body", "suffix"], "Input should be a valid string", suffix)
        )
    elif isinstance(suffix, str) and len(suffix) > 18:
        errors.append(
            field_error(
                "string_too_long",
                ["body", "suffix"],
                "String should have at most 18 characters",
                suffix,
                {"max_length": 18},
            )
        )
    auto_start = body.get("auto_start", True)
    if not isinstance(auto_start, bool):
        errors.append(
            field_error(
                "bool_type", ["body", "auto_start"], "Input should be a valid boolean", auto_start
            )
        )
    job_type = body.get("job_type") or "completion"
    if job_type not in ("completion", "classifier"):
        errors.append(
            field_error(
                "enum",
                ["body", "job_type"],
                "Input should be 'completion' or 'classifier'",
                job_type,
                {"expected": "'completion' or 'classifier'"},
            )
        )
    project = name = None
    integrations = body.get("integrations") or []
    if not isinstance(integrations, list):
        errors.append(
            field_error(
                "list_type", ["body", "integrations"], "Input should be a valid list", integrations
            )
        )
        integrations = []
    for index, item in enumerate(integrations):
        where = ["body", "integrations", index, "wandb"]
        if not isinstance(item, dict):
            errors.append(
                field_error(
                    "model_attributes_type",
                    where,
                    "Input should be a valid dictionary or object to extract fields from",
                    item,
                )
            )
            continue
        if not isinstance(item.get("project"), str):
            errors.append(field_error("missing", [*where, "project"], "Field required", item))
        key = item.get("api_key")
        if not isinstance(key, str) or len(key) != 40:
            # Never echo a secret back, not even a malformed one.
            errors.append(
                field_error(
                    "string_too_short" if isinstance(key, str) else "missing",
                    [*where, "api_key"],
                    "String should have 40 characters"
                    if isinstance(key, str)
                    else "Field required",
                    "<redacted>",
                )
            )
        project, name = item.get("project"), item.get("name")
    targets = body.get("classifier_targets")
    if targets is not None and not isinstance(targets, list):
        errors.append(
            field_error(
                "list_type", ["body", "classifier_targets"], "Input should be a valid list", targets
            )
        )
        targets = None
    for index, target in enumerate(targets or []):
        if (
            not isinstance(target, dict)
            or not isinstance(target.get("name"), str)
            or not isinstance(target.get("labels"), list)
        ):
            errors.append(
                field_error(
                    "missing",
                    ["body", "classifier_targets", index],
                    "Field required: name and labels",
                    target,
                )
            )
    skip = body.get("invalid_sample_skip_percentage")
    if skip is not None:
        _check_number(body, "invalid_sample_skip_percentage", ["body"], errors, lo=0, hi=0.5)
    if errors:
        raise invalid(errors)
    if not training and not body.get("repositories"):
        message = "At least one training file or repository is required."
        raise invalid(
            [
                field_error(
                    "value_error",
                    ["body", "job_in"],
                    f"Value error, {message}",
                    body,
                    {"error": message},
                )
            ]
        )
    catalog = CLASSIFIER_MODELS if job_type == "classifier" else COMPLETION_MODELS
    if model not in {m.id for m in catalog}:
        available = ", ".join(m.id for m in catalog)
        raise SimProblem(
            422,
            {
                "detail": f"Model not available for this type of fine-tuning ({job_type}). "
                f"Available model(s): {available}"
            },
        )
    if job_type == "classifier" and not targets:
        raise SimProblem(
            422, {"detail": "classifier_targets are required for classifier fine-tuning."}
        )
    assert isinstance(hyper, dict)
    assert isinstance(model, str)
    return NewJob(
        model=model,
        job_type=job_type,
        training_files=training,
        validation_files=validation,
        hyperparameters=dict(hyper),
        suffix=suffix,
        auto_start=bool(auto_start),
        wandb_project=project,
        wandb_name=name,
        classifier_targets=[{"name": t["name"], "labels": list(t["labels"])} for t in targets or []]
        or None,
    )
