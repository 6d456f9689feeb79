"""The app under schema drift, under a mix of every fault at 30 %, and across a simulator restart.

Same rig as the storms: the real app over real loopback HTTP to a SimulatorThread.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from tests.faults.rig import LIST_INTERVAL, SLACK, Rig, running_app, wait_for
from tests.faults.test_fault_storms import check_retry_after
from tui.app.widgets.job_rows import status_cell
from tui.display.formats import short_id
from tui.sim.drift import UNKNOWN_STATUSES

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(60)]

MIX = (
    "429:0.04,500:0.04,502:0.03,503:0.04,html520:0.03,"
    "slow:0.03@2s,drop:0.03,truncate:0.03,drift:0.03"
)
"""Every fault kind, 30 % of requests in all."""

CAUSES = {"rate limited", "server error", "no network", "bad response"}


def _unknown_rows(rig: Rig) -> dict[str, str]:
    """Rows showing a status finetop does not know, as ``job id -> cell text``."""
    table = rig.table
    cells = {job_id: str(table.get_cell(job_id, "status")) for job_id in table.job_ids}
    return {job_id: text for job_id, text in cells.items() if text.startswith("? ")}


async def test_schema_drift_shows_raw_statuses_then_true_ones() -> None:
    async with running_app() as rig:
        pilot = rig.pilot
        selected = await rig.select_running_job()
        rows = set(rig.table.job_ids)
        finished = {
            job_id
            for job_id in rows
            if rig.world.job_status(job_id)
            in ("SUCCESS", "FAILED", "FAILED_VALIDATION", "CANCELLED")
        }

        rig.sim.set_faults("drift:1.0")
        await wait_for(
            lambda: len(_unknown_rows(rig)) >= 3,
            pilot,
            within=LIST_INTERVAL + SLACK,
            what="rows with unknown statuses",
        )
        unknown = _unknown_rows(rig)
        assert set(unknown.values()) <= {status_cell(s).plain for s in UNKNOWN_STATUSES}
        assert set(rig.table.job_ids) >= rows
        # Drift is no failure: the connection stays fine and the selection stays shown.
        assert not rig.failing
        assert "offline" not in rig.status_text()
        assert rig.detail_shows(selected)
        # The count of jobs in an unknown status (the status line redraws at least every second).
        await wait_for(
            lambda: "unknown" in rig.status_text(), pilot, within=2, what=rig.status_text
        )
        assert not rig.titles("Offline")

        await rig.faults_stop()
        assert not _unknown_rows(rig)
        assert rig.detail_shows(selected)
        # A job that had finished before it ever showed an odd status did not finish again:
        # coming back to its real status is no "Job finished" notice.
        announced = {
            job_id
            for job_id in finished
            for message in rig.titled("Job finished")
            if short_id(job_id) in message
        }
        assert not announced, [m for m in rig.titled("Job finished")]


async def test_every_fault_at_thirty_percent() -> None:
    async with running_app() as rig:
        pilot = rig.pilot
        selected = await rig.select_running_job()
        rows = set(rig.table.job_ids)
        start = len(rig.records)

        rig.sim.set_faults(MIX)
        seen_failing: set[str] = set()
        began = time.monotonic()
        cancelled: str | None = None

        def kinds() -> set[str | None]:
            return {r.fault for r in rig.records[start:] if r.fault}

        # At least 5 s of it, longer (up to 10 s) until four kinds of fault have struck.
        while time.monotonic() - began < 5.0 or (
            len(kinds()) < 4 and time.monotonic() - began < 10.0
        ):
            await pilot.pause(0.1)
            if cancelled is None and time.monotonic() - began > 2.0:
                cancelled = rig.change_world(keep=selected)
            # Rows are only ever added (jobs arrive), never lost or blanked.
            assert set(rig.table.job_ids) >= rows
            for job_id, cells in rig.cells().items():
                assert all(cell.strip() for cell in cells), (job_id, cells)
            assert rig.detail_shows(selected)
            shown = rig.retry_shown()
            if rig.failing and shown is not None:
                assert shown[1] in CAUSES, rig.status_text()
                seen_failing.add(shown[1])
        assert len(kinds()) >= 3, kinds()  # the mix really was mixed
        assert seen_failing, "no failure was ever shown"

        await rig.faults_stop()
        assert rig.detail_shows(selected)
        # One notice per failure streak and one per recovery: they alternate.
        offline, online = len(rig.titles("Offline")), len(rig.said("Back online"))
        assert offline >= 1
        assert offline == online, rig.notices
        check_retry_after(rig)


async def test_simulator_killed_and_restarted() -> None:
    async with running_app() as rig:
        pilot = rig.pilot
        selected = await rig.select_running_job()
        before = rig.cells()
        port = urlsplit(rig.sim.base_url).port
        assert port is not None

        await rig.stop_sim()
        await wait_for(
            lambda: (
                (shown := rig.retry_shown()) is not None
                and shown[1] == "no network"
                and shown[0] is not None
            ),
            pilot,
            within=LIST_INTERVAL + SLACK,
            what=rig.status_text,
        )
        cancelled = rig.change_world(keep=selected)
        await wait_for(
            lambda: rig.app.poller is not None and rig.app.poller.status.failures >= 3,
            pilot,
            within=8,
            what="three failed polls while the simulator is down",
        )
        assert rig.cells() == before
        assert rig.detail_shows(selected)
        assert rig.titles("Offline") == ["Offline: no network"]

        await rig.server_back(port)
        assert str(rig.table.get_cell(cancelled, "status")) != before[cancelled][0]
        await wait_for(lambda: rig.said("Back online"), pilot, within=1, what="recovery notice")
        # A few more polls on the new server: no second streak (e.g. from dead pooled sockets).
        served = rig.sim.requests_served
        await wait_for(
            lambda: rig.sim.requests_served >= served + 4, pilot, within=4, what="more polls"
        )
        assert not rig.failing
        assert rig.titles("Offline") == ["Offline: no network"], rig.notices
        assert len(rig.said("Back online")) == 1, rig.notices
        assert rig.detail_shows(selected)
