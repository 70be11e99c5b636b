r"""Turtle from sorted N-Triples lines in one pass over their text: the bytes that Oxigraph's serializer followed by
`plain_names` gives (`kg.rdf.serialise.serialise_to`), several times faster on a build's graph.ttl.

Why: that path makes a Python object per triple (Oxigraph's parser) and reads its own output again to write the
prefixed names that would need an escape as full IRIs. Here a regular expression cuts the text into runs of lines
with one subject (in C), and each distinct "predicate object" text is turned into Turtle once, by Oxigraph's rules:
the longest namespace whose local name is valid, `a` for rdf:type, numbers and booleans bare. A name that would
need an escape is written as its full IRI in the first place.

The lines are those Oxigraph writes (`str` of its terms: the build's spool, a store's dump). From the first subject
with a line written otherwise (another spelling of a term, white space, a comment), the rest of the input goes to
Oxigraph's serializer and `plain_names`, which give the same bytes for it.
"""

from __future__ import annotations

import functools
import io
import mmap
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO

import pyoxigraph as ox

from kg.rdf.mapping import PREFIXES
from kg.rdf.serialise import plain_names

__all__ = ["TurtleWriter", "write_turtle"]

#: Pieces of Turtle gathered before they are written.
FLUSH = 1 << 16
#: Distinct "predicate object" texts kept (about 500 bytes each), so that memory stays bounded on corpora with many
#: distinct literals.
CACHE = 1 << 18

_RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_XSD = b"http://www.w3.org/2001/XMLSchema#"
#: Typed literals Turtle writes bare when their lexical form is one of its number or boolean tokens.
_BARE = {
    b"<" + _XSD + b"boolean>": re.compile(rb"true|false"),
    b"<" + _XSD + b"integer>": re.compile(rb"[+-]?[0-9]+"),
    b"<" + _XSD + b"decimal>": re.compile(rb"[+-]?[0-9]*\.[0-9]+"),
    b"<" + _XSD + b"double>": re.compile(rb"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
}

# The lines of one subject (the text up to the first space); a line that is not one leaves a gap between matches.
_GROUP = re.compile(rb"(\S+) [^\n]*\n(?:\1 [^\n]*\n)*")
# Terms as Oxigraph writes them: IRIs, blank nodes, literals (escaped as its `print_quoted_str` does, lower case
# language tags, no xsd:string datatype); anything else is handed to Oxigraph.
_IRI = rb'<[^\x00-\x20<>"{}|^`\\]*>'
_NAMED = re.compile(_IRI + rb"|_:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_LITERAL = re.compile(rb'"(?:[^"\\\x00-\x1f\x7f]|\\[btnfr"\\]|\\u000[0-7BE-F]|\\u001[0-9A-F]|\\u007F|\\uFFF[EF])*"'
                      rb"(?:@[a-z]+(?:-[a-z0-9]+)*|\^\^(" + _IRI + rb"))?")
_NOT_CANONICAL = re.compile(rb"\xef\xbf[\xbe\xbf]")  # U+FFFE and U+FFFF, which Oxigraph escapes
_PLAIN_DATATYPES = (b"<" + _XSD + b"string>", b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>")

# Local names (Turtle's PN_LOCAL, as Oxigraph's `escape_local_name` tells them): written as they are, or with a
# backslash escape (then kg writes the full IRI), or not at all (the next namespace is tried).
_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
         "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff_")
_CHARS = _BASE + "0-9\\-\u00b7\u0300-\u036f\u203f-\u2040"
_ESCAPABLE = "~.\\-!$&'()*+,;=/?#@%_"
_PLAIN_LOCAL = re.compile(f"[{_BASE}:0-9](?:[{_CHARS}:.]*[{_CHARS}:])?")
_PLAIN_ASCII = re.compile(rb"[A-Za-z_:0-9](?:[A-Za-z0-9_:.\-]*[A-Za-z0-9_:\-])?")
_ESCAPED_ASCII = re.compile(rb"[A-Za-z0-9_:.\-~!$&'()*+,;=/?#@%]+")
_ESCAPED_LOCAL = re.compile(f"[{_BASE}:0-9{_ESCAPABLE}][{_CHARS}:.{_ESCAPABLE}]*")


class _Irregular(Exception):
    """A line not as Oxigraph writes it: the rest of the input goes to Oxigraph."""


@functools.lru_cache(maxsize=4)
def _prelude(prefixes: tuple[tuple[str, str], ...]) -> tuple[bytes, tuple[tuple[bytes, bytes], ...]]:
    """Oxigraph's `@prefix` lines for `prefixes`, and the namespaces in the order it tries them (its lines' order)."""
    out = io.BytesIO()
    ox.serialize([ox.Triple(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"))], out,
                 ox.RdfFormat.TURTLE, prefixes=dict(prefixes))
    header = b"".join(re.findall(rb"@prefix [^\n]*\n", out.getvalue()))
    names = re.findall(rb"@prefix ([^:]*): <([^>]*)> \.\n", header)
    return header, tuple((b"<" + namespace, name) for name, namespace in names)


class TurtleWriter:
    """Writes sorted N-Triples lines as Turtle with the given prefixes (see the module's docstring).

    >>> out = io.BytesIO()
    >>> TurtleWriter({"ex": "http://example.org/"}).write(io.BytesIO(
    ...     b'<http://example.org/a> <http://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\\n'
    ...     b'<http://example.org/a> <http://example.org/p> <http://example.org/b/c> .\\n'), out)
    >>> print(out.getvalue().decode())
    @prefix ex: <http://example.org/> .
    ex:a ex:p 1 , <http://example.org/b/c> .
    <BLANKLINE>
    """

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self._prefixes = dict(prefixes)
        self._header, self._namespaces = _prelude(tuple(self._prefixes.items()))
        self._namespace = re.compile(b"|".join(re.escape(namespace) for namespace, _ in self._namespaces))
        self._prefix = dict(self._namespaces)
        # The Turtle of a line's "predicate object ." text (with or without its newline) after the subject, after
        # another predicate and after the same one; its predicate, one bytes object per distinct predicate.
        self._after_subject: dict[bytes, bytes] = {}
        self._after_other: dict[bytes, bytes] = {}
        self._after_same: dict[bytes, bytes] = {}
        self._predicate_of: dict[bytes, bytes] = {}
        self._predicates: dict[bytes, tuple[bytes, bytes]] = {}

    def write(self, lines: IO[bytes], out: IO[bytes]) -> None:
        """Write the N-Triples `lines` (sorted, so that each subject's lines follow each other) to `out`."""
        with _contents(lines) as data:
            if not data:
                return
            if data[-1:] != b"\n":  # a last line without its newline (rare: not as Oxigraph writes lines)
                data = bytes(data) + b"\n"
            end = self._write_subjects(data, out)
            if end < len(data):  # from the first line not as Oxigraph writes it
                out.write(self._oxigraph(bytes(data[end:]), header=end == 0))

    def _write_subjects(self, data: bytes | mmap.mmap, out: IO[bytes]) -> int:
        """Write the Turtle of `data`'s subjects, with the prefixes, up to the first line not as Oxigraph writes it;
        where that line's subject starts (the length of `data` if none)."""
        pieces: list[bytes] = [self._header]
        end = 0
        try:
            for match in _GROUP.finditer(data):
                if match.start() != end:
                    break
                self._subject_lines(match, pieces)
                end = match.end()
                if len(pieces) > FLUSH:
                    out.write(b"".join(pieces))
                    pieces.clear()
        except _Irregular:
            pass
        if end:
            out.write(b"".join(pieces))
        return end

    def _oxigraph(self, lines: bytes, *, header: bool) -> bytes:
        """The Turtle of `lines` by Oxigraph and `plain_names`, with the prefixes if `header`."""
        out = io.BytesIO()
        ox.serialize(ox.parse(lines, format=ox.RdfFormat.N_TRIPLES, lenient=True), out, ox.RdfFormat.TURTLE,
                     prefixes=self._prefixes)
        text = plain_names(out.getvalue(), self._prefixes)
        return text if header or not text.startswith(self._header) else text[len(self._header):]

    def _subject_lines(self, match: re.Match[bytes], pieces: list[bytes]) -> None:
        """Add the Turtle of one subject's lines to `pieces`: its name, then each predicate's objects. The work
        per line stays in C (`map` over the caches) unless a predicate repeats."""
        subject = match.group(1)
        rests = match.group().split(b"\n" + subject + b" ")
        rests[0] = rests[0][len(subject) + 1:]
        try:
            distinct = len(set(map(self._predicate_of.__getitem__, rests)))
        except KeyError:
            if len(self._predicate_of) >= CACHE:
                for cache in (self._after_subject, self._after_other, self._after_same, self._predicate_of):
                    cache.clear()
            for rest in rests:
                if rest not in self._predicate_of:
                    self._learn(rest)
            distinct = len(set(map(self._predicate_of.__getitem__, rests)))
        pieces.append(self._subject(subject))
        pieces.append(self._after_subject[rests[0]])
        if distinct == len(rests):
            pieces.extend(map(self._after_other.__getitem__, rests[1:]))
        else:
            predicates = list(map(self._predicate_of.__getitem__, rests))
            pairs = zip(rests[1:], predicates[1:], predicates[:-1], strict=True)
            pieces.extend([self._after_same[rest] if predicate is previous else self._after_other[rest]
                           for rest, predicate, previous in pairs])
        pieces.append(b" .\n")

    def _learn(self, rest: bytes) -> None:
        """Turn a line's "predicate object ." text into Turtle, after another predicate (`_after_other`) and after
        the same one (`_after_same`); its predicate (one bytes object per distinct predicate, compared by
        identity)."""
        predicate, _, term = rest.partition(b" ")
        term = term[:-1] if term.endswith(b"\n") else term
        if not term.endswith(b" ."):
            raise _Irregular
        known = self._predicates.get(predicate)
        if known is None:
            if _NAMED.fullmatch(predicate) is None or predicate.startswith(b"_"):
                raise _Irregular
            known = self._predicates[predicate] = (predicate,
                                                   b"a" if predicate == _RDF_TYPE else self._name(predicate))
        term_text = self._term(term[:-2])
        self._after_subject[rest] = b" " + known[1] + b" " + term_text
        self._after_other[rest] = b" ;\n\t" + known[1] + b" " + term_text
        self._after_same[rest] = b" , " + term_text
        self._predicate_of[rest] = known[0]

    def _term(self, term: bytes) -> bytes:
        """An object's Turtle."""
        if term[:1] != b'"':
            if _NAMED.fullmatch(term) is None:
                raise _Irregular
            return self._name(term)
        literal = _LITERAL.fullmatch(term)
        if literal is None or _NOT_CANONICAL.search(term) is not None:
            raise _Irregular
        try:
            term.decode("utf-8")
        except UnicodeDecodeError as err:
            raise _Irregular from err
        datatype = literal.group(1)
        if datatype is None:
            return term
        if datatype in _PLAIN_DATATYPES:
            raise _Irregular
        value = term[1:-len(datatype) - 3]
        bare = _BARE.get(datatype)
        if bare is not None and bare.fullmatch(value):
            return value
        return term[:-len(datatype)] + self._name(datatype)

    def _subject(self, node: bytes) -> bytes:
        """A subject's Turtle (`_name`), once it is known to be a term as Oxigraph writes it: a name in a namespace
        with an ASCII local name is, as it stands (a local name that passes these checks holds no invalid byte)."""
        match = self._namespace.match(node)
        if match is not None and node[-1:] == b">":
            local = node[match.end():-1]
            if _PLAIN_ASCII.fullmatch(local):
                return self._prefix[match.group()] + b":" + local
            if _ESCAPED_ASCII.fullmatch(local):
                return node
        if _NAMED.fullmatch(node) is None:
            raise _Irregular
        return self._name(node)

    def _name(self, node: bytes) -> bytes:
        """An IRI as a prefixed name when Oxigraph would write one without an escape, else as it is; a blank
        node as it is."""
        match = self._namespace.match(node)
        if match is None:
            return node
        local = node[match.end():-1]
        if not local:
            return self._prefix[match.group()] + b":"
        if _PLAIN_ASCII.fullmatch(local):
            return self._prefix[match.group()] + b":" + local
        if _ESCAPED_ASCII.fullmatch(local):
            return node
        return self._any_name(node)

    def _any_name(self, node: bytes) -> bytes:
        """`_name` for any IRI: non-ASCII local names, and names invalid in one namespace but not in another."""
        for namespace, prefix in self._namespaces:
            if not node.startswith(namespace):
                continue
            try:
                local = node[len(namespace):-1].decode("utf-8")
            except UnicodeDecodeError as err:
                raise _Irregular from err
            if not local:
                return prefix + b":"
            if _PLAIN_LOCAL.fullmatch(local):
                return prefix + b":" + local.encode("utf-8")
            if _ESCAPED_LOCAL.fullmatch(local):
                return node
        return node


@contextmanager
def _contents(lines: IO[bytes]) -> Iterator[bytes | mmap.mmap]:
    """The whole text of `lines`, mapped from its file where it has one (no copy in memory)."""
    try:
        fileno = lines.fileno()
        size = os.fstat(fileno).st_size - lines.tell()
    except (AttributeError, OSError, io.UnsupportedOperation):
        yield lines.read()
        return
    if size <= 0:
        yield b""
        return
    with mmap.mmap(fileno, 0, access=mmap.ACCESS_READ) as mapped:
        start = lines.tell()
        yield mapped if start == 0 else mapped[start:]


def write_turtle(lines: IO[bytes], out: IO[bytes]) -> None:
    """Write sorted N-Triples `lines` to `out` as Turtle with the project's prefixes (`TurtleWriter`)."""
    TurtleWriter({prefix: str(namespace) for prefix, namespace in PREFIXES.items()}).write(lines, out)
