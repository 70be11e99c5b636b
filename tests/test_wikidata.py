"""Wikidata links and enrichment (`kg.wikidata.enrich`), its SPARQL client (`kg.wikidata.client`) and context links
(`kg.extract.ambiguity`).

The happy path runs against a real SPARQL server: `oxigraph serve` on 127.0.0.1, loaded with the Wikidata-shaped
dataset in tests/data/wikidata (made from the snapshot tables by scripts/make_wikidata_testdata.py). Misbehaving
endpoints (slow, 429, 500, malformed or empty answers) are a small http.server in a thread. No test touches the
internet: the default build is run with every socket connection refused.
"""

from __future__ import annotations

import csv
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.errors import LinkingError
from kg.extract import Extractor
from kg.extract.ambiguity import resolve_ambiguous
from kg.extract.gazetteer import load_gazetteer
from kg.interfaces.cli import main
from kg.query.catalogue import QUERIES_DIR
from kg.query.local import load_store, run, run_saved
from kg.rdf.mapping import new_graph
from kg.rdf.ontology import KG, KGID, ONTOLOGY_DIR, WD, WDT
from kg.rdf.serialise import serialise, sorted_triples, write_graph
from kg.wikidata.client import USER_AGENT, WikidataClient, retry_after
from kg.wikidata.enrich import PQ, PS, _choose, enrich
from kg.wikidata.snapshot import Snapshot, load_snapshot

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TESTDATA = DATA / "wikidata"
SEED = ROOT / "corpus" / "sample"
SCO, NATO, UN, CSTO = "Q485207", "Q7184", "Q1065", "Q318693"


def kgid(local: str) -> URIRef:
    return URIRef(f"{KGID}{local}")


# ---------------------------------------------------------------------------------------------------------------
# A real SPARQL server: oxigraph serve


def oxigraph_binary() -> str:
    """The `oxigraph` CLI of the test environment (PyPI package `oxigraph`, a declared test dependency)."""
    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("the oxigraph CLI is missing: pip install -e '.[test]' (PyPI package `oxigraph`)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OxigraphServer:
    """`oxigraph serve` on a free local port over a store loaded from `files`."""

    def __init__(self, location: Path, files: list[Path]) -> None:
        binary = oxigraph_binary()
        subprocess.run([binary, "load", "--location", str(location), "--file", *map(str, files)], check=True,
                       capture_output=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.process = subprocess.Popen([binary, "serve", "--location", str(location), "--bind",
                                         f"127.0.0.1:{self.port}"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}?query=ASK%7B%7D", timeout=1):
                    return
            except (urllib.error.URLError, OSError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"oxigraph serve did not start on port {self.port}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a local SPARQL endpoint holding Wikidata-shaped items and the SCO and NATO memberships only."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db", [TESTDATA / "items.ttl"])
    yield server.url
    server.stop()


def client_for(url: str, cache: Path, **options: object) -> WikidataClient:
    options = {"timeout": 10.0, "retries": 0, **options}
    return WikidataClient(url, cache_dir=cache, **options)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------------------
# A misbehaving endpoint: http.server in a thread


class FakeEndpoint:
    """Answers each request with the next of `replies`: (status, headers, body, delay in seconds)."""

    def __init__(self, replies: list[tuple[int, dict[str, str], bytes, float]]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, str]] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                fake.requests.append(dict(self.headers.items()))
                status, headers, body, delay = fake.replies[min(len(fake.requests), len(fake.replies)) - 1]
                time.sleep(delay)
                try:
                    self.send_response(status)
                    for key, value in {"Content-Type": "application/sparql-results+json", **headers}.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_endpoint() -> Iterator[Callable[..., FakeEndpoint]]:
    made: list[FakeEndpoint] = []

    def make(*replies: tuple[int, dict[str, str], bytes, float]) -> FakeEndpoint:
        made.append(FakeEndpoint(list(replies)))
        return made[-1]

    yield make
    for fake in made:
        fake.close()


OK_BODY = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [
    {"s": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1"}}]}}).encode()
EMPTY_RESULT = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": []}}).encode()
QUERY = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every socket connection fails, as on a machine with no network."""

    def refuse(self: socket.socket, address: object) -> None:
        raise OSError(f"test: network use is forbidden (connect to {address})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


# ---------------------------------------------------------------------------------------------------------------
# The client


def test_client_sends_a_descriptive_user_agent(fake_endpoint: Callable[..., FakeEndpoint], tmp_path: Path) -> None:
    fake = fake_endpoint((200, {}, OK_BODY, 0))
    answer = client_for(fake.url, tmp_path).select(QUERY)
    assert answer is not None and answer.rows[0]["s"]["value"].endswith("Q1")
    agent = fake.requests[0]["User-Agent"]
    assert agent == USER_AGENT
    assert agent.startswith("kg/") and "(https://" in agent and "Python/" in agent


def test_client_retries_429_and_503_honouring_retry_after(fake_endpoint: Callable[..., FakeEndpoint],
                                                          tmp_path: Path) -> None:
    fake = fake_endpoint((429, {"Retry-After": "7"}, b"slow down", 0), (503, {}, b"busy", 0), (200, {}, OK_BODY, 0))
    waits: list[float] = []
    client = client_for(fake.url, tmp_path, retries=3, backoff=0.5, sleep=waits.append)
    assert client.select(QUERY) is not None
    assert waits == [7.0, 1.0]  # Retry-After, then the backoff of the second attempt (0.5 × 2)
    assert len(fake.requests) == 3


def test_client_gives_up_on_repeated_500_naming_the_endpoint(fake_endpoint: Callable[..., FakeEndpoint],
                                                             tmp_path: Path) -> None:
    fake = fake_endpoint((500, {}, b"internal error", 0))
    waits: list[float] = []
    client = client_for(fake.url, tmp_path, retries=2, backoff=0.25, sleep=waits.append)
    with pytest.raises(LinkingError, match=rf"{fake.url}.*HTTP 500.*3 attempts"):
        client.select(QUERY)
    assert waits == [0.25, 0.5]
    assert client.select(QUERY) is None  # the endpoint is not asked again in this run
    assert len(fake.requests) == 3


def test_client_refuses_a_retry_after_longer_than_allowed(fake_endpoint: Callable[..., FakeEndpoint],
                                                          tmp_path: Path) -> None:
    fake = fake_endpoint((429, {"Retry-After": "3600"}, b"", 0))
    with pytest.raises(LinkingError, match="retry after 3600 s"):
        client_for(fake.url, tmp_path, retries=3, max_wait=60).select(QUERY)


def test_client_times_out_on_a_slow_endpoint(fake_endpoint: Callable[..., FakeEndpoint], tmp_path: Path) -> None:
    fake = fake_endpoint((200, {}, OK_BODY, 3.0))
    started = time.monotonic()
    with pytest.raises(LinkingError, match="timed out"):
        client_for(fake.url, tmp_path, timeout=0.3).select(QUERY)
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(("body", "message"), [
    (b'{"head": {"vars": []}, "results": {"bindings": [', "malformed JSON"),
    (b"<html>Please set a user-agent</html>", "malformed JSON"),
    (b"", "empty answer"),
    (b'{"head": {}, "results": {}}', "not a SPARQL JSON result"),
])
def test_client_rejects_malformed_answers(fake_endpoint: Callable[..., FakeEndpoint], tmp_path: Path, body: bytes,
                                          message: str) -> None:
    fake = fake_endpoint((200, {}, body, 0))
    with pytest.raises(LinkingError, match=message):
        client_for(fake.url, tmp_path).select(QUERY)
    assert not list(tmp_path.iterdir())  # nothing cached


def test_empty_answer_to_a_lookup_that_must_match_is_an_error(fake_endpoint: Callable[..., FakeEndpoint],
                                                              tmp_path: Path) -> None:
    fake = fake_endpoint((200, {}, EMPTY_RESULT, 0))
    answer = client_for(fake.url, tmp_path).select(QUERY)
    assert answer is not None and answer.rows == ()  # an empty answer may be "no data"…
    with pytest.raises(LinkingError, match="must match.*User-Agent"):  # …but not for items that exist
        client_for(fake.url, tmp_path).select(QUERY + " # items", must_match=True)


def test_client_403_points_at_the_user_agent(fake_endpoint: Callable[..., FakeEndpoint], tmp_path: Path) -> None:
    fake = fake_endpoint((403, {}, b"Forbidden", 0))
    with pytest.raises(LinkingError, match="403.*User-Agent"):
        client_for(fake.url, tmp_path, retries=3).select(QUERY)
    assert len(fake.requests) == 1


def test_retry_after_reads_seconds_and_http_dates() -> None:
    import datetime as dt

    now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after({"Retry-After": "120"}, now) == 120.0
    assert retry_after({"Retry-After": "Thu, 01 Jan 2026 12:00:30 GMT"}, now) == 30.0
    assert retry_after({}, now) is None


def test_offline_client_reads_the_cache_and_never_connects(endpoint: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    online = client_for(endpoint, tmp_path)
    first = online.select("SELECT ?l WHERE { <http://www.wikidata.org/entity/Q668> ?p ?l } LIMIT 3")
    assert first is not None and not first.cached and len(first.rows) == 3
    offline = client_for(endpoint, tmp_path, offline=True)
    monkeypatch.setattr(socket.socket, "connect", lambda *a: pytest.fail("the offline client connected"))
    again = offline.select("SELECT ?l WHERE { <http://www.wikidata.org/entity/Q668> ?p ?l } LIMIT 3")
    assert again is not None and again.cached and (again.rows, again.fetched) == (first.rows, first.fetched)
    assert offline.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1") is None


# ---------------------------------------------------------------------------------------------------------------
# Links, on the seed and the development set


def _reference_names() -> dict[str, set[str]]:
    """QID → every name the reference tables and the curated gazetteer give it (lower case)."""
    names: dict[str, set[str]] = {}
    tables = ROOT / "kg" / "data" / "wikidata"
    for path in (tables / "states.csv", tables / "organisations.csv"):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                names.setdefault(row["qid"], set()).update(
                    v.lower() for k, v in row.items() if v and k.startswith(("label", "abbrev")))
    gaz = load_gazetteer()
    for lang in ("en", "fr"):
        for term in gaz.terms.get(lang, []):
            qid = gaz.entities[term.entity_id].qid
            if qid:
                names.setdefault(qid, set()).add(term.text.lower())
    return names


def _gold_qids() -> dict[str, dict[str, str | None]]:
    """Per dev-set article, each gold state and organisation → its QID in the reference tables (None: no QID)."""
    names = {name: qid for qid, ns in _reference_names().items() for name in ns}
    gaz = load_gazetteer()
    local = {e.label_en.lower(): None for e in gaz.entities.values() if not e.qid}
    gold = {}
    for line in (DATA / "dev" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        wanted = {}
        for name in record["states"] + record["organisations"]:
            assert name.lower() in names or name.lower() in local, f"{name!r} is in no reference table"
            wanted[name] = names.get(name.lower())
        gold[record["file"].rsplit("/", 1)[-1]] = wanted
    return gold


def test_every_gold_state_and_organisation_found_links_to_its_reference_qid(dev_build: Path) -> None:
    """A gold state or organisation the build finds is linked to the QID the reference tables give it (recall
    is the evaluation's business, not this test's)."""
    found: dict[str, dict[str, str | None]] = {}
    labels: dict[str, set[str]] = {}
    for query, column in (("states", "state"), ("organisations", "organisation")):
        for r in run_saved(query, dev_build)[1]:
            found.setdefault(str(r["article"]), {})[str(r[column])] = r["wikidata"]
            labels.setdefault(str(r["article"]), set()).add(str(r["label"]).lower())
    names = _reference_names()
    checked = 0
    for article, wanted in _gold_qids().items():
        linked = set(found.get(article, {}).values())
        for name, qid in wanted.items():
            if qid is None:  # the Quad: no QID in the reference tables, so a local IRI and no link
                if name.lower() in labels.get(article, set()):
                    checked += 1
                    assert any(v is None for v in found[article].values()), (article, name)
            elif names[qid] & labels.get(article, set()):
                checked += 1
                assert qid in linked, (article, name, qid)
    assert checked >= 200, checked


def test_no_wrong_link_every_surface_form_is_a_name_of_its_qid(dev_build: Path) -> None:
    names = _reference_names()
    g = Graph().parse(dev_build / "graph.ttl").parse(dev_build / "wikidata.ttl")
    links = list(g.subjects(RDF.predicate, KG.wikidata))
    found = {str(r["wikidata"]) for q in ("states", "organisations") for r in run_saved(q, dev_build)[1]
             if r["wikidata"]}
    assert len({g.value(a, RDF.subject) for a in links}) == len(found)  # each state and organisation with a QID
    for att in links:
        qid = str(g.value(att, RDF.object)).removeprefix(str(WD))
        surface = str(g.value(att, KG.surfaceForm)).lower()
        assert surface in names[qid], (qid, surface)
        assert (g.value(att, RDF.subject), KG.wikidata, g.value(att, RDF.object)) in g


def test_french_and_english_articles_share_one_iri_per_state(dev_build: Path) -> None:
    g = Graph().parse(dev_build / "graph.ttl")
    for qid in ("Q668", "Q43", "Q30", "Q408"):  # India, Turkey, United States, Australia
        (entity,) = set(g.subjects(KG.wikidata, WD[qid]))
        assert entity == kgid(qid)
        langs = {str(g.value(a, DCTERMS.language)) for a in g.subjects(KG.mentions, entity)}
        assert langs == {"en", "fr"}, qid


def test_link_attestations_give_evidence_and_confidence(dev_build: Path) -> None:
    import pyshacl

    wikidata = Graph().parse(dev_build / "wikidata.ttl")
    rules = {str(r) for a in wikidata.subjects(RDF.predicate, KG.wikidata) for r in wikidata.objects(a, KG.rule)}
    assert rules <= {"wikidata-label", "wikidata-alias", "wikidata-demonym", "wikidata-capital", "wikidata-context",
                     "wikidata-gazetteer"}
    assert {"wikidata-label", "wikidata-alias"} <= rules
    for att in wikidata.subjects(RDF.predicate, KG.wikidata):
        confidence = wikidata.value(att, KG.confidence)
        assert isinstance(confidence, Literal) and Decimal("0") < confidence.toPython() <= Decimal("1")
    links = Graph()
    for att in wikidata.subjects(RDF.predicate, KG.wikidata):
        for p, o in wikidata.predicate_objects(att):
            links.add((att, p, o))
    conforms, _, text = pyshacl.validate(links, shacl_graph=Graph().parse(ONTOLOGY_DIR / "shapes.ttl"))
    assert conforms, text


def test_quad_is_left_unlinked_and_reported_offline(dev_build: Path) -> None:
    """The Quad's QID rests on one source and the reference tables give none: it stays a slug, reported unlinked."""
    report = json.loads((dev_build / "report.json").read_text(encoding="utf-8"))["wikidata"]
    assert report["mode"] == "offline"
    assert any(u.startswith("Quadrilateral Security Dialogue") for u in report["unlinked"])


# ---------------------------------------------------------------------------------------------------------------
# Enrichment from the snapshot


def _graph_of(*qids: str, types: dict[str, URIRef] | None = None) -> Graph:
    g = new_graph()
    for qid in qids:
        g.add((kgid(qid), RDF.type, (types or {}).get(qid, KG.State)))
        g.add((kgid(qid), KG.wikidata, WD[qid]))
    return g


def test_snapshot_enrichment_has_memberships_dates_labels_codes_and_its_date() -> None:
    result = enrich(_graph_of("Q668", "Q43", NATO, types={NATO: KG.MilitaryAlliance}))
    g = result.graph
    assert (kgid("Q668"), KG.memberOf, kgid(SCO)) in g
    assert (kgid("Q43"), KG.memberOf, kgid(NATO)) in g
    (statement,) = [s for s in g.objects(WD.Q668, URIRef("http://www.wikidata.org/prop/P463"))
                    if (s, PS.P463, WD[SCO]) in g]
    start = g.value(statement, PQ.P580)
    assert isinstance(start, Literal) and (str(start), start.datatype) == ("2017-06-09T00:00:00Z", XSD.dateTime)
    source = g.value(statement, PROV.wasDerivedFrom)
    assert str(g.value(source, DCTERMS.date)) == "2026-10-09"
    assert "general knowledge" in str(g.value(source, DCTERMS.title))  # the SCO rows are not from Wikidata
    assert (WD.Q668, RDFS.label, Literal("India", lang="en")) in g
    assert (WD[NATO], RDFS.label, Literal("Organisation du traité de l'Atlantique nord", lang="fr")) in g
    assert (WD.Q668, WDT.P297, Literal("IN")) in g and (WD.Q668, WDT.P298, Literal("IND")) in g
    assert (WD[NATO], WDT.P31, WD.Q1127126) in g
    assert (kgid(UN), RDF.type, KG.Organisation) in g  # organisations no article names come in as members' orgs
    assert result.mode == "offline" and result.snapshot_date == "2026-10-09"


def test_military_alliance_type_comes_from_p31() -> None:
    g = enrich(_graph_of("Q159")).graph  # Russia: a member of the CSTO, typed military alliance by its P31
    assert (kgid("Q159"), KG.memberOf, kgid(CSTO)) in g
    assert (kgid(CSTO), RDF.type, KG.MilitaryAlliance) in g
    assert (kgid(SCO), RDF.type, KG.MilitaryAlliance) not in g


def test_ended_memberships_keep_their_dates_but_are_not_member_of() -> None:
    g = enrich(_graph_of("Q145")).graph  # the United Kingdom left the EU on 2020-01-31
    eu = [s for s in g.subjects(PS.P463, WD.Q458) if (WD.Q145, URIRef("http://www.wikidata.org/prop/P463"), s) in g]
    assert [str(g.value(s, PQ.P582)) for s in eu] == ["2020-01-31T00:00:00Z"]
    assert (kgid("Q145"), KG.memberOf, kgid("Q458")) not in g
    assert (kgid("Q145"), KG.memberOf, kgid(NATO)) in g


def test_snapshot_is_read_from_the_reference_tables() -> None:
    snapshot: Snapshot = load_snapshot()
    assert snapshot.date == "2026-10-09"
    assert len(snapshot.organisations) == 95
    assert sum(1 for s in snapshot.facts.statements if s.prop == "P463") == 404 + 16


def test_testdata_is_made_from_the_snapshot_and_up_to_date() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_wikidata_testdata", ROOT / "scripts" /
                                                  "make_wikidata_testdata.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for name, triples in script.datasets().items():
        assert (TESTDATA / name).read_bytes() == script.serialise(triples), f"run {spec.origin} again"
    assert (TESTDATA / "README.md").is_file()


# ---------------------------------------------------------------------------------------------------------------
# Enrichment from a live endpoint (local oxigraph)


def _sources(g: Graph, qid: str, org: str) -> set[str]:
    p463 = URIRef("http://www.wikidata.org/prop/P463")
    return {str(g.value(s, PROV.wasDerivedFrom)).rsplit("/", 1)[-1] for s in g.objects(WD[qid], p463)
            if (s, PS.P463, WD[org]) in g}


def test_endpoint_answers_what_it_knows_and_the_snapshot_the_rest(endpoint: str, tmp_path: Path) -> None:
    result = enrich(_graph_of("Q668", "Q43", "Q30"), client=client_for(endpoint, tmp_path))
    g = result.graph
    assert result.mode == "online" and not result.warnings
    assert _sources(g, "Q668", SCO) == {"endpoint"}  # SCO and NATO members: the endpoint knows them
    assert _sources(g, "Q43", NATO) == {"endpoint"}
    assert _sources(g, "Q668", UN) == {"snapshot"}  # UN members: it does not, so the snapshot fills in
    assert (kgid("Q668"), KG.memberOf, kgid(SCO)) in g
    (statement,) = [s for s in g.subjects(PS.P463, WD[NATO]) if (WD.Q43, URIRef(
        "http://www.wikidata.org/prop/P463"), s) in g]
    assert str(g.value(statement, PQ.P580)) == "1952-02-18T00:00:00Z"
    source = kgid("wikidata-source/endpoint")
    assert g.value(source, DCTERMS.source) == URIRef(endpoint)
    assert str(g.value(source, PROV.generatedAtTime)) == result.fetched
    assert str(g.value(source, DCTERMS.date)) == str(result.fetched)[:10]
    assert (WD.Q30, RDFS.label, Literal("United States of America", lang="en")) in g  # the endpoint's label


def test_rerun_asks_nothing_and_gives_the_same_graph(endpoint: str, tmp_path: Path) -> None:
    graph = _graph_of("Q668", "Q843", SCO, types={SCO: KG.Organisation})
    first = enrich(graph, client=client_for(endpoint, tmp_path))
    client = client_for("http://127.0.0.1:9/unused", tmp_path)  # nothing listens: any request would fail
    client.endpoint = endpoint  # same endpoint name, so the same cache entries
    second = enrich(graph, client=client)
    assert client.requests == 0 and not second.warnings
    assert serialise(sorted_triples(first.graph)) == serialise(sorted_triples(second.graph))


def test_live_lookup_links_local_entities_by_label_or_alias(endpoint: str, tmp_path: Path) -> None:
    g = new_graph()
    article = kgid("article/a")
    for key, name, lang in (("csto", "Collective Security Treaty Organization", "en"), ("otan", "OTAN", "fr"),
                            ("nowhere", "Organisation of Nowhere", "en")):
        entity = kgid(f"org/{key}")
        g.add((entity, RDF.type, KG.Organisation))
        g.add((entity, RDFS.label, Literal(name, lang=lang)))
        att = kgid(f"attestation/{key}")
        for p, o in ((RDF.type, KG.Attestation), (RDF.subject, article), (RDF.predicate, KG.mentions),
                     (RDF.object, entity), (KG.article, article), (KG.rule, Literal("ner-organisation")),
                     (KG.confidence, Literal(Decimal("0.5"))), (KG.startChar, Literal(0)),
                     (KG.endChar, Literal(len(name))), (KG.surfaceForm, Literal(name))):
            g.add((att, p, o))
    result = enrich(g, client=client_for(endpoint, tmp_path))
    out = result.graph
    assert (kgid("org/csto"), KG.wikidata, WD[CSTO]) in out
    assert (kgid("org/otan"), KG.wikidata, WD[NATO]) in out
    assert (kgid("org/nowhere"), KG.wikidata, None) not in out
    rules = {str(out.value(a, KG.rule)): out.value(a, KG.confidence).toPython()
             for a in out.subjects(RDF.predicate, KG.wikidata)}
    assert rules == {"wikidata-endpoint-label": Decimal("0.5"), "wikidata-endpoint-alias": Decimal("0.5")}
    assert any(u.startswith("Organisation of Nowhere") for u in result.unlinked)
    # the linked local organisation is enriched like any other: CSTO's P31 makes it a military alliance
    assert (kgid("org/csto"), RDF.type, KG.MilitaryAlliance) in out


@pytest.mark.parametrize(("candidates", "expected", "chosen"), [
    ([("Q1", "label", "C"), ("Q2", "alias", "C")], {"C"}, "Q1"),
    ([("Q1", "label", "X"), ("Q2", "label", "C")], {"C"}, "Q2"),
    ([("Q1", "label", "C"), ("Q2", "label", "C")], {"C"}, None),  # two items of a fitting type: ambiguous
    ([("Q1", "label", "X")], {"C"}, None),
    ([("Q1", "label", "")], None, "Q1"),
    ([("Q1", "label", ""), ("Q2", "label", "")], None, None),
    ([], None, None),
])
def test_live_lookup_never_guesses_between_candidates(candidates: list[tuple[str, str, str]],
                                                      expected: set[str] | None, chosen: str | None) -> None:
    choice, reason = _choose(candidates, expected)
    assert (choice[0] if choice else None) == chosen, reason


@pytest.mark.parametrize("reply", [
    (500, {}, b"boom", 0.0),
    (200, {}, b"{not json", 0.0),
    (200, {}, EMPTY_RESULT, 0.0),  # an empty 200 to the item look-up: what the public endpoint does without a UA
    (200, {}, OK_BODY, 3.0),  # too slow
])
def test_misbehaving_endpoint_falls_back_on_the_snapshot_with_a_warning(
        fake_endpoint: Callable[..., FakeEndpoint], tmp_path: Path,
        reply: tuple[int, dict[str, str], bytes, float]) -> None:
    fake = fake_endpoint(reply)
    result = enrich(_graph_of("Q668"), client=client_for(fake.url, tmp_path, timeout=0.5))
    assert result.mode == "offline"
    (warning,) = result.warnings
    assert fake.url in warning and "snapshot of 2026-10-09" in warning
    assert (kgid("Q668"), KG.memberOf, kgid(SCO)) in result.graph
    assert _sources(result.graph, "Q668", SCO) == {"snapshot-general-knowledge"}
    assert len(fake.requests) == 1  # the first failure stops the asking


# ---------------------------------------------------------------------------------------------------------------
# The build command


@pytest.fixture
def shared_extractor(extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    """`kg build` in-process reuses the session's spaCy pipelines instead of loading them again."""
    monkeypatch.setattr("kg.pipeline.stages.Extractor", lambda: extractor)


@pytest.mark.usefixtures("shared_extractor")
def test_build_with_endpoint_then_with_the_server_stopped(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    server = OxigraphServer(tmp_path / "db", [TESTDATA / "items.ttl"])
    cache = tmp_path / "cache"
    try:
        assert main(["build", str(SEED), "--no-reason", "--out", str(tmp_path / "online"),
                     "--wikidata-endpoint", server.url, "--wikidata-cache", str(cache)]) == 0
    finally:
        server.stop()
    online = Graph().parse(tmp_path / "online" / "wikidata.ttl")
    assert _sources(online, "Q843", SCO) == {"endpoint"}
    starts = {str(online.value(s, PQ.P580))[:10] for s in online.subjects(PS.P463, WD[SCO])
              if online.value(s, PROV.wasDerivedFrom) == kgid("wikidata-source/endpoint")}
    assert starts == {"2001-06-15", "2017-06-09"}
    assert "wikidata: " in capsys.readouterr().out

    # The server is down: the same build succeeds from the snapshot, and says so.
    assert main(["build", str(SEED), "--no-reason", "--out", str(tmp_path / "down"), "--wikidata-endpoint", server.url,
                 "--wikidata-cache", str(tmp_path / "empty-cache")]) == 0
    err = capsys.readouterr().err
    assert f"warning: Wikidata endpoint {server.url}: unreachable" in err and "built offline" in err
    down = Graph().parse(tmp_path / "down" / "wikidata.ttl")
    assert (kgid("Q843"), KG.memberOf, kgid(SCO)) in down
    assert _sources(down, "Q843", SCO) == {"snapshot-general-knowledge"}
    report = json.loads((tmp_path / "down" / "report.json").read_text(encoding="utf-8"))
    assert report["wikidata"]["mode"] == "offline" and report["wikidata"]["warnings"]

    # With the cache of the first build, the server is not needed: the same graph, byte for byte.
    assert main(["build", str(SEED), "--no-reason", "--out", str(tmp_path / "cached"),
                 "--wikidata-endpoint", server.url, "--wikidata-cache", str(cache)]) == 0
    assert not capsys.readouterr().err
    assert (tmp_path / "cached" / "wikidata.ttl").read_bytes() == (tmp_path / "online" / "wikidata.ttl").read_bytes()


@pytest.mark.usefixtures("shared_extractor", "no_network")
def test_default_build_uses_no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert main(["build", str(SEED), "--no-reason", "--out", str(tmp_path / "out")]) == 0
    assert main(["build", str(SEED), "--no-reason", "--out", str(tmp_path / "out2"), "--offline"]) == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["wikidata"]
    assert report["mode"] == "offline" and report["linked"] == 11 and not report["warnings"]
    assert (tmp_path / "out" / "wikidata.ttl").read_bytes() == (tmp_path / "out2" / "wikidata.ttl").read_bytes()


def test_online_and_offline_cannot_be_combined(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--online", "--offline"])
    assert exit_.value.code == 2


def test_build_help_documents_the_wikidata_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    text = capsys.readouterr().out
    for option in ("--online", "--offline", "--wikidata-endpoint", "--wikidata-cache"):
        assert option in text


# ---------------------------------------------------------------------------------------------------------------
# Saved queries


def test_membership_vs_wikidata_flags_claims_wikidata_lacks(tmp_path: Path) -> None:
    from kg.extract.records import Evidence, Extraction, MembershipFact
    from kg.ingest.article import Article
    from kg.rdf.mapping import map_extraction

    article = Article(id="sco.txt", text="L'OCS regroupe la Russie, l'Inde et le Turkménistan.", lang="fr")
    evidence = Evidence(sentence=article.text, start=0, end=len(article.text), rule="test", confidence=0.6)
    facts = tuple(MembershipFact(member, SCO, "member", None, evidence) for member in ("Q159", "Q668", "Q874"))
    graph = map_extraction(Extraction(article, (), (), (), facts, ()))
    write_graph(graph, tmp_path / "graph.ttl")
    write_graph(enrich(graph).graph, tmp_path / "wikidata.ttl")
    status = {r["member_label"]: r["status"] for r in run_saved("membership-vs-wikidata", tmp_path)[1]}
    assert status == {"Russia": "agrees", "India": "agrees", "Turkmenistan": "not in Wikidata"}


def test_membership_vs_wikidata_never_gives_an_organisation_another_ones_item(tmp_path: Path) -> None:
    """The G5 Sahel has no Wikidata item: its members' P463 statements (the UN, NATO…) are no answer about it."""
    from kg.extract.records import Evidence, Extraction, MembershipFact
    from kg.ingest.article import Article
    from kg.rdf.mapping import map_extraction

    article = Article(id="g5sahel.txt", text="The G5 Sahel brings together Mauritania, Chad and three others.",
                      lang="en")
    evidence = Evidence(sentence=article.text, start=0, end=len(article.text), rule="test", confidence=0.6)
    facts = tuple(MembershipFact(member, org, "member", None, evidence)
                  for member, org in (("Q1025", "g5sahel"), ("Q657", "g5sahel"), ("Q408", UN), ("Q17", NATO)))
    graph = map_extraction(Extraction(article, (), (), (), facts, ()))
    write_graph(graph, tmp_path / "graph.ttl")
    write_graph(enrich(graph).graph, tmp_path / "wikidata.ttl")
    rows = {(r["member_wikidata"], r["organisation_label"]): (r["organisation_wikidata"], r["status"])
            for r in run_saved("membership-vs-wikidata", tmp_path)[1]}
    g5 = "G5 Sahel"
    assert rows == {("Q1025", g5): (None, "no Wikidata item"), ("Q657", g5): (None, "no Wikidata item"),
                    ("Q408", "United Nations"): (UN, "agrees"),
                    ("Q17", "North Atlantic Treaty Organization"): (NATO, "not in Wikidata")}


def test_offline_twin_answers_from_wikidata_ttl(dev_build: Path) -> None:
    rows = run_saved("wikidata-federated-offline", dev_build)[1]
    sco = {r["state_wikidata"]: r["start"] for r in rows if r["organisation_wikidata"] == SCO}
    assert sco == {"Q148": "2001-06-15", "Q159": "2001-06-15", "Q232": "2001-06-15", "Q813": "2001-06-15",
                   "Q863": "2001-06-15", "Q265": "2001-06-15", "Q668": "2017-06-09", "Q843": "2017-06-09",
                   "Q794": "2023-07-04"}  # Iran, named in a development article


def test_federated_query_gives_the_offline_answer_against_a_local_endpoint(dev_build: Path, endpoint: str) -> None:
    text = (QUERIES_DIR / "wikidata-federated.rq").read_text(encoding="utf-8")
    assert "SERVICE <https://query.wikidata.org/sparql>" in text
    local = text.replace("https://query.wikidata.org/sparql", endpoint)  # the test's stand-in for Wikidata
    _, federated = run(load_store(dev_build), local, label="wikidata-federated", default_graph=[ox.DefaultGraph()])
    offline = run_saved("wikidata-federated-offline", dev_build)[1]
    assert federated and federated == [r for r in offline if r["organisation_wikidata"] in (SCO, NATO)]


def test_federated_query_lists_the_reference_organisations() -> None:
    text = (QUERIES_DIR / "wikidata-federated.rq").read_text(encoding="utf-8")
    assert {f"wd:{q}" for q in load_snapshot().organisations} <= set(text.split())


# ---------------------------------------------------------------------------------------------------------------
# Ambiguous names resolved by context


@pytest.mark.parametrize(("name", "lang", "text", "entity"), [
    ("Congo", "fr", "Le président a quitté Kinshasa. Le Congo a signé.", "Q974"),
    ("Congo", "en", "Talks in Brazzaville. Congo signed the deal.", "Q971"),
    ("Congo", "en", "Kinshasa and Brazzaville face each other. Congo signed.", None),
    ("Congo", "en", "Congo signed the deal.", None),
    ("Congo", "en", "Kinshasa said the Congo River is rising. Congo signed.", None),
    ("Georgia", "en", "Tbilisi hosted the drills. Georgia and NATO troops trained.", "Q230"),
    ("Georgia", "en", "Troops from Fort Benning in Georgia flew to Tbilisi.", None),
    ("Georgia", "en", "Georgia's governor spoke in Atlanta.", None),
    ("Géorgie", "fr", "À Tbilissi, la Géorgie a accueilli l'exercice.", "Q230"),
    ("Corée", "fr", "Séoul et Washington : la Corée a participé.", "Q884"),
    ("Korea", "en", "Pyongyang fired a missile; Korea said.", "Q423"),
    ("Tripoli", "en", "Fighting in Tripoli, Libya.", "Q1016"),
    ("Tripoli", "en", "Tripoli, Lebanon's second city, and Libya.", None),
    ("Turkey", "en", "Turkey and Ankara.", None),  # not an ambiguous name: nothing to resolve
])
def test_ambiguous_names_are_resolved_by_context_or_left_unlinked(name: str, lang: str, text: str,
                                                                  entity: str | None) -> None:
    resolution = resolve_ambiguous(name, lang, text)
    assert resolution.entity == entity, resolution.reason
    if entity:
        assert resolution.cue and text[resolution.cue_start:resolution.cue_end] == resolution.cue
        assert resolution.rule == "gazetteer-context" and 0 < resolution.confidence < 0.95
