"""kg push to a real Oxigraph server on 127.0.0.1: equal counts and equal saved-query answers."""

from __future__ import annotations

import base64
import http.server
import json
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import StoreError
from kg.interfaces.cli import main
from kg.query.catalogue import saved_queries
from kg.query.local import run
from kg.serve.engine import oxigraph_binary
from kg.store.folder import open_query_store
from kg.store.push import PushFormat, push
from kg.store.triplestore import STORE_DIR, GraphSet, TripleStore

#: The saved queries whose columns are a public contract (README, "Saved queries").
CONTRACT = ("states", "organisations", "exercises", "exercise-participants", "arms-deals", "memberships")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stderr.read() if process.stderr else ''!r}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise TimeoutError(f"no answer from {url} in {limit} s")


def started(command: list[str], url: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(url, process)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[str]:
    """A read-write Oxigraph server on a free local port; its base URL."""
    port = free_port()
    command = [oxigraph_binary(), "serve", "--location", str(tmp_path / "remote"), "--bind", f"127.0.0.1:{port}"]
    yield from (f"http://127.0.0.1:{port}" for _ in started(command, f"http://127.0.0.1:{port}/"))


def sparql(url: str, query: str) -> list[dict[str, str | None]]:
    """SELECT rows from a SPARQL endpoint, each value as its plain text."""
    request = urllib.request.Request(url, data=query.encode("utf-8"), method="POST", headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        data = json.load(response)
    names = data["head"]["vars"]
    return [{n: b[n]["value"] if n in b else None for n in names} for b in data["results"]["bindings"]]


def remote_count(base: str) -> int:
    rows = sparql(f"{base}/query", "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
    return int(rows[0]["n"] or 0)


def local_count(build: Path) -> int:
    """Every quad of the build's store: its article, layer and default graphs."""
    with TripleStore.open(build / STORE_DIR, read_only=True) as store:
        return len(store.inner)


def answers(rows: list[dict[str, str | None]]) -> list[list[tuple[str, str | None]]]:
    """Sorted rows, GROUP_CONCAT cells with their parts sorted (their order is the engine's)."""
    import re

    def cell(value: str | None) -> str | None:
        return "|".join(sorted(re.split(r"[;,] | \| ", value))) if value else value

    return sorted((sorted((k, cell(v)) for k, v in row.items()) for row in rows), key=str)


def assert_same_answers(build: Path, endpoint: str) -> None:
    store = open_query_store(build)
    assert store is not None
    for name, query in saved_queries().items():
        if query.requires == "network" or any(p.default is None for p in query.parameters):
            continue
        _, local = run(store, query.text, label=name, default_graph=[ox.DefaultGraph()])
        remote = sparql(endpoint, query.text)
        assert len(remote) == len(local), name
        if name in CONTRACT:
            assert answers(remote) == answers(local), name


@pytest.mark.slow
def test_push_gives_equal_counts_and_equal_saved_query_answers(dev_build: Path, server: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    report = push(dev_build, endpoint=f"{server}/store", batch=700)
    articles = len(list((Path(__file__).parent / "data" / "dev" / "articles").glob("*.txt"))) + 1  # and the seed
    assert report.graphs == articles + 3 + 1  # one per article, the asserted, Wikidata and inferred layers, default
    assert remote_count(server) == local_count(dev_build) == report.triples
    assert_same_answers(dev_build, f"{server}/query")
    # and through `kg query --endpoint`
    assert main(["query", "memberships", "--endpoint", f"{server}/query", "--format", "json"]) == 0
    remote = json.loads(capsys.readouterr().out)
    assert main(["query", "memberships", "--data", str(dev_build), "--format", "json"]) == 0
    assert answers(remote) == answers(json.loads(capsys.readouterr().out))
    # pushing again adds nothing; with --replace each graph is replaced, not doubled
    push(dev_build, endpoint=f"{server}/store")
    push(dev_build, endpoint=f"{server}/store", replace=True, fmt=PushFormat.TTL)
    assert remote_count(server) == local_count(dev_build)


@pytest.mark.slow
def test_push_into_one_graph_and_through_the_cli(seed_build: Path, server: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    graph = "https://example.org/graphs/kg"
    assert main(["push", str(seed_build), "--endpoint", f"{server}/store", "--graph", graph, "--replace",
                 "--graphs", "asserted"]) == 0
    assert "pushed" in capsys.readouterr().out
    rows = sparql(f"{server}/query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    with TripleStore.open(seed_build / STORE_DIR, read_only=True) as store:
        assert int(rows[0]["n"] or 0) == store.count([GraphSet.ASSERTED], merged=True)
    assert remote_count(server) == int(rows[0]["n"] or 0)


@pytest.mark.slow
def test_push_errors_name_the_endpoint(seed_build: Path, server: str) -> None:
    with pytest.raises(StoreError, match="HTTP 404"):
        push(seed_build, endpoint=f"{server}/no-such-service", graphs=[GraphSet.INFERRED])
    port = free_port()
    with pytest.raises(StoreError, match=f"127.0.0.1:{port}"):
        push(seed_build, endpoint=f"http://127.0.0.1:{port}/store", graphs=[GraphSet.INFERRED])
    with pytest.raises(StoreError, match="invalid graph IRI"):
        push(seed_build, endpoint=f"{server}/store", graph="not an iri")


class _BasicAuthStore(http.server.BaseHTTPRequestHandler):
    """A Graph Store endpoint that, like Fuseki or GraphDB with security on, wants HTTP Basic credentials."""

    expected = "Basic " + base64.b64encode(b"kg-writer:s3cret pass").decode()
    received: list[tuple[str, str, int]] = []

    def _store(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if self.headers.get("Authorization") != self.expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="kg test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        graph = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("graph", ["default"])[0]
        self.received.append((self.command, graph, body.count(b"\n")))
        self.send_response(204)
        self.end_headers()

    do_PUT = do_POST = _store

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the signature of the base class
        """Quiet."""


@pytest.fixture()
def basic_auth_store() -> Iterator[str]:
    """The Basic-auth Graph Store endpoint on a free local port; its URL."""
    _BasicAuthStore.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BasicAuthStore)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/ds/data"
    server.shutdown()
    server.server_close()


def test_push_sends_credentials_from_a_netrc_file_never_from_the_url(
        seed_build: Path, basic_auth_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_PUSH_USER", raising=False)
    monkeypatch.delenv("KG_PUSH_PASSWORD", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "absent"))
    with pytest.raises(StoreError, match=re.escape(basic_auth_store) + " failed: HTTP 401"):
        push(seed_build, endpoint=basic_auth_store)
    with pytest.raises(StoreError, match="credentials in the endpoint URL are not used"):
        push(seed_build, endpoint=basic_auth_store.replace("//", "//kg-writer:s3cret@"))
    netrc = tmp_path / "netrc"
    netrc.write_text('machine 127.0.0.1 login kg-writer password "s3cret pass"\n', encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    report = push(seed_build, endpoint=basic_auth_store)
    assert report.triples == local_count(seed_build) and len(_BasicAuthStore.received) == report.requests
    assert {graph for _, graph, _ in _BasicAuthStore.received} >= {"default", "https://w3id.org/kg-news/graph/inferred"}
    assert sum(lines for _, _, lines in _BasicAuthStore.received) == report.triples  # N-Triples, one line each


def test_push_credentials_come_from_both_variables_or_neither(monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.store.push import credentials

    monkeypatch.setenv("KG_PUSH_USER", "dba")
    monkeypatch.delenv("KG_PUSH_PASSWORD", raising=False)
    with pytest.raises(StoreError, match="KG_PUSH_PASSWORD"):
        credentials("http://127.0.0.1:8890/sparql-graph-crud-auth")
    monkeypatch.setenv("KG_PUSH_PASSWORD", "dba")
    assert credentials("http://127.0.0.1:8890/sparql-graph-crud-auth") == ("dba", "dba")
