"""The README stays true: its test command is the one CI runs, and it lists every key binding."""

from __future__ import annotations

import re
from pathlib import Path

from tui.app.actions import ACTIONS

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
