"""Security tests: some drive the real app in a real terminal (tmux)."""

from __future__ import annotations

from tests.e2e.fixtures import terminal

__all__ = ["terminal"]
