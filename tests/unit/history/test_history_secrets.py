"""The history never holds the API key, nor credentials or query strings of the server URL."""

from __future__ import annotations

from pathlib import Path

import httpx
from history_helpers import WORKSPACE, open_store, table_values
from security.keys import KEY, assert_no_key
from support.inprocess_sim import SIM_START

from tui.api.client import MistralClient, RetryPolicy
from tui.api.clock import ManualClock
from tui.history.location import companion_files
from tui.sim.app import create_app
from tui.sim.world import World

URL_PASSWORD = "url-PASSWORD-777"
QUERY_TOKEN = "query-TOKEN-888"
SERVER_WITH_CREDENTIALS = f"http://finetop:{URL_PASSWORD}@127.0.0.1:9/?token={QUERY_TOKEN}#{KEY}"


async def test_no_key_or_url_credential_reaches_the_file(tmp_path: Path) -> None:
    clock = ManualClock(SIM_START)
    world = World(clock=clock, jobs=12, live=3)
    client = MistralClient(
        "http://127.0.0.1:9",
        KEY,
        transport=httpx.ASGITransport(app=create_app(world, api_key=KEY)),
        retry=RetryPolicy(attempts=1),
        clock=clock,
    )
    clock.advance(3600)  # the live jobs train and write checkpoints
    async with client:
        items = await client.list_all_jobs()
        details = [await client.get_job(job.id) for job in items]
    assert sum(len(d.checkpoints) for d in details) > 0
    store = open_store(tmp_path, clock=clock, server_url=SERVER_WITH_CREDENTIALS)

    store.record(items=items, details=details)
    store.close()

    secrets = (KEY, URL_PASSWORD, QUERY_TOKEN)
    values = list(table_values(store.path))
    assert len({job_id for table, column, job_id in values if column == "id"}) == len(items)
    for table, column, value in values:
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        assert_no_key(text, f"{table}.{column}", keys=secrets)
    meta = {value for table, column, value in values if table == "meta"}
    assert {"http://127.0.0.1:9", WORKSPACE} <= meta
    for path in (store.path, *companion_files(store.path)):
        assert_no_key(path.name, "the file name", keys=secrets)
        if path.exists():
            assert_no_key(path.read_bytes().decode("latin-1"), path.name, keys=secrets)
