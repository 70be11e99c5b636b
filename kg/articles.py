"""Ingest: read text, HTML and JSONL files into cleaned `Article` records (stage 1).

Every reader funnels through `parse_article_text`, the one place where text is cleaned, so the character
offsets that later stages record always refer to `Article.text`. Bad inputs never stop a run:
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
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from kg.errors import ArticleError

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".jsonl"})


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
    line: int | None = None  # the line of a JSONL record, so that problems found later can name it


# --- Reading files and folders -----------------------------------------------------------------------------


def read_articles(paths: Iterable[Path]) -> Iterator[Article | ArticleError]:
    """Read articles from files and folders, yielding an `ArticleError` for each bad file or line.

    Folders are walked recursively in sorted order; hidden entries are skipped, files of other types are
    reported (a PDF left in the corpus is named, not silently ignored), and a directory reached twice
    (symlink loop, folder given twice) is read once. Never raises `ArticleError`, so a caller can report bad
    inputs and go on.

    >>> [a.id for a in read_articles([Path("tests/data/ingest/22_fr_premier-rafale-inde.txt")])]
    ['22_fr_premier-rafale-inde.txt']
    """
    seen_dirs: set[Path] = set()
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
            _reject_binary(handle.read(4096), source=str(path))
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
    if any(head.startswith(bom) for bom, encoding in _BOMS if encoding != "utf-8-sig") or b"\x00" in head:
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
        _reject_binary(head, source=source)
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
        yield number, _decode_line(raw)


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


# --- Decoding bytes ----------------------------------------------------------------------------------------

_BOMS = (  # UTF-32 first: its LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SIGNATURES = (
    (b"%PDF", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"PK\x03\x04", "ZIP, e.g. DOCX"),
    (b"\xd0\xcf\x11\xe0", "OLE, e.g. DOC"),
    (b"\x1f\x8b", "gzip"),
)
_CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 12, 13}) + b"\x7f"
# Characters a Western-European legacy text (cp1252) is made of beyond ASCII.
_WESTERN = set(
    "àâäáãåæçéèêëíìîïñóòôöõøœùúûüýÿßÀÂÄÁÃÅÆÇÉÈÊËÍÌÎÏÑÓÒÔÖÕØŒÙÚÛÜÝŸ"
    "’‘“”«»‹›„‚–—…•·°€£¥©®™§¶¡¿ºª±×½¼¾²³µ\xa0\xad"
)


def decode_bytes(data: bytes, *, source: str) -> str:
    """Decode a file's bytes: BOM, then strict UTF-8, then a Western-European or detected legacy encoding.

    Raises:
        ArticleError: the bytes are binary (PDF, image, …), empty, or in no recognisable encoding.

    >>> decode_bytes("Défense".encode("cp1252"), source="x.txt")
    'Défense'
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decode_or_none(data, encoding)
            if text is None:
                raise ArticleError(source, f"invalid {encoding} text after its byte-order mark")
            break
    else:
        text = _decode_utf16_without_bom(data)
        if text is None:
            _reject_binary(data, source=source)
            text = _decode_or_none(data, "utf-8")
        if text is None:
            text = _decode_mostly_utf8(data)
        if text is None:
            text = _decode_legacy(data)
    if text is None:
        raise ArticleError(source, "cannot detect the text encoding")
    if not text.strip():
        raise ArticleError(source, "empty file")
    return text


def _decode_or_none(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _decode_utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark, told by its NUL bytes: text in Latin script has a NUL as nearly
    every other byte, all on the same side (odd offsets: little-endian). None when the bytes do not look so."""
    sample = data[:65536]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    share_even, share_odd = even.count(0) / len(even), odd.count(0) / max(len(odd), 1)
    if max(share_even, share_odd) < 0.3 or min(share_even, share_odd) > 0.02:
        return None
    text = _decode_or_none(data[: len(data) // 2 * 2], "utf-16-le" if share_odd > share_even else "utf-16-be")
    if text is None or "\x00" in text or sum(char.isprintable() or char.isspace() for char in text[:4096]) < \
            0.95 * len(text[:4096]):
        return None
    return text


def _decode_mostly_utf8(data: bytes) -> str | None:
    """A UTF-8 text with a few lines in another encoding (one stray Latin-1 byte, a pasted cp1252 quote): each line
    that is valid UTF-8 decoded as such, the others as cp1252 (Latin-1 where cp1252 has no character). Only when
    the file is clearly UTF-8: some lines have multi-byte UTF-8 characters, more than those that are invalid UTF-8
    (a cp1252 or Latin-1 text is almost never valid UTF-8 by chance). None otherwise."""
    lines = data.split(b"\n")
    utf8 = invalid = 0
    decoded = []
    for line in lines:
        text = _decode_or_none(line, "utf-8")
        if text is None:
            invalid += 1
            decoded.append(_decode_single_byte(line))
        else:
            utf8 += len(text) != len(line)
            decoded.append(text)
    if not utf8 or invalid > utf8:
        return None
    return "\n".join(decoded)


def _decode_single_byte(line: bytes) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def _decode_line(raw: bytes) -> str:
    """One line of a UTF-8 file (JSONL): UTF-8, or cp1252/Latin-1 when it is not valid UTF-8."""
    text = _decode_or_none(raw, "utf-8")
    return text if text is not None else _decode_single_byte(raw)


def _reject_binary(data: bytes, *, source: str) -> None:
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise ArticleError(source, f"binary file ({kind})")
    sample = data[:65536]
    if b"\x00" in sample or len(sample.translate(None, _CONTROL_BYTES)) < 0.95 * len(sample):
        raise ArticleError(source, "binary file")


def _decode_legacy(data: bytes) -> str | None:
    """cp1252 when it yields plausible Western text; otherwise charset_normalizer's guess.

    charset_normalizer alone often picks cp1250 or cp1257 for short French texts, turning "è" into "č".
    """
    for encoding in ("cp1252", "latin-1"):
        text = _decode_or_none(data, encoding)
        if text is not None and _looks_western(text):
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else None


def _looks_western(text: str) -> bool:
    sample = text[:100000]
    foreign = [char for char in sample if ord(char) > 127]
    letters = sum(char.isalpha() for char in sample)
    return all(char in _WESTERN for char in foreign) and len(foreign) < 0.3 * max(letters, 1)


# UTF-8 read as cp1252/Latin-1: "Ã©" for "é", "â€™" for "’", "Â " for a no-break space. A run of such
# sequences has the shape of UTF-8 bytes: a lead character ("Ã", "â", …) then 1 to 3 continuation characters.
_CP1252_HIGH = bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")
_CONTINUATION = f"[\u0080-\u00bf{_CP1252_HIGH}]"
_MOJIBAKE_MARKER = re.compile(f"[ÂÃ]{_CONTINUATION}|â€")
# "à" is C3 A0: once its A0 (a no-break space) has become a plain space, "Ã " is left.
_A_GRAVE_LOST_NBSP = re.compile("Ã (?= )|Ã(?= )")
_MOJIBAKE_RUN = re.compile(
    f"(?:[\u00c2-\u00df]{_CONTINUATION}|[\u00e0-\u00ef]{_CONTINUATION}{{2}}|[\u00f0-\u00f4]{_CONTINUATION}{{3}})+"
)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text wrongly decoded as cp1252 or Latin-1, only where it clearly happened.

    Each run shaped like UTF-8 bytes is re-encoded and decoded as UTF-8; runs that do not decode to Latin
    text (real accented text) are kept, so a text mixing good and broken parts is repaired piecewise.

    >>> repair_mojibake("lâ€™armÃ©e franÃ§aise")
    'l’armée française'
    """
    for _ in range(2):  # text encoded twice needs two passes
        if not _MOJIBAKE_MARKER.search(text):
            break
        text = _MOJIBAKE_RUN.sub(_repair_run, text)
        text = _A_GRAVE_LOST_NBSP.sub("à", text)
    return text


def _repair_run(match: re.Match[str]) -> str:
    run = match.group()
    raw = bytearray()
    for char in run:
        try:
            raw += char.encode("cp1252")
        except UnicodeEncodeError:
            raw += char.encode("latin-1")  # C1 controls from a Latin-1 decoding
    repaired = _decode_or_none(bytes(raw), "utf-8")
    return repaired if repaired is not None and all(map(_is_latin_text, repaired)) else run


def _is_latin_text(char: str) -> bool:
    """Latin letters, punctuation and currency: what a repaired French or English run may contain."""
    return ord(char) < 0x250 or 0x2000 <= ord(char) < 0x20D0 or char == "™"


# --- Cleaning text -----------------------------------------------------------------------------------------

_TYPOGRAPHY: dict[str, str] = {
    **dict.fromkeys("’‘‛ʼ′‚‹›＇", "'"),
    **dict.fromkeys("«»“”„‟″＂", '"'),
    # No-break, fixed-width and thin spaces; zero-width characters become a space to keep offsets.
    **dict.fromkeys(
        "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
        "\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff\u180e",
        " ",
    ),
    # A soft hyphen marks where a word may break: a visible hyphen, not a space that splits the word.
    **dict.fromkeys("\u00ad\u2010\u2011", "-"),
    **dict.fromkeys("\u2028\u2029", "\n"),
}


def normalise_typography(text: str) -> str:
    """Replace curly quotes, guillemets and special spaces by ASCII ones, one character for one.

    Length-preserving, so offsets stay valid; spaCy's French model otherwise tags "s’" and "C’" as entities.

    >>> normalise_typography("«\u00a0Non\u00a0», dit-il")
    '" Non ", dit-il'
    """
    for char, replacement in _TYPOGRAPHY.items():  # one pass per character: faster than str.translate
        if char in text:
            text = text.replace(char, replacement)
    return text


_BOILERPLATE = re.compile(
    "|".join(
        (
            # donation appeals
            r"a besoin de (votre|ton|vos) (soutien|aide|dons?)",
            r"\bfaites un don\b",
            r"\bsoutenez[- ]nous\b",
            r"\bneeds? your (support|help)\b",
            r"^\W*donate\b",
            r"\b(please )?donate (now|today|here)\b",
            r"\bmake a (one-time |monthly )?donation\b",
            r"\bsupport (our|independent) (journalism|work)\b",
            # newsletters and subscriptions
            r"\bnewsletters?\b",
            r"lettre d'information",
            r"\binscrivez[- ]vous\b",
            r"\babonnez[- ]vous\b",
            r"\bs'abonner\b",
            r"réservé aux abonnés",
            r"^\W*(subscribe|sign up|register)\b",
            r"\b(subscribe|sign up) (now|today|here|for free|to (our|the|my))\b",
            r"\bsubscribers? only\b",
            # read more, related links
            r"\bcontinue reading\b",
            r"\blire la suite\b",
            r"\b(en )?savoir plus sur\b",
            r"\bread more\b",
            r"^\W*(à )?lire aussi\b",
            r"^\W*(read|see) also\b",
            # cookies, copyright, sharing, calls to action, email privacy
            r"\bcookies?\b.*\b(accept|consent|navigat|brows|site|paramètr|setting|polic|politique|traceur)",
            r"©",
            r"^\W*copyright\b",
            r"\bcopyright (\d{4}|\(c\))",
            r"\ball rights reserved\b",
            r"\btous droits réservés\b",
            r"\breproduction (autorisée|interdite)\b",
            r"\bpartager sur\b",
            r"\bshare (on|this)\b",
            r"\bsuivez[- ]nous\b",
            r"\bfollow us\b",
            r"\bcliquez\b",
            r"\bclick (here|on|the link)\b",
            r"\bvotre (adresse )?(e-?mail|courriel|adresse électronique)\b",
            r"\byour e-?mail( address)?\b",
        )
    ),
    re.IGNORECASE,
)
BOILERPLATE_MAX_CHARS = 300


def drop_boilerplate(text: str) -> str:
    """Drop short lines that are site furniture (donation appeals, newsletters, cookies, copyright, sharing).

    A line is dropped only when it matches a general French or English pattern and is shorter than
    `BOILERPLATE_MAX_CHARS`, so a real paragraph mentioning a newsletter survives. Blank lines right after a
    dropped line go with it; every kept line is kept exactly. Run after `normalise_typography`.

    >>> drop_boilerplate("Paris accueille le sommet.\\n\\nAbonnez-vous à notre newsletter\\n\\nLa suite.")
    'Paris accueille le sommet.\\n\\nLa suite.'
    """
    kept: list[str] = []
    after_dropped = False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and len(stripped) < BOILERPLATE_MAX_CHARS and _BOILERPLATE.search(stripped):
            after_dropped = True
        elif not (after_dropped and not stripped):
            after_dropped = False
            kept.append(line)
    return "\n".join(kept)


# Frequent words that belong to one language only (no "de", "la", "en", "que", "in", …).
_STOP_WORDS = {
    "fr": "le les des du et est une dans pour qui sur pas au aux ce il ne sont avec par ont été mais cette"
    " leur ou nous vous elle plus comme être",
    "en": "the and of to is that for on with by was are it this from be has have at an which were will its"
    " their been would",
    "de": "der die das und ist nicht ein eine mit von zu den dem sich auf für im auch wird sind werden bei"
    " nach oder wie aus",
    "es": "el los las y es una por con para del se su sus al lo como más pero fue este esta también muy han",
    "it": "il gli della delle dei di che è sono nel nella alla anche come più questo questa hanno stato",
    "pt": "o os do dos das em no na um uma é não ao às pelo pela pelos pelas foi foram são também mais seu"
    " sua",
    "nl": "het een van en is dat op te zijn voor niet met ook maar bij door naar werd worden deze heeft",
    "pl": "się na nie do że jest to jak po od przez dla został także oraz jego które być",
}
_STOP_SETS = {lang: frozenset(words.split()) for lang, words in _STOP_WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")


#: Scripts other than Latin, told by the Unicode name of their letters, and the language a text in them is taken
#: to be: enough to report it as unsupported rather than read it as French (`Extractor` knows fr and en only).
_SCRIPTS = {"CYRILLIC": "ru", "CJK": "zh", "HIRAGANA": "ja", "KATAKANA": "ja", "HANGUL": "ko", "ARABIC": "ar",
            "HEBREW": "he", "GREEK": "el", "DEVANAGARI": "hi", "THAI": "th", "ARMENIAN": "hy", "GEORGIAN": "ka",
            "BENGALI": "bn", "TAMIL": "ta", "ETHIOPIC": "am"}
_UKRAINIAN = frozenset("іїєґІЇЄҐ")
#: The code of a text in a script or language kg cannot tell apart (ISO 639-2 "mis", uncoded languages).
UNKNOWN_LANGUAGE = "mis"


def _script_language(text: str) -> str | None:
    """The language of a text written mostly (over half its letters) in a script other than Latin, else None."""
    counts: dict[str, int] = {}
    letters = 0
    for char in itertools.islice((c for c in text if c.isalpha()), 5000):
        letters += 1
        if ord(char) < 0x250:
            continue
        name = unicodedata.name(char, "")
        script = name.split(" ", 1)[0]
        if script == "LATIN":
            continue
        lang = _SCRIPTS.get(script, UNKNOWN_LANGUAGE)
        if lang == "ru" and char in _UKRAINIAN:
            lang = "uk"
        counts[lang] = counts.get(lang, 0) + 1
    if not counts or sum(counts.values()) <= letters / 2:
        return None
    if "uk" in counts:
        return "uk"
    if "ja" in counts:  # Japanese mixes kana with Chinese characters
        counts["ja"] += counts.pop("zh", 0)
    return max(counts, key=lambda lang: counts[lang])


def detect_language(text: str) -> str:
    """Guess the ISO 639-1 code of a text: from its script when it is not Latin (ru, uk, zh, ja, ar, …, or "mis"
    for a script without an entry), else from its stop words (fr, en, de, es, it, pt, nl, pl); "und" if unsure.

    A long text in Latin script with almost none of these stop words is "mis" (a language kg does not know),
    not "und": "und" is read as the build's default language, which would parse it as French.

    >>> detect_language("Le ministre a signé l'accord avec les États-Unis et le Japon.")
    'fr'
    >>> detect_language("Министр обороны заявил, что учения пройдут в сентябре.")
    'ru'
    """
    script = _script_language(text)
    if script is not None:
        return script
    tokens = [match.group().lower() for match in itertools.islice(_WORD.finditer(text), 5000)]
    scores = sorted(
        ((sum(token in stops for token in tokens), lang) for lang, stops in _STOP_SETS.items()), reverse=True
    )
    (best, lang), (second, _) = scores[0], scores[1]
    if best >= 3 and best > 1.5 * second:
        return lang
    return UNKNOWN_LANGUAGE if len(tokens) >= _KNOWN_WORDS_AFTER and best < 0.02 * len(tokens) else "und"


#: Words after which a text in French or English has shown some of their stop words (about one word in three is).
_KNOWN_WORDS_AFTER = 60


_DAY = r"(?P<day>\d{1,2})(?:er|st|nd|rd|th|\.)?"
_DAY_RANGE = r"(?:\s*(?:-|–|au|et|and|to)\s*\d{1,2}(?:er|st|nd|rd|th|\.)?)?"  # "8-9 octobre": the first day
_MONTH_WORD = r"(?P<month>[^\W\d_]{3,}\.?)"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?!\d)"  # an explicit year: dateparser must never fill in today's
_NAMED_DATES = (
    re.compile(rf"\b{_DAY}{_DAY_RANGE}\s+(?:de\s+)?{_MONTH_WORD}\s+(?:de\s+)?{_YEAR}"),  # 21 mai 2018
    re.compile(rf"\b{_MONTH_WORD}\s+{_DAY}{_DAY_RANGE},?\s+{_YEAR}"),  # May 21, 2018; Dec. 14, 2019
)
_NUMERIC_DATE = re.compile(rf"\b(?P<a>\d{{1,2}})[/.](?P<b>\d{{1,2}})[/.]{_YEAR}")  # 21/05/2018
_ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b")
_PUBLISHED = re.compile(r"\b(publié|publiée|mis à jour|mise à jour|published|updated|posted|posté)\b", re.I)
_DATE_HEADER_LINES = 5  # a dateline sits in the first lines; dates further down are events, not publication
_LONG_LINE = 250  # a paragraph, not a dateline: only its opening ("WASHINGTON, DC – March 3, 2021") counts


def find_date(text: str, *, lang: str) -> dt.date | None:
    """Find the publication date in the article's dateline, or None.

    Looks at the first lines: a "Publié le …"/"Published …" line first, then the first line (a title or
    speech header such as "…, au Sénat le 12 octobre 2021."), then short lines ("Mérignac, France -
    8-9 octobre 2019": the first day of a range). Only dates with a day, a month and a 4-digit year count.

    >>> find_date("Publié par Ftouh Souhail le 21 mai 2018\\n\\nL'Inde et le Pakistan…", lang="fr")
    datetime.date(2018, 5, 21)
    """
    header = [
        line.strip()
        for line in itertools.islice((ln for ln in text.split("\n") if ln.strip()), _DATE_HEADER_LINES)
    ]
    published = [line for line in header if _PUBLISHED.search(line)]
    ordered = published + header[:1] + [line if len(line) < _LONG_LINE else line[:120] for line in header[1:]]
    for line in ordered:
        date = _first_date(line, lang=lang)
        if date is not None:
            return date
    return None


def _first_date(line: str, *, lang: str) -> dt.date | None:
    found: list[tuple[int, dt.date | None]] = []
    for pattern in _NAMED_DATES:
        found += [(m.start(), _parse_named_date(m, lang=lang)) for m in pattern.finditer(line)]
    for m in _NUMERIC_DATE.finditer(line):  # day first, except in English; the other order if that is invalid
        day, month = (m["b"], m["a"]) if lang == "en" else (m["a"], m["b"])
        found.append((m.start(), _make_date(m["year"], month, day) or _make_date(m["year"], day, month)))
    found += [(m.start(), _make_date(m["year"], m["month"], m["day"])) for m in _ISO_DATE.finditer(line)]
    return next((date for _, date in sorted(found, key=lambda item: item[0]) if date is not None), None)


def _make_date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


_DATEPARSER_SETTINGS = {"REQUIRE_PARTS": ["day", "month", "year"], "STRICT_PARSING": True}


def _parse_named_date(match: re.Match[str], *, lang: str) -> dt.date | None:
    import dateparser  # slow to import, only needed when a text has a candidate date

    candidate = f"{match['day']} {match['month']} {match['year']}"
    try:
        parsed = dateparser.parse(candidate, languages=[lang], settings=_DATEPARSER_SETTINGS)
    except ValueError:  # a language dateparser does not know, e.g. "und"
        parsed = dateparser.parse(candidate, settings=_DATEPARSER_SETTINGS)
    return parsed.date() if parsed is not None else None


def parse_article_text(
    raw: str,
    *,
    id: str,
    source: str,
    lang: str | None = None,
    date: dt.date | None = None,
    title: str | None = None,
    url: str | None = None,
    line: int | None = None,
) -> Article:
    """Clean a raw text into an `Article`: the one place every reader cleans text.

    Normalises line ends, repairs mojibake, normalises typography, drops boilerplate; then detects the
    language and dateline date unless metadata gave them (metadata wins).

    Raises:
        ArticleError: nothing is left once boilerplate is dropped.

    >>> parse_article_text("L’Inde et la France ont signé le contrat.", id="a", source="a.txt").text
    "L'Inde et la France ont signé le contrat."
    """
    raw, id = _no_surrogates(raw), _no_surrogates(id)
    title, url = (_no_surrogates(title) if title else title), (_no_surrogates(url) if url else url)
    text = repair_mojibake(raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = drop_boilerplate(normalise_typography(text)).strip()
    if not text:
        raise ArticleError(source, "no article text found")
    lang = _language_code(lang) or detect_language(text)
    return Article(
        id=id,
        text=text,
        lang=lang,
        date=date if date is not None else find_date(text, lang=lang),
        title=_strip_or_none(normalise_typography(title or "")),
        url=_strip_or_none(url or ""),
        source=source,
        line=line,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(text: str) -> str:
    """Lone surrogates (from JSON escapes such as "\\ud800") cannot be written as UTF-8: replace them."""
    return _SURROGATE.sub("\ufffd", text)


def _language_code(tag: str | None) -> str | None:
    """The primary subtag of a language tag from metadata: "fr-FR" → "fr"."""
    code = re.split(r"[-_]", (tag or "").strip().lower())[0]
    return code or None


def _strip_or_none(value: str) -> str | None:
    return value.strip() or None


_TITLE_MAX_CHARS = 200


def _guess_title(text: str) -> str | None:
    """The first line of a plain-text article if it looks like a title: short, no final period, no byline."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    first = first.lstrip("#").strip()  # Markdown heading
    if not first or len(first) >= _TITLE_MAX_CHARS or first.endswith(".") or _PUBLISHED.search(first):
        return None
    return first
