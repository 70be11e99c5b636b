"""Tables an analyst reads at a glance: prefixed names instead of IRIs, blanks instead of NaN, every column kept
within the terminal's width, deals with their quantity, value and currency."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.interfaces.cli import main
from kg.query.binding import IRI
from kg.query.local import run_saved
from kg.query.results import OutputFormat, column_widths, format_rows


def test_the_table_writes_iris_as_prefixed_names_and_csv_keeps_them_whole(seed_build: Path) -> None:
    columns, rows = run_saved("exercises", seed_build)
    table = format_rows(columns, rows, OutputFormat.TABLE)
    assert "kgid:exercise/2017-druzhba" in table and "https://" not in table
    assert "https://w3id.org/kg-news/id/exercise/2017-druzhba" in format_rows(columns, rows, OutputFormat.CSV)
    assert all(isinstance(r["exercise"], IRI) for r in rows)


def test_the_evidence_table_names_classes_by_prefixed_name(seed_build: Path) -> None:
    columns, rows = run_saved("evidence", seed_build, {"about": "Druzhba 2017"})
    table = format_rows(columns, rows, OutputFormat.TABLE, width=400)
    assert "kg:MilitaryExercise" in table and "#MilitaryExercise" not in table


@pytest.mark.parametrize("width", [60, 90, 120])
def test_the_table_fits_the_width_by_shortening_cells_and_keeps_every_column(seed_build: Path, width: int) -> None:
    columns, rows = run_saved("exercises", seed_build)
    lines = format_rows(columns, rows, OutputFormat.TABLE, width=width).splitlines()
    assert max(len(line) for line in lines) <= width
    header = lines[0].split()
    assert len(header) == len(columns)
    assert all(c.startswith(h.rstrip("…")) for c, h in zip(columns, header, strict=True))


def test_column_widths_narrow_the_widest_first_and_keep_short_columns() -> None:
    widths = column_widths([24, 40, 20, 7], 70)
    assert sum(widths) + 2 * 3 <= 70 and widths[3] == 7 and widths[1] <= widths[0] + 1
    assert column_widths([10, 10], None) == [10, 10] and column_widths([100], None) == [40]


def test_kg_query_fits_columns_set_in_the_environment(seed_build: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["query", "exercises", "--data", str(seed_build)]) == 0
    assert max(len(line) for line in capsys.readouterr().out.splitlines()) <= 80


def test_deals_show_quantity_value_and_currency(seed_build: Path) -> None:
    columns, rows = run_saved("arms-deals", seed_build)
    assert {"quantity", "value", "currency"} <= set(columns)
    assert rows[0]["supplier_label"] == "Russia" and "JF-17" in (rows[0]["items"] or "")


def test_blanks_show_as_blanks_in_notebooks_and_reprs(seed_build: Path) -> None:
    answer = kg.open(seed_build).query("exercises")
    assert answer["end"].isna().any()  # the frame keeps its missing values and types
    shown = answer._repr_html_() or ""
    for blank in (">NaN<", ">NaT<", "&lt;NA&gt;", ">None<"):
        assert blank not in shown
    assert "kgid:exercise/2017-druzhba" in shown and "2018-08-01" in shown
    assert "NaT" not in repr(answer) and "NaN" not in repr(answer)
