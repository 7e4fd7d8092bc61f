"""A local stand-in for export.arxiv.org, huggingface.co and rss.arxiv.org, for the
fetch tests: an HTTP server on 127.0.0.1 (port 0), run in a thread.

It answers

* ``/api/query``: arXiv API Atom pages shaped like the real ones (OpenSearch counts,
  ``arxiv:`` elements), paged by ``start`` and ``max_results`` over ``arxiv_total``
  synthetic entries, newest first, ``arxiv_per_day`` entries a day;
* ``/api/daily_papers``: Hugging Face daily papers JSON, the 2024 schema for
  ``date=2024-05-27``, the 2026 schema for ``date=2026-06-03`` and for no date (today),
  an empty list for any other day;
* ``/rss/<category>``: an arXiv RSS listing (three items for cs.AI, none otherwise).

``fail(key, *behaviours)`` queues misbehaviour for the next requests of ``key``
(``"arxiv:<start>"``, ``"hf"`` or ``"rss"``), one behaviour a request: ``"503"``,
``"500"``, ``"502"``, ``"429"`` or ``"429:<seconds>"`` (with Retry-After), ``"slow"``
(answers after ``slow_seconds``), ``"truncated"`` (half the body, with a matching
Content-Length), ``"cut"`` (announces the whole body, sends half, hangs up),
``"empty"`` (an Atom page without entries). ``bodies`` overrides an answer by key.
``requests`` records every request (path, query, headers), so tests can assert paging,
the User-Agent and proxying.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

ARXIV_NEWEST = dt.datetime(2025, 10, 16, 17, 0, 0)


@dataclass
class Request:
    target: str  # the request line's target: a path, or an absolute URL via a proxy
    path: str
    query: dict[str, str]
    headers: dict[str, str]


def arxiv_id(number: int) -> str:
    """The arXiv id of synthetic entry ``number`` (0 is the newest)."""
    return f"2510.{90000 - number:05d}"


def arxiv_title(number: int) -> str:
    return f"Synthetic study {number} of noise schedules for diffusion models"


def arxiv_published(number: int, per_day: int) -> dt.datetime:
    return ARXIV_NEWEST - dt.timedelta(days=number // per_day, minutes=number % per_day)


def atom_entry(number: int, per_day: int) -> str:
    identifier = arxiv_id(number)
    stamp = arxiv_published(number, per_day).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"""  <entry>
    <id>http://arxiv.org/abs/{identifier}v1</id>
    <updated>{stamp}</updated>
    <published>{stamp}</published>
    <title>{escape(arxiv_title(number))}</title>
    <summary>  We study noise schedule number {number} for diffusion models and
find that it &amp; its variants are stable across
a wide range of settings.
</summary>
    <author>
      <name>Ada Example</name>
    </author>
    <author>
      <name>Grace Sample</name>
    </author>
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">12 pages</arxiv:comment>
    <link href="http://arxiv.org/abs/{identifier}v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{identifier}v1" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CV" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""


def atom_page(query: str, start: int, count: int, total: int, per_day: int) -> bytes:
    numbers = range(start, min(start + count, total))
    opensearch = 'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
    head = f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3D{escape(query)}%26start%3D{start}%26max_results%3D{count}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query={escape(query)}&amp;id_list=&amp;start={start}&amp;max_results={count}</title>
  <id>http://arxiv.org/api/synthetic</id>
  <updated>2025-10-17T00:00:00-04:00</updated>
  <opensearch:totalResults {opensearch}>{total}</opensearch:totalResults>
  <opensearch:startIndex {opensearch}>{start}</opensearch:startIndex>
  <opensearch:itemsPerPage {opensearch}>{count}</opensearch:itemsPerPage>
"""
    entries = "".join(atom_entry(number, per_day) for number in numbers)
    return (head + entries + "</feed>\n").encode("utf-8")


def _hf_author(name: str, number: int) -> dict:
    return {"_id": f"66540321d200a2ecdf78{number:04x}", "name": name, "hidden": False}


HF_2024 = [
    {
        "paper": {
            "id": "2405.15738",
            "authors": [_hf_author("Chunjiang Ge", 1), _hf_author("Sijie Cheng", 2)],
            "publishedAt": "2024-05-24T17:34:15.000Z",
            "title": "ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal\n"
                     "  Models",
            "summary": "High-resolution Large Multimodal Models (LMMs) encounter the challenges"
                       " of\nexcessive visual tokens.",
            "upvotes": 32,
        },
        "publishedAt": "2024-05-27T01:54:18.592Z",
        "title": "ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models",
        "mediaUrl": "https://cdn-uploads.huggingface.co/production/uploads/example.png",
        "numComments": 2,
    },
    {
        "paper": {
            "id": "2405.14333",
            "authors": [_hf_author("Yu Example", 3)],
            "publishedAt": "2024-05-23T08:00:00.000Z",
            "title": "DeepSeek-Prover: Advancing Theorem Proving in LLMs",
            "summary": "Proof assistants like Lean have revolutionized mathematical proof.",
            "upvotes": 17,
        },
        "publishedAt": "2024-05-27T02:00:00.000Z",
        "title": "DeepSeek-Prover: Advancing Theorem Proving in LLMs",
        "mediaUrl": "",
        "numComments": 0,
    },
]


def _hf_2026_item(arxiv: str, title: str, upvotes: int) -> dict:
    return {
        "paper": {
            "id": arxiv,
            "authors": [_hf_author("Xingrun Xing", 4), _hf_author("Haoqing Wang", 5)],
            "publishedAt": "2026-05-31T00:00:00.000Z",
            "submittedOnDailyAt": "2026-06-03T00:00:00.000Z",
            "title": title,
            "submittedOnDailyBy": {"_id": "651c4e0bc0247c08a46ab2a6", "fullname": "xxr",
                                   "user": "xrxing", "type": "user", "name": "xrxing"},
            "summary": f"{title}: an abstract long enough to read.",
            "upvotes": upvotes,
            "discussionId": "6a1f8b43e292c1c78ecb12d2",
            "ai_summary": "A short machine summary.",
            "ai_keywords": ["distillation", "trust region"],
            "ai_summary_model": "Qwen/Qwen2.5-Coder-32B-Instruct",
            "githubRepo": "https://github.com/example/project",
            "githubRepoAddedBy": "user",
        },
        "publishedAt": "2026-05-30T20:00:00.000Z",
        "title": title,
        "summary": f"{title}: an abstract long enough to read.",
        "thumbnail": "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/x.png",
        "numComments": 1,
        "submittedBy": {"_id": "651c4e0bc0247c08a46ab2a6", "fullname": "xxr"},
        "organization": {"_id": "686df54910a52f2c2cf03c06", "name": "SamsungResearch"},
        "isAuthorParticipating": False,
    }


HF_2026 = [
    _hf_2026_item("2606.01249", "Trust Region On-Policy Distillation", 28),
    _hf_2026_item("2606.01250", "Sparse Mixtures for Long Context Retrieval", 11),
    _hf_2026_item("2606.01251", "Learning Rate Warmup Revisited", 5),
]

RSS_ITEMS = [
    ("2604.21935", "Math Takes Two: A test for emergent mathematical reasoning in communication",
     "Michael Cooper, Samuel Cooper"),
    ("2604.21936",
     ("An Artifact-based Agent Framework for Adaptive and Reproducible Medical "
      "Image Processing"),
     "Lena Example, Omar Sample and Kim Test"),
    ("2604.21937", "Planning with Language Models under Partial Observability",
     "Jo Writer"),
]


def rss_feed(category: str, items=()) -> bytes:
    parts = [f"""<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <channel>
    <title>{category} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/{category}</link>
    <description>{category} updates on the arXiv.org e-print archive.</description>
    <language>en-us</language>
    <lastBuildDate>Mon, 27 Apr 2026 04:00:00 +0000</lastBuildDate>
    <pubDate>Mon, 27 Apr 2026 00:00:00 -0400</pubDate>
"""]
    for identifier, title, authors in items:
        parts.append(f"""    <item>
      <title>{escape(title)}</title>
      <link>https://arxiv.org/abs/{identifier}</link>
      <description>arXiv:{identifier}v1 Announce Type: new
Abstract: An abstract about {escape(title.lower())}.</description>
      <guid isPermaLink="false">oai:arXiv.org:{identifier}v1</guid>
      <category>{category}</category>
      <pubDate>Mon, 27 Apr 2026 00:00:00 -0400</pubDate>
      <arxiv:announce_type>new</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>{escape(authors)}</dc:creator>
    </item>
""")
    parts.append("  </channel>\n</rss>\n")
    return "".join(parts).encode("utf-8")


@dataclass
class FetchServer:
    arxiv_total: int = 250
    arxiv_per_day: int = 50
    slow_seconds: float = 3.0
    hf_days: dict = field(default_factory=lambda: {
        "2024-05-27": json.dumps(HF_2024).encode(),
        "2026-06-03": json.dumps(HF_2026, indent=2).encode(),
        None: json.dumps(HF_2026, indent=2).encode(),
    })
    rss: dict = field(default_factory=lambda: {"cs.AI": rss_feed("cs.AI", RSS_ITEMS)})
    bodies: dict = field(default_factory=dict)  # key -> (content type, bytes)
    requests: list = field(default_factory=list)
    _faults: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # -- control -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail(self, key: str, *behaviours: str) -> None:
        with self._lock:
            self._faults.setdefault(key, []).extend(behaviours)

    def arxiv_starts(self) -> list[int]:
        return [int(r.query["start"]) for r in self.requests if r.path.endswith("/api/query")]

    def start(self) -> FetchServer:
        server = self

        class Handler(_Handler):
            owner = server

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # let slow answers go
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- answers -------------------------------------------------------------------------

    def _next_fault(self, key: str) -> str | None:
        with self._lock:
            queued = self._faults.get(key)
            return queued.pop(0) if queued else None

    def answer(self, request: Request) -> tuple[str, int, str, bytes]:
        """(fault key, status, content type, body) for a request."""
        path = request.path
        if path.endswith("/api/query"):
            start = int(request.query.get("start", "0"))
            count = int(request.query.get("max_results", "10"))
            key = f"arxiv:{start}"
            body = atom_page(request.query.get("search_query", ""), start, count,
                             self.arxiv_total, self.arxiv_per_day)
            return key, 200, "application/atom+xml; charset=utf-8", body
        if path.endswith("/api/daily_papers"):
            day = request.query.get("date")
            body = self.hf_days.get(day, b"[]")
            return "hf", 200, "application/json; charset=utf-8", body
        if "/rss/" in path:
            category = path.rsplit("/", 1)[1]
            body = self.rss.get(category) or rss_feed(category)
            return "rss", 200, "application/rss+xml", body
        return "other", 404, "text/plain", b"not found"


class _Handler(BaseHTTPRequestHandler):
    owner: FetchServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        request = Request(
            target=self.path,
            path=parts.path,
            query={key: values[0] for key, values in parse_qs(parts.query).items()},
            headers={key.lower(): value for key, value in self.headers.items()},
        )
        owner = self.owner
        with owner._lock:
            owner.requests.append(request)
        key, status, content_type, body = owner.answer(request)
        if key in owner.bodies:
            content_type, body = owner.bodies[key]
        fault = owner._next_fault(key)
        try:
            self._send(fault, status, content_type, body, request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _send(self, fault, status, content_type, body, request) -> None:
        owner = self.owner
        if fault and fault.split(":")[0] in ("429", "500", "502", "503"):
            code = int(fault.split(":")[0])
            self.send_response(code)
            if ":" in fault:
                self.send_header("Retry-After", fault.split(":")[1])
            message = b"busy, try again"
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(message)))
            self.end_headers()
            self.wfile.write(message)
            return
        if fault == "slow":
            owner._release.wait(owner.slow_seconds)
        if fault == "empty":
            body = atom_page(request.query.get("search_query", ""),
                             int(request.query.get("start", "0")), 0, owner.arxiv_total,
                             owner.arxiv_per_day)
        if fault == "truncated":
            body = body[: len(body) // 2]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if fault == "cut":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)
