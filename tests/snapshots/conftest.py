"""Snapshot tests render in UTC, with colours on, whatever the machine's environment says."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.snapshots.scenes import PINNED_ENV, UNSET_ENV


@pytest.fixture(autouse=True)
def _pinned_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Set :data:`PINNED_ENV`, drop :data:`UNSET_ENV`, and re-read the time zone both ways."""
    import time

    for name in UNSET_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in PINNED_ENV.items():
        monkeypatch.setenv(name, value)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
