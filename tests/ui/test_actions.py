"""The action table: ids, keys, read-only filtering, browser detection, message collapsing."""

from __future__ import annotations

from tui.app.actions import (
    ACTIONS,
    MUTATING_ACTIONS,
    Scope,
    bindings_for,
    browser_available,
    help_rows,
)
from tui.app.messages import ConnectionChanged, JobsChanged


def test_every_action_has_a_unique_id_and_keys() -> None:
    ids = [spec.id for spec in ACTIONS]
    assert len(ids) == len(set(ids))
    assert all(spec.keys for spec in ACTIONS)
    assert {"cancel_job", "start_job"} == MUTATING_ACTIONS


def test_default_keys_avoid_terminal_traps() -> None:
    # ctrl+j/m/i/h are enter/tab/backspace in many terminals; shift+digit is layout-dependent.
    banned = {"ctrl+j", "ctrl+m", "ctrl+i", "ctrl+h", "ctrl+l", "ctrl+a", "ctrl+b", "ctrl+enter"}
    keys = {key for spec in ACTIONS for key in spec.keys.split(",")}
    assert not keys & banned
    assert not keys & set("!@#$%^&*()")


def test_read_only_drops_mutating_bindings_and_help_rows() -> None:
    screen_ids = {b.id for b in bindings_for(Scope.SCREEN, read_only=True)}
    assert "cancel_job" not in screen_ids
    assert "refresh" in screen_ids
    assert "cancel_job" in {b.id for b in bindings_for(Scope.SCREEN, read_only=False)}
    rows = help_rows(read_only=True, keymap={"refresh": "F5"})
    assert ("F5", "Refresh now", "refresh") in rows
    assert all(row[2] not in ("cancel_job", "start_job") for row in rows)


def test_browser_is_not_reachable_over_ssh_or_without_display() -> None:
    assert not browser_available({"SSH_CONNECTION": "a b c d", "DISPLAY": ":0"}, "linux")
    assert not browser_available({"SSH_TTY": "/dev/pts/1"}, "darwin")
    assert not browser_available({}, "linux")
    assert browser_available({"DISPLAY": ":0"}, "linux")
    assert browser_available({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert browser_available({}, "darwin")


def test_backlogs_collapse() -> None:
    older, newer = JobsChanged({"a"}), JobsChanged({"b"}, gone={"c"})
    assert older.can_replace(newer)
    assert newer.job_ids == {"a", "b"}
    assert newer.gone == {"c"}
    assert not older.can_replace(ConnectionChanged())
    assert ConnectionChanged().can_replace(ConnectionChanged())
