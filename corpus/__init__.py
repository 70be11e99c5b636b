"""The sample corpus as a package resource: shipped in the wheel as `kg.resources.corpus` (see `kg.resources`)."""
