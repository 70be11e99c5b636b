"""Writing a build into the store: `BuildWriter` puts each article in its own transaction and writes
`graph.ttl` and the default graph from the triples just written; `BackgroundWriter` does it on a thread of its own.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kg.rdf.serialise import RdfFormat, atomic_writer
from kg.store.dumps import serialise_sorted
from kg.store.sort import sort_file
from kg.store.triplestore import ArticleQuads, TripleStore, rdflib_graph_from

if TYPE_CHECKING:
    from rdflib import Graph


class BuildWriter:
    """Writes a build into a store: each article in its own transaction, then `graph.ttl` and the default graph
    from the triples just written, without reading them back from the store (reads from an on-disk store cost
    tens of microseconds per quad here, more than writes).

    The end of a build overlaps on threads what does not need the interpreter: Oxigraph loads the merged triples
    into the store's default graph and into the in-memory graph of the later stages while `graph.ttl` is written
    (and, until `refresh`, while the caller links, validates and reasons).

    >>> from kg.store.triplestore import article_graph
    >>> writer = BuildWriter(TripleStore.open_memory())
    >>> writer.put(ArticleQuads("a", article_graph("a").value,
    ...     f'<urn:x:s> <urn:x:p> "o" {article_graph("a")} .\\n'.encode(), 1))
    >>> with writer.sorted_asserted() as lines:
    ...     lines.read()
    b'<urn:x:s> <urn:x:p> "o" .\\n'
    """

    def __init__(self, store: TripleStore, *, deferred: bool = False) -> None:
        self.store = store
        self._spool: IO[bytes] = tempfile.NamedTemporaryFile(prefix="kg-spool-")
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
            self._spool.flush()
            handle, sorted_path = tempfile.mkstemp(prefix="kg-asserted-")
            os.close(handle)
            self._sorted = Path(sorted_path)
            self.count = sort_file(Path(self._spool.name), self._sorted)
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
        memory = self._threads.submit(rdflib_graph_from, self.sorted_asserted)
        with atomic_writer(path) as handle, self.sorted_asserted() as lines:
            serialise_sorted(lines, handle, RdfFormat.TTL)
        return self.count, memory.result()

    def _load_articles(self) -> None:
        """Bulk load the deferred article graphs (none unless `deferred`)."""
        if self._quads is not None:
            self._quads.flush()
            self.store.bulk_load_quads(self._quads.name)

    def _load_default(self, articles: Future[None], asserted: str) -> None:
        """Once the article graphs are in, make the asserted layer graph and the default graph the sorted article
        triples `asserted`."""
        articles.result()
        self.store.replace_asserted_sorted(asserted)

    def refresh(self, directory: Path) -> None:
        """Once `write_asserted` has loaded the articles, load the derived graphs of `directory` into the store and
        make its default graph the merge of all."""
        if self._default is None:
            raise RuntimeError("BuildWriter.refresh before write_asserted")
        self._default.result()
        if self._quads is not None:  # a new store nothing reads yet: bulk loads, without a transaction's memory
            self.store.bulk_load_derived(directory)
            return
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
