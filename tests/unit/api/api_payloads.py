"""The real payloads of tests/fixtures and a clock that never waits, for the wire-contract tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

MISTRAL_JOB_FILES = sorted(p.name for p in FIXTURES.glob("job-*.json"))
MISTRAL_LIST_FILES = sorted(p.name for p in FIXTURES.glob("jobs-list-*.json"))
OPENAI_FILES = sorted(p.name for p in FIXTURES.glob("openai-*.json"))


def read_fixture(name: str) -> Any:
    """A fixture file, decoded."""
    return json.loads((FIXTURES / name).read_bytes())


def fixture_bytes(name: str) -> bytes:
    """A fixture file, as the server would send it."""
    return (FIXTURES / name).read_bytes()


class RecordingClock:
    """A clock whose ``sleep`` returns at once, moving time forward and remembering the wait."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
