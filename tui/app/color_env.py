"""The colours finetop draws with, settled before Textual is loaded.

Textual reads its colour system once, from ``TEXTUAL_COLOR_SYSTEM``, when it is first imported:
``--color-system standard|256|truecolor`` (or ``color_system`` in the config) therefore becomes
that variable, set by the command line before it imports the TUI (:func:`color_environment`).
No colours at all (``--color-system none``, or ``NO_COLOR`` set to anything but empty, as
https://no-color.org asks) is decided when the app is created (:func:`wants_no_color`): the app
then strips every colour from what it draws, and marks the cursor with reverse video.

With only 16 colours (``--color-system standard``, or ``auto`` on ``TERM=xterm`` without
``COLORTERM``), a theme's colours would be squeezed into the nearest of the terminal's 16 (the
orange cursor row becomes bright red, the demo banner too): the app then draws with the
terminal's own palette (:func:`wants_terminal_palette`), as it does without colours, so the
cursor row is reverse video and named colours keep their names.

No Textual import here: the command line uses this module before Textual is loaded.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

__all__ = [
    "COLOR_SYSTEM_VARIABLE",
    "NAMED_SYSTEMS",
    "color_environment",
    "detected_color_system",
    "wants_no_color",
    "wants_terminal_palette",
]

COLOR_SYSTEM_VARIABLE = "TEXTUAL_COLOR_SYSTEM"
"""Where Textual reads the colour system from (at import time)."""
NAMED_SYSTEMS = ("standard", "256", "truecolor")
"""Colour systems passed on to Textual as they are (``auto`` lets it detect one)."""


def color_environment(color_system: str | None) -> dict[str, str]:
    """The environment variables that give Textual ``color_system`` (empty for ``auto`` and
    ``none``: the first is Textual's default, the second is the app's own business)."""
    name = (color_system or "auto").lower()
    return {COLOR_SYSTEM_VARIABLE: name} if name in NAMED_SYSTEMS else {}


def wants_no_color(color_system: str | None, environ: Mapping[str, str]) -> bool:
    """Whether to draw without any colour: ``none`` asked for, or ``NO_COLOR`` set."""
    return (color_system or "").lower() == "none" or bool(environ.get("NO_COLOR"))


def detected_color_system(color_system: str | None) -> str:
    """``color_system`` with ``auto`` replaced by what the terminal says it takes (``TERM``,
    ``COLORTERM``), detected as Textual's console detects it; ``auto`` when it says nothing."""
    name = (color_system or "auto").lower()
    if name != "auto":
        return name
    from rich.console import Console

    detected = Console(file=io.StringIO(), force_terminal=True).color_system
    return {"standard": "standard", "256": "256", "truecolor": "truecolor"}.get(
        detected or "", "auto"
    )


def wants_terminal_palette(color_system: str | None, environ: Mapping[str, str]) -> bool:
    """Whether to draw with the terminal's own palette: no colours, or only 16."""
    return wants_no_color(color_system, environ) or (color_system or "").lower() == "standard"
