"""``--theme nope`` is a configuration error before the TUI starts; ``finetop config`` reports
unknown themes, broken theme files and keymap mistakes as the TUI would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_cli import run

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def config_dir() -> Path:
    """The user's finetop config folder in the test's own home (see tests/conftest.py)."""
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "finetop"
    (folder / "themes").mkdir(parents=True)
    return folder


def test_an_unknown_theme_stops_the_tui_before_it_starts() -> None:
    # A real process on a pipe: had the TUI started, it would have drawn or waited for keys.
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--theme", "nrod"],
        cwd=REPO,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    [error] = result.stderr.splitlines()  # one line
    assert error.startswith("finetop: error: unknown theme 'nrod' (--theme) (did you mean 'nord'?)")
    for name in ("finetop", "finetop-light", "finetop-high-contrast", "ansi-dark", "nord"):
        assert f" {name}," in error or error.endswith(f" {name}")
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "env", "where"),
    [
        (["--theme", "nope"], {}, "--theme"),
        ([], {"FINETOP_THEME": "nope"}, "FINETOP_THEME"),
    ],
)
def test_the_error_names_where_the_theme_came_from(
    argv: list[str],
    env: dict[str, str],
    where: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run(argv, capsys)
    assert code == 1
    assert out == ""
    assert err.splitlines()[-1].startswith(f"finetop: error: unknown theme 'nope' ({where});")


def test_a_users_theme_is_accepted_and_a_broken_one_explained(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config_dir / "themes" / "mine.toml").write_text('name = "mine"\nprimary = "#112233"\n')
    (config_dir / "themes" / "bad.toml").write_text('name = "bad"\nprimary = "blorange"\n')
    (config_dir / "config.toml").write_text('theme = "bad"\n')
    code, _, err = run(["config"], capsys)
    assert code == 1
    assert "finetop: warning: theme skipped: " in err
    assert err.splitlines()[-1] == (
        f"finetop: error: theme 'bad' (theme in {config_dir / 'config.toml'}) cannot be used: "
        "~/.config/finetop/themes/bad.toml: primary: not a colour: 'blorange'"
    )
    code, out, err = run(["--theme", "mine", "config"], capsys)
    assert code == 0
    assert "finetop: error" not in err
    assert any(line.startswith("theme") and "mine" in line for line in out.splitlines())


def test_config_warns_about_keymap_mistakes_once_each(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_dir / "config.toml"
    config.write_text('[keymap]\nrefresh = "q"\nrefersh = "x"\npause = "ctrl+shft+p"\n')
    code, out, err = run(["config"], capsys)
    assert code == 0
    assert "keymap.refresh" in out
    warnings = [line for line in err.splitlines() if line.startswith("finetop: warning: ")]
    assert warnings == [
        f"finetop: warning: {config}: keymap.refersh: unknown binding id "
        "(did you mean 'refresh'?); ignored",
        f"finetop: warning: {config}: keymap.pause: 'ctrl+shft+p' is not a key "
        "(unknown modifier 'shft'; modifiers are alt, ctrl, hyper, meta, shift, super); ignored",
        f"finetop: warning: {config}: keymap.pause: no usable key; it keeps p",
        f"finetop: warning: {config}: keymap.refresh = 'q': takes q from quit "
        "(your mapping wins); quit keeps ctrl+c",
    ]


def test_config_says_where_state_and_screenshots_go(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["config"], capsys)
    rows = {line.split("  ")[0]: line for line in out.splitlines()}
    state_home = os.environ["XDG_STATE_HOME"]
    data_home = os.environ["XDG_DATA_HOME"]
    assert f"{state_home}/finetop/state.json" in rows["state file"]
    assert f"{data_home}/finetop/screenshots" in rows["screenshots"]
