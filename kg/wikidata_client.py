"""A SPARQL client for Wikidata and Wikidata-shaped endpoints, with an on-disk cache (used by `kg.wikidata`).

`WikidataClient.select` sends a SELECT query with SPARQLWrapper: a descriptive User-Agent (Wikimedia's policy;
without one the public endpoint answers 403, or lately an empty 200), a timeout, and retries with exponential
backoff on 429 and 5xx answers and timeouts, honouring `Retry-After`. Every answer is kept in the cache folder
with the time it was fetched, so a re-run asks nothing again and builds the same graph.

Offline (`offline=True`) the client reads the cache and never opens a connection. After a request fails for
good, the client stops asking that endpoint for the rest of the run (`problem` says why) and serves the cache
only; `kg.wikidata` then falls back on the snapshot and reports the problem.

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
import time
import urllib.error
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
        kg_version, wrapper = version("kg"), version("sparqlwrapper")
    except PackageNotFoundError:
        kg_version, wrapper = "0", "0"
    return (f"kg/{kg_version} ({PROJECT_URL}; knowledge graphs of geopolitical news; Wikidata linking) "
            f"SPARQLWrapper/{wrapper} Python/{platform.python_version()}")


USER_AGENT = _user_agent()
"""`client/version (contact) library/version`, as https://meta.wikimedia.org/wiki/User-Agent_policy asks."""

Row = dict[str, dict[str, str]]
"""One solution in SPARQL 1.1 JSON results form: variable → {"type", "value", "xml:lang"?, "datatype"?}."""


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
        sleep, clock: injectable for tests.
    """

    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, *, cache_dir: Path | None = None,
                 offline: bool = False, user_agent: str = USER_AGENT, timeout: float = 30.0, retries: int = 3,
                 backoff: float = 2.0, max_wait: float = 120.0, batch_size: int = 100,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], dt.datetime] = _utc_now) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise ValueError(f"Wikidata endpoint must be an http(s) URL, got {endpoint!r}")
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
            rows = _bindings(response)
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
        from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, SPARQLWrapperException

        wrapper = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        wrapper.setQuery(query)
        wrapper.setReturnFormat(JSON)
        wrapper.timeout = self.timeout  # type: ignore[assignment]  # setTimeout() truncates to whole seconds
        wrapper.setMethod(POST if len(query) > 1500 else GET)
        self.requests += 1
        try:
            response = wrapper.query().response
            body = response.read()
        except urllib.error.HTTPError as err:
            reason = f"HTTP {err.code} {err.reason}"
            if err.code == 429 or err.code >= 500:
                raise _Retryable(reason, retry_after(dict(err.headers.items()))) from err
            if err.code == 403:
                reason += " (the endpoint refused the request; check the User-Agent)"
            raise LinkingError(reason) from err
        except EndPointInternalError as err:
            raise _Retryable("HTTP 500 Internal Server Error") from err
        except SPARQLWrapperException as err:
            raise LinkingError(str(err).splitlines()[0]) from err
        except TimeoutError as err:
            raise _Retryable(f"timed out after {self.timeout:g} s") from err
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise _Retryable(f"timed out after {self.timeout:g} s") from err
            raise LinkingError(f"unreachable ({err.reason})") from err
        except (http.client.HTTPException, ConnectionError) as err:
            raise _Retryable(f"connection failed ({err.__class__.__name__}: {err})") from err
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            what = "an empty answer" if not body.strip() else f"malformed JSON ({err})"
            raise LinkingError(f"{what} to a SELECT query") from err
        _bindings(data)  # validates the shape
        return data

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
            return Answer(_bindings(entry["response"]), str(entry["fetched"]), cached=True)
        except (OSError, ValueError, KeyError, TypeError, LinkingError):
            return None  # a damaged entry is fetched again

    def _write_cache(self, query: str, response: dict[str, Any], fetched: str) -> None:
        path = self._cache_path(query)
        if path is None:
            return
        from kg.serialise import write_atomic

        entry = {"endpoint": self.endpoint, "query": query, "fetched": fetched, "response": response}
        data = json.dumps(entry, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
        try:
            write_atomic(path, data)
        except OSError as err:
            self.cache_problem = f"cannot write the Wikidata cache {path}: {err}"



def _bindings(data: object) -> tuple[Row, ...]:
    """The rows of a SPARQL JSON result, or LinkingError when it does not have that shape."""
    results = data.get("results") if isinstance(data, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(bindings, list) or not all(isinstance(b, dict) for b in bindings):
        raise LinkingError("answer is not a SPARQL JSON result (no results.bindings list)")
    rows = []
    for binding in bindings:
        row: Row = {}
        for var, term in binding.items():
            if not isinstance(term, dict) or not isinstance(term.get("value"), str):
                raise LinkingError(f"answer has a malformed binding for ?{var}")
            row[var] = term
        rows.append(row)
    return tuple(rows)
