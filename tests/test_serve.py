"""kg serve: the Oxigraph server, read-only, behind the proxy that limits answer sizes. Every test runs the real
engine: answers that fit come back byte for byte as the engine gives them, larger ones are refused (413), updates
are refused (403), queries over the timeout are stopped (504), Ctrl-C stops the engine too."""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_push import assert_same_answers, free_port, local_count, remote_count, started, wait_for

from kg.errors import StoreError
from kg.query.catalogue import saved_queries
from kg.serve.engine import engine_query_budget, serve_command
from kg.serve.handler import RESULT_TOO_LARGE
from kg.serve.server import serve, start_proxy

SMALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3"
LARGE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 200"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # a triple cross product: minutes


def fetch(base: str, path: str, body: str | None = None, *, method: str | None = None,
          content_type: str = "application/sparql-query") -> tuple[int, str, bytes]:
    """Status, Content-Type and body of one request, whatever the status."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        headers = {"Content-Type": content_type, "Accept": "application/sparql-results+json"} if body else {}
        connection.request(method or ("POST" if body is not None else "GET"), path,
                           body=body.encode() if body is not None else None, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def query(base: str, text: str) -> tuple[int, str, bytes]:
    return fetch(base, "/query", text)


@pytest.fixture()
def build(seed_build: Path, tmp_path: Path) -> Path:
    """A copy of the sample build (serving may synchronise its store)."""
    copy = tmp_path / "seed"
    shutil.copytree(seed_build, copy)
    return copy


@pytest.fixture()
def engine(build: Path) -> Iterator[str]:
    """The Oxigraph server alone on the build, read-only: the reference the proxy must not change."""
    port = free_port()
    yield from (f"http://127.0.0.1:{port}" for _ in started(serve_command(build, port=port, timeout=30),
                                                            f"http://127.0.0.1:{port}/"))


def kg_serve(build: Path, port: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "kg", "serve", str(build), "--port", str(port), *options]


def engines_on(store: Path) -> list[int]:
    """The ids of the Oxigraph servers running on `store`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve-read-only" in words and str(store).encode() in words:
            found.append(int(cmdline.parent.name))
    return found


@pytest.mark.slow
def test_serve_is_a_read_only_endpoint_with_a_query_page(dev_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "dev"
    shutil.copytree(dev_build, build)
    port, direct_port = free_port(), free_port()
    base, direct = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{direct_port}"
    command = serve_command(build, port=direct_port, timeout=30)
    assert command[1] == "serve-read-only" and f"127.0.0.1:{direct_port}" in command
    assert command[command.index("--timeout-s") + 1] == "30"
    for _ in started(command, f"{direct}/"):
        for _ in started(kg_serve(build, port, "--timeout", "30"), f"{base}/"):
            status, kind, page = fetch(base, "/")
            assert status == 200 and kind == "text/html" and b"yasgui" in page.lower()
            assert fetch(base, "/yasgui.min.js") == fetch(direct, "/yasgui.min.js")  # 1 MB, the page's script
            # every saved query gives the engine's very bytes through the proxy, and the answers of `kg query`
            for name, saved in saved_queries().items():
                if saved.requires != "network" and all(p.default is not None for p in saved.parameters):
                    assert query(base, saved.text) == query(direct, saved.text), name
            assert_same_answers(build, f"{base}/query")
            refused = [fetch(base, "/update", "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
                             content_type="application/sparql-update"),
                       fetch(base, "/store?default", "<urn:x:a> <urn:x:b> <urn:x:c> .",
                             content_type="application/n-triples"),
                       fetch(base, "/store?default", "<urn:x:a> <urn:x:b> <urn:x:c> .", method="PUT",
                             content_type="application/n-triples"),
                       fetch(base, "/store?default", method="DELETE")]
            assert [status for status, _, _ in refused] == [403] * 4
            # an update sent as a query is not a query: the engine refuses to parse it
            assert query(base, "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")[0] == 400
            assert remote_count(base) == local_count(build)


@pytest.mark.slow
def test_answers_over_the_limit_are_refused(build: Path, engine: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    for _ in started(kg_serve(build, port, "--max-result-bytes", "2000"), f"{base}/"):
        small = query(base, SMALL)
        assert small[0] == 200 and len(small[2]) <= 2000 and small == query(engine, SMALL)
        status, kind, body = query(base, LARGE)
        assert query(engine, LARGE)[0] == 200 and len(query(engine, LARGE)[2]) > 2000
        assert status == RESULT_TOO_LARGE == 413 and kind.startswith("text/plain")
        assert body.decode() == ("The result exceeded 2000 bytes: add LIMIT to the query or raise "
                                 "--max-result-bytes (0: no limit)\n")
        # the whole store through the Graph Store Protocol too; the query page is not limited
        assert fetch(base, "/store?default")[0] == 413
        assert fetch(base, "/")[0] == 200 and fetch(base, "/yasgui.min.js")[0] == 200
        assert query(base, SMALL) == small  # the proxy still answers after dropping a connection to the engine


@pytest.mark.slow
def test_the_proxy_alone_in_front_of_an_engine(engine: str) -> None:
    upstream = ("127.0.0.1", int(engine.rsplit(":", 1)[1]))
    limited = start_proxy(upstream, max_result_bytes=2000)
    unlimited = start_proxy(upstream, max_result_bytes=0)
    try:
        assert query(limited.url, SMALL) == query(engine, SMALL)
        assert query(limited.url, LARGE)[0] == 413
        assert query(unlimited.url, LARGE) == query(engine, LARGE)  # streamed on, chunked
        assert fetch(unlimited.url, "/store?default") == fetch(engine, "/store?default")
        connection = http.client.HTTPConnection("127.0.0.1", limited.server_address[1], timeout=10)
        connection.request("POST", "/query", body=iter([SMALL[:20].encode(), SMALL[20:].encode()]),
                           headers={"Content-Type": "application/sparql-query"}, encode_chunked=True)
        assert connection.getresponse().read() == query(engine, SMALL)[2]  # a chunked request body
        connection.close()
        for base in (limited.url, unlimited.url):
            assert fetch(base, "/", method="HEAD")[:2] == (200, "text/html")
            assert fetch(base, "/update", "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
                         content_type="application/sparql-update")[0] == 403
            assert fetch(base, "/store?default", method="PATCH")[0] == 403
    finally:
        for proxy in (limited, unlimited):
            proxy.shutdown()
            proxy.server_close()
    with pytest.raises(ValueError, match="max_result_bytes"):
        start_proxy(upstream, max_result_bytes=-1)


@pytest.mark.slow
def test_queries_over_the_engine_budget_are_told_to_retry(engine: str) -> None:
    """Oxigraph keeps a thread per query for its whole timeout: past a budget of queries per timeout, 503."""
    upstream = ("127.0.0.1", int(engine.rsplit(":", 1)[1]))
    proxy = start_proxy(upstream, query_timeout=30, query_budget=3)
    try:
        assert [query(proxy.url, SMALL)[0] for _ in range(4)] == [200, 200, 200, 503]
        status, kind, body = fetch(proxy.url, "/")
        assert status == 200  # the query page is not counted
        connection = http.client.HTTPConnection("127.0.0.1", proxy.server_address[1], timeout=10)
        connection.request("GET", "/query?query=" + urllib.parse.quote(SMALL))
        response = connection.getresponse()
        assert response.status == 503 and 0 < int(response.getheader("Retry-After", "0")) <= 30
        assert b"lower --timeout" in response.read()
        connection.close()
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert engine_query_budget() >= 1000


@pytest.mark.slow
def test_queries_over_the_timeout_are_stopped(build: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    for _ in started(kg_serve(build, port, "--timeout", "1"), f"{base}/"):
        began = time.monotonic()
        status, kind, body = query(base, SLOW)
        assert status == 504 and kind.startswith("text/plain") and b"1 s" in body
        assert time.monotonic() - began < 30
        assert query(base, SMALL)[0] == 200


@pytest.mark.slow
def test_ctrl_c_stops_the_engine_without_a_traceback(build: Path) -> None:
    port = free_port()
    process = subprocess.Popen(kg_serve(build, port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(f"http://127.0.0.1:{port}/", process)
        assert len(engines_on(build / "store")) == 1
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0 and b"Traceback" not in err, err
    assert f"http://127.0.0.1:{port}/query".encode() in err
    assert engines_on(build / "store") == []


def test_serve_refuses_a_folder_without_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        serve_command(tmp_path)
    with pytest.raises(StoreError, match="no store"):
        serve(tmp_path, port=free_port())
    with pytest.raises(ValueError, match="port"):
        serve_command(tmp_path, port=0)
    with pytest.raises(ValueError, match="port"):
        serve(tmp_path, port=70000)


@pytest.mark.slow
def test_an_address_in_use_is_an_error_and_bad_options_a_usage_error(build: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from kg.interfaces.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["serve", str(build), "--port", str(taken.getsockname()[1])]) == 1
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err
    assert engines_on(build / "store") == []
    for options in (["--port", "0"], ["--max-result-bytes", "-1"], ["--timeout", "nan"], ["--cors", "null"],
                    ["--cors", "http://a.example/page"], ["--cors", "a.example"], ["--max-in-flight", "0"],
                    ["--max-queued", "-1"]):
        with pytest.raises(SystemExit) as usage:
            main(["serve", str(build), *options])
        assert usage.value.code == 2
