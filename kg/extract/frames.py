"""Role filling shared by the event readers: the arguments of a trigger word, every conjunct of a list.

A trigger (a word of the lexicon) opens a frame; its roles are filled from the parse of its sentence: the
subject, the object, the obliques with their preposition, the passive agent; each conjunct of a coordinated
list fills the role its first conjunct has. The prepositions that mark each role are data
(`kg/data/lexicon.json`, lists `role_*`), so that a language is a data change.
"""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract.context import Placed, SentenceContext, lexicon

SUBJECT_DEPS = frozenset({"nsubj", "nsubj:pass", "nsubjpass", "csubj"})
OBJECT_DEPS = frozenset({"obj", "dobj", "iobj"})
AGENT_DEPS = frozenset({"agent", "obl:agent"})


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


def role_of(token: Token, trigger: Token, lang: str) -> str | None:
    """How a noun depends on a trigger word: 'subject', 'object', 'agent', or 'prep:<preposition>'.

    The token's first conjunct carries the relation; English attaches obliques through a preposition token
    ('delivered to Poland': Poland ← to ← delivered), French through a `case` child ('livré à la Pologne').
    """
    head = conjuncts(token)[0]
    prep = preposition(head)
    agent_words = lexicon(lang)["role_agent"]
    if head.dep_ == "pobj":
        governor = head.head.head
        if governor != trigger:
            return None
        return "agent" if head.head.dep_ == "agent" or prep in agent_words else f"prep:{prep}"
    if head.head != trigger:
        return None
    if head.dep_ in SUBJECT_DEPS:
        return "subject"
    if head.dep_ in AGENT_DEPS or (prep in agent_words and head.dep_.startswith("obl")):
        return "agent"
    if head.dep_ in OBJECT_DEPS and prep is None:
        return "object"
    if prep:
        return f"prep:{prep}"
    return None


def placed_of(tokens: list[Token], placed: list[Placed]) -> list[Placed]:
    """The mentions whose span holds one of the tokens, in text order."""
    wanted = {t.i for t in tokens}
    return [p for p in placed if any(p.span.start <= i < p.span.end for i in wanted)]


def list_members(ctx: SentenceContext, p: Placed) -> list[Placed]:
    """The written list a mention belongs to ('A, B et C'), or the mention alone."""
    for group in ctx.groups:
        if p in group:
            return group
    return [p]
