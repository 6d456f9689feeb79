"""What the ``finetop`` command prints and refuses, run as a user would run it (subprocesses).

- ``finetop config`` says where the key comes from, never the key.
- A config file holding a key that others can read gets a warning; a private one does not.
- Plain ``http://`` to a host other than this machine is refused before anything is sent,
  unless ``--insecure-http`` is given.
- The key is never accepted as a flag, and a failing ``api_key_command`` is reported without
  its output.
"""

from __future__ import annotations

import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.processes import run_finetop
from tests.security.keys import KEY, assert_no_key
from tui.sim.runner import SimulatorThread
from tui.sim.world import World

INSECURE = "refusing plain http://"


def _everything(result: object) -> str:
    return f"{result.stdout}\n{result.stderr}"  # type: ignore[attr-defined]


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("finetop: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


# -------------------------------------------------------------------- finetop config


def test_config_names_the_key_source_not_the_key() -> None:
    result = run_finetop("config", env={"MISTRAL_API_KEY": KEY})
    assert result.returncode == 0, result.stderr
    assert "env:MISTRAL_API_KEY" in result.stdout
    assert_no_key(_everything(result), "finetop config")


def _config_with_literal_key(directory: Path, mode: int) -> Path:
    path = directory / "config.toml"
    path.write_text(f'api_key = "{KEY}"\n', encoding="utf-8")
    path.chmod(mode)
    return path


def test_a_world_readable_config_holding_a_key_is_warned_about(tmp_path: Path) -> None:
    path = _config_with_literal_key(tmp_path, 0o644)
    result = run_finetop("config", "--config", str(path))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, result.stderr
    assert "readable by others" in warnings[0]
    assert "chmod 600" in warnings[0]
    assert str(path) in warnings[0]
    assert "literal in" in result.stdout  # the key's source is named...
    assert_no_key(_everything(result), "finetop config with a literal key")  # ...not the key


def test_a_private_config_holding_a_key_is_not_warned_about(tmp_path: Path) -> None:
    path = _config_with_literal_key(tmp_path, 0o600)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    result = run_finetop("config", "--config", str(path))
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert result.stderr.strip() == ""
    assert_no_key(_everything(result), "finetop config with a private key file")


# -------------------------------------------------------------------- plain http


@pytest.mark.parametrize(
    "command",
    [["jobs"], ["show", "00000000-0000-0000-0000-000000000000"], [], ["config"]],
    ids=["jobs", "show", "tui", "config"],
)
def test_plain_http_to_another_host_is_refused_quickly(command: list[str]) -> None:
    started = time.monotonic()
    result = run_finetop(
        *command, "--server-url", "http://example.invalid:9", env={"MISTRAL_API_KEY": KEY}
    )
    elapsed = time.monotonic() - started
    assert result.returncode != 0
    line = _one_error_line(result.stderr)
    assert INSECURE in line
    assert "--insecure-http" in line
    assert elapsed < 10  # refused up front: no DNS lookup, no connection attempt, no retries
    assert_no_key(_everything(result), "the refusal")


def _non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (the one its default route uses)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # UDP connect: picks a route, sends nothing
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@pytest.fixture
def remote_sim() -> Iterator[SimulatorThread]:
    """The simulator listening on a non-loopback address of this machine."""
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to listen on")
    server = SimulatorThread(world=World(seed=7, jobs=3, live=0, arrivals=False), host=address)
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        pytest.skip(f"cannot listen on {address}: {exc}")
    try:
        yield server
    finally:
        server.stop()


def test_nothing_is_sent_over_plain_http_without_the_flag(remote_sim: SimulatorThread) -> None:
    url = remote_sim.base_url
    refused = run_finetop("jobs", "--server-url", url, env={"MISTRAL_API_KEY": KEY})
    assert refused.returncode != 0
    assert INSECURE in _one_error_line(refused.stderr)
    assert remote_sim.requests_served == 0  # not a single request reached the server

    # The control: with --insecure-http the same command does reach it.
    allowed = run_finetop(
        "jobs", "--server-url", url, "--insecure-http", env={"MISTRAL_API_KEY": KEY}
    )
    assert allowed.returncode == 0, allowed.stderr
    assert remote_sim.requests_served > 0
    assert_no_key(_everything(refused) + _everything(allowed), "finetop jobs output")


# -------------------------------------------------------------------- the key as input


@pytest.mark.parametrize(
    "argv",
    [
        ["--api-key", KEY],
        [f"--api-key={KEY}"],
        ["jobs", "--api-key", KEY],
        ["config", f"--api_key={KEY}"],
    ],
    ids=["tui", "tui=", "jobs", "config_"],
)
def test_the_key_is_never_a_flag_and_is_not_echoed(argv: list[str]) -> None:
    result = run_finetop(*argv)
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert "MISTRAL_API_KEY" in line
    assert_no_key(_everything(result), "the refusal of --api-key")


def _key_command(directory: Path, body: str) -> Path:
    script = directory / "print-key"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o700)
    config = directory / "config.toml"
    config.write_text(f'api_key_command = "{script}"\n', encoding="utf-8")
    config.chmod(0o600)
    return config


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (f'echo "{KEY}"; echo "{KEY}" >&2; exit 3', "exit status 3"),
        (f'echo "{KEY} trailing words"', "spaces or control characters"),
    ],
    ids=["fails", "unusable"],
)
def test_a_failing_key_command_is_reported_without_its_output(
    tmp_path: Path, body: str, reason: str
) -> None:
    config = _key_command(tmp_path, body)
    result = run_finetop("jobs", "--config", str(config), "--server-url", "http://127.0.0.1:9")
    assert result.returncode == 1
    line = _one_error_line(result.stderr)
    assert reason in line
    assert_no_key(_everything(result), "the key command's failure")


def test_a_working_key_command_is_used_and_not_shown(tmp_path: Path) -> None:
    config = _key_command(tmp_path, f'echo "{KEY}"')
    world = World(seed=7, jobs=2, live=0, arrivals=False)
    with SimulatorThread(world=world, api_key=KEY) as server:
        result = run_finetop("jobs", "--config", str(config), "--server-url", server.base_url)
        shown = run_finetop("config", "--config", str(config))
    assert result.returncode == 0, result.stderr  # the simulator accepted the key it printed
    assert_no_key(_everything(result) + _everything(shown), "finetop jobs/config")
    assert os.fspath(tmp_path / "print-key") in shown.stdout  # the command is named, not run
