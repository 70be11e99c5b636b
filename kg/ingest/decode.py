"""Decoding bytes into text: byte-order marks, UTF-16 without one, mostly-UTF-8 text, legacy single-byte
encodings, binary files refused; and the repair of UTF-8 read as cp1252 (mojibake).
"""

from __future__ import annotations

import codecs
import re

from kg.errors import ArticleError

BOMS = (  # UTF-32 first: its LE BOM starts with the UTF-16 LE one
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
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = _decode_or_none(data, encoding)
            if text is None:
                raise ArticleError(source, f"invalid {encoding} text after its byte-order mark")
            break
    else:
        text = _decode_utf16_without_bom(data)
        if text is None:
            reject_binary(data, source=source)
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


def decode_line(raw: bytes) -> str:
    """One line of a UTF-8 file (JSONL): UTF-8, or cp1252/Latin-1 when it is not valid UTF-8."""
    text = _decode_or_none(raw, "utf-8")
    return text if text is not None else _decode_single_byte(raw)


def reject_binary(data: bytes, *, source: str) -> None:
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
