"""The proxy's request handler: each request checked (`kg.serve.guard`) and forwarded to the engine, its answer
limited, checked for completeness, or turned into a status that says what happened.
"""

from __future__ import annotations

import http.client
import logging
import math
import re
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from kg.serve.engine import _RESTART_WAIT, _EngineDied
from kg.serve.guard import _complete, _host_allowed, _query_text, _same_origin, _service_allowed, service_targets

if TYPE_CHECKING:
    from kg.serve.server import ReadOnlyProxy

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
_MAX_REPLAYS = 3  # times a request is sent again after the engine was restarted on purpose
_CORS_METHODS = "GET, POST, HEAD, OPTIONS"
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
