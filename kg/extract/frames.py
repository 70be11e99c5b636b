"""What the event readers ask of the parse around a trigger: the words coordinated with a noun and the
preposition that introduces it.

A trigger (a word of the lexicon) opens a frame; its roles are filled from the parse of its sentence (subject,
object, the obliques by their preposition, the passive agent), each conjunct of a list filling the role of the
first. The prepositions that give each role are data (`kg/data/lexicon.json`, lists `role_*`).
"""

from __future__ import annotations

from spacy.tokens import Token

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
