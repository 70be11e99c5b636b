"""The build's fast path: `article_quads` has the mapper write N-Quads straight from Oxigraph terms, which must
give what `map_extraction` gives, in the bytes `pyoxigraph.serialize` writes."""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kg.errors import MappingError
from kg.extract import Extractor
from kg.extract.dates import PartialDate
from kg.extract.records import ArmsDeal, Evidence, Exercise, Extraction, MembershipFact, Mention, Rivalry
from kg.ingest.article import Article
from kg.pipeline.executors import article_quads
from kg.rdf.mapping import article_iri, map_extraction

HOSTILE = 'Un "mot" \\ à la ligne\nretour\r tab\t nul\x00 bip\x07 rtl\u202e 🚀 « Inde » l’OTAN'


class _Given(Extractor):
    """Returns prepared extractions: the mapping without spaCy."""

    def __init__(self, *extractions: Extraction) -> None:
        super().__init__()
        self.extractions = {x.article.source: x for x in extractions}

    def extract(self, article: Article) -> Extraction:
        return self.extractions[article.source]


def _extraction(source: str = "a.txt", url: str = "https://example.org/a?b=c#d") -> Extraction:
    """Every kind of record, with strings that need escaping and values whose lexical form rdflib normalises."""
    article = Article(id="a " + HOSTILE[:12], text=HOSTILE, lang="fr", date=dt.date(2018, 5, 21), title=HOSTILE,
                      url=url, source=source)
    ev = Evidence(sentence=HOSTILE, start=3, end=12, rule="test", confidence=0.666)
    other = Evidence(sentence="Autre phrase.", start=0, end=5, rule="other", confidence=1.0)
    mentions = (Mention("Q668", "State", "Inde", "label", ev, "Inde", role=HOSTILE, affiliation="Q7184"),
                Mention("person/x", "Person", HOSTILE, "ner", other, HOSTILE),
                Mention("Q148", "State", "chinois", "demonym", ev, "Chine"))
    exercises = (Exercise(HOSTILE, ("Q668", "Q148"), "Q7184", "Q668", "place/goa", PartialDate(2018),
                          PartialDate(2018, 9, 3), (ev,)),
                 Exercise(None, ("Q159",), None, None, None, PartialDate(2021, 4), None, (other,)))
    deals = (ArmsDeal("Q159", "Q668", ("weapon/s-400", "weapon/unknown-x"), 5, "5.43E+3", "USD", "signed",
                      PartialDate(2018, 10), (ev,)),
             ArmsDeal(None, "Q668", ("weapon/rafale",), None, "1.00", None, "ordered", None, (other,)))
    return Extraction(article, mentions, exercises, deals, (MembershipFact("Q668", "Q7184", "member",
                                                                           PartialDate(2017, 6, 9), ev),),
                      (Rivalry(("Q668", "Q843"), ev),))


def _ox(term: Identifier) -> ox.NamedNode | ox.Literal:
    """What the build wrote before the fast path: each rdflib term converted to an Oxigraph one."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def test_the_build_writes_what_map_extraction_gives_as_pyoxigraph_writes_it() -> None:
    x = _extraction()
    result = article_quads([x.article], _Given(x))
    name = ox.NamedNode(str(article_iri(x.article)))
    expected = [ox.Quad(_ox(s), _ox(p), _ox(o), name) for s, p, o in map_extraction(x)]  # type: ignore[arg-type]
    written = ox.serialize(expected, format=ox.RdfFormat.N_QUADS)
    lines = result.nquads.splitlines()
    assert written is not None and sorted(lines) == sorted(written.splitlines())
    assert result.triples == len(lines) == len(set(lines)) and result.articles == 1 and not result.errors


def test_articles_sharing_an_id_are_one_set_of_triples() -> None:
    one, two = _extraction("one/a.txt"), _extraction("two/a.txt")
    result = article_quads([one.article, two.article], _Given(one, two))
    assert result.nquads == article_quads([one.article], _Given(one)).nquads and result.articles == 2


def test_an_iri_oxigraph_refuses_fails_the_group() -> None:
    good, bad = _extraction("one/a.txt"), _extraction("two/a.txt", url="http://host:port/")
    result = article_quads([good.article, bad.article], _Given(good, bad))
    assert (result.nquads, result.triples, result.articles) == (b"", 0, 0)
    assert [source for source, _ in result.errors] == ["one/a.txt", "two/a.txt"]
    assert all(isinstance(err, MappingError) and "invalid RDF term" in str(err) for _, err in result.errors)
