"""The ``reader`` command.

``reader`` alone opens the app; subcommands print to stdout for scripts and pipes.
Every error is one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sqlite3
import sys
import threading
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


class _NotJustTheApp(Exception):
    """The command line asks for more than the app, or is wrong: the full parser reads it."""


class _AppParser(_Parser):
    def error(self, message: str):
        raise _NotJustTheApp(message)


def _app_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments of ``reader [--data-dir PATH]``, which opens the app, read without
    building every command's parser (a few milliseconds of the start-up); None for any
    other command line (a command, --help, --version, a mistake)."""
    parser = _AppParser(prog="reader", add_help=False, parents=[_common()])
    try:
        args, rest = parser.parse_known_args(argv)
    except _NotJustTheApp:
        return None
    if rest:
        return None
    args.command = None
    return args


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
    search.add_argument("--sort", choices=["relevance", "newest", "oldest", "title", "upvotes"],
                        help="order of the results (default: relevance)")

    bookmarks = commands.add_parser(
        "bookmarks", parents=[common], help="print the bookmarked papers, newest first"
    )
    bookmarks.add_argument("--json", action="store_true", help="print JSON")
    backup = bookmarks.add_subparsers(dest="bookmarks_command", metavar="ACTION",
                                      parser_class=_Parser)
    backup_out = backup.add_parser(
        "export", parents=[common],
        help="write the bookmarks out: json (a full backup) or bibtex, ris, markdown",
    )
    backup_out.add_argument("--format", default="json",
                            choices=["json", "bibtex", "ris", "markdown"])
    backup_out.add_argument("-o", "--output", metavar="FILE", type=Path,
                            help="write to FILE (default: standard output)")
    backup_in = backup.add_parser(
        "import", parents=[common], help="restore bookmarks from a json backup"
    )
    backup_in.add_argument("path", metavar="FILE", type=Path)

    tags = commands.add_parser(
        "tags", parents=[common],
        help="print your tags and how many papers have each (search them with tag:NAME)",
    )
    tags.add_argument("--json", action="store_true", help="print JSON")

    commands.add_parser(
        "paths", parents=[common], help="print where the data and the index live"
    )

    links = commands.add_parser(
        "links", parents=[common], help="print a paper's links (abstract page, PDF, DOI, code)"
    )
    links.add_argument("paper_id", metavar="ID", help="the paper's id, as search prints it")

    from reader.parsers import FORMATS as IMPORT_FORMATS

    imports = commands.add_parser(
        "import", parents=[common],
        help="import papers from files (format detected from the content; .gz is fine)",
    )
    imports.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    imports.add_argument("--collection", metavar="NAME",
                         help="the source name the papers remember (default: the file name)")
    imports.add_argument("--format", choices=sorted(IMPORT_FORMATS), dest="format_name",
                         help="skip detection and read the files as this format")
    imports.add_argument("--skip-bad", action="store_true",
                         help="go on past bad records and list them at the end")

    fetch = commands.add_parser(
        "fetch", parents=[common],
        help="fetch new papers from arXiv or Hugging Face into the library",
        description="Fetch new papers into the library. Base URLs: $READER_ARXIV_URL, "
        "$READER_HF_URL, $READER_RSS_URL, else [fetch] in the config file.",
    )
    fetch_sources = fetch.add_subparsers(
        dest="source", metavar="SOURCE", parser_class=_Parser, required=True
    )
    fetch_arxiv = fetch_sources.add_parser(
        "arxiv", parents=[common], help="search the arXiv API, newest submissions first"
    )
    fetch_arxiv.add_argument(
        "query", nargs="*", help="words (all required), or arXiv query syntax: ti:, au:, AND"
    )
    fetch_arxiv.add_argument("--category", metavar="CAT", help="only this category (cs.LG)")
    fetch_arxiv.add_argument("--max", type=int, default=50, metavar="N", dest="max_results",
                             help="at most N papers (50)")
    fetch_arxiv.add_argument("--since", type=_iso_date, metavar="DATE",
                             help="only papers submitted on or after DATE (YYYY-MM-DD)")
    fetch_hf = fetch_sources.add_parser(
        "hf", parents=[common], help="the Hugging Face daily papers"
    )
    fetch_hf.add_argument("--date", type=_iso_date, metavar="DATE",
                          help="the papers of DATE (YYYY-MM-DD; default: today's)")
    fetch_rss = fetch_sources.add_parser(
        "rss", parents=[common], help="today's arXiv RSS listing of a category"
    )
    fetch_rss.add_argument("category", metavar="CATEGORY", help="cs.AI, or cs.AI+cs.LG")

    commands.add_parser(
        "update", parents=[common],
        help="fetch every [[subscriptions]] entry of the config file, one after the other",
    )

    exports = commands.add_parser(
        "export", parents=[common], help="write papers out as BibTeX, RIS, JSONL, CSV or Markdown"
    )
    exports.add_argument("--format", required=True,
                         choices=["bibtex", "ris", "jsonl", "csv", "markdown"])
    exports.add_argument("--bookmarks", action="store_true", help="only bookmarked papers")
    exports.add_argument("--query", metavar="Q", help="only papers matching a search")
    exports.add_argument("-o", "--output", metavar="FILE", type=Path,
                         help="write to FILE (default: standard output)")
    return parser


def _iso_date(text: str):
    import datetime

    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (like 2024-05-27)") from None


def _paper_json(paper, **extra) -> dict:
    data = asdict(paper)
    data.update(extra)
    return data


def _progress_to_stderr(done: int, total: int) -> None:
    print(f"\r{_bar(done, total)} indexing {done:,}/{total:,} papers", end="",
          file=sys.stderr, flush=True)
    if done >= total:
        print(file=sys.stderr)


def _finishing_index() -> None:
    print("reader: writing the index out (this takes about as long again)...",
          file=sys.stderr, flush=True)


def _waiting_for_index() -> None:
    print("reader: note: waiting for another copy of reader to finish indexing",
          file=sys.stderr, flush=True)


def _search(library, args) -> int:
    if args.limit < 1:
        raise ValueError("--limit must be at least 1")
    from reader.index import IndexUnavailable

    progress = _progress_to_stderr if sys.stderr.isatty() else None
    library.ensure_index(progress, waiting=_waiting_for_index,
                         finishing=_finishing_index if progress else None)
    text = " ".join(args.query)
    try:
        result = library.query(text, sort=args.sort)
    except IndexUnavailable:  # damage the check did not see: the search marked it
        library.ensure_index(progress)
        result = library.query(text, sort=args.sort)
    if result.hint:
        print(f"reader: note: {result.hint}", file=sys.stderr)
    ids = result.ids[: args.limit]
    found = library.papers(ids)
    papers = [found[paper_id] for paper_id in ids if paper_id in found]
    _print_papers(papers, args.json)
    return 0


def _bookmarks(library, args) -> int:
    command = getattr(args, "bookmarks_command", None)
    if command == "export":
        return _write_out(args.output, lambda out: _export_bookmarks(library, args.format, out),
                          "bookmarks")
    if command == "import":
        from reader.backup import restore_bookmarks

        restored, added = restore_bookmarks(library, args.path)
        print(f"{args.path}: restored {restored} bookmarks ({added} papers new to the library)")
        library.ensure_index()
        return 0
    bookmarks = library.bookmarks()
    _print_papers([b.paper for b in bookmarks], args.json,
                  [{"bookmarked_at": b.added_at} for b in bookmarks])
    return 0


def _tags(library, args) -> int:
    """``tag<TAB>papers`` lines, by name (or JSON)."""
    found = library.store.all_tags()
    if args.json:
        json.dump([{"tag": tag, "papers": count} for tag, count in found], sys.stdout,
                  ensure_ascii=False, indent=2)
        print()
        return 0
    for tag, count in found:
        print(f"{tag}\t{count}")
    return 0


def _print_papers(papers, as_json: bool, extras: list[dict] | None = None) -> None:
    """``id<TAB>title`` lines (titles made safe for a terminal), or a JSON list."""
    if as_json:
        extras = extras or [{} for _ in papers]
        data = [_paper_json(paper, **extra) for paper, extra in zip(papers, extras)]
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    from reader.text import clean_line

    for paper in papers:
        print(f"{paper.id}\t{clean_line(paper.title)}")


def _import(library, args) -> int:
    from reader.parsers import ParseError

    failed = 0
    skipped: list[tuple[Path, object]] = []
    for path in args.paths:
        progress = None
        if sys.stderr.isatty():
            def progress(done: int, total: int, name=path.name) -> None:
                print(f"\r{_bar(done, total)} importing {name}", end="", file=sys.stderr,
                      flush=True)
        try:
            report = library.import_file(
                path, collection=args.collection, format_name=args.format_name,
                skip_bad=args.skip_bad, progress=progress,
            )
        except (ParseError, OSError, ValueError) as error:
            if progress:
                print(file=sys.stderr)
            print(f"reader: error: {_one_line(error)}", file=sys.stderr)
            failed += 1
            continue
        if progress:
            print(file=sys.stderr)
        print(f"{report.summary()} ({report.format})")
        skipped.extend((path, bad) for bad in report.skipped)
    library.ensure_index(_progress_to_stderr if sys.stderr.isatty() else None,
                         finishing=_finishing_index if sys.stderr.isatty() else None)
    if skipped:
        print(f"skipped {len(skipped)} bad records:")
        for path, bad in skipped:
            print(f"  {path}: {bad.where}: {bad.problem}")
    return EXIT_ERROR if failed else 0


def _fetch_progress(done: int, total: int, message: str) -> None:
    print(f"\r{_bar(done, total)} {message[:60]:<60}", end="", file=sys.stderr, flush=True)


def _print_fetched(result, *, name_errors: bool = False) -> bool:
    """Print what a fetch kept (stdout) and what failed (one line on stderr)."""
    if result.ok or result.pages:
        print(result.summary())
    if not result.ok:
        where = f"{result.name}: " if name_errors else ""
        print(f"reader: error: {where}{result.error}", file=sys.stderr)
    return result.ok


def _fetch(library, args) -> int:
    from reader.config import load_config
    from reader.sources.fetch import Fetcher, FetchSettings

    config = load_config()
    if config.problem:
        print(f"reader: warning: {config.problem}", file=sys.stderr)
    settings = FetchSettings.from_config(config)
    progress = _fetch_progress if sys.stderr.isatty() else None
    library.begin_update()
    with Fetcher(library, settings, progress=progress) as fetcher:
        if args.source == "arxiv":
            result = fetcher.arxiv(" ".join(args.query), category=args.category,
                                   max_results=args.max_results, since=args.since)
        elif args.source == "hf":
            result = fetcher.hf(args.date)
        else:
            result = fetcher.rss(args.category)
    if progress:
        print(file=sys.stderr)
    library.ensure_index(_progress_to_stderr if sys.stderr.isatty() else None,
                         finishing=_finishing_index if sys.stderr.isatty() else None)
    return 0 if _print_fetched(result) else EXIT_ERROR


def _update(library, args) -> int:
    from reader.config import load_config
    from reader.sources.fetch import run_update

    config = load_config()
    progress = _fetch_progress if sys.stderr.isatty() else None
    library.begin_update()
    results = run_update(library, config, progress=progress)
    if progress:
        print(file=sys.stderr)
    if not results:
        raise ValueError(f"{config.path}: no subscriptions; add [[subscriptions]] tables "
                         "(see the README, Fetching new papers)")
    library.ensure_index(_progress_to_stderr if sys.stderr.isatty() else None,
                         finishing=_finishing_index if sys.stderr.isatty() else None)
    failed = [result for result in results if not _print_fetched(result, name_errors=True)]
    return EXIT_ERROR if failed else 0


def _bar(done: int, total: int, width: int = 30) -> str:
    fraction = min(1.0, done / total) if total else 1.0
    filled = int(fraction * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%}"


def _export(library, args) -> int:
    if args.query:
        library.ensure_index()
        scope = "bookmarks" if args.bookmarks else "all"
        ids = library.search(args.query, scope)
        found = library.papers(ids)
        papers = [found[paper_id] for paper_id in ids if paper_id in found]
    elif args.bookmarks:
        papers = [bookmark.paper for bookmark in library.bookmarks()]
    else:
        papers = library.store.iter_papers()
    return _write_out(args.output, lambda out: _write_papers(library, args.format, papers, out),
                      "papers")


def _write_papers(library, fmt: str, papers, out) -> int:
    """``papers`` in the export format ``fmt``; Markdown with the user's notes and tags."""
    from reader.exporters import FORMATS as EXPORT_FORMATS

    if fmt != "markdown":
        return EXPORT_FORMATS[fmt](papers, out)
    from reader.exporters import markdown

    store = library.store
    notes = {paper_id: text for paper_id, text, _ in store.all_notes()}
    return markdown.write(papers, out, notes, tags=store.tags_for())


def _export_bookmarks(library, fmt: str, out) -> int:
    if fmt == "json":
        from reader.backup import write_bookmarks

        return write_bookmarks(library, out)
    return _write_papers(library, fmt, [b.paper for b in library.bookmarks()], out)


def _write_out(output: Path | None, write, what: str) -> int:
    """Run ``write(stream)`` to standard output or, atomically, to ``output``."""
    if output is None:
        write(sys.stdout)
        sys.stdout.flush()
        return 0
    # Written beside the target and renamed over it: never a half-written file.
    temporary = output.with_name(f".{output.name}.partial")
    try:
        with temporary.open("w", encoding="utf-8", newline="") as out:
            count = write(out)
        temporary.replace(output)
    finally:
        temporary.unlink(missing_ok=True)
    print(f"exported {count} {what} to {output}", file=sys.stderr)
    return 0


def _links(library, args) -> int:
    from reader.links import paper_links

    paper = library.paper(args.paper_id)
    if paper is None:
        raise ValueError(f"no paper with the id {args.paper_id!r} (see: reader search)")
    for link in paper_links(paper):
        print(f"{link.label}\t{link.url}")
    return 0


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.filename and error.strerror:
        return f"{error.filename}: {error.strerror.lower()}"
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _paths(root: Path) -> int:
    print(f"data     {root}")
    print(f"store    {paths.store_path(root)}")
    print(f"index    {paths.index_path(root)}")
    print(f"backups  {paths.backups_path(root)}")
    return 0


def _start_backup(library) -> tuple[threading.Thread, list[str]]:
    """Today's automatic store backup, if not made yet, beside the command (it takes
    a second or two for a big library); ``_finish_backup`` waits for it."""
    problems: list[str] = []

    def backup() -> None:
        from reader.store import StoreDamaged

        try:
            library.backup_if_due()
        except StoreDamaged as error:
            problems.append(str(error))
        except (OSError, sqlite3.Error) as error:
            problems.append(f"{paths.backups_path(library.root)}: backup failed: "
                            f"{_one_line(error)}")

    thread = threading.Thread(target=backup, name="backup", daemon=True)
    thread.start()
    return thread, problems


def _finish_backup(started: tuple[threading.Thread, list[str]]) -> None:
    thread, problems = started
    thread.join()
    for problem in problems:
        print(f"reader: warning: {problem}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up (Textual and the app's modules, classes, styles) makes a great many
    # objects that live as long as the program and next to no garbage: the cyclic
    # collector would only walk them again and again, a tenth of the time to the first
    # screen. It is off until the app has painted its first screen, or until a
    # command starts its work.
    gc.disable()
    try:
        return _main(argv)
    finally:
        gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _app_args(argv)
    if args is None:
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

                # The app says so in a notification, and backs up in a worker.
                ReaderApp(library).run()
                return 0
            if library.recovered is not None:
                print(f"reader: warning: {library.recovered.message}", file=sys.stderr)
            handlers = {"search": _search, "links": _links, "import": _import,
                        "export": _export, "fetch": _fetch, "update": _update,
                        "bookmarks": _bookmarks, "tags": _tags}
            gc.enable()
            # a rebuild from here may fork index workers (the app keeps one process)
            library.index_processes = min(2, os.cpu_count() or 1)
            backup = _start_backup(library)
            try:
                return handlers[args.command](library, args)
            finally:
                _finish_backup(backup)
        finally:
            library.close()
    except KeyboardInterrupt:
        print("reader: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except (OSError, ValueError, RuntimeError) as error:
        print(f"reader: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_ERROR
