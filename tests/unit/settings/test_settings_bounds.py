"""Settings that bound what a server can do, config files others can change, and passwords in
``server_url`` kept out of ``finetop config``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.api.bounds import MIB, ClientBounds
from tui.monitor.settings import PollerSettings
from tui.settings.config import load_settings
from tui.settings.report import format_settings
from tui.settings.schema import ConfigError

SECRET = "sk-test-0123456789abcdef"

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "finetop"
    folder.mkdir(mode=0o700)
    return folder


# --------------------------------------------------------------------------- the bounds


def test_bounds_default_to_safe_values_and_are_listed(folder: Path) -> None:
    settings = load_settings(env={"MISTRAL_API_KEY": SECRET}, config_path=write(folder / "c", ""))
    assert settings.request_deadline == 60.0
    assert settings.max_response_mib == 64.0
    assert settings.max_list_pages == 200
    assert settings.max_retry_after == 900.0
    lines = format_settings(settings).splitlines()
    for name, value in [
        ("request_deadline", "60"),
        ("max_response_mib", "64"),
        ("max_list_pages", "200"),
        ("max_retry_after", "900"),
    ]:
        [line] = [line for line in lines if line.startswith(f"{name} ")]
        assert line.split()[1:] == [value, "default"]


def test_bounds_come_from_the_file_and_the_environment(folder: Path) -> None:
    config = write(folder / "c", "max_list_pages = 20\nrequest_deadline = 2.5\n")
    env = {
        "MISTRAL_API_KEY": SECRET,
        "FINETOP_MAX_RESPONSE_MIB": "0.5",
        "FINETOP_MAX_RETRY_AFTER": "30",
    }
    settings = load_settings(env=env, config_path=config)
    assert settings.max_list_pages == 20
    assert settings.request_deadline == 2.5
    assert settings.source_of("max_response_mib") == "env:FINETOP_MAX_RESPONSE_MIB"
    bounds = ClientBounds.from_settings(settings)
    assert bounds == ClientBounds(
        max_response_bytes=MIB // 2, request_deadline=2.5, max_list_pages=20, max_retry_after=30.0
    )
    poller = PollerSettings.from_settings(settings)
    assert (poller.max_list_pages, poller.max_retry_after) == (20, 30.0)
    assert poller.detail_interval == settings.detail_interval


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("FINETOP_MAX_LIST_PAGES", "0", "must be at least 1"),
        ("FINETOP_REQUEST_DEADLINE", "-1", "must be at least 0.1"),
        ("FINETOP_MAX_RETRY_AFTER", "inf", "expected a number"),
        ("FINETOP_MAX_RESPONSE_MIB", "nan", "expected a number"),
        ("FINETOP_MAX_RESPONSE_MIB", "lots", "expected a number"),
    ],
)
def test_unusable_bounds_are_refused_in_one_line(
    folder: Path, name: str, value: str, problem: str
) -> None:
    config = write(folder / "c", "")
    with pytest.raises(ConfigError, match=problem) as caught:
        load_settings(env={"MISTRAL_API_KEY": SECRET, name: value}, config_path=config)
    assert str(caught.value).startswith(f"{name}: ")
    assert "\n" not in str(caught.value)


# --------------------------------------------------------------------------- permissions


def warnings_for(config: Path) -> list[str]:
    return list(load_settings(env={}, config_path=config).warnings)


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o664, 0o666])
def test_a_key_command_others_can_change_is_warned_about(folder: Path, mode: int) -> None:
    config = write(folder / "config.toml", 'api_key_command = "pass show mistral"\n', mode)
    [warning] = warnings_for(config)
    assert warning == (
        f"{config} holds api_key_command and is writable by others (mode {mode:04o}); "
        f"run: chmod 600 {config}"
    )


def test_a_key_command_in_a_profile_counts_too(folder: Path) -> None:
    config = write(
        folder / "config.toml", '[profiles.work]\napi_key_command = "pass show w"\n', 0o664
    )
    [warning] = warnings_for(config)
    assert "holds api_key_command and is writable by others" in warning


@pytest.mark.parametrize("mode", [0o600, 0o644, 0o640, 0o400])
def test_a_key_command_others_may_only_read_is_fine(folder: Path, mode: int) -> None:
    config = write(folder / "config.toml", 'api_key_command = "pass show mistral"\n', mode)
    assert warnings_for(config) == []


@pytest.mark.parametrize(
    ("mode", "access"),
    [
        (0o640, "readable"),
        (0o604, "readable"),
        (0o620, "writable"),
        (0o666, "readable and writable"),
    ],
)
def test_a_literal_key_others_can_read_or_change_is_warned_about(
    folder: Path, mode: int, access: str
) -> None:
    config = write(folder / "config.toml", f'api_key = "{SECRET}"\n', mode)
    [warning] = warnings_for(config)
    assert warning == (
        f"{config} holds an API key and is {access} by others (mode {mode:04o}); "
        f"run: chmod 600 {config}"
    )
    assert SECRET not in warning


def test_a_file_without_key_or_command_is_not_judged(folder: Path) -> None:
    config = write(folder / "config.toml", 'theme = "finetop"\n', 0o666)
    assert warnings_for(config) == []


def test_a_folder_others_can_write_is_warned_about(folder: Path) -> None:
    config = write(folder / "config.toml", 'api_key_command = "pass show mistral"\n')
    folder.chmod(0o777)
    try:
        [warning] = warnings_for(config)
    finally:
        folder.chmod(0o700)
    assert warning == (
        f"{folder} is writable by others (mode 0777) and holds config.toml, which holds "
        f"api_key_command; run: chmod go-w {folder}"
    )


def test_a_sticky_shared_folder_is_fine(folder: Path) -> None:
    config = write(folder / "config.toml", 'api_key_command = "pass show mistral"\n')
    folder.chmod(0o1777)  # like /tmp: others cannot replace a file they do not own
    try:
        assert warnings_for(config) == []
    finally:
        folder.chmod(0o700)


# --------------------------------------------------------------------------- passwords in URLs


def test_finetop_config_hides_a_password_in_the_server_url(folder: Path) -> None:
    config = write(folder / "c", 'server_url = "https://me:hunter2@proxy.example/v1"\n')
    settings = load_settings(env={"MISTRAL_API_KEY": SECRET}, config_path=config)
    report = format_settings(settings)
    assert "https://me:***@proxy.example" in report
    assert "hunter2" not in report


def test_the_no_key_warning_hides_a_password_in_the_server_url(folder: Path) -> None:
    config = write(folder / "c", 'server_url = "https://me:hunter2@proxy.example"\n')
    [warning] = load_settings(env={}, config_path=config).warnings
    assert (
        warning == "no API key configured; connecting to https://me:***@proxy.example without one"
    )
