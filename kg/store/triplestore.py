"""Triple store: the embedded Oxigraph store of a build folder (`DIR/store`).

The store holds one named graph per article, named by the article's IRI (`kgid:article/…`) and holding the
triples extracted from it, and the three layers of the build in the named graphs of `kg.store.layers`:
`https://w3id.org/kg-news/graph/asserted` (the merge of the article graphs, each distinct triple once: `graph.ttl`),
`…/graph/wikidata` (the Wikidata links and enrichment of `wikidata.ttl`) and `…/graph/inferred` (what the reasoner
entailed, `inferred.ttl`). Entity nodes (a state's type and labels) appear in the graph of every article that
mentions them. The default graph holds the merge of all these graphs, each distinct triple once: it is what queries
read (`kg query`, `kg serve`), the same triples as the graph files merged. Oxigraph's union of the named graphs would
give a triple once per graph that holds it, so a state's label once per article; a query for some layers only reads
the union of their graphs (`kg.query.graph`).

Every change of an article is one transaction: adding it loads its graph in one go, re-adding it drops the old
graph and inserts the new one in one SPARQL update, removing it drops its graph. A build killed at any point
leaves a store that opens and holds each article wholly or not at all.

>>> store = TripleStore.open_memory()
>>> name = article_graph("a1")
>>> store.replace_graph(name, b'<https://w3id.org/kg-news/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .')
>>> store.count(), [g.value for g in store.article_graphs()]
(1, ['https://w3id.org/kg-news/id/article/a1-f29bc91b'])
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import FolderBusyError, StoreError
from kg.ingest.article import Article
from kg.rdf.mapping import PREFIXES, article_iri, checked_iri
from kg.rdf.ontology import KGID
from kg.store.folderlock import write_lock
from kg.store.layers import GRAPHS_NS as GRAPHS_NS
from kg.store.layers import MIRRORED_FILES as MIRRORED_FILES
from kg.store.layers import STAMP_FILE as STAMP_FILE
from kg.store.layers import STORE_DIR as STORE_DIR
from kg.store.layers import GraphSet
from kg.store.sort import sorted_unique_chunks, write_chunks

if TYPE_CHECKING:
    from rdflib import Dataset, Graph

ARTICLE_GRAPH_PREFIX = f"{KGID}article/"
ASSERTED_GRAPH = ox.NamedNode(str(checked_iri(GraphSet.ASSERTED.graph)))
WIKIDATA_GRAPH = ox.NamedNode(str(checked_iri(GraphSet.WIKIDATA.graph)))
INFERRED_GRAPH = ox.NamedNode(str(checked_iri(GraphSet.INFERRED.graph)))
#: The named graph of each layer (`kg.store.layers`).
LAYER_NODES = {GraphSet.ASSERTED: ASSERTED_GRAPH, GraphSet.INFERRED: INFERRED_GRAPH, GraphSet.WIKIDATA: WIKIDATA_GRAPH}
ALL_GRAPHS: tuple[GraphSet, ...] = tuple(GraphSet)
_DERIVED = {kind: (LAYER_NODES[kind], kind.file) for kind in (GraphSet.INFERRED, GraphSet.WIKIDATA)}


@dataclass(frozen=True)
class ArticleQuads:
    """One article's triples as N-Quads in its own named graph, ready to load into a store.

    `articles` is the number of inputs with this id in the graph; `errors` lists those that could not be
    extracted, as (source, error): their triples are missing from `nquads` (empty when none could be).
    """

    article_id: str
    graph: str
    nquads: bytes
    triples: int
    articles: int = 1
    errors: tuple[tuple[str, Exception], ...] = ()


def article_graph(article_id: str) -> ox.NamedNode:
    """The name of an article's graph: the article's IRI (`kg.rdf.mapping.article_iri`).

    >>> article_graph("a1").value
    'https://w3id.org/kg-news/id/article/a1-f29bc91b'
    """
    return ox.NamedNode(str(article_iri(Article(id=article_id, text="", lang="und"))))


def parse_graph_sets(text: str) -> tuple[GraphSet, ...]:
    """`"asserted,inferred"` → the graph sets in canonical order; ValueError naming an unknown one.

    >>> parse_graph_sets("wikidata,asserted")
    (<GraphSet.ASSERTED: 'asserted'>, <GraphSet.WIKIDATA: 'wikidata'>)
    """
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = {g.value: g for g in GraphSet}
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ValueError(f"unknown graph set {', '.join(unknown) or repr(text)}; choose from {', '.join(known)}")
    return tuple(g for g in GraphSet if g.value in names)


def _is_locked(err: OSError) -> bool:
    text = str(err).lower()
    return "lock" in text or "resource temporarily unavailable" in text


class TripleStore:
    """A build folder's store: article graphs, derived graphs, one transaction per change, dumps."""

    def __init__(self, store: ox.Store, path: Path | None = None, *, read_only: bool = False) -> None:
        self._store: ox.Store | None = store
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False, fresh: bool = False) -> TripleStore:
        """Open (creating it unless `read_only`) the store at `path`; `fresh` empties it first.

        Raises:
            StoreError: the store is in use by another writer (a running build), or cannot be read.
        """
        recover(path)
        if read_only and not path.is_dir():
            raise StoreError(f"no store at {path}; run `kg build … --out {path.parent}` first")
        if fresh and not read_only and path.exists():
            shutil.rmtree(path)
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as err:
            if _is_locked(err):
                raise StoreError(f"the store {path} is in use by another process (a running kg build or "
                                 f"kg remove?): {err}") from err
            raise StoreError(f"cannot open the store {path}: {err}") from err
        return cls(store, path, read_only=read_only)

    @classmethod
    def open_staging(cls, path: Path) -> TripleStore:
        """A new, empty store beside `path` (`store.new`) for a fresh build, which `promote` puts in its place once
        it is whole: until then the store at `path` stays as it was, so a fresh build killed midway leaves it as
        the last build left it, each article whole.

        Raises:
            StoreError: another build is filling the staging store, or it cannot be created.
        """
        recover(path)
        staging = _staging(path)
        if staging.exists():
            cls.open(staging).close()  # raises while a running build holds it
            shutil.rmtree(staging)
        return cls.open(staging)

    @classmethod
    def open_copy(cls, path: Path) -> TripleStore:
        """A copy of the store at `path` (empty when there is none) as its staging store (`store.new`), for an
        append or a removal: `promote` puts it in place once the build is whole, and until then the store at
        `path` stays as it was. The copy is a RocksDB checkpoint (hard links), made from the store opened
        read-only.

        Raises:
            StoreError: another build is filling the staging store, or the store cannot be read or copied.
        """
        recover(path)
        staging = _staging(path)
        if staging.exists():
            cls.open(staging).close()  # raises while a running build holds it
            shutil.rmtree(staging)
        if path.is_dir():
            try:
                ox.Store.read_only(str(path)).backup(str(staging))
            except OSError as err:
                raise StoreError(f"cannot copy the store {path} to {staging}: {err}") from err
        return cls.open(staging)

    @classmethod
    def open_memory(cls) -> TripleStore:
        """A store in memory, for tests and small jobs."""
        return cls(ox.Store())

    def __enter__(self) -> TripleStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush and release the store (and its lock)."""
        if self._store is not None and self.path is not None and not self.read_only:
            self._store.flush()
        self._store = None

    @property
    def inner(self) -> ox.Store:
        """The underlying `pyoxigraph.Store`."""
        if self._store is None:
            raise StoreError(f"the store {self.path or '(memory)'} is closed")
        return self._store

    # -- graphs ---------------------------------------------------------------------------------------------

    def article_graphs(self) -> list[ox.NamedNode]:
        """The names of the article graphs, sorted."""
        return sorted((g for g in self.inner.named_graphs()
                       if isinstance(g, ox.NamedNode) and g.value.startswith(ARTICLE_GRAPH_PREFIX)),
                      key=lambda g: g.value)

    def graph_names(self, graphs: Iterable[GraphSet] = ALL_GRAPHS) -> list[ox.NamedNode]:
        """The names of the graphs of the selected sets that the store holds, sorted by IRI: the article graphs for
        the asserted set (not the asserted layer graph, their merge), the derived graphs for the others."""
        selected = set(graphs)
        names = self.article_graphs() if GraphSet.ASSERTED in selected else []
        names += [name for kind, (name, _) in _DERIVED.items()
                  if kind in selected and self.inner.contains_named_graph(name)]
        return sorted(names, key=lambda g: g.value)

    def replace_graph(self, name: ox.NamedNode, ntriples: bytes) -> None:
        """Make graph `name` hold exactly the N-Triples `ntriples` (none: remove it), in one transaction."""
        try:
            if not self.inner.contains_named_graph(name):
                if ntriples.strip():
                    self.inner.load(input=ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=name)
                return
            body = ntriples.decode("utf-8")
            insert = f" ; INSERT DATA {{ GRAPH {name} {{\n{body}\n}} }}" if body.strip() else ""
            self.inner.update(f"DROP SILENT GRAPH {name}{insert}")
        except (SyntaxError, ValueError, OSError) as err:
            raise StoreError(f"cannot write graph {name.value} to the store {self.path or '(memory)'}: {err}") \
                from err

    def put_article(self, article: ArticleQuads) -> None:
        """Add an article's graph, replacing its previous version, in one transaction."""
        name = ox.NamedNode(article.graph)
        if not self.inner.contains_named_graph(name):
            try:
                self.inner.load(input=article.nquads, format=ox.RdfFormat.N_QUADS)
            except (SyntaxError, ValueError, OSError) as err:
                raise StoreError(f"cannot add article {article.article_id!r} to the store: {err}") from err
            return
        triples = (q.triple for q in ox.parse(article.nquads, format=ox.RdfFormat.N_QUADS))
        self.replace_graph(name, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")

    def has_article(self, article_id: str) -> bool:
        """Whether the store holds the article with this id."""
        return self.inner.contains_named_graph(article_graph(article_id))

    def remove_article(self, article_id: str) -> bool:
        """Remove an article's graph (one transaction); False when the store has no article with this id."""
        name = article_graph(article_id)
        if not self.inner.contains_named_graph(name):
            return False
        self.inner.remove_graph(name)
        return True

    def refresh(self, directory: Path) -> None:
        """Load the derived graphs from the files of `directory` and rebuild the default graph from all graphs (and
        the asserted layer graph, when the store has none yet)."""
        self.load_derived(directory)
        if not self.has_layers():
            self.rebuild_asserted()
        self.rebuild_default()

    def has_layers(self) -> bool:
        """Whether the store keeps its asserted layer graph (a store written before it existed does not; `sync`
        adds it), so that a query can choose layers."""
        return self.inner.contains_named_graph(ASSERTED_GRAPH) or not self.article_graphs()

    def rebuild_asserted(self) -> int:
        """Make the asserted layer graph the merge of the article graphs (each distinct triple once); its size."""
        lines = (line for name in self.article_graphs() for line in self.graph_lines(name))
        with tempfile.NamedTemporaryFile(prefix="kg-asserted-") as tmp:
            count = write_chunks(sorted_unique_chunks(lines), tmp)
            tmp.flush()
            self._bulk_replace(ASSERTED_GRAPH, tmp.name)
        return count

    def replace_asserted_sorted(self, path: str) -> None:
        """Make the asserted layer graph and the default graph hold the N-Triples file `path`, the merged article
        triples, sorted and without repeats as Oxigraph wrote them; `load_derived` and `add_default` then add the
        derived layers to the default graph."""
        self._bulk_replace(ASSERTED_GRAPH, path)
        self.replace_default_sorted(path)

    def _bulk_replace(self, graph: ox.NamedNode, path: str) -> None:
        try:
            self.inner.clear_graph(graph)
            self.inner.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=True)
        except (SyntaxError, ValueError, OSError) as err:
            raise StoreError(f"cannot write graph {graph.value} to {self.path or '(memory)'}: {err}") from err

    def rebuild_default(self) -> int:
        """Make the default graph the merge of every named graph (each distinct triple once); returns its size.

        The default graph is what queries read: Oxigraph's union of named graphs would return a triple once per
        graph holding it (an entity's label once per article). It is rebuilt by bulk loading, so a build killed
        meanwhile leaves it partial: `record_files` is written after it, so such a store is stale for queries
        (`open_query_store`) until `sync` or a build rebuilds it.
        """
        return self.replace_default(line for name in self.graph_names(ALL_GRAPHS) for line in self.graph_lines(name))

    def replace_default(self, lines: Iterable[bytes]) -> int:
        """Make the default graph hold the distinct N-Triples `lines` (by bulk loading); returns their number."""
        with tempfile.NamedTemporaryFile(prefix="kg-default-") as tmp:
            count = write_chunks(sorted_unique_chunks(lines), tmp)
            tmp.flush()
            self.replace_default_sorted(tmp.name)
        return count

    def replace_default_sorted(self, path: str) -> None:
        """Make the default graph hold the N-Triples file `path`, already sorted and without repeats, as Oxigraph
        wrote them (bulk loaded without validating again, with the same caveat as `rebuild_default`)."""
        try:
            self.inner.clear_graph(ox.DefaultGraph())
            self.inner.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph(), lenient=True)
        except (SyntaxError, ValueError, OSError) as err:
            raise StoreError(f"cannot rebuild the default graph of {self.path or '(memory)'}: {err}") from err

    def bulk_load_quads(self, path: str) -> None:
        """Load the N-Quads file `path` (written by Oxigraph: not validated again) without a transaction, which
        is about twice as fast: for a store nothing reads yet (`open_staging`)."""
        try:
            self.inner.bulk_load(path=path, format=ox.RdfFormat.N_QUADS, lenient=True)
        except (SyntaxError, ValueError, OSError) as err:
            raise StoreError(f"cannot load the articles into {self.path or '(memory)'}: {err}") from err

    def add_default(self, ntriples: bytes) -> None:
        """Add the N-Triples to the default graph, in one transaction (triples it holds already stay once)."""
        if ntriples.strip():
            try:
                self.inner.load(input=ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
            except (SyntaxError, ValueError, OSError) as err:
                raise StoreError(f"cannot write the default graph of {self.path or '(memory)'}: {err}") from err

    def load_derived(self, directory: Path) -> list[bytes]:
        """Replace the Wikidata and inferred graphs by `wikidata.ttl` and `inferred.ttl` of `directory`.

        A missing file removes its graph. Each graph is replaced in one transaction. Returns their N-Triples.
        """
        loaded = []
        for name, filename in _DERIVED.values():
            path = directory / filename
            try:
                data = ox.serialize((q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)),
                                    format=ox.RdfFormat.N_TRIPLES) if path.is_file() else b""
            except (SyntaxError, OSError) as err:
                raise StoreError(f"cannot read {path}: {err}") from err
            self.replace_graph(name, data or b"")
            loaded.append(data or b"")
        return loaded

    def bulk_load_derived(self, directory: Path) -> None:
        """Load `wikidata.ttl` and `inferred.ttl` of `directory` into their graphs and into the default graph by bulk
        loading: no transaction, so memory stays bounded however large they are (a transaction holds all its
        writes in memory, gigabytes at 10,000 articles). For a new store nothing reads yet (`open_staging`), whose
        derived graphs are empty; a build killed meanwhile leaves that store, never promoted."""
        for name, filename in _DERIVED.values():
            path = directory / filename
            if not path.is_file():
                continue
            for graph in (name, ox.DefaultGraph()):
                try:
                    self.inner.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
                except (SyntaxError, ValueError, OSError) as err:
                    raise StoreError(f"cannot load {path} into {self.path or '(memory)'}: {err}") from err

    def count_default(self) -> int:
        """Number of triples in the default graph (the merged view queries read)."""
        result = self.inner.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=ox.DefaultGraph())
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))[0].value)  # type: ignore[union-attr]

    def count(self, graphs: Iterable[GraphSet] = ALL_GRAPHS, *, merged: bool = False) -> int:
        """Number of quads in the selected named graphs, or with `merged` of distinct triples over them."""
        names = self.graph_names(graphs)
        if not names:
            return 0
        if merged:
            query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
            result = self.inner.query(query, default_graph=names)  # type: ignore[arg-type]
        else:
            query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
            result = self.inner.query(query, named_graphs=names)  # type: ignore[arg-type]
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))[0].value)  # type: ignore[union-attr]

    def graph_lines(self, name: ox.NamedNode) -> Iterator[bytes]:
        """A graph's triples as canonical N-Triples lines (unsorted), through a temporary file past 64 MiB."""
        with tempfile.SpooledTemporaryFile(max_size=1 << 26, prefix="kg-graph-") as spool:
            self.inner.dump(spool, format=ox.RdfFormat.N_TRIPLES, from_graph=name)
            spool.seek(0)
            yield from spool

    # -- rdflib ---------------------------------------------------------------------------------------------

    def rdflib_dataset(self) -> Dataset:
        """The store as an rdflib Dataset through oxrdflib (no copy), for code that needs the rdflib API.

        Its default graph is the union of the graphs; a triple in several graphs is seen once per graph.
        """
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        return Dataset(store=OxigraphStore(store=self.inner), default_union=True)


def rdflib_graph_from(open_lines: Callable[[], IO[bytes]]) -> Graph:
    """N-Triples that Oxigraph wrote, in the file a new handle from `open_lines` names, as an rdflib Graph over an
    in-memory Oxigraph store (through oxrdflib): loading is ~50× faster than into rdflib's own memory store and takes
    several times less memory, for the same answers. Bulk loaded from the file's path, without validating again:
    the work stays outside the interpreter, beside the threads that write graph.ttl."""
    from kg.rdf.terms import OxigraphGraph

    graph = OxigraphGraph()  # keeps its Oxigraph store at hand for the stages that work in Oxigraph
    with open_lines() as lines:
        graph.oxigraph.bulk_load(path=lines.name, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph

def _staging(path: Path) -> Path:
    return path.with_name(path.name + ".new")


def _ready_mark(path: Path) -> Path:
    return path.with_name(path.name + ".ready")


def promote(path: Path) -> None:
    """Put the closed staging store of `path` (see `TripleStore.open_staging`) in place of the store at `path`.

    The staging store is first marked whole; from then on a kill at any point is finished by `recover` (called
    whenever a store is opened), so the store at `path` is always either the old one or the new one, whole."""
    _ready_mark(path).touch()
    recover(path)


def recover(path: Path) -> None:
    """Finish a `promote` a killed build left half done, and remove what an unfinished one left.

    Only when no other writer holds the folder's lock (`kg.store.folderlock`): a running build finishes its own."""
    staging, old, ready = _staging(path), path.with_name(path.name + ".old"), _ready_mark(path)
    if not (ready.exists() or old.exists()):
        return
    try:
        with write_lock(path.parent, "recover"):
            _recover(staging, old, ready, path)
    except FolderBusyError:
        return


def _recover(staging: Path, old: Path, ready: Path, path: Path) -> None:
    if ready.exists():
        if staging.is_dir():
            if path.exists():
                path.rename(old)
            staging.rename(path)
        ready.unlink()
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
