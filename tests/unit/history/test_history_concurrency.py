"""Two finetop processes share one history file; threads share one store."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import attrs
from history_helpers import fixture_details, open_store, rows

from tui.api.models import JobDetails

WRITER = Path(__file__).with_name("history_writer.py")
ROUNDS = 69  # every checkpoint of the real payload, one more per round


def test_two_processes_append_to_the_same_file(tmp_path: Path) -> None:
    writers = [
        subprocess.Popen(
            [sys.executable, str(WRITER), str(tmp_path), name, str(ROUNDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    for writer in writers:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:  # both open the (not yet existing) file at the same moment
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=90)
        assert writer.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    assert [(r["enabled"], r["warnings"]) for r in results] == [(True, [])] * 2
    (start_a, end_a), (start_b, end_b) = (r["span"] for r in results)
    assert max(start_a, start_b) < min(end_a, end_b), "the writers did not overlap"
    store = open_store(tmp_path)
    final = fixture_details("job-detail-completion-pixtral-69-steps-2025-07.json")
    for job_id in ("job-shared", "job-a", "job-b"):
        expected = attrs.evolve(final, id=job_id, status="RUNNING")
        assert store.load_details(job_id) == expected
        assert store.load_jobs().summaries[job_id].checkpoint_count == ROUNDS
    assert rows(
        store.path, "SELECT count(*), count(DISTINCT job_id || ':' || step) FROM checkpoints"
    ) == [(3 * ROUNDS, 3 * ROUNDS)]
    assert store.info().counts.events == 3 * len(final.events)
    assert rows(store.path, "PRAGMA integrity_check") == [("ok",)]


async def test_threads_share_one_store(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    final = fixture_details("job-detail-completion-100-steps-2024-05-docs.json")
    by_step = final.checkpoints_by_step

    def follow(job_id: str) -> None:
        """One job's details arriving checkpoint by checkpoint, as a poller would write them."""
        for steps in range(1, len(by_step) + 1):
            running = attrs.evolve(final, id=job_id, status="RUNNING", checkpoints=by_step[:steps])
            store.record(details=[running])
            store.load_jobs()

    job_ids = [f"job-{n}" for n in range(6)]
    await asyncio.gather(*(asyncio.to_thread(follow, job_id) for job_id in job_ids))

    for job_id in job_ids:
        stored = store.load_details(job_id)
        assert isinstance(stored, JobDetails.__args__)  # type: ignore[attr-defined]
        assert stored.checkpoints_by_step == by_step
    assert store.info().counts.checkpoints == len(job_ids) * len(by_step)
