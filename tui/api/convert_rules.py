"""The wire rules, written once as cattrs hooks, and the converters built from them.

Every rule is a structuring hook that either returns the value finetop keeps or raises
:class:`WireTypeError` whose message is the readable reason (``expected int``). The same hooks
are registered on every converter :func:`make_converter` builds; only cattrs' own
``detailed_validation`` differs, which decides whether a failure carries the path of every
problem or just stops at the first.

The rules (see DESIGN.md section 3):

* JSON types are strict: a bool is not an int, a str is not an array, a float is finite; a JSON
  integer where a float is expected (``"valid_loss": 0``) becomes a float.
* Open values stay raw: ``status`` and ``job_type`` are plain strings, ``job_type`` picks the
  classifier class only when it says ``classifier`` (``FT`` and unknown types are completion jobs),
  integrations and repositories of unknown types are kept whole.
* Free-form JSON (event ``data``, unknown integrations and repositories) may nest at most
  :data:`MAX_FREE_FORM_DEPTH` levels, so nothing downstream ever recurses into a hostile payload.
* Each model remembers in ``wire_keys`` which known keys arrived, and unstructuring writes back
  exactly those keys.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import AttributeValidationNote, ClassValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from tui.api.models import (
    ClassifierJob,
    ClassifierJobDetails,
    CompletionJob,
    CompletionJobDetails,
    GithubRepository,
    Integration,
    Job,
    JobDetails,
    OtherIntegration,
    OtherRepository,
    Repository,
    WandbIntegration,
)

__all__ = [
    "MAX_FREE_FORM_DEPTH",
    "WireTypeError",
    "integration_class",
    "job_class",
    "make_converter",
    "repository_class",
]

MAX_FREE_FORM_DEPTH = 64
"""How many levels of objects and arrays a free-form JSON value may hold (itself included)."""

_RAW_MODELS = (OtherIntegration, OtherRepository)
"""Models that keep a whole JSON object of a type finetop does not know."""


class WireTypeError(TypeError):
    """A value that breaks a wire rule; its message is the readable reason (``expected int``)."""


# --------------------------------------------------------------------------- open unions


def job_class(data: Mapping[str, Any], *, details: bool) -> type:
    """The model class for a job payload: ``classifier`` or else completion (``FT``, unknown)."""
    if data.get("job_type") == "classifier":
        return ClassifierJobDetails if details else ClassifierJob
    return CompletionJobDetails if details else CompletionJob


def integration_class(data: Mapping[str, Any]) -> type:
    """W&B when ``type`` is ``wandb`` or absent (the spec's default); anything else is kept raw."""
    return WandbIntegration if data.get("type", "wandb") == "wandb" else OtherIntegration


def repository_class(data: Mapping[str, Any]) -> type:
    """GitHub when ``type`` is ``github`` or absent; anything else is kept raw."""
    return GithubRepository if data.get("type", "github") == "github" else OtherRepository


_UNION_PICKS: dict[frozenset[Any], Callable[[Mapping[str, Any]], type]] = {
    frozenset(typing.get_args(Job)): lambda data: job_class(data, details=False),
    frozenset(typing.get_args(JobDetails)): lambda data: job_class(data, details=True),
    frozenset(typing.get_args(Integration)): integration_class,
    frozenset(typing.get_args(Repository)): repository_class,
}
"""For each open union (by its members), the function that picks a member for a payload."""


# --------------------------------------------------------------------------- scalars


def structure_int(value: Any, _: Any) -> int:
    """A JSON integer; bool is an int subclass in Python, but never an int on the wire."""
    if type(value) is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise WireTypeError("expected int")


def structure_float(value: Any, _: Any) -> float:
    """A finite JSON number, as a float (metrics sometimes arrive as the integer ``0``)."""
    if type(value) is not float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WireTypeError("expected number")
        try:
            value = float(value)
        except OverflowError:
            raise WireTypeError("number out of range") from None
    if math.isfinite(value):
        return value
    raise WireTypeError("expected a finite number")


def structure_str(value: Any, _: Any) -> str:
    """A JSON string."""
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)
    raise WireTypeError("expected str")


def structure_bool(value: Any, _: Any) -> bool:
    """A JSON ``true`` or ``false``."""
    if isinstance(value, bool):
        return value
    raise WireTypeError("expected bool")


def as_object(value: Any) -> Mapping[str, Any]:
    """The value as a JSON object (any mapping), or a :class:`WireTypeError`."""
    if type(value) is dict or isinstance(value, Mapping):
        return typing.cast(Mapping[str, Any], value)
    raise WireTypeError("expected object")


def check_depth(value: Mapping[str, Any] | list[Any] | tuple[Any, ...]) -> None:
    """Refuse a JSON value nested deeper than :data:`MAX_FREE_FORM_DEPTH` levels.

    Level by level rather than recursively, so that no depth of input can exhaust the stack.
    """
    level: list[Any] = [value]
    for _ in range(MAX_FREE_FORM_DEPTH):
        children: list[Any] = []
        for container in level:
            members: Iterable[Any] = (
                container.values() if isinstance(container, Mapping) else container
            )
            children += [child for child in members if isinstance(child, Mapping | list | tuple)]
        if not children:
            return
        level = children
    raise WireTypeError(f"nested deeper than {MAX_FREE_FORM_DEPTH} levels")


def structure_free_form(value: Any, _: Any) -> dict[str, Any]:
    """A JSON object finetop does not interpret, kept whole within the nesting bound."""
    data = as_object(value)
    check_depth(data)
    return dict(data)


# --------------------------------------------------------------------------- type predicates


def is_optional(t: Any) -> bool:
    """``X | None`` for a single ``X``."""
    args = typing.get_args(t)
    return (
        typing.get_origin(t) in (typing.Union, types.UnionType)
        and len(args) == 2
        and type(None) in args
    )


def is_json_array(t: Any) -> bool:
    """``tuple[X, ...]``: how the models hold a JSON array."""
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def is_open_union(t: Any) -> bool:
    """One of the unions whose member the payload picks (jobs, integrations, repositories)."""
    if typing.get_origin(t) not in (typing.Union, types.UnionType):
        return False
    return frozenset(typing.get_args(t)) in _UNION_PICKS


def is_structured_model(t: Any) -> bool:
    """A model structured field by field (every attrs class but the raw ones)."""
    return attrs.has(t) and t not in _RAW_MODELS


def known_keys(cls: type) -> frozenset[str]:
    """The wire keys a model class knows (every field but the hidden ``wire_keys``)."""
    return frozenset(field.name for field in attrs.fields(cls) if field.name != "wire_keys")


# --------------------------------------------------------------------------- the converter


def make_converter(*, detailed_validation: bool = False) -> cattrs.Converter:
    """A converter following the wire rules in both directions.

    Without detailed validation it stops at the first problem (the fast path for every
    response); with it, a failure lists every problem with its path (for the error message).
    """
    conv = cattrs.Converter(detailed_validation=detailed_validation)
    register_structure_hooks(conv)
    register_unstructure_hooks(conv)
    return conv


def register_structure_hooks(conv: cattrs.Converter) -> None:
    """Register the wire rules for structuring on ``conv``."""
    conv.register_structure_hook(int, structure_int)
    conv.register_structure_hook(float, structure_float)
    conv.register_structure_hook(str, structure_str)
    conv.register_structure_hook(bool, structure_bool)
    conv.register_structure_hook_func(lambda t: t == dict[str, Any], structure_free_form)

    def optional_factory(t: Any) -> Callable[[Any, Any], Any]:
        (inner,) = (arg for arg in typing.get_args(t) if arg is not type(None))
        structure_inner = conv.get_structure_hook(inner)

        def structure_optional(value: Any, _: Any) -> Any:
            return None if value is None else structure_inner(value, inner)

        return structure_optional

    def json_array_factory(t: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
        structure_items = homogenous_tuple_structure_factory(t, conv)

        def structure_json_array(value: Any, _: Any) -> tuple[Any, ...]:
            # Any iterable would do for cattrs; a str is iterable too, but not a JSON array.
            if type(value) is not list and not isinstance(value, list | tuple):
                raise WireTypeError("expected array")
            return structure_items(value, t)

        return structure_json_array

    def model_factory(cls: type) -> Callable[[Any, Any], Any]:
        attrs.resolve_types(cls)
        structure_fields: Callable[[Mapping[str, Any], Any], Any] = make_dict_structure_fn(
            cls, conv, wire_keys=override(omit=True)
        )
        every_key = known_keys(cls)
        key_count = len(every_key)

        def structure_model(value: Any, _: Any) -> Any:
            if type(value) is not dict:
                as_object(value)  # refuses anything but a mapping
            instance = structure_fields(value, cls)
            keys = value.keys()
            # Objects that hold every known key (most of them) share one set.
            wire_keys = (
                every_key
                if len(keys) == key_count and keys == every_key
                else frozenset(keys & every_key)
            )
            object.__setattr__(instance, "wire_keys", wire_keys)  # set once, before anyone sees it
            return instance

        return structure_model

    def raw_model_factory(cls: type) -> Callable[[Any, Any], Any]:
        def structure_raw(value: Any, _: Any) -> Any:
            data = as_object(value)
            try:
                kind = structure_str(data.get("type"), str)
            except WireTypeError as error:  # reported at ``.type``, like a structured field
                error.__notes__ = [AttributeValidationNote("type", "type", str)]
                raise ClassValidationError("invalid type", [error], cls) from None
            check_depth(data)
            return cls(type=kind, raw=dict(data))

        return structure_raw

    def open_union_factory(t: Any) -> Callable[[Any, Any], Any]:
        pick = _UNION_PICKS[frozenset(typing.get_args(t))]
        hooks = {cls: conv.get_structure_hook(cls) for cls in typing.get_args(t)}

        def structure_open_union(value: Any, _: Any) -> Any:
            cls = pick(as_object(value))
            return hooks[cls](value, cls)

        return structure_open_union

    conv.register_structure_hook_factory(is_optional, optional_factory)
    conv.register_structure_hook_factory(is_json_array, json_array_factory)
    conv.register_structure_hook_factory(is_open_union, open_union_factory)
    conv.register_structure_hook_factory(is_structured_model, model_factory)
    conv.register_structure_hook_factory(lambda t: t in _RAW_MODELS, raw_model_factory)


def register_unstructure_hooks(conv: cattrs.Converter) -> None:
    """Register on ``conv`` how models become wire JSON: only the keys that arrived."""

    def json_array_factory(_: Any) -> Callable[[tuple[Any, ...]], list[Any]]:
        def unstructure_json_array(value: tuple[Any, ...]) -> list[Any]:
            return [conv.unstructure(item) for item in value]

        return unstructure_json_array

    def model_factory(cls: type) -> Callable[[Any], dict[str, Any]]:
        attrs.resolve_types(cls)
        unstructure_fields: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(
            cls, conv, wire_keys=override(omit=True)
        )

        def unstructure_model(instance: Any) -> dict[str, Any]:
            data = unstructure_fields(instance)
            keys = instance.wire_keys
            if keys is None:
                return data
            return {key: value for key, value in data.items() if key in keys}

        return unstructure_model

    def unstructure_raw(instance: OtherIntegration | OtherRepository) -> dict[str, Any]:
        return {**instance.raw, "type": instance.type}

    conv.register_unstructure_hook_factory(
        lambda t: is_json_array(t) or t is tuple or (isinstance(t, type) and issubclass(t, tuple)),
        json_array_factory,
    )
    conv.register_unstructure_hook_factory(is_structured_model, model_factory)
    for cls in _RAW_MODELS:
        conv.register_unstructure_hook(cls, unstructure_raw)
