"""kg reason --endpoint and kg validate --endpoint on a real Oxigraph server on 127.0.0.1, filled by kg push: the same
inferred triples and the same SHACL results as the local commands on the build folder."""

from __future__ import annotations

import doctest
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_push import free_port, remote_count, sparql, started

import kg.reason.remote
from kg.errors import ReasoningError, StoreError
from kg.interfaces.cli import main
from kg.reason.reasoning import INFERRED_FILE
from kg.reason.remote import SCRATCH_GRAPH, WORK_GRAPH, reason_endpoint, validate_endpoint
from kg.reason.validation import validate
from kg.serve.engine import oxigraph_binary
from kg.store.push import push
from kg.store.triplestore import INFERRED_GRAPH, STORE_DIR, GraphSet, TripleStore

STALE = ("<https://w3id.org/kg-news/id/Q159> <https://w3id.org/kg-news/ontology#alliedWith> "
         "<https://w3id.org/kg-news/id/Q30>")


def construct(base: str, where: str) -> set[ox.Triple]:
    """The triples a CONSTRUCT over `where` gives at the server `base`."""
    request = urllib.request.Request(f"{base}/query", data=f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}".encode(),
                                     headers={"Content-Type": "application/sparql-query",
                                              "Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return {q.triple for q in ox.parse(response.read(), format=ox.RdfFormat.N_TRIPLES)}


def inferred_graph(base: str) -> set[ox.Triple]:
    return construct(base, f"GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }}")


def update(base: str, text: str) -> None:
    request = urllib.request.Request(f"{base}/update", data=text.encode(),
                                     headers={"Content-Type": "application/sparql-update"})
    with urllib.request.urlopen(request, timeout=60):
        pass


def local_reason(build: Path, folder: Path) -> tuple[set[ox.Triple], set[ox.Triple]]:
    """`kg reason DIR` on a copy of `build`: the triples of its inferred.ttl, and of its store's default graph."""
    shutil.copytree(build, folder)
    assert main(["reason", str(folder), "--reasoner", "fast"]) == 0
    inferred = {q.triple for q in ox.parse(path=str(folder / INFERRED_FILE), format=ox.RdfFormat.TURTLE)}
    with TripleStore.open(folder / STORE_DIR, read_only=True) as store:
        merged = {q.triple for q in store.inner.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    return inferred, merged


@pytest.fixture()
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A read-write Oxigraph server on a free local port, its store in tmp_path/remote; its base URL."""
    port = free_port()
    command = [oxigraph_binary(), "serve", "--location", str(tmp_path / "remote"), "--bind", f"127.0.0.1:{port}"]
    yield from (f"http://127.0.0.1:{port}" for _ in started(command, f"http://127.0.0.1:{port}/"))


@pytest.mark.slow
def test_reason_endpoint_gives_the_inferred_triples_of_kg_reason_dir_and_again_the_same(
        dev_build: Path, server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    push(dev_build, endpoint=f"{server}/store", graphs=[GraphSet.ASSERTED, GraphSet.WIKIDATA])
    assert not inferred_graph(server)
    local, merged = local_reason(dev_build, tmp_path / "local")
    assert main(["reason", "--endpoint", f"{server}/query"]) == 0
    assert f"{len(local)} inferred" in capsys.readouterr().out
    assert inferred_graph(server) == local and len(local) > 1000
    assert construct(server, "?s ?p ?o") == merged  # the merge kg push wrote holds them too, as the local store
    before = remote_count(server)
    report = reason_endpoint(f"{server}/query")  # again: nothing grows, nothing is repeated, no scratch graph left
    assert (report.inferred, remote_count(server), inferred_graph(server)) == (len(local), before, local)
    assert not sparql(f"{server}/query", f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                                         f"FILTER(?g IN (<{WORK_GRAPH}>, <{SCRATCH_GRAPH}>)) }} LIMIT 1")


@pytest.mark.slow
def test_reason_endpoint_replaces_an_older_inferred_graph_in_the_merge_too(
        seed_build: Path, server: str, tmp_path: Path) -> None:
    push(seed_build, endpoint=f"{server}/store")  # every graph, the build's inferred one included
    update(server, f"INSERT DATA {{ GRAPH <{INFERRED_GRAPH.value}> {{ {STALE} }} {STALE} }}")  # an older run's
    local, merged = local_reason(seed_build, tmp_path / "local")
    reason_endpoint(f"{server}/query")
    assert inferred_graph(server) == local
    assert construct(server, "?s ?p ?o") == merged  # the stale triple left the merge as well


@pytest.mark.slow
def test_reason_endpoint_on_a_store_of_layer_graphs_loaded_by_load_commands(seed_build: Path, tmp_path: Path) -> None:
    from kg.interfaces.api import load_commands

    location, port = tmp_path / "layers", free_port()
    for command in load_commands(seed_build, location):
        subprocess.run([oxigraph_binary(), *command[1:]], check=True, capture_output=True)
    local, merged = local_reason(seed_build, tmp_path / "local")
    serve = [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    for _ in started(serve, f"http://127.0.0.1:{port}/"):
        base = f"http://127.0.0.1:{port}"
        update(base, f"DELETE WHERE {{ GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }} }}")
        assert reason_endpoint(f"{base}/query").inferred == len(local)
        assert inferred_graph(base) == local and construct(base, "?s ?p ?o") == merged


@pytest.mark.slow
def test_validate_endpoint_reports_what_kg_validate_dir_reports_and_a_violation_put_there(
        dev_build: Path, server: str, capsys: pytest.CaptureFixture[str]) -> None:
    push(dev_build, endpoint=f"{server}/store")
    local = validate(dev_build)
    remote = validate_endpoint(f"{server}/query")
    assert (remote.conforms, remote.results) == (local.conforms, local.results)
    article = sparql(f"{server}/query", "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                                        "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/kg-news/id/article/')) } LIMIT 1")
    update(server, f"INSERT DATA {{ GRAPH <{article[0]['g']}> {{ <https://w3id.org/kg-news/id/exercise/planted> a "
                   "<https://w3id.org/kg-news/ontology#MilitaryExercise> } }")
    assert main(["validate", "--endpoint", f"{server}/query"]) == 1
    out = capsys.readouterr().out
    assert f"{server}/query: does not conform, {local.violations + 2} violation(s)" in out
    assert "Violation: kgid:exercise/planted kg:name" in out


@pytest.mark.slow
def test_an_unreachable_or_read_only_endpoint_is_named_and_nothing_stored_is_lost(
        seed_build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    for command in (["reason"], ["validate"]):
        assert main([*command, "--endpoint", f"http://127.0.0.1:{port}/query"]) == 2
        assert f"cannot reach the SPARQL endpoint http://127.0.0.1:{port}/" in capsys.readouterr().err
    location = tmp_path / "remote"
    writable = [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    for _ in started(writable, f"http://127.0.0.1:{port}/"):
        push(seed_build, endpoint=f"http://127.0.0.1:{port}/store")
        stored = remote_count(f"http://127.0.0.1:{port}")
    read_only = [oxigraph_binary(), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    for _ in started(read_only, f"http://127.0.0.1:{port}/"):
        with pytest.raises(StoreError, match=f"http://127.0.0.1:{port}/update refused an update .*read-only"):
            reason_endpoint(f"http://127.0.0.1:{port}/query")
        assert remote_count(f"http://127.0.0.1:{port}") == stored
        assert validate_endpoint(f"http://127.0.0.1:{port}/query").conforms  # reading needs no writing


def test_owlrl_does_not_run_on_a_remote_store() -> None:
    with pytest.raises(ReasoningError, match="fast"):
        reason_endpoint("http://127.0.0.1:9/query", reasoner="owlrl")


def test_docstring_examples_run() -> None:
    failed, _ = doctest.testmod(kg.reason.remote, optionflags=doctest.ELLIPSIS)
    assert failed == 0

