"""RDF: the ontology's terms, records mapped to triples (the one place IRIs are minted), and serialisation."""
