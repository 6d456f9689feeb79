"""What each setting is: its type, default, environment variable, and how a raw value is checked.

Values arrive as TOML values (already typed), environment strings or argparse values; each is
checked here and turned into the Settings field's type, or rejected with a one-line message that
names where it came from and the key, never a traceback.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

import attrs

from tui.errors import ErrorKind, FinetopError
from tui.settings.limits import (
    DEFAULT_CACHE_MAX_MIB,
    DEFAULT_MAX_LIST_PAGES,
    DEFAULT_MAX_RESPONSE_MIB,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_REQUEST_BUDGET,
    DEFAULT_REQUEST_DEADLINE,
)
from tui.settings.urls import normalize_server_url

__all__ = [
    "COLOR_SYSTEMS",
    "DEFAULT_SERVER_URL",
    "FILE_ONLY_KEYS",
    "OPTIONS",
    "OPTIONS_BY_NAME",
    "ConfigError",
    "Kind",
    "Option",
    "check_value",
    "describe_got",
    "find_key_line",
    "parse_env_value",
    "suggest",
]

DEFAULT_SERVER_URL = "https://api.mistral.ai"
COLOR_SYSTEMS = ("auto", "standard", "256", "truecolor", "none")


class ConfigError(FinetopError):
    """A setting that cannot be used; the message is one line naming the file/variable and key."""

    kind = ErrorKind.CONFIG


class Kind(StrEnum):
    """The type of a setting's value."""

    STR = "a string"
    BOOL = "true or false"
    NUMBER = "a number"
    URL = "an http(s) URL"
    CHOICE = "one of"
    SECRET = "a string"


@attrs.frozen
class Option:
    """One setting, as the config file, the environment and the command line know it."""

    name: str
    kind: Kind
    default: object
    env: str | None = None
    """The FINETOP_* variable that sets it, if any."""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    doc: str = ""


OPTIONS: tuple[Option, ...] = (
    Option("server_url", Kind.URL, DEFAULT_SERVER_URL, "FINETOP_SERVER_URL", doc="API base URL"),
    Option("workspace", Kind.STR, None, "FINETOP_WORKSPACE", doc="label shown in the app"),
    Option("theme", Kind.STR, None, "FINETOP_THEME", doc="theme name"),
    Option("no_mouse", Kind.BOOL, False, "FINETOP_NO_MOUSE"),
    Option("bell", Kind.BOOL, False, "FINETOP_BELL", doc="ring when a job finishes"),
    Option("color_system", Kind.CHOICE, "auto", "FINETOP_COLOR_SYSTEM", choices=COLOR_SYSTEMS),
    Option("read_only", Kind.BOOL, False, "FINETOP_READ_ONLY", doc="no cancel/start"),
    Option("demo", Kind.BOOL, False, "FINETOP_DEMO", doc="use the built-in simulator"),
    Option("insecure_http", Kind.BOOL, False, "FINETOP_INSECURE_HTTP"),
    Option("list_interval", Kind.NUMBER, 30.0, "FINETOP_LIST_INTERVAL", minimum=1.0),
    Option("full_list_interval", Kind.NUMBER, 300.0, "FINETOP_FULL_LIST_INTERVAL", minimum=1.0),
    Option("detail_interval", Kind.NUMBER, 10.0, "FINETOP_DETAIL_INTERVAL", minimum=1.0),
    Option("timeout", Kind.NUMBER, 15.0, "FINETOP_TIMEOUT", minimum=0.1, doc="HTTP timeout, s"),
    # Bounds on what a server can make finetop do (see tui.api.bounds).
    Option(
        "request_deadline",
        Kind.NUMBER,
        DEFAULT_REQUEST_DEADLINE,
        "FINETOP_REQUEST_DEADLINE",
        minimum=0.1,
        doc="seconds for one whole request, body included",
    ),
    Option(
        "max_response_mib",
        Kind.NUMBER,
        DEFAULT_MAX_RESPONSE_MIB,
        "FINETOP_MAX_RESPONSE_MIB",
        minimum=0.01,
        doc="largest response body, MiB (compressed and decompressed)",
    ),
    Option(
        "max_list_pages",
        Kind.NUMBER,
        DEFAULT_MAX_LIST_PAGES,
        "FINETOP_MAX_LIST_PAGES",
        minimum=1,
        doc="pages read per listing of every job",
    ),
    Option(
        "max_retry_after",
        Kind.NUMBER,
        DEFAULT_MAX_RETRY_AFTER,
        "FINETOP_MAX_RETRY_AFTER",
        minimum=1,
        doc="longest Retry-After honoured, s",
    ),
    # The local history (a SQLite file per server and workspace in the user cache directory).
    Option("cache", Kind.BOOL, True, "FINETOP_CACHE", doc="keep a local history of jobs"),
    Option(
        "cache_max_mib",
        Kind.NUMBER,
        DEFAULT_CACHE_MAX_MIB,
        "FINETOP_CACHE_MAX_MIB",
        minimum=1,
        doc="size cap of one history file, MiB",
    ),
    Option(
        "request_budget",
        Kind.NUMBER,
        DEFAULT_REQUEST_BUDGET,
        "FINETOP_REQUEST_BUDGET",
        minimum=1,
        doc="requests per minute the background history fill stays within",
    ),
    # Key sources: set in the config file only (a key or a command in the environment or on the
    # command line would leak into shell history and process listings).
    Option("api_key_env", Kind.STR, "MISTRAL_API_KEY", doc="variable holding the key"),
    Option("api_key_command", Kind.STR, None, doc="command printing the key"),
    Option("api_key", Kind.SECRET, None, doc="the key itself (discouraged)"),
    Option("api_key_command_timeout", Kind.NUMBER, 30.0, minimum=0.1),
)
OPTIONS_BY_NAME: Mapping[str, Option] = MappingProxyType({o.name: o for o in OPTIONS})
KEY_OPTIONS = ("api_key_env", "api_key_command", "api_key", "api_key_command_timeout")
FILE_ONLY_KEYS = ("profile", "keymap", "profiles")
"""Top-level keys that are not plain options: default profile, the keymap table, profiles."""

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def describe_got(value: object, *, secret: bool = False) -> str:
    """A short rendering of a rejected value for an error message (never a secret's content)."""
    if secret:
        return f"a {_type_word(value)}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_word(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


def suggest(name: str, known: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for a likely typo, else an empty string."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_value(option: Option, value: object, where: str) -> object:
    """Check a value for ``option``; ``where`` prefixes errors (``path:3: [profiles.x] key``)."""
    secret = option.kind is Kind.SECRET
    problem = f"{where}: expected {option.kind.value}"
    if option.kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{problem}, got {describe_got(value)}")
    if option.kind is Kind.NUMBER:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
            if number != number or number in (float("inf"), float("-inf")):
                raise ConfigError(f"{problem}, got {describe_got(value)}")
            if option.minimum is not None and number < option.minimum:
                raise ConfigError(
                    f"{where}: must be at least {option.minimum:g}, got {describe_got(value)}"
                )
            return number
        raise ConfigError(f"{problem}, got {describe_got(value)}")
    if not isinstance(value, str):
        if option.kind is Kind.CHOICE:
            problem += " " + ", ".join(option.choices)
        raise ConfigError(f"{problem}, got {describe_got(value, secret=secret)}")
    text = value if secret else value.strip()
    if not text:
        raise ConfigError(f"{where}: must not be empty")
    if option.kind is Kind.CHOICE:
        if text not in option.choices:
            raise ConfigError(
                f"{problem} {', '.join(option.choices)}, got {describe_got(text)}"
                + suggest(text, option.choices)
            )
        return text
    if option.kind is Kind.URL:
        try:
            return normalize_server_url(text)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    if option.name == "api_key_env" and not _ENV_NAME.match(text):
        raise ConfigError(
            f"{where}: expected an environment variable name, got {describe_got(text)}"
        )
    return text


def parse_env_value(option: Option, text: str, name: str) -> object:
    """Turn an environment string into ``option``'s type, then check it like any other value."""
    raw: object = text
    if option.kind is Kind.BOOL:
        word = text.strip().lower()
        if word in _TRUE:
            raw = True
        elif word in _FALSE:
            raw = False
        else:
            raise ConfigError(
                f"{name}: expected a boolean (1/0, true/false, yes/no, on/off), "
                f"got {describe_got(text)}"
            )
    elif option.kind is Kind.NUMBER:
        try:
            raw = float(text.strip())
        except ValueError:
            raise ConfigError(f"{name}: expected a number, got {describe_got(text)}") from None
    return check_value(option, raw, name)


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")


def _table_name(header: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in header.split("."))


def find_key_line(text: str, table: str, key: str) -> int | None:
    """Best-effort 1-based line of ``key = ...`` inside ``[table]`` ("" = top level) of TOML text.

    tomllib reports positions only for syntax errors, so type errors find their line here.
    """
    current = ""
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = _table_name(header.group(1))
            if current == (f"{table}.{key}" if table else key):
                return number
            continue
        if current == table and pattern.match(line):
            return number
    return None
