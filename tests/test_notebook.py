"""The IPython extension (`%load_ext kg`: `%%sparql`, `%kg_query`) and the notebooks' pictures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

import kg
from kg.interfaces.notebook import format_error, plot_flows, plot_network, plot_timeline

matplotlib.use("Agg")


@pytest.fixture()
def shell(seed_build: Path) -> Iterator:
    """An IPython shell with `%load_ext kg` done."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell()
    shell.run_line_magic("load_ext", "kg")
    shell.user_ns["OUT"] = str(seed_build)
    yield shell
    shell.cleanup()
    InteractiveShell.clear_instance()


def _run(shell, cell: str):  # noqa: ANN202 - IPython's ExecutionResult
    result = shell.run_cell(cell, store_history=True)
    return result


def test_load_ext_kg_is_reachable_from_the_package() -> None:
    assert callable(kg.load_ipython_extension)


def test_sparql_cell_answers_with_a_dataframe_and_keeps_it(shell, seed_build: Path) -> None:
    result = _run(shell, "%%sparql --data {OUT} -o pairs\nSELECT ?a ?b WHERE { ?a kg:coMemberOf ?b }")
    assert result.success and isinstance(result.result, pd.DataFrame) and len(result.result) > 0
    assert shell.user_ns["pairs"].equals(result.result)
    again = _run(shell, "%%sparql --asserted\nSELECT ?a ?b WHERE { ?a kg:coMemberOf ?b }")  # same graph, asserted only
    assert again.success and again.result.empty


def test_kg_query_runs_a_saved_query_with_parameters(shell) -> None:
    result = _run(shell, "%kg_query members organisation=Q485207 --data {OUT} -o members")
    assert result.success and set(result.result["member_label"]) >= {"India", "Pakistan"}
    name = "Shanghai Cooperation Organisation"
    for quoted in (f'"organisation={name}"', f'organisation="{name}"', f"organisation='{name}'"):
        spaced = _run(shell, f"%kg_query members {quoted}")
        assert spaced.success and len(spaced.result) == len(result.result)


def test_a_syntax_error_is_shown_with_its_line(shell, capsys: pytest.CaptureFixture[str]) -> None:
    result = _run(shell, "%%sparql --data {OUT}\nSELECT ?x\nWHERE {\n  ?x ?y ?z .\n  FILTR(?x)\n}")
    assert not result.success
    err = capsys.readouterr()
    shown = err.out + err.err
    assert "UsageError" in shown and "error at 4:" in shown and "    4 |   FILTR(?x)" in shown and "^" in shown
    assert "Traceback" not in shown
    _run(shell, "%%sparql\nSELECT ?x\nWHERE {\n  ?x ?y ?z .\n  FILTER(?x = )\n}\n")  # the parser stops at the end
    lines = "".join(capsys.readouterr()).splitlines()
    assert lines[-2].endswith("| }") and lines[-1].endswith(" ^")


@pytest.mark.parametrize(("cell", "message"), [
    ("%kg_query members colour=red --data {OUT}", "query 'members' has no parameter colour"),
    ("%kg_query members organisation --data {OUT}", "parameters are NAME=VALUE"),
    ("%kg_query nope --data {OUT}", "unknown saved query 'nope'"),
    ("%kg_query states --data /nonexistent/kg", "no graph.ttl in /nonexistent/kg"),
    ("%kg_query states --data {OUT} --endpoint http://127.0.0.1:9/query", "not both"),
])
def test_errors_are_one_clear_message(shell, capsys: pytest.CaptureFixture[str], cell: str, message: str) -> None:
    assert not _run(shell, cell).success
    err = capsys.readouterr()
    assert message in err.out + err.err and "Traceback" not in err.out + err.err


def test_a_source_is_needed_once(capsys: pytest.CaptureFixture[str]) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    fresh = InteractiveShell()
    try:
        fresh.run_line_magic("load_ext", "kg")
        assert not fresh.run_cell("%kg_query states").success
        assert "give --data DIR" in "".join(capsys.readouterr())
    finally:
        fresh.cleanup()
        InteractiveShell.clear_instance()


def test_format_error_points_at_the_column() -> None:
    shown = format_error(ValueError("query: error at 1:8: expected a variable"), "SELECT ? WHERE {}")
    assert shown.splitlines()[-1].index("^") - shown.splitlines()[-2].index("S") == 7
    assert format_error(ValueError("no position"), "SELECT") == "no position"


# ---------------------------------------------------------------------------------------------------------------
# Pictures: labels, not IRIs


def _texts(ax) -> list[str]:  # noqa: ANN001 - a matplotlib Axes
    return [t.get_text() for t in ax.texts] + [t.get_text() for t in ax.get_yticklabels()] + [ax.get_title()]


def test_timeline_of_the_seeds_exercises(seed_build: Path) -> None:
    ax = plot_timeline(kg.open(seed_build).query("exercises-by-year"), title="Exercises")
    texts = _texts(ax)
    assert {"Druzhba 2017", "Mission de paix 2018"} <= set(texts)
    assert not any("http" in t for t in texts)
    assert len(ax.patches) == 1 and len(ax.lines) == 1  # Mission de paix has an end (a bar), Druzhba a date (a dot)


def test_timeline_of_every_kind_of_event(seed_build: Path) -> None:
    events = kg.open(seed_build).query("timeline")
    ax = plot_timeline(events, start="date", label="label", group="kind")
    assert ax.get_legend() is not None
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"exercise", "deal", "membership", "rivalry"}


def test_co_membership_network_draws_labelled_states_and_alliances(seed_build: Path) -> None:
    edges = kg.open(seed_build).query("co-membership")
    ax = plot_network(edges, source="state_label", target="other_label", weight="shared", highlight="allied")
    labels = {t.get_text() for t in ax.texts}
    assert {"India", "Pakistan", "Russia", "Kazakhstan"} <= labels and not any("http" in t for t in labels)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["co-members", "allies"]


def test_arms_flows_from_supplier_to_recipient(seed_build: Path) -> None:
    ax = plot_flows(kg.open(seed_build).query("arms-deals"))
    texts = {t.get_text() for t in ax.texts}
    assert {"Russia", "Pakistan"} <= texts and any("JF-17" in t for t in texts)
    empty = plot_flows(pd.DataFrame(columns=["supplier_label", "recipient_label", "items"]))
    assert "no arms flows" in {t.get_text() for t in empty.texts}
