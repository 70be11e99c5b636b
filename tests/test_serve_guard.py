"""kg serve under attack (issue 16, cases 1, 3, 6 and 10), each against the real engine on 127.0.0.1: the query
that makes Oxigraph panic, SERVICE clauses aimed at the local network, foreign Host and Origin headers, kept-alive
connections left idle, an engine error in the middle of an answer."""

from __future__ import annotations

import http.client
import http.server
import random
import shutil
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_push import free_port, started

from kg.serve.guard import _complete, service_targets

pytestmark = pytest.mark.slow
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
SMALL = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 1"


def panic_query(count: int = 200, seed: int = 1) -> str:
    """`count` xsd:dateTime values of one day, some with a timezone and some without, sorted: Oxigraph 0.5's sort
    panics ("user-provided comparison function does not correctly implement a total order") and aborts."""
    rng = random.Random(seed)
    values = " ".join(f'"2020-01-01T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00'
                      f'{rng.choice(["", "Z", "+05:00", "-08:00", ""])}"^^<{XSD_DATETIME}>' for _ in range(count))
    return f"SELECT ?o WHERE {{ VALUES ?o {{ {values} }} }} ORDER BY ?o"


def ask(base: str, text: str, headers: dict[str, str] | None = None, *, form: bool = False,
        connection: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    """POST a query (as a form with `form`); the status and body."""
    status, _, body = exchange(base, text, headers, form=form, connection=connection)
    return status, body


def exchange(base: str, text: str, headers: dict[str, str] | None = None, *, form: bool = False,
             connection: http.client.HTTPConnection | None = None,
             method: str = "POST") -> tuple[int, dict[str, str], bytes]:
    """POST a query (as a form with `form`; no body for another method); the status, headers (lowercase names,
    repeated ones joined by commas) and body."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    conn = connection or http.client.HTTPConnection(host, int(port), timeout=60)
    body = urllib.parse.urlencode({"query": text}) if form else text
    kind = "application/x-www-form-urlencoded" if form else "application/sparql-query"
    try:
        conn.request(method, "/query", body=body.encode() if method == "POST" else None,
                     headers={"Content-Type": kind, "Accept": "application/sparql-results+json", **(headers or {})})
        response = conn.getresponse()
        found: dict[str, str] = {}
        for key, value in response.getheaders():
            found[key.lower()] = f"{found[key.lower()]}, {value}" if key.lower() in found else value
        return response.status, found, response.read()
    finally:
        if connection is None:
            conn.close()


@pytest.fixture()
def served(seed_build: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, list[str]]]:
    """`kg serve` on a copy of the sample build, with the options the test parametrizes it with; its URL and
    options."""
    build = tmp_path / "seed"
    shutil.copytree(seed_build, build)
    options = list(getattr(request, "param", []))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "kg", "serve", str(build), "--port", str(port), *options]
    for process in started(command, f"{base}/"):
        yield base, options
        assert process.poll() is None, "kg serve stopped"


class Internal:
    """An 'internal' HTTP service on 127.0.0.1 that records every request it gets."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        internal = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                internal.paths.append(self.path)
                body = b'{"head": {"vars": []}, "results": {"bindings": [{}]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def internal() -> Iterator[Internal]:
    service = Internal()
    yield service
    service.server.shutdown()
    service.server.server_close()


def test_the_panic_query_is_answered_502_and_the_server_goes_on(served: tuple[str, list[str]]) -> None:
    """The query that makes the engine abort gets 502 (and the same query again at once); clients querying
    meanwhile get their answers: in flight when the engine died, they are sent again alone."""
    base, _ = served
    statuses: list[int] = []
    stop = threading.Event()

    def client() -> None:
        host, port = urllib.parse.urlsplit(base).netloc.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        while not stop.is_set():
            statuses.append(ask(base, SMALL, connection=connection)[0])
        connection.close()

    clients = [threading.Thread(target=client) for _ in range(4)]
    for thread in clients:
        thread.start()
    try:
        for _ in range(2):
            status, body = ask(base, panic_query())
            assert status == 502 and b"abort" in body, body
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=120)
    assert statuses and set(statuses) == {200}
    assert ask(base, SMALL)[0] == 200  # the engine was started again; the next query is answered
    assert ask(base, panic_query(seed=2))[0] == 502  # another such query: the engine dies again, and goes on
    assert ask(base, SMALL)[0] == 200


def test_service_clauses_are_refused_and_nothing_is_fetched(served: tuple[str, list[str]],
                                                            internal: Internal) -> None:
    base, _ = served
    target = f"http://127.0.0.1:{internal.port}/internal-admin?action=x"
    for text in (f"SELECT * {{ SERVICE <{target}> {{ ?x ?y ?z }} }}",
                 f"SELECT * {{ SERVICE SILENT <{target.replace('http', 'https')}> {{ ?x ?y ?z }} }}",
                 "SELECT * { BIND(<http://127.0.0.1/> AS ?e) SERVICE ?e { ?x ?y ?z } }",
                 f"PREFIX i: <http://127.0.0.1:{internal.port}/> SELECT * {{ service i:q {{ ?x ?y ?z }} }}"):
        status, body = ask(base, text)
        assert status == 403 and b"refused" in body, text
        assert ask(base, text, form=True)[0] == 403
    nested = "SELECT * { " + f"SERVICE <http://127.0.0.1:{internal.port}/query> {{ " * 70 + "?x ?y ?z" + \
        " }" * 70 + " }"
    assert ask(base, nested)[0] == 403
    assert internal.paths == []
    # the word in a string or a comment is no clause
    assert ask(base, 'SELECT * { ?s ?p ?o FILTER(?o != "SERVICE <http://x/>") } # SERVICE <http://y/>\nLIMIT 1')[0] \
        == 200
    assert ask(base, SMALL)[0] == 200


@pytest.mark.parametrize("served", [["--allow-service", "127.0.0.1"]], indirect=True)
def test_an_allowed_service_host_is_reached(served: tuple[str, list[str]], internal: Internal) -> None:
    base, _ = served
    status, _ = ask(base, f"SELECT * {{ SERVICE <http://127.0.0.1:{internal.port}/sparql> {{ ?x ?y ?z }} }}")
    assert status == 200 and internal.paths
    assert ask(base, "SELECT * { SERVICE <http://192.0.2.1/sparql> { ?x ?y ?z } }")[0] == 403


def test_foreign_host_and_origin_headers_are_refused(served: tuple[str, list[str]]) -> None:
    base, _ = served
    port = urllib.parse.urlsplit(base).port
    assert ask(base, SMALL, {"Host": f"attacker.example:{port}"})[0] == 403  # DNS rebinding
    assert ask(base, SMALL, {"Host": f"localhost:{port}"})[0] == 200
    assert ask(base, SMALL, {"Origin": "http://attacker.example"}, form=True)[0] == 403  # a form on another site
    assert ask(base, SMALL, {"Origin": "null"}, form=True)[0] == 403
    assert ask(base, SMALL, {"Origin": base}, form=True)[0] == 200  # the query page itself


APP = "http://app.example"


@pytest.mark.parametrize("served", [["--cors", APP, "--cors", "https://b.example:8443,http://C.example/",
                                     "--public-host", "kg.example.org"]], indirect=True)
def test_cors_allows_the_named_origins_only(served: tuple[str, list[str]]) -> None:
    """`--cors ORIGIN` (repeatable, or a list): those origins' pages may query, and are told so
    (Access-Control-Allow-Origin, Vary: Origin); any other origin is refused, requests without one are answered."""
    base, _ = served
    for origin in (APP, "https://b.example:8443", "http://c.example"):
        status, headers, _ = exchange(base, SMALL, {"Origin": origin}, form=True)
        assert status == 200 and headers["access-control-allow-origin"] == origin, (origin, status)
        assert "Origin" in headers["vary"]
    for origin in ("http://elsewhere.example", "https://app.example", "http://app.example:8080", "null"):
        status, headers, _ = exchange(base, SMALL, {"Origin": origin}, form=True)
        assert status == 403 and "access-control-allow-origin" not in headers, origin
    status, headers, _ = exchange(base, SMALL)  # a client that is no web page: no Origin, no CORS header
    assert status == 200 and "access-control-allow-origin" not in headers
    assert exchange(base, SMALL, {"Origin": base}, form=True)[0] == 200  # the query page itself
    # the preflight of a non-form request, answered for an allowed origin only
    preflight = {"Origin": APP, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type, accept"}
    status, headers, _ = exchange(base, "", preflight, method="OPTIONS")
    assert status == 204 and headers["access-control-allow-origin"] == APP
    assert "POST" in headers["access-control-allow-methods"]
    assert headers["access-control-allow-headers"] == "content-type, accept"
    status, headers, _ = exchange(base, "", {**preflight, "Origin": "http://elsewhere.example"}, method="OPTIONS")
    assert status == 403 and "access-control-allow-origin" not in headers
    status, headers, _ = exchange(base, SMALL, {"Origin": APP})  # then the query itself
    assert status == 200 and headers["access-control-allow-origin"] == APP
    # a refusal comes with the header too, so that the page can read why
    status, headers, _ = exchange(base, "SELECT * { SERVICE <http://192.0.2.1/> { ?x ?y ?z } }", {"Origin": APP})
    assert status == 403 and headers["access-control-allow-origin"] == APP
    assert ask(base, SMALL, {"Host": "kg.example.org"})[0] == 200
    assert ask(base, SMALL, {"Host": "attacker.example"})[0] == 403


@pytest.mark.parametrize("served", [["--cors", "*"]], indirect=True)
def test_cors_star_allows_any_origin(served: tuple[str, list[str]]) -> None:
    base, _ = served
    for origin in ("http://elsewhere.example", "null"):
        status, headers, _ = exchange(base, SMALL, {"Origin": origin}, form=True)
        assert status == 200 and headers["access-control-allow-origin"] == "*"
    status, headers, _ = exchange(base, "", {"Origin": APP, "Access-Control-Request-Method": "POST"},
                                  method="OPTIONS")
    assert status == 204 and headers["access-control-allow-origin"] == "*"


def test_connections_left_idle_do_not_bring_spurious_500s(served: tuple[str, list[str]]) -> None:
    base, _ = served
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    clients = [http.client.HTTPConnection(host, int(port), timeout=60) for _ in range(8)]
    try:
        assert [ask(base, SMALL, connection=c)[0] for c in clients] == [200] * 8
        time.sleep(12)  # the engine writes a 500 on its kept-alive connections after about 10 s idle
        assert [ask(base, SMALL, connection=c)[0] for c in clients for _ in range(3)] == [200] * 24
    finally:
        for client in clients:
            client.close()


@pytest.mark.parametrize("served", [["--allow-service", "*"]], indirect=True)
def test_an_engine_error_mid_answer_is_a_5xx_not_a_200(served: tuple[str, list[str]]) -> None:
    base, _ = served
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        unused = closed.getsockname()[1]
    for target in ("ftp://127.0.0.1/x", f"http://127.0.0.1:{unused}/sparql"):
        status, body = ask(base, f"SELECT * {{ SERVICE <{target}> {{ ?x ?y ?z }} }}")
        assert status >= 400, (target, status, body)
        assert status != 200
    assert ask(base, SMALL)[0] == 200


def test_truncated_results_are_told_from_whole_ones() -> None:
    assert _complete(b'{"head": {}, "results": {"bindings": []}}\n', "application/sparql-results+json")
    assert not _complete(b'{"head": {}, "results": {"bindings": [{"s": ', "application/sparql-results+json")
    assert _complete(b"<sparql><results></results></sparql>\n", "application/sparql-results+xml; charset=utf-8")
    assert not _complete(b"<sparql><results><result", "application/sparql-results+xml")
    assert service_targets("SELECT * { SERVICE $v { } SERVICE <http://h/> { } }") == ["?", "http://h/"]
