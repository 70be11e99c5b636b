"""Wikidata (stage 5): links with their evidence, and enrichment from the shipped snapshot or the endpoint."""
