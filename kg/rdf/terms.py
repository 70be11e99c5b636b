"""Terms: the one conversion between rdflib's and Oxigraph's RDF terms, and IRIs shortened for people.

Inside a build RDF is held by Oxigraph (pyoxigraph terms and stores); rdflib appears only where a library needs it:
owlrl (`kg.reason.owlrl_adapter`) and pySHACL (`kg.reason.validation`). Those boundaries convert here, so that a
literal keeps its lexical form and its datatype the same way everywhere (xsd:string literals become plain rdflib
literals, as rdflib's parser makes them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

__all__ = ["OxTerm", "OxigraphGraph", "rdflib_graph", "shorten", "to_oxigraph", "to_rdflib"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: An Oxigraph term that rdflib can hold.
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def to_oxigraph(term: Node) -> OxTerm:
    """An rdflib term as the equivalent Oxigraph term, keeping literals' lexical forms.

    >>> to_oxigraph(Literal("1.0", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")))
    <Literal value=1.0 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#decimal>>
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: object) -> Node:
    """An Oxigraph term as the equivalent rdflib term (xsd:string literals as plain literals).

    >>> to_rdflib(ox.Literal("Mali", language="fr")), to_rdflib(ox.Literal("x"))
    (rdflib.term.Literal('Mali', lang='fr'), rdflib.term.Literal('x'))
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype))
    raise TypeError(f"not an RDF term: {term!r}")


def rdflib_graph(triples: Iterable[ox.Triple | ox.Quad]) -> Graph:
    """Oxigraph triples (or the triples of quads) as a new rdflib graph, for owlrl and pySHACL."""
    graph = Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


class OxigraphGraph(Graph):
    """An rdflib graph over the default graph of an Oxigraph store (through oxrdflib, no copy) that keeps the store
    at hand: code that can work in Oxigraph (a SPARQL query over the whole graph, the reasoner, SHACL-SPARQL) uses
    `oxigraph` directly, and the rdflib API stays for pySHACL and for walking the graph.

    >>> graph = OxigraphGraph()
    >>> _ = graph.add((URIRef("urn:x:s"), URIRef("urn:x:p"), Literal("o")))
    >>> len(graph.oxigraph)
    1
    """

    def __init__(self, store: ox.Store | None = None) -> None:
        from oxrdflib import OxigraphStore
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        self.oxigraph = ox.Store() if store is None else store
        super().__init__(store=OxigraphStore(store=self.oxigraph), identifier=DATASET_DEFAULT_GRAPH_ID,
                         bind_namespaces="none")


def shorten(iri: str, prefixes: Mapping[str, str]) -> str:
    """`iri` as a prefixed name by the longest namespace of `prefixes` that starts it, else unchanged.

    >>> shorten("https://w3id.org/kg-news/id/Q159", {"kgid": "https://w3id.org/kg-news/id/"})
    'kgid:Q159'
    """
    best = ""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(iri) > len(namespace) and len(namespace) > len(prefixes.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(prefixes[best]):]}" if best in prefixes and iri.startswith(prefixes[best]) else iri
