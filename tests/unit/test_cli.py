"""The finetop command line: help, version, settings output, errors and exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tui import __version__
from tui.cli import main
from tui.settings.config import KeyKind, Settings, load_settings

SECRET = "sk-cli-test-9f8e7d6c5b4a"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """main(argv) as the console script runs it: (exit status, stdout, stderr)."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"], capsys) == (0, f"finetop {__version__}\n", "")
    assert __version__ == "0.1.0"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--help"], "examples:"),
        (["sim", "--help"], "usage: finetop sim"),
        (["jobs", "--help"], "--status S"),
        (["show", "--help"], "JOB_ID"),
        (["watch", "--help"], "exit status: 0 succeeded"),
        (["config", "--help"], "The key is never shown"),
        (["cache", "--help"], "--all"),
    ],
)
def test_help_on_every_command(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 0
    assert out.startswith("usage: finetop")
    assert expected in out
    assert err == ""


def test_top_level_help_lists_commands_and_flags(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["--help"], capsys)
    for word in (
        "sim",
        "jobs",
        "show",
        "watch",
        "config",
        "cache",
        "--server-url",
        "--profile",
        "--demo",
        "--no-cache",
    ):
        assert word in out
    for word in ("--read-only", "--theme", "--no-mouse", "--bell", "--color-system"):
        assert word in out
    for word in ("--config", "--insecure-http", "--version"):
        assert word in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--api-key", SECRET],
        ["jobs", f"--api-key={SECRET}"],
        ["show", "x", "--api_key", SECRET],
    ],
)
def test_the_key_is_not_a_flag_and_is_not_echoed(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert err.startswith("finetop: error: the API key is never a command-line flag")
    assert SECRET not in out + err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["show"], capsys)[0] == 2
    assert run(["--color-system", "rainbow"], capsys)[0] == 2
    assert run(["frobnicate"], capsys)[0] == 2


# --- finetop config ---------------------------------------------------------------------------


def test_config_shows_where_the_key_comes_from_but_never_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", SECRET)
    code, out, err = run(["config"], capsys)
    assert code == 0
    assert "set (from env:MISTRAL_API_KEY)" in out
    assert SECRET not in out + err
    assert SECRET[-4:] not in out + err
    assert "demo" in out


def test_config_with_a_literal_key_warns_and_hides_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'api_key = "{SECRET}"\n')
    cfg.chmod(0o644)
    code, out, err = run(["config", "--config", str(cfg)], capsys)
    assert code == 0
    assert SECRET not in out + err
    assert SECRET[-4:] not in out + err
    assert err.startswith("finetop: warning: ")
    assert "readable by others" in err
    assert err.count("\n") == 1


def test_config_does_not_run_the_key_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "ran"
    cfg = tmp_path / "config.toml"
    code = f"import pathlib; pathlib.Path({str(marker)!r}).touch(); print('k')"
    cfg.write_text(f"api_key_command = {_toml_str(f'{sys.executable} -c {code!r}')}\n")
    status, out, _ = run(["config", "--config", str(cfg)], capsys)
    assert status == 0
    assert "from command" in out
    assert "run when connecting" in out
    assert not marker.exists()


def _toml_str(text: str) -> str:
    return json.dumps(text)


@pytest.mark.parametrize(
    "argv",
    [
        ["--server-url", "https://mistral.example.com", "--theme", "nord", "config"],
        ["config", "--server-url", "https://mistral.example.com"],
    ],
)
def test_flags_before_or_after_the_command(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", SECRET)
    code, out, _ = run(argv, capsys)
    assert code == 0
    [line] = [line for line in out.splitlines() if line.startswith("server_url")]
    assert "https://mistral.example.com" in line
    assert line.endswith("flag")


def test_flag_before_the_command_is_not_reset_by_the_subcommand(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", SECRET)
    _, out, _ = run(["--demo", "config"], capsys)
    [line] = [line for line in out.splitlines() if line.startswith("demo")]
    assert "on (--demo)" in line


def test_config_lists_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("detail_interval = 20\n[profiles.w]\nlist_interval = 45\n[keymap]\nquit='x'\n")
    monkeypatch.setenv("FINETOP_CONFIG", str(cfg))
    monkeypatch.setenv("FINETOP_THEME", "finetop-light")
    _, out, _ = run(["--read-only", "config", "--profile", "w"], capsys)
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert rows["detail_interval"].endswith(f"file:{cfg}")
    assert rows["list_interval"].endswith(f"file:{cfg} [profiles.w]")
    assert rows["theme"].endswith("env:FINETOP_THEME")
    assert rows["read_only"].endswith("flag")
    assert rows["full_list_interval"].endswith("default")
    assert rows["keymap.quit"].endswith(f"file:{cfg}")
    assert rows["config"].endswith("env:FINETOP_CONFIG")


def test_config_example_is_a_valid_config_once_uncommented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["config", "--example"], capsys)
    assert code == 0
    assert "api_key_command" in out
    uncommented = "\n".join(
        line[2:] if (line.startswith("# ") and "=" in line) or line.startswith("# [") else line
        for line in out.splitlines()
    )
    cfg = tmp_path / "config.toml"
    cfg.write_text(uncommented.replace('profile = "work"', ""))
    settings = load_settings({"profile": "work"}, env={}, config_path=cfg)
    assert settings.warnings == ()
    assert settings.read_only is True
    assert dict(settings.keymap) == {"refresh": "r,f5"}


# --- errors -----------------------------------------------------------------------------------


def test_config_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("[profiles.work]\ndetail_interval = 'fast'\n")
    code, out, err = run(["config", "--config", str(cfg)], capsys)
    assert code == 1
    assert out == ""
    assert err == (
        f"finetop: error: {cfg}:2: [profiles.work] detail_interval: expected a number, got 'fast'\n"
    )


def test_malformed_toml_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("theme = 'x'\nbell = maybe\n")
    code, _, err = run(["--config", str(cfg), "jobs"], capsys)
    assert code == 1
    assert err.startswith(f"finetop: error: {cfg}:2:")
    assert "bell" in err
    assert err.count("\n") == 1


def test_plain_http_to_a_remote_host_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", SECRET)
    code, _, err = run(["--server-url", "http://example.com", "jobs"], capsys)
    assert code == 1
    assert err.startswith("finetop: error: refusing plain http:// to example.com")
    code, out, _ = run(["config", "--server-url", "http://example.com", "--insecure-http"], capsys)
    assert code == 0
    assert "http://example.com" in out


def test_keyboard_interrupt_exits_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("tui.cli._dispatch", interrupted)
    code, _, err = run([], capsys)
    assert code == 130
    assert "Traceback" not in err


# --- the TUI entry --------------------------------------------------------------------------


def test_tui_gets_the_settings_with_the_key_command_already_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("tui.app.run")
    seen: list[Settings] = []

    def fake_run_app(settings: Settings) -> int:
        seen.append(settings)
        return 7

    monkeypatch.setattr("tui.app.run.run_app", fake_run_app)
    monkeypatch.setenv("FINETOP_TEST_KEY", SECRET)
    cfg = tmp_path / "config.toml"
    command = f"{sys.executable} -c \"import os; print(os.environ['FINETOP_TEST_KEY'])\""
    cfg.write_text(f"api_key_command = {_toml_str(command)}\nbell = true\n")
    code, _, err = run(["--config", str(cfg), "--read-only", "--no-mouse"], capsys)
    assert code == 7
    [settings] = seen
    assert settings.api_key.kind is KeyKind.COMMAND
    assert settings.api_key.value is not None
    assert settings.api_key.value.reveal() == SECRET
    assert (settings.read_only, settings.no_mouse, settings.bell, settings.demo) == (
        True,
        True,
        True,
        False,
    )
    assert err == ""


def test_tui_does_not_start_when_the_key_command_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("tui.app.run")
    monkeypatch.setattr("tui.app.run.run_app", lambda settings: pytest.fail("app started"))
    cfg = tmp_path / "config.toml"
    failing = sys.executable + ' -c "exit(4)"'
    cfg.write_text(f"api_key_command = {_toml_str(failing)}\n")
    code, _, err = run(["--config", str(cfg)], capsys)
    assert code == 1
    assert err.startswith("finetop: error: api_key_command")
    assert "exit status 4" in err
    assert err.count("\n") == 1


def test_tui_without_key_is_demo_with_a_reason(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("tui.app.run")
    seen: list[Settings] = []
    monkeypatch.setattr("tui.app.run.run_app", lambda s: seen.append(s) or 0)
    assert run([], capsys)[0] == 0
    assert seen[0].demo is True
    assert seen[0].demo_reason is not None
    assert "MISTRAL_API_KEY" in seen[0].demo_reason


# --- the real executables -------------------------------------------------------------------


def test_python_dash_m_tui_is_the_finetop_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--version"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, f"finetop {__version__}\n")
    done = subprocess.run(
        [sys.executable, "-m", "tui", "config", "--profile", "nope"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("finetop: error: no profile 'nope'")
    assert "Traceback" not in done.stderr


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from tui.cli import build_parser; build_parser(sim_arguments=False); "
        "print(sorted(m for m in ('textual', 'httpx', 'uvicorn', 'starlette') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert done.stdout.strip() == "[]"


# --- end to end: the real command against the simulator -----------------------------------


def finetop(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m tui ARGS`` in a subprocess (it inherits the isolated HOME and environment)."""
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.e2e
def test_jobs_and_show_in_demo_mode() -> None:
    listed = finetop("jobs", "--json")
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr.startswith("finetop: note: demo mode (no API key configured")
    jobs = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(jobs) >= 40
    finished = next(job for job in jobs if job["status"] == "SUCCESS")

    # A new process starts a new simulator with the same seed: the historical jobs are the same.
    shown = finetop("show", finished["id"], "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["id"] == finished["id"]

    table = finetop("jobs", "--status", "success")
    assert table.returncode == 0
    assert finished["id"] in table.stdout
    assert "RUNNING" not in table.stdout


@pytest.mark.e2e
def test_show_unknown_job_exits_5() -> None:
    done = finetop("show", "00000000-0000-4000-8000-000000000000")
    assert done.returncode == 5
    assert done.stderr.splitlines()[-1] == (
        "finetop: error: job 00000000-0000-4000-8000-000000000000 not found"
    )


@pytest.mark.e2e
def test_watch_stops_on_ctrl_c_with_130() -> None:
    listed = finetop("jobs", "--status", "RUNNING", "--json")
    running = json.loads(listed.stdout.splitlines()[0])["id"]
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "watch", running],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell's background jobs ignore SIGINT; this child must not inherit that.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # watching started: the simulator is up
        assert "watching" in first
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert "Traceback" not in err


@pytest.mark.e2e
def test_headless_against_a_server_that_wants_a_key() -> None:
    from tui.sim.server import SimOptions, SimulatorThread

    with SimulatorThread(SimOptions(port=0, api_key=SECRET, jobs=5, live=1)) as simulator:
        url = simulator.base_url
        ok = finetop("jobs", "--server-url", url, env={"MISTRAL_API_KEY": SECRET})
        assert ok.returncode == 0, ok.stderr
        assert ok.stderr == ""
        assert len(ok.stdout.splitlines()) >= 2

        wrong = finetop("jobs", "--server-url", url, env={"MISTRAL_API_KEY": "sk-wrong"})
        assert wrong.returncode == 1
        assert wrong.stderr.startswith("finetop: error: ")
        assert wrong.stderr.count("\n") == 1
        assert "sk-wrong" not in wrong.stderr

        keyless = finetop("jobs", "--server-url", url)
        assert keyless.returncode == 1
        assert keyless.stderr.startswith("finetop: error: ")
        assert keyless.stderr.count("\n") == 1
