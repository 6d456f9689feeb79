"""Reading config.toml: syntax, types and unknown keys, each reported in one line with its place.

Layout::

    server_url = "https://api.mistral.ai"
    api_key_command = "pass show mistral"
    profile = "work"                 # the profile used when none is named
    detail_interval = 10

    [keymap]                         # binding id -> key(s)
    quit = "q"
    cancel_job = ["c", "delete"]

    [profiles.work]                  # overrides the top level with --profile work
    api_key_env = "MISTRAL_WORK_KEY"
    workspace = "Work"

    [profiles.work.keymap]           # merged over [keymap]
    refresh = "f5"

Wrong types are errors; unknown keys are warnings (a newer finetop's config keeps working).
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import attrs

from tui.settings.schema import (
    FILE_ONLY_KEYS,
    OPTIONS_BY_NAME,
    ConfigError,
    check_value,
    describe_got,
    find_key_line,
    suggest,
)

__all__ = ["ConfigFile", "FileLayer", "permission_warnings", "read_config_file"]

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_KEY_AT_START = re.compile(r"""^\s*["']?([A-Za-z0-9_.\-]+)["']?\s*=""")


def _frozen(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


@attrs.frozen
class FileLayer:
    """The checked settings of one table (the top level or one profile)."""

    values: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen)
    keymap: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen)
    """Binding id -> comma-separated key string, as Textual's keymaps spell them."""


@attrs.frozen
class ConfigFile:
    """A read and checked config file (or the absence of one)."""

    path: Path
    found: bool = False
    top: FileLayer = FileLayer()
    profiles: Mapping[str, FileLayer] = attrs.field(factory=dict, converter=_frozen)
    default_profile: str | None = None
    has_literal_key: bool = False
    """Some table holds ``api_key`` (the key itself)."""
    has_key_command: bool = False
    """Some table holds ``api_key_command`` (a command finetop runs when it connects)."""
    warnings: tuple[str, ...] = ()


class _Checker:
    """Checks one parsed document, collecting warnings; raises on the first error."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.warnings: list[str] = []

    def where(self, table: str, key: str) -> str:
        line = find_key_line(self.text, table, key)
        place = f"{self.path}:{line}" if line else str(self.path)
        label = f"[{table}] " if table else ""
        return f"{place}: {label}{key}"

    def layer(
        self, table: str, data: Mapping[str, object], *, allowed: tuple[str, ...]
    ) -> FileLayer:
        values: dict[str, object] = {}
        keymap: dict[str, str] = {}
        known = [*OPTIONS_BY_NAME, *allowed]
        for key, value in data.items():
            if key == "keymap" and "keymap" in allowed:
                keymap = self.keymap(f"{table}.keymap" if table else "keymap", value)
            elif key in OPTIONS_BY_NAME:
                values[key] = check_value(OPTIONS_BY_NAME[key], value, self.where(table, key))
            elif key not in allowed:
                self.warnings.append(
                    f"{self.where(table, key)}: unknown setting{suggest(key, known)}; ignored"
                )
        return FileLayer(values=values, keymap=keymap)

    def keymap(self, table: str, value: object) -> dict[str, str]:
        if not isinstance(value, dict):
            parent, _, key = table.rpartition(".")
            raise ConfigError(
                f"{self.where(parent, key)}: expected a table of binding id = key(s), "
                f"got {describe_got(value)}"
            )
        keymap: dict[str, str] = {}
        for binding, keys in value.items():
            if isinstance(keys, str) and keys.strip():
                keymap[binding] = ",".join(k.strip() for k in keys.split(",") if k.strip())
            elif (
                isinstance(keys, list)
                and keys
                and all(isinstance(k, str) and k.strip() for k in keys)
            ):
                keymap[binding] = ",".join(k.strip() for k in keys)
            else:
                raise ConfigError(
                    f"{self.where(table, binding)}: expected a key string or a list of them, "
                    f"got {describe_got(keys)}"
                )
        return keymap


def _decode_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> ConfigError:
    message = str(exc)
    found = _POSITION.search(message)
    if not found:
        at_end = message.replace("(at end of document)", "").strip()
        last = max(1, len(text.splitlines()))
        return ConfigError(f"{path}:{last}: invalid TOML: {at_end[:1].lower()}{at_end[1:]}")
    line, column = int(found.group(1)), int(found.group(2))
    reason = message[: found.start()].strip() or "syntax error"
    lines = text.splitlines()
    key = _KEY_AT_START.match(lines[line - 1]) if 0 < line <= len(lines) else None
    named = f" {key.group(1)}:" if key else ""
    return ConfigError(
        f"{path}:{line}:{column}:{named} invalid TOML: {reason[:1].lower()}{reason[1:]}"
    )


def read_config_file(path: Path, *, required: bool) -> ConfigFile:
    """Read and check ``path``; a missing file is an error only when it was named explicitly."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(f"config file not found: {path}") from None
        return ConfigFile(path=path)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _decode_error(path, text, exc) from None

    checker = _Checker(path, text)
    top = checker.layer("", data, allowed=FILE_ONLY_KEYS)
    default_profile = data.get("profile")
    if default_profile is not None and not (
        isinstance(default_profile, str) and default_profile.strip()
    ):
        raise ConfigError(
            f"{checker.where('', 'profile')}: expected a profile name, "
            f"got {describe_got(default_profile)}"
        )
    raw_profiles = data.get("profiles", {})
    if not isinstance(raw_profiles, dict):
        raise ConfigError(
            f"{checker.where('', 'profiles')}: expected [profiles.NAME] tables, "
            f"got {describe_got(raw_profiles)}"
        )
    profiles: dict[str, FileLayer] = {}
    for name, table in raw_profiles.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"{checker.where('profiles', name)}: expected a table, got {describe_got(table)}"
            )
        profiles[name] = checker.layer(f"profiles.{name}", table, allowed=("keymap",))
    layers = (top, *profiles.values())
    has_literal_key = any("api_key" in layer.values for layer in layers)
    has_key_command = any("api_key_command" in layer.values for layer in layers)
    return ConfigFile(
        path=path,
        found=True,
        top=top,
        profiles=profiles,
        default_profile=default_profile.strip() if isinstance(default_profile, str) else None,
        has_literal_key=has_literal_key,
        has_key_command=has_key_command,
        warnings=tuple(checker.warnings),
    )


def permission_warnings(path: Path, *, literal_key: bool, key_command: bool) -> list[str]:
    """Warnings when a config file that holds a key or a key command is open to others.

    A literal key must be readable by its owner alone. Neither may be writable by others: a key
    command runs when finetop connects, so whoever can change it runs their own command as this
    user; whoever can change a file holding a key can point ``server_url`` elsewhere. The same
    goes for a folder others can write (they could replace the file). POSIX permissions only.
    """
    if os.name == "nt" or not (literal_key or key_command):
        return []
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        folder_mode = stat.S_IMODE(path.parent.stat().st_mode)
    except OSError:
        return []
    held = " and ".join(
        what
        for what, present in (("an API key", literal_key), ("api_key_command", key_command))
        if present
    )
    readable = literal_key and bool(mode & 0o044)
    writable = bool(mode & 0o022)
    warnings: list[str] = []
    if readable or writable:
        access = " and ".join(
            word for word, present in (("readable", readable), ("writable", writable)) if present
        )
        warnings.append(
            f"{path} holds {held} and is {access} by others (mode {mode:04o}); "
            f"run: chmod 600 {path}"
        )
    if folder_mode & 0o022 and not folder_mode & stat.S_ISVTX:
        warnings.append(
            f"{path.parent} is writable by others (mode {folder_mode:04o}) and holds {path.name}, "
            f"which holds {held}; run: chmod go-w {path.parent}"
        )
    return warnings
