"""Extract at scale: one function turns an article into its named graph as N-Quads, run here, on N processes or on
a Dask cluster.

`article_quads` is the unit of work: extract the article (spaCy and the rules), map it to RDF (`kg.rdf.mapping`, its
terms written straight as N-Triples text) and join the triples as N-Quads named by the article's IRI. Articles go to
workers in chunks (parsed per language with `nlp.pipe`, in batches), a bounded number of chunks in flight, so a
corpus of any size streams through in bounded memory; results come back in input order, whatever the number of
workers, and load into the store (`kg.store.triplestore.TripleStore.put_article`).

- `jobs=1`: in this process, with the given extractor.
- `jobs=N`: a pool of N processes (spawned, not forked: each loads its own spaCy pipelines once).
- `scheduler=ADDRESS`: the workers of a Dask cluster (`dask.distributed.Client(ADDRESS)`); each worker process
  loads its pipelines once and keeps them. kg must be installed on the workers.
"""

from __future__ import annotations

import enum
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal
from itertools import groupby, islice
from typing import Protocol

import pyoxigraph as ox
from rdflib import XSD, Literal
from spacy.tokens import Doc

from kg.errors import ExtractionError, KGError, MappingError
from kg.extract import Extractor
from kg.ingest.article import Article
from kg.rdf.mapping import article_iri, write_extraction
from kg.store.triplestore import ArticleQuads

__all__ = ["CHUNK_SIZE", "ExecutorKind", "article_quads", "extract_all", "extract_chunk", "group_articles"]

#: Articles per task sent to a worker, parsed together by `nlp.pipe` (split by language). The small models are
#: about a quarter faster on batches of 32 to 64 documents than of 8 (measured on the English one), and 64 parsed
#: articles take a few megabytes.
CHUNK_SIZE = 64


class ExecutorKind(enum.Enum):
    """Where the per-article function runs when `jobs` > 1 or a scheduler is given."""

    PROCESS = "process"
    DASK = "dask"


class _InvalidTerm(Exception):
    """Oxigraph refused a term (an IRI that is not one: rdflib would only have warned): the group fails."""


class _NQuads:
    """The mapper's sink in the build: each term as its N-Triples form, made by Oxigraph once per distinct term,
    and the triples of one named graph, written as N-Quads.

    Oxigraph's N-Quads serialiser writes a quad as its terms' N-Triples forms (`str` of a pyoxigraph term), so
    joining those gives the bytes `pyoxigraph.serialize` gives, without a `Quad` per triple (making one costs more
    than mapping the triple; tests/test_mapping_speed.py checks that both agree). Equal terms have one N-Triples
    form, so the strings also tell which triples repeat.
    """

    def __init__(self, name: ox.NamedNode) -> None:
        self.name = str(name)
        self.iris: dict[str, str] = {}
        self.literals: dict[tuple[type, str, str | None, str | None], str] = {}
        self.values: dict[str, str] = {}  # N-Triples form → IRI or lexical form
        self.triples: dict[tuple[str, str, str], None] = {}  # a set that keeps the mapper's order

    def iri(self, value: str) -> str:
        found = self.iris.get(value)
        if found is None:
            found = self.iris[value] = self._written(lambda: ox.NamedNode(value))
        return found

    def literal(self, value: str | int | Decimal, lang: str | None = None, datatype: str | None = None) -> str:
        key = (type(value), str(value), lang, datatype)
        found = self.literals.get(key)
        if found is None:
            found = self.literals[key] = self._written(lambda: _literal(value, lang, datatype))
        return found

    def _written(self, make: Callable[[], ox.NamedNode | ox.Literal]) -> str:
        try:
            term = make()
        except ValueError as err:
            raise _InvalidTerm(err) from err
        text = str(term)
        self.values[text] = term.value
        return text

    def lexical(self, term: str) -> str:
        return self.values[term]

    def add(self, s: str, p: str, o: str) -> None:
        self.triples[s, p, o] = None

    def nquads(self) -> bytes:
        g = self.name
        return "".join([f"{s} {p} {o} {g} .\n" for s, p, o in self.triples]).encode("utf-8")


_XSD_INTEGER = ox.NamedNode(str(XSD.integer))


def _literal(value: str | int | Decimal, lang: str | None, datatype: str | None) -> ox.Literal:
    """The Oxigraph literal of rdflib's `Literal(value, lang=lang, datatype=datatype)`: strings and integers
    directly (their lexical form is the text), other values through rdflib, which normalises their lexical form."""
    if datatype is None and type(value) is str:
        return ox.Literal(value, language=lang) if lang else ox.Literal(value)
    if datatype is None and lang is None and type(value) is int:
        return ox.Literal(str(value), datatype=_XSD_INTEGER)
    term = Literal(value, lang=lang, datatype=datatype)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def group_articles(articles: Iterable[Article]) -> Iterator[list[Article]]:
    """Consecutive articles with the same id, together: one named graph each (the input is sorted by id)."""
    for _, group in groupby(articles, key=lambda a: a.id):
        yield list(group)


def article_quads(group: Sequence[Article], extractor: Extractor, docs: Sequence[Doc | Exception] | None = None
                  ) -> ArticleQuads:
    """The named graph of the articles with one id (usually one article), as N-Quads.

    `docs` are the articles' parsed documents when already parsed (else they are parsed here), or the error
    that stopped parsing. Articles that fail are listed in `errors`; the others are still in the graph.
    """
    name = ox.NamedNode(str(article_iri(group[0])))
    sink = _NQuads(name)
    errors: list[tuple[str, Exception]] = []
    for i, article in enumerate(group):
        try:
            doc = docs[i] if docs is not None else None
            if isinstance(doc, Exception):
                raise doc
            write_extraction(extractor.extract(article) if doc is None else Extractor.from_doc(article, doc), sink)
        except KGError as err:
            errors.append((article.source or article.id, err))
        except _InvalidTerm as err:
            failed = [(a.source or a.id, MappingError(f"article {a.id!r}: invalid RDF term: {err}")) for a in group]
            return ArticleQuads(group[0].id, name.value, b"", 0, 0, tuple(failed))
    return ArticleQuads(group[0].id, name.value, sink.nquads(), len(sink.triples), len(group) - len(errors),
                        tuple(errors))


def _parse(chunk: Sequence[Sequence[Article]], extractor: Extractor, batch_size: int
           ) -> list[list[Doc | Exception]]:
    """Parse every article of the chunk, language by language through `nlp.pipe`."""
    docs: list[list[Doc | Exception]] = [[ExtractionError("not parsed")] * len(group) for group in chunk]
    positions = []
    for g, group in enumerate(chunk):
        for i, article in enumerate(group):
            try:
                extractor.check(article)
            except KGError as err:
                docs[g][i] = err
                continue
            positions.append((article.lang, g, i))
    for lang, items in groupby(sorted(positions), key=lambda x: x[0]):
        where = [(g, i) for _, g, i in items]
        try:
            nlp = extractor.nlp(lang)
        except KGError as err:
            for g, i in where:
                docs[g][i] = err
            continue
        texts = (chunk[g][i].text for g, i in where)
        for (g, i), doc in zip(where, nlp.pipe(texts, batch_size=batch_size), strict=True):
            docs[g][i] = doc
    return docs


_WORKER_EXTRACTOR: Extractor | None = None


def _worker_extractor(max_chars: int | None) -> Extractor:
    """The extractor of this worker process, created on first use and kept (so models load once)."""
    global _WORKER_EXTRACTOR
    if _WORKER_EXTRACTOR is None:
        _WORKER_EXTRACTOR = Extractor()
    if max_chars is not None:
        _WORKER_EXTRACTOR.max_chars = max_chars
    return _WORKER_EXTRACTOR


def extract_chunk(chunk: Sequence[Sequence[Article]], extractor: Extractor | None = None,
                  batch_size: int = CHUNK_SIZE, max_chars: int | None = None) -> list[ArticleQuads]:
    """`article_quads` of every group of the chunk, parsing them together (the function workers run, with the
    caller's `max_chars`)."""
    extractor = extractor or _worker_extractor(max_chars)
    docs = _parse(chunk, extractor, batch_size)
    return [article_quads(group, extractor, group_docs) for group, group_docs in zip(chunk, docs, strict=True)]


def _chunks(articles: Iterable[Article], size: int) -> Iterator[list[list[Article]]]:
    groups = group_articles(articles)
    while chunk := list(islice(groups, size)):
        yield chunk


class _Pending(Protocol):
    """A submitted chunk: a concurrent.futures or a dask.distributed future."""

    def result(self) -> list[ArticleQuads]: ...


def _in_order(submit: Callable[[list[list[Article]]], _Pending], chunks: Iterable[list[list[Article]]],
              window: int) -> Iterator[ArticleQuads]:
    """Submit chunks with at most `window` in flight; yield their results in submission order."""
    pending: deque[_Pending] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def extract_all(articles: Iterable[Article], *, extractor: Extractor | None = None, jobs: int = 1,
                executor: ExecutorKind | str = ExecutorKind.PROCESS, scheduler: str | None = None,
                chunk_size: int = CHUNK_SIZE) -> Iterator[ArticleQuads]:
    """The named graph of each article id, in input order: here (`jobs=1`), on `jobs` processes, or on Dask.

    Args:
        articles: sorted by id (articles sharing an id make one graph); consumed lazily.
        extractor: used when running here (a new one when None).
        jobs: number of worker processes (`ExecutorKind.PROCESS`).
        executor: `process` (a local pool) or `dask` (the cluster at `scheduler`).
        scheduler: the Dask scheduler address, e.g. `tcp://127.0.0.1:8786` (for `dask`).

    Raises:
        ExtractionError: a worker died, or the Dask cluster could not be reached.
        ValueError: `jobs` < 1, or `dask` without a scheduler.
    """
    kind = ExecutorKind(executor)
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    chunks = _chunks(articles, chunk_size)
    extractor = extractor or Extractor()
    if kind is ExecutorKind.DASK:
        if not scheduler:
            raise ValueError("the dask executor needs a scheduler address (--scheduler tcp://HOST:PORT)")
        yield from _on_dask(chunks, scheduler, extractor.max_chars)
        return
    if jobs == 1:
        for chunk in chunks:
            yield from extract_chunk(chunk, extractor)
        return
    context = multiprocessing.get_context("spawn")
    limit = extractor.max_chars
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        try:
            yield from _in_order(lambda chunk: pool.submit(extract_chunk, chunk, None, CHUNK_SIZE, limit), chunks,
                                 window=2 * jobs)
        except BrokenProcessPool as err:
            raise ExtractionError(f"an extraction worker process died: {err}") from err


def _on_dask(chunks: Iterable[list[list[Article]]], scheduler: str, max_chars: int) -> Iterator[ArticleQuads]:
    try:
        from dask.distributed import Client
    except ImportError as err:
        raise ExtractionError("the dask executor needs dask.distributed: pip install 'kg[dask]'") from err
    try:
        client = Client(scheduler, timeout=30)
    except (OSError, TimeoutError) as err:
        raise ExtractionError(f"cannot reach the Dask scheduler {scheduler}: {err}") from err
    with client:
        window = 2 * max(1, sum(client.nthreads().values()))
        yield from _in_order(
            lambda chunk: client.submit(extract_chunk, chunk, None, CHUNK_SIZE, max_chars, pure=False), chunks, window)
