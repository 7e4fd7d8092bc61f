"""The HTTP client the fetchers use: one place for the User-Agent, timeouts, retries
with exponential backoff, and errors turned into one line.

Built on httpx with ``trust_env`` left on, so ``HTTP_PROXY``, ``HTTPS_PROXY``,
``ALL_PROXY`` and ``NO_PROXY`` (and ``SSL_CERT_FILE``) work as usual. Every failure
surfaces as :class:`FetchError`, whose message is one line fit for ``reader: error:``.
No Textual imports: the UI calls this from a worker thread.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Self

import httpx

from reader import __version__

USER_AGENT = f"reader/{__version__} (terminal reader for research-paper abstracts)"

# Answers worth asking again for: the server is busy or briefly broken.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A server's Retry-After is honoured up to this many seconds.
MAX_RETRY_AFTER = 60.0
# An answer larger than this is refused (a day of papers is well under 10 MB).
MAX_BODY = 64 * 1024 * 1024

Sleep = Callable[[float], None]


class FetchError(Exception):
    """A request that failed for good; ``str(error)`` is one line."""


@dataclass(frozen=True)
class HttpSettings:
    timeout: float = 30.0  # seconds, for connecting and for each read
    tries: int = 4  # attempts per request (so tries - 1 retries)
    backoff: float = 2.0  # seconds before the first retry; doubled for each next one


def where(url: str | httpx.URL) -> str:
    """The host (with a port when it has one) a URL points at, for messages."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError):
        return str(url)
    return parsed.netloc.decode("ascii", "replace") or str(url)


def _connect_problem(error: BaseException) -> str:
    text = " ".join(str(error).split()).lower()
    if "refused" in text:
        return "connection refused"
    if any(marker in text for marker in (
        "name or service not known", "nodename nor servname", "temporary failure in name",
        "getaddrinfo", "no address associated", "name resolution",
    )):
        return "cannot look up the host name (offline?)"
    if "network is unreachable" in text or "no route to host" in text:
        return "network unreachable (offline?)"
    if "certificate" in text or "ssl" in text:
        return f"TLS problem: {_one_line(error)}"
    return _one_line(error) or "cannot connect"


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def _proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (as httpx picks it up), for messages."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parsed.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parsed.host):
        return None
    return proxy


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date, or nothing: use our own backoff
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class HttpClient:
    """GET with retries. Use as a context manager, or call :meth:`close`.

    ``sleep`` is what waits between retries (tests pass a recorder); ``transport`` is
    handed to httpx (tests may pass a mock transport).
    """

    def __init__(
        self,
        settings: HttpSettings | None = None,
        *,
        sleep: Sleep = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings or HttpSettings()
        self._sleep = sleep
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(self.settings.timeout),
            follow_redirects=True,
            trust_env=True,
            transport=transport,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        *,
        min_wait: float = 0.0,
    ) -> bytes:
        """The body of a successful (2xx) answer to GET ``url``.

        Timeouts, connections dropped mid-answer and the statuses in
        :data:`RETRY_STATUSES` are tried again, up to ``settings.tries`` attempts in
        all, waiting ``backoff``, ``2 * backoff``, ... (at least ``min_wait``, and at
        least what a Retry-After header asks) in between. A refused or unresolvable
        connection, and any other status, fail at once. Raises :class:`FetchError`.
        """
        tries = max(1, self.settings.tries)
        host = where(url)
        for attempt in range(1, tries + 1):
            try:
                return self._get_once(url, params)
            except _Retryable as problem:
                if attempt == tries:
                    times = f" (tried {tries} times)" if tries > 1 else ""
                    raise FetchError(f"{host}: {problem.message}{times}") from None
                wait = self.settings.backoff * 2 ** (attempt - 1)
                if problem.retry_after is not None:
                    wait = max(wait, problem.retry_after)
                self._sleep(max(wait, min_wait))
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_once(self, url: str, params: Mapping[str, str | int] | None) -> bytes:
        host = where(url)
        try:
            with self._client.stream("GET", url, params=params) as response:
                if response.status_code in RETRY_STATUSES:
                    raise _Retryable(_status(response), _retry_after(response))
                if not response.is_success:
                    raise FetchError(f"{host}: {_status(response)} for {response.url}")
                return _read_capped(response, host)
        except httpx.TimeoutException:
            raise _Retryable(f"no answer within {self.settings.timeout:g} s") from None
        except httpx.ProxyError as error:
            raise FetchError(f"cannot reach {host} through the proxy: {_one_line(error)}") from None
        except httpx.ConnectError as error:
            proxy = _proxy_for(url)
            via = f" through the proxy {where(proxy)}" if proxy else ""
            raise FetchError(f"cannot reach {host}{via}: {_connect_problem(error)}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as error:
            raise _Retryable(
                f"the connection broke before the whole answer arrived ({_one_line(error)})"
            ) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
            raise FetchError(f"bad URL {url!r}: {_one_line(error)}") from None
        except httpx.HTTPError as error:
            raise FetchError(f"{host}: {_one_line(error)}") from None


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _status(response: httpx.Response) -> str:
    reason = response.reason_phrase or ""
    return f"HTTP {response.status_code} {reason}".rstrip()


def _read_capped(response: httpx.Response, host: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            raise FetchError(f"{host}: the answer is larger than {MAX_BODY // 2**20} MB; refused")
        chunks.append(chunk)
    return b"".join(chunks)
