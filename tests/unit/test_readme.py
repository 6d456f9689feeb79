"""The README stays true: its test command is the one CI runs, it lists every key binding, and
the flags, settings and variables it names exist."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from tui.app.actions import ACTIONS
from tui.app.screens.main_layout import BESIDE_WIDTH, SHORT_HEIGHT, SPLIT_HEIGHT, WIDE_WIDTH
from tui.app.share import TMUX_CLIPBOARD_HINT
from tui.cli import build_parser
from tui.monitor.curves import MAX_RUNS
from tui.settings.schema import OPTIONS, OPTIONS_BY_NAME

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", README, re.S)
    assert block, "the README has a Quick start code block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_quick_start_has_two_commands_and_ci_runs_the_test_one() -> None:
    run_demo, run_tests = quick_start_commands()
    assert run_demo.endswith("finetop --demo")
    assert run_tests.endswith("python -m pytest")
    assert run_tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_binding_id_is_in_the_key_table() -> None:
    keys_section = README.split("## Keys", 1)[1].split("\n## ", 1)[0]
    missing = [spec.id for spec in ACTIONS if f"`{spec.id}`" not in keys_section]
    assert not missing, f"binding ids missing from the README's key table: {missing}"


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:  # argparse offers no public walk over subcommands
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _parsers(sub)
    return found


def test_every_flag_the_readme_names_exists() -> None:
    known = {
        option
        for parser in _parsers(build_parser())
        for action in parser._actions
        for option in action.option_strings
    }
    # The Performance section names the benchmark scripts' own flags.
    before, rest = README.split("## Performance", 1)
    text = before + rest.split("\n## ", 1)[1]
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", text))
    assert not named - known, f"flags in the README that no command has: {named - known}"


def test_every_setting_and_variable_the_readme_names_exists() -> None:
    example = re.search(r"## Configuration.*?```toml\n(.*?)```", README, re.S)
    assert example, "the README has an example config.toml"
    top_level = re.findall(r"^([a-z_]+)\s*=", example.group(1).split("\n[", 1)[0], re.M)
    assert top_level
    assert not set(top_level) - set(OPTIONS_BY_NAME)
    variables = set(re.findall(r"\b(FINETOP_[A-Z_]+)\b", README))
    known_variables = {option.env for option in OPTIONS if option.env} | {
        "FINETOP_CONFIG",
        "FINETOP_PROFILE",
        "FINETOP_SIM_API_KEY",
    }
    assert not variables - known_variables, variables - known_variables


def test_the_layout_claims_match_the_layout_rules() -> None:
    screen = README.split("## The screen", 1)[1].split("\n## ", 1)[0]
    compact = f"| 80x24 up to {WIDE_WIDTH - 1}x{SPLIT_HEIGHT - 1} |"
    assert compact in screen
    assert f"below {SHORT_HEIGHT} rows only the chart's one-line readout shows" in screen
    assert f"| from {SPLIT_HEIGHT} rows (under {WIDE_WIDTH} columns) |" in screen
    assert f"side by side from {BESIDE_WIDTH} columns" in screen
    assert f"| from {WIDE_WIDTH} columns |" in screen
    assert f"(up to {MAX_RUNS})" in screen


def test_the_ssh_tips_match_what_the_app_says() -> None:
    over_ssh = README.split("## Over SSH", 1)[1].split("\n## ", 1)[0]
    assert TMUX_CLIPBOARD_HINT.split(": ", 1)[1] in over_ssh  # set -g set-clipboard on
