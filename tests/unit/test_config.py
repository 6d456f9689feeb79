"""Settings: precedence with provenance, profiles, key sources, file errors and the http:// rule."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import attrs
import pytest

from tui.errors import InsecureURLError
from tui.settings.config import (
    ConfigError,
    KeyKind,
    Secret,
    Settings,
    default_config_path,
    load_settings,
)
from tui.settings.key import ApiKeyError, run_key_command

SECRET = "sk-test-0123456789abcdef"
PY = sys.executable


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def toml_str(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(text)


def py_command(code: str) -> str:
    """An api_key_command running ``code`` with this interpreter, quoted for shlex."""
    return f"{PY} -c {code!r}"


# Commands print the key from this variable, so the command line itself never holds the key.
PRINT_KEY = "import os; print(os.environ['FINETOP_TEST_KEY'])"


@pytest.fixture(autouse=True)
def _key_for_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINETOP_TEST_KEY", SECRET)


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


# --- defaults and the config file location --------------------------------------------------


def test_defaults_without_key_mean_demo() -> None:
    settings = load_settings(env={})
    assert settings.demo is True
    assert settings.demo_reason is not None
    assert "no API key" in settings.demo_reason
    assert settings.api_key.kind is KeyKind.NONE
    assert settings.server_url == "https://api.mistral.ai"
    assert (settings.list_interval, settings.full_list_interval, settings.detail_interval) == (
        30.0,
        300.0,
        10.0,
    )
    assert settings.source_of("detail_interval") == "default"
    assert settings.config_found is False
    assert settings.workspace_label == "demo"


def test_default_config_path_is_in_the_user_config_dir() -> None:
    path = default_config_path()
    assert path == Path(os.environ["XDG_CONFIG_HOME"]) / "finetop" / "config.toml"
    path.parent.mkdir(parents=True)
    write(path, "theme = 'finetop-light'\n")
    settings = load_settings(env={})
    assert settings.theme == "finetop-light"
    assert settings.config_found is True
    assert settings.source_of("theme") == f"file:{path}"


def test_finetop_config_env_and_flag_name_the_file(tmp_path: Path) -> None:
    by_env = write(tmp_path / "a.toml", "theme = 'a'\n")
    by_flag = write(tmp_path / "b.toml", "theme = 'b'\n")
    env = {"FINETOP_CONFIG": str(by_env)}
    assert load_settings(env=env).theme == "a"
    assert load_settings(env=env, config_path=by_flag).theme == "b"


def test_a_named_config_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(env={}, config_path=tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(env={"FINETOP_CONFIG": str(tmp_path / "nope.toml")})


# --- precedence -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("use_file", "use_env", "use_flag", "expected", "source"),
    [
        (False, False, False, 10.0, "default"),
        (True, False, False, 20.0, "file"),
        (True, True, False, 15.0, "env:FINETOP_DETAIL_INTERVAL"),
        (True, True, True, 12.0, "flag"),
        (False, False, True, 12.0, "flag"),
    ],
)
def test_precedence_defaults_file_env_flags(
    cfg: Path, use_file: bool, use_env: bool, use_flag: bool, expected: float, source: str
) -> None:
    write(cfg, "detail_interval = 20\n" if use_file else "")
    env = {"FINETOP_DETAIL_INTERVAL": "15"} if use_env else {}
    flags = {"detail_interval": 12} if use_flag else {}
    settings = load_settings(flags, env=env, config_path=cfg)
    assert settings.detail_interval == expected
    assert settings.source_of("detail_interval") == (f"file:{cfg}" if source == "file" else source)


def test_every_layer_for_booleans_strings_and_choices(cfg: Path) -> None:
    write(cfg, "read_only = true\ntheme = 'from-file'\ncolor_system = '256'\nbell = true\n")
    env = {"FINETOP_THEME": "from-env", "FINETOP_BELL": "no", "MISTRAL_API_KEY": SECRET}
    settings = load_settings({"color_system": "none"}, env=env, config_path=cfg)
    assert settings.read_only is True
    assert settings.source_of("read_only") == f"file:{cfg}"
    assert settings.theme == "from-env"
    assert settings.source_of("theme") == "env:FINETOP_THEME"
    assert settings.bell is False
    assert settings.color_system == "none"
    assert settings.source_of("color_system") == "flag"


def test_none_valued_flags_mean_not_given(cfg: Path) -> None:
    write(cfg, "theme = 'from-file'\n")
    settings = load_settings({"theme": None, "read_only": None}, env={}, config_path=cfg)
    assert settings.theme == "from-file"
    assert settings.source_of("read_only") == "default"


@pytest.mark.parametrize(("text", "value"), [("1", True), ("yes", True), ("OFF", False)])
def test_env_booleans(text: str, value: bool) -> None:
    assert load_settings(env={"FINETOP_READ_ONLY": text}).read_only is value


def test_bad_env_values_name_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^FINETOP_READ_ONLY: expected a boolean.*'maybe'"):
        load_settings(env={"FINETOP_READ_ONLY": "maybe"})
    with pytest.raises(ConfigError, match=r"^FINETOP_LIST_INTERVAL: expected a number.*'soon'"):
        load_settings(env={"FINETOP_LIST_INTERVAL": "soon"})
    with pytest.raises(ConfigError, match="FINETOP_COLOR_SYSTEM"):
        load_settings(env={"FINETOP_COLOR_SYSTEM": "rainbow"})


def test_empty_env_variables_are_ignored() -> None:
    settings = load_settings(env={"FINETOP_THEME": "", "MISTRAL_API_KEY": ""})
    assert settings.theme is None
    assert settings.demo is True


def test_keymap_is_passed_through(cfg: Path) -> None:
    write(
        cfg,
        """
        [keymap]
        quit = "q"
        cancel_job = ["c", "delete"]
        refresh = "r, f5"
        """.replace("        ", ""),
    )
    settings = load_settings(env={}, config_path=cfg)
    assert dict(settings.keymap) == {"quit": "q", "cancel_job": "c,delete", "refresh": "r,f5"}
    assert settings.source_of("keymap.quit") == f"file:{cfg}"


def test_settings_are_frozen_and_constructible_directly() -> None:
    settings = Settings(demo=True, detail_interval=0.5)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        settings.demo = False  # type: ignore[misc]
    assert attrs.evolve(settings, read_only=True).read_only is True


# --- profiles ---------------------------------------------------------------------------------

PROFILES = """\
server_url = "https://api.mistral.ai"
theme = "top"
list_interval = 40

[keymap]
quit = "q"
refresh = "r"

[profiles.work]
server_url = "https://mistral.example.com"
workspace = "Work"
list_interval = 60
read_only = true

[profiles.work.keymap]
refresh = "f5"

[profiles.lab]
theme = "lab"
"""


def test_profile_overrides_the_top_level(cfg: Path) -> None:
    write(cfg, PROFILES)
    settings = load_settings({"profile": "work"}, env={}, config_path=cfg)
    assert settings.profile == "work"
    assert settings.server_url == "https://mistral.example.com"
    assert settings.workspace_label == "Work"
    assert settings.list_interval == 60
    assert settings.theme == "top"
    assert settings.read_only is True
    assert dict(settings.keymap) == {"quit": "q", "refresh": "f5"}
    assert settings.source_of("list_interval") == f"file:{cfg} [profiles.work]"
    assert settings.source_of("theme") == f"file:{cfg}"
    assert settings.source_of("profile") == "flag"


def test_env_still_beats_the_profile(cfg: Path) -> None:
    write(cfg, PROFILES)
    settings = load_settings(
        {"profile": "work"}, env={"FINETOP_LIST_INTERVAL": "5"}, config_path=cfg
    )
    assert settings.list_interval == 5


def test_profile_from_env_from_file_and_flag_wins(cfg: Path) -> None:
    write(cfg, 'profile = "lab"\n' + PROFILES)
    assert load_settings(env={}, config_path=cfg).profile == "lab"
    env = {"FINETOP_PROFILE": "work"}
    assert load_settings(env=env, config_path=cfg).profile == "work"
    assert load_settings({"profile": "lab"}, env=env, config_path=cfg).theme == "lab"


def test_unknown_profile_lists_the_known_ones(cfg: Path) -> None:
    write(cfg, PROFILES)
    with pytest.raises(ConfigError, match=r"no profile 'home'.*known profiles: lab, work"):
        load_settings({"profile": "home"}, env={}, config_path=cfg)


def test_profile_without_a_config_file() -> None:
    with pytest.raises(ConfigError, match=r"no profile 'work'.*not found"):
        load_settings({"profile": "work"}, env={})


# --- the API key ------------------------------------------------------------------------------


def test_key_from_mistral_api_key() -> None:
    settings = load_settings(env={"MISTRAL_API_KEY": SECRET})
    assert settings.demo is False
    assert settings.api_key.kind is KeyKind.ENV
    assert settings.api_key.value is not None
    assert settings.api_key.value.reveal() == SECRET
    assert settings.source_of("api_key") == "env:MISTRAL_API_KEY"
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)


def test_key_from_the_variable_named_by_api_key_env(cfg: Path) -> None:
    write(cfg, 'api_key_env = "MY_KEY"\n')
    settings = load_settings(env={"MY_KEY": SECRET, "MISTRAL_API_KEY": "other"}, config_path=cfg)
    assert settings.api_key.env_name == "MY_KEY"
    assert settings.api_key.value is not None
    assert settings.api_key.value.reveal() == SECRET


def test_env_key_beats_a_top_level_command(cfg: Path) -> None:
    write(cfg, f"api_key_command = {toml_str(py_command('print(1)'))}\n")
    settings = load_settings(env={"MISTRAL_API_KEY": SECRET}, config_path=cfg)
    assert settings.api_key.kind is KeyKind.ENV


def test_a_profile_with_its_own_key_source_ignores_mistral_api_key(cfg: Path) -> None:
    # A key exported for one workspace must never be sent to another profile's server.
    write(cfg, f"[profiles.work]\napi_key_command = {toml_str(py_command('print(1)'))}\n")
    settings = load_settings({"profile": "work"}, env={"MISTRAL_API_KEY": "x"}, config_path=cfg)
    assert settings.api_key.kind is KeyKind.COMMAND
    assert settings.api_key.value is None  # not run while loading
    assert settings.source_of("api_key") == f"file:{cfg} [profiles.work]"


def test_a_profile_whose_key_variable_is_unset_is_demo_with_a_reason(cfg: Path) -> None:
    write(cfg, '[profiles.work]\napi_key_env = "WORK_KEY"\n')
    settings = load_settings({"profile": "work"}, env={"MISTRAL_API_KEY": "x"}, config_path=cfg)
    assert settings.demo is True
    assert settings.demo_reason == "WORK_KEY is not set (profile work)"


def test_the_key_command_runs_only_when_resolved(cfg: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = f"import pathlib; pathlib.Path({str(marker)!r}).touch(); {PRINT_KEY}"
    write(cfg, f"api_key_command = {toml_str(py_command(code))}\n")
    settings = load_settings(env={}, config_path=cfg)
    assert not marker.exists()
    assert settings.demo is False

    from tui.headless.connect import resolve_key

    resolved = resolve_key(settings)
    assert marker.exists()
    assert resolved.api_key.value is not None
    assert resolved.api_key.value.reveal() == SECRET
    assert SECRET not in repr(resolved)


def test_key_command_output_is_stripped_and_first_line_taken() -> None:
    code = "import os; print('  ' + os.environ['FINETOP_TEST_KEY'] + '  '); print('login: me')"
    assert run_key_command(py_command(code)).reveal() == SECRET


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            py_command(
                "import os, sys; k = os.environ['FINETOP_TEST_KEY']; "
                "print(k); print(k, file=sys.stderr); sys.exit(3)"
            ),
            "exit status 3",
        ),
        (py_command("pass"), "is empty"),
        ("no-such-program-finetop --x", "program not found"),
        ("'unbalanced", "cannot be parsed"),
        (
            py_command("import os; k = os.environ['FINETOP_TEST_KEY']; print(k[:6], k[6:])"),
            "spaces or control characters",
        ),
    ],
)
def test_failing_key_commands_are_one_line_without_output(command: str, message: str) -> None:
    with pytest.raises(ApiKeyError) as caught:
        run_key_command(command, timeout=20)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert SECRET not in text
    assert SECRET[:6] not in text


def test_key_command_timeout() -> None:
    with pytest.raises(ApiKeyError, match=r"timed out after 0.3 s"):
        run_key_command(py_command("import time; time.sleep(30)"), timeout=0.3)


def test_literal_key_is_accepted_with_a_warning_when_others_can_read(cfg: Path) -> None:
    write(cfg, f'api_key = "{SECRET}"\n', mode=0o644)
    settings = load_settings(env={}, config_path=cfg)
    assert settings.api_key.kind is KeyKind.FILE
    assert settings.api_key.value is not None
    assert settings.api_key.value.reveal() == SECRET
    [warning] = settings.warnings
    assert "readable by others" in warning
    assert "0644" in warning
    assert f"chmod 600 {cfg}" in warning
    assert SECRET not in warning
    assert SECRET not in repr(settings)


def test_literal_key_in_a_private_file_gives_no_warning(cfg: Path) -> None:
    write(cfg, f'[profiles.p]\napi_key = "{SECRET}"\n', mode=0o600)
    settings = load_settings({"profile": "p"}, env={}, config_path=cfg)
    assert settings.api_key.kind is KeyKind.FILE
    assert settings.warnings == ()


def test_the_key_is_never_a_flag() -> None:
    with pytest.raises(ConfigError):
        load_settings({"api_key": SECRET}, env={})
    with pytest.raises(ConfigError):
        load_settings({"api_key_command": "echo hi"}, env={})


def test_secret_never_shows() -> None:
    secret = Secret(SECRET)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % (secret,)):  # noqa: UP031
        assert SECRET not in text
        assert "abcdef" not in text
    assert secret.reveal() == SECRET
    assert secret == Secret(SECRET)
    assert secret != Secret("other")
    assert not Secret("")


def test_wrong_type_of_literal_key_does_not_echo_it(cfg: Path) -> None:
    write(cfg, "api_key = 123456789\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, config_path=cfg)
    assert "123456789" not in str(caught.value)
    assert "api_key: expected a string, got a number" in str(caught.value)


# --- demo mode --------------------------------------------------------------------------------


def test_demo_flag_wins_over_a_key() -> None:
    settings = load_settings({"demo": True}, env={"MISTRAL_API_KEY": SECRET})
    assert settings.demo is True
    assert settings.demo_reason == "--demo"


def test_another_server_without_key_connects_without_one() -> None:
    settings = load_settings({"server_url": "https://mistral.example.com"}, env={})
    assert settings.demo is False
    assert settings.api_key.kind is KeyKind.NONE
    assert settings.warnings == (
        "no API key configured; connecting to https://mistral.example.com without one",
    )


def test_a_local_simulator_without_key_is_used_quietly() -> None:
    settings = load_settings({"server_url": "http://127.0.0.1:8000"}, env={})
    assert settings.demo is False
    assert settings.warnings == ()


def test_mistral_named_explicitly_without_key_is_still_demo() -> None:
    settings = load_settings({"server_url": "https://api.mistral.ai/v1"}, env={})
    assert settings.demo is True


# --- file errors ------------------------------------------------------------------------------


def test_malformed_toml_names_file_line_and_key(cfg: Path) -> None:
    write(cfg, "theme = 'x'\n\ndetail_interval = fast\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, config_path=cfg)
    message = str(caught.value)
    assert message.startswith(f"{cfg}:3:")
    assert "detail_interval" in message
    assert "invalid TOML" in message
    assert "\n" not in message


def test_wrong_type_in_a_profile(cfg: Path) -> None:
    write(cfg, "theme = 'x'\n[profiles.work]\n# slow\ndetail_interval = 'fast'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, config_path=cfg)
    assert str(caught.value) == (
        f"{cfg}:4: [profiles.work] detail_interval: expected a number, got 'fast'"
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("read_only = 'yes'\n", "read_only: expected true or false, got 'yes'"),
        ("color_system = 'rainbow'\n", "color_system: expected one of auto, standard"),
        ("list_interval = 0\n", "list_interval: must be at least 1"),
        ("list_interval = true\n", "list_interval: expected a number, got True"),
        ("server_url = 'ftp://x'\n", "server_url: expected an http:// or https:// URL"),
        ("theme = ''\n", "theme: must not be empty"),
        ("api_key_env = 'not a name'\n", "api_key_env: expected an environment variable name"),
        ("profiles = 3\n", "profiles: expected [profiles.NAME] tables"),
        ("[keymap]\nquit = 3\n", "[keymap] quit: expected a key string or a list of them"),
        ("keymap = 'q'\n", "keymap: expected a table"),
    ],
)
def test_wrong_types_name_the_key(cfg: Path, text: str, fragment: str) -> None:
    write(cfg, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, config_path=cfg)
    assert fragment in str(caught.value)
    assert str(cfg) in str(caught.value)


def test_unknown_keys_warn_with_a_suggestion(cfg: Path) -> None:
    write(cfg, "detial_interval = 3\n[profiles.w]\nsurver_url = 'https://x'\n")
    settings = load_settings(env={}, config_path=cfg)
    assert settings.warnings == (
        f"{cfg}:1: detial_interval: unknown setting (did you mean 'detail_interval'?); ignored",
        f"{cfg}:3: [profiles.w] surver_url: unknown setting (did you mean 'server_url'?); ignored",
    )
    assert settings.detail_interval == 10.0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(cfg: Path) -> None:
    write(cfg, "theme = 'x'\n", mode=0o000)
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(env={}, config_path=cfg)


def test_binary_file(cfg: Path) -> None:
    cfg.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(env={}, config_path=cfg)


# --- server URL -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://api.mistral.ai/", "https://api.mistral.ai"),
        ("https://api.mistral.ai/v1", "https://api.mistral.ai"),
        ("https://proxy.example.com/mistral/v1/", "https://proxy.example.com/mistral"),
        ("http://localhost:8000", "http://localhost:8000"),
    ],
)
def test_server_url_is_normalized(given: str, expected: str) -> None:
    assert load_settings({"server_url": given}, env={}).server_url == expected


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:1", "http://[::1]:8000", "http://127.1.2.3"]
)
def test_plain_http_to_loopback_is_fine(url: str) -> None:
    assert load_settings({"server_url": url}, env={"MISTRAL_API_KEY": SECRET}).server_url == url


def test_plain_http_elsewhere_needs_insecure_http(cfg: Path) -> None:
    env = {"MISTRAL_API_KEY": SECRET}
    with pytest.raises(
        InsecureURLError, match=r"refusing plain http:// to example\.com.*--insecure-http"
    ):
        load_settings({"server_url": "http://example.com"}, env=env)
    allowed = load_settings({"server_url": "http://example.com", "insecure_http": True}, env=env)
    assert allowed.insecure_http is True
    write(cfg, "server_url = 'http://10.0.0.5:8080'\ninsecure_http = true\n")
    assert load_settings(env=env, config_path=cfg).server_url == "http://10.0.0.5:8080"


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ('theme = "a"\n[profiles.work\nx = 1\n', ":2:15: invalid TOML: expected ']'"),
        ('theme = "a"\ntheme = "b"\n', ":2:12: theme: invalid TOML: cannot overwrite a value"),
        ('bell = true\ntheme = "a', ":2: invalid TOML: unterminated string"),
    ],
)
def test_toml_syntax_errors_have_a_line(cfg: Path, text: str, start: str) -> None:
    write(cfg, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, config_path=cfg)
    assert str(caught.value).startswith(f"{cfg}{start}")
