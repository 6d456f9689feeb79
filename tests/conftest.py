"""Fixtures every test gets: no test reads the developer's real configuration or API key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_user_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Point HOME and the XDG directories at an empty temporary home and drop finetop's variables.

    Subprocesses started by a test inherit this environment, so they are isolated too.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        monkeypatch.setenv(name, str(home / sub))
    for name in list(os.environ):
        if name == "MISTRAL_API_KEY" or name.startswith("FINETOP_"):
            monkeypatch.delenv(name)
    return home
