"""Serving over real HTTP: the background thread, ``finetop sim`` flags and options."""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tui.sim.cli_args import add_sim_arguments, options_from_args
from tui.sim.options import SimOptions
from tui.sim.runner import SimulatorThread, serve
from tui.sim.world import World

REPO = Path(__file__).resolve().parents[3]


def parse(*argv: str) -> SimOptions:
    parser = argparse.ArgumentParser(prog="finetop sim")
    add_sim_arguments(parser)
    return options_from_args(parser.parse_args(argv))


def test_defaults_match_sim_options() -> None:
    assert parse() == SimOptions()
    assert SimOptions().host == "127.0.0.1"


def test_every_flag() -> None:
    options = parse(
        "--host", "0.0.0.0", "--port", "0", "--seed", "3", "--jobs", "5", "--live", "1",
        "--speed", "2.5", "--api-key", "sk-x", "--rate-limit", "30", "--faults", "500:0.1",
        "--no-arrivals", "--latency", "40", "--latency-jitter", "5",
    )  # fmt: skip
    assert options == SimOptions(
        host="0.0.0.0", port=0, seed=3, jobs=5, live=1, speed=2.5, api_key="sk-x",
        rate_limit=30, faults="500:0.1", arrivals=False, latency_ms=40.0, latency_jitter_ms=5.0,
    )  # fmt: skip
    assert "sk-x" not in repr(options)


def test_the_demo_preset_with_flags_on_top() -> None:
    assert parse("--preset", "demo") == SimOptions.demo()
    assert parse("--preset", "demo", "--speed", "5", "--port", "0") == SimOptions.demo(
        speed=5.0, port=0
    )
    assert SimOptions.demo().always_running >= 1
    assert SimOptions.demo().pace is not None


@pytest.mark.parametrize(
    "argv",
    [
        ["--faults", "boom:1"],
        ["--speed", "0"],
        ["--rate-limit", "0"],
        ["--port", "-1"],
        ["--latency", "soon"],
        ["--latency-jitter", "-5"],
        ["--preset", "fast"],
    ],
)
def test_bad_flags_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parse(*argv)
    assert info.value.code == 2
    assert "finetop sim" in capsys.readouterr().err


def test_thread_serves_on_a_free_loopback_port_and_stops(world: World) -> None:
    before = set(threading.enumerate())
    lines: list[str] = []
    sim = SimulatorThread(world=world, request_log=lines.append)
    url = sim.start()
    assert url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=url) as client:
        assert client.get("/v1/fine_tuning/jobs").json()["total"] == len(world)
    assert sim.requests_served == 1
    assert len(lines) == 1
    sim.stop()
    assert not sim.running
    assert set(threading.enumerate()) <= before
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/v1/models", timeout=2)


def test_thread_from_options_with_auth_and_limits() -> None:
    options = SimOptions(jobs=4, live=1, api_key="sk-demo", rate_limit=2, arrivals=False)
    with SimulatorThread(options) as sim, httpx.Client(base_url=sim.base_url) as client:
        assert client.get("/v1/models").status_code == 401
        headers = {"authorization": "Bearer sk-demo"}
        first = client.get("/v1/models", headers=headers)
        assert first.headers["x-ratelimit-remaining-req-minute"] == "1"
        client.get("/v1/models", headers=headers)
        assert client.get("/v1/models", headers=headers).status_code == 429
        assert len(sim.world) == options.jobs  # the live one included


def test_serve_reports_a_busy_port() -> None:
    with SimulatorThread(world=World(jobs=1, live=0, arrivals=False)) as sim:
        port = int(sim.base_url.rsplit(":", 1)[1])
        lines: list[str] = []
        code = serve(SimOptions(port=port, jobs=1, live=0), out=lines.append)
    assert code == 1
    assert "cannot listen" in lines[0]


def test_api_key_from_the_environment() -> None:
    parser = argparse.ArgumentParser(prog="finetop sim")
    add_sim_arguments(parser)
    ns = parser.parse_args([])
    assert options_from_args(ns, env={"FINETOP_SIM_API_KEY": "sk-env"}).api_key == "sk-env"
    assert options_from_args(ns, env={}).api_key is None


@pytest.mark.e2e
def test_finetop_sim_serves_until_ctrl_c() -> None:
    """``serve`` in its own process: prints the URL, answers, stops cleanly on SIGINT."""
    code = (
        "from tui.sim import serve, SimOptions; "
        "raise SystemExit(serve(SimOptions(port=0, jobs=3, live=1, api_key='sk-proc')))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert proc.stderr is not None
        banner = proc.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", banner)
        assert url, banner
        headers = {"authorization": "Bearer sk-proc"}
        response = httpx.get(url.group(0) + "/v1/fine_tuning/jobs", headers=headers, timeout=5)
        assert response.status_code == 200
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "GET /v1/fine_tuning/jobs 200" in rest
    assert "sk-proc" not in banner + rest
    assert "stopped after 1 requests" in rest
