"""File names are looked up through the client; a broken file is not asked for at once again."""

from __future__ import annotations

import attrs

from tests.ui.helpers import make_job
from tui.api.clock import ManualClock
from tui.api.errors import ServerError
from tui.api.models import RetrievedFile
from tui.monitor.file_names import FileNameLookup


class Reader:
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.asked: list[str] = []

    async def get_file(self, file_id: str) -> RetrievedFile:
        self.asked.append(file_id)
        if file_id not in self.names:
            raise ServerError("HTTP 503", status=503)
        return RetrievedFile(id=file_id, filename=self.names[file_id])


async def test_failures_wait_before_they_are_asked_again() -> None:
    clock = ManualClock()
    job = attrs.evolve(make_job("j"), training_files=("a", "b"), validation_files=("c",))
    reader = Reader({"a": "train.jsonl", "c": "valid.jsonl"})
    lookup = FileNameLookup(clock, retry=300.0)
    assert await lookup.look_up(reader, job) == {"a": "train.jsonl", "c": "valid.jsonl"}
    assert await lookup.look_up(reader, job) == {"a": "train.jsonl", "c": "valid.jsonl"}
    assert reader.asked.count("b") == 1
    reader.names["b"] = "late.jsonl"
    clock.advance(301)
    assert (await lookup.look_up(reader, job))["b"] == "late.jsonl"
