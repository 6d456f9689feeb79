"""Themes from TOML files: the bundled ones, the user's, and any extra directories.

A theme file looks like ``themes/finetop.toml``::

    name = "finetop"
    dark = true
    primary = "#FA500F"
    ...
    [variables]
    footer-key-foreground = "#FA500F"

Files are validated before use. A broken file never stops the app: it is skipped and reported as
one line (``~/.config/finetop/themes/x.toml: primary: not a colour: 'blorange'``) for the app to
show as a notice. Textual's built-in themes, including ``ansi-dark`` and ``ansi-light`` (which use
the terminal's own palette, good over SSH), stay available alongside.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from tui.settings.schema import ConfigError, suggest

__all__ = [
    "ANSI_THEME",
    "BUNDLED_THEMES",
    "DEFAULT_THEME",
    "bundled_themes_dir",
    "check_theme_setting",
    "load_theme_file",
    "load_themes",
    "register_themes",
    "theme_error",
    "theme_names",
    "user_themes_dir",
]

DEFAULT_THEME = "finetop"
"""The theme used when the settings name none."""

ANSI_THEME = "ansi-dark"
"""Textual's theme built from the terminal's 16 colours; the fallback for limited terminals."""

BUNDLED_THEMES = ("finetop", "finetop-light", "finetop-high-contrast")
"""The names of the themes shipped in ``themes/``."""

_COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
    "boost",
)
_REQUIRED_KEYS = ("name", "primary")
_FLOAT_KEYS = ("luminosity_spread", "text_alpha")
_KNOWN_KEYS = frozenset((*_COLOUR_KEYS, *_FLOAT_KEYS, "name", "dark", "variables"))


def bundled_themes_dir() -> Path | None:
    """The bundled themes: ``tui/_themes`` in a wheel, ``<repo>/themes`` in a checkout."""
    package_root = Path(__file__).resolve().parents[1]
    for candidate in (package_root / "_themes", package_root.parent / "themes"):
        if candidate.is_dir():
            return candidate
    return None


def user_themes_dir() -> Path:
    """The user's theme directory, e.g. ``~/.config/finetop/themes`` on Linux."""
    import platformdirs  # imported here: only needed when the user directory is read

    return Path(platformdirs.user_config_dir("finetop")) / "themes"


def _display_path(path: Path) -> str:
    """A path as a person would type it, with the home directory shortened to ``~``."""
    try:
        return "~/" + str(path.resolve().relative_to(Path.home().resolve()))
    except (ValueError, RuntimeError):
        return str(path)


def _validate(data: Mapping[str, Any]) -> list[str]:
    """Every problem with a decoded theme table, as ``key: what is wrong`` strings."""
    problems: list[str] = []
    for key in _REQUIRED_KEYS:
        if key not in data:
            problems.append(f"{key}: missing (required)")
    name = data.get("name")
    if "name" in data and (not isinstance(name, str) or not name.strip()):
        problems.append(f"name: must be a non-empty string, got {name!r}")
    if "dark" in data and not isinstance(data["dark"], bool):
        problems.append(f"dark: must be true or false, got {data['dark']!r}")
    for key in _COLOUR_KEYS:
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, str):
            problems.append(f"{key}: must be a colour string, got {value!r}")
            continue
        try:
            Color.parse(value)
        except ColorParseError:
            problems.append(f"{key}: not a colour: {value!r}")
    for key in _FLOAT_KEYS:
        value = data.get(key)
        if key in data and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(f"{key}: must be a number, got {value!r}")
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        problems.append("variables: must be a table of name = value strings")
    else:
        for var_name, value in variables.items():
            if not isinstance(value, str):
                problems.append(f"variables.{var_name}: must be a string, got {value!r}")
    for key in sorted(set(data) - _KNOWN_KEYS):
        problems.append(f"{key}: unknown key")
    return problems


def load_theme_file(path: Path) -> tuple[Theme | None, list[str]]:
    """Read and validate one theme file: the theme, or ``None`` and one line per problem."""
    shown = _display_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        return None, [f"{shown}: cannot read: {error.strerror or error}"]
    except UnicodeDecodeError:
        return None, [f"{shown}: not UTF-8 text"]
    except tomllib.TOMLDecodeError as error:
        return None, [f"{shown}: not valid TOML: {error}"]
    problems = _validate(data)
    if problems:
        return None, [f"{shown}: {problem}" for problem in problems]
    theme = Theme(
        name=data["name"].strip(),
        dark=data.get("dark", True),
        variables=dict(data.get("variables", {})),
        **{key: data[key] for key in (*_COLOUR_KEYS, *_FLOAT_KEYS) if key in data},
    )
    return theme, []


def _theme_files(directory: Path) -> list[Path]:
    """The ``*.toml`` files of a directory, sorted; none when it does not exist."""
    try:
        return sorted(p for p in directory.iterdir() if p.suffix == ".toml" and p.is_file())
    except OSError:
        return []


def load_themes(
    extra_dirs: Sequence[Path] = (),
    *,
    include_bundled: bool = True,
    include_user_dir: bool = True,
) -> tuple[list[Theme], list[str]]:
    """Load the bundled themes, then the user's, then those in ``extra_dirs``.

    Returns the valid themes and one line per problem. A later theme with the same name as an
    earlier one replaces it, so a user can override a bundled theme by name.
    """
    directories: list[Path] = []
    if include_bundled and (bundled := bundled_themes_dir()) is not None:
        directories.append(bundled)
    if include_user_dir:
        directories.append(user_themes_dir())
    directories.extend(extra_dirs)

    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for directory in directories:
        for path in _theme_files(directory):
            theme, file_problems = load_theme_file(path)
            problems.extend(file_problems)
            if theme is not None:
                themes.pop(theme.name, None)  # re-insert so order follows the override
                themes[theme.name] = theme
    return list(themes.values()), problems


def register_themes(app: App[Any], themes: Iterable[Theme]) -> list[str]:
    """Register ``themes`` with ``app``; returns their names."""
    names: list[str] = []
    for theme in themes:
        app.register_theme(theme)
        names.append(theme.name)
    return names


def theme_names(extra_dirs: Sequence[Path] = ()) -> tuple[list[str], list[str]]:
    """Every theme the app can use, sorted -- Textual's built-ins, the bundled themes and the
    user's -- and one line per theme file that cannot be used."""
    themes, problems = load_themes(extra_dirs)
    return sorted({*BUILTIN_THEMES, *(theme.name for theme in themes)}), problems


def _theme_source(source: str) -> str:
    """Where the theme setting came from, as the user wrote it."""
    if source == "flag":
        return "--theme"
    if source.startswith("env:"):
        return source.removeprefix("env:")
    if source.startswith("file:"):
        return f"theme in {source.removeprefix('file:')}"
    return source


def theme_error(
    name: str | None, source: str, names: Sequence[str], problems: Sequence[str]
) -> ConfigError | None:
    """The error for a configured theme that is not among ``names`` (one line listing them),
    or ``None``. ``source`` is where the name came from (``Settings.source_of("theme")``). A
    name whose file exists but is broken gets that file's first problem instead."""
    if name is None or name in names:
        return None
    where = _theme_source(source)
    broken = [p for p in problems if Path(p.split(": ", 1)[0]).stem == name]
    if broken:
        return ConfigError(f"theme {name!r} ({where}) cannot be used: {broken[0]}")
    hint = suggest(name, list(names))
    return ConfigError(f"unknown theme {name!r} ({where}){hint}; available: {', '.join(names)}")


def check_theme_setting(name: str | None, source: str) -> None:
    """Refuse a configured theme that does not exist, before the app starts (``ConfigError``)."""
    error = theme_error(name, source, *theme_names())
    if error is not None:
        raise error
