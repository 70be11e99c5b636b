"""Rows printed for `kg query`: a table fitted to the terminal, CSV or JSON.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Mapping

from kg.query.binding import IRI


class OutputFormat(enum.Enum):
    """How `kg query` prints rows."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"

def format_rows(columns: list[str], rows: list[dict[str, str | None]], fmt: OutputFormat, *,
                prefixes: Mapping[str, str] | None = None, width: int | None = None) -> str:
    """Rows as an aligned text table, CSV, or a JSON array of objects.

    CSV and JSON keep every value whole. The table is for reading: IRIs (`IRI` values) are written as prefixed
    names (`kgid:exercise/…`) with `prefixes` (default: those `kg build` writes), and with a `width` (a terminal's)
    the widest columns are narrowed, their long cells shortened with "…", until a line fits; no column is dropped.
    Without a width a cell shows at most 40 characters.
    """
    if fmt is OutputFormat.JSON:
        return json.dumps(rows, ensure_ascii=False, indent=1)
    if fmt is OutputFormat.CSV:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    if prefixes is None:
        from kg.query.graph import DEFAULT_PREFIXES

        prefixes = DEFAULT_PREFIXES
    return _table(columns, [[_cell(r[c], prefixes) for c in columns] for r in rows], width)


def _cell(value: str | None, prefixes: Mapping[str, str]) -> str:
    """A value as a table shows it: on one line, an IRI as a prefixed name."""
    if value is None:
        return ""
    if isinstance(value, IRI) or (value.startswith(tuple(prefixes.values())) and not any(c.isspace() for c in value)):
        # an IRI, or a label that is an IRI's text (a class with no label of its own)
        from kg.rdf.terms import shorten

        return shorten(value, prefixes)
    return value.replace("\n", " ")


MIN_COLUMN = 3  # characters a narrowed column keeps ("Ru…"), so that even a wide query fits 80 columns
MAX_CELL = 40  # characters a cell shows when the table has no width to fit


def column_widths(natural: list[int], width: int | None) -> list[int]:
    """Column widths that fit `width` (two spaces between columns) by narrowing the widest first.

    >>> column_widths([10, 30, 8], 40)
    [10, 18, 8]
    """
    if width is None:
        return [min(n, MAX_CELL) for n in natural]
    widths = list(natural)
    while sum(widths) + 2 * (len(widths) - 1) > width:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= MIN_COLUMN:
            break
        widths[widest] -= 1
    return widths


def _table(columns: list[str], cells: list[list[str]], width: int | None) -> str:
    def fit(text: str, size: int) -> str:
        return text if len(text) <= size else text[: size - 1] + "…"

    natural = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    widths = column_widths(natural, width)
    lines = ["  ".join(fit(c, w).ljust(w) for c, w in zip(columns, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(fit(v, w).ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    lines = [line.rstrip() for line in lines]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines)
