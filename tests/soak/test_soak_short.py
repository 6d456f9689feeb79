"""A short soak: the real app against a busy simulator for ~25 s, through the benchmark's harness.

``tests/benchmarks/soak.py`` runs the same harness for minutes and reports memory growth; here
the run is too short for memory ratios to mean anything, so this checks what must hold at any
length: no exception escapes anywhere, every buffer stays within its bound (checkpoints and
events per job, detail bodies held), and the table never has more rows than the store has jobs.
The store's bounds are set small so that the run actually reaches them.
"""

from __future__ import annotations

import pytest

from tests.benchmarks.soak import SoakConfig, run_soak

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(120)]

MAX_CHECKPOINTS = 50
MAX_EVENTS = 5
MAX_DETAILS = 10


async def test_short_soak_stays_bounded_and_raises_nothing() -> None:
    config = SoakConfig(
        seconds=25.0,
        sample_every=2.5,
        jobs=60,
        live=5,
        speed=600.0,
        arrival_interval=150.0,  # a new job every 0.25 s: jobs finish and leave the pins
        sim_max_jobs=100,  # jobs leave the workspace too, and the app must forget them
        max_checkpoints=MAX_CHECKPOINTS,
        max_events=MAX_EVENTS,
        max_details=MAX_DETAILS,
        trace=False,  # no memory figures here: keep the app at full speed
    )
    result = await run_soak(config)

    assert result.errors == []
    assert len(result.samples) >= 8
    end = result.end
    # Jobs kept arriving, finishing and being listed while the app ran.
    assert end.store_jobs > result.samples[0].store_jobs + 20
    assert end.requests > 50
    for sample in result.samples:
        assert sample.most_checkpoints <= MAX_CHECKPOINTS
        assert sample.most_events <= MAX_EVENTS
        assert sample.details <= sample.detail_bound
        assert sample.table_rows <= sample.store_jobs
        assert sample.parked == 0  # no filter: nothing to keep for later
    assert result.max_table_excess <= 0
    assert len(result.jobs_seen) > end.store_jobs  # some jobs came and went
    # The cap bit: more jobs were fetched in detail than the store keeps bodies for.
    assert max(s.details for s in result.samples) >= MAX_DETAILS
    # Rows follow the store (a poll may have landed since the last repaint).
    assert end.table_rows >= 0.8 * end.store_jobs
