"""The headless commands: ``finetop jobs``, ``finetop show JOB_ID`` and ``finetop watch JOB_ID``.

Each is an async function taking a client and output streams and returning an exit status; the
CLI wires arguments and the connection. Plain text only (no colour, no Textual, no rich).
"""

from __future__ import annotations

EXIT_OK = 0
"""Success (for ``watch``: the job ended in SUCCESS)."""
EXIT_ERROR = 1
"""Any other error (authentication, bad request...)."""
EXIT_FAILED = 2
"""``watch``: the job ended FAILED."""
EXIT_FAILED_VALIDATION = 3
"""``watch``: the job ended FAILED_VALIDATION."""
EXIT_CANCELLED = 4
"""``watch``: the job was CANCELLED."""
EXIT_NOT_FOUND = 5
"""The job does not exist (or is no longer visible); no job id starts with the prefix given."""
EXIT_TIMEOUT = 6
"""``watch --timeout``: the job had not finished when the time ran out."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (the CLI maps ``KeyboardInterrupt`` to it)."""

__all__ = [
    "EXIT_CANCELLED",
    "EXIT_ERROR",
    "EXIT_FAILED",
    "EXIT_FAILED_VALIDATION",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_TIMEOUT",
]
