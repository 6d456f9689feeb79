"""Colours as the terminal receives them: ``--color-system`` and ``NO_COLOR`` in raw bytes.

The real app (``python -m tui --demo``) runs on a pseudo-terminal that says it could take any
colour (``xterm-256color``, ``COLORTERM=truecolor``); the test reads the escape sequences it
writes once its job rows are drawn.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator

import pytest

from tests.e2e.processes import REPO, finetop_command
from tests.support.pty_app import PtyApp, wait_for_text

_SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def colour_kinds(output: str) -> set[str]:
    """What kinds of colour the SGR sequences in ``output`` use: ``truecolor`` (38;2 / 48;2),
    ``256`` (38;5 / 48;5), ``standard`` (30-37, 40-47, 90-97, 100-107), plus ``reverse``."""
    kinds: set[str] = set()
    for match in _SGR.finditer(output):
        params = [int(p) if p.isdigit() else -1 for p in re.split("[;:]", match.group(1))]
        i = 0
        while i < len(params):
            p = params[i]
            if p in (38, 48) and i + 1 < len(params):
                kinds.add("truecolor" if params[i + 1] == 2 else "256")
                i += 5 if params[i + 1] == 2 else 3
                continue
            if 30 <= p <= 37 or 40 <= p <= 47 or 90 <= p <= 97 or 100 <= p <= 107:
                kinds.add("standard")
            elif p == 7:
                kinds.add("reverse")
            i += 1
    return kinds


def test_colour_kinds_reads_sgr_parameters() -> None:
    assert colour_kinds("\x1b[1;38;2;1;2;3;48;5;17m") == {"truecolor", "256"}
    assert colour_kinds("\x1b[31;7m\x1b[39;49m") == {"standard", "reverse"}
    assert colour_kinds("\x1b[38;5;37m") == {"256"}  # 37 is the colour index, not a code


@pytest.fixture
def home() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as path:
        yield path


def _capture(home: str, *flags: str, no_color: bool = False) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MISTRAL_API_KEY", "NO_COLOR", "COLUMNS", "LINES")
        and not k.startswith(("FINETOP_", "TEXTUAL"))
    }
    env.update(
        HOME=home,
        XDG_CONFIG_HOME=os.path.join(home, ".config"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        PYTHONPATH=str(REPO),
    )
    if no_color:
        env["NO_COLOR"] = "1"
    app = PtyApp(finetop_command("--demo", *flags), env, 120, 40)
    try:
        wait_for_text(app, ["ETA/took"], timeout=60)  # the job list's header: rows are shown
        wait_for_text(app, ["updated"], timeout=60)  # and the first poll landed
        return app.text()
    finally:
        app.close()


@pytest.mark.parametrize(
    ("flags", "no_color"),
    [(("--color-system", "none"), False), ((), True)],
    ids=["none", "NO_COLOR"],
)
def test_without_colour_no_colour_code_reaches_the_terminal(
    home: str, flags: tuple[str, ...], no_color: bool
) -> None:
    kinds = colour_kinds(_capture(home, *flags, no_color=no_color))
    assert not kinds & {"256", "truecolor", "standard"}


def test_standard_colours_only_when_asked(home: str) -> None:
    kinds = colour_kinds(_capture(home, "--color-system", "standard"))
    assert "standard" in kinds
    assert not kinds & {"256", "truecolor"}


def test_256_colours_when_asked(home: str) -> None:
    kinds = colour_kinds(_capture(home, "--color-system", "256"))
    assert "256" in kinds
    assert "truecolor" not in kinds
