"""Build `kg/data/gazetteer.json` from the Wikidata reference tables and the curated names.

Inputs: the Wikidata tables (`states.csv`, `organisations.csv`, `instance_of_codex2020.csv`,
`classes_properties.csv`, `memberships.csv`, `memberships_general_knowledge.csv`; a copy lives in
`kg/data/wikidata/`), the hand-curated `kg/data/gazetteer_names.csv` and `kg/data/instance_of_supplement.csv`.
Every name is data in those files; this script only validates, merges and serialises them. The output is
deterministic: the same inputs give the same bytes.

The build fails, naming every offending row, when a row is malformed, an id is unknown, an entity lacks its
one label per language, or one name (case-insensitively; abbreviations exactly) maps to two ids without being
listed as `ambiguous` in that language.

Usage (from the repository root):

    python scripts/build_gazetteer.py                         # reads kg/data/wikidata
    python scripts/build_gazetteer.py ../shared/data/wikidata # reads another copy of the tables
    python scripts/build_gazetteer.py --check                 # exit 1 if gazetteer.json is out of date

Exit codes: 0 built (or up to date), 1 invalid input or out-of-date output, 2 bad command line.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "kg" / "data"

SNAPSHOT = {
    "source": "shared Wikidata reference tables (kg/data/wikidata) and curated names; see kg/data/SOURCES.md",
    # kuni's membership list and Wikidata dates were read on this day (kg/data/wikidata/SOURCES.md).
    "date": "2026-10-09",
}
LANGS = ("en", "fr")
KINDS = ("label", "name", "abbrev", "demonym", "prefix", "capital", "body", "ambiguous")
# Entity fields filled from name rows of each kind ("label" and "ambiguous" are handled apart).
LIST_FIELDS = {"name": "names", "abbrev": "abbrevs", "demonym": "demonyms", "prefix": "prefixes",
               "capital": "capitals", "body": "bodies"}
MILITARY_ALLIANCE = "Q1127126"
QID = re.compile(r"Q[1-9][0-9]*")
SLUG = re.compile(r"[a-z][a-z0-9_]*")
# kg's article reader turns typographic apostrophes into ASCII ones, so names must use ASCII ones too.
APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc", "'"))


class GazetteerError(Exception):
    """The inputs cannot be turned into a valid gazetteer; the message lists every problem found."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class NameRow:
    """One row of gazetteer_names.csv, with its line number for error messages."""

    id: str
    lang: str
    kind: str
    text: str
    note: str
    line: int


def clean(text: str) -> str:
    """Strip a name and write its apostrophes as ASCII ones."""
    return " ".join(text.translate(APOSTROPHES).split())


def read_csv(path: Path, columns: Iterable[str]) -> list[dict[str, str]]:
    """Read a UTF-8 CSV file, checking that its header has `columns`."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise GazetteerError([f"{path}: missing column(s) {', '.join(missing)}"])
            return [{k: (v or "").strip() for k, v in row.items()} for row in reader]
    except OSError as exc:
        raise GazetteerError([f"{path}: cannot read ({exc.strerror})"]) from exc


def _append(values: list[str], text: str) -> None:
    if text and text not in values:
        values.append(text)


def read_names(path: Path, known_qids: set[str]) -> tuple[list[NameRow], list[str]]:
    """Read and validate the curated names; return the rows and the problems found."""
    rows, problems, seen = [], [], set()
    for line, raw in enumerate(read_csv(path, ("id", "lang", "kind", "text", "note")), start=2):
        row = NameRow(raw["id"], raw["lang"], raw["kind"], clean(raw["text"]), raw["note"], line)
        where = f"{path.name}:{line}"
        if QID.fullmatch(row.id):
            if row.id not in known_qids:
                problems.append(f"{where}: {row.id} is not a QID of states.csv or organisations.csv")
        elif not SLUG.fullmatch(row.id):
            problems.append(f"{where}: id {row.id!r} is neither a QID nor a lower-case slug")
        if row.lang not in LANGS:
            problems.append(f"{where}: lang {row.lang!r} is not one of {', '.join(LANGS)}")
        if row.kind not in KINDS:
            problems.append(f"{where}: kind {row.kind!r} is not one of {', '.join(KINDS)}")
        if not row.text:
            problems.append(f"{where}: empty text")
        key = (row.id, row.lang, row.kind, row.text)
        if key in seen:
            problems.append(f"{where}: duplicate row {row.id},{row.lang},{row.kind},{row.text}")
        seen.add(key)
        rows.append(row)
    return rows, problems


def read_classes(wikidata_dir: Path, supplement: Path | None,
                 ) -> tuple[dict[str, list[str]], dict[str, str], dict[str, str]]:
    """P31 classes per entity (file order), the labels of classes_properties.csv, and the class labels
    given alongside the P31 rows (for classes that classes_properties.csv lacks)."""
    columns = ("entity_qid", "property", "class_qid", "class_label_en", "source")
    rows = read_csv(wikidata_dir / "instance_of_codex2020.csv", columns)
    if supplement is not None:
        rows += read_csv(supplement, columns)
    labels = {r["id"]: r["label_en"]
              for r in read_csv(wikidata_dir / "classes_properties.csv", ("id", "kind", "label_en"))
              if r["kind"] == "class"}
    classes: dict[str, list[str]] = defaultdict(list)
    row_labels: dict[str, str] = {}
    for row in rows:
        if row["property"] == "P31":
            _append(classes[row["entity_qid"]], row["class_qid"])
            row_labels.setdefault(row["class_qid"], row["class_label_en"])
    return classes, labels, row_labels


def check_names(entities: list[dict[str, Any]], ambiguous: dict[str, set[str]]) -> list[str]:
    """Every name that maps to two ids, unless listed as ambiguous in its language.

    Names are compared case-insensitively, abbreviations exactly (against names too: "US" vs "us").
    """
    folded: dict[tuple[str, str], set[str]] = defaultdict(set)
    exact: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entity in entities:
        for lang in LANGS:
            for field in ["label", *LIST_FIELDS.values()]:
                texts = [entity["label"][lang]] if field == "label" else entity[field][lang]
                for text in texts:
                    exact[lang, text].add(entity["id"])
                    if field != "abbrevs":
                        folded[lang, text.casefold()].add(entity["id"])
    problems = []
    for index, how in ((folded, "case-insensitively"), (exact, "exactly")):
        for (lang, text), ids in sorted(index.items()):
            if len(ids) > 1 and text.casefold() not in ambiguous[lang]:
                problems.append(f"{lang} name {text!r} maps {how} to {', '.join(sorted(ids))}: "
                                f"give it to one id, or list it as 'ambiguous' for each of them")
    return problems


def read_memberships(wikidata_dir: Path, orgs: set[str], members: set[str]) -> tuple[list[dict], list[str]]:
    """Memberships of both tables, sorted; also a note per row dropped because its member is no entity."""
    out, dropped, seen = [], [], set()
    columns = ("org_qid", "state_qid", "start", "end", "source")
    for name, general in (("memberships.csv", False), ("memberships_general_knowledge.csv", True)):
        for line, row in enumerate(read_csv(wikidata_dir / name, columns), start=2):
            if row["org_qid"] not in orgs:
                org = row["org_qid"]
                raise GazetteerError([f"{name}:{line}: organisation {org} is not in organisations.csv"])
            if row["state_qid"] not in members:
                dropped.append(f"{name}:{line}: {row['org_qid']} member {row['state_qid']} not in states.csv")
                continue
            record = {"organisation": row["org_qid"], "member": row["state_qid"],
                      "start": row["start"] or None, "end": row["end"] or None,
                      "source": row["source"], "general_knowledge": general}
            key = tuple(record.values())
            if key not in seen:
                seen.add(key)
                out.append(record)
    out.sort(key=lambda r: (r["organisation"], r["member"], r["start"] or "", r["end"] or "", r["source"]))
    return out, dropped


def build_gazetteer(wikidata_dir: Path, names_csv: Path, supplement: Path | None = None,
                    ) -> tuple[dict[str, Any], list[str]]:
    """Merge the tables and the curated names into the gazetteer; return it and a list of warnings.

    Raises `GazetteerError` listing every problem when the inputs are invalid.
    """
    states = read_csv(wikidata_dir / "states.csv", ("qid", "label_en", "label_fr", "iso2", "iso3"))
    extra = names_csv.parent / "states_supplement.csv"  # partially recognised states the UN-based table lacks
    if extra.exists():
        states += read_csv(extra, ("qid", "label_en", "label_fr", "iso2", "iso3"))
    orgs = read_csv(wikidata_dir / "organisations.csv",
                    ("qid", "label_en", "label_fr", "abbrev_en", "abbrev_fr"))
    classes, class_labels, row_labels = read_classes(wikidata_dir, supplement)
    rows, problems = read_names(names_csv, {r["qid"] for r in states + orgs})

    entities: dict[str, dict[str, Any]] = {}

    def new(ident: str, qid: str | None, kind: str, iso2: str | None, iso3: str | None) -> dict[str, Any]:
        entity: dict[str, Any] = {"id": ident, "qid": qid, "type": kind, "iso2": iso2, "iso3": iso3,
                                  "label": {}, "classes": list(classes.get(ident, []))}
        for field in [*LIST_FIELDS.values(), "ambiguous"]:
            entity[field] = {lang: [] for lang in LANGS}
        return entities.setdefault(ident, entity)

    for r in states:
        new(r["qid"], r["qid"], "State", r["iso2"], r["iso3"])
    for r in orgs:
        alliance = MILITARY_ALLIANCE in classes.get(r["qid"], [])
        new(r["qid"], r["qid"], "MilitaryAlliance" if alliance else "Organisation", None, None)
    for row in rows:
        if SLUG.fullmatch(row.id):
            new(row.id, None, "Organisation", None, None)

    # Names from the tables come first (Wikidata/UN forms), then the curated ones in file order.
    table_names = [(r["qid"], lang, "name", clean(r[f"label_{lang}"])) for r in states + orgs
                   for lang in LANGS]
    table_names += [(r["qid"], lang, "abbrev", clean(r[f"abbrev_{lang}"])) for r in orgs
                    for lang in LANGS]
    for row in rows:
        if row.kind == "label":
            if row.lang in entities.get(row.id, {}).get("label", {}):
                problems.append(f"{names_csv.name}:{row.line}: second {row.lang} label for {row.id}")
            elif row.id in entities and row.lang in LANGS:
                entities[row.id]["label"][row.lang] = row.text
    for ident, entity in entities.items():
        for lang in LANGS:
            if lang not in entity["label"]:
                problems.append(f"{names_csv.name}: no {lang} label for {ident}")
    if problems:
        raise GazetteerError(problems)

    curated = [(row.id, row.lang, row.kind, row.text) for row in rows if row.kind != "label"]
    for ident, lang, kind, text in table_names + curated:
        entity = entities[ident]
        values = entity["ambiguous" if kind == "ambiguous" else LIST_FIELDS[kind]][lang]
        # A name that differs from the label or another name only by case adds nothing.
        if kind == "name" and text.casefold() in {t.casefold() for t in [entity["label"][lang], *values]}:
            continue
        _append(values, text)

    ambiguous = {lang: {t.casefold() for e in entities.values() for t in e["ambiguous"][lang]}
                 for lang in LANGS}
    problems = check_names(list(entities.values()), ambiguous)
    if problems:
        raise GazetteerError(problems)

    state_ids = {r["qid"] for r in states}
    memberships, dropped = read_memberships(wikidata_dir, {r["qid"] for r in orgs}, state_ids)
    warnings = [f"dropped membership {d}" for d in dropped]
    for r in states:
        for field in ("demonyms", "capitals"):
            for lang in LANGS:
                if not entities[r["qid"]][field][lang]:
                    label = entities[r["qid"]]["label"]["en"]
                    warnings.append(f"{r['qid']} ({label}) has no unambiguous {lang} {field}")

    for qid in sorted({c for e in entities.values() for c in e["classes"]} - class_labels.keys()):
        class_labels[qid] = row_labels[qid]
    gazetteer = {
        "snapshot": SNAPSHOT,
        "classes": class_labels,
        "entities": list(entities.values()),
        "ambiguous": {lang: sorted({t for e in entities.values() for t in e["ambiguous"][lang]},
                                   key=lambda t: (t.casefold(), t)) for lang in LANGS},
        "memberships": memberships,
    }
    return gazetteer, warnings


def dumps(gazetteer: dict[str, Any]) -> str:
    """Serialise deterministically: sorted keys, lists in build order, UTF-8 text."""
    return json.dumps(gazetteer, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wikidata_dir", nargs="?", type=Path, default=DATA / "wikidata",
                        help="folder of the Wikidata reference tables (default: kg/data/wikidata)")
    parser.add_argument("--names", type=Path, default=DATA / "gazetteer_names.csv",
                        help="curated names (default: kg/data/gazetteer_names.csv)")
    parser.add_argument("--supplement", type=Path, default=DATA / "instance_of_supplement.csv",
                        help="curated P31 rows (default: kg/data/instance_of_supplement.csv)")
    parser.add_argument("--output", type=Path, default=DATA / "gazetteer.json",
                        help="where to write the gazetteer (default: kg/data/gazetteer.json)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the output file is not what the inputs give")
    args = parser.parse_args(argv)
    try:
        gazetteer, warnings = build_gazetteer(args.wikidata_dir, args.names, args.supplement)
    except GazetteerError as exc:
        print(f"build_gazetteer: {len(exc.problems)} problem(s):\n{exc}", file=sys.stderr)
        return 1
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    text = dumps(gazetteer)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is out of date: run python scripts/build_gazetteer.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    n_states = sum(e["type"] == "State" for e in gazetteer["entities"])
    print(f"wrote {args.output}: {len(gazetteer['entities'])} entities ({n_states} states), "
          f"{len(gazetteer['memberships'])} memberships", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
