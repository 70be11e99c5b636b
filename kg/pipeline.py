"""build(): articles in, `graph.ttl` out — ingest → extract → map → serialise → Wikidata → validate → reason."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from rdflib import RDF, Graph

from kg.articles import Article, read_articles
from kg.errors import ArticleError, KGError
from kg.extract import Extractor
from kg.mapping import map_extraction, new_graph
from kg.ontology import KG
from kg.reasoning import INFERRED_FILE, Reasoner, reason
from kg.serialise import write_atomic, write_graph
from kg.validation import ShapeResult, validate_graph
from kg.wikidata import enrich
from kg.wikidata_client import WikidataClient

T = TypeVar("T")
GRAPH_FILE = "graph.ttl"
REPORT_FILE = "report.json"
WIKIDATA_FILE = "wikidata.ttl"


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
          reasoning: bool = True, reasoner: Reasoner | str = Reasoner.AUTO, validation: bool = True) -> BuildReport:
    """Build the knowledge graph of the articles under `paths` into `out/graph.ttl`.

    Bad files are reported in the returned report (and in `out/report.json`) while the rest is built;
    with `strict`, the first one raises its ArticleError instead. Articles too short for language detection
    ("und") are read as `default_lang`. The Wikidata links and enrichment go to `out/wikidata.ttl`: from
    the snapshot only when `wikidata` is None, else also from its endpoint (see `kg.wikidata.enrich`).
    With `validation`, the graph is checked against the SHACL shapes (`kg.validation`; the results are in the
    report); with `reasoning`, what it entails goes to `out/inferred.ttl` (`kg.reasoning.reason`, with
    `reasoner`), else a previous `out/inferred.ttl` is removed.
    """
    started = time.perf_counter()
    report = BuildReport(out=str(out))
    articles: list[Article] = []
    for item in read_articles(paths):
        if isinstance(item, ArticleError):
            if strict:
                raise item
            report.problems.append(Problem(item.source, item.reason, item.line))
        else:
            articles.append(item if item.lang != "und" else replace(item, lang=default_lang))
    articles.sort(key=lambda a: (a.id, a.source))
    extractor = extractor or Extractor()
    graph = new_graph()
    for article in progress(articles, len(articles)):
        try:
            map_extraction(extractor.extract(article), graph)
            report.articles += 1
        except KGError as err:
            if strict:
                raise
            report.problems.append(Problem(article.source or article.id, str(err)))
    report.triples = write_graph(graph, out / GRAPH_FILE)
    enrichment = enrich(graph, client=wikidata)
    write_graph(enrichment.graph, out / WIKIDATA_FILE)
    report.wikidata = enrichment.summary()
    if validation:
        checked = validate_graph(graph, source=str(out / GRAPH_FILE))
        report.conforms, report.violations, report.warnings = checked.conforms, checked.violations, checked.warnings
        report.validation = list(checked.results)
    if reasoning:
        reasoned = reason(out, reasoner=reasoner)
        report.reasoner, report.inferred = reasoned.reasoner, reasoned.inferred
        report.inconsistencies = list(reasoned.inconsistencies)
    else:
        (out / INFERRED_FILE).unlink(missing_ok=True)
    report.entities = _count(graph, _ENTITY_CLASSES)
    report.events = _count(graph, _EVENT_CLASSES)
    report.seconds = round(time.perf_counter() - started, 2)
    write_atomic(out / REPORT_FILE, json.dumps(asdict(report), indent=1, ensure_ascii=False).encode("utf-8"))
    return report
