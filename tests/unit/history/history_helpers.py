"""Stores on temporary files, the real payloads, and ways to look inside a history file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import attrs
from unit.api.api_payloads import MISTRAL_JOB_FILES, fixture_bytes, read_fixture

from tui.api.clock import ManualClock
from tui.api.convert import parse_job, parse_jobs_page
from tui.api.models import Checkpoint, Job, JobDetails
from tui.history import HistoryStore

__all__ = [
    "MISTRAL_JOB_FILES",
    "SERVER",
    "WORKSPACE",
    "Warnings",
    "fixture_details",
    "fixture_page_items",
    "open_store",
    "read_fixture",
    "rows",
    "running_with",
    "table_values",
]

SERVER = "https://api.mistral.ai"
WORKSPACE = "Work"


class Warnings(list[str]):
    """Collects the store's one-line warnings."""

    def __call__(self, message: str) -> None:
        self.append(message)


def open_store(
    directory: Path,
    *,
    clock: ManualClock | None = None,
    warnings: Warnings | None = None,
    server_url: str = SERVER,
    workspace: str = WORKSPACE,
    **options: Any,
) -> HistoryStore:
    """A store for ``server_url`` + ``workspace`` whose files live in ``directory``."""
    return HistoryStore.for_workspace(
        server_url,
        workspace,
        directory=directory,
        clock=clock or ManualClock(),
        on_warning=warnings if warnings is not None else Warnings(),
        **options,
    )


def fixture_details(name: str) -> JobDetails:
    """A real detail payload, parsed."""
    return parse_job(fixture_bytes(name))


def fixture_page_items() -> tuple[Job, ...]:
    """The 32 jobs of the real list page, parsed."""
    return parse_jobs_page(fixture_bytes("jobs-list-2024-07.json")).data


def running_with(details: JobDetails, checkpoints: tuple[Checkpoint, ...]) -> JobDetails:
    """``details`` as it looked while running, holding only ``checkpoints``."""
    return attrs.evolve(details, status="RUNNING", checkpoints=checkpoints)


def rows(path: Path, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of ``query`` read through a separate connection (what another process would see)."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(query, params).fetchall()


def table_values(path: Path) -> Iterator[tuple[str, str, Any]]:
    """Every value of every column of every table: ``(table, column, value)``."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            cursor = conn.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    yield table, column, value
