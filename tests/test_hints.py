"""Hints instead of silent empties: a parameter value that names nothing in the graph says so, with the closest
names, on standard error (`kg query`, exit 0) or as a warning (the Python API)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import kg
from kg.interfaces.cli import main
from kg.query.catalogue import get_query
from kg.query.hints import UnknownValueWarning, closest, hints

NAMES = ["Pakistan", "India", "Shanghai Cooperation Organisation", "SCO", "Druzhba 2017", "Q668"]


def test_a_value_that_no_name_contains_gets_a_hint_with_the_closest_names() -> None:
    (message,) = hints(get_query("arms-suppliers"), {"recipient": "Pakistn"}, lambda: NAMES)
    assert "'Pakistn' (recipient)" in message and "closest names: Pakistan" in message


@pytest.mark.parametrize("value", ["pakistan", "Q668", "druzhba", "https://w3id.org/kg-news/id/Q999", ""])
def test_names_any_case_parts_of_names_qids_iris_and_empty_values_get_no_hint(value: str) -> None:
    query = get_query("participants") if value == "druzhba" else get_query("arms-suppliers")
    param = "exercise" if value == "druzhba" else "recipient"
    assert hints(query, {param: value}, lambda: NAMES) == []


def test_the_graph_is_asked_for_its_names_only_when_a_value_needs_checking() -> None:
    def names() -> list[str]:
        raise AssertionError("names asked for")

    assert hints(get_query("timeline"), {"only": "deal"}, names) == []


def test_closest_ignores_case_and_keeps_the_graphs_spelling() -> None:
    assert closest("OTAN", ["otan", "Otan", "Iran"]) == ["Otan"]


def test_kg_query_says_on_stderr_that_atlantis_names_nothing_and_exits_0(
        seed_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "members", "--data", str(seed_build), "--param", "organisation=Atlantis"]) == 0
    printed = capsys.readouterr()
    assert "(0 rows)" in printed.out
    assert printed.err.startswith("kg query: hint: query 'members': no entity of the graph is named 'Atlantis'")


def test_kg_query_hints_the_closest_names(seed_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "arms-suppliers", "--data", str(seed_build), "--param", "recipient=Pakistn"]) == 0
    assert "closest names: Pakistan" in capsys.readouterr().err


def test_a_known_name_with_an_empty_answer_gets_no_hint(seed_build: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "exercises-by-year", "--data", str(seed_build), "--param", "host=Chine"]) == 0
    printed = capsys.readouterr()
    assert "(0 rows)" in printed.out and printed.err == ""


def test_the_python_api_warns(seed_build: Path) -> None:
    kb = kg.open(seed_build)
    with pytest.warns(UnknownValueWarning, match="'Atlantis' \\(organisation\\)"):
        assert kb.query("members", organisation="Atlantis").empty
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not kb.query("members", organisation="SCO").empty
