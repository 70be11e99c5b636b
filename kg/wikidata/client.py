"""A SPARQL client for Wikidata and Wikidata-shaped endpoints, with an on-disk cache (used by `kg.wikidata.enrich`).

`WikidataClient.select` sends a SELECT query over HTTP(S) (the SPARQL protocol, through http.client): a
descriptive User-Agent (Wikimedia's policy; without one the public endpoint answers 403, or lately an empty 200),
a timeout, and retries with exponential backoff on 429 and 5xx answers and timeouts, honouring `Retry-After`.
Every answer is kept in the cache folder with the time it was fetched, so a re-run asks nothing again and builds
the same graph.

An endpoint cannot hold a build or its memory: each request has an overall deadline (an endpoint sending a byte
every few seconds is cut off at it) and a byte budget (a larger answer is dropped, not read into memory); a
redirect is followed only to the same scheme, host and port. Every row is checked (each term an object with a
known type and string fields, lone surrogates replaced); a malformed row is skipped and counted in
`skipped_rows`, and callers skip and count the rows that lack what they need (`kg.wikidata.enrich`).

Offline (`offline=True`) the client reads the cache and never opens a connection. After a request fails for
good, the client stops asking that endpoint for the rest of the run (`problem` says why) and serves the cache
only; `kg.wikidata.enrich` then falls back on the snapshot and reports the problem.

>>> client = WikidataClient("http://127.0.0.1:7878/query", cache_dir=None, offline=True)
>>> client.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1") is None   # offline and nothing cached
True
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import http.client
import json
import os
import platform
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import LinkingError

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
"""The public Wikidata Query Service."""

PROJECT_URL = "https://w3id.org/kg-news"


def _user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        kg_version = version("kg")
    except PackageNotFoundError:
        kg_version = "0"
    return (f"kg/{kg_version} ({PROJECT_URL}; knowledge graphs of geopolitical news; Wikidata linking) "
            f"Python/{platform.python_version()} http.client")


USER_AGENT = _user_agent()
"""`client/version (contact) library/version`, as https://meta.wikimedia.org/wiki/User-Agent_policy asks."""

Row = dict[str, dict[str, str]]
"""One solution in SPARQL 1.1 JSON results form: variable → {"type", "value", "xml:lang"?, "datatype"?}."""

DEFAULT_MAX_BYTES = 20_000_000
"""The largest answer read (the look-ups of 100 items take kilobytes); a larger one is dropped with a warning."""
DEFAULT_DEADLINE = 120.0
"""Seconds one request may take in all, from connecting to the last byte (the public endpoint stops at 60)."""
MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TERM_TYPES = frozenset({"uri", "literal", "typed-literal", "bnode", "triple"})
_SURROGATE = re.compile("[\ud800-\udfff]")


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/kg/wikidata`, else `~/.cache/kg/wikidata`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg" / "wikidata"


@dataclass(frozen=True)
class Answer:
    """The rows an endpoint gave to one query, and when they were fetched (UTC, ISO 8601)."""

    rows: tuple[Row, ...]
    fetched: str
    cached: bool


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def retry_after(headers: Mapping[str, str] | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), None without one.

    >>> retry_after({"Retry-After": "7"})
    7.0
    """
    value = (headers or {}).get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or _utc_now())).total_seconds())


class WikidataClient:
    """SELECT queries against one SPARQL endpoint, cached on disk; passed to `kg.wikidata.enrich`.

    Args:
        endpoint: the SPARQL endpoint URL (default: the public Wikidata Query Service).
        cache_dir: folder of cached answers (one JSON file per endpoint and query); None keeps nothing.
        offline: read the cache only; never open a connection.
        user_agent: sent with every request.
        timeout: seconds to wait for a connection or a read.
        retries: further attempts after a 429, a 5xx or a timeout.
        backoff: first wait between attempts in seconds, doubled each time; `Retry-After` overrides it.
        max_wait: longest wait accepted; a longer `Retry-After` ends the attempts.
        batch_size: how many values a caller should put in one VALUES block.
        max_bytes: the largest answer read; a larger one is dropped (LinkingError).
        deadline: seconds one request may take in all (connection, headers and body).
        sleep, clock: injectable for tests.
    """

    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, *, cache_dir: Path | None = None,
                 offline: bool = False, user_agent: str = USER_AGENT, timeout: float = 30.0, retries: int = 3,
                 backoff: float = 2.0, max_wait: float = 120.0, batch_size: int = 100,
                 max_bytes: int = DEFAULT_MAX_BYTES, deadline: float = DEFAULT_DEADLINE,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], dt.datetime] = _utc_now) -> None:
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"Wikidata endpoint must be an http(s) URL, got {endpoint!r}")
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.skipped_rows = 0
        self.endpoint = endpoint
        self.cache_dir = cache_dir
        self.offline = offline
        self.user_agent = user_agent
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.batch_size = batch_size
        self.problem: str | None = None
        self.cache_problem: str | None = None
        self.requests = 0
        self._sleep = sleep
        self._clock = clock

    def __repr__(self) -> str:
        mode = "offline" if self.offline else "online"
        return f"WikidataClient({self.endpoint!r}, {mode}, cache_dir={self.cache_dir})"

    @property
    def live(self) -> bool:
        """True while the client may still send requests (online, and no request has failed for good)."""
        return not self.offline and self.problem is None

    def select(self, query: str, *, must_match: bool = False) -> Answer | None:
        """The rows answering `query`, from the cache or the endpoint; None when offline and not cached.

        Args:
            query: a SPARQL SELECT query, with every prefix it uses declared.
            must_match: the query asks about items that exist, so an empty answer means the endpoint is
                refusing to answer (e.g. for want of a User-Agent): it is an error and is not cached.

        Raises:
            LinkingError: the endpoint failed (unreachable, timed out, HTTP error, malformed or empty answer);
                the message names the endpoint and the problem. Later calls serve the cache only.
        """
        cached = self._read_cache(query)
        if cached is not None:
            return cached
        if not self.live:
            return None
        try:
            response = self._fetch_with_retries(query)
            rows, skipped = _checked_bindings(response)
            self.skipped_rows += skipped
            response = {"head": response.get("head", {}), "results": {"bindings": list(rows)}}
            if must_match and not rows:
                raise LinkingError("answered no rows to a look-up that must match (known Wikidata items); "
                                   "the public endpoint answers so when it refuses the User-Agent")
        except LinkingError as err:
            self.problem = str(err)
            raise LinkingError(f"Wikidata endpoint {self.endpoint}: {err}") from err
        fetched = self._clock().replace(microsecond=0).isoformat().replace("+00:00", "Z")
        self._write_cache(query, response, fetched)
        return Answer(rows, fetched, cached=False)

    # -- network ---------------------------------------------------------------------------------------------

    def _fetch_with_retries(self, query: str) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                return self._fetch(query)
            except _Retryable as err:
                if attempt >= self.retries:
                    raise LinkingError(f"{err.reason} (gave up after {attempt + 1} attempts)") from err
                wait = err.retry_after if err.retry_after is not None else self.backoff * 2 ** attempt
                if wait > self.max_wait:
                    raise LinkingError(f"{err.reason}; asked to retry after {wait:.0f} s, more than the "
                                       f"{self.max_wait:.0f} s allowed") from err
                self._sleep(wait)
                attempt += 1

    def _fetch(self, query: str) -> dict[str, Any]:
        """One request (following redirects within the endpoint's origin): the parsed JSON answer."""
        self.requests += 1
        url = self.endpoint
        for _ in range(MAX_REDIRECTS + 1):
            status, reason, headers, body = self._exchange(url, query)
            if status not in _REDIRECTS:
                break
            target = urllib.parse.urljoin(url, headers.get("location", ""))
            if not _same_origin(url, target):
                raise LinkingError(f"HTTP {status} redirect to {target}, another host or port: not followed")
            url = target
        else:
            raise LinkingError(f"more than {MAX_REDIRECTS} redirects")
        if status != 200:
            message = f"HTTP {status} {reason}".rstrip()
            if status == 429 or status >= 500:
                raise _Retryable(message, retry_after({"Retry-After": headers.get("retry-after", "")}))
            if status == 403:
                message += " (the endpoint refused the request; check the User-Agent)"
            raise LinkingError(message)
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as err:
            what = "an empty answer" if not body.strip() else f"malformed JSON ({err})"
            raise LinkingError(f"{what} to a SELECT query") from err
        _checked_bindings(data)  # validates the shape
        return data  # type: ignore[no-any-return]

    def _exchange(self, url: str, query: str) -> tuple[int, str, dict[str, str], bytes]:
        """Send the query to `url`; (status, reason, headers with lower-case names, body), within the deadline
        and the byte budget."""
        parts = urllib.parse.urlsplit(url)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(parts.hostname or "", parts.port, timeout=self.timeout)
        encoded = urllib.parse.urlencode({"query": query})
        path = parts.path or "/"
        headers = {"User-Agent": self.user_agent, "Accept": "application/sparql-results+json",
                   "Accept-Encoding": "identity"}
        expired = threading.Event()

        def cut_off() -> None:
            expired.set()
            if connection.sock is not None:
                try:
                    connection.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(self.deadline, cut_off)
        watchdog.daemon = True
        watchdog.start()
        try:
            if len(query) > 1500:
                target = f"{path}?{parts.query}" if parts.query else path
                connection.request("POST", target, body=encoded.encode("ascii"),
                                   headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
            else:
                connection.request("GET", f"{path}?{parts.query + '&' if parts.query else ''}{encoded}",
                                   headers=headers)
            response = connection.getresponse()
            received = {key.lower(): value for key, value in response.getheaders()}
            body = b"" if response.status in _REDIRECTS else self._read_body(response, received)
            if expired.is_set():
                raise TimeoutError
            return response.status, response.reason, received, body
        except TimeoutError as err:
            if expired.is_set():
                raise LinkingError(f"no complete answer within the deadline of {self.deadline:g} s") from err
            raise _Retryable(f"timed out after {self.timeout:g} s") from err
        except (ConnectionRefusedError, socket.gaierror) as err:
            raise LinkingError(f"unreachable ({err})") from err
        except (http.client.HTTPException, ConnectionError) as err:
            if expired.is_set():
                raise LinkingError(f"no complete answer within the deadline of {self.deadline:g} s") from err
            raise _Retryable(f"connection failed ({err.__class__.__name__}: {err})") from err
        except OSError as err:
            if expired.is_set():
                raise LinkingError(f"no complete answer within the deadline of {self.deadline:g} s") from err
            raise LinkingError(f"unreachable ({err})") from err
        finally:
            watchdog.cancel()
            connection.close()

    def _read_body(self, response: http.client.HTTPResponse, headers: Mapping[str, str]) -> bytes:
        """The body, read a chunk at a time so that the deadline can cut it off; LinkingError past the budget."""
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise LinkingError(f"an answer of {int(length)} bytes, over the budget of {self.max_bytes} bytes: "
                               "dropped")
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1(65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise LinkingError(f"an answer over the budget of {self.max_bytes} bytes: dropped")
            chunks.append(chunk)
        return b"".join(chunks)

    # -- cache -----------------------------------------------------------------------------------------------

    def _cache_path(self, query: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(f"{self.endpoint}\n{query}".encode()).hexdigest()
        return self.cache_dir / f"{key}.json"

    def _read_cache(self, query: str) -> Answer | None:
        path = self._cache_path(query)
        if path is None or not path.is_file():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            if entry.get("endpoint") != self.endpoint or entry.get("query") != query:
                return None
            return Answer(_checked_bindings(entry["response"])[0], _utc(str(entry["fetched"])), cached=True)
        except (OSError, ValueError, KeyError, TypeError, LinkingError):
            return None  # a damaged entry is fetched again

    def _write_cache(self, query: str, response: dict[str, Any], fetched: str) -> None:
        path = self._cache_path(query)
        if path is None:
            return
        from kg.rdf.serialise import write_atomic

        entry = {"endpoint": self.endpoint, "query": query, "fetched": fetched, "response": response}
        data = json.dumps(entry, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
        try:
            write_atomic(path, data)
        except OSError as err:
            self.cache_problem = f"cannot write the Wikidata cache {path}: {err}"



def _utc(text: str) -> str:
    """An ISO date-time as UTC with a `Z` ('2026-10-09T12:00:00Z'); one without a timezone is taken as UTC. The
    graph's date-times all carry a timezone: Oxigraph 0.5 aborts when it sorts some with and some without.

    >>> _utc("2026-10-09T14:00:00+02:00"), _utc("2026-10-09T12:00:00")
    ('2026-10-09T12:00:00Z', '2026-10-09T12:00:00Z')
    """
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"


def _same_origin(url: str, other: str) -> bool:
    """Whether two URLs have the same scheme, host and port (a redirect kg follows)."""
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(other)
    try:
        return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
    except ValueError:  # a port that is not a number
        return False


def _clean(text: str) -> str:
    """Lone surrogates (JSON escapes such as "\\ud800") cannot be written as UTF-8: replace them."""
    return _SURROGATE.sub("\ufffd", text)


def _checked_term(term: object) -> dict[str, str] | None:
    """A binding's term with its fields checked and cleaned, or None when it is malformed."""
    if not isinstance(term, dict) or term.get("type") not in _TERM_TYPES or not isinstance(term.get("value"), str):
        return None
    if any(not isinstance(term[key], str) for key in ("xml:lang", "datatype") if key in term):
        return None
    return {key: _clean(value) for key, value in term.items() if isinstance(value, str)}


def _checked_bindings(data: object) -> tuple[tuple[Row, ...], int]:
    """The well-formed rows of a SPARQL JSON result and how many were skipped; LinkingError when the answer does
    not have that shape at all."""
    results = data.get("results") if isinstance(data, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(bindings, list):
        raise LinkingError("answer is not a SPARQL JSON result (no results.bindings list)")
    rows = []
    skipped = 0
    for binding in bindings:
        if not isinstance(binding, dict):
            skipped += 1
            continue
        terms = {_clean(str(var)): _checked_term(term) for var, term in binding.items()}
        if any(term is None for term in terms.values()):
            skipped += 1
            continue
        rows.append({var: term for var, term in terms.items() if term is not None})
    return tuple(rows), skipped
