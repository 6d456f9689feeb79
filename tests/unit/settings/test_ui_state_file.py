"""The UI state file: round trip, private and atomic writes, damaged files ignored with one
warning, other workspaces kept, bounds."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from tui.settings.places import screenshots_directory, state_file_path
from tui.settings.ui_state import (
    MAX_FILTER_CHARS,
    MAX_WORKSPACES,
    UiState,
    ViewState,
    read_state,
    save_state,
    workspace_key,
)

VIEW = ViewState(sort="eta", descending=False, filter="!s42", group="running")


def test_a_missing_file_is_an_empty_state_without_warning(tmp_path: Path) -> None:
    assert read_state(tmp_path / "state.json") == (UiState(), None)


def test_saved_state_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.json"
    save_state(path, lambda s: s.with_theme("nord").with_view("demo", VIEW))
    state, warning = read_state(path)
    assert warning is None
    assert state.theme == "nord"
    assert state.view("demo") == VIEW
    assert state.view("elsewhere") == ViewState()


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_the_file_and_its_new_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "state" / "finetop" / "state.json"
    save_state(path, lambda s: s.with_theme("nord"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # Written through a temporary file renamed over it: nothing else is left in the folder.
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]


def test_saving_keeps_what_another_process_saved(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_state(path, lambda s: s.with_view("one", VIEW))
    save_state(path, lambda s: s.with_view("two", ViewState(filter="x")))
    state, _ = read_state(path)
    assert set(state.workspaces) == {"one", "two"}


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"version": 99}', "unknown version 99"),
        (b'{"version": 1, "theme": 3}', "theme: expected a short string"),
        (b'{"version": 1, "workspaces": {"a": {"descending": "yes"}}}', "descending"),
        (b'{"version": 1, "workspaces": []}', "workspaces: expected an object"),
    ],
)
def test_a_damaged_file_is_ignored_with_one_warning(
    tmp_path: Path, content: bytes, why: str
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    state, warning = read_state(path)
    assert state == UiState()
    assert warning is not None
    assert warning.startswith(f"{path}: damaged UI state ignored: ")
    assert why in warning
    assert "\n" not in warning
    # The next save replaces it with a good file.
    save_state(path, lambda s: s.with_theme("nord"))
    assert read_state(path) == (UiState(theme="nord"), None)


def test_an_unreadable_file_is_ignored_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.mkdir()  # a folder where the file should be: reading fails with an OSError
    state, warning = read_state(path)
    assert state == UiState()
    assert warning is not None
    assert "cannot read the UI state" in warning


def test_a_huge_file_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b" " * (2 * 1024 * 1024))
    _, warning = read_state(path)
    assert warning is not None
    assert "larger than" in warning


def test_workspaces_and_filters_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    for n in range(MAX_WORKSPACES + 5):
        save_state(path, lambda s, n=n: s.with_view(f"ws{n}", ViewState(filter="x" * 1000)))
    state, _ = read_state(path)
    assert len(state.workspaces) == MAX_WORKSPACES
    assert "ws0" not in state.workspaces  # the least recently saved went first
    assert f"ws{MAX_WORKSPACES + 4}" in state.workspaces
    assert all(len(v.filter) == MAX_FILTER_CHARS for v in state.workspaces.values())
    # Saving a workspace again makes it the most recent.
    save_state(path, lambda s: s.with_view("ws5", VIEW))
    assert list(read_state(path)[0].workspaces)[-1] == "ws5"


def test_unknown_fields_of_a_newer_finetop_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"version": 1, "theme": "nord", "layout": "wide"}))
    assert read_state(path) == (UiState(theme="nord"), None)


def test_workspace_keys_hold_no_credentials() -> None:
    key = workspace_key("https://me:pw@API.mistral.ai/?token=t", "Work", demo=False)
    assert key == "https://api.mistral.ai Work"
    assert workspace_key("http://127.0.0.1:41234", "demo", demo=True) == "demo"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG directories")
def test_places_follow_the_xdg_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert state_file_path() == tmp_path / "state" / "finetop" / "state.json"
    assert screenshots_directory() == tmp_path / "data" / "finetop" / "screenshots"
