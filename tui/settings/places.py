"""Where finetop keeps what it writes for the user, besides the config it only reads.

- The UI state file (theme, and sort, filter and status group per workspace): in the user state
  directory, e.g. ``~/.local/state/finetop/state.json`` on Linux.
- Screenshots (``f8``): in the user data directory, e.g.
  ``~/.local/share/finetop/screenshots`` on Linux.

Both follow the XDG variables (``XDG_STATE_HOME``, ``XDG_DATA_HOME``) where they apply.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

from tui.settings.config import APP_NAME

__all__ = ["screenshots_directory", "state_file_path"]


def state_file_path() -> Path:
    """The UI state file: ``<user state dir>/finetop/state.json``."""
    return platformdirs.user_state_path(APP_NAME) / "state.json"


def screenshots_directory() -> Path:
    """Where ``f8`` saves screenshots: ``<user data dir>/finetop/screenshots``."""
    return platformdirs.user_data_path(APP_NAME) / "screenshots"
