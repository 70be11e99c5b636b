"""Serve: a read-only SPARQL endpoint over a build folder's store, with a query page, by the Oxigraph server.

`kg serve DIR` (`serve`) runs `oxigraph serve-read-only` (the `oxigraph` command of the PyPI package of the same
name) on `DIR/store`, on a free port of 127.0.0.1, and puts a small reverse proxy (`ReadOnlyProxy`) in front of it
on the address the user chose. The engine answers everything: SPARQL queries at `/query` (GET or POST, the SPARQL
1.1 protocol), the graphs at `/store` (Graph Store Protocol, reads only), a YASGUI query page at `/`, no internet
needed. The proxy adds what the engine lacks:

- a limit on the size of an answer. One larger than `max_result_bytes` (default 50 MB; 0: no limit) is dropped,
  its connection to the engine closed, and the client gets HTTP 413 "Result Too Large" with a one-line text/plain
  message (add LIMIT, or raise `--max-result-bytes`). The proxy holds an answer in memory up to the limit before
  it sends it, so that it can still refuse it: memory is bounded by the limit times the concurrent queries. The
  query page's own files are passed on whatever their size.
- a guard against an engine bug. Started with a timeout, Oxigraph 0.5 keeps a thread asleep for the whole timeout
  after every query (oxigraph/oxigraph#1874) and aborts once it cannot create one more: with a 60 s timeout,
  after about 16,000 queries in a minute, which the load test (`bench/load.py`, 270 queries a second) reached;
  hence the default of 10 s.
  The proxy lets at most `engine_query_budget()` requests (8,191 on Linux's default vm.max_map_count) reach the
  engine per timeout and answers 503 with Retry-After above it. A lower `--timeout` raises the sustained rate.
- timeouts that say so. The engine stops queries running longer than `timeout` seconds, but reports one it
  stopped while streaming as a 200 whose body ends in its error message; the proxy, holding the answer, turns
  that into 504, and one it stopped before answering (a request of megabytes, parsed past the timeout) as a
  500 "cancelled", which the proxy turns into 504 as well. An engine silent for `timeout` + 10 s also gives 504.
  Oxigraph 0.5 does not stop every query at the timeout (a sort over a cross join runs on for minutes, until the
  memory is gone): when the engine is still silent at `timeout` + 10 s, `serve` kills the engine and starts it
  again (the store is read-only: nothing is lost). The other requests in flight then are sent again; those that
  had run past the timeout themselves get 504.
- a bound on the work in flight: at most `max_in_flight` requests reach the engine at once (default 8 per core of
  the machine, which the engine shares), up to `max_queued` more wait in line (default 32 per core) for at most the
  timeout; beyond that, 503 with Retry-After.
- updates and uploads refused: the engine answers 403 to POST /update and to writes to /store; the proxy answers
  403 itself to PUT, DELETE and PATCH. Other codes: 502 the engine cannot be reached, 400 a malformed request,
  413 a request body over 16 MiB.
- no fetching for clients: a query with `SERVICE` makes the engine send requests to any URL it names (SSRF: a
  read-only server turned against its own network). The proxy refuses such queries (403) unless the host is
  allowed (`allow_service`, `--allow-service HOST`).
- no DNS rebinding and no cross-site forms: the `Host` header must name the server (its address, `localhost`,
  or a `public_hosts` name), and a request from a web page of another origin (`Origin`) is refused (403) unless
  that origin is in `cors` (`--cors ORIGIN`; `*`: any). An allowed origin gets `Access-Control-Allow-Origin` (and
  `Vary: Origin`); the proxy answers the CORS preflight (OPTIONS) itself, for allowed origins only. The engine
  runs without its own `--cors`: the proxy alone decides, and drops the engine's CORS headers.
- no stale connections: the engine writes an unsolicited 500 on a kept-alive connection idle for about 10 s;
  the proxy does not reuse a connection idle for more than `_IDLE_REUSE` seconds.
- answers that broke off: a 200 whose JSON or XML results are cut short (an engine error while streaming) is
  answered 502, not passed on.
- a supervised engine: `serve` starts the engine again when it dies (Oxigraph 0.5 aborts on some queries, see
  docs/robustness.md). Later requests wait for the new engine; those that were in flight are sent again, one at
  a time and alone, so that one that kills the engine again is known for what killed it: it gets 502 and the
  same request is refused (502) from then on; the others get their answers.

The default graph of a query is the store's default graph: every triple of the articles, Wikidata and inferred
graphs once, as `kg query` reads it; `GRAPH ?g { … }` reaches each article's graph.

It listens on 127.0.0.1 by default: reachable from this machine only. Do not write to the store (`kg build
--append`, `kg remove`) while it is served: a read-only reader next to a writer is undefined behaviour in
Oxigraph; stop the server, write, start it again.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import math
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from kg.errors import ServeError, StoreError
from kg.store.folder import sync
from kg.store.triplestore import STORE_DIR, TripleStore

__all__ = ["DEFAULT_HOST", "DEFAULT_MAX_RESULT_BYTES", "DEFAULT_PORT", "RESULT_TOO_LARGE", "ReadOnlyProxy",
           "default_max_in_flight", "default_max_queued", "engine_query_budget", "oxigraph_binary", "parse_origins",
           "serve", "serve_command", "start_proxy"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_MAX_RESULT_BYTES = 50_000_000
RESULT_TOO_LARGE = 413  # 4xx, not 5xx: the client must change its query (LIMIT), retrying the same one is useless

_LOG = logging.getLogger(__name__)
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                         "trailers", "transfer-encoding", "upgrade", "content-length", "expect"})
_PAGE = frozenset({"/", "/yasgui.min.js", "/yasgui.min.css", "/logo.svg"})  # the query page: not limited
_CANCELLED = b"The SPARQL operation has been cancelled"  # what Oxigraph 0.5 writes in a result it stopped
_MAX_REQUEST_BYTES = 16 * 2**20
_PIECE = 64 * 1024
_MAX_ERROR_BYTES = 2**20  # an error answer is read whole, even without a limit, to tell a timeout (504) by it
_ENGINE_GRACE = 10.0  # seconds the proxy waits for the engine beyond the query timeout
_POISONED = ("This query made the SPARQL engine abort (it was started again), so it is refused: Oxigraph 0.5 "
             "aborts when it sorts date-times with and without a timezone together (see docs/robustness.md)")
_IDLE_REUSE = 2.0  # seconds a kept-alive engine connection may have been idle and still be reused
_RESTART_WAIT = 60.0  # seconds a request waits for an engine being started again
_MAX_RESTARTS = 20  # restarts within _RESTART_PERIOD before serve gives up
_RESTART_PERIOD = 300.0
_IN_FLIGHT_PER_CORE = 8  # queries at the engine at once per core: as many answers a second as 64 on 2 cores, p99 lower
_QUEUED_PER_CORE = 32  # requests waiting for one of those places, per core; more are answered 503
_QUEUE_WAIT = 60.0  # seconds a request waits in line without a query timeout (with one: the timeout)
_MAX_REPLAYS = 3  # times a request is sent again after the engine was restarted on purpose
_CORS_METHODS = "GET, POST, HEAD, OPTIONS"
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://(?:\[[0-9a-f:.]+\]|[^\s/?#@\[\]:]+)(?::[0-9]{1,5})?")
_SPARQL_TOKEN = re.compile(
    r"(?P<comment>#[^\n]*)"
    r"|(?P<string>\"{3}(?:[^\"\\]|\\.|\"(?!\"\"))*\"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}"
    r"|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<word>[A-Za-z_][\w-]*)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)", re.DOTALL)


def service_targets(query: str) -> list[str]:
    """The endpoints a SPARQL query's `SERVICE` clauses name: their IRIs, or `?` for a variable or a prefixed
    name (not resolved, so never allowed by host). Comments, strings and IRIs are skipped, so a literal "service"
    is no clause.

    >>> service_targets('SELECT * { SERVICE SILENT <http://h:1/q> { ?s ?p ?o } } # SERVICE <http://x/>')
    ['http://h:1/q']
    """
    targets: list[str] = []
    expecting = False
    for match in _SPARQL_TOKEN.finditer(query):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        text = match.group()
        if expecting and kind == "word" and text.upper() == "SILENT":
            continue
        if expecting:
            targets.append(text[1:-1] if kind == "iri" else "?")
            expecting = False
        elif kind == "word" and text.upper() == "SERVICE":
            expecting = True
    if expecting:
        targets.append("?")
    return targets


def parse_origins(values: list[str]) -> frozenset[str]:
    """The web origins allowed to query across sites (`--cors`), from values each holding one origin or several
    separated by commas: `scheme://host[:port]`, lowercased, without a trailing slash; `*` allows any.

    Raises:
        ValueError: a value that is no origin (a path, "null": the origin of sandboxed and local pages, …).

    >>> sorted(parse_origins(["https://App.example/", "http://localhost:3000,http://b.example"]))
    ['http://b.example', 'http://localhost:3000', 'https://app.example']
    """
    origins: set[str] = set()
    for value in values:
        for part in value.split(","):
            origin = part.strip().lower().removesuffix("/")
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(f"not a web origin: {part.strip()!r} (scheme://host[:port], or '*' for any)")
            origins.add(origin)
    return frozenset(origins)


def default_max_in_flight() -> int:
    """Queries sent to the engine at once by default: `_IN_FLIGHT_PER_CORE` per core of the machine."""
    return _IN_FLIGHT_PER_CORE * (os.cpu_count() or 1)


def default_max_queued() -> int:
    """Requests waiting for the engine by default: `_QUEUED_PER_CORE` per core of the machine."""
    return _QUEUED_PER_CORE * (os.cpu_count() or 1)


def _service_allowed(target: str, allowed: frozenset[str]) -> bool:
    if "*" in allowed:
        return True
    try:
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return False
    return bool(host) and (host in allowed or netloc in allowed)


def _query_text(command: str, target: str, content_type: str, body: bytes) -> str:
    """The SPARQL text of a request (GET ?query=, a POSTed form or a POSTed query), "" when it has none."""
    texts = parse_qs(urlsplit(target).query).get("query", [])
    kind = content_type.split(";")[0].strip().lower()
    if command == "POST" and kind == "application/x-www-form-urlencoded":
        texts += parse_qs(body.decode("utf-8", "replace")).get("query", [])
    elif command == "POST" and body:
        texts.append(body.decode("utf-8", "replace"))
    return "\n".join(texts)


def oxigraph_binary() -> str:
    """The `oxigraph` server program: next to this Python (the virtualenv's bin), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise StoreError("the oxigraph server is not installed: pip install 'oxigraph>=0.5,<0.6'")
    return found


def serve_command(directory: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                  timeout: float | None = 10, cors: bool = False) -> list[str]:
    """The command that serves the store of `directory` read-only, without the proxy (`serve` runs it on an
    internal port); the store is first brought in line with the folder's graph files when they changed since it
    was written (`kg.store.folder.sync`).

    Raises:
        StoreError: no store in `directory`, or it cannot be synchronised (in use by a build).
        ValueError: a port outside 1–65535 or a timeout that is not positive.

    >>> serve_command(Path("out"), port=8000)[1:4]  # doctest: +SKIP
    ['serve-read-only', '--location', 'out/store']
    """
    _check_port(port)
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    location = directory / STORE_DIR
    if not location.is_dir():
        raise StoreError(f"no store in {directory}; run `kg build … --out {directory}` first")
    sync(directory)
    TripleStore.open(location, read_only=True).close()  # fails early, with a clear message, on a broken store
    command = [oxigraph_binary(), "serve-read-only", "--location", str(location), "--bind", f"{host}:{port}"]
    if timeout is not None:
        command += ["--timeout-s", str(max(1, round(timeout)))]
    if cors:
        command.append("--cors")
    return command


def _check_port(port: int) -> None:
    if not 0 < port < 65536:
        raise ValueError(f"port must be between 1 and 65535, got {port}")


class _Upstream:
    """Kept-alive connections to the engine, shared by the proxy's threads: a new TCP connection per query would
    exhaust loopback ports under load. Up to `idle` connections wait for reuse, within the 128 connections per
    core that Oxigraph's server takes."""

    def __init__(self, host: str, port: int, timeout: float | None, *, idle: int = 64) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._idle: queue.LifoQueue[tuple[http.client.HTTPConnection, float]] = queue.LifoQueue(idle)
        self.ready = threading.Event()  # cleared while a supervisor starts the engine again
        self.ready.set()
        self.generation = 0  # engine deaths so far (the supervisor counts them)
        self.planned: set[int] = set()  # the generations that began with a restart on purpose, not a death
        # set by a supervisor: stop the engine of that generation (it runs a query past its timeout), start another
        self.restart: Callable[[int], None] | None = None

    def only_restarted_since(self, generation: int) -> bool:
        """Whether every engine change since `generation` was a restart on purpose (no crash among them)."""
        return all(g in self.planned for g in range(generation + 1, self.generation + 1))

    def take(self) -> tuple[http.client.HTTPConnection, bool]:
        """A connection, and whether it was used before (the engine may have closed it since). Connections idle
        for more than `_IDLE_REUSE` seconds are closed, not reused: the engine writes an unsolicited 500 on them
        after about 10 s, which the next request would read as its answer."""
        while True:
            try:
                connection, since = self._idle.get_nowait()
            except queue.Empty:
                return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout), False
            if time.monotonic() - since <= _IDLE_REUSE:
                return connection, True
            connection.close()

    def give_back(self, connection: http.client.HTTPConnection) -> None:
        try:
            self._idle.put_nowait((connection, time.monotonic()))
        except queue.Full:
            connection.close()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait()[0].close()
            except queue.Empty:
                return


class _Admission:
    """At most `limit` requests at the engine at once; up to `queued` more wait in line, first come first served,
    for at most `wait` seconds each. Past the line or the wait, a request is refused (the caller answers 503):
    the engine shares the machine's cores, and more queries at once only make each one slower."""

    def __init__(self, limit: int, queued: int, wait: float) -> None:
        if limit < 1 or queued < 0:
            raise ValueError(f"max_in_flight must be 1 or more and max_queued 0 or more, got {limit}, {queued}")
        self.limit, self.queued, self.wait = limit, queued, wait
        self._condition = threading.Condition()
        self.running = 0
        self._line: deque[object] = deque()

    @property
    def waiting(self) -> int:
        return len(self._line)

    def enter(self) -> bool:
        """Take a place at the engine, waiting in line if need be; False when the line is full or the wait over."""
        with self._condition:
            if self.running < self.limit and not self._line:
                self.running += 1
                return True
            if len(self._line) >= self.queued:
                return False
            ticket = object()
            self._line.append(ticket)
            deadline = time.monotonic() + self.wait
            try:
                while self._line[0] is not ticket or self.running >= self.limit:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._condition.wait(left)
                self.running += 1
                return True
            finally:
                self._line.remove(ticket)
                self._condition.notify_all()

    def leave(self) -> None:
        with self._condition:
            self.running -= 1
            self._condition.notify_all()


class _EngineDied(Exception):
    """The engine died while it had the request; nothing was sent to the client yet."""


class _Gate:
    """Requests reach the engine side by side (`shared`), except a request that was in flight when the engine
    died: it is sent again alone (`exclusive`), so that if the engine dies once more, that request is certainly
    what killed it. New requests wait meanwhile."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._active = 0
        self._waiting = 0
        self._solo = threading.Lock()

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._condition:
            while self._waiting:
                self._condition.wait()
            self._active += 1
        try:
            yield
        finally:
            with self._condition:
                self._active -= 1
                self._condition.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._condition:
            self._waiting += 1
        try:
            with self._solo:
                with self._condition:
                    while self._active:
                        self._condition.wait()
                yield
        finally:
            with self._condition:
                self._waiting -= 1
                self._condition.notify_all()


class _QueryWindow:
    """The requests sent to the engine in the last `seconds`: Oxigraph 0.5 started with a timeout keeps a thread
    asleep for the whole timeout after every query (oxigraph/oxigraph#1874) and aborts when it cannot create one
    more, which 270 queries a second for 60 s did on this project's load test. Above `budget` the proxy refuses
    (503) instead of letting the engine die."""

    def __init__(self, seconds: float, budget: int) -> None:
        self.seconds, self.budget = seconds, budget
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> float:
        """0 when the request may go (and is counted), else the seconds until one may."""
        now = time.monotonic()
        with self._lock:
            while self._times and self._times[0] <= now - self.seconds:
                self._times.popleft()
            if len(self._times) >= self.budget:
                return self._times[0] + self.seconds - now
            self._times.append(now)
            return 0.0


def engine_query_budget() -> int:
    """How many queries the engine may start within its timeout without running out of threads: on Linux each
    thread takes 4 of the process's memory maps (vm.max_map_count, 65,530 by default); half of that, for room."""
    try:
        maps = int(Path("/proc/sys/vm/max_map_count").read_text())
    except (OSError, ValueError):
        return 2_000  # macOS allows a few thousand threads per process
    return max(1_000, maps // 8)


class ReadOnlyProxy(ThreadingHTTPServer):
    """An HTTP server that forwards GET, HEAD, POST and OPTIONS unchanged to the engine at `upstream` and refuses
    answers over `max_result_bytes` (0: no limit) with 413; `serve_forever` runs it (`start_proxy`: in a thread).
    `query_timeout` is the engine's (the proxy waits that long plus 10 s for it); with `query_budget`, at most that
    many requests reach the engine per `query_timeout` seconds, the others get 503. At most `max_in_flight`
    requests are at the engine at once and `max_queued` wait (for up to the timeout), the others get 503. `cors`:
    the origins allowed to query from other sites (`parse_origins`)."""

    daemon_threads = True
    request_queue_size = 256  # the default 5 refuses connections when many clients arrive at once

    def __init__(self, address: tuple[str, int], upstream: tuple[str, int], *, max_result_bytes: int,
                 query_timeout: float | None = None, query_budget: int | None = None,
                 allow_service: frozenset[str] = frozenset(), public_hosts: frozenset[str] = frozenset(),
                 cors: frozenset[str] = frozenset(), max_in_flight: int | None = None,
                 max_queued: int | None = None) -> None:
        if max_result_bytes < 0:
            raise ValueError(f"max_result_bytes must be 0 (no limit) or more, got {max_result_bytes}")
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.allow_service = frozenset(h.lower() for h in allow_service)
        self.public_hosts = frozenset(h.lower() for h in public_hosts)
        self.hosts = _host_names(address[0], self.public_hosts)
        self.cors = frozenset(o.lower() for o in cors)
        self.admission = _Admission(default_max_in_flight() if max_in_flight is None else max_in_flight,
                                    default_max_queued() if max_queued is None else max_queued,
                                    _QUEUE_WAIT if query_timeout is None else query_timeout)
        self.gate = _Gate()
        self.poisoned: dict[int, None] = {}  # requests that made the engine abort: refused from then on
        self.max_result_bytes = max_result_bytes
        self.query_timeout = query_timeout
        self.window = (_QueryWindow(query_timeout, query_budget)
                       if query_timeout is not None and query_budget is not None else None)
        self.upstream = _Upstream(*upstream, None if query_timeout is None else query_timeout + _ENGINE_GRACE)
        super().__init__(address, _ProxyHandler)

    @property
    def url(self) -> str:
        """The base URL clients use, e.g. http://127.0.0.1:7878."""
        host, port = self.server_address[:2]
        host = str(host)
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is routine; log it instead of printing a traceback."""
        _LOG.debug("error while answering %s", client_address, exc_info=True)

    def server_close(self) -> None:
        super().server_close()
        self.upstream.close()


def _host_names(bound: str, public_hosts: frozenset[str]) -> frozenset[str] | None:
    """The names a request's Host header may give: the bound address and the loopback names, plus the public
    ones; None (any IP address, `localhost` or a public name) when bound to all interfaces."""
    if bound in ("", "0.0.0.0", "::"):
        return None
    return frozenset({bound.lower().strip("[]"), "localhost", "127.0.0.1", "::1", *public_hosts})


def _host_allowed(header: str | None, allowed: frozenset[str] | None, public_hosts: frozenset[str]) -> bool:
    """Whether a Host header names this server (DNS rebinding gives a foreign name for our address)."""
    if not header:
        return True  # HTTP/1.0 without Host: no name to rebind
    try:
        name = (urlsplit(f"//{header}").hostname or "").lower()
    except ValueError:
        return False
    if allowed is not None:
        return name in allowed
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return name == "localhost" or name in public_hosts


def start_proxy(upstream: tuple[str, int], *, host: str = DEFAULT_HOST, port: int = 0,
                max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES, query_timeout: float | None = None,
                query_budget: int | None = None, allow_service: frozenset[str] = frozenset(),
                public_hosts: frozenset[str] = frozenset(), cors: frozenset[str] = frozenset(),
                max_in_flight: int | None = None, max_queued: int | None = None) -> ReadOnlyProxy:
    """A `ReadOnlyProxy` listening on host:port (0: a free port, see `.url`), serving in a daemon thread; stop it
    with `.shutdown()` then `.server_close()`.

    Raises:
        OSError: the address cannot be listened on (in use, not local).
    """
    proxy = ReadOnlyProxy((host, port), upstream, max_result_bytes=max_result_bytes, query_timeout=query_timeout,
                          query_budget=query_budget, allow_service=allow_service, public_hosts=public_hosts,
                          cors=cors, max_in_flight=max_in_flight, max_queued=max_queued)
    threading.Thread(target=proxy.serve_forever, name="kg-serve-proxy", daemon=True).start()
    return proxy


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # kept-alive client connections
    disable_nagle_algorithm = True  # else headers and body, written apart, wait for the client's delayed ACK
    timeout = 300  # an idle client connection is closed after this many seconds
    server: ReadOnlyProxy
    _allow_origin: str | None = None  # the Access-Control-Allow-Origin of the answer to the current request

    def do_GET(self) -> None:
        self._forward()

    do_HEAD = do_POST = do_OPTIONS = do_GET

    def do_PUT(self) -> None:
        self._allow_origin = None
        self._plain(403, "The server is read-only", close=True)

    do_DELETE = do_PATCH = do_PUT

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("%s " + format, self.address_string(), *args)

    def _plain(self, status: int, message: str, *, reason: str | None = None, close: bool = False,
               retry_after: int | None = None) -> None:
        """Answer with a one-line text/plain message; `close` when the request body was not read."""
        body = (message + "\n").encode()
        self.send_response(status, reason)
        self._cors_headers()
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _cors_headers(self) -> None:
        """The CORS headers of an answer to an allowed cross-origin request (none for same-origin ones)."""
        if self._allow_origin is not None:
            self.send_header("Access-Control-Allow-Origin", self._allow_origin)
            if self._allow_origin != "*":
                self.send_header("Vary", "Origin")

    def _engine_headers(self, response: http.client.HTTPResponse) -> None:
        """The engine's headers, but for hop-by-hop and CORS ones (the proxy decides CORS), then the proxy's."""
        for key, value in response.getheaders():
            if key.lower() not in _HOP_BY_HOP and not key.lower().startswith("access-control-"):
                self.send_header(key, value)
        self._cors_headers()

    def _preflight(self) -> bool:
        """Answer a CORS preflight (OPTIONS with Access-Control-Request-Method) from an allowed origin: 204."""
        if (self.command != "OPTIONS" or self._allow_origin is None
                or "Access-Control-Request-Method" not in self.headers):
            return False
        self.send_response(204)
        self._cors_headers()
        self.send_header("Access-Control-Allow-Methods", _CORS_METHODS)
        requested = re.findall(r"[A-Za-z0-9-]+", self.headers.get("Access-Control-Request-Headers", ""))
        if requested:
            self.send_header("Access-Control-Allow-Headers", ", ".join(requested))
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()
        return True

    def _request_body(self) -> bytes | None:
        """The request's body (b"" when it has none), or None once an error was answered."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._chunked_body()
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0:
            self._plain(400, "Bad Content-Length", close=True)
            return None
        if length > _MAX_REQUEST_BYTES:
            self._plain(413, f"The request body exceeds {_MAX_REQUEST_BYTES} bytes", close=True)
            return None
        return self.rfile.read(length)

    def _chunked_body(self) -> bytes | None:
        parts: list[bytes] = []
        size = 0
        try:
            while chunk := int(self.rfile.readline(_PIECE).split(b";")[0].strip(), 16):
                if chunk < 0:
                    raise ValueError(chunk)
                size += chunk
                if size > _MAX_REQUEST_BYTES:
                    self._plain(413, f"The request body exceeds {_MAX_REQUEST_BYTES} bytes", close=True)
                    return None
                parts.append(self.rfile.read(chunk))
                self.rfile.readline(_PIECE)
            while self.rfile.readline(_PIECE) not in (b"\r\n", b"\n", b""):
                pass  # trailers
        except ValueError:
            self._plain(400, "Bad chunked request body", close=True)
            return None
        return b"".join(parts)

    def _forward(self) -> None:
        self._allow_origin = None
        body = self._request_body()
        if body is None or not self._allowed(body) or self._preflight():
            return
        server = self.server
        key = hash((self.command, self.path, body))
        if key in server.poisoned:
            self._plain(502, _POISONED)
            return
        admission = server.admission
        if not admission.enter():
            self._plain(503, f"The server is busy: {admission.limit} queries at the engine and {admission.queued} "
                        "waiting, as many as it takes (--max-in-flight, --max-queued): retry shortly",
                        retry_after=1)
            return
        try:
            window = server.window
            wait = 0.0 if window is None or self.path in _PAGE else window.admit()
            if window is not None and wait:
                self._plain(503, f"More than {window.budget} queries in {window.seconds:g} s, more than the engine "
                            "can hold (it keeps a thread per query for its timeout): retry shortly, or serve with a "
                            "lower --timeout", retry_after=math.ceil(wait))
                return
            self._dispatch(body, key)
        finally:
            admission.leave()

    def _dispatch(self, body: bytes, key: int) -> None:
        """Have the engine answer: sent again when the engine was restarted on purpose meanwhile (504 if it had
        run past the timeout itself), sent again alone when the engine died with it (502 if it dies again)."""
        server = self.server
        self._began = time.monotonic()
        for _ in range(_MAX_REPLAYS + 1):
            try:
                with server.gate.shared():
                    self._attempt(body)
                return
            except _EngineDied:
                if not server.upstream.only_restarted_since(self._generation):
                    break
                if self._overdue():
                    self._engine_timeout()
                    return
        else:
            self._plain(503, "The SPARQL engine was restarted while it had this request, again and again: retry "
                        "shortly", retry_after=1)
            return
        _LOG.debug("the engine died with a request from %s in flight; sending it again alone", self.address_string())
        try:
            with server.gate.exclusive():
                server.upstream.ready.wait(_RESTART_WAIT)
                self._attempt(body)
        except _EngineDied:
            if server.upstream.only_restarted_since(self._generation):
                self._plain(503, "The SPARQL engine was restarted while it had this request: retry shortly",
                            retry_after=1)
                return
            server.poisoned[key] = None
            while len(server.poisoned) > 1024:
                del server.poisoned[next(iter(server.poisoned))]
            _LOG.warning("the engine died again on the request from %s, sent alone: it made the engine abort "
                         "(%s %s%s)", self.address_string(), self.command, self.path[:200],
                         f" {body[:200]!r}" if body else "")
            self._plain(502, _POISONED)

    def _overdue(self) -> bool:
        """Whether this request has been at the engine for longer than the query timeout."""
        timeout = self.server.query_timeout
        return timeout is not None and time.monotonic() - self._began >= timeout

    def _stop_overdue(self) -> None:
        """The engine has been silent on this request for the timeout and 10 s more: Oxigraph 0.5 does not stop
        every query at its timeout (a sort over a cross join ran for minutes, until memory ran out, and took the
        server with it), so the supervisor restarts the engine, when there is one."""
        upstream = self.server.upstream
        if upstream.restart is None:
            return
        _LOG.warning("a query from %s ran past %s and the engine did not stop it: restarting the engine (%s %s)",
                     self.address_string(), self._timeout_text(), self.command, self.path[:200])
        upstream.restart(self._generation)

    def _attempt(self, body: bytes) -> None:
        """Send the request to the engine and answer the client; `_EngineDied` when the engine died meanwhile
        (before anything was answered)."""
        self._generation = self.server.upstream.generation
        response = self._send_upstream(body)
        if response is not None:
            self._relay(*response)

    def _engine_died(self, *, wait: float = 1.0) -> bool:
        """Whether the engine died since `_attempt` began (waiting up to `wait` s for the supervisor to notice)."""
        upstream = self.server.upstream
        deadline = time.monotonic() + wait
        while True:
            if upstream.generation != self._generation:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def _allowed(self, body: bytes) -> bool:
        """Whether the request may reach the engine; else it was answered (403)."""
        server = self.server
        if not _host_allowed(self.headers.get("Host"), server.hosts, server.public_hosts):
            self._plain(403, f"Host {self.headers.get('Host')!r} is not this server's (serve with --public-host "
                        "NAME to answer to that name)", close=True)
            return False
        origin = self.headers.get("Origin")
        if origin and not _same_origin(origin, self.headers.get("Host", "")):
            if "*" in server.cors:
                self._allow_origin = "*"
            elif origin.strip().lower().removesuffix("/") in server.cors:
                self._allow_origin = origin.strip()
            else:
                self._plain(403, f"Cross-origin request from {origin} refused (serve with --cors ORIGIN to allow "
                            "that origin)", close=True)
                return False
        refused = [t for t in service_targets(_query_text(self.command, self.path,
                                                          self.headers.get("Content-Type", ""), body))
                   if not _service_allowed(t, server.allow_service)]
        if refused:
            _LOG.warning("refused a query with SERVICE %s from %s", ", ".join(refused), self.address_string())
            self._plain(403, f"SERVICE {refused[0]} refused: this server does not fetch other URLs for its clients "
                        "(serve with --allow-service HOST to allow one)")
            return False
        return True

    def _send_upstream(self, body: bytes) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse] | None:
        """Send the request to the engine on a pooled connection; a stale one is replaced, and while the engine is
        being started again the request waits for it and is sent once more."""
        upstream = self.server.upstream
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP]
        if not any(k.lower() == "host" for k, _ in headers):
            headers.append(("Host", f"{upstream.host}:{upstream.port}"))
        waited = False
        while True:
            if not upstream.ready.is_set():
                waited = True
                upstream.ready.wait(_RESTART_WAIT)
                self._generation = upstream.generation  # that death came before this request
            connection, reused = upstream.take()
            try:
                connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for key, value in headers:
                    connection.putheader(key, value)
                if body or self.command == "POST":
                    connection.putheader("Content-Length", str(len(body)))
                connection.endheaders(body or None)
                return connection, connection.getresponse()
            except (ConnectionError, http.client.BadStatusLine) as err:
                connection.close()
                if isinstance(err, ConnectionRefusedError) and not waited:
                    waited = True  # the engine died before the request and is being started again: wait, once
                    time.sleep(0.2)  # the supervisor notices the death
                    upstream.ready.wait(_RESTART_WAIT)
                    self._generation = upstream.generation
                    continue
                if self._engine_died(wait=0.0 if reused else 1.0):
                    raise _EngineDied from err
                if reused:
                    continue
                _LOG.warning("the engine failed on a request from %s (%s %s): %s", self.address_string(),
                             self.command, self.path[:200], err)
                self._plain(502, f"The SPARQL engine cannot be reached: {err}")
            except TimeoutError:
                connection.close()
                self._stop_overdue()
                self._engine_timeout()
            except (OSError, http.client.HTTPException) as err:
                connection.close()
                self._plain(502, f"The SPARQL engine cannot be reached: {err}")
            return None

    def _engine_timeout(self) -> None:
        self._plain(504, f"The query did not finish in {self._timeout_text()}: make it cheaper (LIMIT, fewer "
                    "patterns) or raise --timeout")

    def _timeout_text(self) -> str:
        timeout = self.server.query_timeout
        return "the time allowed" if timeout is None else f"{timeout:g} s"

    def _relay(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse) -> None:
        """Pass the engine's answer on: whole, when it fits the limit; else 413 and the engine connection dropped."""
        limit = 0 if self.path in _PAGE else self.server.max_result_bytes
        if (limit == 0 and response.status < 400) or self.command == "HEAD":
            try:
                self._stream(response)
            except (OSError, http.client.HTTPException):
                connection.close()  # the status line is sent: all that is left is to break the connection off
                self.close_connection = True
                return
            self._reuse(connection, response)
            return
        try:
            body = self._read_limited(response, limit or _MAX_ERROR_BYTES)
        except TimeoutError:
            connection.close()
            self._stop_overdue()
            self._engine_timeout()
            return
        except (OSError, http.client.HTTPException) as err:
            connection.close()
            if self._engine_died():
                raise _EngineDied from err
            _LOG.warning("the engine's answer to %s broke off (%s %s): %s", self.address_string(), self.command,
                         self.path[:200], err)
            self._plain(502, f"The SPARQL engine's answer broke off: {err}")
            return
        if body is None:
            connection.close()  # Oxigraph stops producing the answer when its connection goes
            self._plain(RESULT_TOO_LARGE, f"The result exceeded {limit} bytes: add LIMIT to the query or raise "
                        "--max-result-bytes (0: no limit)", reason="Result Too Large")
            return
        self._reuse(connection, response)
        if response.status in (200, 500) and body.rstrip().endswith(_CANCELLED):
            # 200: stopped while streaming; 500: stopped before the first row (a request of megabytes, parsed
            # past the timeout)
            self._plain(504, f"The query was stopped after {self._timeout_text()}: make it cheaper (LIMIT, fewer "
                        "patterns) or raise --timeout")
            return
        if response.status == 200 and not _complete(body, response.getheader("Content-Type", "")):
            tail = body[-300:].decode("utf-8", "replace").strip().splitlines()
            self._plain(502, f"The SPARQL engine failed while answering: {tail[-1] if tail else 'no message'}")
            return
        self.send_response_only(response.status, response.reason)
        self._engine_headers(response)
        if response.status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _reuse(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse) -> None:
        if response.will_close:
            connection.close()
        else:
            self.server.upstream.give_back(connection)

    @staticmethod
    def _read_limited(response: http.client.HTTPResponse, limit: int) -> bytes | None:
        """The whole body, or None as soon as it proves larger than `limit` (at most limit + 1 bytes are read)."""
        length = response.getheader("Content-Length")
        if length is not None and length.isdigit() and int(length) > limit:
            return None
        parts: list[bytes] = []
        size = 0
        while size <= limit:
            piece = response.read(min(_PIECE, limit + 1 - size))
            if not piece:
                return b"".join(parts)
            parts.append(piece)
            size += len(piece)
        return None

    def _stream(self, response: http.client.HTTPResponse) -> None:
        """No limit (or HEAD): send the answer on as it comes, chunked when the engine gave no length."""
        length = response.getheader("Content-Length")
        chunked = length is None and self.command != "HEAD" and response.status not in (204, 304)
        if chunked and self.request_version != "HTTP/1.1":
            self.close_connection = True  # an HTTP/1.0 client reads to the end of the connection
            chunked = False
        self.send_response_only(response.status, response.reason)
        self._engine_headers(response)
        if length is not None:
            self.send_header("Content-Length", length)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif length is None and self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        while piece := response.read(_PIECE):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")


def _same_origin(origin: str, host: str) -> bool:
    """Whether an Origin header names this server as the request's Host header does (the query page's own)."""
    origin = origin.strip().lower()
    return bool(host) and origin in (f"http://{host.lower()}", f"https://{host.lower()}")


def _complete(body: bytes, content_type: str) -> bool:
    """Whether a SPARQL JSON or XML results body ends as a whole document does (other formats cannot tell)."""
    kind = content_type.split(";")[0].strip().lower()
    end = body.rstrip()
    if kind in ("application/sparql-results+json", "application/json"):
        return end.endswith(b"}")
    if kind in ("application/sparql-results+xml", "application/xml"):
        return end.endswith(b">")
    return True


def serve(directory: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, timeout: float | None = 10,
          max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES, cors: frozenset[str] = frozenset(),
          allow_service: frozenset[str] = frozenset(), public_hosts: frozenset[str] = frozenset(),
          max_in_flight: int | None = None, max_queued: int | None = None,
          ready: Callable[[str], None] | None = None, notice: Callable[[str], None] | None = None) -> None:
    """Serve the store of `directory` read-only on host:port until interrupted (KeyboardInterrupt, passed on):
    the Oxigraph server on an internal loopback port, behind a `ReadOnlyProxy`. `ready` gets the base URL once
    both answer. The engine is started again when it dies (`notice` gets a line saying so; requests in flight get
    502, later ones wait for the new engine); after `_MAX_RESTARTS` deaths in `_RESTART_PERIOD` seconds serve
    stops. It is also killed and started again when it runs a query past the timeout and 10 s more (Oxigraph does
    not stop every query). `cors`: the origins allowed to query from web pages elsewhere (`parse_origins`);
    `max_in_flight` and `max_queued` (None: per core) bound the requests at the engine and waiting for it. The
    engine is stopped on the way out, whatever the reason.

    Raises:
        StoreError: no store in `directory`, or it cannot be synchronised.
        ServeError: host:port cannot be listened on, or the engine did not start or kept dying.
        ValueError: a port outside 1–65535, a timeout that is not positive, a negative max_result_bytes,
            max_in_flight under 1 or a negative max_queued.
    """
    _check_port(port)
    engine_port = _free_port()
    # the engine without its own --cors: the proxy alone answers cross-origin requests, for the allowed origins
    command = serve_command(directory, host="127.0.0.1", port=engine_port, timeout=timeout)
    try:
        proxy = ReadOnlyProxy((host, port), ("127.0.0.1", engine_port), max_result_bytes=max_result_bytes,
                              query_timeout=timeout, query_budget=engine_query_budget(),
                              allow_service=allow_service, public_hosts=public_hosts, cors=cors,
                              max_in_flight=max_in_flight, max_queued=max_queued)
    except OSError as err:
        raise ServeError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    with proxy, tempfile.TemporaryFile() as log:
        supervisor = _Supervisor(command, engine_port, log, proxy, notice or (lambda line: None))
        try:
            supervisor.start()
            if ready is not None:
                ready(proxy.url)
            proxy.serve_forever()
            if supervisor.failure is not None:
                raise ServeError(supervisor.failure)
        finally:
            supervisor.stop()


class _Supervisor:
    """Runs the engine, and starts it again on the same port when it dies: the store is read-only, so a restart
    loses nothing. Oxigraph 0.5 aborts the whole server on some queries (a sort over date-times with and without
    a timezone: "user-provided comparison function does not correctly implement a total order"). It also stops
    the engine on purpose (`restart`) when the proxy finds it working on a query long past the timeout; such
    restarts are not deaths (no limit on them)."""

    def __init__(self, command: list[str], port: int, log: IO[bytes], proxy: ReadOnlyProxy,
                 notice: Callable[[str], None]) -> None:
        self.command, self.port, self.log, self.proxy, self.notice = command, port, log, proxy, notice
        self.engine: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.failure: str | None = None
        self.deaths: deque[float] = deque()
        self._restarting = False  # the engine is being stopped on purpose
        self._lock = threading.Lock()
        proxy.upstream.restart = self.restart

    def restart(self, generation: int) -> None:
        """Kill the engine of `generation` (if it is still the running one) so that `_watch` starts another."""
        with self._lock:
            if (self.stopping.is_set() or self._restarting or self.engine is None
                    or self.proxy.upstream.generation != generation or self.engine.poll() is not None):
                return
            self._restarting = True
            self.engine.kill()  # SIGKILL: a sort does not stop on TERM, and the store is read-only

    def start(self) -> None:
        """Start the engine and wait until it listens; then watch it on a thread."""
        self._launch()
        threading.Thread(target=self._watch, name="kg-serve-engine", daemon=True).start()

    def _launch(self) -> None:
        # its own session: a Ctrl-C in the terminal reaches this process only, which stops the engine itself
        self.engine = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=self.log,
                                       start_new_session=True)
        _wait_listening(self.engine, self.port, self.log)
        self.proxy.upstream.ready.set()

    def _watch(self) -> None:
        while not self.stopping.is_set():
            assert self.engine is not None
            code = self.engine.wait()
            if self.stopping.is_set():
                return
            upstream = self.proxy.upstream
            upstream.ready.clear()
            with self._lock:
                planned, self._restarting = self._restarting, False
            if planned:
                upstream.planned.add(upstream.generation + 1)
            upstream.generation += 1
            upstream.close()  # its kept-alive connections died with it
            if planned:
                self.notice("the Oxigraph server ran a query past the timeout without stopping it: stopped it and "
                            "starting it again")
                if self._relaunch():
                    continue
                return
            now = time.monotonic()
            self.deaths.append(now)
            while self.deaths and self.deaths[0] < now - _RESTART_PERIOD:
                self.deaths.popleft()
            message = f"the Oxigraph server stopped (exit {code}): {_panic(self.log) or _tail(self.log)}"
            if len(self.deaths) > _MAX_RESTARTS:
                self.failure = f"{message}; it stopped {len(self.deaths)} times in {_RESTART_PERIOD:g} s, given up"
                self.proxy.shutdown()
                return
            self.notice(f"{message}; starting it again")
            if not self._relaunch():
                return

    def _relaunch(self) -> bool:
        """Start the engine again; False (serve stops) when it does not start."""
        try:
            self._launch()
        except ServeError as err:
            self.failure = str(err)
            self.proxy.shutdown()
            return False
        return True

    def stop(self) -> None:
        """Stop watching and stop the engine (TERM, then KILL after 10 s)."""
        self.stopping.set()
        self.proxy.upstream.ready.set()  # no request waits for an engine that will not come
        engine = self.engine
        if engine is None:
            return
        engine.terminate()
        try:
            engine.wait(timeout=10)
        except subprocess.TimeoutExpired:
            engine.kill()
            engine.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(engine: subprocess.Popen[bytes], port: int, log: IO[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if engine.poll() is not None:
            raise ServeError(f"the Oxigraph server did not start (exit {engine.returncode}): {_tail(log)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise ServeError(f"the Oxigraph server did not listen on 127.0.0.1:{port} within {seconds:g} s")


def _panic(log: IO[bytes]) -> str | None:
    """The last panic message of the engine's log ("panicked at FILE: MESSAGE"), or None."""
    log.seek(0)
    lines = log.read().decode("utf-8", "replace").splitlines()
    at = [i for i, line in enumerate(lines) if "panicked at" in line]
    if not at:
        return None
    return " ".join(line.strip() for line in lines[at[-1]:at[-1] + 2])


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    lines = log.read().decode("utf-8", "replace").strip().splitlines()
    return " / ".join(lines[-3:]) or "no message"
