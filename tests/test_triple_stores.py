"""kg on triple stores nobody here wrote: a real Virtuoso Open Source server on 127.0.0.1 and Apache Jena ARQ (the
Debian packages `virtuoso-opensource` and `libapache-jena-java`, installed by scripts/test).

Virtuoso is the engine behind DBpedia and reads Turtle its own way: it kept the backslash of escaped prefixed names
(`kgid:article\\/…`) in the IRIs, without a warning. The tests load what kg writes into each store and compare what
comes back, and every saved query's rows (docs/portable-sparql.md), with those of the embedded Oxigraph store.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.interfaces.api import DEFAULT_PREFIXES, LAYER_FILES, LAYER_GRAPHS
from kg.interfaces.cli import main
from kg.query.binding import AnyTerm, bindings, with_values
from kg.query.catalogue import get_query, saved_queries
from kg.query.endpoint import select_endpoint
from kg.query.local import term_value
from kg.rdf.serialise import EXPORT_FORMATS, RdfFormat
from kg.store.dumps import export_file
from kg.store.push import MERGED_GRAPH, PASSWORD_VARIABLE, USER_VARIABLE
from kg.store.triplestore import ASSERTED_GRAPH, STORE_DIR, TripleStore

#: The server's settings: its own folder, loopback ports, no query cost limit (the package's default refuses some
#: saved queries as too costly), and room for every row of a development build in one answer.
INI = """[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {files}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = .
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 120
"""
START_LIMIT = 90  # seconds; it starts in about 10 on an idle machine
#: A second parameter set for each saved query that takes parameters (the first is its defaults).
OTHER_PARAMETERS: dict[str, dict[str, str]] = {
    "arms-flows-between-alliances": {"scope": "organisations"}, "arms-suppliers": {"recipient": "India"},
    "co-membership": {"organisation": "NATO"}, "conflicting-values": {"property": "kg:participant"},
    "evidence": {"about": "India"}, "exercises-by-year": {"year": "2018"}, "members": {"organisation": "NATO"},
    "memberships-of": {"state": "France"}, "participants": {"state": "India"}, "rivalries": {"state": "India"},
    "timeline": {"only": "deal", "from_year": "2018"}, "unlinked-entities": {"type": "Person"},
}
#: What separates the items of a list cell (GROUP_CONCAT): SPARQL 1.1 leaves their order to the engine.
LIST_SEPARATORS = re.compile(r"[,;:] | \| | / ")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Virtuoso:
    """`virtuoso-t` in a folder of its own, on free loopback ports; `files` is where it may read files to load."""

    def __init__(self, folder: Path) -> None:
        binary, self.isql_binary = shutil.which("virtuoso-t"), shutil.which("isql-vt")
        if binary is None or self.isql_binary is None:
            pytest.fail("Virtuoso is missing: apt-get install virtuoso-opensource (scripts/test installs it)")
        self.files = folder / "files"
        self.files.mkdir(parents=True)
        db = folder / "db"
        db.mkdir()
        self.sql_port, self.http_port = _free_port(), _free_port()
        (db / "virtuoso.ini").write_text(INI.format(sql_port=self.sql_port, http_port=self.http_port,
                                                    files=self.files), encoding="utf-8")
        self.url = f"http://127.0.0.1:{self.http_port}/sparql"
        self.process = subprocess.Popen([binary, "+foreground", "+configfile", "virtuoso.ini"], cwd=db,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_LIMIT
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log_file = db / "virtuoso.log"
                log = log_file.read_text(errors="replace")[-1500:] if log_file.exists() else ""
                pytest.fail(f"Virtuoso did not start in {START_LIMIT} s on port {self.http_port}: {log}")
            time.sleep(0.2)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}?query=ASK%7B%7D", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def isql(self, sql: str) -> str:
        """Run SQL statements as the database administrator; their output (fails on an error)."""
        result = subprocess.run([self.isql_binary, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
                                capture_output=True, text=True, timeout=600, check=False)
        assert result.returncode == 0 and "Error" not in result.stdout + result.stderr, result.stdout + result.stderr
        return result.stdout

    def bulk_load(self, path: Path, graph: str) -> None:
        """Load one file of `files` with Virtuoso's bulk loader (its graph for triples; TriG keeps its names)."""
        self.isql(f"ld_dir('{path.parent}', '{path.name}', '{graph}'); rdf_loader_run(); checkpoint;")
        state = self.isql(f"select ll_error from DB.DBA.load_list where ll_file = '{path}';")
        assert "NULL" in state, state

    def select(self, query: str) -> list[list[AnyTerm | None]]:
        """The rows of a SELECT query, as pyoxigraph terms (through kg's own endpoint client)."""
        return select_endpoint(self.url, query, timeout=300)[1]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.mark.slow
def test_virtuoso_loads_the_turtle_and_trig_exports_to_exactly_kgs_n_quads(dev_build: Path,
                                                                            virtuoso: Virtuoso) -> None:
    paths = {fmt: virtuoso.files / f"dev.{fmt.value}" for fmt in EXPORT_FORMATS}
    with TripleStore.open(dev_build / STORE_DIR, read_only=True) as store:
        for fmt, path in paths.items():
            export_file(store, path, fmt)
    loaded = "urn:kg-test:turtle"
    virtuoso.bulk_load(paths[RdfFormat.TTL], loaded)
    virtuoso.bulk_load(paths[RdfFormat.TRIG], "urn:kg-test:unused")

    got = {ox.Triple(*row) for row in virtuoso.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{loaded}> {{ ?s ?p ?o }} }}")}
    want = {q.triple for q in ox.parse(path=str(paths[RdfFormat.NT]), format=ox.RdfFormat.N_TRIPLES)}
    assert len(want) > 30_000 and got == want, (sorted(map(str, got - want))[:3], sorted(map(str, want - got))[:3])

    quads = virtuoso.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                            "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/kg-news/')) }")
    got_quads = {ox.Quad(*row) for row in quads}
    want_quads = set(ox.parse(path=str(paths[RdfFormat.NQ]), format=ox.RdfFormat.N_QUADS))
    assert len(want_quads) > len(want) and got_quads == want_quads, (sorted(map(str, got_quads - want_quads))[:3],
                                                                     sorted(map(str, want_quads - got_quads))[:3])


def _cell(value: str | None) -> str | None:
    """A cell compared as a value: booleans as Virtuoso writes them (1 and 0), lists with their items sorted."""
    if value in ("true", "false"):
        return "1" if value == "true" else "0"
    return "|".join(sorted(LIST_SEPARATORS.split(value))) if value else value


def _answer(rows: list[dict[str, str | None]]) -> list[tuple[tuple[str, str | None], ...]]:
    return sorted((tuple(sorted((k, _cell(v)) for k, v in row.items())) for row in rows), key=str)


@pytest.fixture(scope="module")
def virtuoso_layers(dev_build: Path, virtuoso: Virtuoso) -> str:
    """The development build's layers in their named graphs of Virtuoso (as `kg.interfaces.api.load_commands` loads
    them)."""
    for layer, name in LAYER_FILES.items():
        target = virtuoso.files / f"layer-{name}"
        shutil.copy(dev_build / name, target)
        virtuoso.bulk_load(target, LAYER_GRAPHS[layer])
    return virtuoso.url


def _cases() -> list[tuple[str, dict[str, str]]]:
    offline = [name for name, query in saved_queries().items() if query.requires != "network"]
    return [(name, {}) for name in offline] + sorted(OTHER_PARAMETERS.items())


def test_every_saved_query_with_parameters_has_a_second_parameter_set() -> None:
    with_parameters = {name for name, query in saved_queries().items()
                       if query.parameters and query.requires != "network"}
    assert with_parameters == set(OTHER_PARAMETERS)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "params"), _cases(), ids=lambda case: str(case) if case else "defaults")
def test_saved_queries_give_the_same_rows_on_virtuoso_as_on_oxigraph(name: str, params: dict[str, str],
                                                                     dev_build: Path, virtuoso_layers: str) -> None:
    local = kg.open(dev_build).rows(name, **params)
    remote = kg.open(virtuoso_layers, timeout=120).rows(name, **params)
    assert remote[0] == local[0]
    assert _answer(remote[1]) == _answer(local[1]), name


@pytest.mark.slow
def test_kg_push_fills_virtuoso_with_credentials_from_the_environment(
        dev_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Virtuoso's Graph Store endpoint for writing is /sparql-graph-crud-auth (HTTP Digest); it has no default graph
    to write, so the merge goes to kg's merged graph, which `kg query --endpoint` then reads."""
    server = Virtuoso(tmp_path / "virtuoso")
    try:
        target = f"http://127.0.0.1:{server.http_port}/sparql-graph-crud-auth"
        command = ["push", str(dev_build), "--endpoint", target, "--merged-graph", MERGED_GRAPH, "--batch", "5000"]
        monkeypatch.delenv(USER_VARIABLE, raising=False)
        monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
        monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
        assert main(command) == 1
        assert "HTTP 401" in capsys.readouterr().err
        monkeypatch.setenv(USER_VARIABLE, "dba")
        monkeypatch.setenv(PASSWORD_VARIABLE, "dba")
        assert main(command) == 0
        assert "pushed" in capsys.readouterr().out

        with TripleStore.open(dev_build / STORE_DIR, read_only=True) as store:
            names = [*store.graph_names(), ASSERTED_GRAPH]  # the articles' graphs and the three layers'
            want = {q for name in names for q in store.inner.quads_for_pattern(None, None, None, name)}
            merged = {q.triple for q in store.inner.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        rows = server.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                             "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/kg-news/')) }")
        got = {ox.Quad(*row) for row in rows}  # type: ignore[misc]
        assert {q for q in got if q.graph_name != ox.NamedNode(MERGED_GRAPH)} == want
        assert {q.triple for q in got if q.graph_name == ox.NamedNode(MERGED_GRAPH)} == merged
        for name, params in [("members", {}), ("participants", {}), ("memberships-of", {"state": "France"})]:
            local = kg.open(dev_build).rows(name, **params)[1]
            assert _answer(kg.open(server.url, timeout=120).rows(name, **params)[1]) == _answer(local), name
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------------------------
# Apache Jena ARQ: every case in one JVM (tests/jena/RunQueries.java), over the merge of the three layers' files

JENA_RUNNER = Path(__file__).resolve().parent / "jena" / "RunQueries.java"


def jena_class_path(folder: Path) -> str:
    """The class path of Debian's Jena: its jars and those of the packages it depends on, with one SLF4J binding
    (the nop one; all of them on the path make SLF4J stop), and the message files of the XML Schema validator that
    Debian's Jena looks for under `xerces/` while its jar holds them under `org/apache/jena/ext/xerces/`."""
    if shutil.which("java") is None or not Path("/usr/share/java/jena-arq.jar").is_file():
        pytest.fail("Apache Jena is missing: apt-get install libapache-jena-java (scripts/test installs it)")
    depends = subprocess.run(["apt-cache", "depends", "libapache-jena-java"], capture_output=True, text=True,
                             check=True).stdout
    packages = ["libapache-jena-java", *re.findall(r"^\s*Depends: (\S+)$", depends, flags=re.M)]
    listed = subprocess.run(["dpkg", "-L", *packages], capture_output=True, text=True, check=False).stdout
    jars = sorted({line for line in listed.splitlines() if re.fullmatch(r"/usr/share/java/[^/]+\.jar", line)
                   and "slf4j" not in line and "log4j" not in line})
    with zipfile.ZipFile("/usr/share/java/jena-core.jar") as jar:
        for member in jar.namelist():
            if member.startswith("org/apache/jena/ext/xerces/") and member.endswith(".properties"):
                target = folder / member.removeprefix("org/apache/jena/ext/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(member))
    return ":".join([str(folder), *jars, "/usr/share/java/slf4j-api.jar", "/usr/share/java/slf4j-nop.jar"])


def _endpoint_text(name: str, params: dict[str, str]) -> str:
    """The text kg sends an endpoint for a saved query: parameters in VALUES, kg's prefixes declared."""
    query = get_query(name)
    text = with_values(query.text, bindings(query, params))
    declared = set(re.findall(r"(?i)PREFIX\s+([\w.-]*):", text))
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in DEFAULT_PREFIXES.items() if p not in declared) + text


@pytest.fixture(scope="module")
def jena_answers(dev_build: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[int, list[dict[str, str | None]]]:
    """Each case's rows as Jena ARQ answers them (by case number), over graph.ttl, inferred.ttl and wikidata.ttl."""
    folder = tmp_path_factory.mktemp("jena")
    class_path = jena_class_path(folder / "classes")
    queries = []
    for number, (name, params) in enumerate(_cases()):
        queries.append(folder / f"{number}.rq")
        queries[-1].write_text(_endpoint_text(name, params), encoding="utf-8")
    data = [str(dev_build / name) for name in LAYER_FILES.values()]
    subprocess.run(["java", "-cp", class_path, str(JENA_RUNNER), str(folder), *data, "--", *map(str, queries)],
                   check=True, timeout=900, capture_output=True)
    answers: dict[int, list[dict[str, str | None]]] = {}
    for number in range(len(queries)):
        error = folder / f"{number}.error"
        if error.exists():
            pytest.fail(f"Jena could not run {_cases()[number]}: {error.read_text(encoding='utf-8')}")
        results = ox.parse_query_results(path=str(folder / f"{number}.json"), format=ox.QueryResultsFormat.JSON)
        assert isinstance(results, ox.QuerySolutions)
        columns = [v.value for v in results.variables]
        answers[number] = [{c: term_value(solution[c]) for c in columns} for solution in results]
    return answers


@pytest.mark.slow
@pytest.mark.parametrize(("number", "name", "params"), [(i, *case) for i, case in enumerate(_cases())],
                         ids=lambda case: str(case) if case != {} else "defaults")
def test_saved_queries_give_the_same_rows_on_jena_as_on_oxigraph(number: int, name: str, params: dict[str, str],
                                                                 dev_build: Path, jena_answers: dict) -> None:
    local = kg.open(dev_build).rows(name, **params)[1]
    assert _answer(jena_answers[number]) == _answer(local), name
