"""A second finetop process, for the concurrency tests: appends checkpoints to a shared history.

Run as ``python history_writer.py DIRECTORY NAME ROUNDS``. It imports everything, prints
``ready`` and waits for a line on stdin, so the test can start several writers at the same
moment (the file may not even exist yet). Then, round by round, it records the detail of a job
every writer shares and of a job of its own, each holding one checkpoint more than the round
before (as the API answers while a job trains), reads the shared job back, and finally prints
one JSON line: whether the store stayed enabled, the warnings it gave and when it wrote.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from tui.api.convert import parse_job  # noqa: E402
from tui.api.models import JobDetails  # noqa: E402
from tui.history import HistoryStore  # noqa: E402

SERVER = "https://api.mistral.ai"
WORKSPACE = "Work"
SHARED = "job-shared"
PASSES = 3
FIXTURE = ROOT / "tests" / "fixtures" / "job-detail-completion-pixtral-69-steps-2025-07.json"


def training(base: JobDetails, job_id: str, steps: int) -> JobDetails:
    """``base`` running under ``job_id`` with its first ``steps`` checkpoints, newest first."""
    return attrs.evolve(
        base,
        id=job_id,
        status="RUNNING",
        checkpoints=base.checkpoints_by_step[:steps][::-1],
    )


def main() -> None:
    directory, name, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    base = parse_job(FIXTURE.read_bytes())
    print("ready", flush=True)
    sys.stdin.readline()
    warnings: list[str] = []
    store = HistoryStore.for_workspace(
        SERVER, WORKSPACE, directory=directory, on_warning=warnings.append
    )
    started = time.monotonic()  # system-wide on Linux: the test compares the writers' spans
    for _ in range(PASSES):  # later passes send what is stored already: nothing is added
        for steps in range(1, rounds + 1):
            own = training(base, f"job-{name}", steps)
            store.record(details=[training(base, SHARED, steps), own])
            store.load_details(SHARED)
    span = (started, time.monotonic())
    enabled = store.enabled
    store.close()
    print(json.dumps({"enabled": enabled, "warnings": warnings, "span": span}), flush=True)


if __name__ == "__main__":
    main()
