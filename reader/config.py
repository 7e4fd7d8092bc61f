"""The user's settings: a TOML file in the user config directory.

``$READER_CONFIG`` names another file; otherwise it is ``config.toml`` in the
platform's user config directory for ``reader`` (Linux: ``~/.config/reader``). A
missing file means the defaults. A file that cannot be read gives the defaults and one
line saying what is wrong (``Config.problem``), never an exception.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.paths import APP_NAME

ENV_CONFIG = "READER_CONFIG"
CONFIG_NAME = "config.toml"


def config_path() -> Path:
    from_env = os.environ.get(ENV_CONFIG)
    if from_env:
        return Path(from_env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_NAME


@dataclass
class Config:
    """The parsed file (``data``: tables and values as TOML gives them)."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None

    def section(self, name: str) -> dict[str, Any]:
        """One table of the file (``{}`` when absent or not a table)."""
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        with path.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return Config(path)
    except OSError as error:
        return Config(path, problem=f"{path}: cannot read it ({error}); using the defaults")
    import tomllib  # (only when there is a file: without one, start-up does without it)

    try:
        return Config(path, tomllib.loads(data.decode()))
    except tomllib.TOMLDecodeError as error:
        return Config(path, problem=f"{path}: {error}; using the defaults")
    except UnicodeDecodeError as error:
        return Config(path, problem=f"{path}: cannot read it ({error}); using the defaults")
