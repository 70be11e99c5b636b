"""Reading text, HTML and JSONL files and folders into `Article` records.

Every reader funnels through `parse_article_text` (`kg.ingest.article`). Bad inputs never stop a run:
`read_articles` yields an `ArticleError` for each bad file or JSONL line and goes on.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import itertools
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from kg.errors import ArticleError
from kg.ingest.article import Article, parse_article_text
from kg.ingest.decode import BOMS, decode_bytes, decode_line, reject_binary
from kg.ingest.text import PUBLISHED

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".jsonl"})

def read_articles(paths: Iterable[Path], *, skip: Iterable[Path] = ()) -> Iterator[Article | ArticleError]:
    """Read articles from files and folders, yielding an `ArticleError` for each bad file or line.

    Folders are walked recursively in sorted order; hidden entries are skipped, files of other types are
    reported (a PDF left in the corpus is named, not silently ignored), and a directory reached twice
    (symlink loop, folder given twice) is read once; folders in `skip` are not walked (a build's output folder
    inside its input folder is no input). Never raises `ArticleError`, so a caller can report bad inputs and go on.

    >>> [a.id for a in read_articles([Path("tests/data/ingest/22_fr_premier-rafale-inde.txt")])]
    ['22_fr_premier-rafale-inde.txt']
    """
    seen_dirs: set[Path] = {Path(folder).resolve() for folder in skip}
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from _walk(path, seen_dirs)
        elif (special := _special_file(path)) is not None:
            yield ArticleError(str(path), special)
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES and path.exists():
            yield _unsupported(path)
        else:
            yield from _read_file(path)


def _walk(folder: Path, seen_dirs: set[Path]) -> Iterator[Article | ArticleError]:
    real = folder.resolve()
    if real in seen_dirs:
        return
    seen_dirs.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    except OSError as error:
        yield ArticleError(str(folder), f"cannot list folder: {error.strerror or error}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry, seen_dirs)
        elif (special := _special_file(entry)) is not None:
            yield ArticleError(str(entry), special)  # listed, never opened: a FIFO would hang, a device never end
        elif entry.suffix.lower() in SUPPORTED_SUFFIXES and (entry.is_file() or entry.is_symlink()):
            yield from _read_file(entry)  # a dangling symlink is reported
        elif entry.is_file():
            yield _unsupported(entry)  # listed, so that a PDF in the corpus is not silently left out


_SPECIAL_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                  (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _special_file(path: Path) -> str | None:
    """Why `path` (or what its links lead to) is not read when it is no regular file, else None (a regular file,
    or nothing there: reading it then reports that)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    kind = next((name for test, name in _SPECIAL_KINDS if test(mode)), None)
    return None if kind is None else f"not a regular file: {kind}; kg reads only regular files"


def _unsupported(path: Path) -> ArticleError:
    """The error for a file kg does not read, saying what it looks like when it is binary."""
    expected = ", ".join(sorted(SUPPORTED_SUFFIXES))
    reason = f"unsupported file type {path.suffix or '(none)'!r} (kg reads {expected})"
    try:
        with path.open("rb") as handle:
            reject_binary(handle.read(4096), source=str(path))
    except ArticleError as binary:
        reason = f"{binary.reason}; {reason}"
    except OSError:
        pass
    return ArticleError(str(path), reason)


#: The most bytes read from one .txt, .md or .html file: past it, the text cannot be an article (the extraction
#: takes at most 1,000,000 characters), so the file is refused before it is read (a 200 MB dump or /dev/zero).
MAX_FILE_BYTES = {".html": 50_000_000, ".htm": 50_000_000}
MAX_TEXT_BYTES = 8_000_000
#: The most bytes of one JSONL line (one record); a JSONL file itself is read line by line, whatever its size.
MAX_JSONL_LINE_BYTES = 8_000_000


def _read_file(path: Path) -> Iterator[Article | ArticleError]:
    source = str(path)
    suffix = path.suffix.lower()
    limit = MAX_FILE_BYTES.get(suffix, MAX_TEXT_BYTES)
    try:
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # it changed since it was listed
                yield ArticleError(source, "not a regular file; kg reads only regular files")
                return
            if suffix == ".jsonl":
                yield from _read_jsonl_file(handle, source=source)
                return
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                yield ArticleError(source, f"file too large: {size} bytes (limit {limit} for {suffix} files; an "
                                   "article has at most 1,000,000 characters)")
                return
            data = handle.read(limit + 1)
    except OSError as error:
        yield ArticleError(source, f"cannot read file: {error.strerror or error}")
        return
    try:
        if len(data) > limit:  # grew while read
            raise ArticleError(source, f"file too large: over {limit} bytes")
        text = decode_bytes(data, source=source)
        if suffix in (".html", ".htm"):
            yield _read_html(text, id=path.name, source=source)
        else:
            article = parse_article_text(text, id=path.name, source=source)
            yield dataclasses.replace(article, title=_guess_title(article.text))
    except ArticleError as error:
        yield error


def _read_html(html: str, *, id: str, source: str) -> Article:
    try:
        import trafilatura  # heavy import, only needed for HTML
    except ImportError as error:  # e.g. lxml without its html_clean part (pip < 24 skips lxml[html_clean])
        raise ArticleError(source, f"cannot read HTML: {error} (reinstall kg to get its dependencies)") from None

    # No extensive date search: it guesses dates from links and copyright years.
    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, date_extraction_params={"extensive_search": False}
    )
    meta: dict[str, Any] = doc if isinstance(doc, dict) else doc.as_dict() if doc is not None else {}
    text = meta.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ArticleError(source, "no article text found")
    lang = meta.get("language") or _html_lang(html)
    return parse_article_text(
        text,
        id=id,
        source=source,
        lang=lang,
        date=_iso_date(meta.get("date")),
        title=meta.get("title"),
        url=meta.get("url"),
    )


_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)


def _html_lang(html: str) -> str | None:
    match = _HTML_LANG.search(html, 0, 5000)
    return match.group(1).lower() if match else None


_JSONL_OPTIONAL = ("url", "title", "date", "lang")


def _read_jsonl_file(handle: BinaryIO, *, source: str) -> Iterator[Article | ArticleError]:
    """The records of a JSONL file, read line by line (each at most `MAX_JSONL_LINE_BYTES`). UTF-8 with a
    fallback per line; a file in UTF-16 or UTF-32 (a BOM, or NUL bytes) is decoded whole, up to `MAX_TEXT_BYTES`
    times 8."""
    head = handle.read(4096)
    handle.seek(0)
    if any(head.startswith(bom) for bom, encoding in BOMS if encoding != "utf-8-sig") or b"\x00" in head:
        limit = 8 * MAX_TEXT_BYTES
        data = handle.read(limit + 1)
        if len(data) > limit:
            yield ArticleError(source, f"file too large: over {limit} bytes in UTF-16 or UTF-32")
            return
        try:
            text = decode_bytes(data, source=source)
        except ArticleError as error:
            yield error
            return
        yield from _read_jsonl(enumerate(text.split("\n"), start=1), source=source)
        return
    try:
        reject_binary(head, source=source)
    except ArticleError as error:
        yield error
        return
    yield from _read_jsonl(_jsonl_lines(handle, source=source), source=source)


def _jsonl_lines(handle: BinaryIO, *, source: str) -> Iterator[tuple[int, str | ArticleError]]:
    """(line number, decoded line or the error of a line too long or undecodable), streaming."""
    for number in itertools.count(1):
        raw = handle.readline(MAX_JSONL_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_JSONL_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the line without holding it
            yield number, ArticleError(source, f"line too long: over {MAX_JSONL_LINE_BYTES} bytes", line=number)
            continue
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        yield number, decode_line(raw)


def _read_jsonl(lines: Iterable[tuple[int, str | ArticleError]], *, source: str) -> Iterator[Article | ArticleError]:
    first_line_of: dict[str, int] = {}
    empty = True
    for number, line in lines:
        if isinstance(line, ArticleError):
            yield line
            empty = False
            continue
        if not line.strip():
            continue
        empty = False
        try:
            record = _jsonl_record(line)
            record_id = record["id"]
            if record_id in first_line_of:
                raise ValueError(f"duplicate id {record_id!r} (first on line {first_line_of[record_id]})")
            first_line_of[record_id] = number
            yield parse_article_text(
                record["text"],
                id=record_id,
                source=source,
                lang=record.get("lang"),
                date=_iso_date(record.get("date")),
                title=record.get("title"),
                url=record.get("url"),
                line=number,
            )
        except (ValueError, ArticleError) as error:
            reason = error.reason if isinstance(error, ArticleError) else str(error)
            yield ArticleError(source, reason, line=number)
    if empty:
        yield ArticleError(source, "empty file")


def _jsonl_record(line: str) -> dict[str, str]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"malformed JSON: {error.msg} (column {error.colno})") from None
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    for field in ("id", "text"):
        if not isinstance(record.get(field), str) or not record[field].strip():
            raise ValueError(f"missing or empty {field!r} (a non-empty string is required)")
    for field in _JSONL_OPTIONAL:
        if record.get(field) is not None and not isinstance(record[field], str):
            raise ValueError(f"field {field!r} must be a string, not {type(record[field]).__name__}")
    return {key: value for key, value in record.items() if isinstance(value, str) and value.strip()}


def _iso_date(value: object) -> dt.date | None:
    """Metadata date (`2018-05-21`, `2018-05-21T10:00:00Z`), or None when absent or invalid."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.strip()).date()
    except ValueError:
        return None

_TITLE_MAX_CHARS = 200


def _guess_title(text: str) -> str | None:
    """The first line of a plain-text article if it looks like a title: short, no final period, no byline."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    first = first.lstrip("#").strip()  # Markdown heading
    if not first or len(first) >= _TITLE_MAX_CHARS or first.endswith(".") or PUBLISHED.search(first):
        return None
    return first
