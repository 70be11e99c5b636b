"""Weapon systems the weapon list does not know, recognised by how they are written.

A name set beside a weapon noun is a system: before it in English ('Bradley Fighting Vehicles', 'Patriot
missiles', 'Copperhead artillery rounds'), after it in French ('chars Leclerc', 'missiles antichars HOT 2',
'véhicules blindés de type VAB MEPHISTO'). The name is its capitalised words and numbers; states,
organisations, titles and month names are never names, nor is a maker ('appareils de Dassault Aviation',
'Rheinmetall Defence'). The linking words ('de type', 'class') and a company's words are data.
"""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract.context import SentenceContext, lexicon, title_case
from kg.extract.dates import MONTHS
from kg.extract.entities import slug
from kg.extract.quantities import is_currency

_REACH = 3  # words between the noun and the name: adjectives, other weapon nouns, linking words


def _name_word(token: Token, taken: set[int], lang: str) -> bool:
    """A word of a system's name: capitalised or a number, not part of a state's or organisation's name."""
    if token.i in taken or not (token.is_title or token.is_upper or token.like_num and not token.is_alpha):
        return False
    if is_currency(token.text):
        return False
    if token.pos_ in ("DET", "PRON") or token.like_num and token.is_alpha:  # 'Three TC90 aircraft'
        return False  # '« Ces hélicoptères »': a capitalised determiner
    lower = token.lower_
    lex = lexicon(lang)
    return not (lower in lex["role_noun"] or lower.rstrip(".") in MONTHS or lower in lex["weapon_generic"])


def _run(tokens: list[Token], taken: set[int], lang: str) -> list[Token]:
    """The leading run of name words in `tokens`, which must hold a word with letters ('Leclerc', 'NH90', 'K2'),
    not numbers alone."""
    run = []
    for t in tokens:
        if not _name_word(t, taken, lang):
            break
        run.append(t)
    return run if any(len(t) > 1 and any(c.isalpha() for c in t.text) for t in run) else []


def named_weapons(ctx: SentenceContext) -> list[str]:
    """Items of a sentence named beside a weapon noun, as `weapon/<slug>` keys."""
    lex = lexicon(ctx.lang)
    doc, sent = ctx.sent.doc, ctx.sent
    taken = {i for p in ctx.placed if p.mention.type not in ("Person", "Place")  # 'hélicoptères Gazelle'
             for i in range(p.span.start, p.span.end)}
    weapon_words = lex["weapon_noun"]
    link = lex["weapon_name_link"]
    found: list[str] = []
    for noun in ctx.cues("weapon_noun"):
        if noun.lower_ in lex["weapon_generic"]:
            continue
        # the name after the noun: 'chars Leclerc', 'missiles antichars HOT 2', 'de type VAB MEPHISTO'
        j = noun.i + 1
        while j < sent.end and j - noun.i <= _REACH and (doc[j].lower_ in link or doc[j].lower_ in weapon_words
                                                          or doc[j].pos_ == "ADJ" and doc[j].is_lower
                                                          or doc[j].is_lower and doc[j - 1].lower_ in link):
            j += 1  # 'avions de surveillance ASC 890': a noun after a link word describes the kind
        after = _run(list(doc[j:min(sent.end, j + 4)]), taken, ctx.lang)
        if j > noun.i + 1 and doc[j - 1].lower_ in lex["maker_link"]:
            after = []  # 'appareils de Dassault Aviation': the name after a bare 'de' is the maker's
        # the name before it: 'Bradley Fighting Vehicles', 'Copperhead artillery rounds'
        k = noun.i - 1
        while k >= sent.start and noun.i - k <= _REACH and doc[k].is_lower and (
                doc[k].lower_ in weapon_words or doc[k].pos_ in ("NOUN", "ADJ")):
            k -= 1  # 'ASC 890 surveillance aircraft', 'Patriot air defence systems'
        before = list(reversed(_run(list(reversed(doc[max(sent.start, k - 3):k + 1])), taken, ctx.lang)))
        while before and not any(c.isalpha() for c in before[0].text):  # '827 Copperhead rounds': not the count
            before = before[1:]
        if before and before[0].i == sent.start and len(before) == 1 and not before[0].is_upper:
            before = []  # the capital of a sentence's first word is no name
        if title_case(sent):  # 'Japan Hands Over Patrol Vessels': in a headline every word is capitalised,
            before = []  # only a designator ('NH90', 'HOT 2') says a name
            after = after if any(any(c.isdigit() for c in t.text) or t.is_upper for t in after) else []
        systems = {i for w in ctx.weapons for i in range(w.span.start, w.span.end)}
        if before and before[0].i - 1 in systems:
            before = []  # 'Rafale Marine jets': a known system's variant, not another system
        for run in (after, before):
            if run and run[-1].lower_ not in lex["company_word"]:  # 'Saab Industries', 'Naval Group
                name = " ".join(t.text for t in run)
                if run is before and noun.is_title:
                    name = " ".join(t.text for t in doc[run[0].i:noun.i + 1])
                found.append(f"weapon/{slug(name)}")
    return list(dict.fromkeys(found))
