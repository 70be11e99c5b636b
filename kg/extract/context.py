"""What every event rule needs to know about a sentence: its mentions, lists of states, cues and dates."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache, cached_property

from spacy.tokens import Doc, Span, Token

from kg.extract.dates import DateMention, find_dates  # noqa: F401
from kg.extract.gazetteer import DATA_DIR, load_gazetteer
from kg.extract.literals import longest_literal
from kg.extract.records import Evidence, Mention

STATE_TYPES = frozenset({"State"})
ORG_TYPES = frozenset({"Organisation", "MilitaryAlliance"})


_TEXT = "kg.text"


def text_of(doc: Doc) -> str:
    """The text of `doc`, read once by `index_sentences` (spaCy joins every token's text again on each `doc.text`)."""
    text = doc.user_data.get(_TEXT)
    return text if isinstance(text, str) else doc.text


def sentence_text(sent: Span) -> str:
    """The text of a sentence (or any span), cut from the document's text."""
    return text_of(sent.doc)[sent.start_char:sent.end_char]


def index_sentences(doc: Doc) -> list[Span]:
    """Compute the sentences of `doc` once and answer `doc.sents`, `span.sent` and `token.sent` from them.

    Without this spaCy recomputes the sentences on each of these calls, creating a Python object for every
    token of the document each time: the rules ask thousands of times per article, which cost more than the
    parser itself. The hooks are spaCy's own extension points (`Doc.user_hooks` and friends).
    """
    doc.user_data[_TEXT] = doc.text
    sents = list(doc.sents) if len(doc) else []
    if not sents:
        return sents
    of_token = [0] * len(doc)
    for n, sent in enumerate(sents):
        of_token[sent.start:sent.end] = [n] * (sent.end - sent.start)
    doc.user_hooks["sents"] = lambda _doc: iter(sents)
    doc.user_span_hooks["sent"] = lambda span: sents[of_token[span.start]] if len(span) else sents[0]
    doc.user_token_hooks["sent"] = lambda token: sents[of_token[token.i]]
    return sents


@dataclass(frozen=True)
class Lexicon:
    """Trigger words of one language (kg/data/lexicon.json)."""

    words: dict[str, frozenset[str]]

    def __getitem__(self, name: str) -> frozenset[str]:
        return self.words.get(name, frozenset())


@cache
def _languages() -> dict[str, dict[str, list[str]]]:
    """The lexicon's lists per language, as written in kg/data/lexicon.json."""
    raw = json.loads((DATA_DIR / "lexicon.json").read_text(encoding="utf-8"))
    return {lang: entry for lang, entry in raw.items() if not lang.startswith("_")}


@cache
def lexicon(lang: str) -> Lexicon:
    """The trigger lexicon for `lang`; English for languages without one."""
    languages = _languages()
    entry = languages.get(lang) or languages["en"]
    return Lexicon({k: frozenset(w.lower() for w in v) for k, v in entry.items()})


def languages() -> tuple[str, ...]:
    """The languages the lexicon has words for."""
    return tuple(_languages())


@cache
def every_language(name: str) -> frozenset[str]:
    """The lexicon list `name` of every language together, lower-cased.

    For the rules that read words whatever the article's language: names and the words around them are written
    in either language in an article ('Sea of Japan' quoted in a French text, 'M.' before a name in English)."""
    return frozenset().union(*(lexicon(lang)[name] for lang in languages()))


def capitalised(words: Iterable[str]) -> list[str]:
    """The words with a capital initial, as they begin a name ('Union', 'Traité') or stand for a title ('Mme')."""
    return sorted(w[:1].upper() + w[1:] for w in words)


def entry_pattern(words: Iterable[str]) -> str:
    """Regex source for any of the lexicon entries `words`, longest first; a trailing '*' stands for any ending
    ('minist*': ministère, ministry, ministries), spaces for one space. Wrap it in the boundaries wanted."""
    ordered = sorted(words, key=lambda w: (-len(w), w))
    if not ordered:
        return "(?!)"  # matches nothing, as an empty list should
    return "(?:" + "|".join(re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in ordered) + ")"


@dataclass(frozen=True)
class Placed:
    """A mention with its tokens in the sentence."""

    mention: Mention
    span: Span

    @property
    def root(self) -> Token:
        return self.span.root

    @property
    def entity(self) -> str:
        return self.mention.entity


@dataclass
class SentenceContext:
    """One sentence with the mentions, state lists and dates found in it."""

    index: int
    sent: Span
    lang: str
    placed: list[Placed]
    dates: list[DateMention]
    groups: list[list[Placed]] = field(default_factory=list)
    _cues: dict[str, list[Token]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def text(self) -> str:
        return sentence_text(self.sent)

    @cached_property
    def lowered(self) -> str:
        """The sentence in lower case, where the lexicon's phrases are looked for."""
        return self.text.lower()

    @cached_property
    def _forms(self) -> dict[str, list[int]]:
        """Positions of the tokens by lower-cased form and by lemma, read once: the rules look up many cue lists
        (about a hundred per article), most of which have no word in the sentence."""
        forms: dict[str, list[int]] = {}
        former = tuple(lexicon(self.lang)["former_prefix"])
        for t in self.sent:
            lower, lemma = t.lower_, t.lemma_.lower()
            forms.setdefault(lower, []).append(t.i)
            if lemma != lower:
                forms.setdefault(lemma, []).append(t.i)
            if lower.startswith(former):  # 'ex-frégates': frigates all the same
                forms.setdefault(lower.partition("-")[2], []).append(t.i)
        return forms

    def of_types(self, types: frozenset[str], *, named_only: bool = False) -> list[Placed]:
        return [p for p in self.placed if p.mention.type in types and (p.mention.named or not named_only)]

    @property
    def weapons(self) -> list[Placed]:
        return [p for p in self.placed if p.mention.type == "WeaponSystem"]

    def cues(self, name: str) -> list[Token]:
        """Tokens of the sentence whose form or lemma is in the lexicon list `name`.

        Multi-word entries ("war games", "took delivery") are found in the text; their first token is the cue.
        """
        if name not in self._cues:
            self._cues[name] = self._find_cues(name)
        return list(self._cues[name])

    def _find_cues(self, name: str) -> list[Token]:
        forms = self._forms
        found = {i for word in forms.keys() & lexicon(self.lang)[name] for i in forms[word]}
        pattern = _phrase_starts(self.lang, name)
        if pattern is not None and any(phrase in self.lowered for phrase in _phrases(self.lang, name)):
            for m in pattern.finditer(self.lowered):
                span = self.sent.doc.char_span(self.sent.start_char + m.start(1), self.sent.start_char + m.end(1),
                                               alignment_mode="expand")
                if span is not None:
                    found.add(span.start)
        found |= self._split_phrasal_verbs(name)
        doc = self.sent.doc
        return [doc[i] for i in sorted(found)]

    def _split_phrasal_verbs(self, name: str) -> set[int]:
        """'hand them over' for the entry 'hand over': a verb whose particle the parse attaches apart."""
        found = set()
        for phrase in _phrases(self.lang, name):
            verb, _, particle = phrase.partition(" ")
            if " " in particle or particle not in self._forms:
                continue
            found |= {t.head.i for i in self._forms[particle] if (t := self.sent.doc[i]).dep_ == "prt"
                      and (t.head.lemma_.lower() == verb or t.head.lower_ == verb)}
        return found

    def has_phrase(self, name: str) -> bool:
        pattern = _any_entry(self.lang, name)
        return pattern is not None and pattern.search(self.lowered) is not None

    def evidence(self, rule: str, confidence: float, start: int | None = None, end: int | None = None) -> Evidence:
        return Evidence(sentence=self.text, start=self.sent.start_char if start is None else start,
                        end=self.sent.end_char if end is None else end, rule=rule, confidence=confidence)


@cache
def _phrases(lang: str, name: str) -> list[str]:
    """The multi-word entries of the lexicon list `name`, longest first."""
    return sorted((w for w in lexicon(lang)[name] if " " in w), key=lambda w: (-len(w), w))


@cache
def _phrase_starts(lang: str, name: str) -> re.Pattern[str] | None:
    """Where a multi-word entry of the lexicon list `name` starts (a lookahead, so that entries may overlap)."""
    phrases = _phrases(lang, name)
    if not phrases:
        return None
    return re.compile(rf"(?<!\w)(?=({longest_literal(phrases)})(?!\w))")


@cache
def _any_entry(lang: str, name: str) -> re.Pattern[str] | None:
    """Any entry of the lexicon list `name` as a whole word or phrase."""
    words = sorted(lexicon(lang)[name], key=lambda w: (-len(w), w))
    if not words:
        return None
    return re.compile(rf"(?<!\w)(?:{longest_literal(words)})(?!\w)")


def token_gap(a: Span | Token, b: Span | Token) -> int:
    """Number of tokens between two spans (0 when adjacent or overlapping)."""
    a_start, a_end = (a.i, a.i + 1) if isinstance(a, Token) else (a.start, a.end)
    b_start, b_end = (b.i, b.i + 1) if isinstance(b, Token) else (b.start, b.end)
    if a_end <= b_start:
        return b_start - a_end
    if b_end <= a_start:
        return a_start - b_end
    return 0


def first_conjunct(token: Token) -> Token:
    """The first word of the list `token` is in ('Finland' for 'Sweden' in 'Finland and Sweden'): the one the
    parser attaches the list's role to."""
    while token.dep_ == "conj" and token.head != token:
        token = token.head
    return token


def head_lemma(p: Placed) -> str:
    """The lemma of the word a mention hangs on ('forces' in 'forces russes')."""
    root = first_conjunct(p.root)
    head = root.head
    return head.lemma_.lower() if head != root else ""


def title_case(sent: Span) -> bool:
    """A headline written in title case ('Japan Hands Over Patrol Vessels'), where capitals name nothing."""
    words = [t for t in sent if t.is_alpha and len(t) > 3]
    return len(words) >= 3 and sum(t.is_title or t.is_upper for t in words) >= 0.8 * len(words)


def left_words(p: Placed | list[Placed], n: int = 3) -> list[str]:
    """The `n` words before a mention or a list of mentions, lower-cased."""
    span = p[0].span if isinstance(p, list) else p.span
    doc = span.doc
    sent_start = span.sent.start
    return [t.lower_ for t in doc[max(sent_start, span.start - n):span.start]]


@cache
def _list_glue(lang: str) -> re.Pattern[str]:
    """What may stand between two states of a written list: commas, a conjunction, determiners and prepositions,
    the nouns of official names ('de la République d'', 'and the Kingdom of'), and a name left unlinked because
    it is ambiguous ('Congo')."""
    lex = lexicon(lang)
    conj = longest_literal((), lex["list_conj"])
    glue = longest_literal((), lex["list_determiner"] | lex["state_form"])
    link = rf"[\s,()]*(?:(?:{conj})\s+)?(?:(?:{glue})(?:\s+|(?<=')))*"  # 'la République du Congo (RDC), …'
    ambiguous = sorted(load_gazetteer().ambiguous.get(lang, ()))
    if not ambiguous:
        return re.compile(rf"^{link}$", re.I)
    skipped = rf"(?:{link}{longest_literal(ambiguous)}(?!\w))*"  # 'Angola, Congo, Gabon': one list
    return re.compile(rf"^{skipped}{link}$", re.I)


def joins_a_list(between: str, lang: str) -> bool:
    """Whether `between` is what stands between two states of a written list (', ', ' et la ', ' and the ')."""
    return bool(_list_glue(lang).match(between)) and ("," in between or bool(between.strip()))


_ASIDE = re.compile(r"\[[^\[\]]*\]|\([^()]*\)")  # 'Chili [observateur], France (FANC), …': a note on one item


def _note_after(p: Placed) -> re.Match[str] | None:
    """The bracketed note written right after a mention ('Chile [observer]'), if any."""
    text = text_of(p.span.doc)
    return _ASIDE.match(text, p.span.end_char + (text[p.span.end_char:p.span.end_char + 1] == " "))


def aside_after(p: Placed) -> str:
    """The note right after a mention, lower-cased, without its brackets; empty if none."""
    m = _note_after(p)
    return m.group(0)[1:-1].lower() if m else ""


def _in_note_after(item: Placed, p: Placed) -> bool:
    """Whether `p` is inside the bracketed note written right after `item`."""
    m = _note_after(item)
    return m is not None and m.start() < p.span.start_char < m.end()


def _group(placed: list[Placed], text: str, lang: str) -> list[list[Placed]]:
    """Lists of states written as lists ('la Russie, la Chine et le Kazakhstan'); `text` is the document's."""
    groups: list[list[Placed]] = []
    glue = _list_glue(lang)
    for p in placed:
        if groups and _in_note_after(groups[-1][-1], p):
            continue  # 'the United States [ships based in Spain], …': a place in a note on the list's item
        if groups:
            last = groups[-1][-1]
            between = _ASIDE.sub("", text[last.span.end_char:p.span.start_char])
            if last.span.end_char <= p.span.start_char and glue.match(between):
                groups[-1].append(p)
                continue
        groups.append([p])
    return groups


def sentence_contexts(doc: Doc, mentions: list[Mention], lang: str, anchor: dt.date | None) -> list[SentenceContext]:
    """Split `doc` into sentence contexts, placing each mention in its sentence."""
    contexts = []
    text = text_of(doc)
    ordered = sorted(mentions, key=lambda m: m.evidence.start)
    cursor = 0
    for index, sent in enumerate(doc.sents):
        placed = []
        while cursor < len(ordered) and ordered[cursor].evidence.start < sent.end_char:
            m = ordered[cursor]
            span = doc.char_span(m.evidence.start, m.evidence.end, alignment_mode="expand")
            if span is not None and len(span):
                placed.append(Placed(m, span))
            cursor += 1
        dates = [replace(d, start=d.start + sent.start_char, end=d.end + sent.start_char)
                 for d in find_dates(text[sent.start_char:sent.end_char], anchor=anchor)]
        ctx = SentenceContext(index, sent, lang, placed, dates)
        ctx.groups = _group(ctx.of_types(STATE_TYPES), text, lang)
        contexts.append(ctx)
    return contexts
