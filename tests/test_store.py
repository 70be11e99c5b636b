"""The embedded store: one named graph per article, appends and removals in transactions, queries, kills."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import StoreError
from kg.extract import Extractor
from kg.pipeline.stages import build, remove_articles
from kg.query.catalogue import get_query, saved_queries
from kg.query.local import graph_files, run
from kg.rdf.serialise import RdfFormat
from kg.store.dumps import export_bytes
from kg.store.folder import open_query_store, stale_files, sync
from kg.store.folderlock import LOCK_FILE
from kg.store.sort import sorted_unique
from kg.store.triplestore import (
    INFERRED_GRAPH,
    STORE_DIR,
    WIKIDATA_GRAPH,
    GraphSet,
    TripleStore,
    article_graph,
    promote,
)

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "dev" / "articles"
QUICK = {"reasoning": False, "validation": False}
#: The saved queries whose columns are a public contract (README, "Saved queries").
CONTRACT = ("states", "organisations", "exercises", "exercise-participants", "arms-deals", "memberships")


def _load_bench(name: str):  # noqa: ANN202 - a module
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _corpus(tmp: Path, names: list[str], folder: str = "corpus") -> Path:
    corpus = tmp / folder
    corpus.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(DEV / name, corpus / name)
    return corpus


def _graph_lines(store: TripleStore, name: ox.NamedNode) -> list[bytes]:
    return list(sorted_unique(store.graph_lines(name)))


DEV_NAMES = sorted(p.name for p in DEV.glob("*.txt"))


@pytest.mark.slow
def test_build_keeps_one_named_graph_per_article_and_graph_ttl_is_the_store(dev_build: Path) -> None:
    with TripleStore.open(dev_build / STORE_DIR, read_only=True) as store:
        ids = sorted([*DEV_NAMES, "000_566754dbe1dffb01.txt"])
        assert [g.value for g in store.article_graphs()] == sorted(article_graph(i).value for i in ids)
        assert export_bytes(store, RdfFormat.TTL, [GraphSet.ASSERTED]) == (dev_build / "graph.ttl").read_bytes()
        for name, filename in ((INFERRED_GRAPH, "inferred.ttl"), (WIKIDATA_GRAPH, "wikidata.ttl")):
            in_file = {str(q.triple) for q in ox.parse(path=str(dev_build / filename), format=ox.RdfFormat.TURTLE)}
            in_store = {str(q.triple) for q in store.inner.quads_for_pattern(None, None, None, name)}
            assert in_store == in_file, filename
        # entity nodes are in several article graphs: the merged count is smaller than the quad count
        assert store.count([GraphSet.ASSERTED], merged=True) < store.count([GraphSet.ASSERTED])
        # the default graph, which queries read, is the merge of the graph files
        merged = {str(q.triple) for f in ("graph.ttl", "inferred.ttl", "wikidata.ttl")
                  for q in ox.parse(path=str(dev_build / f), format=ox.RdfFormat.TURTLE)}
        assert store.count_default() == len(merged) == store.count(merged=True)


@pytest.mark.slow
def test_append_adds_replaces_without_duplicates_and_remove_takes_out(tmp_path: Path, extractor: Extractor) -> None:
    out = tmp_path / "out"
    build([_corpus(tmp_path, DEV_NAMES[:2], "a")], out, extractor=extractor, **QUICK)
    with TripleStore.open(out / STORE_DIR, read_only=True) as store:
        first = {g.value: _graph_lines(store, g) for g in store.article_graphs()}
    report = build([_corpus(tmp_path, DEV_NAMES[1:3], "b")], out, extractor=extractor, append=True, **QUICK)
    assert report.articles == 2 and report.store_articles == 3
    with TripleStore.open(out / STORE_DIR, read_only=True) as store:
        again = {g.value: _graph_lines(store, g) for g in store.article_graphs()}
        quads = store.count([GraphSet.ASSERTED])
    assert {k: again[k] for k in first} == first  # the re-added article's graph is the same, not doubled
    assert quads == sum(len(v) for v in again.values())

    # the same three articles built at once give the same graph.ttl
    fresh = tmp_path / "fresh"
    build([_corpus(tmp_path, DEV_NAMES[:3], "c")], fresh, extractor=extractor, **QUICK)
    assert (fresh / "graph.ttl").read_bytes() == (out / "graph.ttl").read_bytes()

    # an article whose text changed replaces its graph: none of its old triples stay
    changed = tmp_path / "d"
    changed.mkdir()
    text = (DEV / DEV_NAMES[0]).read_text(encoding="utf-8").split("\n\n")[0]
    (changed / DEV_NAMES[0]).write_text(text, encoding="utf-8")
    build([changed], out, extractor=extractor, append=True, **QUICK)
    name = article_graph(DEV_NAMES[0])
    with TripleStore.open(out / STORE_DIR, read_only=True) as store:
        replaced = _graph_lines(store, name)
    assert 0 < len(replaced) < len(first[name.value])

    report = remove_articles([DEV_NAMES[0]], out, **QUICK)
    assert report.store_articles == 2
    with TripleStore.open(out / STORE_DIR, read_only=True) as store:
        assert not store.has_article(DEV_NAMES[0])
    assert DEV_NAMES[0] not in (out / "graph.ttl").read_text(encoding="utf-8")
    with pytest.raises(StoreError, match="no article 'nope.txt'"):
        remove_articles(["nope.txt"], out, **QUICK)


def test_article_graph_names_are_valid_iris_for_any_id() -> None:
    ids = ["a b.txt", 'quote" and \\ backslash', "émoji 🚀.txt", "\u05e2\u05d1\u05e8\u05d9\u05ea", "x" * 500, ""]
    for article_id in ids:
        name = article_graph(article_id)
        assert ox.NamedNode(name.value) == name
        assert " " not in name.value


def test_replacing_a_graph_is_one_transaction_and_removal_drops_it() -> None:
    store = TripleStore.open_memory()
    name = article_graph("a")
    store.replace_graph(name, b'<urn:x:s> <urn:x:p> "1" .\n<urn:x:s> <urn:x:p> "2" .\n')
    store.replace_graph(name, b'<urn:x:s> <urn:x:p> "3" .\n')
    assert _graph_lines(store, name) == [b'<urn:x:s> <urn:x:p> "3" .\n']
    with pytest.raises(StoreError, match=name.value):
        store.replace_graph(name, b"<urn:x:s> <urn:x:p> broken .\n")
    assert _graph_lines(store, name) == [b'<urn:x:s> <urn:x:p> "3" .\n']  # the failed update changed nothing
    assert store.remove_article("a") and not store.remove_article("a")


def test_external_sort_spills_and_deduplicates() -> None:
    lines = [f"<urn:x:{i % 37}> <urn:x:p> \"{i % 11}\" .\n".encode() for i in range(1000)]
    assert list(sorted_unique(lines, buffer=7)) == sorted(set(lines))


@pytest.mark.slow
def test_saved_queries_answer_the_same_on_the_store_and_on_the_files(dev_build: Path) -> None:
    store = open_query_store(dev_build)
    assert store is not None
    files = ox.Store()
    for path in graph_files(dev_build):
        files.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    for name, query in saved_queries().items():
        if query.requires == "network":
            continue
        saved = get_query(name)
        _, on_store = run(store, saved.text, label=name, default_graph=[ox.DefaultGraph()])
        _, on_files = run(files, saved.text, label=name, default_graph=[ox.DefaultGraph()])
        assert len(on_store) == len(on_files), name
        if name in CONTRACT:  # others may SAMPLE among several values, which engines pick in storage order
            assert answers(on_store) == answers(on_files), name


def answers(rows: list[dict[str, str | None]]) -> list[list[tuple[str, str | None]]]:
    """Rows in a comparable form: sorted, and GROUP_CONCAT cells ("a; b", "a, b", "a | b") with their parts
    sorted (SPARQL leaves their order to the engine, which follows its storage)."""
    def cell(value: str | None) -> str | None:
        return "|".join(sorted(re.split(r"[;,] | \| ", value))) if value else value

    return sorted((sorted((k, cell(v)) for k, v in row.items()) for row in rows), key=str)


@pytest.mark.slow
def test_a_graph_file_rewritten_alone_makes_the_store_stale_until_synced(seed_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "seed"
    shutil.copytree(seed_build, out)
    assert stale_files(out) == []
    (out / "inferred.ttl").write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n", encoding="utf-8")
    assert stale_files(out) == ["inferred.ttl"] and open_query_store(out) is None
    assert sync(out) == ["inferred.ttl"]
    store = open_query_store(out)
    assert store is not None
    assert [str(q.triple) for q in store.quads_for_pattern(None, None, None, INFERRED_GRAPH)] == \
        ["<urn:x:a> <urn:x:b> <urn:x:c>"]
    (out / "graph.ttl").write_text("", encoding="utf-8")
    with pytest.raises(StoreError, match="build again"):
        sync(out)


def test_rdflib_api_through_oxrdflib() -> None:
    from rdflib import URIRef

    store = TripleStore.open_memory()
    store.replace_graph(article_graph("a"), b"<urn:x:s> <urn:x:p> <urn:x:o> .\n")
    dataset = store.rdflib_dataset()
    assert list(dataset.objects(URIRef("urn:x:s"), URIRef("urn:x:p"))) == [URIRef("urn:x:o")]
    assert len(list(dataset.query("SELECT ?o WHERE { ?s ?p ?o }"))) == 1


def test_a_store_in_use_is_reported(tmp_path: Path) -> None:
    with TripleStore.open(tmp_path / "store"):
        with pytest.raises(StoreError, match="in use"):
            TripleStore.open(tmp_path / "store")


def _store_with(path: Path, article_id: str) -> None:
    with TripleStore.open(path) as store:
        store.replace_graph(article_graph(article_id), b'<urn:x:s> <urn:x:p> "o" .\n')


def _articles_in(path: Path) -> list[str]:
    with TripleStore.open(path) as store:
        return [g.value.rsplit("/", 1)[1] for g in store.article_graphs()]


def test_a_fresh_build_fills_a_staging_store_and_promote_swaps_it_in(tmp_path: Path) -> None:
    path = tmp_path / "store"
    _store_with(path, "old")
    with TripleStore.open_staging(path) as staging:
        staging.replace_graph(article_graph("new"), b'<urn:x:s> <urn:x:p> "n" .\n')
    assert _articles_in(path)[0].startswith("old-")  # nothing changed until promoted
    promote(path)
    assert _articles_in(path)[0].startswith("new-")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != LOCK_FILE) == ["store"]


def test_an_unfinished_staging_store_is_dropped_and_the_old_one_kept(tmp_path: Path) -> None:
    path = tmp_path / "store"
    _store_with(path, "old")
    _store_with(tmp_path / "store.new", "half")  # a fresh build killed before its store was whole
    with TripleStore.open_staging(path) as staging:
        assert staging.article_graphs() == []
    assert _articles_in(path)[0].startswith("old-")


@pytest.mark.parametrize("moment", ["marked", "old-moved", "new-moved"])
def test_a_promote_killed_midway_is_finished_when_the_store_opens(tmp_path: Path, moment: str) -> None:
    """The three states a kill can leave between marking the staging store whole and removing the old one."""
    path = tmp_path / "store"
    _store_with(path, "old")
    _store_with(tmp_path / "store.new", "new")
    (tmp_path / "store.ready").touch()
    if moment != "marked":
        path.rename(tmp_path / "store.old")
    if moment == "new-moved":
        (tmp_path / "store.new").rename(path)
    assert _articles_in(path)[0].startswith("new-")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != LOCK_FILE) == ["store"]


#: SIGKILLs per kind of command at moments spread over its run (issue 16, case 7), and then one at each rename of its
#: commit (after the commit mark: a timed kill seldom falls in those few milliseconds). After each kill the whole
#: folder as a reader finds it, the graph files, `store.json`, `report.json` and the store (opened, every graph
#: compared, counted), is all the state before the command or all the state after it (`bench/kill.py`,
#: `folder_state`).
KILLS = 20
COMMIT_RENAMES = 6  # graph.ttl, wikidata.ttl, the old store aside, the new store in, store.json, report.json


@pytest.fixture(scope="module")
def launch() -> Iterator[object]:
    """Commands forked from one process with kg imported and the models loaded, so a kill costs the command's own
    work (bench/kill.py, `WarmLauncher`)."""
    with _load_bench("kill").WarmLauncher() as launcher:
        yield launcher


def _check_kills(report: object) -> None:
    kills, problems = report.kills, report.problems  # type: ignore[attr-defined]
    timed, at_commit = kills[:KILLS], kills[KILLS:]
    assert len(timed) == KILLS and len(at_commit) == COMMIT_RENAMES
    assert problems == []
    assert sum("had finished" not in k for k in timed) >= KILLS // 4, timed  # most fell while the command ran
    assert not [k for k in at_commit if "had finished" in k]  # each rename of the commit was reached


@pytest.mark.slow
def test_killed_fresh_builds_leave_the_old_folder_or_the_new_one(tmp_path: Path, extractor: Extractor,
                                                                launch: object) -> None:
    """SIGKILL a fresh `kg build` of 3 articles over a built folder: 20 times spread over its run, 6 in its commit."""
    report = _load_bench("kill").run_fresh_kills(KILLS, 3, work=tmp_path, seed=3, extractor=extractor,
                                                 launch=launch, commit_steps=COMMIT_RENAMES)
    _check_kills(report)


@pytest.mark.slow
def test_killed_appends_leave_every_article_whole_or_absent(tmp_path: Path, extractor: Extractor,
                                                            launch: object) -> None:
    """SIGKILL `kg build --append` of 3 articles: 20 times (half while the articles are written, half spread over
    the whole run), 6 in its commit; every earlier article stays as it was, every new one is whole or absent."""
    report = _load_bench("kill").run_kills(KILLS, 3, work=tmp_path, seed=1, extractor=extractor, launch=launch,
                                           commit_steps=COMMIT_RENAMES)
    _check_kills(report)


@pytest.mark.slow
def test_killed_removals_leave_the_old_folder_or_the_new_one(tmp_path: Path, extractor: Extractor,
                                                             launch: object) -> None:
    """SIGKILL `kg remove` 20 times spread over its run and 6 in its commit; a removal killed early can be run
    again."""
    report = _load_bench("kill").run_remove_kills(KILLS, work=tmp_path, seed=2, extractor=extractor, launch=launch,
                                                  commit_steps=COMMIT_RENAMES)
    _check_kills(report)
