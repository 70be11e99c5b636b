"""One named-graph scheme and one query path: `kg.open(x).using(...)` chooses the same layers on a build folder (its
store, or its files when the store is stale), on `kg serve` and on a store filled by `kg push`, and `kg query` asks
through the same function as `kg.open(...).query`. The servers are real Oxigraph servers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_push import free_port, sparql, started
from test_serve import kg_serve

import kg
from kg.interfaces.cli import main
from kg.query.graph import QueryGraph, StoreSource
from kg.serve.engine import oxigraph_binary
from kg.store.folder import BuildFolder, stale_files, sync
from kg.store.layers import LAYER_FILES, LAYER_GRAPHS, STORE_DIR
from kg.store.push import push
from kg.store.triplestore import ASSERTED_GRAPH, TripleStore

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CO_MEMBERS = "SELECT (COUNT(*) AS ?n) WHERE { ?a kg:coMemberOf ?b }"  # the reasoner's rules only


def _triples(build: Path, layer: str) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(path=str(build / LAYER_FILES[layer]), format=ox.RdfFormat.TURTLE)}


def _n(graph: QueryGraph, query: str, **flags: bool) -> int:
    rows = graph.using(**flags).rows(query)[1]
    return int(rows[0]["n"] or 0)


def assert_layers_answer(graph: QueryGraph, build: Path) -> None:
    """The layers `using` chooses give what the build's files hold, layer by layer."""
    asserted, inferred = _triples(build, "asserted"), _triples(build, "inferred")
    assert not asserted & inferred  # the reasoner writes only new triples
    assert _n(graph, COUNT, inferred=False, wikidata=False) == len(asserted)
    assert _n(graph, COUNT, inferred=True, wikidata=False) == len(asserted) + len(inferred)
    # an inferred co-membership is there with the inferred layer and absent without it
    assert _n(graph, CO_MEMBERS, inferred=False, wikidata=False) == 0
    assert _n(graph, CO_MEMBERS, inferred=True, wikidata=False) > 0
    # the CSTO's members come from Wikidata only: the article never names the CSTO
    members = {(name, flags["wikidata"]): len(graph.using(**flags).rows("members", organisation="CSTO")[1])
               for name, flags in [("asserted", {"inferred": False, "wikidata": False}),
                                   ("wikidata", {"inferred": False, "wikidata": True})]}
    assert members == {("asserted", False): 0, ("wikidata", True): 4}


def test_using_chooses_the_layers_of_a_build_folder_read_from_its_store(seed_build: Path) -> None:
    graph = kg.open(seed_build)
    assert isinstance(graph._source, StoreSource) and graph._source.from_store  # no Turtle file parsed
    assert graph.layers == ("asserted", "inferred", "wikidata")
    assert_layers_answer(graph, seed_build)
    # all layers: the default graph, the merge of the files with each triple once
    merged = set().union(*(_triples(seed_build, layer) for layer in LAYER_FILES))
    assert _n(graph, COUNT) == len(merged)


def test_a_stale_store_is_not_read_the_files_answer_the_same(seed_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "seed"
    shutil.copytree(seed_build, build)
    inferred = build / "inferred.ttl"
    os.utime(inferred, ns=(inferred.stat().st_atime_ns, inferred.stat().st_mtime_ns + 1_000_000_000))
    assert stale_files(build) == ["inferred.ttl"]
    graph = kg.open(build)
    assert isinstance(graph._source, StoreSource) and not graph._source.from_store
    assert_layers_answer(graph, build)
    assert sync(build) == ["inferred.ttl"] and BuildFolder(build).open_for_queries().from_store


def test_kg_query_asks_through_the_same_function_as_kg_open(seed_build: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    asked: list[tuple[str, str, tuple[str, ...]]] = []
    select = QueryGraph.select

    def spy(self: QueryGraph, query: str, /, **params: object) -> tuple:
        asked.append((type(self).__name__, query, self.layers))
        return select(self, query, **params)

    monkeypatch.setattr(QueryGraph, "select", spy)
    assert main(["query", "members", "--data", str(seed_build), "--param", "organisation=SCO", "--format",
                 "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == kg.open(seed_build).rows("members", organisation="SCO")[1]
    layers = ("asserted", "inferred", "wikidata")
    assert asked == [("QueryGraph", "members", layers), ("KnowledgeGraph", "members", layers)]


def test_a_store_from_before_the_layer_graphs_is_read_from_the_files_until_synchronised(seed_build: Path,
                                                                                       tmp_path: Path) -> None:
    build = tmp_path / "seed"
    shutil.copytree(seed_build, build)
    with TripleStore.open(build / STORE_DIR) as store:
        store.inner.remove_graph(ASSERTED_GRAPH)
    assert BuildFolder(build).open_query_store() is None and not stale_files(build)
    assert_layers_answer(kg.open(build), build)
    sync(build)
    with TripleStore.open(build / STORE_DIR, read_only=True) as store:
        asserted = {q.triple for q in store.inner.quads_for_pattern(None, None, None, ASSERTED_GRAPH)}
    assert asserted == _triples(build, "asserted")
    assert BuildFolder(build).open_for_queries().from_store


def test_using_chooses_the_layers_of_kg_serve(seed_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "seed"
    shutil.copytree(seed_build, build)
    port = free_port()
    for _ in started(kg_serve(build, port), f"http://127.0.0.1:{port}/"):
        remote = kg.open(f"http://127.0.0.1:{port}/query")
        assert remote.is_remote
        assert_layers_answer(remote, build)


@pytest.fixture()
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """A read-write Oxigraph server on a free local port; its base URL."""
    port = free_port()
    command = [oxigraph_binary(), "serve", "--location", str(tmp_path / "remote"), "--bind", f"127.0.0.1:{port}"]
    yield from (f"http://127.0.0.1:{port}" for _ in started(command, f"http://127.0.0.1:{port}/"))


def test_using_chooses_the_layers_of_a_store_filled_by_kg_push(seed_build: Path, oxigraph_server: str) -> None:
    report = push(seed_build, endpoint=f"{oxigraph_server}/store")
    assert report.graphs > 4
    remote = kg.open(f"{oxigraph_server}/query")
    assert_layers_answer(remote, seed_build)
    # the pushed layer graphs are the build's files
    for layer in LAYER_FILES:
        rows = sparql(f"{oxigraph_server}/query",
                      f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{LAYER_GRAPHS[layer]}> {{ ?s ?p ?o }} }}")
        assert int(rows[0]["n"] or 0) == len(_triples(seed_build, layer)), layer
