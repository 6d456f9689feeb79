"""The colours of a job status: its group's style, from the theme or named ANSI colours.

The glyph and word come from :mod:`tui.monitor.labels`; this module only styles them.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.content import Content

from tui.api.models import StatusGroup, status_group
from tui.monitor.labels import status_label

__all__ = [
    "DEFAULT_GROUP_STYLES",
    "THEME_GROUP_STYLES",
    "group_styles_from_theme",
    "status_content",
]

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


def status_content(status: str) -> Content:
    """The status's glyph and word as Textual ``Content``, coloured from the app's theme."""
    return Content.styled(status_label(status), THEME_GROUP_STYLES[status_group(status)])
