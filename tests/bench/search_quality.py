"""The search-quality benchmark of reader: known-item queries, each with the one paper
it should find. Not a test (pytest does not collect it): run it by hand.

    python tests/bench/search_quality.py [--limit N] [--seed S] [--data-dir PATH]
                                         [--skip-import] [--queries N] [--json FILE]

Part A, the sample: a fresh library in a temporary folder (``Library.open`` seeds the
bundled sample) and the hand-written queries of ``quality_queries.json``.

Part B, the corpus: a library of the first N records of ../shared/corpus (default
20,000), imported with ``Library.import_file`` from a temporary .jsonl.gz of those
records, and about 300 queries generated (seeded) from randomly chosen papers of it:

- ``title-words``: the 2-3 rarest words of the title (document frequency in the index);
- ``spelling``: title words with a British spelling (-ise, -isation, -yse, -our,
  -elling, centre, ...) or a hyphenated title word written apart or (two parts only)
  joined;
- ``typo``: the title words, one rare word of 6 letters or more with one random edit
  (deletion, transposition or substitution; never the first letter);
- ``abstract-words``: 3 distinctive abstract words that are not in the title.

Paraphrases cannot be generated well: they are only in the hand-written set.

For each query the rank of the expected paper in ``library.query(text).ids`` counts
(1-based; missing is no hit). When a query finds fewer than 3 papers (the app's
``FEW_RESULTS``) and not the expected one, the app shows "did you mean"
(``library.suggest``) and ``tab`` takes it: the rank then comes from the suggestion.
Typo figures are also reported without that fallback.

It prints recall@1, recall@10 and MRR (mean reciprocal rank over the whole result
list, 0 for no hit) per part and kind, the targets (recall@10 >= 0.95, MRR >= 0.8 on
all queries of the project's own set, sample and corpus together) with PASS/FAIL, and
every query whose paper is not in the top 10, with the top 3 titles it got instead.
Exit status 1 when a target fails.

``score_sample()`` is what tests/test_search_quality.py runs.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import math
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import whoosh
import whoosh.index
from whoosh.analysis import STOP_WORDS

from reader import paths
from reader.index import analysis
from reader.library import Library
from reader.sources.sample import sample_papers

CORPUS = ROOT.parent / "shared" / "corpus"
QUERIES_FILE = Path(__file__).with_name("quality_queries.json")
DEFAULT_LIMIT = 20_000
DEFAULT_QUERIES = 300
SEED = 20261201

TARGET_RECALL_10 = 0.95
TARGET_MRR = 0.8
# The app looks for a "did you mean" suggestion when a query finds fewer papers than
# this (reader/ui/screens/library_screen.py, FEW_RESULTS).
FEW_RESULTS = 3

KINDS = ("title-words", "paraphrase", "spelling", "typo", "abstract-words")
GENERATED_KINDS = ("title-words", "spelling", "typo", "abstract-words")


# -- scoring ---------------------------------------------------------------------------


@dataclass
class Case:
    """One known-item query: the text, and the paper it should find."""

    part: str
    kind: str
    query: str
    expected_id: str
    expected_title: str
    variant: str = ""  # how a spelling query was made (british, hyphen-apart, ...)


@dataclass
class Outcome:
    case: Case
    rank: int | None  # with the "did you mean" fallback
    plain_rank: int | None  # the query as typed
    suggestion: str | None  # the suggestion taken, if any
    found: int  # how many papers the query (as typed) found
    top: list[str]  # the top 3 ids of the list the rank came from


def rank_of(ids: Sequence[str], wanted: str) -> int | None:
    try:
        return ids.index(wanted) + 1
    except ValueError:
        return None


def run_case(library: Library, case: Case) -> Outcome:
    result = library.query(case.query)
    ids = result.ids
    plain = rank_of(ids, case.expected_id)
    rank, suggestion, top = plain, None, ids[:3]
    # as the app does: a suggestion when few papers match, or none has every word
    if (plain is None or plain > 10) and (result.relaxed or len(ids) < FEW_RESULTS):
        suggestion = library.suggest(case.query)
        if suggestion:
            ids = library.query(suggestion).ids
            rank, top = rank_of(ids, case.expected_id), ids[:3]
    return Outcome(case, rank, plain, suggestion, len(ids), top)


def run_cases(library: Library, cases: Iterable[Case]) -> list[Outcome]:
    return [run_case(library, case) for case in cases]


@dataclass
class Figures:
    count: int
    recall_1: float
    recall_10: float
    mrr: float


def figures(ranks: Sequence[int | None]) -> Figures:
    n = len(ranks)
    if not n:
        return Figures(0, math.nan, math.nan, math.nan)
    return Figures(
        n,
        sum(r == 1 for r in ranks) / n,
        sum(r is not None and r <= 10 for r in ranks) / n,
        sum(1 / r for r in ranks if r) / n,
    )


def meets_targets(result: Figures) -> bool:
    return result.recall_10 >= TARGET_RECALL_10 and result.mrr >= TARGET_MRR


# -- part A: the sample ------------------------------------------------------------------


def load_hand_written(path: Path = QUERIES_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["queries"]


def sample_cases(entries: Iterable[dict] | None = None) -> list[Case]:
    """The hand-written queries, with the sample paper each should find."""
    by_title = {paper.title: paper.id for paper in sample_papers()}
    cases = []
    for entry in entries if entries is not None else load_hand_written():
        if entry["title"] not in by_title:
            raise ValueError(f"{QUERIES_FILE.name}: no sample paper is titled {entry['title']!r}")
        if entry["kind"] not in KINDS:
            raise ValueError(f"{QUERIES_FILE.name}: unknown kind {entry['kind']!r}")
        cases.append(Case("sample", entry["kind"], entry["query"], by_title[entry["title"]],
                          entry["title"]))
    return cases


def score_sample(data_dir: Path | None = None) -> list[Outcome]:
    """Part A: the hand-written queries on a fresh library of the bundled sample."""
    with tempfile.TemporaryDirectory(prefix="reader-quality-") as scratch:
        library = Library.open(Path(data_dir) if data_dir else Path(scratch) / "data")
        try:
            library.ensure_index()
            return run_cases(library, sample_cases())
        finally:
            library.close()


# -- part B: the corpus ------------------------------------------------------------------


def corpus_files(corpus: Path) -> list[Path]:
    files = sorted(corpus.glob("*.jsonl.gz"))
    if not files:
        sys.exit(f"search_quality: no *.jsonl.gz files in {corpus}")
    return files


def write_first(files: list[Path], limit: int, target: Path) -> int:
    """The first ``limit`` records across ``files`` into ``target`` (.jsonl.gz)."""
    count = 0
    with gzip.open(target, "wb", compresslevel=1) as out:
        for path in files:
            with gzip.open(path, "rb") as stream:
                for line in stream:
                    if not line.strip():
                        continue
                    out.write(line if line.endswith(b"\n") else line + b"\n")
                    count += 1
                    if count >= limit:
                        return count
    return count


def build_corpus_library(data_dir: Path, corpus: Path, limit: int) -> Library:
    files = corpus_files(corpus)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reader-quality-corpus-") as scratch:
        records = Path(scratch) / f"corpus-first-{limit}.jsonl.gz"
        started = time.perf_counter()
        count = write_first(files, limit, records)
        log(f"wrote the first {count:,} records ({time.perf_counter() - started:.1f} s)")
        library = Library.open(data_dir)
        started = time.perf_counter()
        report = library.import_file(records)
        log(f"imported: {report.added:,} added, {report.updated:,} merged "
            f"({time.perf_counter() - started:.1f} s)")
    return library


def open_corpus_library(data_dir: Path) -> Library:
    library = Library(data_dir)
    if library.store.count_papers() == 0:
        sys.exit(f"search_quality: {data_dir} holds no library (run without --skip-import)")
    return library


def index_library(library: Library) -> None:
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 10 or done == total:
            last[0] = now
            log(f"  indexing {done:,}/{total:,}")

    if library.ensure_index(progress):
        log(f"indexed ({time.perf_counter() - started:.1f} s)")


# -- generating queries --------------------------------------------------------------------

_EDGE = "\"'“”‘’`.,:;!?()[]{}<>*~^|/"
_WORD = re.compile(r"^[^\W\d_][\w'’-]*[^\W_]$|^[^\W\d_]$")
_ALPHA = re.compile(r"^[^\W\d_]+$")
_HYPHENATED = re.compile(r"^[^\W\d_]{2,}(-[^\W\d_]{2,})+$")

# American -> British (the folds the README promises; none of these needs a dictionary).
_WHOLE = {
    "center": "centre", "centers": "centres", "centered": "centred", "fiber": "fibre",
    "fibers": "fibres", "liter": "litre", "theater": "theatre", "catalog": "catalogue",
    "dialog": "dialogue", "analog": "analogue", "defense": "defence", "gray": "grey",
    "aging": "ageing", "judgment": "judgement", "maneuver": "manoeuvre",
    "maneuvers": "manoeuvres", "pediatric": "paediatric", "fetal": "foetal",
}
_OUR_WORDS = re.compile(
    r"^(col|behavi|neighb|fav|hon|lab|rum|hum|vap|flav|harb|arm|od|tum|endeav|savi)"
    r"or(s|ed|ing|al|ally|hood|hoods|able|ful|less|ite|ites)?$"
)
_DOUBLE_L = re.compile(
    r"^(model|label|travel|cancel|signal|fuel|tunnel|channel|level|funnel|counsel|"
    r"marshal|quarrel|equal|total|jewel|shovel)(ing|ed|er|ers)$"
)
_IZE = re.compile(r"^(\w{3,})iz(e|es|ed|ing|er|ers|ation|ations|ational|able)$")
_YZE = re.compile(r"^(\w{2,})yz(e|es|ed|ing|er|ers)$")
_NOT_IZE = re.compile(r"size|seiz|priz|maiz|baiz")


def british(word: str) -> str:
    """The British spelling of ``word`` (lower case), or ``word`` when it has none."""
    w = word.lower()
    if w in _WHOLE:
        return _WHOLE[w]
    match = _DOUBLE_L.match(w)
    if match:
        return f"{match.group(1)}l{match.group(2)}"
    match = _OUR_WORDS.match(w)
    if match:
        return f"{match.group(1)}our{match.group(2) or ''}"
    match = _IZE.match(w)
    if match and not _NOT_IZE.search(w):
        return f"{match.group(1)}is{match.group(2)}"
    match = _YZE.match(w)
    if match:
        return f"{match.group(1)}ys{match.group(2)}"
    return w


def words_of(text: str) -> list[str]:
    """The plain words of a title or abstract a reader could type: no TeX, no URLs,
    no stop words, no numbers on their own."""
    found = []
    for raw in text.split():
        if any(c in raw for c in "$\\{}_=@#") or "://" in raw or "www." in raw:
            continue
        word = raw.strip(_EDGE)
        if not _WORD.match(word) or word.lower() in STOP_WORDS:
            continue
        if not analysis.terms(word):
            continue
        found.append(word)
    return found


class Frequencies:
    """Document frequencies from the library's index (title and abstract)."""

    def __init__(self, root: Path) -> None:
        self._ix = whoosh.index.open_dir(paths.index_path(root))
        self._reader = self._ix.reader()
        self._cache: dict[str, int] = {}

    def close(self) -> None:
        self._reader.close()
        self._ix.close()

    def term(self, term: str) -> int:
        if term not in self._cache:
            self._cache[term] = max(
                self._reader.doc_frequency("title", term),
                self._reader.doc_frequency("abstract", term),
            )
        return self._cache[term]

    def word(self, word: str) -> int:
        """How many papers have the word (for a word that splits, its rarest part)."""
        found = [self.term(term) for term in analysis.terms(word)]
        return min(found) if found else 0


def _distinct(words: list[str]) -> list[str]:
    seen: set[tuple[str, ...]] = set()
    kept = []
    for word in words:
        key = tuple(analysis.terms(word))
        if key and key not in seen:
            seen.add(key)
            kept.append(word)
    return kept


def _in_order(words: list[str], order: list[str]) -> list[str]:
    return sorted(words, key=order.index)


def rare_title_words(title: str, freq: Frequencies, count: int) -> list[str]:
    words = [w for w in _distinct(words_of(title)) if len(w) >= 3]
    if len(words) < 2:
        return []
    rarest = sorted(words, key=lambda w: (freq.word(w), words.index(w)))[:count]
    return _in_order(rarest, words)


def make_title_words(paper, freq: Frequencies, rng: random.Random):
    words = rare_title_words(paper.title, freq, rng.choice((2, 3)))
    return (" ".join(words).lower(), "") if words else None


def make_spelling(paper, freq: Frequencies, rng: random.Random):
    """The rarest title word that has a British spelling or a hyphen, and the 1-2
    rarest other title words, with every British spelling applied and hyphens either
    written apart or joined (one way per query; only words of two parts are joined)."""
    words = [w for w in _distinct(words_of(paper.title)) if len(w) >= 3]
    if len(words) < 2:
        return None
    hyphens = rng.choice(("hyphen-apart", "hyphen-joined"))

    def variant(word: str) -> tuple[str, str] | None:
        if british(word) != word.lower():
            return british(word), "british"
        if _HYPHENATED.match(word):
            # a reader joins two parts (multimodal, finetuning), hardly more
            how = hyphens if word.count("-") == 1 else "hyphen-apart"
            return word.lower().replace("-", " " if how == "hyphen-apart" else ""), how
        return None

    rarest = sorted(words, key=lambda w: (freq.word(w), words.index(w)))
    with_variant = [w for w in rarest if variant(w)]
    if not with_variant:
        return None
    chosen = [with_variant[0]]
    chosen += [w for w in rarest if w not in chosen][: rng.choice((1, 2))]
    made = {w: variant(w) for w in chosen}
    kinds = sorted({v[1] for v in made.values() if v})
    text = " ".join(made[w][0] if made[w] else w.lower() for w in _in_order(chosen, words))
    return text, "+".join(kinds)


_EDITS = ("deletion", "transposition", "substitution")


def misspell(word: str, rng: random.Random) -> tuple[str, str]:
    """``word`` with one random edit, never at its first letter (few typos are there)."""
    while True:
        edit = rng.choice(_EDITS)
        i = rng.randrange(1, len(word))
        if edit == "deletion":
            typo = word[:i] + word[i + 1:]
        elif edit == "transposition":
            if i == len(word) - 1:
                continue
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        else:
            typo = word[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + word[i + 1:]
        if typo != word:
            return typo, edit


def make_typo(paper, freq: Frequencies, rng: random.Random):
    words = rare_title_words(paper.title, freq, rng.choice((2, 3)))
    long = [w for w in words if len(w) >= 6 and _ALPHA.match(w)]
    if not words or not long:
        return None
    target = min(long, key=lambda w: (freq.word(w), words.index(w)))
    typo, edit = misspell(target.lower(), rng)
    return " ".join(typo if w == target else w.lower() for w in words), edit


def make_abstract_words(paper, freq: Frequencies, rng: random.Random):
    title_terms = set(analysis.terms(paper.title))
    words = [
        w for w in _distinct(words_of(paper.abstract))
        if len(w) >= 4 and _ALPHA.match(w) and not set(analysis.terms(w)) & title_terms
        and freq.word(w) >= 2  # a word of one paper is most often a slip or a name
    ]
    if len(words) < 3:
        return None
    rare = sorted(words, key=lambda w: (freq.word(w), words.index(w)))[:10]
    chosen = _in_order(rng.sample(rare, 3), words)
    return " ".join(w.lower() for w in chosen), ""


MAKERS = {
    "title-words": make_title_words,
    "spelling": make_spelling,
    "typo": make_typo,
    "abstract-words": make_abstract_words,
}


def corpus_cases(library: Library, total: int, seed: int) -> list[Case]:
    """About ``total`` generated queries, the same number of each kind."""
    rng = random.Random(seed)
    ids = sorted(library.store.paper_ids())
    per_kind = max(1, total // len(GENERATED_KINDS))
    freq = Frequencies(library.root)
    cases: list[Case] = []
    try:
        for kind in GENERATED_KINDS:
            order = rng.sample(ids, len(ids))
            made = 0
            for paper_id in order:
                if made >= per_kind:
                    break
                paper = library.paper(paper_id)
                if paper is None or not paper.title or not paper.abstract:
                    continue
                got = MAKERS[kind](paper, freq, rng)
                if got is None or not got[0].strip():
                    continue
                text, variant = got
                cases.append(Case("corpus", kind, text, paper.id, paper.title, variant))
                made += 1
    finally:
        freq.close()
    return cases


# -- the report ------------------------------------------------------------------------------


def git_commit() -> str:
    try:
        found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                               check=False, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain",
                                "--untracked-files=no"],
                               check=False, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return found.stdout.strip() + ("+changes" if dirty.stdout.strip() else "") or "unknown"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _row(label: str, result: Figures, note: str = "") -> str:
    if not result.count:
        return f"{label:<40} {0:>5}"
    return (f"{label:<40} {result.count:>5} {result.recall_1:>6.3f} {result.recall_10:>6.3f} "
            f"{result.mrr:>6.3f}{'  ' + note if note else ''}")


def table(outcomes: list[Outcome]) -> list[str]:
    """Figures per part and kind, overall, typo without the fallback, and the targets."""
    lines = [f"{'part / kind':<40} {'n':>5} {'R@1':>6} {'R@10':>6} {'MRR':>6}"]
    parts = [p for p in ("sample", "corpus") if any(o.case.part == p for o in outcomes)]
    for part in parts:
        mine = [o for o in outcomes if o.case.part == part]
        for kind in KINDS:
            of_kind = [o for o in mine if o.case.kind == kind]
            if not of_kind:
                continue
            lines.append(_row(f"{part}  {kind}", figures([o.rank for o in of_kind])))
            if kind == "typo":
                lines.append(_row(f"{part}  typo, no did-you-mean",
                                  figures([o.plain_rank for o in of_kind])))
        if part == "corpus":
            for variant in sorted({o.case.variant for o in mine if o.case.kind == "spelling"}):
                of_variant = [o for o in mine
                              if o.case.kind == "spelling" and o.case.variant == variant]
                lines.append(_row(f"{part}  spelling: {variant}",
                                  figures([o.rank for o in of_variant])))
        lines.append(_row(f"{part}  all", figures([o.rank for o in mine])))
        lines.append(_row(f"{part}  all, no did-you-mean", figures([o.plain_rank for o in mine])))
    overall = figures([o.rank for o in outcomes])
    lines.append(_row("ALL (" + " + ".join(parts) + ")", overall))
    lines.append("")
    lines.append(
        f"targets on all {overall.count} queries: "
        f"recall@10 {overall.recall_10:.3f} >= {TARGET_RECALL_10:.2f} "
        f"{'PASS' if overall.recall_10 >= TARGET_RECALL_10 else 'FAIL'}; "
        f"MRR {overall.mrr:.3f} >= {TARGET_MRR:.2f} "
        f"{'PASS' if overall.mrr >= TARGET_MRR else 'FAIL'}"
    )
    return lines


def misses(outcomes: list[Outcome], title_of) -> list[str]:
    lines = []
    for o in outcomes:
        if o.rank is not None and o.rank <= 10:
            continue
        c = o.case
        where = f"rank {o.rank}" if o.rank else f"not found ({o.found} hits)"
        took = f", took did-you-mean {o.suggestion!r}" if o.suggestion else ""
        variant = f" [{c.variant}]" if c.variant else ""
        lines.append(f"- {c.part} {c.kind}{variant}: {c.query!r} -> {where}{took}")
        lines.append(f"    wanted: {c.expected_title}  ({c.expected_id})")
        for i, paper_id in enumerate(o.top, 1):
            lines.append(f"    {i}. {title_of(c.part, paper_id)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                        help="corpus records in the part B library (default %(default)s)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the generated queries")
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES,
                        help="generated corpus queries (default %(default)s)")
    parser.add_argument("--data-dir", type=Path,
                        help="keep the part B library here (default: a temporary folder)")
    parser.add_argument("--skip-import", action="store_true",
                        help="reuse the part B library an earlier run built in --data-dir")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--sample-only", action="store_true", help="part A only")
    parser.add_argument("--json", type=Path, help="also write every outcome to this file")
    args = parser.parse_args(argv)
    if args.skip_import and not args.data_dir:
        parser.error("--skip-import needs --data-dir")

    sample_titles = {paper.id: paper.title for paper in sample_papers()}
    started = time.perf_counter()
    outcomes = score_sample()
    log(f"part A: {len(outcomes)} queries ({time.perf_counter() - started:.1f} s)")

    scratch = None
    corpus_library = None
    try:
        if not args.sample_only:
            if args.data_dir:
                data_dir = args.data_dir
            else:
                scratch = Path(tempfile.mkdtemp(prefix="reader-quality-"))
                data_dir = scratch / "data"
            if args.skip_import:
                corpus_library = open_corpus_library(data_dir)
            else:
                if data_dir.exists() and any(data_dir.iterdir()):
                    sys.exit(f"search_quality: {data_dir} is not empty (use --skip-import)")
                corpus_library = build_corpus_library(data_dir, args.corpus, args.limit)
            index_library(corpus_library)
            papers = corpus_library.counts().papers
            started = time.perf_counter()
            cases = corpus_cases(corpus_library, args.queries, args.seed)
            log(f"part B: {papers:,} papers, {len(cases)} generated queries "
                f"({time.perf_counter() - started:.1f} s)")
            started = time.perf_counter()
            outcomes += run_cases(corpus_library, cases)
            log(f"part B: queries run ({time.perf_counter() - started:.1f} s)")

        def title_of(part: str, paper_id: str) -> str:
            if part == "sample":
                return sample_titles.get(paper_id, paper_id)
            paper = corpus_library.paper(paper_id) if corpus_library else None
            return paper.title if paper else paper_id

        print()
        print(f"{datetime.date.today()}, commit {git_commit()}, "
              f"Python {platform.python_version()}, whoosh {whoosh.versionstring()}")
        print("Known-item search quality"
              + ("" if args.sample_only else f" (corpus: first {args.limit:,} records, "
                 f"seed {args.seed})"))
        print()
        for line in table(outcomes):
            print(line)
        failed = misses(outcomes, title_of)
        print()
        missed = sum(1 for o in outcomes if not (o.rank and o.rank <= 10))
        print(f"Misses (not in the top 10): {missed}")
        for line in failed:
            print(line)
        if args.json:
            args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1,
                                            ensure_ascii=False), encoding="utf-8")
        return 0 if meets_targets(figures([o.rank for o in outcomes])) else 1
    finally:
        if corpus_library is not None:
            corpus_library.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
