"""finetop's settings: defaults < config.toml < environment < command-line flags, with provenance.

``load_settings`` merges the layers into one frozen ``Settings`` and records where every value
came from (``default``, ``file:PATH``, ``file:PATH [profiles.NAME]``, ``env:NAME``, ``flag``), which
``finetop config`` prints. A named profile (``--profile NAME``, ``FINETOP_PROFILE`` or
``profile = "NAME"`` in the file) overlays its ``[profiles.NAME]`` table on the file's top level.

The API key is never a flag. It comes from the variable named by ``api_key_env`` (default
``MISTRAL_API_KEY``), else from ``api_key_command``, else from a literal ``api_key`` in the file.
When the selected profile names a key source of its own, only that profile's sources are used, so
a key exported for another workspace is never sent by mistake. A command is run only when
connecting (``tui.headless.connect``), never here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

import attrs
import platformdirs

from tui.settings.file import ConfigFile, FileLayer, permission_warnings, read_config_file
from tui.settings.key import KeyKind, KeySource, Secret, check_key_text
from tui.settings.limits import (
    DEFAULT_CACHE_MAX_MIB,
    DEFAULT_MAX_LIST_PAGES,
    DEFAULT_MAX_RESPONSE_MIB,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_REQUEST_BUDGET,
    DEFAULT_REQUEST_DEADLINE,
)
from tui.settings.schema import (
    COLOR_SYSTEMS,
    DEFAULT_SERVER_URL,
    OPTIONS,
    OPTIONS_BY_NAME,
    ConfigError,
    check_value,
    parse_env_value,
)
from tui.settings.urls import check_insecure_url, is_loopback_host, redact_url

__all__ = [
    "COLOR_SYSTEMS",
    "DEFAULT_SERVER_URL",
    "ConfigError",
    "KeyKind",
    "KeySource",
    "Secret",
    "Settings",
    "default_config_path",
    "load_settings",
]

APP_NAME = "finetop"
DEFAULT_KEY_ENV = "MISTRAL_API_KEY"
FLAG = "flag"
DEFAULT = "default"


def _frozen_map(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@attrs.frozen(kw_only=True)
class Settings:
    """Everything finetop was told, merged; build with ``load_settings`` (or directly in tests)."""

    server_url: str = DEFAULT_SERVER_URL
    """API base URL without ``/v1`` (ignored in demo mode, where the simulator's URL is used)."""
    workspace: str | None = None
    """The label shown for this workspace; see ``workspace_label`` for the fallback."""
    profile: str | None = None
    """The profile in use, if any."""
    api_key: KeySource = attrs.field(factory=KeySource)
    """Where the key comes from; its value never appears in repr/str."""
    theme: str | None = None
    """Theme name; ``None`` means the app's default."""
    no_mouse: bool = False
    bell: bool = False
    """Ring the terminal bell when a job finishes."""
    color_system: str = "auto"
    """One of auto, standard, 256, truecolor, none."""
    read_only: bool = False
    """Hide and block every mutating action (cancel, start)."""
    demo: bool = False
    """Run against the built-in simulator instead of ``server_url``."""
    demo_reason: str | None = None
    """Why demo mode is on, for the banner and stderr note (e.g. ``no API key configured``)."""
    insecure_http: bool = False
    """Allow plain http:// to a non-loopback host."""
    list_interval: float = 30.0
    """Seconds between refreshes of the first page of the job list."""
    full_list_interval: float = 300.0
    """Seconds between refreshes of every page of the job list."""
    detail_interval: float = 10.0
    """Seconds between detail fetches of jobs that are still moving."""
    timeout: float = 15.0
    """HTTP timeout in seconds (connect, and each read or write)."""
    request_deadline: float = DEFAULT_REQUEST_DEADLINE
    """Seconds one whole request may take, connect to last body byte (a server dripping a byte a
    second never trips ``timeout``)."""
    max_response_mib: float = DEFAULT_MAX_RESPONSE_MIB
    """Largest response body in MiB, on the wire and once decompressed."""
    max_list_pages: int = DEFAULT_MAX_LIST_PAGES
    """Pages read per listing of every job; past it the listing is shown as truncated."""
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
    """Longest wait a server's Retry-After can impose, in seconds."""
    cache: bool = True
    """Keep a local history (``--no-cache``: neither read nor write it)."""
    cache_max_mib: float = DEFAULT_CACHE_MAX_MIB
    """Size cap of one history file in MiB; the least recently seen jobs are evicted beyond it."""
    request_budget: float = DEFAULT_REQUEST_BUDGET
    """Requests per minute, all the poller makes counted, within which the history is filled."""
    keymap: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_map, hash=False)
    """Binding id -> comma-separated keys (Textual's ``App.set_keymap`` format)."""
    config_path: Path | None = None
    """The config file consulted (it may not exist; see ``config_found``)."""
    config_found: bool = False
    provenance: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_map, eq=False, hash=False
    )
    """Setting name -> where its value came from; absent means ``default``."""
    warnings: tuple[str, ...] = ()
    """One-line warnings found while loading (unknown keys, a world-readable key file...)."""

    @property
    def workspace_label(self) -> str:
        """A short name for the workspace: the configured label, the profile, or the host."""
        if self.workspace:
            return self.workspace
        if self.demo:
            return "demo"
        if self.profile:
            return self.profile
        return urlsplit(self.server_url).hostname or self.server_url

    def source_of(self, name: str) -> str:
        """Where ``name`` came from: ``default``, ``file:PATH``, ``env:NAME`` or ``flag``."""
        return self.provenance.get(name, DEFAULT)


def default_config_path() -> Path:
    """``config.toml`` in the user's config directory (e.g. ``~/.config/finetop/config.toml``)."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _config_location(
    config_path: str | os.PathLike[str] | None, env: Mapping[str, str]
) -> tuple[Path, bool, str]:
    """(path, named explicitly, provenance)."""
    if config_path is not None and str(config_path):
        return Path(config_path).expanduser(), True, FLAG
    if env.get("FINETOP_CONFIG"):
        return Path(env["FINETOP_CONFIG"]).expanduser(), True, "env:FINETOP_CONFIG"
    return default_config_path(), False, DEFAULT


def _pick_profile(
    flags: Mapping[str, object], env: Mapping[str, str], config: ConfigFile
) -> tuple[str | None, str]:
    name = flags.get("profile")
    if isinstance(name, str) and name:
        return name, FLAG
    if env.get("FINETOP_PROFILE"):
        return env["FINETOP_PROFILE"].strip(), "env:FINETOP_PROFILE"
    if config.default_profile:
        return config.default_profile, f"file:{config.path}"
    return None, DEFAULT


def _choose_key(
    top: FileLayer,
    profile: FileLayer | None,
    profile_name: str | None,
    env: Mapping[str, str],
    origins: tuple[str, str],
) -> tuple[KeySource, str | None]:
    """The key source, and when none works, why (for the demo banner)."""
    top_origin, profile_origin = origins
    if profile is not None and any(
        k in profile.values for k in ("api_key_env", "api_key_command", "api_key")
    ):
        layer, origin = profile, profile_origin
        env_name = profile.values.get("api_key_env")
    else:
        layer, origin = top, top_origin
        env_name = top.values.get("api_key_env", DEFAULT_KEY_ENV)
    timeout = 30.0
    for source in (top, profile):
        if source is not None and "api_key_command_timeout" in source.values:
            timeout = _number(source.values, "api_key_command_timeout")
    if isinstance(env_name, str) and env.get(env_name):
        secret = check_key_text(env[env_name].strip(), env_name)
        return KeySource(
            kind=KeyKind.ENV, origin=f"env:{env_name}", env_name=env_name, value=secret
        ), None
    command = layer.values.get("api_key_command")
    if isinstance(command, str):
        return KeySource(
            kind=KeyKind.COMMAND, origin=origin, command=command, timeout=timeout
        ), None
    literal = layer.values.get("api_key")
    if isinstance(literal, str):
        secret = check_key_text(literal.strip(), origin)
        return KeySource(kind=KeyKind.FILE, origin=origin, value=secret), None
    if layer is profile:
        return KeySource(), f"{env_name} is not set (profile {profile_name})"
    return KeySource(), f"no API key configured: set {env_name} or api_key_command"


def _number(values: Mapping[str, object], name: str) -> float:
    """A numeric setting. The schema checked every value already: anything else is a bug."""
    value = values[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"setting {name} is {type(value).__name__}, not a number")
    return float(value)


def _optional_text(values: Mapping[str, object], name: str) -> str | None:
    """A text setting that may be unset (checked by the schema, like :func:`_number`)."""
    value = values[name]
    if value is not None and not isinstance(value, str):
        raise TypeError(f"setting {name} is {type(value).__name__}, not text")
    return value


def load_settings(
    flags: Mapping[str, object] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config_path: str | os.PathLike[str] | None = None,
) -> Settings:
    """Merge defaults, the config file, the environment and ``flags`` into ``Settings``.

    ``flags`` maps setting names (``server_url``, ``profile``, ``demo``, ``read_only``, ``theme``,
    ``no_mouse``, ``bell``, ``color_system``, ``insecure_http``, intervals) to values; ``None``
    means "not given". ``env`` defaults to ``os.environ``; ``config_path`` is ``--config``.
    Raises ``ConfigError`` (or ``InsecureURLError``) with a one-line message.
    """
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    env = os.environ if env is None else env
    path, explicit, path_origin = _config_location(config_path, env)
    config = read_config_file(path, required=explicit)
    warnings = list(config.warnings)

    profile_name, profile_origin = _pick_profile(flags, env, config)
    profile: FileLayer | None = None
    if profile_name is not None:
        if profile_name not in config.profiles:
            known = ", ".join(sorted(config.profiles)) or "none"
            where = str(path) if config.found else f"{path} (not found)"
            raise ConfigError(f"no profile {profile_name!r} in {where}; known profiles: {known}")
        profile = config.profiles[profile_name]

    file_origin = f"file:{path}"
    profile_file_origin = f"file:{path} [profiles.{profile_name}]"
    values: dict[str, object] = {o.name: o.default for o in OPTIONS}
    provenance: dict[str, str] = {}
    keymap: dict[str, str] = {}

    def layer(items: Mapping[str, object], origin: str) -> None:
        for name, value in items.items():
            values[name] = value
            provenance[name] = origin

    layer(config.top.values, file_origin)
    for binding, keys in config.top.keymap.items():
        keymap[binding] = str(keys)
        provenance[f"keymap.{binding}"] = file_origin
    if profile is not None:
        layer(profile.values, profile_file_origin)
        for binding, keys in profile.keymap.items():
            keymap[binding] = str(keys)
            provenance[f"keymap.{binding}"] = profile_file_origin
    for option in OPTIONS:
        if option.env and env.get(option.env, "").strip():
            value = parse_env_value(option, env[option.env], option.env)
            layer({option.name: value}, f"env:{option.env}")
    for name, value in flags.items():
        if name in ("profile", "config"):
            continue
        flag_option = OPTIONS_BY_NAME.get(name)
        if flag_option is None or flag_option.env is None:
            raise ConfigError(
                f"--{name.replace('_', '-')}: not a setting that can be given as a flag"
            )
        layer({name: check_value(flag_option, value, f"--{name.replace('_', '-')}")}, FLAG)

    key, no_key_reason = _choose_key(
        config.top, profile, profile_name, env, (file_origin, profile_file_origin)
    )
    provenance["api_key"] = key.origin
    warnings.extend(
        permission_warnings(
            path, literal_key=config.has_literal_key, key_command=config.has_key_command
        )
    )

    demo = bool(values["demo"])
    demo_reason: str | None = None
    if demo:
        source = provenance.get("demo", DEFAULT)
        demo_reason = "--demo" if source == FLAG else f"demo = true ({source})"
    elif not key.configured:
        if values["server_url"] != DEFAULT_SERVER_URL:
            # Another server without a key: talk to it anyway (a local `finetop sim` needs none,
            # so no warning there; a real API answers 401, which the client reports).
            host = urlsplit(str(values["server_url"])).hostname or ""
            if not is_loopback_host(host):
                shown = redact_url(str(values["server_url"]))
                warnings.append(f"no API key configured; connecting to {shown} without one")
        else:
            demo, demo_reason = True, no_key_reason
            provenance["demo"] = "default (no API key)"
    if not demo:
        check_insecure_url(str(values["server_url"]), allowed=bool(values["insecure_http"]))

    if profile_name is not None:
        provenance["profile"] = profile_origin
    provenance["config_path"] = path_origin
    return Settings(
        server_url=str(values["server_url"]),
        workspace=_optional_text(values, "workspace"),
        profile=profile_name,
        api_key=key,
        theme=_optional_text(values, "theme"),
        no_mouse=bool(values["no_mouse"]),
        bell=bool(values["bell"]),
        color_system=str(values["color_system"]),
        read_only=bool(values["read_only"]),
        demo=demo,
        demo_reason=demo_reason,
        insecure_http=bool(values["insecure_http"]),
        list_interval=_number(values, "list_interval"),
        full_list_interval=_number(values, "full_list_interval"),
        detail_interval=_number(values, "detail_interval"),
        timeout=_number(values, "timeout"),
        request_deadline=_number(values, "request_deadline"),
        max_response_mib=_number(values, "max_response_mib"),
        max_list_pages=int(_number(values, "max_list_pages")),
        max_retry_after=_number(values, "max_retry_after"),
        cache=bool(values["cache"]),
        cache_max_mib=_number(values, "cache_max_mib"),
        request_budget=_number(values, "request_budget"),
        keymap=keymap,
        config_path=path,
        config_found=config.found,
        provenance=provenance,
        warnings=tuple(warnings),
    )
