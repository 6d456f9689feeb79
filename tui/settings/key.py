"""The API key: a wrapper that never prints it, where it comes from, and reading it when needed.

The key is never a command-line flag (flags show up in ``ps`` and shell history). It comes from an
environment variable, from a command such as ``pass show mistral``, or, discouraged, from the
config file. Error messages name the source, never the key or the command's output.
"""

from __future__ import annotations

import hmac
import shlex
import subprocess
from collections.abc import Mapping
from enum import StrEnum

import attrs

from tui.errors import FinetopError

__all__ = ["ApiKeyError", "KeyKind", "KeySource", "Secret", "run_key_command"]

_REDACTED = "<redacted>"


class Secret:
    """A string kept out of ``repr``, ``str``, f-strings and tracebacks; ``reveal()`` reads it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself: call only where it is sent (the Authorization header)."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({_REDACTED})"

    def __str__(self) -> str:
        return _REDACTED

    def __format__(self, spec: str) -> str:
        return _REDACTED

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # Constant-time, so equality checks in tests or caches leak no timing.
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))


class KeyKind(StrEnum):
    """How the key is obtained."""

    ENV = "env"
    COMMAND = "command"
    FILE = "file"
    NONE = "none"


class ApiKeyError(FinetopError):
    """The key source is configured but gave no usable key (failing command, empty output...)."""


@attrs.frozen
class KeySource:
    """Where the API key comes from; ``value`` is filled for env and file keys, and for a command
    once it has run (see ``tui.headless.connect.resolve_key``)."""

    kind: KeyKind = KeyKind.NONE
    origin: str = "default"
    """Where this choice was configured: ``env:MISTRAL_API_KEY``, ``file:PATH [profiles.work]``."""
    env_name: str | None = None
    """The variable read, for ``KeyKind.ENV``."""
    command: str | None = None
    """The command line, for ``KeyKind.COMMAND``; run without a shell."""
    timeout: float = 30.0
    """Seconds the command may take (a password manager may prompt)."""
    value: Secret | None = None

    @property
    def configured(self) -> bool:
        """True when some source was configured (the key itself may still be unread)."""
        return self.kind is not KeyKind.NONE

    def describe(self) -> str:
        """A one-line account of the key for ``finetop config``; never any character of the key."""
        if self.kind is KeyKind.ENV:
            return f"set (from env:{self.env_name})"
        if self.kind is KeyKind.FILE:
            return f"set (literal in {self.origin}; prefer api_key_command or MISTRAL_API_KEY)"
        if self.kind is KeyKind.COMMAND:
            state = "read" if self.value is not None else "run when connecting"
            return f"from command {self.command!r} ({state})"
        return "not set"


def _first_line(text: str) -> str:
    # `pass show` prints the password on the first line and optional notes below it.
    stripped = text.strip()
    return stripped.splitlines()[0].strip() if stripped else ""


def check_key_text(key: str, source: str) -> Secret:
    """Wrap ``key``, refusing what cannot go into an HTTP header; errors name only ``source``."""
    if not key:
        raise ApiKeyError(f"the API key from {source} is empty")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key):
        raise ApiKeyError(f"the API key from {source} contains spaces or control characters")
    return Secret(key)


def run_key_command(
    command: str, *, timeout: float = 30.0, env: Mapping[str, str] | None = None
) -> Secret:
    """Run ``command`` (split with shlex, no shell) and return its first stripped output line.

    Failures are one line naming the command and the reason, never its output, which may hold
    the key or parts of it.
    """
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ApiKeyError(f"api_key_command {command!r} cannot be parsed: {exc}") from None
    if not argv:
        raise ApiKeyError("api_key_command is empty")
    try:
        done = subprocess.run(  # argv from the user's own config, no shell
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
            env=dict(env) if env is not None else None,
        )
    except FileNotFoundError:
        raise ApiKeyError(f"api_key_command: program not found: {argv[0]!r}") from None
    except PermissionError:
        raise ApiKeyError(f"api_key_command: permission denied running {argv[0]!r}") from None
    except subprocess.TimeoutExpired:
        raise ApiKeyError(f"api_key_command {command!r} timed out after {timeout:g} s") from None
    except OSError as exc:
        raise ApiKeyError(f"api_key_command {command!r} could not run: {exc.strerror}") from None
    if done.returncode != 0:
        raise ApiKeyError(f"api_key_command {command!r} failed with exit status {done.returncode}")
    text = done.stdout.decode("utf-8", errors="replace")
    return check_key_text(_first_line(text), f"api_key_command {command!r}")
