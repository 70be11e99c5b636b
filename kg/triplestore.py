"""Triple store: the embedded Oxigraph store of a build folder (`DIR/store`) and its deterministic dumps.

The store holds one named graph per article, named by the article's IRI (`kgid:article/…`) and holding the
triples extracted from it, plus `https://w3id.org/kg-news/graph/wikidata` (the Wikidata links and enrichment of
`wikidata.ttl`) and `…/graph/inferred` (what the reasoner entailed, `inferred.ttl`), the names `kg.store` gives
these layers. Entity nodes (a state's type and labels) appear in the graph of every article that mentions them.
The default graph holds the merge of all these graphs, each distinct triple once: it is what queries read
(`kg query`, `kg serve`), the same triples as the graph files merged. Oxigraph's union of the named graphs would
give a triple once per graph that holds it, so a state's label once per article.

Every change of an article is one transaction: adding it loads its graph in one go, re-adding it drops the old
graph and inserts the new one in one SPARQL update, removing it drops its graph. A build killed at any point
leaves a store that opens and holds each article wholly or not at all.

Dumps (`export`) are byte for byte deterministic: lines sorted in their canonical N-Triples/N-Quads form (named
graphs in IRI order, then their triples), the project's prefixes, and an external merge sort so that memory
stays bounded on big stores. Triple formats (Turtle, N-Triples) merge the selected graphs; dataset formats
(N-Quads, TriG, JSON-LD) keep them.

`DIR/store.json` records the size and modification time of `graph.ttl`, `wikidata.ttl` and `inferred.ttl` when
the store was last brought in line with them (`record_files`); `open_query_store` uses the store only while they
still match, so a graph file rewritten on its own (`kg reason DIR`) is never shadowed by an older store.

>>> store = TripleStore.open_memory()
>>> name = article_graph("a1")
>>> store.replace_graph(name, b'<https://w3id.org/kg-news/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .')
>>> store.count(), [g.value for g in store.article_graphs()]
(1, ['https://w3id.org/kg-news/id/article/a1-f29bc91b'])
"""

from __future__ import annotations

import enum
import heapq
import io
import itertools
import json
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox

from kg.articles import Article
from kg.errors import FolderBusyError, StoreError
from kg.folderlock import write_lock
from kg.rdf.mapping import PREFIXES, article_iri, checked_iri
from kg.rdf.ontology import KGID
from kg.rdf.serialise import RdfFormat, atomic_writer, serialise_to, write_atomic

if TYPE_CHECKING:
    from rdflib import Dataset, Graph

__all__ = ["ALL_GRAPHS", "ArticleQuads", "BackgroundWriter", "BuildWriter", "ExportFormat", "GraphSet", "STORE_DIR",
           "TripleStore", "article_graph", "export", "export_bytes", "export_file", "open_query_store", "promote",
           "parse_graph_sets", "record_files", "sorted_unique", "sorted_unique_chunks", "stale_files", "sync"]

STORE_DIR = "store"
STAMP_FILE = "store.json"
#: The files of a build folder that the store mirrors.
MIRRORED_FILES = ("graph.ttl", "wikidata.ttl", "inferred.ttl")
ARTICLE_GRAPH_PREFIX = f"{KGID}article/"
GRAPHS_NS = "https://w3id.org/kg-news/graph/"
WIKIDATA_GRAPH = ox.NamedNode(str(checked_iri(f"{GRAPHS_NS}wikidata")))
INFERRED_GRAPH = ox.NamedNode(str(checked_iri(f"{GRAPHS_NS}inferred")))
#: Lines an external sort keeps in memory before spilling a sorted run to disk (about 250 MB at this size; a
#: 1,000-article build's 450,000 triples sort without spilling, whose merge runs line by line in Python).
SORT_BUFFER = 1_000_000


class GraphSet(enum.Enum):
    """The kinds of graph in a store: the articles' asserted triples, and the two derived graphs."""

    ASSERTED = "asserted"
    INFERRED = "inferred"
    WIKIDATA = "wikidata"


ALL_GRAPHS: tuple[GraphSet, ...] = tuple(GraphSet)
_DERIVED = {GraphSet.INFERRED: (INFERRED_GRAPH, "inferred.ttl"), GraphSet.WIKIDATA: (WIKIDATA_GRAPH, "wikidata.ttl")}


class ExportFormat(enum.Enum):
    """Dump formats. Turtle and N-Triples merge the selected graphs; the others keep each graph named."""

    TTL = "ttl"
    NT = "nt"
    NQ = "nq"
    TRIG = "trig"
    JSONLD = "jsonld"

    @property
    def rdf_format(self) -> RdfFormat:
        return RdfFormat(self.value)

    @property
    def keeps_graphs(self) -> bool:
        """True for dataset formats (named graphs kept), False for graph formats (graphs merged)."""
        return self in (ExportFormat.NQ, ExportFormat.TRIG, ExportFormat.JSONLD)


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
        """The names of the graphs of the selected sets that the store holds, sorted by IRI."""
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
        """Load the derived graphs from the files of `directory` and rebuild the default graph from all graphs."""
        self.load_derived(directory)
        self.rebuild_default()

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
            count = _write_chunks(sorted_unique_chunks(lines), tmp)
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


def _rdflib_graph_from(open_lines: Callable[[], IO[bytes]]) -> Graph:
    """`_rdflib_graph` of the N-Triples a new handle from `open_lines` reads (then closed)."""
    with open_lines() as lines:
        return _rdflib_graph(lines)


def _rdflib_graph(ntriples: IO[bytes]) -> Graph:
    """N-Triples as an rdflib Graph over an in-memory Oxigraph store (through oxrdflib): loading is ~50× faster
    than into rdflib's own memory store and takes several times less memory, for the same answers."""
    from oxrdflib import OxigraphStore
    from rdflib import Graph
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    memory = ox.Store()
    memory.load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    graph = Graph(store=OxigraphStore(store=memory), identifier=DATASET_DEFAULT_GRAPH_ID, bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


class BuildWriter:
    """Writes a build into a store: each article in its own transaction, then `graph.ttl` and the default graph
    from the triples just written, without reading them back from the store (reads from an on-disk store cost
    tens of microseconds per quad here, more than writes).

    The end of a build overlaps on threads what does not need the interpreter: Oxigraph loads the merged triples
    into the store's default graph and into the in-memory graph of the later stages while `graph.ttl` is written
    (and, until `refresh`, while the caller links, validates and reasons).

    >>> writer = BuildWriter(TripleStore.open_memory())
    >>> writer.put(ArticleQuads("a", article_graph("a").value,
    ...     f'<urn:x:s> <urn:x:p> "o" {article_graph("a")} .\\n'.encode(), 1))
    >>> with writer.sorted_asserted() as lines:
    ...     lines.read()
    b'<urn:x:s> <urn:x:p> "o" .\\n'
    """

    def __init__(self, store: TripleStore, *, deferred: bool = False) -> None:
        self.store = store
        self._spool: IO[bytes] = tempfile.TemporaryFile(prefix="kg-spool-")
        self._quads: IO[bytes] | None = tempfile.NamedTemporaryFile(prefix="kg-quads-") if deferred else None
        self._sorted: Path | None = None
        self._written: set[str] = set()
        self._threads = ThreadPoolExecutor(max_workers=3, thread_name_prefix="kg-build-writer")
        self._default: Future[None] | None = None
        self.count = 0

    def put(self, article: ArticleQuads) -> None:
        """Add (or replace) an article's graph in the store, in one transaction, and keep its triples; `deferred`,
        keep its quads for one bulk load at the end instead (a new store, filled while nothing reads it)."""
        if self._quads is not None:
            self._quads.write(article.nquads)
        else:
            self.store.put_article(article)
        cut = len(f" <{article.graph}> .\n")
        self._spool.writelines(line[:-cut] + b" .\n" for line in article.nquads.splitlines(keepends=True))
        self._written.add(article.graph)

    def sorted_asserted(self) -> IO[bytes]:
        """Every article's triples (those of earlier builds read from the store), merged and sorted, as N-Triples,
        in a new handle (so that threads read the file each at its own position)."""
        if self._sorted is None:
            for name in self.store.article_graphs():
                if name.value not in self._written:
                    self._spool.writelines(self.store.graph_lines(name))
            self._spool.seek(0)
            handle, sorted_path = tempfile.mkstemp(prefix="kg-asserted-")
            self._sorted = Path(sorted_path)
            with open(handle, "wb") as out:
                self.count = _write_chunks(sorted_unique_chunks(self._spool), out)
            self._spool.close()
        return self._sorted.open("rb")

    def write_asserted(self, path: Path) -> tuple[int, Graph]:
        """Write the merged article triples to `path` as deterministic Turtle; their number, and them as an rdflib
        Graph (over an in-memory Oxigraph store, for the Wikidata, validation and counting stages).

        Meanwhile the deferred article graphs (from before the sort) and then the default graph are loaded into the
        store (finished by `refresh`)."""
        articles = self._threads.submit(self._load_articles)
        with self.sorted_asserted() as lines:
            self._default = self._threads.submit(self._load_default, articles, lines.name)
        memory = self._threads.submit(_rdflib_graph_from, self.sorted_asserted)
        with atomic_writer(path) as handle, self.sorted_asserted() as lines:
            _serialise_sorted(lines, handle, ExportFormat.TTL)
        return self.count, memory.result()

    def _load_articles(self) -> None:
        """Bulk load the deferred article graphs (none unless `deferred`)."""
        if self._quads is not None:
            self._quads.flush()
            self.store.bulk_load_quads(self._quads.name)

    def _load_default(self, articles: Future[None], asserted: str) -> None:
        """Once the article graphs are in, make the default graph the sorted article triples `asserted`."""
        articles.result()
        self.store.replace_default_sorted(asserted)

    def refresh(self, directory: Path) -> None:
        """Once `write_asserted` has loaded the articles, load the derived graphs of `directory` into the store and
        make its default graph the merge of all."""
        if self._default is None:
            raise RuntimeError("BuildWriter.refresh before write_asserted")
        self._default.result()
        derived = self.store.load_derived(directory)
        self.store.add_default(b"".join(derived))

    def close(self) -> None:
        self._threads.shutdown(wait=True)
        self._spool.close()
        if self._quads is not None:
            self._quads.close()
        if self._sorted is not None:
            self._sorted.unlink(missing_ok=True)


class BackgroundWriter:
    """Puts articles into the store on a thread of its own while the next ones are extracted.

    Oxigraph releases the GIL while it writes, so the disk work (tens of milliseconds per article) overlaps with
    parsing instead of adding to it. Articles are still written in order, one transaction each; an error of the
    writer is raised by the next `put` or on leaving the `with` block.
    """

    def __init__(self, writer: BuildWriter, *, depth: int = 8) -> None:
        self._writer = writer
        self._queue: queue.Queue[ArticleQuads | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="kg-store-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (article := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._writer.put(article)
                except BaseException as err:  # handed to the main thread
                    self._error = err

    def put(self, article: ArticleQuads) -> None:
        """Queue an article for the store (waits while `depth` articles are already queued)."""
        self._raise()
        self._queue.put(article)

    def close(self) -> None:
        """Wait until every queued article is in the store."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- dumps ----------------------------------------------------------------------------------------------------


def sorted_unique(lines: Iterable[bytes], buffer: int = SORT_BUFFER) -> Iterator[bytes]:
    """The lines sorted (bytewise) without duplicates; runs of `buffer` lines spill to disk and are merged."""
    return itertools.chain.from_iterable(sorted_unique_chunks(lines, buffer))


def sorted_unique_chunks(lines: Iterable[bytes], buffer: int = SORT_BUFFER) -> Iterator[list[bytes]]:
    """`sorted_unique` in lists of lines, so that callers can write them with one `writelines` each: the work
    per line then stays in C (set, sort, write), which makes sorting a whole graph several times faster."""
    source = iter(lines)
    with ExitStack() as stack:
        runs: list[IO[bytes]] = []
        while True:
            chunk = list(itertools.islice(source, buffer))
            pending = set(chunk)
            if len(chunk) < buffer:
                break
            run = stack.enter_context(tempfile.TemporaryFile(prefix="kg-sort-"))
            run.writelines(sorted(pending))
            run.seek(0)
            runs.append(run)
        if not runs:
            yield sorted(pending)
            return
        merged = _dedupe(heapq.merge(sorted(pending), *runs))
        while chunk := list(itertools.islice(merged, 65_536)):
            yield chunk


def _dedupe(ordered: Iterable[bytes]) -> Iterator[bytes]:
    previous = None
    for line in ordered:
        if line != previous:
            yield line
            previous = line


def _write_chunks(chunks: Iterable[list[bytes]], out: IO[bytes]) -> int:
    """Write the lists of lines of `sorted_unique_chunks` to `out`; how many lines."""
    count = 0
    for chunk in chunks:
        out.writelines(chunk)
        count += len(chunk)
    return count


def _write_sorted_triples(store: TripleStore, names: Sequence[ox.NamedNode], out: IO[bytes]) -> int:
    """The graphs' triples merged, deduplicated and sorted, as N-Triples; returns the number of triples."""
    return _write_chunks(sorted_unique_chunks(line for name in names for line in store.graph_lines(name)), out)


def _serialise_sorted(lines: IO[bytes], out: IO[bytes], fmt: ExportFormat) -> None:
    """Sorted N-Triples (or N-Quads for dataset formats) from `lines` to `out` in `fmt`, streaming.

    The lines were written by Oxigraph (the store, the build's spool), so they are parsed without validating
    them again (`lenient`): a third less time, the same triples."""
    parsed = ox.parse(lines, format=ox.RdfFormat.N_QUADS if fmt.keeps_graphs else ox.RdfFormat.N_TRIPLES,
                      lenient=True)
    items: Iterable[ox.Quad] | Iterable[ox.Triple] = parsed if fmt.keeps_graphs else (q.triple for q in parsed)
    serialise_to(items, out, fmt.rdf_format)


def _write_sorted_quads(store: TripleStore, names: Sequence[ox.NamedNode], out: IO[bytes]) -> int:
    """The graphs' quads as N-Quads, graph by graph in IRI order, each graph's triples sorted."""
    count = 0
    for name in names:
        suffix = f" {name} .\n".encode()
        for line in sorted_unique(store.graph_lines(name)):
            out.write(line[:-3] + suffix)  # "<s> <p> <o> .\n" → "<s> <p> <o> <g> .\n"
            count += 1
    return count


def export(store: TripleStore, out: IO[bytes], fmt: ExportFormat = ExportFormat.TTL,
           graphs: Iterable[GraphSet] = ALL_GRAPHS) -> int:
    """Write the selected graphs of `store` to `out` in `fmt`, deterministically; returns the triples/quads written.

    Turtle and N-Triples hold the distinct triples of the selected graphs merged; N-Quads, TriG and JSON-LD keep
    each graph under its name. Lines are sorted in canonical N-Triples/N-Quads order, so the same store gives
    the same bytes; Turtle and TriG declare the project's prefixes.
    """
    names = store.graph_names(graphs)
    write = _write_sorted_quads if fmt.keeps_graphs else _write_sorted_triples
    if fmt in (ExportFormat.NT, ExportFormat.NQ):
        return write(store, names, out)
    with tempfile.TemporaryFile(prefix="kg-export-") as tmp:
        count = write(store, names, tmp)
        tmp.seek(0)
        _serialise_sorted(tmp, out, fmt)
    return count


def export_file(store: TripleStore, path: Path, fmt: ExportFormat = ExportFormat.TTL,
                graphs: Iterable[GraphSet] = ALL_GRAPHS) -> int:
    """`export` to `path` through a temporary file and a rename; returns the triples/quads written."""
    with atomic_writer(path) as handle:
        return export(store, handle, fmt, graphs)


def export_bytes(store: TripleStore, fmt: ExportFormat = ExportFormat.TTL, graphs: Iterable[GraphSet] = ALL_GRAPHS
                 ) -> bytes:
    """`export` to bytes."""
    out = io.BytesIO()
    export(store, out, fmt, graphs)
    return out.getvalue()


# -- the build folder -----------------------------------------------------------------------------------------


def _stamps(directory: Path) -> dict[str, list[int] | None]:
    stamps: dict[str, list[int] | None] = {}
    for name in MIRRORED_FILES:
        try:
            stat = (directory / name).stat()
            stamps[name] = [stat.st_size, stat.st_mtime_ns]
        except FileNotFoundError:
            stamps[name] = None
    return stamps


def record_files(directory: Path) -> None:
    """Record that the store of `directory` now holds what its graph files hold."""
    write_atomic(directory / STAMP_FILE, json.dumps(_stamps(directory), indent=1).encode("utf-8"))


def stale_files(directory: Path) -> list[str]:
    """The graph files of `directory` changed since the store was brought in line with them (all when unknown)."""
    try:
        recorded = json.loads((directory / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return list(MIRRORED_FILES)
    current = _stamps(directory)
    return [name for name in MIRRORED_FILES if recorded.get(name) != current[name]]


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

    Only when no other writer holds the folder's lock (`kg.folderlock`): a running build finishes its own."""
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


def open_query_store(directory: Path) -> ox.Store | None:
    """The store of a build folder opened read-only for queries, or None when there is none or it is stale.

    Stale: `graph.ttl`, `wikidata.ttl` or `inferred.ttl` changed since the store was last written (e.g. by a
    `kg reason` run on its own); the caller then reads the files instead. Query its default graph (the merge of
    all graphs, as the files merged), not the union of its named graphs, which repeats shared triples.
    """
    from kg.commit import recover_folder

    recover_folder(directory)
    path = directory / STORE_DIR
    recover(path)
    if not path.is_dir() or stale_files(directory):
        return None
    try:
        return ox.Store.read_only(str(path))
    except OSError:
        return None


def _same_bytes(path: Path, other: IO[bytes]) -> bool:
    other.seek(0)
    with path.open("rb") as handle:
        while True:
            a, b = handle.read(1 << 20), other.read(1 << 20)
            if a != b:
                return False
            if not a:
                return True


def sync(directory: Path) -> list[str]:
    """Bring the store of the build folder `directory` in line with its graph files; the files that were read.

    `wikidata.ttl` and `inferred.ttl` rewritten since the store was (by `kg reason DIR` on its own) are loaded
    into their graphs. A `graph.ttl` that changed must still be what the store's article graphs hold.

    Raises:
        StoreError: `graph.ttl` no longer matches the store (build again), or the store is in use.
    """
    from kg.commit import recover_folder

    recover_folder(directory)
    stale = stale_files(directory)
    if not stale:
        return []
    with write_lock(directory, "sync"), TripleStore.open(directory / STORE_DIR) as store:
        if "graph.ttl" in stale:
            with tempfile.TemporaryFile() as tmp:
                export(store, tmp, ExportFormat.TTL, [GraphSet.ASSERTED])
                if not (directory / "graph.ttl").is_file() or not _same_bytes(directory / "graph.ttl", tmp):
                    raise StoreError(f"{directory / 'graph.ttl'} is not what {directory / STORE_DIR} holds; "
                                     f"build again with `kg build … --out {directory}`")
        store.refresh(directory)
    record_files(directory)
    return stale
