"""Start-up stays light: the first screen loads nothing it does not show.

The search index (Whoosh), the fetchers, the import parsers, the exporters and the
screens not on view are loaded when first used (pylatexenc and ftfy too, but the
first screen may need them: a title with LaTeX in it). This is checked in a fresh
interpreter, at the moment the first screen has been painted (when the app asks for
the index check, which does load Whoosh, in a worker).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader import cli
from reader.library import Library

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import asyncio, json, sys

from reader import cli

cli.build_parser()  # `reader` parses its command line before the app starts

from reader.library import Library
from reader.ui.app import ReaderApp

loaded = []


class Probe(ReaderApp):
    def request_index(self):  # asked for once the first screen is painted
        loaded.extend(sorted(sys.modules))


async def run():
    app = Probe(Library.open(sys.argv[1]))
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(500):
            if loaded:
                break
            await pilot.pause(0.01)


asyncio.run(run())
print(json.dumps(loaded))
"""

# Modules (and packages: their submodules too) the first screen must not load.
NOT_AT_START = [
    "whoosh", "reader.index.index", "reader.index.query", "reader.index.analysis",
    "httpx", "feedparser", "bibtexparser", "rispy", "defusedxml",
    "reader.sources.fetch", "reader.sources.http", "reader.importer",
    "reader.parsers.bibtex", "reader.parsers.feed", "reader.exporters", "reader.backup",
    "reader.ui.screens.note_screen", "reader.ui.screens.help_screen",
    "reader.ui.screens.saved_screen", "reader.ui.screens.tag_prompt",
    "textual.widgets._text_area", "html.parser", "tomllib", "gzip", "numpy",
]


def test_the_first_screen_loads_no_index_fetcher_parser_or_hidden_screen(data_dir):
    Library.open(data_dir).close()  # the sample goes in now: the child opens a library
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", CHILD, str(data_dir)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded, "the first screen was never painted"
    early = [name for name in loaded
             if any(name == heavy or name.startswith(heavy + ".") for heavy in NOT_AT_START)]
    assert early == []


@pytest.mark.parametrize("argv", [[], ["--data-dir", "/x"], ["--data-dir=/x"], ["--data", "/x"],
                                  ["--data-dir", "/x", "--data-dir", "/y"]])
def test_the_app_command_line_is_read_without_every_command_parser(argv):
    quick = cli._app_args(argv)
    assert quick is not None
    assert vars(quick) == vars(cli.build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [["-h"], ["--help"], ["--version"], ["--v"], ["paths"],
                                  ["search", "x"], ["--data-dir", "/x", "tags"],
                                  ["--data-dir"], ["--bogus"], ["--", "x"]])
def test_any_other_command_line_goes_to_the_full_parser(argv):
    assert cli._app_args(argv) is None
