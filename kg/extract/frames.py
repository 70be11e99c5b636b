"""What the event readers ask of the parse around a trigger: the words coordinated with a noun and the
preposition that introduces it.

A trigger (a word of the lexicon) opens a frame; its roles are filled from the parse of its sentence (subject,
object, the obliques by their preposition, the passive agent), each conjunct of a list filling the role of the
first. The prepositions that give each role are data (`kg/data/lexicon.json`, lists `role_*`).
"""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract.context import first_conjunct, lexicon

# Universal Dependencies features (tags of the parse, not words): the future tense and the conditional mood.
_HYPOTHETICAL_FEATURES = (("Tense", "Fut"), ("Mood", "Cnd"))
ORDINAL_FEATURE = ("NumType", "Ord")
_CLAUSE_BOUNDARY = frozenset(",;:()[]—–")  # a hyphen joins a name, these end a clause
_CLAUSE_REACH = 15  # tokens back from a cue to the verb that governs its clause
SUBJECT_DEPS = frozenset({"nsubj", "nsubj:pass", "nsubjpass", "csubj"})


def conjuncts(token: Token) -> list[Token]:
    """The token and every word coordinated with it ('A, B and C' for any of them)."""
    first = token
    while first.dep_ == "conj" and first.head != first:
        first = first.head
    found = [first]
    stack = [first]
    while stack:
        for child in stack.pop().children:
            if child.dep_ == "conj" and child not in found:
                found.append(child)
                stack.append(child)
    return sorted(found, key=lambda t: t.i)


def preposition(token: Token) -> str | None:
    """The preposition that introduces a noun ('to' of 'to Poland', 'à' of 'à la Pologne'), lower-cased."""
    for child in token.children:
        if child.dep_ == "case":
            return child.lower_
    if token.dep_ == "pobj":
        return token.head.lower_
    return None


def modified(token: Token) -> Token:
    """The word a prepositional complement belongs to: 'venture' of 'a venture between India and Russia'."""
    token = first_conjunct(token)
    if token.dep_ == "pobj":
        return token.head.head
    return token.head


def _clause_words(token: Token) -> list[Token]:
    """The word, the verb it is the attribute or object of, and the verbs whose complement that one is ('could
    join', 'permettra … de devenir membre'): the words a negation or a modal hangs on."""
    while token.dep_ == "conj" and token.head != token:
        token = token.head  # 'parties au traité et membres de l'OTAN': the first conjunct carries the clause
    chain = [token]
    if token.dep_ in ("attr", "obj", "dobj", "xcomp", "acomp", "pobj", "obl", "nmod") and token.head != token:
        chain.append(token.head)
    while chain[-1].dep_ in ("xcomp", "ccomp") and chain[-1].head != chain[-1] and len(chain) < 4:
        chain.append(chain[-1].head)
    return chain


def has_feature(token: Token, feature: tuple[str, str]) -> bool:
    """Whether the parse gives the token a morphological feature, e.g. ("Tense", "Fut")."""
    name, value = feature
    return value in token.morph.get(name, [])


def reflexive(token: Token, lang: str) -> bool:
    """'s'offre', 'se doter', 'equips itself': the verb's object is its own subject."""
    words = lexicon(lang)["reflexive_pronoun"]
    return any(c.lower_ in words or c.lemma_.lower() in words for c in token.children if c.dep_ not in SUBJECT_DEPS)


def negated(token: Token, lang: str) -> bool:
    """'is not a member', 'n'est pas membre', 'without being part of': the clause of the word is denied."""
    words = lexicon(lang)["negation"]
    return any(c.lower_ in words for t in _clause_words(token)[:2] for c in t.children)


def hypothetical(token: Token, lang: str) -> bool:
    """'could join', 'will become', 'deviendraient un jour membres', 'permettra … de devenir membre': a clause in
    the future, the conditional or under a modal tells what may be, not what is. The parse's morphology is read
    first; the words before the cue in its clause, and the cue's own ending, cover what the small models miss."""
    lex = lexicon(lang)
    modal = lex["modal"]

    def marked(t: Token) -> bool:
        return t.lower_ in modal or any(has_feature(t, f) for f in _HYPOTHETICAL_FEATURES)

    if any(marked(t) or any(c.dep_.startswith("aux") and marked(c) for c in t.children)
           for t in _clause_words(token)):
        return True
    for t in reversed(token.doc[max(token.sent.start, token.i - _CLAUSE_REACH):token.i]):
        if t.text in _CLAUSE_BOUNDARY:
            break
        if marked(t):
            return True
    form = token.lower_
    return form != token.lemma_.lower() and any(form.endswith(e) for e in lex["hypothetical_ending"])
