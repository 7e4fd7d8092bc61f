"""The ``reader`` command.

``reader`` alone opens the app; subcommands print to stdout for scripts and pipes.
Every error is one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from reader import __version__, paths

EXIT_ERROR = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line like every other error."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"reader: error: {message} (see: {self.prog} --help)\n")


def _common() -> argparse.ArgumentParser:
    # Shared by the main parser and every subcommand, so `--data-dir` works before or
    # after the subcommand's name.
    common = _Parser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=f"where the library and index live (default: ${paths.ENV_DATA_DIR}, "
        "else the user data directory)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(
        prog="reader",
        description="Read research-paper abstracts in the terminal. "
        "Without a command, opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    search = commands.add_parser(
        "search", parents=[common], help="print the papers matching a query, best first"
    )
    search.add_argument("query", nargs="+", help='words, "phrases", prefix*, field:term')
    search.add_argument("--limit", type=int, default=20, metavar="N", help="at most N (20)")
    search.add_argument("--json", action="store_true", help="print JSON")

    bookmarks = commands.add_parser(
        "bookmarks", parents=[common], help="print the bookmarked papers, newest first"
    )
    bookmarks.add_argument("--json", action="store_true", help="print JSON")

    commands.add_parser(
        "paths", parents=[common], help="print where the data and the index live"
    )
    return parser


def _paper_json(paper, **extra) -> dict:
    data = asdict(paper)
    data.update(extra)
    return data


def _progress_to_stderr(done: int, total: int) -> None:
    print(f"\rindexing {done}/{total} papers", end="", file=sys.stderr, flush=True)
    if done >= total:
        print(file=sys.stderr)


def _search(library, args) -> int:
    if args.limit < 1:
        raise ValueError("--limit must be at least 1")
    from reader.index import IndexUnavailable

    progress = _progress_to_stderr if sys.stderr.isatty() else None
    library.ensure_index(progress)
    text = " ".join(args.query)
    try:
        ids = library.search(text, limit=args.limit)
    except IndexUnavailable:  # damage the check did not see: the search marked it
        library.ensure_index(progress)
        ids = library.search(text, limit=args.limit)
    found = library.papers(ids)
    papers = [found[paper_id] for paper_id in ids if paper_id in found]
    if args.json:
        json.dump([_paper_json(p) for p in papers], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        from reader.text import clean_line

        for paper in papers:
            print(f"{paper.id}\t{clean_line(paper.title)}")
    return 0


def _bookmarks(library, args) -> int:
    bookmarks = library.bookmarks()
    if args.json:
        data = [_paper_json(b.paper, bookmarked_at=b.added_at) for b in bookmarks]
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        from reader.text import clean_line

        for bookmark in bookmarks:
            print(f"{bookmark.paper.id}\t{clean_line(bookmark.paper.title)}")
    return 0


def _paths(root: Path) -> int:
    print(f"data   {root}")
    print(f"store  {paths.store_path(root)}")
    print(f"index  {paths.index_path(root)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        root = paths.data_dir(getattr(args, "data_dir", None))
        if args.command == "paths":
            return _paths(root)
        from reader.library import Library

        library = Library.open(root)
        try:
            if args.command is None:
                from reader.ui.app import ReaderApp

                ReaderApp(library).run()
                return 0
            if args.command == "search":
                return _search(library, args)
            return _bookmarks(library, args)
        finally:
            library.close()
    except KeyboardInterrupt:
        print("reader: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except (OSError, ValueError, RuntimeError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"reader: error: {message}", file=sys.stderr)
        return EXIT_ERROR
