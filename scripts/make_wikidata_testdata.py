"""Write the Wikidata-shaped test dataset `tests/data/wikidata/*.ttl` from the snapshot tables in `kg/data`.

The tests load these files into a local `oxigraph serve` and point `kg` at it as if it were Wikidata. Every
fact is a row of `kg/data/wikidata/*.csv` (or `kg/data/instance_of_supplement.csv`), read through
`kg.wikidata.snapshot.load_snapshot`, written in the shapes the Wikidata Query Service uses, with the same IRIs:

* labels: `rdfs:label` (English state labels, organisation labels), `skos:altLabel` (French state names, which
  are UN names rather than Wikidata labels, and abbreviations);
* `wdt:P31`, `wdt:P297`, `wdt:P298`, `wdt:P463` (truthy) and the full statements
  `wd:Q… p:P463 wds:… . wds:… ps:P463 wd:Q… ; pq:P580 "…"^^xsd:dateTime ; pqv:P580 wdv:…` with
  `wikibase:rank` and `wikibase:timePrecision`;
* class labels from `classes_properties.csv`.

Two files: `items.ttl` (labels, P31, ISO codes, and the SCO and NATO memberships) and `memberships-other.ttl`
(the memberships of every other organisation), so that a test can serve an endpoint that knows only some
organisations' members. Output is deterministic (sorted N-Triples order, Turtle with prefixes).

Usage (from the repository root):

    python scripts/make_wikidata_testdata.py            # writes tests/data/wikidata/
    python scripts/make_wikidata_testdata.py --check    # exit 1 if the files are out of date
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import pyoxigraph as ox

from kg.wikidata.snapshot import load_snapshot

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "wikidata"
#: The organisations whose memberships go to items.ttl: SCO and NATO (the issue's scenario).
SERVED_ORGANISATIONS = ("Q485207", "Q7184")

NS = {
    "wd": "http://www.wikidata.org/entity/", "wds": "http://www.wikidata.org/entity/statement/",
    "wdv": "http://www.wikidata.org/value/", "wdt": "http://www.wikidata.org/prop/direct/",
    "p": "http://www.wikidata.org/prop/", "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/", "pqv": "http://www.wikidata.org/prop/qualifier/value/",
    "wikibase": "http://wikiba.se/ontology#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "xsd": "http://www.w3.org/2001/XMLSchema#",
}
XSD_DATETIME = ox.NamedNode(NS["xsd"] + "dateTime")
XSD_INTEGER = ox.NamedNode(NS["xsd"] + "integer")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def iri(prefix: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(NS[prefix] + local)


def _digest(*parts: str) -> str:
    return hashlib.md5("\x1f".join(parts).encode()).hexdigest()


def statement_triples(item: str, prop: str, value: ox.NamedNode | ox.Literal, start: str | None = None,
                      end: str | None = None) -> list[ox.Triple]:
    """A truthy triple and the full statement, as the Wikidata Query Service exposes them."""
    node = iri("wds", f"{item}-{_digest(item, prop, str(value), start or '', end or '')}")
    subject = iri("wd", item)
    triples = [ox.Triple(subject, iri("wdt", prop), value), ox.Triple(subject, iri("p", prop), node),
               ox.Triple(node, RDF_TYPE, iri("wikibase", "Statement")),
               ox.Triple(node, iri("ps", prop), value),
               ox.Triple(node, iri("wikibase", "rank"), iri("wikibase", "NormalRank"))]
    for qualifier, date in (("P580", start), ("P582", end)):
        if date:
            time = ox.Literal(f"{date}T00:00:00Z", datatype=XSD_DATETIME)
            value_node = iri("wdv", _digest(date, "11"))
            triples += [ox.Triple(node, iri("pq", qualifier), time),
                        ox.Triple(node, iri("pqv", qualifier), value_node),
                        ox.Triple(value_node, iri("wikibase", "timeValue"), time),
                        ox.Triple(value_node, iri("wikibase", "timePrecision"),
                                  ox.Literal("11", datatype=XSD_INTEGER))]
    return triples


def datasets() -> dict[str, list[ox.Triple]]:
    """File name → triples."""
    facts = load_snapshot().facts
    items: set[ox.Triple] = set()
    other: set[ox.Triple] = set()
    for label in facts.labels:
        prop = iri("skos", "altLabel") if label.alias else iri("rdfs", "label")
        items.add(ox.Triple(iri("wd", label.item), prop, ox.Literal(label.text, language=label.lang)))
    for s in facts.statements:
        value = iri("wd", s.value) if s.prop in ("P31", "P463") else ox.Literal(s.value)
        triples = statement_triples(s.item, s.prop, value, s.start, s.end)
        (other if s.prop == "P463" and s.value not in SERVED_ORGANISATIONS else items).update(triples)
    return {"items.ttl": sorted(items, key=str), "memberships-other.ttl": sorted(other, key=str)}


def serialise(triples: list[ox.Triple]) -> bytes:
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=NS)
    assert data is not None
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default: {OUT})")
    parser.add_argument("--check", action="store_true", help="exit 1 if the files are out of date")
    args = parser.parse_args(argv)
    stale = []
    for name, triples in datasets().items():
        path, data = args.out / name, serialise(triples)
        if args.check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path}: {len(triples)} triples")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
