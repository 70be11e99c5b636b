"""Write docs/ontology.html, the ontology's documentation, from ontology/kg.ttl with pyLODE (OntPub profile).

pyLODE shows one label per term and runs two-language labels together ("military alliancealliance militaire"),
so the page is made from a copy of the ontology in which each term's English and French labels are one label
("military alliance / alliance militaire") and the French definition follows the English one, marked "(fr)".
The output is the same bytes for the same ontology and pyLODE version; tests/test_ontology.py checks that the
checked-in page is up to date and that it shows every term's label and definition in both languages.

    python scripts/build_docs.py           # refresh docs/ontology.html
    python scripts/build_docs.py --check   # exit 1, writing nothing, when docs/ontology.html is out of date
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from rdflib import RDFS, SKOS, Graph, Literal
from rdflib.namespace import DCTERMS

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "kg.ttl"
OUTPUT = ROOT / "docs" / "ontology.html"
BILINGUAL = (RDFS.label, SKOS.definition, DCTERMS.title, DCTERMS.description)
NAMESPACE = "https://w3id.org/kg-news/ontology#"


def doc_graph(ontology: Graph) -> Graph:
    """The ontology with each English/French pair of labels, titles and definitions made into one text."""
    graph = Graph()
    for prefix, namespace in ontology.namespaces():
        graph.bind(prefix, namespace)
    for s, p, o in ontology:
        if p not in BILINGUAL or not isinstance(o, Literal) or o.language not in ("en", "fr"):
            graph.add((s, p, o))
    for prop in BILINGUAL:
        for subject in sorted(set(ontology.subjects(prop, None))):
            texts = {o.language: str(o) for o in ontology.objects(subject, prop)
                     if isinstance(o, Literal) and o.language in ("en", "fr")}
            if not texts:
                continue
            if texts.get("en") == texts.get("fr"):
                text = texts["en"]
            elif prop in (RDFS.label, DCTERMS.title):
                text = " / ".join(texts[lang] for lang in ("en", "fr") if lang in texts)
            else:
                text = "\n\n".join(texts[lang] if lang == "en" else f"(fr) {texts[lang]}"
                                   for lang in ("en", "fr") if lang in texts)
            graph.add((subject, prop, Literal(text, lang="en")))
    return graph


def render(ontology_path: Path = ONTOLOGY) -> str:
    """The HTML page of the ontology at `ontology_path`."""
    from pylode import OntPub

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
    graph = doc_graph(Graph().parse(ontology_path, format="turtle"))
    page = OntPub(graph, sort_subjects=True)
    # Anchors are the terms' local names (docs/ontology.html#MilitaryAlliance), not pyLODE's label-made ones.
    page.fids.update({str(s): str(s)[len(NAMESPACE):] for s in set(graph.subjects())
                      if str(s).startswith(NAMESPACE) and len(str(s)) > len(NAMESPACE)})
    return str(page.make_html())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that docs/ontology.html is up to date")
    args = parser.parse_args(argv)
    html = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != html:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run python scripts/build_docs.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(html, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(html)} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
