"""Where the history file lives, what it is called, who may read it and how it is set up."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from history_helpers import SERVER, WORKSPACE, fixture_details, open_store, rows

from tui.history import (
    HistoryStore,
    history_directory,
    history_files,
    remove_history_files,
    store_path,
)
from tui.history.location import companion_files, store_file_name
from tui.history.schema import APPLICATION_ID, SCHEMA_VERSION
from tui.settings.urls import canonical_server_url


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Let the process create world-readable files, so only the store's own modes count."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://api.mistral.ai", "https://api.mistral.ai"),
        ("https://API.Mistral.AI:443/", "https://api.mistral.ai"),
        ("https://user:pw@api.mistral.ai/?key=abc#frag", "https://api.mistral.ai"),
        ("HTTP://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://localhost:80", "http://localhost"),
        ("https://proxy.example/mistral/", "https://proxy.example/mistral"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_server_urls_have_one_spelling_without_secrets(url: str, normalised: str) -> None:
    assert canonical_server_url(url) == normalised


def test_one_file_per_server_and_workspace(tmp_path: Path) -> None:
    names = {
        store_file_name("https://api.mistral.ai", "Work"),
        store_file_name("https://api.mistral.ai", "Home"),
        store_file_name("http://127.0.0.1:8080", "Work"),
    }
    assert len(names) == 3
    # Spellings of one server share a file, credentials or not.
    assert store_file_name("https://user:pw@API.mistral.ai:443/", "Work") == store_file_name(
        "https://api.mistral.ai", "Work"
    )
    name = store_file_name("https://user:hunter2@api.mistral.ai", "Work")
    assert "hunter2" not in name
    assert "mistral" not in name


def test_the_default_place_is_the_user_cache_directory() -> None:
    # conftest points XDG_CACHE_HOME at an empty temporary home.
    store = HistoryStore.for_workspace(SERVER, WORKSPACE)

    cache_home = Path(os.environ["XDG_CACHE_HOME"])
    assert history_directory() == cache_home / "finetop" / "history"
    assert store.path == store_path(SERVER, WORKSPACE) == history_directory() / store.path.name
    assert store.path.is_file()
    store.close()


@pytest.mark.usefixtures("open_umask")
def test_the_folder_and_files_are_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    directory = home / "cache" / "finetop" / "history"
    store = open_store(directory)
    store.record(details=[fixture_details("job-detail-completion-63-steps-2024-06.json")])

    assert mode(directory) == 0o700
    assert mode(directory.parent) == mode(home / "cache") == 0o700  # created by the store too
    assert mode(home) == 0o755  # ... but a parent that existed is left as it was
    wal, shm = companion_files(store.path)
    for path in (store.path, wal, shm):
        assert path.exists()
        assert mode(path) == 0o600, path
    store.close()


@pytest.mark.usefixtures("open_umask")
def test_an_existing_folder_and_file_are_narrowed(tmp_path: Path) -> None:
    directory = tmp_path / "history"
    directory.mkdir(mode=0o755)
    path = store_path(SERVER, WORKSPACE, directory)
    path.touch(mode=0o644)

    store = open_store(directory)

    assert store.enabled
    assert (mode(directory), mode(path)) == (0o700, 0o600)


def test_a_new_file_is_set_up_for_sharing_and_shrinking(tmp_path: Path) -> None:
    store = open_store(tmp_path, server_url="https://user:pw@API.mistral.ai/?key=abc")
    path = store.path

    assert rows(path, "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]
    assert rows(path, "PRAGMA auto_vacuum") == [(2,)]  # incremental
    meta = dict(rows(path, "SELECT key, value FROM meta"))
    assert meta["server_url"] == "https://api.mistral.ai"
    assert meta["workspace"] == WORKSPACE
    info = store.info()
    assert (info.path, info.server_url, info.workspace) == (path, meta["server_url"], WORKSPACE)
    assert info.enabled
    assert info.size_bytes > 0


def test_finetop_cache_can_list_and_remove_history_files(tmp_path: Path) -> None:
    work = open_store(tmp_path, workspace="Work")
    home = open_store(tmp_path, workspace="Home")
    work.record(details=[fixture_details("job-detail-completion-63-steps-2024-06.json")])
    copy = work.path.with_name(work.path.name + ".corrupt-20260101T000000Z")
    copy.write_bytes(b"an old damaged file")

    assert history_files(tmp_path) == sorted([work.path, home.path])
    assert history_files(tmp_path / "missing") == []

    work.close()
    wal, shm = companion_files(work.path)
    wal.write_bytes(b"left over")  # as a crashed finetop leaves them
    shm.write_bytes(b"left over")
    removed = remove_history_files(work.path)

    assert sorted(removed) == sorted([work.path, wal, shm, copy])
    assert sorted(tmp_path.iterdir()) == sorted([home.path, *companion_files(home.path)])
    home.record(items=[fixture_details("job-detail-completion-63-steps-2024-06.json")])
    assert len(home.load_jobs().jobs) == 1  # the other workspace's file still works
