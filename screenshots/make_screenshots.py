"""Regenerate the README's screenshots from the app itself.

    python screenshots/make_screenshots.py

Runs the app headless on the bundled sample in a throw-away data directory, drives it
with the pilot and saves Textual's SVG export of each screen here. Where
``rsvg-convert`` (Debian: librsvg2-bin, with fonts-firacode) is installed, a PNG of each
is written beside it.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from pathlib import Path

from reader.library import Library
from reader.ui.app import ReaderApp

HERE = Path(__file__).resolve().parent
SIZE = (120, 36)

# name -> keys pressed on a fresh library before the picture is taken
SHOTS = {
    "main": ["j", "j", "j", "j", "j", "j", "j"],
    "search": ["slash", *"quantization", "enter"],
    "bookmarks": ["b", "j", "j", "j", "j", "j", "j", "j", "b", "j", "b", "2"],
    "help": ["question_mark"],
}


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def take(name: str, keys: list[str], data_dir: Path) -> Path:
    app = ReaderApp(Library.open(data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)
        app.clear_notifications()
        await pilot.pause()
        app.save_screenshot(f"{name}.svg", str(HERE))
    return HERE / f"{name}.svg"


def to_png(svg: Path) -> Path | None:
    converter = shutil.which("rsvg-convert")
    if converter is None:
        return None
    png = svg.with_suffix(".png")
    subprocess.run([converter, str(svg), "-o", str(png)], check=True)
    return png


def main() -> None:
    for name, keys in SHOTS.items():
        with tempfile.TemporaryDirectory() as data_dir:
            svg = asyncio.run(take(name, keys, Path(data_dir)))
        png = to_png(svg)
        print(svg.name, png.name if png else "(no rsvg-convert: SVG only)")


if __name__ == "__main__":
    main()
