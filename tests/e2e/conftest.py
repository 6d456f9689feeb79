"""End-to-end tests: the real app in a real terminal (tmux), the real simulator on loopback."""

from __future__ import annotations

from tests.e2e.fixtures import terminal

__all__ = ["terminal"]
