"""The Python API: kg.open on a build folder and on a real SPARQL endpoint, typed DataFrames, layers, parameters.

The endpoint is `oxigraph serve` on 127.0.0.1 (the `oxigraph` CLI of the test extras), loaded with the seed's
layers in their named graphs; nothing here touches the internet.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import URIRef
from test_push import started

import kg
from kg.errors import QueryError, StoreError
from kg.interfaces.api import (
    DEFAULT_PREFIXES,
    IRI,
    LAYER_FILES,
    LAYER_GRAPHS,
    KnowledgeGraph,
    Results,
    catalogue,
    load_commands,
    to_frame,
)
from kg.query.binding import to_term, where_start, with_values
from kg.query.catalogue import get_query, saved_queries
from kg.query.local import select

INJECTION = 'x" } ; DROP ALL ; #'
XSD = "http://www.w3.org/2001/XMLSchema#"
LOCAL_QUERIES = sorted(n for n, q in saved_queries().items() if q.requires != "network")


# ---------------------------------------------------------------------------------------------------------------
# Fixtures: the seed opened locally, and the same build behind oxigraph serve


@pytest.fixture(scope="module")
def seed(seed_build: Path) -> KnowledgeGraph:
    """The seed's build folder, opened with every layer."""
    return kg.open(seed_build)


def _oxigraph() -> str:
    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("the oxigraph CLI is missing: pip install -e '.[test]' (PyPI package `oxigraph`)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`oxigraph serve` on a free port of 127.0.0.1, over a store loaded by `commands` (oxigraph load …)."""

    def __init__(self, location: Path, commands: list[list[str]]) -> None:
        binary = _oxigraph()
        for command in commands:
            subprocess.run([binary, *command[1:]], check=True, capture_output=True)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.process = subprocess.Popen([binary, "serve", "--location", str(location), "--bind",
                                         f"127.0.0.1:{self.port}"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}?query=ASK%7B%7D", timeout=1):
                    return
            except (urllib.error.URLError, OSError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"oxigraph serve did not start on port {self.port}")
                time.sleep(0.05)

    def triples(self) -> int:
        """How many quads the server's store holds, all graphs."""
        query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        request = urllib.request.Request(f"{self.url}?query={query}", headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.read().decode().split()[-1])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def endpoint(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The seed's layers in their named graphs (kg.interfaces.api.load_commands) behind oxigraph serve."""
    location = tmp_path_factory.mktemp("layers") / "db"
    server = Server(location, load_commands(seed_build, location))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def plain_endpoint(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The seed's files all in the default graph of oxigraph serve, as someone might load them."""
    location = tmp_path_factory.mktemp("plain") / "db"
    files = [str(seed_build / name) for name in LAYER_FILES.values()]
    server = Server(location, [["oxigraph", "load", "--location", str(location), "--file", *files]])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`kg serve` on a copy of the seed's build (serving may bring its store in line); its SPARQL URL."""
    build = tmp_path_factory.mktemp("served") / "seed"
    shutil.copytree(seed_build, build)
    port = _free_port()
    command = [sys.executable, "-m", "kg", "serve", str(build), "--port", str(port), "--timeout", "30"]
    yield from (f"http://127.0.0.1:{port}/query" for _ in started(command, f"http://127.0.0.1:{port}/"))


@pytest.fixture(scope="module")
def pushed(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seed's store sent by `kg push` to oxigraph serve, the merge in the remote default graph; its SPARQL URL."""
    from kg.store.push import push

    server = Server(tmp_path_factory.mktemp("pushed") / "db", [])
    push(seed_build, endpoint=server.url.removesuffix("/query") + "/store")
    yield server.url
    server.stop()


# ---------------------------------------------------------------------------------------------------------------
# Local folders: typed DataFrames, IRIs, layers


def test_open_answers_saved_queries_with_typed_dataframes(seed: KnowledgeGraph) -> None:
    frame = seed.query("exercises-by-year")
    assert isinstance(frame, pd.DataFrame) and isinstance(frame, Results)
    assert pd.api.types.is_datetime64_any_dtype(frame["start"])
    assert str(frame["participant_count"].dtype) == "Int64" and str(frame["start_year"].dtype) == "Int64"
    assert all(isinstance(v, IRI) for v in frame["exercise"])
    druzhba = frame[frame["name"] == "Druzhba 2017"].iloc[0]
    assert druzhba["start"] == pd.Timestamp("2017-09-01") and pd.isna(druzhba["end"])  # "2017-09": its first day
    assert druzhba["reported"] == "2017-09" and druzhba["start_year"] == 2017


def test_iris_show_with_the_graphs_prefixes_but_stay_full_iris(seed: KnowledgeGraph) -> None:
    frame = seed.query("states")
    assert frame["state"].str.startswith("https://w3id.org/kg-news/id/Q").all()
    shown = repr(frame) + frame._repr_html_()
    assert "kgid:Q668" in shown and "https://w3id.org/kg-news/id/Q668" not in shown
    assert "kgid:Q668" in repr(frame.head(3).sort_values("label"))  # the display survives pandas operations
    india = frame[frame["label"] == "India"]["state"].iloc[0]
    assert seed.query("SELECT ?label WHERE { ?s rdfs:label ?label FILTER(LANG(?label) = 'fr') }", s=india
                      )["label"].tolist() == ["Inde"]  # an IRI from an answer binds as an IRI


@pytest.mark.parametrize("name", ["SCO", "sco", "OCS", "Shanghai Cooperation Organisation", "Q485207",
                                  "https://w3id.org/kg-news/id/Q485207"])
def test_members_of_an_organisation_named_by_label_abbreviation_qid_or_iri(seed: KnowledgeGraph, name: str) -> None:
    frame = seed.query("members", organisation=name)
    assert {"member", "member_label", "since"} <= set(frame.columns)
    assert set(frame["member_label"]) == {"China", "India", "Kazakhstan", "Kyrgyzstan", "Pakistan", "Russia",
                                          "Tajikistan", "Uzbekistan"}


def test_members_since_when_and_from_which_source(seed: KnowledgeGraph) -> None:
    since = seed.query("members", organisation="SCO").set_index("member_label")
    assert since.loc["India", "since"] == pd.Timestamp("2017-06-09")  # Wikidata's P580 (wikidata.ttl)
    assert since.loc["Russia", "since"] == pd.Timestamp("2001-06-15")
    assert set(since["source"]) == {"articles, Wikidata"}
    csto = seed.query("members", organisation="CSTO")  # Wikidata only: the article never names the CSTO
    assert set(csto["member_label"]) == {"Russia", "Kazakhstan", "Kyrgyzstan", "Tajikistan"}
    assert set(csto["source"]) == {"Wikidata"}


def test_layers_switch_between_asserted_inferred_and_wikidata(seed: KnowledgeGraph) -> None:
    asserted = seed.using(inferred=False, wikidata=False)
    assert asserted.layers == ("asserted",) and seed.layers == ("asserted", "inferred", "wikidata")
    pairs = "SELECT (COUNT(*) AS ?n) WHERE { ?a kg:coMemberOf ?b }"
    assert asserted.query(pairs)["n"][0] == 0
    assert seed.using(wikidata=False).query(pairs)["n"][0] > 0
    assert len(asserted.query("members", organisation="CSTO")) == 0
    assert len(seed.query("members", organisation="CSTO")) == 4
    assert seed.using(inferred=False, wikidata=False).using(inferred=True).layers == ("asserted", "inferred")


def test_sparql_text_takes_parameters_and_the_graphs_prefixes(seed: KnowledgeGraph) -> None:
    frame = seed.query("SELECT ?state WHERE { ?state a kg:State ; rdfs:label ?name }", name=ox.Literal("Inde",
                                                                                                       language="fr"))
    assert frame["state"].tolist() == ["https://w3id.org/kg-news/id/Q668"]
    count = seed.query("SELECT (COUNT(*) AS ?n) WHERE { ?e kg:startDate ?d FILTER(YEAR(?d) = ?y) }", y=2018)
    assert count["n"][0] == 1


def test_graph_is_the_rdflib_graph_of_the_same_layers(seed: KnowledgeGraph) -> None:
    from rdflib import RDF, Namespace

    ns = Namespace("https://w3id.org/kg-news/ontology#")
    asserted = seed.using(inferred=False, wikidata=False).graph
    assert len(set(asserted.subjects(RDF.type, ns.MilitaryExercise))) == 2
    assert not list(asserted.triples((None, ns.coMemberOf, None)))
    assert list(seed.graph.triples((None, ns.coMemberOf, None)))
    assert str(dict(seed.graph.namespaces())["kgid"]) == DEFAULT_PREFIXES["kgid"]


def test_catalogue_lists_every_saved_query() -> None:
    table = catalogue()
    assert len(table) == len(saved_queries()) >= 15
    assert table["description"].str.len().min() > 20


def test_open_without_a_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no graph.ttl"):
        kg.open(tmp_path)


def test_importing_kg_does_no_work() -> None:
    code = "import sys, kg; assert callable(kg.load_ipython_extension); " \
           "print(sorted(m for m in ('pandas', 'pyoxigraph', 'rdflib', 'spacy', 'kg.interfaces.api') " \
           "if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_default_prefixes_are_the_ones_the_build_writes() -> None:
    from kg.rdf.mapping import PREFIXES

    assert DEFAULT_PREFIXES == {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


# ---------------------------------------------------------------------------------------------------------------
# Typed columns


def _lit(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype) if datatype else None)


def test_columns_are_typed_by_their_rdf_datatypes() -> None:
    rows = [[_lit("3", "integer"), _lit("2.5", "decimal"), _lit("2017", "gYear"), _lit("true", "boolean"),
             _lit("Inde", language="fr"), ox.NamedNode("https://w3id.org/kg-news/id/Q668"), _lit("x")],
            [None, _lit("1", "integer"), _lit("2001-06-15T00:00:00Z", "dateTime"), None, _lit("b"), None,
             ox.NamedNode("urn:y")]]
    frame = to_frame(["n", "x", "d", "b", "s", "iri", "mixed"], rows, DEFAULT_PREFIXES)
    assert str(frame["n"].dtype) == "Int64" and pd.isna(frame["n"][1])
    assert frame["x"].dtype == "float64" and frame["x"].tolist() == [2.5, 1.0]
    assert pd.api.types.is_datetime64_any_dtype(frame["d"])
    assert frame["d"].tolist() == [pd.Timestamp("2017-01-01"), pd.Timestamp("2001-06-15")]
    assert str(frame["b"].dtype) == "boolean" and bool(frame["b"][0])
    assert frame["s"].tolist() == ["Inde", "b"]
    assert frame["mixed"].tolist() == ["x", "urn:y"] and isinstance(frame["mixed"][1], IRI)
    assert "kgid:Q668" in repr(frame)


def test_an_empty_answer_keeps_its_columns() -> None:
    frame = to_frame(["a", "b"], [])
    assert list(frame.columns) == ["a", "b"] and frame.empty


# ---------------------------------------------------------------------------------------------------------------
# Parameters: values, never query text


def _param_cases() -> list[tuple[str, str]]:
    return [(name, p.name) for name in LOCAL_QUERIES for p in get_query(name).parameters
            if p.kind in ("text", "iri") or p.choices]


@pytest.mark.parametrize(("name", "param"), _param_cases())
def test_the_injection_string_is_only_a_value(seed_build: Path, seed: KnowledgeGraph, name: str, param: str) -> None:
    before = {f: hashlib.sha256((seed_build / f).read_bytes()).hexdigest() for f in LAYER_FILES.values()}
    size = len(seed.store)
    try:
        frame = seed.query(name, **{param: INJECTION})
    except QueryError as err:  # an IRI or a choice parameter refuses it, naming the parameter
        assert param in str(err) and name in str(err)
    else:
        assert frame.empty
    assert len(seed.store) == size
    assert before == {f: hashlib.sha256((seed_build / f).read_bytes()).hexdigest() for f in LAYER_FILES.values()}


@pytest.mark.parametrize(("name", "params", "message"), [
    ("members", {"colour": "red"}, "query 'members' has no parameter colour; parameters: organisation"),
    ("exercises-by-year", {"year": "last year"}, "parameter year must be an integer; got 'last year'"),
    ("exercises-by-year", {"year": True}, "parameter year must be an integer"),
    ("timeline", {"only": "battles"}, "parameter only must be one of all, exercise, deal, membership, rivalry"),
    ("evidence", {"property": "memberOf"}, "parameter property must be an IRI or a prefixed name"),
    ("evidence", {"property": "kg:member Of"}, "parameter property must be an IRI"),
    ("members", {"organisation": "a\x00b"}, "cannot contain NUL"),
    ("members", {"organisation": ["SCO"]}, "must be text, a finite number, a date or an IRI; got list"),
    ("members", {"organisation": float("nan")}, "must be text, a finite number"),
    ("members", {"organisation": ox.BlankNode()}, "a blank node cannot be bound"),
])
def test_bad_parameters_are_clear_errors(seed: KnowledgeGraph, name: str, params: dict, message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        seed.query(name, **params)


def test_parameters_are_typed_by_their_declaration(seed: KnowledgeGraph) -> None:
    assert seed.query("exercises-by-year", year="2018")["name"].tolist() == ["Mission de paix 2018"]
    assert seed.query("exercises-by-year", year=2017)["name"].tolist() == ["Druzhba 2017"]
    assert len(seed.query("evidence", property="kg:memberOf", about="Pakistan")) == 2
    assert len(seed.query("evidence", property="https://w3id.org/kg-news/ontology#memberOf", about="Q843")) == 2
    assert str(to_term(datetime.date(2018, 5, 21))) == f'"2018-05-21"^^<{XSD}date>'


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30))
@example(INJECTION)
@example('\\u0022 } ; DROP ALL ; #')
@example("'''\"\"\" } # \\")
@example("a\nb\r\tc\u2028")
def test_any_text_binds_as_exactly_one_literal(text: str) -> None:
    store = ox.Store()
    p = ox.NamedNode("urn:p")
    store.add(ox.Quad(ox.NamedNode("urn:match"), p, ox.Literal(text)))
    store.add(ox.Quad(ox.NamedNode("urn:other"), p, ox.Literal(text + "!")))
    columns, rows = select(store, "SELECT ?s WHERE { ?s <urn:p> ?v }", values={"v": to_term(text)})
    assert rows == [[ox.NamedNode("urn:match")]]
    assert len(store) == 2


@pytest.mark.parametrize(("sparql", "head"), [
    ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE {"),
    ("select ?x { ?x ?p ?o }", "select ?x {"),
    ("PREFIX a: <http://x/a#> SELECT ?x WHERE { ?x a:p ?o }", "PREFIX a: <http://x/a#> SELECT ?x WHERE {"),
    ("# a comment { with a brace\nSELECT ?x WHERE { ?x ?p '{' }", "# a comment { with a brace\nSELECT ?x WHERE {"),
    ("SELECT (EXISTS { ?x ?p ?o } AS ?e) WHERE { ?x ?p ?o }", "SELECT (EXISTS { ?x ?p ?o } AS ?e) WHERE {"),
    ('SELECT ("""{""" AS ?b) WHERE { }', 'SELECT ("""{""" AS ?b) WHERE {'),
    ("ASK { ?s ?p ?o }", "ASK {"),
])
def test_values_go_at_the_top_of_the_where_clause(sparql: str, head: str) -> None:
    assert sparql[:where_start(sparql)] == head
    assert with_values(sparql, {"v": ox.Literal("x")}).startswith(head + ' VALUES (?v) { ("x") }')


def test_only_select_and_ask_queries_take_parameters() -> None:
    with pytest.raises(QueryError, match="SELECT and ASK"):
        with_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"v": ox.Literal("x")})
    with pytest.raises(QueryError, match="not a SPARQL variable name"):
        with_values("SELECT * WHERE { }", {"v }": ox.Literal("x")})


# ---------------------------------------------------------------------------------------------------------------
# Saved queries


def test_every_parameter_is_documented_and_used_by_its_query() -> None:
    for query in saved_queries().values():
        for p in query.parameters:
            assert p.doc, f"{query.name}: parameter {p.name} has no description"
            assert re.search(rf"\?{p.name}\b", query.text), f"{query.name}: ?{p.name} is not in the query"


def test_the_saved_queries_answer_the_analysts_questions(seed: KnowledgeGraph) -> None:
    assert set(seed.query("participants", exercise="druzhba")["participant_label"]) == {"Pakistan", "Russia"}
    assert seed.query("participants", state="Inde")["name"].tolist() == ["Mission de paix 2018"]
    suppliers = seed.query("arms-suppliers", recipient="Pakistan")
    assert suppliers["supplier_label"].tolist() == ["Russia"] and "JF-17" in suppliers["items"][0]
    flows = seed.query("arms-flows-between-alliances")
    assert flows[["supplier_bloc", "recipient_bloc"]].values.tolist() == [
        ["Collective Security Treaty Organization", "(none)"]]
    assert seed.query("rivalries", state="Q843")[["party_label", "rival_label"]].values.tolist() == [
        ["India", "Pakistan"]]
    assert {"Ftouh Souhail", "Caucase"} <= set(seed.query("unlinked-entities")["label"])
    assert set(seed.query("memberships-of", state="Russie")["organisation_label"]) >= {
        "Shanghai Cooperation Organisation", "Collective Security Treaty Organization"}
    timeline = seed.query("timeline", only="exercise")
    assert timeline["label"].tolist() == ["Druzhba 2017", "Mission de paix 2018"]
    assert seed.query("articles")["published"][0] == pd.Timestamp("2018-05-21")
    network = seed.query("co-membership", organisation="CSTO")
    assert len(network) == 6 and network["allied"].all()


def test_conflicting_values_are_listed_side_by_side(tmp_path: Path) -> None:
    (tmp_path / "graph.ttl").write_text("""
@prefix kg: <https://w3id.org/kg-news/ontology#> . @prefix kgid: <https://w3id.org/kg-news/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
kgid:a1 a kg:Article ; dcterms:identifier "one" . kgid:a2 a kg:Article ; dcterms:identifier "two" .
kgid:ex a kg:MilitaryExercise ; kg:name "Vostok" ; kg:startDate "2018-09-11"^^xsd:date , "2018-09-13"^^xsd:date .
kgid:t1 a kg:Attestation ; rdf:subject kgid:ex ; rdf:predicate kg:startDate ; rdf:object "2018-09-11"^^xsd:date ;
  kg:article kgid:a1 ; kg:sentence "Vostok starts on 11 September." .
kgid:t2 a kg:Attestation ; rdf:subject kgid:ex ; rdf:predicate kg:startDate ; rdf:object "2018-09-13"^^xsd:date ;
  kg:article kgid:a2 ; kg:sentence "Vostok began on 13 September." .
""", encoding="utf-8")
    frame = kg.open(tmp_path).query("conflicting-values")
    assert frame[["subject_label", "value_label", "articles", "alternatives"]].values.tolist() == [
        ["Vostok", "2018-09-11", "one", 2], ["Vostok", "2018-09-13", "two", 2]]
    assert kg.open(tmp_path).query("conflicting-values", property="kg:host").empty


# ---------------------------------------------------------------------------------------------------------------
# A remote endpoint: the same saved queries, unchanged


def _normalised(rows: list[dict[str, str | None]]) -> list[tuple]:
    """Rows comparable across stores: GROUP_CONCAT lists sorted (their order is the store's), rows sorted."""
    def cell(value: str | None) -> str:
        return "" if value is None else " | ".join(sorted(re.split(r", |; | / | \| ", value)))
    return sorted(tuple(cell(v) for v in row.values()) for row in rows)


@pytest.mark.parametrize("layers", [{}, {"inferred": False, "wikidata": False}], ids=["all", "asserted"])
@pytest.mark.parametrize("name", LOCAL_QUERIES)
def test_every_saved_query_answers_the_same_on_an_endpoint(seed: KnowledgeGraph, endpoint: Server, name: str,
                                                           layers: dict) -> None:
    remote = kg.open(endpoint.url).using(**layers)
    local = seed.using(**layers)
    local_columns, local_rows = local.rows(name)
    remote_columns, remote_rows = remote.rows(name)
    assert remote_columns == local_columns
    assert _normalised(remote_rows) == _normalised(local_rows)


COUNTS = {"triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
          "memberships": "SELECT (COUNT(*) AS ?n) WHERE { ?s kg:memberOf ?o }"}


@pytest.mark.slow
@pytest.mark.parametrize("target", ["served", "pushed", "endpoint"])
@pytest.mark.parametrize("inferred", [True, False], ids=["inferred", "no-inferred"])
@pytest.mark.parametrize("wikidata", [True, False], ids=["wikidata", "no-wikidata"])
def test_counts_are_the_folders_through_kg_serve_kg_push_and_loaded_layers(
        seed: KnowledgeGraph, request: pytest.FixtureRequest, target: str, inferred: bool, wikidata: bool) -> None:
    """The layers overlap (memberships both said and in Wikidata), so their union counts some triples twice: all
    layers are read from the endpoint's merge (its default graph), as from the folder's; some of them from the
    union of their layer graphs on both."""
    found = request.getfixturevalue(target)
    url = found.url if isinstance(found, Server) else found
    local, remote = seed.using(inferred=inferred, wikidata=wikidata), kg.open(url).using(inferred=inferred,
                                                                                           wikidata=wikidata)
    for name, text in COUNTS.items():
        assert remote.query(text)["n"][0] == local.query(text)["n"][0] > 0, name
    if inferred and wikidata:  # what makes the answers differ: a membership in two layers
        graphs = ", ".join(f"<{LAYER_GRAPHS[layer]}>" for layer in seed.layers)
        union = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s kg:memberOf ?o }} FILTER(?g IN ({graphs})) }}"
        assert seed.query(union)["n"][0] > local.query(COUNTS["memberships"])["n"][0]


def test_an_endpoint_answers_with_typed_dataframes(endpoint: Server) -> None:
    remote = kg.open(endpoint.url)
    assert remote.is_remote and "127.0.0.1" in repr(remote)
    frame = remote.query("members", organisation="SCO")
    assert pd.api.types.is_datetime64_any_dtype(frame["since"]) and len(frame) == 8
    assert "kgid:Q668" in repr(frame)
    assert len(remote.using(inferred=False, wikidata=False).query("members", organisation="CSTO")) == 0
    india, wikidata = URIRef("https://w3id.org/kg-news/id/Q668"), URIRef("https://w3id.org/kg-news/ontology#wikidata")
    assert remote.graph.value(india, wikidata) == URIRef("http://www.wikidata.org/entity/Q668")


def test_the_injection_string_changes_nothing_at_the_endpoint(endpoint: Server) -> None:
    remote = kg.open(endpoint.url)
    before = endpoint.triples()
    for name, param in _param_cases():
        try:
            assert remote.query(name, **{param: INJECTION}).empty
        except QueryError as err:
            assert param in str(err)
    assert remote.query("SELECT ?s WHERE { ?s ?p ?v }", v=INJECTION).empty
    assert endpoint.triples() == before > 0


def test_an_endpoint_without_layer_graphs_answers_from_its_default_graph(plain_endpoint: Server) -> None:
    remote = kg.open(plain_endpoint.url)
    assert len(remote.query("members", organisation="SCO")) == 8
    with pytest.raises(QueryError, match="keeps no kg layers in named graphs"):
        remote.using(inferred=False).query("states")


def test_an_endpoint_without_any_kg_graph_is_an_error_not_an_empty_answer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kg.interfaces.cli import main

    empty = Server(tmp_path / "db", [])
    try:
        with pytest.raises(QueryError, match="holds no kg graph"):
            kg.open(empty.url).query("states")
        assert main(["query", "states", "--endpoint", empty.url]) == 1
        err = capsys.readouterr().err
        assert empty.url in err and "holds no kg graph" in err
    finally:
        empty.stop()


def test_the_layer_check_names_the_graph_in_a_filter(endpoint: Server, plain_endpoint: Server,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Virtuoso answers `ASK { GRAPH <absent> { … } }` with true when a default graph applies: the check is asked
    in a form every engine answers alike, and each endpoint is told apart by it."""
    import kg.query.endpoint

    asked: list[str] = []
    ask = kg.query.endpoint.ask_endpoint
    monkeypatch.setattr(kg.query.endpoint, "ask_endpoint",
                        lambda url, text, **kw: asked.append(text) or ask(url, text, **kw))
    assert len(kg.open(endpoint.url).query("members", organisation="SCO")) == 8
    assert len(kg.open(plain_endpoint.url).query("members", organisation="SCO")) == 8
    assert asked[0] == asked[3] == ("ASK { GRAPH ?g { ?s ?p ?o } FILTER(?g = "
                                    "<https://w3id.org/kg-news/graph/asserted>) }")
    assert asked[1] == asked[4] == ("ASK { GRAPH ?g { ?s ?p ?o } FILTER(?g = "
                                    "<https://w3id.org/kg-news/graph/merged>) }")
    assert "COUNT" in asked[2]  # the layers' endpoint: is its default graph their merge (each article once)?
    assert len(asked) == 6  # the plain endpoint: no layers, no merged graph, kg articles in its default graph


def test_an_unreachable_endpoint_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{_free_port()}/query"
    with pytest.raises(QueryError, match=re.escape(url)):
        kg.open(url, timeout=5).query("states")


def test_a_syntax_error_names_the_endpoint_and_the_servers_message(endpoint: Server) -> None:
    with pytest.raises(QueryError, match=re.escape(endpoint.url)):
        kg.open(endpoint.url).query("SELECT ?x WHERE { ?x ?y }")


def test_kg_query_asks_an_endpoint(endpoint: Server, capsys: pytest.CaptureFixture[str]) -> None:
    from kg.interfaces.cli import main

    assert main(["query", "members", "--endpoint", endpoint.url, "--param", "organisation=Q485207",
                 "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("member,member_label,member_wikidata,since")
    assert len(out.strip().splitlines()) == 9
