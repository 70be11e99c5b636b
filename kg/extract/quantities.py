"""Number words, money scales and currencies of every language (kg/data/quantities.json), merged: a sum or a count
is read whatever the article's language ('four', 'vingt', 'USD', '€')."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from kg.extract.gazetteer import DATA_DIR


@cache
def amounts() -> dict[str, Any]:
    """The words of every language merged: `number`, `scale`, `currency` (word → value) and `of` ('de')."""
    raw = json.loads((DATA_DIR / "quantities.json").read_text(encoding="utf-8"))
    merged: dict[str, Any] = {"number": {}, "scale": {}, "currency": {}, "of": []}
    for lang, entry in raw.items():
        if not lang.startswith("_"):
            for key in ("number", "scale", "currency"):
                merged[key].update(entry[key])
            merged["of"] += entry["of"]
    return merged


def count_value(word: str) -> int | None:
    """The number a word writes: '17', 'four', 'vingt', or None."""
    if word.isdigit():
        return int(word)
    value = amounts()["number"].get(word.lower())
    return int(value) if value else None


def is_currency(word: str) -> bool:
    """'USD', 'euros', '$': a currency, so that 'USD 6.2 million' is a sum, not a name."""
    return word.lower() in amounts()["currency"]
