"""Ingest: read text, HTML and JSONL files into cleaned `Article` records (stage 1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    """One news article, cleaned and ready for NLP.

    `id` is the file name for a file and the record's `id` for a JSONL line; `text` is the cleaned text
    (typography normalised, boilerplate dropped) that every character offset in the graph refers to.
    """

    id: str
    text: str
    lang: str
    date: dt.date | None = None
    title: str | None = None
    url: str | None = None
    source: str = ""
