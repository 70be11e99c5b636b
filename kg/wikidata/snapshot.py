"""The Wikidata snapshot shipped in `kg/data/wikidata/` (the offline truth): facts and where they come from.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.errors import LinkingError
from kg.extract.gazetteer import DATA_DIR, load_gazetteer

QID_PATTERN = re.compile(r"^Q[1-9][0-9]*$")
@dataclass(frozen=True)
class Source:
    """Where enrichment facts come from: a part of the snapshot, or an endpoint at a fetch time."""

    key: str
    title: str
    date: str | None  # ISO date, or a year
    note: str = ""
    endpoint: str | None = None
    fetched: str | None = None  # ISO date-time (UTC) of the newest answer used


@dataclass(frozen=True)
class Statement:
    """One Wikidata claim: item, property, value (a QID or a string) and, for P463, its P580/P582 dates."""

    item: str
    prop: str
    value: str
    source: str
    start: str | None = None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    end: str | None = None


@dataclass(frozen=True)
class Label:
    """A label (or, with `alias`, an alternative name) of a Wikidata item in one language."""

    item: str
    lang: str
    text: str
    source: str
    alias: bool = False


@dataclass
class Facts:
    """What one source says about a set of items."""

    labels: list[Label] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)

    def labels_of(self, item: str) -> list[Label]:
        return [x for x in self.labels if x.item == item]

    def statements_of(self, item: str, prop: str) -> list[Statement]:
        return [s for s in self.statements if s.item == item and s.prop == prop]


@dataclass(frozen=True)
class Snapshot:
    """The Wikidata facts shipped with the package (`kg/data/wikidata/*.csv`), with their sources."""

    facts: Facts
    sources: dict[str, Source]
    organisations: tuple[str, ...]  # QIDs of the organisations of the reference tables
    date: str


def _snapshot_sources(date: str) -> dict[str, Source]:
    tables = "kg/data/wikidata (see kg/data/SOURCES.md and kg/data/wikidata/SOURCES.md)"
    return {s.key: s for s in (
        Source("snapshot", "kg Wikidata snapshot: states, organisations, memberships", date,
               f"{tables}. Member lists as of {date}, with Wikidata P463 P580/P582 dates read that day "
               "(kuni, MIT); QIDs and ISO codes from datasets/country-codes; English labels are Wikidata "
               "labels (owid-grapher, 2022); French state names are UN names, kept as aliases."),
        Source("snapshot-types", "kg Wikidata snapshot: P31 classes from a 2020 Wikidata dump", "2020",
               f"{tables}, instance_of_codex2020.csv (CoDEx, MIT, from a 2020 Wikidata dump)."),
        Source("snapshot-general-knowledge", "kg snapshot: general knowledge, not read in Wikidata", date,
               f"{tables}: memberships_general_knowledge.csv (SCO, CSTO) and instance_of_supplement.csv. "
               "Lower confidence: check against live Wikidata."),
    )}


@cache
def load_snapshot(directory: Path = DATA_DIR) -> Snapshot:
    """Read the snapshot: labels, ISO codes, P31 classes and P463 memberships from the reference tables.

    Raises:
        LinkingError: a table is missing or malformed (the message names the file and line).
    """
    tables = directory / "wikidata"
    date = load_gazetteer(directory).snapshot.get("date") or "unknown"
    facts = Facts()
    organisations = []
    for line, row in _rows(tables / "states.csv"):
        qid = _qid(row["qid"], tables / "states.csv", line)
        facts.labels.append(Label(qid, "en", row["label_en"], "snapshot"))
        if row["label_fr"]:
            facts.labels.append(Label(qid, "fr", row["label_fr"], "snapshot", alias=True))
        for prop, column in (("P297", "iso2"), ("P298", "iso3")):
            if row[column]:
                facts.statements.append(Statement(qid, prop, row[column], "snapshot"))
    for line, row in _rows(tables / "organisations.csv"):
        qid = _qid(row["qid"], tables / "organisations.csv", line)
        organisations.append(qid)
        for lang in ("en", "fr"):
            if row[f"label_{lang}"]:
                facts.labels.append(Label(qid, lang, row[f"label_{lang}"], "snapshot"))
            if row[f"abbrev_{lang}"]:
                facts.labels.append(Label(qid, lang, row[f"abbrev_{lang}"], "snapshot", alias=True))
    for path, source in ((tables / "instance_of_codex2020.csv", "snapshot-types"),
                         (directory / "instance_of_supplement.csv", "snapshot-general-knowledge")):
        for line, row in _rows(path):
            facts.statements.append(Statement(_qid(row["entity_qid"], path, line), "P31",
                                              _qid(row["class_qid"], path, line), source))
    for _, row in _rows(tables / "classes_properties.csv"):
        if row["kind"] == "class":
            for lang in ("en", "fr"):
                if row[f"label_{lang}"]:
                    facts.labels.append(Label(row["id"], lang, row[f"label_{lang}"], "snapshot"))
    for path, source in ((tables / "memberships.csv", "snapshot"),
                         (tables / "memberships_general_knowledge.csv", "snapshot-general-knowledge")):
        for line, row in _rows(path):
            facts.statements.append(Statement(_qid(row["state_qid"], path, line), "P463",
                                              _qid(row["org_qid"], path, line), source,
                                              row["start"] or None, row["end"] or None))
    return Snapshot(facts, _snapshot_sources(date), tuple(organisations), date)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from enumerate(csv.DictReader(handle), start=2)
    except OSError as err:
        raise LinkingError(f"cannot read the Wikidata snapshot table {path}: {err}") from err


def _qid(value: str, path: Path, line: int) -> str:
    if not QID_PATTERN.match(value or ""):
        raise LinkingError(f"{path}:{line}: {value!r} is not a Wikidata QID")
    return value
