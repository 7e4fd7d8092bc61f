"""Where reader keeps its files.

Everything lives in one data directory: by default the platform's user data directory
for the app name ``reader`` (platformdirs), overridden by the ``READER_DATA_DIR``
environment variable, which the ``--data-dir`` option overrides in turn. Paths are computed
when asked for, never at import time, so tests and callers can change the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "reader"
ENV_DATA_DIR = "READER_DATA_DIR"
STORE_NAME = "library.sqlite3"
INDEX_NAME = "index"
BACKUPS_NAME = "backups"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: ``override``, else ``$READER_DATA_DIR``, else the platform's."""
    if override:
        return Path(override).expanduser().resolve()
    from_env = os.environ.get(ENV_DATA_DIR)
    if from_env:
        return Path(from_env).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def store_path(root: Path) -> Path:
    return root / STORE_NAME


def index_path(root: Path) -> Path:
    return root / INDEX_NAME


def backups_path(root: Path) -> Path:
    """The folder of automatic store backups."""
    return root / BACKUPS_NAME
