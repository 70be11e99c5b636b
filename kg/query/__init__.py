"""Queries: the saved-query catalogue, parameter binding, local and remote runs, hints for empty answers."""
