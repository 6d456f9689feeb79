"""``finetop config``: the effective settings, one per line, with where each came from.

The key is described by its source only ("set (from env:MISTRAL_API_KEY)"): no character of it is
ever printed, not even the last four. A password inside ``server_url`` is shown as ``***``.
"""

from __future__ import annotations

from tui.settings.config import DEFAULT, Settings
from tui.settings.places import screenshots_directory, state_file_path
from tui.settings.urls import redact_url

__all__ = ["EXAMPLE_CONFIG", "format_settings", "settings_rows"]

EXAMPLE_CONFIG = """\
# finetop configuration. Precedence: defaults < this file < FINETOP_* variables < flags.

# server_url = "https://api.mistral.ai"
# The key: MISTRAL_API_KEY, or a command printing it (run without a shell), e.g.
# api_key_command = "pass show mistral"
# api_key_env = "MISTRAL_API_KEY"     # the variable to read the key from
# profile = "work"                    # the profile used when --profile is not given

# theme = "finetop"                   # or finetop-light, finetop-high-contrast, ansi-dark...
#                                     # (wins over the theme last chosen in the app)
# color_system = "auto"               # auto, standard, 256, truecolor, none
# no_mouse = false
# bell = false                        # ring when a job finishes
# read_only = false                   # hide and block cancel/start
# list_interval = 30                  # seconds between job list refreshes
# full_list_interval = 300            # seconds between refreshes of every page
# detail_interval = 10                # seconds between detail refreshes of moving jobs
# timeout = 15                        # HTTP timeout, seconds (connect, each read)
# request_deadline = 60               # seconds for one whole request, body included
# max_response_mib = 64               # largest response body, MiB (compressed and inflated)
# max_list_pages = 200                # pages read per listing of every job
# max_retry_after = 900               # longest Retry-After honoured, seconds
# cache = true                        # keep a local history (false: like --no-cache)
# cache_max_mib = 200                 # size cap of one history file, MiB
# request_budget = 30                 # requests/min the background history fill stays within

# [keymap]                            # binding id = key or list of keys
# refresh = ["r", "f5"]

# [profiles.work]                     # finetop --profile work
# workspace = "Work"
# api_key_command = "pass show mistral-work"
# read_only = true
"""

_SHOWN = (
    "server_url",
    "workspace",
    "theme",
    "color_system",
    "no_mouse",
    "bell",
    "read_only",
    "insecure_http",
    "list_interval",
    "full_list_interval",
    "detail_interval",
    "timeout",
    "request_deadline",
    "max_response_mib",
    "max_list_pages",
    "max_retry_after",
    "cache",
    "cache_max_mib",
    "request_budget",
)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return "(not set)" if value is None else str(value)


def settings_rows(settings: Settings) -> list[tuple[str, str, str]]:
    """(name, value, source) for every setting, in display order."""
    path = settings.config_path
    file_state = "" if settings.config_found else " (not found)"
    rows = [
        ("config file", f"{path}{file_state}", settings.source_of("config_path")),
        ("profile", _show(settings.profile), settings.source_of("profile")),
    ]
    demo = "on" if settings.demo else "off"
    if settings.demo and settings.demo_reason:
        demo += f" ({settings.demo_reason})"
    rows.append(("demo", demo, settings.source_of("demo")))
    rows.append(("api_key", settings.api_key.describe(), settings.api_key.origin))
    for name in _SHOWN:
        value = _show(getattr(settings, name))
        if name == "server_url":
            value = redact_url(value)
            if settings.demo:
                value += " (unused in demo mode)"
        if name == "theme" and settings.theme is None:
            value = "(app default)"
        if name == "workspace" and settings.workspace is None:
            value = f"(not set; shown as {settings.workspace_label!r})"
        rows.append((name, value, settings.source_of(name)))
    for binding, keys in sorted(settings.keymap.items()):
        rows.append((f"keymap.{binding}", keys, settings.source_of(f"keymap.{binding}")))
    # Written by finetop, never read as settings: the config and flags win over the state.
    rows.append(("state file", f"{state_file_path()} (theme, sort, filter, group)", DEFAULT))
    rows.append(("screenshots", str(screenshots_directory()), DEFAULT))
    return rows


def format_settings(settings: Settings) -> str:
    """The rows as aligned text columns, ending with a newline."""
    rows = settings_rows(settings)
    name_width = max(len(r[0]) for r in rows)
    value_width = min(60, max(len(r[1]) for r in rows))
    lines = [f"{n:<{name_width}}  {v:<{value_width}}  {s}".rstrip() for n, v, s in rows]
    return "\n".join(lines) + "\n"
