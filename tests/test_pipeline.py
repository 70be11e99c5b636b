"""End to end: `kg build` on the sample article and on the development set, read back through saved queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.extract import Extractor
from kg.pipeline.stages import build
from kg.query.evaluation import evaluate_parts, predictions, read_gold, read_split
from kg.query.local import run_saved

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "sample" / "000_566754dbe1dffb01.txt"
DATA = ROOT / "tests" / "data"

pytestmark = pytest.mark.slow


def rows(name: str, data: Path) -> list[dict[str, str | None]]:
    return run_saved(name, data)[1]


def test_seed_states_with_their_qids(seed_build: Path) -> None:
    found = {r["label"]: r["wikidata"] for r in rows("states", seed_build)}
    assert found == {"India": "Q668", "Pakistan": "Q843", "Russia": "Q159", "China": "Q148",
                     "Kazakhstan": "Q232", "Kyrgyzstan": "Q813", "Tajikistan": "Q863", "Uzbekistan": "Q265",
                     "United States": "Q30"}


def test_seed_organisations(seed_build: Path) -> None:
    assert {r["wikidata"] for r in rows("organisations", seed_build)} == {"Q485207", "Q1065"}


def test_seed_sco_members_and_pakistan_joining(seed_build: Path) -> None:
    members = {(r["member_wikidata"], r["kind"]) for r in rows("memberships", seed_build)
               if r["organisation_wikidata"] == "Q485207"}
    stated = {"Q159", "Q148", "Q232", "Q813", "Q863", "Q265"}
    assert {m for m, k in members if k == "member"} >= stated
    assert ("Q843", "joined") in members


def test_seed_exercises(seed_build: Path) -> None:
    exercises = {r["name"]: r for r in rows("exercises", seed_build)}
    assert set(exercises) == {"Mission de paix 2018", "Druzhba 2017"}
    peace = exercises["Mission de paix 2018"]
    assert (peace["start"], peace["end"], peace["host_label"]) == ("2018-08", "2018-09", "Russia")
    assert peace["location_label"] == "Tcheliabinsk"
    assert peace["organiser_label"] == "Shanghai Cooperation Organisation"
    assert exercises["Druzhba 2017"]["start"] == "2017-09"
    participants: dict[str, set[str]] = {}
    for r in rows("exercise-participants", seed_build):
        participants.setdefault(str(r["name"]), set()).add(str(r["state_wikidata"]))
    assert participants == {"Mission de paix 2018": {"Q668", "Q843", "Q159", "Q148"},
                            "Druzhba 2017": {"Q159", "Q843"}}


def test_seed_arms_deal(seed_build: Path) -> None:
    (deal,) = rows("arms-deals", seed_build)
    assert (deal["supplier_wikidata"], deal["recipient_wikidata"], deal["status"]) == ("Q159", "Q843", "discussed")
    assert set(str(deal["items"]).split("; ")) == {"Mi-35", "JF-17", "Sukhoi"}


def test_seed_rivalry(seed_build: Path) -> None:
    from pyoxigraph import Store

    store = Store()
    store.bulk_load(path=str(seed_build / "graph.ttl"), format=__import__("pyoxigraph").RdfFormat.TURTLE)
    answer = store.query("ASK { <https://w3id.org/kg-news/id/Q668> <https://w3id.org/kg-news/ontology#rivalOf> "
                         "<https://w3id.org/kg-news/id/Q843> }")
    assert bool(answer)


def test_seed_has_no_entity_from_boilerplate_or_apostrophes(seed_build: Path) -> None:
    text = (seed_build / "graph.ttl").read_text(encoding="utf-8")
    for fragment in ("Dreuz", "Paypal", "Protonmail", "Newsletter", "Cliquez", '"s\'"', '"C\'"'):
        assert fragment not in text.split("kg:sentence")[0], fragment
    assert "/place/dreuz" not in text and "/person/dreuz" not in text


def test_every_fact_has_provenance(seed_build: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(seed_build / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    unattested = list(store.query("""
        PREFIX kg: <https://w3id.org/kg-news/ontology#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?s ?p ?o WHERE {
          VALUES ?p { kg:participant kg:supplier kg:recipient kg:item kg:member kg:organisation kg:host
                      kg:startDate kg:name kg:mentions kg:rivalOf kg:memberOf }
          ?s ?p ?o .
          FILTER NOT EXISTS { ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:article ?art ;
                                 kg:sentence ?sent ; kg:startChar ?b ; kg:endChar ?e ; kg:rule ?r ;
                                 kg:confidence ?c }
        }"""))
    assert unattested == []


def test_same_input_gives_byte_identical_turtle(tmp_path: Path, extractor: Extractor, seed_build: Path) -> None:
    build([SEED.parent], tmp_path, extractor=extractor)
    assert (tmp_path / "graph.ttl").read_bytes() == (seed_build / "graph.ttl").read_bytes()


def test_rebuilding_into_the_same_folder_replaces(tmp_path: Path, extractor: Extractor) -> None:
    first = build([SEED.parent], tmp_path, extractor=extractor)
    second = build([SEED.parent], tmp_path, extractor=extractor)
    assert first.triples == second.triples
    assert len(rows("states", tmp_path)) == 9


def test_unreadable_files_are_reported_and_the_rest_built(tmp_path: Path, extractor: Extractor) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / SEED.name).write_bytes(SEED.read_bytes())
    (corpus / "empty.txt").write_text("")
    (corpus / "scan.pdf.txt").write_bytes(b"%PDF-1.4\x00\x01\x02binary")
    good = {"id": "a1", "text": "La France a livré à l'Inde les premiers Rafale de la commande signée en 2016."}
    (corpus / "feed.jsonl").write_text(json.dumps(good, ensure_ascii=False) + "\n{broken\n")
    report = build([corpus], tmp_path / "out", extractor=extractor)
    reasons = {(Path(p.source).name, p.line): p.reason for p in report.problems}
    assert set(reasons) == {("empty.txt", None), ("scan.pdf.txt", None), ("feed.jsonl", 2)}
    assert report.articles == 2
    assert len(rows("states", tmp_path / "out")) == 9 + 2
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert len(saved["problems"]) == 3


#: F1 floors per part of the development set (tests/data/dev/split.json): a little under the figures in the
#: README's evaluation section, so that a change that loses facts fails here.
_FLOORS = {
    "rules": {"states": 0.95, "organisations": 0.95, "exercises": 0.95, "exercise_participants": 0.95,
              "arms_deals": 0.88, "memberships": 0.95},
    "check": {"states": 0.95, "organisations": 0.95, "exercises": 0.8, "exercise_participants": 0.8,
              "arms_deals": 0.7, "memberships": 0.85},
}

@pytest.mark.parametrize("part", ["rules", "check"])
def test_dev_set_scores(dev_build: Path, part: str) -> None:
    """Each part of the development set keeps its F1 floors."""
    split = read_split(DATA / "dev" / "split.json")
    result = evaluate_parts(read_gold(DATA / "dev" / "gold.jsonl"), predictions(dev_build), split)[part]
    f1 = {c: s.f1 for c, s in result.scores.items()}
    assert all(f1[c] >= floor for c, floor in _FLOORS[part].items()), f1


def test_dev_split_covers_the_gold_once() -> None:
    """Every gold article is in exactly one part, and the check part holds both languages."""
    split = read_split(DATA / "dev" / "split.json")
    gold = {Path(g["file"]).name: g["lang"] for g in read_gold(DATA / "dev" / "gold.jsonl")}
    assert sorted(split["rules"] + split["check"]) == sorted(gold)
    assert {gold[a] for a in split["check"]} == {"en", "fr"}
