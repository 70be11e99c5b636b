"""build(): articles in, `graph.ttl` out — ingest → extract → map → serialise → Wikidata → validate → reason."""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import RDF, Graph

from kg.errors import ArticleError, EmptyBuildError, KGError, StoreError
from kg.extract import Extractor
from kg.ingest.article import Article
from kg.ingest.read import read_articles
from kg.pipeline.executors import ExecutorKind, extract_all
from kg.rdf.ontology import KG
from kg.rdf.serialise import RdfFormat, atomic_writer, write_atomic
from kg.rdf.terms import OxigraphGraph
from kg.reason.reasoning import INFERRED_FILE, Reasoner, reason, reason_store
from kg.reason.shacl_oxigraph import validate_oxigraph
from kg.reason.validation import ShapeResult, ValidationReport, validate_graph
from kg.store.commit import abandon, begin, commit
from kg.store.dumps import serialise_sorted
from kg.store.folder import record_files
from kg.store.folderlock import write_lock
from kg.store.layers import GRAPH_FILE, REPORT_FILE, WIKIDATA_FILE
from kg.store.triplestore import STORE_DIR, ArticleQuads, TripleStore
from kg.store.writers import BackgroundWriter, BuildWriter
from kg.wikidata.client import WikidataClient
from kg.wikidata.enrich import enrich

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """An input that could not be used, and why."""

    source: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


@dataclass
class BuildReport:
    """What a build did: counts for the summary, problems for the report."""

    out: str
    articles: int = 0
    store_articles: int = 0  # articles in DIR/store after the build (more than `articles` with --append)
    triples: int = 0
    seconds: float = 0.0
    entities: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    wikidata: dict[str, object] = field(default_factory=dict)
    reasoner: str | None = None  # None: reasoning was skipped
    inferred: int = 0
    inconsistencies: list[str] = field(default_factory=list)
    conforms: bool | None = None  # None: validation was skipped
    violations: int = 0
    warnings: int = 0
    validation: list[ShapeResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_ENTITY_CLASSES = {KG.State: "states", KG.Organisation: "organisations", KG.MilitaryAlliance: "alliances",
                   KG.Person: "persons", KG.Place: "places", KG.WeaponSystem: "weapon systems"}
_EVENT_CLASSES = {KG.MilitaryExercise: "exercises", KG.ArmsDeal: "arms deals", KG.Membership: "memberships",
                  KG.Rivalry: "rivalries"}


def _count(graph: Graph, classes: dict) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for cls, name in classes.items():
        counts[name] = sum(1 for _ in graph.subjects(RDF.type, cls))
    return dict(counts)


def _identity(items: Iterable[T], total: int) -> Iterable[T]:
    return items


def build(paths: Sequence[Path], out: Path, *, extractor: Extractor | None = None, strict: bool = False,
          default_lang: str = "fr", wikidata: WikidataClient | None = None,
          progress: Callable[[Iterable[Article], int], Iterable[Article]] = _identity,
          reasoning: bool = True, reasoner: Reasoner | str = Reasoner.AUTO, validation: bool = True,
          append: bool = False, jobs: int = 1, executor: ExecutorKind | str = ExecutorKind.PROCESS,
          scheduler: str | None = None, remove: Sequence[str] = ()) -> BuildReport:
    """Build the knowledge graph of the articles under `paths` into `out/graph.ttl`.

    Bad files are reported in the returned report (and in `out/report.json`) while the rest is built;
    with `strict`, the first one raises its ArticleError instead. Articles too short for language detection
    ("und") are read as `default_lang`. The Wikidata links and enrichment go to `out/wikidata.ttl`: from
    the snapshot only when `wikidata` is None, else also from its endpoint (see `kg.wikidata.enrich`).
    With `validation`, the graph is checked against the SHACL shapes (`kg.reason.validation`; the results are in the
    report); with `reasoning`, what it entails goes to `out/inferred.ttl` (`kg.reason.reasoning.reason`, with
    `reasoner`), else a previous `out/inferred.ttl` is removed.

    Each article's triples go to its own named graph of the store `out/store` (`kg.store.triplestore`). A fresh build
    fills a new store beside it in one bulk load at the end; with `append` a copy of the store keeps the articles
    of earlier builds, each article written in one transaction (an article built again replaces its graph), and
    `remove` lists article ids to take out first. The graph files, the store, `store.json` and `report.json` of the
    new state are all made beside the current ones and put in place at one commit point (`kg.store.commit`): a build
    stopped or killed at any moment leaves the folder wholly as it was, or (once committed) wholly new.
    `graph.ttl` is written from the articles' triples, not read back from the store. The articles are extracted
    on `jobs` processes, or on the Dask cluster at `scheduler` with `executor="dask"`
    (`kg.pipeline.executors.extract_all`); the output does not depend on either.

    The folder's write lock (`kg.store.folderlock`) is held from the start to the end: one writer at a time.

    Raises:
        FolderBusyError: another kg command is writing `out` (nothing was touched).
        EmptyBuildError: a fresh build read no article while `out` holds articles (nothing was touched).
        ArticleError: with `strict`, the first input that cannot be read.
    """
    action = "remove" if remove else "build --append" if append else "build"
    with write_lock(out, action):
        return _build(paths, out, extractor=extractor, strict=strict, default_lang=default_lang, wikidata=wikidata,
                      progress=progress, reasoning=reasoning, reasoner=reasoner, validation=validation,
                      append=append, jobs=jobs, executor=executor, scheduler=scheduler, remove=remove)


def _build(paths: Sequence[Path], out: Path, *, extractor: Extractor | None, strict: bool, default_lang: str,
           wikidata: WikidataClient | None, progress: Callable[[Iterable[Article], int], Iterable[Article]],
           reasoning: bool, reasoner: Reasoner | str, validation: bool, append: bool, jobs: int,
           executor: ExecutorKind | str, scheduler: str | None, remove: Sequence[str]) -> BuildReport:
    """`build`, once the folder's write lock is held."""
    started = time.perf_counter()
    report = BuildReport(out=str(out))
    extractor = extractor or Extractor()  # loads no model until an article needs it
    articles: list[Article] = []
    for item in read_articles(paths, skip=[out]):  # 'kg build corpus --out corpus/out': the output is no input
        if isinstance(item, ArticleError):
            if strict:
                raise item
            report.problems.append(Problem(item.source, item.reason, item.line))
            continue
        article = item if item.lang != "und" else replace(item, lang=default_lang)
        try:
            extractor.check(article)  # here, so that a JSONL record's problem names its line
        except KGError as refused:
            if strict:
                raise
            report.problems.append(Problem(article.source or article.id, str(refused), article.line))
            continue
        articles.append(article)
    articles.sort(key=lambda a: (a.id, a.source))
    target = out / STORE_DIR
    if not articles and not append and _holds_articles(target):
        raise EmptyBuildError(f"no article could be read from {', '.join(map(str, paths)) or 'no path'}"
                              f"{_first_problems(report.problems)}; {out} holds a build with articles and was left "
                              f"as it was (use --append to add to it, or another --out)")
    results = extract_all(progress(articles, len(articles)), extractor=extractor, jobs=jobs, executor=executor,
                          scheduler=scheduler)
    _build_staged(results, out, report, started, strict=strict, wikidata=wikidata, reasoning=reasoning,
                  reasoner=reasoner, validation=validation, append=append, remove=remove)
    return report


def build_from_quads(results: Iterable[ArticleQuads], out: Path, *, wikidata: WikidataClient | None = None,
                     reasoning: bool = True, reasoner: Reasoner | str = Reasoner.AUTO, validation: bool = True,
                     append: bool = False) -> BuildReport:
    """`build` from articles already extracted (each id's named graph as N-Quads, in id order): the stages after
    extraction alone, as `build` runs them. For benchmarks of those stages (`bench/build.py --post-only`) and for
    extraction done elsewhere."""
    with write_lock(out, "build --append" if append else "build"):
        report = BuildReport(out=str(out))
        _build_staged(results, out, report, time.perf_counter(), strict=False, wikidata=wikidata,
                      reasoning=reasoning, reasoner=reasoner, validation=validation, append=append, remove=())
        return report


def _build_staged(results: Iterable[ArticleQuads], out: Path, report: BuildReport, started: float, *, strict: bool,
                  wikidata: WikidataClient | None, reasoning: bool, reasoner: Reasoner | str, validation: bool,
                  append: bool, remove: Sequence[str]) -> None:
    """The next state of `out` from the extracted `results`, staged and committed (`kg.store.commit`)."""
    staged = begin(out)
    try:
        _build_state(results, out, staged, report, started, strict=strict, wikidata=wikidata, reasoning=reasoning,
                     reasoner=reasoner, validation=validation, append=append, remove=remove)
    except BaseException:
        abandon(out)
        raise
    commit(out, staged)


def _build_state(results: Iterable[ArticleQuads], out: Path, staged: Path, report: BuildReport, started: float, *,
                 strict: bool, wikidata: WikidataClient | None, reasoning: bool, reasoner: Reasoner | str,
                 validation: bool, append: bool, remove: Sequence[str]) -> None:
    """The next state of the folder `out`, whole, in `staged` and `out/store.new` (see `kg.store.commit`): a new store
    for a fresh build, a copy of the current one for an append or a removal."""
    target = out / STORE_DIR
    opened = TripleStore.open_copy(target) if append else TripleStore.open_staging(target)
    with opened as store, closing(BuildWriter(store, deferred=not append)) as writer:
        missing = [article_id for article_id in remove if not store.has_article(article_id)]
        if missing:
            raise StoreError(f"no article {', '.join(map(repr, missing))} in {out / STORE_DIR}")
        for article_id in remove:
            store.remove_article(article_id)
        with BackgroundWriter(writer) as background:
            for result in results:
                for source, err in result.errors:
                    if strict:
                        raise err
                    report.problems.append(Problem(source, str(err)))
                if result.articles:
                    background.put(result)
                    report.articles += result.articles
        report.triples, graph = writer.write_asserted(staged / GRAPH_FILE)
        report.entities = _count(graph, _ENTITY_CLASSES)  # before reasoning closes the graph in place
        report.events = _count(graph, _EVENT_CLASSES)
        _derive(graph, staged, report, named=out, wikidata=wikidata, validation=validation, reasoning=reasoning,
                reasoner=reasoner)
        writer.refresh(staged)
        report.store_articles = len(store.article_graphs())
    record_files(staged)
    report.seconds = round(time.perf_counter() - started, 2)
    write_atomic(staged / REPORT_FILE, json.dumps(asdict(report), indent=1, ensure_ascii=False).encode("utf-8"))


def _holds_articles(store: Path) -> bool:
    """Whether the store at `store` exists and holds at least one article graph."""
    if not store.is_dir():
        return False
    with TripleStore.open(store, read_only=True) as opened:
        return bool(opened.article_graphs())


def _first_problems(problems: Sequence[Problem], limit: int = 3) -> str:
    if not problems:
        return ""
    more = f", and {len(problems) - limit} more" if len(problems) > limit else ""
    return f" ({'; '.join(map(str, problems[:limit]))}{more})"


def _derive(graph: Graph, out: Path, report: BuildReport, *, named: Path, wikidata: WikidataClient | None,
            validation: bool, reasoning: bool, reasoner: Reasoner | str) -> None:
    """The stages after the asserted graph: Wikidata links, validation and reasoning, into `report`; the files go
    to `out` (the staged state), messages name them in `named` (the build folder). Reasoning closes `graph` in place:
    nothing reads it afterwards."""
    try:
        enrichment = enrich(graph, client=wikidata)
    except Exception as err:  # an endpoint's answer kg did not foresee: the build completes from the snapshot
        if wikidata is None:
            raise
        enrichment = enrich(graph, client=None)
        enrichment.warnings.append(f"Wikidata endpoint {wikidata.endpoint}: the answers could not be used "
                                   f"({err.__class__.__name__}: {err}); built from the snapshot")
    linked = "".join(enrichment.ntriples()).encode("utf-8")
    with atomic_writer(out / WIKIDATA_FILE) as handle:
        serialise_sorted(io.BytesIO(linked), handle, RdfFormat.TTL)
    report.wikidata = enrichment.summary()
    if validation:
        checked = _validate(graph, str(named / GRAPH_FILE))
        report.conforms, report.violations, report.warnings = checked.conforms, checked.violations, checked.warnings
        report.validation = list(checked.results)
    if reasoning:
        reasoned = (reason_store(graph.oxigraph, out, extra=_triples(linked), reasoner=reasoner, in_place=True)
                    if isinstance(graph, OxigraphGraph) else reason(out, reasoner=reasoner))
        report.reasoner, report.inferred = reasoned.reasoner, reasoned.inferred
        report.inconsistencies = list(reasoned.inconsistencies)
    else:
        (out / INFERRED_FILE).unlink(missing_ok=True)


def _triples(ntriples: bytes) -> Iterator[ox.Triple]:
    """The triples of N-Triples made of Oxigraph's terms' texts (the Wikidata lines; not validated again)."""
    return (quad.triple for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES, lenient=True))


def _validate(graph: Graph, source: str) -> ValidationReport:
    """The SHACL results of the asserted graph: in Oxigraph, where the graph is, when the shapes compile to SPARQL
    (seconds where pySHACL takes minutes and gigabytes on a large build; the same results), else by pySHACL."""
    if isinstance(graph, OxigraphGraph) and (checked := validate_oxigraph(graph.oxigraph, source=source)):
        return checked
    return validate_graph(graph, source=source)


def remove_articles(article_ids: Sequence[str], out: Path, **options: object) -> BuildReport:
    """Take articles out of the store of the build folder `out` and write its graph files again (as `build`).

    Raises:
        StoreError: the store holds no article with one of the ids (nothing is removed then).
    """
    return build([], out, append=True, remove=article_ids, **options)  # type: ignore[arg-type]
