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

import socket
import tempfile
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kg.errors import ServeError
from kg.serve.engine import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    _Admission,
    _check_port,
    _free_port,
    _Gate,
    _QueryWindow,
    _Supervisor,
    _Upstream,
    default_max_in_flight,
    default_max_queued,
    engine_query_budget,
    serve_command,
)
from kg.serve.guard import _host_names
from kg.serve.handler import _ENGINE_GRACE, _LOG, _ProxyHandler

DEFAULT_MAX_RESULT_BYTES = 50_000_000
_QUEUE_WAIT = 60.0  # seconds a request waits in line without a query timeout (with one: the timeout)
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
