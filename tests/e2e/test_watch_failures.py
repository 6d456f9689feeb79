"""``finetop watch`` as a script uses it (``finetop watch ID && ./deploy.sh``): it fails fast,
in one line, when the API cannot be reached at first contact; it rides out outages once the job
has been seen; ``--timeout`` ends it with status 6. Real processes, a closed port and a real
simulator on loopback. No timing is asserted but a generous guard against hanging.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from tests.e2e.processes import REPO, run_finetop
from tui.sim.options import SimOptions
from tui.sim.runner import SimulatorThread

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

KEY = "sk-watch-test-5e4d3c2b1a"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
GUARD = 60.0
"""Seconds a command may take before the test calls it hung (it should take about one)."""


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _watch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_finetop("watch", *args, env={"MISTRAL_API_KEY": KEY, **(env or {})}, timeout=GUARD)


@pytest.fixture
def simulator() -> Iterator[SimulatorThread]:
    options = SimOptions(port=0, api_key=KEY, jobs=6, live=1, speed=1.0, arrivals=False)
    with SimulatorThread(options) as running:
        yield running


def _one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("finetop: error: ")
    return lines[0]


@pytest.mark.parametrize("job", [UNKNOWN, "736b1be2"])
def test_a_closed_port_fails_at_once_in_one_line(job: str) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    done = _watch(job, "--server-url", url)
    assert done.returncode == 1
    assert done.stdout == ""
    line = _one_error_line(done.stderr)
    assert "127.0.0.1" in line
    assert KEY not in done.stderr


def test_a_refused_key_fails_at_once(simulator: SimulatorThread) -> None:
    running = next(
        j for j in simulator.world.job_ids() if simulator.world.job_status(j) == "RUNNING"
    )
    done = _watch(running, "--server-url", simulator.base_url, env={"MISTRAL_API_KEY": "sk-bad"})
    assert done.returncode == 1
    _one_error_line(done.stderr)
    assert "sk-bad" not in done.stderr


def test_unknown_job_and_short_ids_against_a_real_server(simulator: SimulatorThread) -> None:
    world = simulator.world
    done = _watch(UNKNOWN, "--server-url", simulator.base_url)
    assert done.returncode == 5
    assert _one_error_line(done.stderr) == f"finetop: error: job {UNKNOWN} not found"

    finished = next(j for j in world.job_ids() if world.job_status(j) == "SUCCESS")
    done = _watch(finished[:8], "--server-url", simulator.base_url)
    assert done.returncode == 0, done.stderr
    assert f"watching    {finished}" in done.stdout


def test_timeout_ends_the_watch_with_6(simulator: SimulatorThread) -> None:
    world = simulator.world
    running = next(j for j in world.job_ids() if world.job_status(j) == "RUNNING")
    done = _watch(running[:8], "--timeout", "2", "--server-url", simulator.base_url)
    assert done.returncode == 6
    assert "watching" in done.stdout.splitlines()[0]
    assert _one_error_line(done.stderr) == (
        f"finetop: error: timed out after 2s: job {running} still RUNNING"
    )


def test_an_outage_after_the_job_was_seen_is_ridden_out(simulator: SimulatorThread) -> None:
    world = simulator.world
    running = next(j for j in world.job_ids() if world.job_status(j) == "RUNNING")
    env = {
        **os.environ,
        "MISTRAL_API_KEY": KEY,
        "FINETOP_DETAIL_INTERVAL": "1",
        "PYTHONPATH": str(REPO),
    }
    command = [sys.executable, "-m", "tui", "watch", running, "--timeout", "8"]
    watch = subprocess.Popen(
        [*command, "--server-url", simulator.base_url],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert watch.stdout is not None
        assert "watching" in watch.stdout.readline()  # seen: the server may now go away
        stopper = threading.Thread(target=simulator.stop)
        stopper.start()
        out, err = watch.communicate(timeout=GUARD)
        stopper.join(GUARD)
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
    lines = err.splitlines()
    assert watch.returncode == 6, err
    assert lines[-1] == f"finetop: error: timed out after 8s: job {running} still RUNNING"
    retries = lines[:-1]
    assert retries  # it kept trying while the server was gone
    assert all(line.startswith("finetop: no network: ") for line in retries), err
    assert all("(retrying in " in line for line in retries), err
    assert "Traceback" not in err + out
