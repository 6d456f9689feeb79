"""Fixtures of the wire-contract tests."""

from __future__ import annotations

import pytest
from api_payloads import RecordingClock


@pytest.fixture
def clock() -> RecordingClock:
    """A clock that records every wait instead of waiting."""
    return RecordingClock()
