"""The saved queries as a package resource: shipped in the wheel as `kg.resources.queries` (see `kg.resources`)."""
