"""A hostile or broken Wikidata endpoint on 127.0.0.1 never crashes, hangs or floods a build: every mode ends
within the client's deadline with a warning, and the snapshot fills in (issue 16, case 5)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import RDF, URIRef

from kg.errors import LinkingError
from kg.rdf.mapping import new_graph
from kg.rdf.ontology import KG, KGID
from kg.wikidata.client import WikidataClient
from kg.wikidata.enrich import enrich

WD = "http://www.wikidata.org/entity/"
INDIA, SCO = "Q668", "Q485207"
Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


class HostileEndpoint:
    """An HTTP server on 127.0.0.1 whose every request is answered by `handler`; counts the requests."""

    def __init__(self, handler: Handler) -> None:
        self.requests = 0
        hostile = self

        class Handle(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                hostile.requests += 1
                try:
                    handler(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hostile() -> Iterator[Callable[[Handler], HostileEndpoint]]:
    made: list[HostileEndpoint] = []

    def make(handler: Handler) -> HostileEndpoint:
        made.append(HostileEndpoint(handler))
        return made[-1]

    yield make
    for server in made:
        server.close()


def _json(rows: list[dict[str, dict[str, str]]]) -> Handler:
    body = json.dumps({"head": {"vars": []}, "results": {"bindings": rows}}).encode()

    def answer(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/sparql-results+json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
    return answer


def _uri(qid: str) -> dict[str, str]:
    return {"type": "uri", "value": f"{WD}{qid}"}


def _literal(value: str, **extra: str) -> dict[str, str]:
    return {"type": "literal", "value": value, **extra}


def _graph_of_india():  # noqa: ANN202 - an rdflib Graph
    graph = new_graph()
    graph.add((URIRef(f"{KGID}{INDIA}"), RDF.type, KG.State))
    graph.add((URIRef(f"{KGID}{INDIA}"), KG.wikidata, URIRef(f"{WD}{INDIA}")))
    return graph


def _client(url: str, cache: Path, **options: object) -> WikidataClient:
    settings: dict[str, object] = {"timeout": 2.0, "retries": 0, "deadline": 3.0, "max_bytes": 1_000_000, **options}
    return WikidataClient(url, cache_dir=cache, **settings)  # type: ignore[arg-type]


def _enrich_within(client: WikidataClient, seconds: float, *, snapshot: bool = True):  # noqa: ANN202
    """`enrich` of a graph naming India with `client`, timed; with `snapshot`, the snapshot's facts filled in."""
    started = time.monotonic()
    result = enrich(_graph_of_india(), client=client)
    assert time.monotonic() - started < seconds
    if snapshot:
        assert (URIRef(f"{KGID}{INDIA}"), KG.memberOf, URIRef(f"{KGID}{SCO}")) in result.graph
    return result


def test_a_lone_surrogate_in_a_label_is_cached_as_valid_utf8(hostile: Callable[[Handler], HostileEndpoint],
                                                             tmp_path: Path) -> None:
    server = hostile(_json([{"item": _uri(INDIA), "prop": _literal("label"),
                             "value": _literal("Inde\ud800", **{"xml:lang": "fr"})}]))
    result = _enrich_within(_client(server.url, tmp_path), 30)
    assert result.mode == "online"
    for cached in tmp_path.glob("*.json"):
        json.loads(cached.read_bytes().decode("utf-8"))  # strict UTF-8: no surrogate was written
    labels = {str(o) for o in result.graph.objects(None, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
    assert "Inde\ufffd" in labels


@pytest.mark.parametrize("row", [
    {"item": _uri(INDIA)},  # no ?prop, ?value, ?org, ?name
    {"org": _uri(SCO), "name": _literal("India")},  # no ?item
    {"item": _uri(INDIA), "org": _uri(SCO), "start": _literal("2017-06-09T00:00:00Z"),
     "startPrecision": _literal("eleven"), "prop": _literal("P31"), "value": _uri("Q6256")},
    {"item": {"type": "uri"}, "org": 42},  # terms without a value, of the wrong type
])
def test_malformed_rows_are_skipped_counted_and_warned(hostile: Callable[[Handler], HostileEndpoint],
                                                       tmp_path: Path, row: dict) -> None:
    server = hostile(_json([row, {"item": _uri(INDIA), "prop": _literal("label"),
                                  "value": _literal("India", **{"xml:lang": "en"})}]))
    client = _client(server.url, tmp_path)
    result = _enrich_within(client, 30, snapshot=False)  # the endpoint's other rows stand
    assert client.skipped_rows > 0
    assert any("malformed answer row(s) skipped" in warning for warning in result.warnings), result.warnings


def test_a_redirect_to_another_port_is_not_followed(hostile: Callable[[Handler], HostileEndpoint],
                                                    tmp_path: Path) -> None:
    elsewhere = hostile(_json([]))

    def redirect(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(302)
        request.send_header("Location", elsewhere.url)
        request.send_header("Content-Length", "0")
        request.end_headers()

    server = hostile(redirect)
    result = _enrich_within(_client(server.url, tmp_path), 30)
    assert elsewhere.requests == 0
    (warning,) = result.warnings
    assert "another host or port: not followed" in warning and result.mode == "offline"


def test_a_redirect_within_the_endpoint_is_followed(hostile: Callable[[Handler], HostileEndpoint],
                                                    tmp_path: Path) -> None:
    answer = _json([{"s": _uri(INDIA)}])

    def handler(request: http.server.BaseHTTPRequestHandler) -> None:
        if request.path.startswith("/sparql/"):
            answer(request)
            return
        request.send_response(301)
        request.send_header("Location", "/sparql/" + request.path[len("/sparql"):])
        request.send_header("Content-Length", "0")
        request.end_headers()

    server = hostile(handler)
    assert _client(server.url, tmp_path).select("SELECT ?s WHERE { ?s ?p ?o }") is not None


def test_an_endpoint_sending_a_byte_at_a_time_is_cut_off_at_the_deadline(
        hostile: Callable[[Handler], HostileEndpoint], tmp_path: Path) -> None:
    stop = threading.Event()

    def dribble(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Length", "1000000")
        request.end_headers()
        while not stop.is_set():
            request.wfile.write(b" ")
            request.wfile.flush()
            time.sleep(0.2)  # each byte well within the 2 s read timeout

    server = hostile(dribble)
    try:
        result = _enrich_within(_client(server.url, tmp_path, deadline=1.5), 10)
    finally:
        stop.set()
    (warning,) = result.warnings
    assert "no complete answer within the deadline of 1.5 s" in warning


def test_headers_sent_a_byte_at_a_time_are_cut_off_at_the_deadline(
        hostile: Callable[[Handler], HostileEndpoint], tmp_path: Path) -> None:
    stop = threading.Event()

    def dribble(request: http.server.BaseHTTPRequestHandler) -> None:
        request.wfile.write(b"HTTP/1.1 200 OK\r\n")
        while not stop.is_set():
            request.wfile.write(b"X")
            request.wfile.flush()
            time.sleep(0.2)

    server = hostile(dribble)
    try:
        with pytest.raises(LinkingError, match="deadline"):
            started = time.monotonic()
            _client(server.url, tmp_path, deadline=1.0).select("SELECT * WHERE { ?s ?p ?o }")
    finally:
        stop.set()
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("announced", [True, False])
def test_an_answer_over_the_byte_budget_is_dropped_unread(hostile: Callable[[Handler], HostileEndpoint],
                                                          tmp_path: Path, announced: bool) -> None:
    sent: list[int] = []

    def flood(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        if announced:
            request.send_header("Content-Length", str(300_000_000))
        else:
            request.send_header("Connection", "close")
        request.end_headers()
        chunk = b'{"head": {}, "results": {"bindings": [' + b" " * 65536
        total = 0
        try:
            while total < 300_000_000:
                request.wfile.write(chunk)
                total += len(chunk)
        except OSError:
            pass
        finally:
            sent.append(total)

    server = hostile(flood)
    client = _client(server.url, tmp_path, max_bytes=2_000_000, deadline=20.0)
    result = _enrich_within(client, 30)
    (warning,) = result.warnings
    assert "over the budget of 2000000 bytes: dropped" in warning
    assert not list(tmp_path.glob("*.json"))  # nothing cached
    time.sleep(0.5)
    assert sent and sent[0] < 300_000_000  # the client stopped reading and closed the connection


def test_a_connection_refused_is_unreachable_at_once(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(LinkingError, match="unreachable"):
        _client(f"http://127.0.0.1:{port}/sparql", tmp_path).select("SELECT * WHERE { ?s ?p ?o }")
