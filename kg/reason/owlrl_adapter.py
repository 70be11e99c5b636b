"""The one place `kg` calls owlrl: the OWL 2 RL closure of an rdflib graph.

owlrl is being folded into rdflib upstream; when its entry point moves, only this module changes. owlrl is
imported when first used, never when `kg` is imported.
"""

from __future__ import annotations

from rdflib import RDF, Graph, Namespace

#: Where owlrl writes the inconsistencies it finds (as blank nodes with an error message).
OWLRL_ERRORS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")


def owl_rl_closure(graph: Graph) -> list[str]:
    """Expand `graph` in place with its OWL 2 RL closure, as computed by owlrl.

    owlrl records each inconsistency it finds (a state that is its own rival, a literal outside its datatype)
    as a blank node in the graph; they are taken out of the graph and returned instead.

    Args:
        graph: the data and the ontology, merged; expanded in place.

    Returns:
        owlrl's inconsistency messages, sorted; empty when the graph is consistent.

    >>> from rdflib import OWL, URIRef
    >>> g = Graph()
    >>> _ = g.add((URIRef("urn:x:rivalOf"), RDF.type, OWL.SymmetricProperty))
    >>> _ = g.add((URIRef("urn:x:a"), URIRef("urn:x:rivalOf"), URIRef("urn:x:b")))
    >>> owl_rl_closure(g)
    []
    >>> (URIRef("urn:x:b"), URIRef("urn:x:rivalOf"), URIRef("urn:x:a")) in g
    True
    """
    import owlrl

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    messages: set[str] = set()
    for node in set(graph.subjects(RDF.type, OWLRL_ERRORS.ErrorMessage)):
        messages.update(str(m) for m in graph.objects(node, OWLRL_ERRORS.error))
        graph.remove((node, None, None))
    return sorted(messages)
