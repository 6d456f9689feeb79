"""The one converter between the wire JSON and the models of :mod:`tui.api.models`.

Parsing takes bytes, str or an already-decoded mapping and returns frozen models, or raises
:class:`~tui.api.errors.PayloadError` listing every problem with a JSON path
(``$.checkpoints[3].step_number: expected int``). Nothing else escapes.

The wire rules live in :mod:`tui.api.convert_rules` as cattrs hooks. ``converter`` applies them
without detailed validation, which is all a valid payload needs; only when it fails does a second
converter, built from the same rules with cattrs' detailed validation, run again to list every
problem with its path (:mod:`tui.api.convert_errors`).

Unstructuring honours each model's ``wire_keys``, so a parsed payload serialises back to exactly
the known keys it arrived with.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

import cattrs
import orjson

from tui.api.convert_errors import problems_of
from tui.api.convert_rules import make_converter
from tui.api.errors import PayloadError
from tui.api.models import ArchiveResult, Job, JobDetails, JobsPage, RetrievedFile

__all__ = [
    "converter",
    "dumps",
    "make_converter",
    "parse_archive",
    "parse_file",
    "parse_job",
    "parse_job_list_item",
    "parse_jobs_page",
    "unstructure",
]

Payload = bytes | bytearray | memoryview | str | Mapping[str, Any]
"""What the parsers accept: the body as received, or already decoded."""

converter: cattrs.Converter = make_converter()
"""The one converter; its configuration never changes after import."""

_EXPLAINING: cattrs.Converter = make_converter(detailed_validation=True)
"""The same rules with detailed validation: run only to explain why ``converter`` refused."""


def _decode(data: Payload) -> Any:
    if isinstance(data, Mapping | list | tuple | int | float) or data is None:
        return data  # already decoded: structuring says what is wrong with it
    if isinstance(data, bytes | bytearray | memoryview | str):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:  # includes nesting past orjson's 1,024 levels
            raise PayloadError([f"$: invalid JSON ({exc})"]) from None
    raise PayloadError([f"$: expected JSON (bytes, str or decoded), got {type(data).__name__}"])


def _parse(data: Payload, type_: Any) -> Any:
    decoded = _decode(data)
    try:
        return converter.structure(decoded, type_)
    except Exception:  # the detailed pass below says what is wrong
        pass
    try:
        return _EXPLAINING.structure(decoded, type_)
    except Exception as exc:  # every failure, a gap in the rules included, is a payload problem
        raise PayloadError(problems_of(exc)) from None


def parse_jobs_page(data: Payload) -> JobsPage:
    """``GET /v1/fine_tuning/jobs`` -> :class:`JobsPage`."""
    return typing.cast(JobsPage, _parse(data, JobsPage))


def parse_job(data: Payload) -> JobDetails:
    """A job detail (a list item gives no events): completion or classifier details."""
    return typing.cast(JobDetails, _parse(data, JobDetails))


def parse_job_list_item(data: Payload) -> Job:
    """One list item -> ``CompletionJob | ClassifierJob``."""
    return typing.cast(Job, _parse(data, Job))


def parse_file(data: Payload) -> RetrievedFile:
    """``GET /v1/files/{id}`` -> :class:`RetrievedFile`."""
    return typing.cast(RetrievedFile, _parse(data, RetrievedFile))


def parse_archive(data: Payload) -> ArchiveResult:
    """Archive/unarchive answer -> :class:`ArchiveResult`."""
    return typing.cast(ArchiveResult, _parse(data, ArchiveResult))


def unstructure(model: Any) -> Any:
    """A model back to wire JSON (dicts and lists), with only the keys it arrived with."""
    return converter.unstructure(model)


def dumps(model: Any) -> bytes:
    """A model as JSON bytes."""
    return orjson.dumps(unstructure(model))
