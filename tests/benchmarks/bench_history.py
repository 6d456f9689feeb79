"""Start-up from the local history: loading stored list items against parsing one API page.

Run as ``python tests/benchmarks/bench_history.py [--repeat N]``. For 1,000 and 10,000 jobs
(the real list items of ``jobs-list-2024-07.json``, repeated with distinct ids, as in
``bench_parse.py``) it stores the items in a history file, reopens it, and times
``HistoryStore.load_jobs()`` (one query, one parse) against ``parse_jobs_page`` on the same items
as one JSON page, the work a start-up without history does once the page has arrived. Both are
timed in alternating rounds, best of the repeats, and printed as a ratio (history / page).

A second set of rows does the same when every job also has a detail stored (five checkpoints
and three events each, so every row carries a summary as well), and the last row times a
running job's detail with 1,000 checkpoints: appending one new checkpoint, and reading the
detail back, against ``parse_job``.
The write figures have no baseline: they say what one poll cycle costs the worker thread.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import attrs  # noqa: E402
from bench_parse import best_of_pair, detailed_job_payload, jobs_page_payload  # noqa: E402

from tui.api.convert import parse_job, parse_jobs_page  # noqa: E402
from tui.api.models import CompletionJob, CompletionJobDetails, Job  # noqa: E402
from tui.history import HistoryStore  # noqa: E402

SERVER = "https://api.mistral.ai"
WORKSPACE = "bench"
SIZES = (1_000, 10_000)
REAL_DETAIL = "job-detail-completion-63-steps-2024-06.json"


def once(fn: Callable[[], object]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def with_history(jobs: tuple[Job, ...]) -> list[CompletionJobDetails]:
    """Each job as a detail holding the checkpoints and events of the real 63-step job.

    The list fields stay the job's own, so the stored items are the very items of the page.
    """
    real = parse_job((ROOT / "tests/fixtures" / REAL_DETAIL).read_bytes())
    names = [f.name for f in attrs.fields(CompletionJob) if f.name != "wire_keys"]
    return [
        CompletionJobDetails(
            **{name: getattr(job, name) for name in names},
            checkpoints=real.checkpoints,
            events=real.events,
            wire_keys=(job.wire_keys or frozenset()) | {"checkpoints", "events"},
        )
        for job in jobs
    ]


def bench_list(directory: Path, count: int, repeat: int, *, with_details: bool) -> None:
    payload = jobs_page_payload(count)
    page = parse_jobs_page(payload)
    store = HistoryStore.for_workspace(SERVER, WORKSPACE, directory=directory)
    store.clear()
    write = once(lambda: store.record(items=page.data))
    rewrite = once(lambda: store.record(items=page.data))
    seen = once(lambda: store.record(seen=[job.id for job in page.data]))
    details_write = 0.0
    if with_details:
        details = with_history(page.data)
        details_write = once(lambda: store.record(details=details))
    size = store.info().size_bytes
    store.close()

    opened: list[HistoryStore] = []
    open_s = once(
        lambda: opened.append(HistoryStore.for_workspace(SERVER, WORKSPACE, directory=directory))
    )
    store = opened[0]
    loaded = store.load_jobs()
    assert len(loaded.jobs) == count
    assert {job.id for job in loaded.jobs} == {job.id for job in page.data}
    assert len(loaded.summaries) == (count if with_details else 0)
    load_s, parse_s = best_of_pair(store.load_jobs, lambda: parse_jobs_page(payload), repeat)
    store.close()

    label = f"{count:,} jobs" + (" + details" if with_details else "")
    print(
        f"{label:32} {load_s * 1e3:9.1f} {parse_s * 1e3:9.1f} {load_s / parse_s:7.2f}"
        f"   open {open_s * 1e3:.0f} ms, file {size / 1e6:.1f} MB;"
        f" writes: items {write * 1e3:.0f} ms, again {rewrite * 1e3:.0f} ms,"
        f" seen-only {seen * 1e3:.0f} ms"
        + (f", details {details_write * 1e3:.0f} ms" if with_details else "")
    )


def bench_detail(directory: Path, repeat: int) -> None:
    raw = detailed_job_payload(checkpoints=1_000, events=50)
    final = parse_job(raw)
    by_step = final.checkpoints_by_step
    store = HistoryStore.for_workspace(SERVER, WORKSPACE, directory=directory)
    store.clear()
    store.record(details=[attrs.evolve(final, status="RUNNING", checkpoints=by_step[:-1])])
    append = once(lambda: store.record(details=[attrs.evolve(final, status="RUNNING")]))
    nothing_new = once(lambda: store.record(details=[attrs.evolve(final, status="RUNNING")]))
    store.record(details=[final])
    assert store.load_details(final.id) == final
    load_s, parse_s = best_of_pair(
        lambda: store.load_details(final.id), lambda: parse_job(raw), repeat
    )
    store.close()
    print(
        f"{'detail, 1,000 checkpoints':32} {load_s * 1e3:9.1f} {parse_s * 1e3:9.1f}"
        f" {load_s / parse_s:7.2f}   writes: one new checkpoint {append * 1e3:.0f} ms,"
        f" nothing new {nothing_new * 1e3:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timing rounds (best of)")
    args = parser.parse_args(argv)
    print(
        f"best of {args.repeat} rounds; baseline: parse_jobs_page / parse_job on the same data"
        " as one JSON document (the API's answer)"
    )
    print(f"{'what':32} {'history':>9} {'baseline':>9} {'ratio':>7}   (ms)")
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        for with_details in (False, True):
            for count in SIZES:
                bench_list(directory, count, args.repeat, with_details=with_details)
        bench_detail(directory, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
