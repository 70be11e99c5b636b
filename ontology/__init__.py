"""The ontology as a package resource: shipped in the wheel as `kg.resources.ontology` (see `kg.resources`)."""
