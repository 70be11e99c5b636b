"""Evaluate a build against hand-made gold annotations (the gold.jsonl format of the development set).

Predictions are read through the saved-query contract (states, organisations, exercises,
exercise-participants, arms-deals, memberships), exactly as a user's build answers them. Names are compared
through the gazetteer: a QID, an English or French label, an abbreviation all mean the same entity.
Gold format (one JSON object per line): `file`, `states`, `organisations`, `exercises` [{name, participants}],
`arms_deals` [{supplier, recipient}], `memberships` [{member, organisation}]; see README "Evaluation".
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.extract.gazetteer import load_gazetteer
from kg.query.local import run_saved

CATEGORIES = ("states", "organisations", "exercises", "exercise_participants", "arms_deals", "memberships")


def norm(text: object) -> str:
    """Lower-case ASCII words: how names are compared."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", ascii_text).strip()


@cache
def _aliases() -> dict[str, str]:
    gaz = load_gazetteer()
    table: dict[str, str] = {}
    for lang in ("en", "fr"):
        for term in gaz.terms.get(lang, []):
            entity = gaz.entities[term.entity_id]
            if term.kind in ("label", "name", "abbrev") and entity.type != "WeaponSystem":
                table.setdefault(norm(term.text), entity.qid or entity.id)
    for entity in gaz.entities.values():
        if entity.qid:
            table[norm(entity.qid)] = entity.qid
    return table


def key(name: object) -> str | None:
    """The identity of a named entity: its QID when the gazetteer knows the name, else the normalised name."""
    if name is None:
        return None
    n = norm(name)
    return _aliases().get(n, n)


def name_match(a: str, b: str) -> bool:
    """Exercise names match when one contains the other or they share most words and no differing number."""
    a, b = norm(a), norm(b)
    if not a or not b:
        return False
    if a == b or a in b or b in a:
        return True
    ta, tb = set(a.split()), set(b.split())
    nums_a, nums_b = {t for t in ta if t.isdigit()}, {t for t in tb if t.isdigit()}
    if nums_a and nums_b and not nums_a & nums_b:
        return False
    wa, wb = ta - nums_a, tb - nums_b
    return bool(wa & wb) and len(wa & wb) / min(len(wa), len(wb)) >= 0.5


@dataclass
class Score:
    """True positives, false positives and false negatives of one category."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    """Scores per category and, per article, what was missed and what was invented."""

    scores: dict[str, Score] = field(default_factory=lambda: {c: Score() for c in CATEGORIES})
    articles: dict[str, dict[str, dict[str, list[str]]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        summary = {c: {"p": round(s.precision, 3), "r": round(s.recall, 3), "f1": round(s.f1, 3), "tp": s.tp,
                       "fp": s.fp, "fn": s.fn} for c, s in self.scores.items()}
        return {"summary": summary, "articles": self.articles}


def predictions(data: Path) -> dict[str, dict[str, list]]:
    """What a build folder says per article, in the gold format, through the saved queries."""
    pred: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))

    def rows(name: str) -> list[dict[str, str | None]]:
        return run_saved(name, data)[1]

    def ent(r: dict, prefix: str) -> str | None:
        return r.get(f"{prefix}_wikidata") or r.get(f"{prefix}_label")

    for r in rows("states"):
        pred[str(r["article"])]["states"].append(r.get("wikidata") or r.get("label"))
    for r in rows("organisations"):
        pred[str(r["article"])]["organisations"].append(r.get("wikidata") or r.get("label"))
    exercises: dict[tuple[str, str], dict] = {}
    for r in rows("exercises"):
        exercises[(str(r["article"]), str(r["exercise"]))] = {"name": r.get("name") or "", "participants": []}
    for r in rows("exercise-participants"):
        entry = exercises.setdefault((str(r["article"]), str(r["exercise"])),
                                     {"name": r.get("name") or "", "participants": []})
        entry["participants"].append(ent(r, "state"))
    for (article, _), e in exercises.items():
        pred[article]["exercises"].append(e)
    for r in rows("arms-deals"):
        pred[str(r["article"])]["arms_deals"].append({"supplier": ent(r, "supplier"),
                                                      "recipient": ent(r, "recipient")})
    for r in rows("memberships"):
        pred[str(r["article"])]["memberships"].append({"member": ent(r, "member"),
                                                       "organisation": ent(r, "organisation")})
    return pred


def _match(gold: list, pred: list, same: Callable[[Any, Any], bool]) -> list[tuple[Any, Any]]:
    used: set[int] = set()
    pairs = []
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and same(g, p):
                used.add(i)
                pairs.append((g, p))
                break
    return pairs


def _same_exercise(g: dict, p: dict) -> bool:
    if g.get("name"):
        return name_match(g["name"], p.get("name") or "")
    ga, pb = {key(x) for x in g.get("participants", [])}, {key(x) for x in p.get("participants", [])}
    return bool(ga) and len(ga & pb) / len(ga | pb) >= 0.5


def _same_deal(g: dict, p: dict) -> bool:
    return bool((g.get("supplier") or g.get("recipient")) and key(g.get("supplier")) == key(p.get("supplier"))
                and key(g.get("recipient")) == key(p.get("recipient")))


def _score_sets(ev: Evaluation, cat: str, gold: set, pred: set, row: dict) -> None:
    ev.scores[cat].add(len(gold & pred), len(pred - gold), len(gold - pred))
    row[cat] = {"missed": sorted(map(str, gold - pred)), "spurious": sorted(map(str, pred - gold))}


def evaluate(gold_records: Iterable[dict], pred: dict[str, dict[str, list]]) -> Evaluation:
    """Compare gold records with predictions keyed by article id (file name)."""
    ev = Evaluation()
    for g in gold_records:
        article = Path(g["file"]).name
        p = pred.get(article, {})
        row: dict[str, dict[str, list[str]]] = {}
        for cat in ("states", "organisations"):
            _score_sets(ev, cat, {key(x) for x in g.get(cat, [])}, {key(x) for x in p.get(cat, [])}, row)
        gex, pex = g.get("exercises", []), p.get("exercises", [])
        pairs = _match(gex, pex, _same_exercise)
        ev.scores["exercises"].add(len(pairs), len(pex) - len(pairs), len(gex) - len(pairs))
        for ge, pe in pairs:
            gs, ps = {key(x) for x in ge.get("participants", [])}, {key(x) for x in pe.get("participants", [])}
            ev.scores["exercise_participants"].add(len(gs & ps), len(ps - gs), len(gs - ps))
        row["exercises"] = {"missed": [e.get("name") or "(unnamed)" for e in gex if all(e is not a for a, _ in pairs)],
                            "spurious": [e.get("name") or "(unnamed)" for e in pex
                                         if all(e is not b for _, b in pairs)]}
        gd, pd = g.get("arms_deals", []), p.get("arms_deals", [])
        deal_pairs = _match(gd, pd, _same_deal)
        ev.scores["arms_deals"].add(len(deal_pairs), len(pd) - len(deal_pairs), len(gd) - len(deal_pairs))
        row["arms_deals"] = {
            "missed": [f"{d.get('supplier')} -> {d.get('recipient')}" for d in gd
                       if all(d is not a for a, _ in deal_pairs)],
            "spurious": [f"{d.get('supplier')} -> {d.get('recipient')}" for d in pd
                         if all(d is not b for _, b in deal_pairs)]}
        _score_sets(ev, "memberships", {(key(m["member"]), key(m["organisation"])) for m in g.get("memberships", [])},
                    {(key(m["member"]), key(m["organisation"])) for m in p.get("memberships", [])}, row)
        ev.articles[article] = row
    return ev


def read_gold(path: Path) -> list[dict]:
    """Gold records from a JSONL file; a bad line is an error naming the file and line."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise KGError(f"{path}:{number}: not JSON ({err.msg})") from err
        if not isinstance(record, dict) or "file" not in record:
            raise KGError(f"{path}:{number}: a gold record needs a 'file' field")
        records.append(record)
    return records


def read_split(path: Path) -> dict[str, list[str]]:
    """The parts of a development set split by article (`{"rules": [...], "check": [...]}`), by file name.

    The check part is scored but never read while writing rules; see tests/data/dev/split.json.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise KGError(f"{path}: cannot read the split ({err})") from err
    parts = {k: v for k, v in raw.items() if not k.startswith("_") and k != "moved"} if isinstance(raw, dict) else {}
    if not parts or not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in parts.values()):
        raise KGError(f"{path}: a split maps part names to lists of article file names")
    return {name: [Path(f).name for f in files] for name, files in parts.items()}


def evaluate_parts(gold_records: list[dict], pred: dict[str, dict[str, list]],
                   split: dict[str, list[str]]) -> dict[str, Evaluation]:
    """One evaluation per part of a split, each over its own articles only."""
    return {part: evaluate([g for g in gold_records if Path(g["file"]).name in set(files)], pred)
            for part, files in split.items()}


def format_table(ev: Evaluation, *, details: bool = True) -> str:
    """Scores as a text table, then (with `details`) what each article missed or invented."""
    lines = [f"{'category':24}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}"]
    for cat, s in ev.scores.items():
        lines.append(f"{cat:24}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.tp:5}{s.fp:5}{s.fn:5}")
    for article, row in (ev.articles.items() if details else ()):
        issues = [f"  {cat}: missed {v['missed']} spurious {v['spurious']}"
                  for cat, v in row.items() if v["missed"] or v["spurious"]]
        if issues:
            lines.append(article)
            lines += issues
    return "\n".join(lines)
