"""Fetching fresh papers: ``reader fetch arxiv|hf|rss``, ``reader update`` and the
data-layer API the app calls, against a local server (tests/fetch_server.py).

No test reaches the internet: every base URL points at the local server, and the proxy
variables point at a closed port for every host but 127.0.0.1, so a request that
escaped to a real host would fail instead.
"""

from __future__ import annotations

import datetime as dt
import json
import socket

import pytest
from conftest import shared_path
from fetch_server import (
    ARXIV_NEWEST,
    HF_2024,
    HF_2026,
    RSS_ITEMS,
    FetchServer,
    arxiv_id,
    arxiv_title,
)

import reader
from reader.cli import main
from reader.config import load_config
from reader.library import Library
from reader.sources.fetch import (
    BadSubscription,
    ConfigError,
    Fetcher,
    FetchSettings,
    Subscription,
    arxiv_search_query,
    read_subscriptions,
    run_update,
)
from reader.sources.http import USER_AGENT, HttpSettings

# pause 0 and no backoff for the CLI; short timeouts everywhere
BASE_CONFIG = """
[fetch]
pause = 0
backoff = 0
tries = 3
timeout = 2.0
"""
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server():
    running = FetchServer().start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def local_only(server, monkeypatch, isolated_config):
    """Every base URL at the local server; every other host through a dead proxy."""
    monkeypatch.setenv("READER_ARXIV_URL", f"{server.url}/api/query")
    monkeypatch.setenv("READER_HF_URL", f"{server.url}/api/daily_papers")
    monkeypatch.setenv("READER_RSS_URL", f"{server.url}/rss")
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name.lower(), raising=False)
    dead = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, dead)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    isolated_config.write_text(BASE_CONFIG, encoding="utf-8")


def write_config(path, text: str) -> None:
    path.write_text(BASE_CONFIG + text, encoding="utf-8")


def settings(server, **overrides) -> FetchSettings:
    http = overrides.pop("http", HttpSettings(timeout=2.0, tries=3, backoff=0.5))
    return FetchSettings(
        arxiv_url=f"{server.url}/api/query",
        hf_url=f"{server.url}/api/daily_papers",
        rss_url=f"{server.url}/rss",
        pause=overrides.pop("pause", 3.0),
        http=http,
        **overrides,
    )


def library_ids(data_dir) -> list[str]:
    library = Library.open(data_dir)
    try:
        return library.search("")
    finally:
        library.close()


def sources_of(data_dir, paper: str) -> tuple[str, ...]:
    library = Library.open(data_dir)
    try:
        found = library.paper(paper)
        return found.sources if found else ()
    finally:
        library.close()


def fetched_arxiv_ids(data_dir) -> set[str]:
    return {i for i in library_ids(data_dir) if i.startswith("arxiv:2510.")}


def one_error(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("reader: error: ")
    return lines[0]


# -- reader fetch arxiv ------------------------------------------------------------------


def test_fetch_arxiv_pages_through_the_results(server, data_dir, capsys):
    assert main(["fetch", "arxiv", "diffusion", "--max", "250"]) == 0
    out, err = capsys.readouterr()
    assert out == "arxiv: diffusion: added 250, updated 0, unchanged 0 (3 pages)\n"
    assert err == ""
    queries = [r.query for r in server.requests]
    assert [q["start"] for q in queries] == ["0", "100", "200"]
    assert [q["max_results"] for q in queries] == ["100", "100", "50"]
    assert {q["search_query"] for q in queries} == {"diffusion"}
    assert {(q["sortBy"], q["sortOrder"]) for q in queries} == {("submittedDate", "descending")}
    assert len(fetched_arxiv_ids(data_dir)) == 250
    library = Library.open(data_dir)
    try:
        paper = library.paper(f"arxiv:{arxiv_id(0)}")
        assert paper.title == arxiv_title(0)
        assert paper.sources == ("arxiv: diffusion",)
        assert paper.authors == ("Ada Example", "Grace Sample")
        assert paper.categories == ("cs.LG", "cs.CV")
        assert "it & its variants" in paper.abstract
        assert library.search("source:diffusion")  # the index caught up
    finally:
        library.close()
    assert not list(data_dir.glob(".fetch-*"))  # the temporary files are gone


def test_fetch_arxiv_takes_50_by_default_and_stops_at_the_total(server, data_dir, capsys):
    assert main(["fetch", "arxiv", "diffusion"]) == 0
    assert server.arxiv_starts() == [0]
    assert server.requests[0].query["max_results"] == "50"
    server.requests.clear()
    server.arxiv_total = 120
    assert main(["fetch", "arxiv", "noise", "--max", "1000"]) == 0
    assert server.arxiv_starts() == [0, 100]  # totalResults says there is no third page
    # the 50 known papers gain a source: updated
    assert "arxiv: noise: added 70, updated 50, unchanged 0 (2 pages)" in capsys.readouterr().out


def test_category_and_words_make_the_search_query(server, capsys):
    assert main(["fetch", "arxiv", "noise", "schedules", "--category", "cs.LG"]) == 0
    query = server.requests[0].query["search_query"]
    assert query == "cat:cs.LG AND (all:noise AND all:schedules)"
    assert "arxiv: noise schedules in cs.LG: added 50" in capsys.readouterr().out
    assert arxiv_search_query("ti:diffusion AND au:ho") == "ti:diffusion AND au:ho"
    assert arxiv_search_query("", "cs.AI") == "cat:cs.AI"
    with pytest.raises(ValueError):
        arxiv_search_query("", None)
    with pytest.raises(ValueError):
        arxiv_search_query("x", "cs.LG&evil=1")


def test_an_empty_page_ends_paging(server, data_dir):
    server.fail("arxiv:100", "empty")
    assert main(["fetch", "arxiv", "diffusion", "--max", "300"]) == 0
    assert server.arxiv_starts() == [0, 100]
    assert len(fetched_arxiv_ids(data_dir)) == 100


def test_since_stops_at_older_papers_and_keeps_only_newer(server, data_dir, capsys):
    since = (ARXIV_NEWEST - dt.timedelta(days=2)).date()  # entries 0-149 are this recent
    assert main(["fetch", "arxiv", "diffusion", "--max", "500",
                 "--since", since.isoformat()]) == 0
    assert server.arxiv_starts() == [0, 100]
    assert fetched_arxiv_ids(data_dir) == {f"arxiv:{arxiv_id(n)}" for n in range(150)}
    assert "added 150" in capsys.readouterr().out


def test_the_pause_is_kept_between_arxiv_calls(server, data_dir):
    sleeps: list[float] = []
    library = Library.open(data_dir)
    try:
        with Fetcher(library, settings(server, pause=3.0), sleep=sleeps.append) as fetcher:
            result = fetcher.arxiv("diffusion", max_results=250)
            assert sleeps == [3.0, 3.0]  # before the 2nd and the 3rd call, not the 1st
            fetcher.arxiv("noise", max_results=10)
            assert sleeps == [3.0, 3.0, 3.0]  # also between two queries
            fetcher.rss("cs.AI")
            assert sleeps == [3.0, 3.0, 3.0]  # other hosts do not wait
    finally:
        library.close()
    assert result.ok and result.added == 250 and result.pages == 3


# -- failures ----------------------------------------------------------------------------


def test_503_then_success_is_retried_with_backoff(server, data_dir):
    server.fail("arxiv:100", "503", "502")
    server.fail("arxiv:200", "429:7")
    sleeps: list[float] = []
    library = Library.open(data_dir)
    try:
        with Fetcher(library, settings(server, pause=0.25), sleep=sleeps.append) as fetcher:
            result = fetcher.arxiv("diffusion", max_results=250)
    finally:
        library.close()
    assert result.ok and result.added == 250
    assert server.arxiv_starts() == [0, 100, 100, 100, 200, 200]
    # pause, backoff 0.5 then 1.0, pause, then the 7 s the 429's Retry-After asked for
    assert sleeps == [0.25, 0.5, 1.0, 0.25, 7.0]


def test_503_forever_is_one_line_and_keeps_the_pages_before(server, data_dir, capsys):
    server.fail("arxiv:200", "503", "503", "503")
    assert main(["fetch", "arxiv", "diffusion", "--max", "500"]) == 1
    out, err = capsys.readouterr()
    host = server.url.removeprefix("http://")
    assert one_error(err) == (
        f"reader: error: page 3: {host}: HTTP 503 Service Unavailable (tried 3 times); "
        "kept the 200 papers of pages 1-2"
    )
    assert out == "arxiv: diffusion: added 200, updated 0, unchanged 0 (2 pages)\n"
    assert server.arxiv_starts() == [0, 100, 200, 200, 200]
    assert fetched_arxiv_ids(data_dir) == {f"arxiv:{arxiv_id(n)}" for n in range(200)}


def test_a_slow_answer_beyond_the_timeout_is_one_line(server, isolated_config, data_dir,
                                                      capsys):
    isolated_config.write_text(BASE_CONFIG.replace("timeout = 2.0", "timeout = 0.3")
                               .replace("tries = 3", "tries = 2"), encoding="utf-8")
    before = library_ids(data_dir)
    server.fail("hf", "slow", "slow")
    assert main(["fetch", "hf"]) == 1
    out, err = capsys.readouterr()
    host = server.url.removeprefix("http://")
    assert one_error(err) == f"reader: error: {host}: no answer within 0.3 s (tried 2 times)"
    assert out == ""
    assert library_ids(data_dir) == before


def test_a_truncated_page_fails_alone_and_earlier_pages_are_kept(server, data_dir, capsys):
    server.fail("arxiv:100", "truncated")
    assert main(["fetch", "arxiv", "diffusion", "--max", "300"]) == 1
    out, err = capsys.readouterr()
    line = one_error(err)
    assert line.startswith("reader: error: page 2: ")
    assert "the answer cannot be read: not valid XML" in line
    assert line.endswith("kept the 100 papers of pages 1-1")
    assert "added 100" in out
    # not one paper of the broken page, not even the ones before the cut
    assert fetched_arxiv_ids(data_dir) == {f"arxiv:{arxiv_id(n)}" for n in range(100)}
    assert server.arxiv_starts() == [0, 100]
    assert not list(data_dir.glob(".fetch-*"))


def test_a_connection_cut_mid_answer_is_retried(server, data_dir, capsys):
    server.fail("arxiv:0", "cut")
    assert main(["fetch", "arxiv", "diffusion"]) == 0
    assert server.arxiv_starts() == [0, 0]
    server.fail("rss", "cut", "cut", "cut")
    assert main(["fetch", "rss", "cs.AI"]) == 1
    assert "the connection broke before the whole answer arrived" in one_error(
        capsys.readouterr().err
    )


def test_connection_refused_is_one_line_and_the_library_is_unchanged(
    monkeypatch, data_dir, capsys
):
    port = closed_port()
    monkeypatch.setenv("READER_ARXIV_URL", f"http://127.0.0.1:{port}/api/query")
    before = library_ids(data_dir)
    assert main(["fetch", "arxiv", "diffusion"]) == 1
    out, err = capsys.readouterr()
    assert one_error(err) == f"reader: error: cannot reach 127.0.0.1:{port}: connection refused"
    assert out == ""
    assert library_ids(data_dir) == before


def test_an_api_error_answer_is_one_line(server, capsys):
    error_feed = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query=x" rel="self"/>
  <title type="html">ArXiv Query</title>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>
    <title>Error</title>
    <summary>incorrect id format for 1234</summary>
  </entry>
</feed>
"""
    server.bodies["arxiv:0"] = ("application/atom+xml", error_feed)
    assert main(["fetch", "arxiv", "diffusion"]) == 1
    assert "arXiv API error: incorrect id format for 1234" in one_error(capsys.readouterr().err)


def test_a_missing_page_is_not_retried(server, monkeypatch, capsys):
    monkeypatch.setenv("READER_RSS_URL", f"{server.url}/nowhere")
    assert main(["fetch", "rss", "cs.AI"]) == 1
    assert "HTTP 404 Not Found" in one_error(capsys.readouterr().err)
    assert len(server.requests) == 1


# -- reader fetch hf / rss ---------------------------------------------------------------


def test_fetch_hf_reads_both_schemas(server, data_dir, capsys):
    assert main(["fetch", "hf", "--date", "2024-05-27"]) == 0
    assert main(["fetch", "hf"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "hf: 2024-05-27: added 2, updated 0, unchanged 0",
        "hf: 2026-06-03: added 3, updated 0, unchanged 0",  # named by the day it is for
    ]
    assert server.requests[0].query == {"date": "2024-05-27"}
    assert server.requests[1].query == {}  # no date: the API's today
    library = Library.open(data_dir)
    try:
        old = library.paper("arxiv:2405.15738")
        assert old.extra["upvotes"] == HF_2024[0]["paper"]["upvotes"]
        assert old.sources == ("hf: 2024-05-27",)
        assert old.title.endswith("Large Multimodal Models")
        new = library.paper("arxiv:2606.01249")
        assert new.extra["upvotes"] == HF_2026[0]["paper"]["upvotes"]
        assert new.sources == ("hf: 2026-06-03",)
    finally:
        library.close()


def test_a_day_without_papers_adds_nothing_and_keeps_the_sample(server, data_dir, capsys):
    before = library_ids(data_dir)
    assert main(["fetch", "hf", "--date", "2024-06-01"]) == 0
    assert capsys.readouterr().out == "hf: 2024-06-01: added 0, updated 0, unchanged 0\n"
    assert main(["fetch", "rss", "cs.CL"]) == 0  # a weekend's empty listing
    assert capsys.readouterr().out == "rss: cs.CL: added 0, updated 0, unchanged 0\n"
    assert library_ids(data_dir) == before


def test_fetch_rss_and_a_second_fetch_adds_nothing(server, data_dir, capsys):
    assert main(["fetch", "rss", "cs.AI"]) == 0
    assert main(["fetch", "rss", "cs.AI"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "rss: cs.AI: added 3, updated 0, unchanged 0",
        "rss: cs.AI: added 0, updated 0, unchanged 3",
    ]
    assert [r.path for r in server.requests] == ["/rss/cs.AI", "/rss/cs.AI"]
    ids = {f"arxiv:{identifier}" for identifier, _, _ in RSS_ITEMS}
    assert ids <= set(library_ids(data_dir))
    assert sources_of(data_dir, "arxiv:2604.21935") == ("rss: cs.AI",)
    with pytest.raises(SystemExit):
        main(["fetch", "rss"])
    assert "required: CATEGORY" in one_error(capsys.readouterr().err)
    assert main(["fetch", "rss", "../etc"]) == 1
    assert "not an arXiv category" in one_error(capsys.readouterr().err)


def test_a_second_arxiv_fetch_adds_nothing(server, capsys):
    assert main(["fetch", "arxiv", "diffusion", "--max", "120"]) == 0
    assert main(["fetch", "arxiv", "diffusion", "--max", "120"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "arxiv: diffusion: added 120, updated 0, unchanged 0 (2 pages)",
        "arxiv: diffusion: added 0, updated 0, unchanged 120 (2 pages)",
    ]


def test_the_user_agent_names_reader(server):
    assert main(["fetch", "rss", "cs.AI"]) == 0
    agent = server.requests[0].headers["user-agent"]
    assert agent == USER_AGENT
    assert agent.startswith(f"reader/{reader.__version__} (")


def test_proxy_variables_are_respected(server, monkeypatch, data_dir):
    # a host that does not exist, reached only because the proxy (our server) answers
    monkeypatch.setenv("READER_RSS_URL", "http://papers.invalid/rss")
    monkeypatch.setenv("HTTP_PROXY", server.url)
    assert main(["fetch", "rss", "cs.AI"]) == 0
    assert server.requests[0].target == "http://papers.invalid/rss/cs.AI"
    assert server.requests[0].headers["host"] == "papers.invalid"


def test_a_real_host_is_never_reached(monkeypatch, capsys):
    # what a test that forgot to point a URL at the local server would do
    monkeypatch.setenv("READER_HF_URL", "https://huggingface.co/api/daily_papers")
    assert main(["fetch", "hf"]) == 1
    line = one_error(capsys.readouterr().err)
    assert line.startswith("reader: error: cannot reach huggingface.co through the proxy")


def test_bad_arguments_are_one_line(server, capsys):
    assert main(["fetch", "arxiv"]) == 1
    assert "needs a query or a category" in one_error(capsys.readouterr().err)
    assert main(["fetch", "arxiv", "x", "--max", "0"]) == 1
    assert "--max" in one_error(capsys.readouterr().err)
    with pytest.raises(SystemExit):
        main(["fetch", "hf", "--date", "yesterday"])
    assert "not a date" in one_error(capsys.readouterr().err)
    assert server.requests == []


# -- settings and subscriptions -----------------------------------------------------------


def test_environment_urls_win_over_the_config(server, isolated_config):
    port = closed_port()
    write_config(isolated_config, f'arxiv_url = "http://127.0.0.1:{port}/api/query"\n'
                                  'hf_url = "https://hf.example/api/daily_papers"\n')
    found = FetchSettings.from_config(load_config())
    assert found.arxiv_url == f"{server.url}/api/query"
    assert found.pause == 0 and found.http.tries == 3 and found.http.timeout == 2.0
    found = FetchSettings.from_config(load_config(), environ={})
    assert found.arxiv_url == f"http://127.0.0.1:{port}/api/query"
    assert found.hf_url == "https://hf.example/api/daily_papers"
    assert found.rss_url == "https://rss.arxiv.org/rss"


@pytest.mark.parametrize("setting", ['pause = "slow"', "tries = 0", 'arxiv_url = "ftp://x"',
                                     "timout = 3"])
def test_a_bad_fetch_setting_is_one_line(isolated_config, setting, capsys):
    isolated_config.write_text(f"[fetch]\n{setting}\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        FetchSettings.from_config(load_config())
    assert main(["fetch", "rss", "cs.AI"]) == 1
    assert str(isolated_config) in one_error(capsys.readouterr().err)


UPDATE_CONFIG = """
[[subscriptions]]
kind = "arxiv"
query = "diffusion"
category = "cs.LG"
max = 150

[[subscriptions]]
kind = "rss"
category = "cs.AI"

[[subscriptions]]
kind = "hf"
"""


def test_update_fetches_every_subscription(server, isolated_config, data_dir, capsys):
    write_config(isolated_config, UPDATE_CONFIG)
    assert main(["update"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        "arxiv: diffusion in cs.LG: added 150, updated 0, unchanged 0 (2 pages)",
        "rss: cs.AI: added 3, updated 0, unchanged 0",
        "hf: 2026-06-03: added 3, updated 0, unchanged 0",
    ]
    assert [r.path for r in server.requests] == [
        "/api/query", "/api/query", "/rss/cs.AI", "/api/daily_papers",
    ]
    assert server.requests[0].query["search_query"] == "cat:cs.LG AND (diffusion)"
    assert len(library_ids(data_dir)) == 156  # the sample made way
    assert main(["update"]) == 0
    assert "added 0" in capsys.readouterr().out


def test_a_bad_subscription_is_reported_and_skipped(server, isolated_config, capsys):
    write_config(isolated_config, """
[[subscriptions]]
kind = "arxvi"
query = "diffusion"

[[subscriptions]]
kind = "rss"
category = "cs.AI"

[[subscriptions]]
kind = "rss"

[[subscriptions]]
kind = "arxiv"
query = "noise"
max = "lots"

[[subscriptions]]
kind = "hf"
""")
    assert main(["update"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "rss: cs.AI: added 3, updated 0, unchanged 0",
        "hf: 2026-06-03: added 3, updated 0, unchanged 0",
    ]
    lines = err.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("reader: error: subscription 1: kind = 'arxvi': expected one of")
    assert lines[1].startswith("reader: error: subscription 3: kind 'rss' needs a category")
    assert lines[2].startswith("reader: error: subscription 4: max must be a whole number")
    assert [r.path for r in server.requests] == ["/rss/cs.AI", "/api/daily_papers"]


def test_subscriptions_are_read_strictly(isolated_config):
    write_config(isolated_config, """
[[subscriptions]]
kind = "arxiv"
category = "cs.LG"
since = 2025-10-01

[[subscriptions]]
kind = "rss"
catgory = "cs.AI"

[[subscriptions]]
kind = "arxiv"
""")
    found = read_subscriptions(load_config())
    assert found[0] == Subscription("arxiv", category="cs.LG", since=dt.date(2025, 10, 1))
    assert found[0].name == "arxiv: cs.LG"
    assert isinstance(found[1], BadSubscription) and "'catgory'" in found[1].problem
    assert isinstance(found[2], BadSubscription) and "a query or a category" in found[2].problem
    write_config(isolated_config, "[subscriptions]\nkind = 'hf'\n")
    assert "[[subscriptions]]" in read_subscriptions(load_config())[0].problem


def test_update_without_subscriptions_says_so(isolated_config, capsys):
    assert main(["update"]) == 1
    assert "no subscriptions" in one_error(capsys.readouterr().err)
    isolated_config.write_text("[fetch\n", encoding="utf-8")
    assert main(["update"]) == 1
    assert str(isolated_config) in one_error(capsys.readouterr().err)


def test_run_update_is_the_api_for_the_app(server, isolated_config, data_dir):
    write_config(isolated_config, UPDATE_CONFIG)
    config = load_config()
    calls: list[tuple[int, int, str]] = []
    sleeps: list[float] = []
    library = Library.open(data_dir)
    try:
        results = run_update(library, config, progress=lambda *a: calls.append(a),
                             sleep=sleeps.append)
        assert [(r.name, r.added, r.ok) for r in results] == [
            ("arxiv: diffusion in cs.LG", 150, True),
            ("rss: cs.AI", 3, True),
            ("hf: 2026-06-03", 3, True),
        ]
        assert sleeps == [0.0]  # pause = 0 in the config, between the two arXiv pages
        assert calls[0] == (0, 3, "arxiv: diffusion in cs.LG: page 1")
        assert (1, 3, "rss: cs.AI: fetching") in calls
        assert calls[-1] == (3, 3, "done")
        assert {done for done, _, _ in calls} == {0, 1, 2, 3}
        # cancelled between requests: nothing more is fetched
        server.requests.clear()
        results = run_update(library, config, cancelled=lambda: True)
        assert [r.error for r in results] == ["cancelled"] * 3
        assert server.requests == []
    finally:
        library.close()


# -- the real responses (skipped without ../shared) --------------------------------------


def test_real_responses_import(server, data_dir, capsys):
    atom = shared_path("formats", "arxiv_api_atom", "arxiv_api_search_csRO_neural_2025.xml")
    hf_old = shared_path("formats", "hf_daily_papers", "hf_daily_papers_2024-05-27.json")
    hf_new = shared_path("formats", "hf_daily_papers", "hf_daily_papers_2026-06-03.json")
    rss = shared_path("formats", "arxiv_rss", "arxiv_rss_cs_ai_2026-04-27_excerpt.xml")
    server.bodies["arxiv:0"] = ("application/atom+xml", atom.read_bytes())
    server.hf_days["2024-05-27"] = hf_old.read_bytes()
    server.hf_days[None] = hf_new.read_bytes()
    server.rss["cs.AI"] = rss.read_bytes()
    assert main(["fetch", "arxiv", "neural", "--category", "cs.RO", "--max", "2"]) == 0
    assert main(["fetch", "hf", "--date", "2024-05-27"]) == 0
    assert main(["fetch", "hf"]) == 0
    assert main(["fetch", "rss", "cs.AI"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "arxiv: neural in cs.RO: added 2, updated 0, unchanged 0 (1 page)",
        f"hf: 2024-05-27: added {len(json.loads(hf_old.read_bytes()))}, updated 0, unchanged 0",
        f"hf: 2026-06-03: added {len(json.loads(hf_new.read_bytes()))}, updated 0, unchanged 0",
        "rss: cs.AI: added 3, updated 0, unchanged 0",
    ]
    assert sources_of(data_dir, "arxiv:2510.14968") == ("arxiv: neural in cs.RO",)
