"""A job status as a glyph and a word, so status never depends on colour alone.

The job table and the detail pane both use :func:`status_badge`, so a status looks the same
everywhere. Statuses the API may add later still render, as ``? RAW`` in the "unknown" style.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.content import Content

from tui.api.models import JobStatus, StatusGroup, status_group

__all__ = [
    "DEFAULT_GROUP_STYLES",
    "STATUS_GLYPHS",
    "THEME_GROUP_STYLES",
    "group_styles_from_theme",
    "status_badge",
    "status_content",
    "status_glyph",
]

STATUS_GLYPHS: Mapping[str, str] = {
    JobStatus.QUEUED: "◌",
    JobStatus.VALIDATING: "◐",
    JobStatus.VALIDATED: "○",
    JobStatus.STARTED: "▶",
    JobStatus.RUNNING: "▶",
    JobStatus.CANCELLATION_REQUESTED: "◼",
    JobStatus.SUCCESS: "✔",
    JobStatus.FAILED: "✘",
    JobStatus.FAILED_VALIDATION: "✘",
    JobStatus.CANCELLED: "⊘",
}
"""One glyph per documented status; every other status gets ``?``."""

DEFAULT_GROUP_STYLES: Mapping[StatusGroup, str] = {
    StatusGroup.PENDING: "yellow",
    StatusGroup.RUNNING: "bold cyan",
    StatusGroup.SUCCEEDED: "green",
    StatusGroup.FAILED: "bold red",
    StatusGroup.CANCELLED: "dim",
    StatusGroup.UNKNOWN: "magenta",
}
"""Styles per status group. Named ANSI colours, so they follow the terminal's own palette."""


THEME_GROUP_STYLES: Mapping[StatusGroup, str] = {
    StatusGroup.PENDING: "$warning",
    StatusGroup.RUNNING: "bold $accent",
    StatusGroup.SUCCEEDED: "$success",
    StatusGroup.FAILED: "bold $error",
    StatusGroup.CANCELLED: "$text-muted",
    StatusGroup.UNKNOWN: "italic $secondary",
}
"""Styles per status group in theme variables, for Textual ``Content`` (follows the theme)."""


def group_styles_from_theme(variables: Mapping[str, str]) -> dict[StatusGroup, str]:
    """:data:`THEME_GROUP_STYLES` resolved to Rich styles from a theme's CSS variables (for
    Rich ``Text`` cells); :data:`DEFAULT_GROUP_STYLES` for what the theme does not give as a
    plain colour (ANSI themes keep the terminal's palette)."""
    styles = dict(DEFAULT_GROUP_STYLES)
    for group, theme_style in THEME_GROUP_STYLES.items():
        words = []
        for word in theme_style.split():
            if word.startswith("$"):
                value = variables.get(word[1:], "")
                if not (value.startswith("#") and len(value) in (7, 9)):
                    break
                word = value[:7]  # Rich colours have no alpha
            words.append(word)
        else:
            styles[group] = " ".join(words)
    styles[StatusGroup.CANCELLED] = DEFAULT_GROUP_STYLES[StatusGroup.CANCELLED]
    return styles


def status_glyph(status: str) -> str:
    """The glyph for a raw status string (``?`` when finetop does not know it)."""
    return STATUS_GLYPHS.get(status, "?")


def status_badge(status: str, styles: Mapping[StatusGroup, str] | None = None) -> Text:
    """``✔ SUCCESS``, ``▶ RUNNING``, ``? SOMETHING_NEW``: a glyph and the word, styled by group.

    ``styles`` overrides :data:`DEFAULT_GROUP_STYLES` (for instance with colours from the theme).
    """
    group = status_group(status)
    style = (styles or DEFAULT_GROUP_STYLES).get(group, DEFAULT_GROUP_STYLES[group])
    word = status or "?"
    return Text(f"{status_glyph(status)} {word}", style=style, no_wrap=True, end="")


def status_content(status: str) -> Content:
    """:func:`status_badge` as Textual ``Content``, coloured from the app's theme."""
    group = status_group(status)
    return Content.styled(f"{status_glyph(status)} {status or '?'}", THEME_GROUP_STYLES[group])
