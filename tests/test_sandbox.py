"""In-process queries survive the engine's sort panic (issue 16, case 1): SPARQL text runs in a forked child, and
the project's own date-times all carry a timezone, so its data never holds the values that trigger it."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import kg
from kg.errors import QueryError
from kg.query.sandbox import isolated

PANIC = ("SELECT ?o WHERE { VALUES ?o { " + " ".join(
    f'"2020-01-01T{h:02d}:{m:02d}:00{tz}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
    for h, m, tz in ((i * 7 % 24, i * 13 % 60, ("", "Z", "+05:00", "-08:00", "")[i % 5]) for i in range(200)))
    + " } } ORDER BY ?o")
SMALL = "SELECT ?s WHERE { ?s a kg:State } ORDER BY ?s LIMIT 3"


def test_the_panic_query_is_an_error_and_the_caller_goes_on(seed_build: Path) -> None:
    kb = kg.open(seed_build)
    for _ in range(2):
        with pytest.raises(QueryError, match="aborted on this query .signal SIGABRT.*date-times"):
            kb.query(PANIC)
    assert len(kb.query(SMALL)) == 3


def test_isolated_answers_are_the_in_process_ones(seed_build: Path) -> None:
    isolated_kb, direct = kg.open(seed_build), kg.open(seed_build, isolate=False)
    for text in (SMALL, "SELECT ?s ?d WHERE { ?s ?p ?d FILTER(DATATYPE(?d) = xsd:dateTime) } ORDER BY ?s ?d"):
        pd.testing.assert_frame_equal(isolated_kb.query(text), direct.query(text))
    assert not direct.isolate and isolated_kb.using(inferred=False).isolate


def test_errors_in_the_child_are_raised_as_they_are(seed_build: Path) -> None:
    with pytest.raises(QueryError, match="query"):
        kg.open(seed_build).query("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(ZeroDivisionError):
        isolated(lambda: 1 // 0)
    assert isolated(lambda: ("a", [1, None])) == ("a", [1, None])


def test_every_date_time_of_a_build_has_a_timezone(seed_build: Path) -> None:
    """Oxigraph aborts when it sorts date-times with and without a timezone: the project writes them all with one."""
    found = 0
    for path in seed_build.glob("*.ttl"):
        for value in re.findall(r'"([^"]*)"\^\^xsd:dateTime', path.read_text(encoding="utf-8")):
            found += 1
            assert re.search(r"(Z|[+-]\d\d:\d\d)$", value), (path.name, value)
    assert found > 0
    frame = kg.open(seed_build, isolate=False).query(
        "SELECT ?d WHERE { ?s ?p ?d FILTER(DATATYPE(?d) = xsd:dateTime) } ORDER BY ?d")  # in-process: no panic
    assert len(frame) == found or len(frame) > 0
