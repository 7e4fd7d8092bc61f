"""Search quality on the bundled sample: the hand-written known-item queries of
tests/bench/quality_queries.json, scored the way tests/bench/search_quality.py scores
them (part A), against the issue's targets. The corpus part is the benchmark's job."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent / "bench" / "search_quality.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("reader_search_quality", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    return bench.score_sample(tmp_path_factory.mktemp("quality") / "data")


def _misses(outcomes) -> str:
    return "\n".join(
        f"{o.case.kind}: {o.case.query!r} -> {o.rank or 'not found'} "
        f"(wanted {o.case.expected_title!r})"
        for o in outcomes
        if not (o.rank and o.rank <= 10)
    )


def test_hand_written_queries_name_sample_papers():
    cases = bench.sample_cases()
    assert len(cases) >= 40
    assert {case.kind for case in cases} == {"title-words", "paraphrase", "spelling", "typo"}
    assert all("~" not in case.query for case in cases if case.kind == "typo")


def test_title_words_find_their_paper_first(outcomes):
    titles = [o for o in outcomes if o.case.kind == "title-words"]
    assert bench.figures([o.rank for o in titles]).recall_1 == 1.0, _misses(titles)


def test_sample_meets_the_targets(outcomes):
    result = bench.figures([o.rank for o in outcomes])
    assert result.recall_10 >= bench.TARGET_RECALL_10, _misses(outcomes)
    assert result.mrr >= bench.TARGET_MRR, _misses(outcomes)
