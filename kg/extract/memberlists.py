"""Memberships written as lists: 'the 30 Allies, including A and B', 'huit pays de l'Alliance (A, B, …)',
'A, B and C, members of the bloc', 'the accession of A, B and C', the states signing an accession protocol.

Each state of the list is a member (or, for an accession, joins or applies). The organisation is the one the
phrase names, else the one the document last named: 'les États membres (A, B)' after the Union was named,
'plusieurs pays alliés, dont A' after an alliance was. The words are data (`kg/data/lexicon.json`): member nouns,
ally nouns, country nouns, accession nouns, list introducers, instruments of accession, signing verbs.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from kg.extract.context import ORG_TYPES, STATE_TYPES, Placed, SentenceContext, lexicon
from kg.extract.frames import ORDINAL_FEATURE, SUBJECT_DEPS, conjuncts, has_feature, hypothetical, negated
from kg.extract.records import MembershipFact

_PHRASE_REACH = 12  # tokens from the list introducer back to the member noun ('les États membres qui … sont :')
_AFTER_REACH = 6  # tokens from the end of a list to a member noun written after it


def _skip_back(doc_span: Span, i: int, glue: frozenset[str]) -> int:
    """The position before `i` once determiners and prepositions ('de la', 'the') are skipped."""
    j = i - 1
    while j >= doc_span.start and doc_span.doc[j].lower_ in glue:
        j -= 1
    return j


def _glue(lang: str) -> frozenset[str]:
    lex = lexicon(lang)
    return lex["list_glue"] | lex["list_determiner"] | lex["state_form"]


def _org_near(orgs: list[tuple[str, int]], start: int, end: int) -> str | None:
    """The organisation named between two token positions (inclusive), the last one if several."""
    inside = [(i, o) for o, i in orgs if start <= i <= end]
    return max(inside)[1] if inside else None


def _noun_class(token: Token, lang: str) -> str | None:
    lex = lexicon(lang)
    forms = {token.lower_, token.lemma_.lower()}
    for name in ("member_noun", "ally_noun", "country_noun"):
        if forms & lex[name]:
            return name
    return None


def _default_org(kind: str, last_org: str | None, last_alliance: str | None) -> str | None:
    """The organisation a phrase without one speaks of: allies belong to the alliance, members to the last
    organisation named; 'countries' alone belong to nothing."""
    if kind == "ally_noun":
        return last_alliance
    if kind == "member_noun":
        return last_org
    return None


def _introduced(ctx: SentenceContext, group: list[Placed], orgs: list[tuple[str, int]],
                last_org: str | None, last_alliance: str | None) -> str | None:
    """The organisation of 'ORG allies like A', 'pays de l'Alliance (A, B)', 'member states: A, B'."""
    sent = ctx.sent
    doc = sent.doc
    lex = lexicon(ctx.lang)
    j = _skip_back(sent, group[0].span.start, _glue(ctx.lang))
    if j < sent.start:
        return None
    intro = doc[j]
    direct = _noun_class(intro, ctx.lang)
    if direct in ("member_noun", "ally_noun") and intro.i == group[0].span.start - 1:
        # 'NATO ally Greece', 'fellow members Poland and Romania': the noun right before the list
        return _org_near(orgs, max(sent.start, j - 3), j) or _default_org(direct, last_org, last_alliance)
    phrases = [p for p in lex["list_intro"] if " " in p]
    text_before = doc[max(sent.start, j - 2):j + 1].text.lower()
    if intro.lower_ not in lex["list_intro"] and not any(text_before.endswith(p) for p in phrases):
        return None
    before = [p for p in ctx.of_types(ORG_TYPES) if p.span.end == j or p.span.end == j - 1 and doc[j - 1].text == ")"]
    if before and intro.is_punct and (intro.text != ":" or _of_organisation(before[0], ctx)):
        return before[0].entity  # 'the BRICS -- A, B and C --', 'l'OCS (A, B, C)': the organisation's own members
    return _phrase_org(ctx, j, orgs, last_org, last_alliance)


def _of_organisation(org: Placed, ctx: SentenceContext) -> bool:
    """'les marines de la CEEAC : A, B et C': a list after a colon belongs to an organisation named as whose
    (not 'OTAN : A et B signent', a headline's topic)."""
    doc = ctx.sent.doc
    if doc[org.span.start - 1].text == "(":  # 'de la Communauté … (CEEAC) :': the name before its abbreviation
        org = next((p for p in ctx.of_types(ORG_TYPES) if p.span.end == org.span.start - 1), org)
    k = _skip_back(ctx.sent, org.span.start, lexicon(ctx.lang)["list_determiner"] - lexicon(ctx.lang)["genitive_prep"])
    return k >= ctx.sent.start and doc[k].lower_ in lexicon(ctx.lang)["genitive_prep"]


def _phrase_org(ctx: SentenceContext, j: int, orgs: list[tuple[str, int]], last_org: str | None,
                last_alliance: str | None) -> str | None:
    """The organisation of the member phrase ending at the list introducer at token `j`."""
    sent = ctx.sent
    doc = sent.doc
    outsiders = lexicon(ctx.lang)["non_member_noun"] | lexicon(ctx.lang)["negation"]
    candidates = lexicon(ctx.lang)["candidate_noun"]
    for k in range(j - 1, max(sent.start, j - _PHRASE_REACH) - 1, -1):
        if doc[k].lower_ in candidates:  # 'candidates for EU membership include A': they apply (`_candidates`)
            return _org_near(orgs, max(sent.start, k - 3), j) or last_org
        if doc[k].lower_ in outsiders or doc[k].lemma_.lower() in outsiders:
            return None  # 'Allies and partners, including Finland', 'not part of the alliance, such as Austria'
        kind = _noun_class(doc[k], ctx.lang)
        if kind is None:
            continue
        if any(t.lower_ in outsiders for t in doc[max(sent.start, k - 3):k]):
            return None  # 'des pays qui ne sont pas membres de l'OTAN, comme A'
        if kind == "country_noun":  # 'member states', 'États membres', 'pays alliés'
            beside = [_noun_class(t, ctx.lang) for t in doc[max(sent.start, k - 1):min(j, k + 2)]]
            kind = next((c for c in ("member_noun", "ally_noun") if c in beside), kind)
        org = _org_near(orgs, max(sent.start, k - 3), j)
        return org or _default_org(kind, last_org, last_alliance)
    return None


def _postposed(ctx: SentenceContext, group: list[Placed], orgs: list[tuple[str, int]],
               last_org: str | None, last_alliance: str | None) -> str | None:
    """The organisation of 'A, B and C, members of ORG' or 'A et B, tous deux membres de l'ORG'."""
    sent = ctx.sent
    doc = sent.doc
    end = group[-1].span.end
    if end >= sent.end or doc[end].text not in (",", "("):
        return None
    for k in range(end + 1, min(sent.end, end + _AFTER_REACH)):
        if doc[k].lower_ in lexicon(ctx.lang)["negation"]:
            return None  # 'A, which is not a member of the bloc'
        kind = _noun_class(doc[k], ctx.lang)
        if kind in ("member_noun", "ally_noun"):
            org = _org_near(orgs, max(end, k - 2), min(sent.end - 1, k + 4))
            return org or _default_org(kind, last_org, last_alliance)
        if doc[k].pos_ == "VERB":
            return None
    return None


def _candidates(ctx: SentenceContext, group: list[Placed]) -> bool:
    """'candidates for EU membership include A, B and C', 'les pays candidats (A, B)': the list applies."""
    doc, words = ctx.sent.doc, lexicon(ctx.lang)["candidate_noun"]
    return any(t.lower_ in words for t in doc[max(ctx.sent.start, group[0].span.start - _PHRASE_REACH):
                                                 group[0].span.start])


def _accession(ctx: SentenceContext, group: list[Placed], orgs: list[tuple[str, int]],
               last_org: str | None) -> tuple[str, str] | None:
    """'the accession of A, B and C', 'les protocoles sur l'adhésion de A et B': (organisation, kind)."""
    lex = lexicon(ctx.lang)
    doc = ctx.sent.doc
    j = _skip_back(ctx.sent, group[0].span.start, _glue(ctx.lang))
    if j < ctx.sent.start or not {doc[j].lower_, doc[j].lemma_.lower()} & lex["accession_noun"]:
        return None
    org = min(((abs(i - j), o) for o, i in orgs), default=(0, last_org))[1]
    if org is None:
        return None
    before = {t.lower_ for t in doc[max(ctx.sent.start, j - 4):j]}  # 'son veto à l'adhésion de A'
    pending = bool(ctx.cues("accession_instrument")) or bool(before & lex["accession_obstacle"])
    return org, "applied" if pending else "joined"


def _signers(ctx: SentenceContext, orgs: list[tuple[str, int]], last_org: str | None) -> list[tuple[Placed, str]]:
    """The states signing or ratifying an instrument of accession are members already."""
    instruments = ctx.cues("accession_instrument") + [t for t in ctx.sent if {t.lower_, t.lemma_.lower()}
                                                      & lexicon(ctx.lang)["accession_noun"]]
    if not instruments:
        return []
    org = min(((abs(i - instruments[0].i), o) for o, i in orgs), default=(0, last_org))[1]
    if org is None:
        return []
    found = []
    for verb in ctx.cues("sign_verb"):
        if not any(t in verb.subtree for t in instruments):
            continue
        subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
        tokens = [t for s in subjects for t in conjuncts(s)]
        # the state itself, or the body it qualifies ('le Parlement hongrois', 'the Turkish parliament')
        found += [(p, org) for p in ctx.of_types(STATE_TYPES)
                  if any(p.span.start <= t.i < p.span.end for t in tokens)
                  or p.root.dep_ in ("amod", "compound", "nmod", "poss") and p.root.head in tokens]
    return found


def _line_list(ctx: SentenceContext, following: list[SentenceContext]) -> list[Placed]:
    """The states of a list written on the lines after a sentence ending in a colon: lines that hold states and
    nothing else but punctuation and small words ('- Germany;', 'la Belgique, la Bulgarie,')."""
    if not ctx.text.rstrip().endswith(":"):
        return []
    glue = _glue(ctx.lang)
    found: list[Placed] = []
    for line in following:
        states = line.of_types(STATE_TYPES, named_only=True)
        inside = {i for p in states for i in range(p.span.start, p.span.end)}
        rest = [t for t in line.sent if t.i not in inside and not t.is_punct and not t.is_space
                and t.lower_ not in glue]
        if not states or rest:
            break
        found += states
    return found


def _ordinal(token: Token, lang: str) -> bool:
    """'32nd', '31st', '32e', '1er': a number with an ordinal ending (not 'the last', which ranks no accession)."""
    text = token.lower_
    digits = len(text) - len(text.lstrip("0123456789"))
    return has_feature(token, ORDINAL_FEATURE) and digits > 0 or 0 < digits < len(text) and (
        text[digits:] in lexicon(lang)["ordinal_suffix"])


def _ranked(ctx: SentenceContext, orgs: list[tuple[str, int]], last_org: str | None,
            last_alliance: str | None) -> list[MembershipFact]:
    """'Sweden became the 32nd member', '…, et la Suède le 32e État membre': a state given a rank among the
    members joined (is a member when no word of joining is in the sentence, applies when the joining is to come)."""
    sent, doc = ctx.sent, ctx.sent.doc
    joins = ctx.cues("membership_join")
    if joins and negated(joins[0], ctx.lang):
        return []
    kind = "member" if not joins else "applied" if hypothetical(joins[0], ctx.lang) else "joined"
    found = []
    ends = {p.entity: group[-1].span.end for group in ctx.groups for p in group}  # a list shares its clause
    for p in ctx.of_types(STATE_TYPES, named_only=True):
        end = max(p.span.end, ends.get(p.entity, p.span.end))
        window = doc[end:min(sent.end, end + 4)]
        rank = next((t for t in window if _ordinal(t, ctx.lang)), None)
        if rank is None and not orgs and joins:
            rank = next((t for t in window if t in joins), None)  # 'A et B sont devenus membres permanents'
        if rank is None:
            continue
        noun = next((t for t in doc[rank.i + 1:min(sent.end, rank.i + 3)]
                     if _noun_class(t, ctx.lang) in ("member_noun", "ally_noun")), None)
        if noun is None:
            continue
        cls = _noun_class(noun, ctx.lang) or "member_noun"
        org = _org_near(orgs, noun.i, min(sent.end - 1, noun.i + 4)) or _default_org(cls, last_org, last_alliance)
        if org is not None:
            found.append(MembershipFact(p.entity, org, kind, next((d.value for d in ctx.dates), None),
                                        ctx.evidence("membership-rank", 0.7)))
    return found


def _apposed(ctx: SentenceContext, group: list[Placed]) -> str | None:
    """'The BRICS, Brazil, Russia, India, China and South Africa, agreed …': a list set between commas right after
    an organisation's name, as its apposition, spells out its members."""
    doc = ctx.sent.doc
    start, end = group[0].span.start, group[-1].span.end
    if start - 2 < ctx.sent.start or doc[start - 1].text != "," or end >= ctx.sent.end or doc[end].text != ",":
        return None
    before = [p for p in ctx.of_types(ORG_TYPES) if p.span.end == start - 1]
    if not before:
        return None
    apposed = group[0].root.dep_ == "appos" and group[0].root.head.i in range(*_bounds(before[0]))
    verb = doc[end + 1] if end + 1 < ctx.sent.end else None  # 'The Mercosur, A, B and C, met': then its verb
    acts = verb is not None and verb.pos_ in ("VERB", "AUX") and before[0].root.head == verb
    return before[0].entity if apposed or acts else None


def _bounds(p: Placed) -> tuple[int, int]:
    return p.span.start, p.span.end


def list_memberships(ctx: SentenceContext, orgs: list[tuple[str, int]], last_org: str | None,
                     last_alliance: str | None, following: list[SentenceContext]) -> list[MembershipFact]:
    """Membership facts of one sentence's lists of states (and of a list on the lines after it)."""
    found: list[MembershipFact] = []
    date = next((d.value for d in ctx.dates), None)
    lines = _line_list(ctx, following)
    if lines:
        colon = ctx.sent.end - 1
        while colon > ctx.sent.start and ctx.sent.doc[colon].text != ":":
            colon -= 1
        org = _phrase_org(ctx, colon, orgs, last_org, last_alliance)
        if org is not None:
            found += [MembershipFact(p.entity, org, "member", None, ctx.evidence("membership-line-list", 0.7))
                      for p in lines]
    for group in ctx.groups:
        named = [p for p in group if p.mention.named]
        if not named:
            continue
        accession = _accession(ctx, named, orgs, last_org)
        if accession is not None:
            org, kind = accession
            found += [MembershipFact(p.entity, org, kind, date, ctx.evidence("membership-accession-list", 0.75))
                      for p in named]
            continue
        org = (_introduced(ctx, named, orgs, last_org, last_alliance)
               or _postposed(ctx, named, orgs, last_org, last_alliance) or _apposed(ctx, named))
        if org is not None:
            kind = "applied" if _candidates(ctx, named) else "member"
            found += [MembershipFact(p.entity, org, kind, None, ctx.evidence("membership-list", 0.7))
                      for p in named]
    found += _ranked(ctx, orgs, last_org, last_alliance)
    for p, org in _signers(ctx, orgs, last_org):
        found.append(MembershipFact(p.entity, org, "member", None, ctx.evidence("membership-signer", 0.65)))
    return found
