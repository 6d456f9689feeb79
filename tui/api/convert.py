"""The one converter between the wire JSON and the models of :mod:`tui.api.models`.

Parsing takes bytes, str or an already-decoded mapping and returns frozen models, or raises
:class:`~tui.api.errors.PayloadError` listing every problem with a JSON path
(``$.checkpoints[3].step_number: expected int``). Nothing else escapes.

Two paths share one set of rules:

* the fast path (:class:`FastParsers`): structuring functions generated from the attrs classes,
  strict about types, that give up (rather than guess) on anything unusual;
* the detailed path: the cattrs ``converter`` with detailed validation, run only when the fast path
  gave up. It either succeeds (an input the fast path does not bother with, e.g. a non-dict mapping)
  or collects every problem with its path for the error message.

Unstructuring goes through the same ``converter`` and honours each model's ``wire_keys``, so a
parsed payload serialises back to exactly the known keys it arrived with.
"""

from __future__ import annotations

import math
import operator
import types
import typing
from collections import deque
from collections.abc import Callable, Mapping
from itertools import repeat
from typing import Any, TypeVar

import attrs
import cattrs
import orjson
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.v import transform_error

from tui.api.errors import PayloadError
from tui.api.models import (
    ArchiveResult,
    ClassifierJob,
    ClassifierJobDetails,
    CompletionJob,
    CompletionJobDetails,
    GithubRepository,
    Integration,
    Job,
    JobDetails,
    JobsPage,
    OtherIntegration,
    OtherRepository,
    Repository,
    RetrievedFile,
    WandbIntegration,
)

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

T = TypeVar("T")


class WireTypeError(TypeError):
    """A value of the wrong JSON type; its message is the readable reason (``expected int``)."""


# --------------------------------------------------------------------------- discriminators


def job_class(data: Mapping[str, Any], *, details: bool) -> type:
    """The model class for a job payload: ``classifier`` or else completion (``FT``, unknown)."""
    if data.get("job_type") == "classifier":
        return ClassifierJobDetails if details else ClassifierJob
    return CompletionJobDetails if details else CompletionJob


def integration_class(data: Mapping[str, Any]) -> type:
    """W&B when ``type`` is ``wandb`` or absent (the spec's default); anything else is kept raw."""
    kind = data.get("type", "wandb")
    return WandbIntegration if kind == "wandb" else OtherIntegration


def repository_class(data: Mapping[str, Any]) -> type:
    """GitHub when ``type`` is ``github`` or absent; anything else is kept raw."""
    kind = data.get("type", "github")
    return GithubRepository if kind == "github" else OtherRepository


# --------------------------------------------------------------------------- the converter


def _strict_int(value: Any, _: type) -> int:
    # bool is an int subclass in Python, but never an int on the wire.
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise WireTypeError("expected int")


def _strict_float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WireTypeError("expected number")
    try:
        result = float(value)
    except OverflowError:
        raise WireTypeError("number out of range") from None
    if not math.isfinite(result):
        raise WireTypeError("expected a finite number")
    return result


def _strict_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return str(value)
    raise WireTypeError("expected str")


def _strict_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise WireTypeError("expected bool")


def _any_dict(value: Any, _: type) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise WireTypeError("expected object")


def _is_homogeneous_tuple(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_union_of(members: tuple[type, ...]) -> Callable[[Any], bool]:
    wanted = frozenset(members)

    def predicate(t: Any) -> bool:
        origin = typing.get_origin(t)
        return origin in (typing.Union, types.UnionType) and frozenset(typing.get_args(t)) == wanted

    return predicate


def _check_mapping(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise WireTypeError("expected object")
    return value


def make_converter() -> cattrs.Converter:
    """Build the converter: strict JSON types, open unions, ``wire_keys`` in and out."""
    conv = cattrs.Converter(detailed_validation=True)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(float, _strict_float)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook_func(lambda t: t == dict[str, Any], _any_dict)

    def tuple_hook_factory(t: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
        item_type = typing.get_args(t)[0]
        item_hook = conv.get_structure_hook(item_type)

        def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
            # A str is iterable too; only a JSON array is a list here.
            if not isinstance(value, list | tuple):
                raise WireTypeError("expected array")
            result: list[Any] = []
            errors: list[Exception] = []
            for index, item in enumerate(value):
                try:
                    result.append(item_hook(item, item_type))
                except Exception as exc:  # collected, re-raised as one group below
                    exc.__notes__ = [
                        *getattr(exc, "__notes__", []),
                        IterableValidationNote(f"@ index {index}", index, item_type),
                    ]
                    errors.append(exc)
            if errors:
                raise IterableValidationError("invalid items", errors, t)
            return tuple(result)

        return structure_tuple

    conv.register_structure_hook_factory(_is_homogeneous_tuple, tuple_hook_factory)

    def model_hook_factory(cls: type) -> Callable[[Any, Any], Any]:
        attrs.resolve_types(cls)
        base = make_dict_structure_fn(
            cls, conv, wire_keys=override(omit=True), _cattrs_detailed_validation=True
        )
        known = known_keys(cls)

        def structure_model(value: Any, _: Any) -> Any:
            data = _check_mapping(value)
            instance = base(data, cls)
            object.__setattr__(instance, "wire_keys", frozenset(data.keys() & known))
            return instance

        return structure_model

    conv.register_structure_hook_factory(
        lambda t: attrs.has(t) and t not in (OtherIntegration, OtherRepository),
        model_hook_factory,
    )

    def other_hook(cls: type) -> Callable[[Any, Any], Any]:
        def structure_other(value: Any, _: Any) -> Any:
            data = _check_mapping(value)
            kind = data.get("type")
            if not isinstance(kind, str):
                error = WireTypeError("expected str")
                raise ClassValidationError(
                    "invalid type", [_with_field_note(error, "type", str)], cls
                )
            return cls(type=kind, raw=dict(data))

        return structure_other

    conv.register_structure_hook(OtherIntegration, other_hook(OtherIntegration))
    conv.register_structure_hook(OtherRepository, other_hook(OtherRepository))

    def dispatch(pick: Callable[[Mapping[str, Any]], type]) -> Callable[[Any, Any], Any]:
        def structure_union(value: Any, _: Any) -> Any:
            data = _check_mapping(value)
            return conv.structure(data, pick(data))

        return structure_union

    conv.register_structure_hook_func(
        _is_union_of(typing.get_args(Job)), dispatch(lambda d: job_class(d, details=False))
    )
    conv.register_structure_hook_func(
        _is_union_of(typing.get_args(JobDetails)), dispatch(lambda d: job_class(d, details=True))
    )
    conv.register_structure_hook_func(
        _is_union_of(typing.get_args(Integration)), dispatch(integration_class)
    )
    conv.register_structure_hook_func(
        _is_union_of(typing.get_args(Repository)), dispatch(repository_class)
    )

    # ---- unstructuring: wire JSON, only the keys that were on the wire
    def unstructure_tuple_factory(t: Any) -> Callable[[Any], list[Any]]:
        def unstructure_tuple(value: tuple[Any, ...]) -> list[Any]:
            return [conv.unstructure(item) for item in value]

        return unstructure_tuple

    conv.register_unstructure_hook_factory(_is_homogeneous_tuple, unstructure_tuple_factory)
    conv.register_unstructure_hook_factory(
        lambda t: t is tuple or (isinstance(t, type) and issubclass(t, tuple)),
        unstructure_tuple_factory,
    )

    def unstructure_model_factory(cls: type) -> Callable[[Any], dict[str, Any]]:
        attrs.resolve_types(cls)
        base = make_dict_unstructure_fn(cls, conv, wire_keys=override(omit=True))

        def unstructure_model(instance: Any) -> dict[str, Any]:
            data = base(instance)
            keys = instance.wire_keys
            if keys is None:
                return data
            return {key: value for key, value in data.items() if key in keys}

        return unstructure_model

    conv.register_unstructure_hook_factory(
        lambda t: attrs.has(t) and t not in (OtherIntegration, OtherRepository),
        unstructure_model_factory,
    )

    def unstructure_other(instance: OtherIntegration | OtherRepository) -> dict[str, Any]:
        return {**instance.raw, "type": instance.type}

    conv.register_unstructure_hook(OtherIntegration, unstructure_other)
    conv.register_unstructure_hook(OtherRepository, unstructure_other)
    return conv


def _with_field_note(exc: Exception, name: str, type_: type) -> Exception:
    exc.__notes__ = [*getattr(exc, "__notes__", []), AttributeValidationNote(name, name, type_)]
    return exc


# --------------------------------------------------------------------------- the fast path


class _GiveUp(Exception):
    """The fast path declines an input; the detailed path takes over."""


_NONE_TYPE = type(None)
_STR_ONLY = frozenset({str})
_FLOAT_ONLY = frozenset({float})
_COLUMN_MIN = 8
"""Lists shorter than this are structured item by item (columns do not pay off)."""


def known_keys(cls: type) -> frozenset[str]:
    """The wire keys a model class knows (every field but the hidden ``wire_keys``)."""
    return frozenset(f.name for f in attrs.fields(cls) if f.name != "wire_keys")


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """The slot's own setter, bypassing the frozen ``__setattr__`` (the models validate nothing)."""
    return typing.cast(Callable[[Any, Any], None], getattr(cls, name).__set__)


def _to_float(value: Any) -> float:
    if type(value) is int:
        return float(value)  # OverflowError for huge ints sends the input to the detailed path
    raise _GiveUp


def _split_optional(t: Any) -> tuple[Any, bool]:
    """``X | None`` -> ``(X, True)``; anything else -> ``(t, False)``."""
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        args = typing.get_args(t)
        if _NONE_TYPE in args:
            rest = tuple(a for a in args if a is not _NONE_TYPE)
            return (rest[0] if len(rest) == 1 else typing.Union[rest]), True  # noqa: UP007
    return t, False


_SCALARS: dict[Any, str] = {int: "int", str: "str", bool: "bool", dict[str, Any]: "dict"}


class FastParsers:
    """Structuring functions generated once from the model classes.

    Each function accepts only what the wire contract allows, exactly (``type(v) is int``, no
    bools, finite floats, JSON arrays), sets the slots directly instead of going through the
    frozen ``__init__`` and shares one ``wire_keys`` set among objects that held every known key.
    Long lists of flat objects (checkpoints, events) are checked and built column by column.
    Whenever anything is unusual the function raises and the detailed path takes over, so these
    functions never decide that a payload is wrong, only that it is plainly right.
    """

    def __init__(
        self,
        *,
        job_class: Callable[..., type],
        integration_class: Callable[[Mapping[str, Any]], type],
        repository_class: Callable[[Mapping[str, Any]], type],
    ) -> None:
        self._item_fns: dict[Any, Callable[[Any], Any]] = {}
        self._column_fns: dict[type, Callable[[Any], list[Any]] | None] = {}
        self._union_picks: dict[frozenset[type], Callable[[Mapping[str, Any]], type]] = {
            frozenset(typing.get_args(Job)): lambda d: job_class(d, details=False),
            frozenset(typing.get_args(JobDetails)): lambda d: job_class(d, details=True),
            frozenset(typing.get_args(Integration)): integration_class,
            frozenset(typing.get_args(Repository)): repository_class,
        }
        self.jobs_page = self.item_fn(JobsPage)
        self.job = self.item_fn(Job)
        self.job_details = self.item_fn(JobDetails)
        self.retrieved_file = self.item_fn(RetrievedFile)
        self.archive = self.item_fn(ArchiveResult)

    # ---- one object

    def item_fn(self, t: Any) -> Callable[[Any], Any]:
        """The structuring function for a model class or one of the open unions."""
        fn = self._item_fns.get(t)
        if fn is None:
            if t in (OtherIntegration, OtherRepository):
                fn = self._other_fn(t)
            elif attrs.has(t):
                fn = self._class_fn(t)
            else:
                fn = self._union_fn(t)
            self._item_fns[t] = fn
        return fn

    def _union_fn(self, t: Any) -> Callable[[Any], Any]:
        members = frozenset(typing.get_args(t))
        pick = self._union_picks.get(members)
        if pick is None:
            raise TypeError(f"no fast rule for {t!r}")
        fns = {cls: self.item_fn(cls) for cls in members}

        def structure_union(data: Any) -> Any:
            if type(data) is not dict:
                raise _GiveUp
            return fns[pick(data)](data)

        return structure_union

    @staticmethod
    def _other_fn(cls: type) -> Callable[[Any], Any]:
        def structure_other(data: Any) -> Any:
            if type(data) is not dict:
                raise _GiveUp
            kind = data.get("type")
            if type(kind) is not str:
                raise _GiveUp
            return cls(type=kind, raw=dict(data))

        return structure_other

    def _class_fn(self, cls: type) -> Callable[[Any], Any]:
        attrs.resolve_types(cls)
        # Registered first so that a class reachable from itself would not recurse forever.
        namespace: dict[str, Any] = {
            "_GiveUp": _GiveUp,
            "_MISSING": attrs.NOTHING,
            "_new": object.__new__,
            "_cls": cls,
            "_to_float": _to_float,
            "_STR_ONLY": _STR_ONLY,
            "_frozenset": frozenset,
            "_ALL": known_keys(cls),
            "_N": len(known_keys(cls)),
            "_set_wire_keys": _slot_setter(cls, "wire_keys"),
        }
        lines = [
            "def structure(d):",
            "    if type(d) is not dict: raise _GiveUp",
            "    o = _new(_cls)",
        ]
        for index, field in enumerate(attrs.fields(cls)):
            if field.name == "wire_keys":
                continue
            namespace[f"_set_{index}"] = _slot_setter(cls, field.name)
            checks = self._check_lines(field.type, namespace, "        ")
            if field.default is attrs.NOTHING:
                lines.append(f"    v = d[{field.name!r}]")
                lines.extend(line[4:] for line in checks)
            else:
                lines.append(f"    v = d.get({field.name!r}, _MISSING)")
                if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                    namespace[f"_factory_{index}"] = field.default.factory
                    fallback = f"_factory_{index}()"
                else:
                    namespace[f"_default_{index}"] = field.default
                    fallback = f"_default_{index}"
                if checks:
                    lines.append("    if v is not _MISSING:")
                    lines.extend(checks)
                    lines.append(f"    else: v = {fallback}")
                else:
                    lines.append(f"    if v is _MISSING: v = {fallback}")
            lines.append(f"    _set_{index}(o, v)")
        lines += [
            "    k = d.keys()",
            "    _set_wire_keys(o, _ALL if len(d) == _N and k == _ALL else _frozenset(k & _ALL))",
            "    return o",
        ]
        exec(compile("\n".join(lines), f"<fast structure {cls.__name__}>", "exec"), namespace)
        return typing.cast(Callable[[Any], Any], namespace["structure"])

    def _check_lines(self, t: Any, namespace: dict[str, Any], pad: str) -> list[str]:
        """Source lines that check (and convert) ``v`` for type ``t``, raising ``_GiveUp``."""
        inner, optional = _split_optional(t)
        if optional:
            return [f"{pad}if v is not None:", *self._check_lines(inner, namespace, pad + "    ")]
        if t is float:
            return [
                f"{pad}if type(v) is not float: v = _to_float(v)",
                f"{pad}if v - v != 0.0: raise _GiveUp",  # NaN or infinity
            ]
        scalar = _SCALARS.get(t)
        if scalar is not None:
            return [f"{pad}if type(v) is not {scalar}: raise _GiveUp"]
        if _is_homogeneous_tuple(t):
            item = typing.get_args(t)[0]
            if item is str:
                return [
                    f"{pad}if type(v) is not list: raise _GiveUp",
                    f"{pad}if v and set(map(type, v)) != _STR_ONLY: raise _GiveUp",
                    f"{pad}v = tuple(v)",
                ]
            name = f"_list_{len(namespace)}"
            namespace[name] = self.list_fn(item)
            return [f"{pad}v = {name}(v)"]
        name = f"_item_{len(namespace)}"
        namespace[name] = self.item_fn(t)
        return [f"{pad}v = {name}(v)"]

    # ---- lists

    def list_fn(self, item_type: Any) -> Callable[[Any], tuple[Any, ...]]:
        """The structuring function for a JSON array of ``item_type``."""
        item_fn = self.item_fn(item_type)
        columns = self._columns_fn(item_type) if attrs.has(item_type) else None

        def structure_list(items: Any) -> tuple[Any, ...]:
            if type(items) is not list:
                raise _GiveUp
            if columns is not None and len(items) >= _COLUMN_MIN:
                try:
                    return tuple(columns(items))
                except _GiveUp:
                    pass  # one odd item: build them one by one instead
            return tuple(map(item_fn, items))

        return structure_list

    def _columns_fn(self, cls: type) -> Callable[[Any], list[Any]] | None:
        """Column-wise building for a flat class (scalars and flat nested classes), else None."""
        if cls in self._column_fns:
            return self._column_fns[cls]
        attrs.resolve_types(cls)
        fields = [f for f in attrs.fields(cls) if f.name != "wire_keys"]
        checks = [self._column_check(f.type) for f in fields]
        if cls in (OtherIntegration, OtherRepository) or any(c is None for c in checks):
            self._column_fns[cls] = None
            return None
        column_checks = typing.cast(list[Callable[[list[Any]], Any]], checks)
        getters = [operator.itemgetter(f.name) for f in fields]
        setters = [_slot_setter(cls, f.name) for f in fields]
        set_wire_keys = _slot_setter(cls, "wire_keys")
        all_keys = known_keys(cls)
        new = object.__new__

        def columns(items: Any) -> list[Any]:
            count = len(items)
            # Every item must hold every known key, so they all share the full ``wire_keys``;
            # a missing key (KeyError) or an item that is not an object (TypeError) gives up.
            try:
                values = [list(map(get, items)) for get in getters]
            except (KeyError, TypeError):
                raise _GiveUp from None
            checked = [check(column) for check, column in zip(column_checks, values, strict=True)]
            objects = list(map(new, repeat(cls, count)))
            for setter, column in zip(setters, checked, strict=True):
                deque(map(setter, objects, column), 0)
            deque(map(set_wire_keys, objects, repeat(all_keys, count)), 0)
            return objects

        self._column_fns[cls] = columns
        return columns

    def _column_check(self, t: Any) -> Callable[[list[Any]], Any] | None:
        inner, optional = _split_optional(t)
        extra = {_NONE_TYPE} if optional else set()
        if inner in _SCALARS:
            allowed = frozenset({dict if inner == dict[str, Any] else inner, *extra})

            def check_scalars(column: list[Any]) -> list[Any]:
                if not set(map(type, column)) <= allowed:
                    raise _GiveUp
                return column

            return check_scalars
        if inner is float:
            allowed_floats = frozenset({float, *extra})

            def check_floats(column: list[Any]) -> list[Any]:
                kinds = set(map(type, column))
                if kinds == _FLOAT_ONLY:
                    total = sum(column)
                elif kinds <= allowed_floats:
                    total = sum(filter(None, column))
                else:
                    raise _GiveUp  # ints or odd values: the item-by-item path converts them
                if total - total != 0.0:  # a NaN or infinity somewhere (or an overflow)
                    raise _GiveUp
                return column

            return check_floats
        if not optional and attrs.has(inner):
            return self._columns_fn(inner)
        return None


converter: cattrs.Converter = make_converter()
"""The one converter; its configuration never changes after import."""

_FAST: FastParsers = FastParsers(
    job_class=job_class,
    integration_class=integration_class,
    repository_class=repository_class,
)


# --------------------------------------------------------------------------- errors


def _describe(exc: BaseException, type_: Any) -> str:
    """One readable reason for one failed value (the path is added by ``transform_error``)."""
    if isinstance(exc, WireTypeError):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unexpected keys {sorted(exc.extra_fields)}"
    name = getattr(type_, "__name__", None)
    if name is not None:
        return f"expected {name}"
    return f"invalid value ({type(exc).__name__})"


def _problems(exc: BaseException) -> list[str]:
    problems = []
    for line in transform_error(exc, "$", _describe):
        message, _, path = line.rpartition(" @ ")
        problems.append(f"{path}: {message}")
    return problems


# --------------------------------------------------------------------------- parsing


def _decode(data: bytes | bytearray | memoryview | str | Mapping[str, Any]) -> Any:
    if isinstance(data, Mapping | list | tuple | int | float) or data is None:
        return data  # already decoded: structuring says what is wrong with it
    if isinstance(data, bytes | bytearray | memoryview | str):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise PayloadError([f"$: invalid JSON ({exc})"]) from None
    raise PayloadError([f"$: expected JSON (bytes, str or decoded), got {type(data).__name__}"])


def _parse(data: Any, fast: Callable[[Any], T], slow_type: Any) -> T:
    decoded = _decode(data)
    try:
        return fast(decoded)
    except Exception:  # any doubt: the detailed path decides and explains
        pass
    try:
        return typing.cast(T, converter.structure(decoded, slow_type))
    except (ClassValidationError, IterableValidationError, WireTypeError) as exc:
        raise PayloadError(_problems(exc)) from None
    except RecursionError:
        raise PayloadError(["$: nested too deeply"]) from None
    except Exception as exc:  # a gap in the rules must still surface as a payload problem
        raise PayloadError([f"$: unreadable payload ({type(exc).__name__})"]) from None


def parse_jobs_page(data: bytes | str | Mapping[str, Any]) -> JobsPage:
    """``GET /v1/fine_tuning/jobs`` -> :class:`JobsPage`."""
    return _parse(data, _FAST.jobs_page, JobsPage)


def parse_job(data: bytes | str | Mapping[str, Any]) -> JobDetails:
    """A job detail (a list item gives no events): completion or classifier details."""
    return _parse(data, _FAST.job_details, JobDetails)


def parse_job_list_item(data: bytes | str | Mapping[str, Any]) -> Job:
    """One list item -> ``CompletionJob | ClassifierJob``."""
    return _parse(data, _FAST.job, Job)


def parse_file(data: bytes | str | Mapping[str, Any]) -> RetrievedFile:
    """``GET /v1/files/{id}`` -> :class:`RetrievedFile`."""
    return _parse(data, _FAST.retrieved_file, RetrievedFile)


def parse_archive(data: bytes | str | Mapping[str, Any]) -> ArchiveResult:
    """Archive/unarchive answer -> :class:`ArchiveResult`."""
    return _parse(data, _FAST.archive, ArchiveResult)


# --------------------------------------------------------------------------- serialising


def unstructure(model: Any) -> Any:
    """A model back to wire JSON (dicts and lists), with only the keys it arrived with."""
    return converter.unstructure(model)


def dumps(model: Any) -> bytes:
    """A model as JSON bytes."""
    return orjson.dumps(unstructure(model))
