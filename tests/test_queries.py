"""Saved queries: every one runs on a built graph; parameters are values, never query text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import QueryError
from kg.query.catalogue import get_query, saved_queries
from kg.query.local import run_saved
from kg.query.results import OutputFormat, format_rows

CONTRACT = {
    "states": ["article", "state", "label", "wikidata"],
    "organisations": ["article", "organisation", "label", "wikidata"],
    "exercises": ["article", "exercise", "name", "start", "end", "host_label", "location_label", "organiser_label"],
    "exercise-participants": ["article", "exercise", "name", "state_label", "state_wikidata"],
    "arms-deals": ["article", "deal", "supplier_label", "supplier_wikidata", "recipient_label",
                   "recipient_wikidata", "items", "status", "value", "date"],
    "memberships": ["article", "member_label", "member_wikidata", "organisation_label", "organisation_wikidata",
                    "kind", "date"],
}


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_every_saved_query_runs_and_is_documented(name: str, seed_build: Path) -> None:
    query = get_query(name)
    assert query.title and query.description, f"{name}: title and description in its header"
    if query.requires == "network":  # federated: no test touches the internet; check it parses
        from rdflib.plugins.sparql import prepareQuery

        prepareQuery(query.text)
        return
    columns, rows = run_saved(name, seed_build)
    assert columns


@pytest.mark.parametrize(("name", "columns"), sorted(CONTRACT.items()))
def test_contract_columns(name: str, columns: list[str], seed_build: Path) -> None:
    found, rows = run_saved(name, seed_build)
    assert set(columns) <= set(found)
    assert rows, f"{name} gives rows on the sample article"


def test_json_rows_are_objects_with_nulls(seed_build: Path) -> None:
    columns, rows = run_saved("exercises", seed_build)
    data = json.loads(format_rows(columns, rows, OutputFormat.JSON))
    assert isinstance(data, list) and all(set(r) == set(columns) for r in data)
    druzhba = next(r for r in data if r["name"] == "Druzhba 2017")
    assert druzhba["end"] is None


def test_csv_and_table(seed_build: Path) -> None:
    columns, rows = run_saved("states", seed_build)
    assert format_rows(columns, rows, OutputFormat.CSV).splitlines()[0] == ",".join(columns)
    assert "(9 rows)" in format_rows(columns, rows, OutputFormat.TABLE)


def test_unknown_query_and_parameter_are_clear_errors(seed_build: Path) -> None:
    with pytest.raises(QueryError, match="unknown saved query 'nope'"):
        run_saved("nope", seed_build)
    with pytest.raises(QueryError, match="has no parameter colour"):
        run_saved("states", seed_build, {"colour": "red"})


def test_missing_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="no graph.ttl"):
        run_saved("states", tmp_path)
