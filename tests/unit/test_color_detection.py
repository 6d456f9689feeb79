"""Which colours the app draws with: ``auto`` settled from the terminal before Textual loads,
and the terminal's own palette with 16 colours or none."""

from __future__ import annotations

import pytest

from tests.unit.test_cli import run
from tui.app.color_env import detected_color_system, wants_terminal_palette
from tui.settings.config import Settings


@pytest.mark.parametrize(
    ("term", "colorterm", "expected"),
    [
        ("xterm", None, "standard"),
        ("xterm-256color", None, "256"),
        ("xterm-256color", "truecolor", "truecolor"),
        ("xterm", "24bit", "truecolor"),
        ("dumb", None, "auto"),
    ],
)
def test_auto_is_what_the_terminal_says(
    monkeypatch: pytest.MonkeyPatch, term: str, colorterm: str | None, expected: str
) -> None:
    monkeypatch.setenv("TERM", term)
    if colorterm is None:
        monkeypatch.delenv("COLORTERM", raising=False)
    else:
        monkeypatch.setenv("COLORTERM", colorterm)
    assert detected_color_system("auto") == expected
    assert detected_color_system(None) == expected


def test_a_named_system_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    assert detected_color_system("truecolor") == "truecolor"
    assert detected_color_system("none") == "none"


@pytest.mark.parametrize(
    ("system", "environ", "palette"),
    [
        ("standard", {}, True),
        ("none", {}, True),
        ("auto", {"NO_COLOR": "1"}, True),
        ("256", {}, False),
        ("truecolor", {}, False),
        ("auto", {"NO_COLOR": ""}, False),
    ],
)
def test_the_terminals_palette_with_16_colours_or_none(
    system: str, environ: dict[str, str], palette: bool
) -> None:
    assert wants_terminal_palette(system, environ) is palette


def test_the_tui_gets_16_colours_on_a_plain_xterm(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Settings] = []
    monkeypatch.setattr("tui.app.run.run_app", lambda settings: seen.append(settings) or 0)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.setenv("TEXTUAL_COLOR_SYSTEM", "auto")  # restored after the test
    code, _, _ = run(["--demo"], capsys)
    assert code == 0
    assert seen[0].color_system == "standard"
