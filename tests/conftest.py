"""Shared fixtures. Every test runs with its own data, config and cache directories, so
no test reads or writes the real user's folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.library import Library

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Point HOME, the XDG directories and READER_DATA_DIR at a fresh temporary folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name, folder in [
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ]:
        monkeypatch.setenv(name, str(home / folder))
    data = home / "reader-data"
    monkeypatch.setenv("READER_DATA_DIR", str(data))
    return data


@pytest.fixture
def data_dir(isolated_user_dirs) -> Path:
    """The data directory this test's library lives in (READER_DATA_DIR points here)."""
    return isolated_user_dirs


@pytest.fixture
def library(data_dir):
    """The library on the bundled sample, with its index built."""
    lib = Library.open(data_dir)
    lib.ensure_index()
    yield lib
    lib.close()


def shared_path(*parts: str) -> Path:
    """A file under ../shared; the calling test is skipped when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(autouse=True)
def isolated_config(isolated_user_dirs, monkeypatch):
    """Keep the user's own config file (and its settings) out of every test."""
    path = isolated_user_dirs.parent / "config.toml"
    monkeypatch.setenv("READER_CONFIG", str(path))
    return path
