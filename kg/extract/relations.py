"""Memberships (joined, member, applied, left) and rivalries between states.

Both are read near a cue word: the state list nearest to "a rejoint", "accession", "membres de", "rivales",
within a few tokens, with the organisation close by. Distances are in tokens on purpose: the small models'
parses of long enumerations are unreliable, their word order is not.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Token

from kg.extract.context import (
    ORG_TYPES,
    STATE_TYPES,
    Lexicon,
    Placed,
    SentenceContext,
    entry_pattern,
    every_language,
    first_conjunct,
    lexicon,
    text_of,
    token_gap,
)
from kg.extract.frames import conjuncts, hypothetical, negated, preposition
from kg.extract.memberlists import list_memberships
from kg.extract.quantities import count_value
from kg.extract.records import MembershipFact, Rivalry

_KINDS = ("expelled", "suspended", "left", "applied", "joined", "member")
_CUE_LISTS = {"expelled": "membership_expel", "suspended": "membership_suspend", "left": "membership_leave",
              "applied": "membership_apply", "joined": "membership_join", "member": "membership_member"}


@cache
def _war_phrase() -> re.Pattern[str]:
    """'at war', 'guerre contre': the war noun said of two sides, in any language's words as the rules always read."""
    return re.compile(rf"\b{entry_pattern(every_language('war_phrase'))}\b", re.I)


def _organisations(ctx: SentenceContext, last_alliance: str | None, last_org: str | None
                   ) -> list[tuple[str, int]]:
    """Organisations of a sentence with a token position.

    'the Alliance' is the last alliance named; 'l'organisation', 'the bloc' the last organisation named;
    a pronoun object of a joining verb ("l'avaient rejointe") the last organisation too.
    """
    orgs = [(p.entity, p.span.start) for p in ctx.of_types(ORG_TYPES)]
    named = {i for _, i in orgs}
    lowered = ctx.lowered
    for phrase in lexicon(ctx.lang)["org_anaphor"]:
        if phrase not in lowered:
            continue  # most sentences have none: no need to search for the phrase as a word
        for m in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", lowered):
            span = ctx.sent.doc.char_span(ctx.sent.start_char + m.start(), ctx.sent.start_char + m.end(),
                                          alignment_mode="expand")
            if span is None:
                continue
            # the organisation named earlier in the sentence, else the last one named before it
            earlier = [p for p in ctx.of_types(ORG_TYPES) if p.span.end <= span.start]
            alliances = [p for p in earlier if p.mention.type == "MilitaryAlliance"]
            if phrase in lexicon(ctx.lang)["alliance_anaphor"]:
                target = alliances[-1].entity if alliances else last_alliance
            else:
                target = earlier[-1].entity if earlier else last_org
            if span is not None and target and not any(span.start <= i < span.end for i in named):
                orgs.append((target, span.end - 1))
    if last_org:
        for cue in ctx.cues("membership_join"):
            if any(c.pos_ == "PRON" and c.dep_ in ("obj", "dobj", "iobj") for c in cue.children):
                orgs.append((last_org, cue.i + 1))
        if not orgs:
            orgs += _implied_organisation(ctx, last_org)
        pronouns = lexicon(ctx.lang)["pronoun_subject"]
        for cue in ctx.cues("membership_member"):  # 'Elle regroupait six pays', 'It comprises ten states'
            if cue.pos_ in ("VERB", "AUX") and any(c.dep_.startswith("nsubj") and c.lower_ in pronouns
                                                   for c in cue.children):
                orgs.append((last_org, cue.i))
    return orgs


def _candidate_status(ctx: SentenceContext, org: str) -> list[tuple[str, int]]:
    """'granted candidate status to A and B': candidates are an organisation's, `org` when the sentence names
    none."""
    words = lexicon(ctx.lang)["candidate_noun"]
    return [(org, cue.i + 1) for cue in ctx.cues("membership_apply")
            if cue.lower_ in words or cue.lemma_.lower() in words][:1]


def _implied_organisation(ctx: SentenceContext, last_org: str) -> list[tuple[str, int]]:
    """'Saudi Arabia has been invited to join', 'A, B and C have applied for membership': a verb of joining or
    applying with no object but membership itself, in a sentence naming no organisation, is about the last one
    named."""
    lex = lexicon(ctx.lang)
    membership = lex["member_noun"] | lex["accession_noun"] | lex["accession_document"]
    candidates = _candidate_status(ctx, last_org)
    if candidates:
        return candidates
    for cue in ctx.cues("membership_join") + ctx.cues("membership_apply"):
        if cue.pos_ != "VERB":
            continue
        arguments = [t for c in cue.children for t in ((c, *c.children) if c.dep_ == "prep" else (c,))]
        objects = [t for t in arguments
                   if t.dep_ in ("obj", "dobj", "pobj", "obl", "obl:arg") and t.pos_ in ("NOUN", "PROPN")]
        if all(t.lemma_.lower() in membership or t.lower_ in membership for t in objects):
            return [(last_org, cue.i + 1)]
    return []


def _nearest_group(ctx: SentenceContext, cue: Token, window: int) -> list[Placed]:
    """The list of named states nearest to the cue; a list introduced by 'including', ':' or a dash after the
    cue may start further away ('nine NATO member states in Central Europe - the Czech Republic, …')."""
    named_groups = [[p for p in g if p.mention.named] for g in ctx.groups]
    intro = lexicon(ctx.lang)["list_intro"]

    def reach(g: list[Placed]) -> int:
        between = ctx.sent.doc[cue.i + 1:g[0].span.start].text.lower() if g[0].span.start > cue.i else ""
        introduced = any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)" if w[0].isalpha() else re.escape(w), between)
                         for w in intro)
        return window + 8 if introduced else window

    scored = [(min(token_gap(p.span, cue) for p in g), -g[0].span.start, g) for g in named_groups if g]
    scored = [s for s in scored if s[0] <= reach(s[2])]
    return min(scored, key=lambda s: (s[0], s[1]))[2] if scored else []


def _attached(group: list[Placed], cue: Token, lang: str) -> list[Placed]:
    """The list if it is an argument of the cue word, else the one member nearest to it."""
    between = cue.doc[group[-1].span.end:cue.i]
    if len(between) >= 2 and between[0].text == "," and between[1].lower_ in lexicon(lang)["relative_pronoun"]:
        return group  # "la Finlande et la Suède, qui ont rejoint l'OTAN": the parse of such clauses is unreliable

    # a relative clause on the list ("Finland and Sweden, which applied to join") is said of all of it
    clause = cue.head if cue.dep_ == "xcomp" else cue
    antecedent = first_conjunct(clause.head) if clause.dep_ in ("relcl", "acl:relcl") else None

    phrase = _governing_verb(cue)
    if any(c.lower_ in lexicon(lang)["plural_possessive"] for c in cue.children):
        return group  # 'signed by A and B for their accession': the accession is the list's

    def attached(p: Placed) -> bool:
        root = first_conjunct(p.root)
        subject_of_governor = root.dep_.startswith("nsubj") and root.head == cue.head and cue.dep_ != "ROOT"
        # 'accorder à A et à B le statut de candidat', 'granted A and B candidate status': the verb that gives
        # the cue's noun phrase gives it to the list
        # 'A and B were granted candidate status', 'A et B ont obtenu le statut de candidat': the subject too
        given = bool(phrase) and (
            root.head in phrase or root.dep_ == "pobj" and root.head.head in phrase)
        return (root.head == cue or (root.dep_ == "pobj" and root.head.head == cue) or subject_of_governor
                or root == antecedent or given)

    # a written list shares one role: if one member is the argument, all are
    return group if any(attached(p) for p in group) else [min(group, key=lambda p: token_gap(p.span, cue))]


def _organisation_contains(cue: Token, orgs: list[tuple[str, int]], lang: str) -> bool:
    """A verb of containing ('comprises', 'regroupe') makes members only when an organisation, a pronoun for it or
    a word for a grouping is what contains: its subject, or the word a relative clause with it describes ('un
    groupe qui comprend la Russie'); not 'ce qui comprend un renforcement des exercices'."""
    if cue.pos_ not in ("VERB", "AUX") or cue.lemma_.lower() not in lexicon(lang)["membership_contain"] and (
            cue.lower_ not in lexicon(lang)["membership_contain"]):
        return True
    subjects = [c for c in cue.children if c.dep_.startswith("nsubj")]
    if not subjects or subjects[0].dep_ in ("nsubj:pass", "nsubjpass"):
        return True  # no subject in the parse, or the passive's, which is the member ('was included in BRICS')
    subject = subjects[0]
    if subject.lower_ in lexicon(lang)["relative_pronoun"] and cue.dep_ in ("relcl", "acl:relcl"):
        subject = cue.head
    words = lexicon(lang)
    return (any(subject.i - 3 <= i <= subject.i for _, i in orgs) or subject.lower_ in words["pronoun_subject"]
            or subject.lemma_.lower() in words["grouping_noun"])


def _organisation_acts(cue: Token, orgs: list[tuple[str, int]]) -> bool:
    """'The African Union suspended Mali', 'l'OTAN a admis la Macédoine': the organisation is the subject of the
    verb (or of the verb deciding it), so it is named before the state."""
    if cue.pos_ != "VERB":
        return False
    subjects = [c for c in cue.children if c.dep_ in ("nsubj", "nsubj:agent")]
    if not subjects and cue.dep_ == "xcomp":  # 'l'UA a décidé de suspendre le Mali': the deciding subject
        subjects = [c for c in cue.head.children if c.dep_ in ("nsubj", "nsubj:agent")]
    return any(s.i - 3 <= i <= s.i for s in subjects for _, i in orgs)


def _governing_verb(cue: Token) -> list[Token]:
    """The words from a nominal cue up to the verb whose object it is part of ('candidat', 'statut', 'accorder'
    for 'accorder … le statut de candidat'); empty when there is no such verb."""
    if cue.pos_ not in ("NOUN", "ADJ"):
        return []
    chain = [cue]
    for _ in range(3):
        token = chain[-1]
        if token.dep_ in ("obj", "dobj") and token.head.pos_ == "VERB":
            return [*chain, token.head]
        if token.dep_ not in ("nmod", "compound", "amod", "pobj", "prep") or token.head == token:
            return []
        chain.append(token.head)
    return []


def _antecedents(ctx: SentenceContext, cue: Token, previous: SentenceContext) -> list[Placed]:
    """The states of the previous sentence that 'these countries are members' or 'the two NATO allies' speak of
    (for 'the two', only when it names exactly two)."""
    before = previous.of_types(STATE_TYPES, named_only=True)
    if ctx.has_phrase("anaphor_group"):
        return before
    pair = lexicon(ctx.lang)["pair_word"]
    if any(t.lower_ in pair for t in cue.doc[max(ctx.sent.start, cue.i - 3):cue.i]):
        return before if len({p.entity for p in before}) == 2 else []
    return []


def _agents(ctx: SentenceContext, cue: Token) -> list[Placed]:
    """'founded in 2001 by the leaders of A, B and C', 'fondée par A et B': the states that are the agent of a
    word of founding or forming, however far the list begins."""
    agent = lexicon(ctx.lang)["role_agent"]
    for group in ctx.groups:
        named = [p for p in group if p.mention.named]
        if not named:
            continue
        path = [first_conjunct(named[0].root), *list(first_conjunct(named[0].root).ancestors)[:4]]
        if cue in path and any(t.lower_ in agent or any(c.dep_ == "case" and c.lower_ in agent for c in t.children)
                               for t in path[:path.index(cue)]):
            return named
    return []


def _joined_before(ctx: SentenceContext, group: list[Placed]) -> list[Placed]:
    """'became the 29th member of NATO, eight years after Albania and Croatia': the states a joining comes after,
    with no verb of their own, joined before."""
    words = lexicon(ctx.lang)["after_prep"]
    found = []
    for other in ctx.groups:
        if any(p in group for p in other) or other[0].span.start < group[-1].span.end:
            continue
        before = ctx.sent.doc[max(ctx.sent.start, other[0].span.start - 2):other[0].span.start]
        rest = []  # the words after the list up to the clause's end: no verb or noun of its own ('after Russia's
        for t in ctx.sent.doc[other[-1].span.end:ctx.sent.end]:  # invasion', 'after Turkey lifted its veto')
            if t.is_punct:
                break
            rest.append(t)
        own = any(t.pos_ in ("VERB", "NOUN", "PART") for t in rest)
        if any(t.lower_ in words for t in before) and not own:
            found += [p for p in other if p.mention.named]
    return found


def _lifted(cue: Token, lang: str) -> bool:
    """'a levé la suspension de la Guinée', 'lifted Mali's suspension': the suspension ends."""
    words = lexicon(lang)["lift_verb"]
    return any(t.lemma_.lower() in words or t.lower_ in words for t in [cue, *cue.ancestors][:3])


def _of_officials(p: Placed, cue: Token, lang: str) -> bool:
    """'It includes the presidents of Cabo Verde and Senegal': what contains officials of states is a team, not
    the organisation of those states."""
    if cue.lemma_.lower() not in lexicon(lang)["membership_contain"] and cue.lower_ not in lexicon(lang)[
            "membership_contain"]:
        return False
    root = first_conjunct(p.root)
    owner = root.head.head if root.dep_ == "pobj" else root.head
    return owner.lemma_.lower() in lexicon(lang)["role_noun"] or owner.lower_ in lexicon(lang)["role_noun"]


def _declined(cue: Token, lang: str) -> bool:
    """'declined the invitation to join', 'a refusé de rejoindre': a joining that a verb of refusing governs."""
    words = lexicon(lang)["decline_verb"]
    return any(t.lemma_.lower() in words or t.lower_ in words for t in [cue, *cue.ancestors][:4])


def _of_state(ctx: SentenceContext, cue: Token) -> bool:
    """Whether the cue is a noun followed by 'of'/'de' and a state: 'the accession of Iran', 'l'adhésion de l'Iran'."""
    if cue.pos_ != "NOUN" or cue.i + 1 >= len(cue.doc) or cue.nbor(1).lower_ not in every_language("genitive_prep"):
        return False
    return any(0 < p.span.start - cue.i <= 3 for p in ctx.of_types(STATE_TYPES, named_only=True))


def _acts_on(p: Placed, cue: Token) -> bool:
    """Whether the state is the subject of a verb whose object is 'the member' ("Moscow delivered it to the NATO
    member"): the member is someone else, named earlier."""
    as_role = cue.head.lower_ in every_language("capacity_prep")  # 'as the member': said of the subject itself
    verb = cue.head.head if cue.dep_ == "pobj" and not as_role else cue.head
    object_of_verb = cue.dep_ in ("dobj", "obj", "iobj", "pobj")
    definite = any(c.dep_ == "det" and c.lower_ in every_language("singular_definite_article") for c in cue.children)
    root = first_conjunct(p.root)
    return object_of_verb and definite and root.dep_ in ("nsubj", "nsubj:pass") and root.head == verb


def _verb_between(cue: Token, p: Placed, lang: str) -> bool:
    """'ratifiés par les Alliés, permettront à l'Albanie…': a list after the member noun and another verb is that
    verb's argument, not the members ('members are A and B', 'members, including A' keep theirs)."""
    if p.span.start <= cue.i:
        return False
    intro = lexicon(lang)["list_intro"]
    return any(t.pos_ == "VERB" and t.lower_ not in intro and t.lemma_.lower() not in intro
               for t in cue.doc[cue.i + 1:p.span.start])


def _outsiders_between(p: Placed, cue: Token, lang: str) -> bool:
    """'Allies and partners, including Finland': a partner or observer word between the cue and the state."""
    lo, hi = sorted((cue.i, p.span.start))
    lo = max(cue.sent.start, lo - 3)  # 'partners, including Finland': the noun the cue's list hangs on
    outsiders = lexicon(lang)["non_member_noun"] | lexicon(lang)["negation"]  # '…countries not in it, like A'
    if any(t.lower_ in outsiders or t.lemma_.lower() in outsiders for t in cue.doc[lo:hi]):
        return True
    # 'NATO member states and Sweden', 'les pays membres de l'OTAN et la Suède': beside the members, not of them
    root = p.root
    return root.dep_ == "conj" and root.i > cue.i and root.head in (cue, cue.head) and root.head.pos_ == "NOUN"


def _copula_subject(ctx: SentenceContext, cue: Token) -> list[Placed]:
    """'Hungary was the last Ally to ratify', 'la Turquie est membre de l'OTAN': the subject of a copula whose
    attribute is the member noun, with the states coordinated with it."""
    clause = cue.head if cue.dep_ == "attr" else cue
    if cue.dep_ != "attr" and not any(c.dep_ == "cop" for c in cue.children):
        return []
    subjects = [t for c in clause.children if c.dep_ in ("nsubj", "nsubj:pass") for t in conjuncts(c)]
    found = [p for p in ctx.of_types(STATE_TYPES, named_only=True)
             if any(p.span.start <= t.i < p.span.end for t in subjects)]
    # 'Burkina Faso, Niger, and Mali remain members': the written list, however the parser split it
    return [p for g in ctx.groups if any(q in g for q in found) for p in g if p.mention.named]


def _as_outsider(cue: Token, lang: str) -> bool:
    """'a rejoint l'organisation en tant qu'observateur', 'joined as a partner': a capacity other than member."""
    lex = lexicon(lang)
    window = cue.doc[cue.i + 1:min(cue.sent.end, cue.i + 14)]
    for t in window:
        if t.text in ",;:":
            return False
        if (t.lower_ in lex["non_member_noun"] or t.lemma_.lower() in lex["non_member_noun"]) and any(
                w.lower_ in lex["capacity_prep"] for w in cue.doc[max(cue.i, t.i - 3):t.i]):
            return True
    return False


def _kind_of(cue: Token, kind: str, lang: str) -> str:
    """The kind a cue's clause gives: joining or membership said in the future, the conditional, under a modal,
    as an intent ('ready to join', 'en vue de leur adhésion') or as a process ('accession talks') is pending."""
    if kind not in ("joined", "member"):
        return kind
    if hypothetical(cue, lang):
        return "applied"
    lex = lexicon(lang)
    if kind == "joined" and _by_instrument(cue, lex):
        return "applied"
    if kind == "joined" and cue.i > cue.sent.start:
        before = cue.doc[max(cue.sent.start, cue.i - 4):cue.i]
        if any(t.lower_ in lex["apply_intent"] for t in before):  # 'ready to join', 'invited to join'
            return "applied"
        if any(t.lower_ in lex["accession_obstacle"] for t in before):  # 'lifted its veto on A's accession'
            return "applied"
    after = " ".join(t.lower_ for t in cue.doc[cue.i + 1:min(cue.sent.end, cue.i + 3)])
    if kind == "joined" and any(after == w or after.startswith(w + " ") for w in lex["pending_after"]):
        return "applied"
    return kind


def _by_instrument(cue: Token, lex: Lexicon) -> bool:
    """'the protocol for A's accession', 'protocols signed by A for their accession': an accession an instrument
    is for is still to be ratified."""
    for token in cue.ancestors:
        if token.lower_ in lex["accession_document"]:
            return True
        if token.pos_ in ("VERB", "AUX"):
            return any(c.lower_ in lex["accession_document"] for c in token.children if c.dep_.startswith("nsubj"))
    return False


def _an_ally(ctx: SentenceContext) -> list[str]:
    """'improving the security of a NATO ally', 'un allié de l'OTAN': the organisations an indefinite ally or
    member of the sentence belongs to (not 'a major non-NATO ally')."""
    lex = lexicon(ctx.lang)
    nouns = lex["ally_noun"] | lex["member_noun"]
    doc = ctx.sent.doc
    found = []
    for org in ctx.of_types(ORG_TYPES):
        before = doc[max(ctx.sent.start, org.span.start - 4):org.span.start]
        after = doc[org.span.end:min(ctx.sent.end, org.span.end + 1)]
        if any(t.lower_ in lex["negation"] or t.lower_.startswith("non") for t in before[-2:]):
            continue
        prenominal = bool(after) and after[0].lower_ in nouns and any(
            t.lower_ in lex["indefinite_article"] for t in before[-3:])  # 'a NATO ally'
        postnominal = len(before) >= 2 and any(t.lower_ in nouns for t in before[-3:]) and any(
            t.lower_ in lex["indefinite_article"] for t in before[:-2])  # 'un allié de l'OTAN'
        if prenominal or postnominal:
            found.append(org.entity)
    return found


def find_memberships(contexts: list[SentenceContext], buyer: str | None = None) -> list[MembershipFact]:
    """Membership facts of an article, at most one per state, organisation and kind. `buyer`: the one recipient
    of the article's arms deals, whom 'a NATO ally' in a sentence with no other membership speaks of."""
    facts: dict[tuple[str, str, str], MembershipFact] = {}
    last_alliance: str | None = None
    last_org: str | None = None
    # before any organisation is named, the first one the article names ('granted candidate status to A. The
    # decision was taken at a summit of the EU')
    first_org = next((p.entity for c in contexts for p in c.of_types(ORG_TYPES) if p.mention.kind != "ner"), None)
    for ctx in contexts:
        orgs = _organisations(ctx, last_alliance, last_org)
        if not orgs and last_org is None and first_org:
            orgs = _candidate_status(ctx, first_org)
        for p in ctx.of_types(ORG_TYPES):
            if p.mention.kind != "ner":  # 'the member states' speak of a known organisation, not a guessed name
                last_org = p.entity
            if p.mention.type == "MilitaryAlliance":
                last_alliance = p.entity
        # a list's own phrase ('NATO ally X', 'the accession of A and B') says more than a cue nearby
        found = list_memberships(ctx, orgs, last_org, last_alliance, contexts[ctx.index + 1:ctx.index + 60])
        known = {(f.member, f.organisation) for f in found}
        found += [f for f in (_sentence_memberships(ctx, orgs, contexts) if orgs else [])
                  if (f.member, f.organisation) not in known]
        known = {(f.member, f.organisation) for f in found}
        found += [f for f in _units_of_organisation(ctx) if (f.member, f.organisation) not in known]
        if ctx.index:
            known = {(f.member, f.organisation) for f in found}
            found += [f for f in _counted_members(ctx, contexts[ctx.index - 1]) if (f.member, f.organisation)
                      not in known]
        if buyer and not found:
            found += [MembershipFact(buyer, org, "member", None, ctx.evidence("membership-ally-of-buyer", 0.6))
                      for org in _an_ally(ctx)]
        for fact in found:
            facts.setdefault((fact.member, fact.organisation, fact.kind), fact)
    return list(facts.values())


def _units_of_organisation(ctx: SentenceContext) -> list[MembershipFact]:
    """'NATO participants came from A, B and C', 'des troupes de l'OTAN venues d'Allemagne': the states an
    organisation's troops or participants come from are its members (not its partners or observers)."""
    lex = lexicon(ctx.lang)
    nouns = (lex["military_unit"] | lex["participant_noun"]) - lex["non_member_noun"]
    found: list[MembershipFact] = []
    for org in ctx.of_types(ORG_TYPES):
        unit = org.root.head
        if org.root.dep_ not in ("compound", "amod", "nmod", "poss") or unit.lemma_.lower() not in nouns and (
                unit.lower_ not in nouns):
            continue
        for group in ctx.groups:
            root = first_conjunct(group[0].root)
            attached = root.head.head if root.dep_ == "pobj" else root.head
            if preposition(root) in lex["origin_prep"] and (attached in (unit, unit.head) or attached.head == unit):
                evidence = ctx.evidence("membership-units-of", 0.6)
                found += [MembershipFact(p.entity, org.entity, "member", None, evidence)
                          for p in group if p.mention.named]
    return found


def _counted_members(ctx: SentenceContext, before: SentenceContext) -> list[MembershipFact]:
    """'ECOWAS had 15 member countries. There were eight French-speaking ones (A, B, …) and five English-speaking
    ones (C, …)': counted lists in brackets, right after a sentence counting an organisation's members, are its
    members."""
    orgs = [p for p in before.of_types(ORG_TYPES) if p.mention.kind != "ner"]
    members = lexicon(ctx.lang)["member_noun"]
    counted = [t for t in before.sent if t.lower_ in members and any(
        count_value(c.text) for c in before.sent.doc[max(before.sent.start, t.i - 3):t.i])]
    verbs = lexicon(ctx.lang)["copula_verb"] | lexicon(ctx.lang)["membership_contain"]
    first = ctx.groups[0][0].span.start if ctx.groups else ctx.sent.start
    if len({p.entity for p in orgs}) != 1 or not counted or not any(
            t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in verbs for t in ctx.sent.doc[ctx.sent.start:first]):
        return []  # 'There were eight …', 'Il y avait huit …': a sentence of what the count is made of
    text, found = text_of(ctx.sent.doc), []
    for group in ctx.groups:
        start = group[0].span.start_char
        opening = text[:start].rstrip()
        words = opening[:-1].split()[-4:] if opening.endswith("(") else []  # 'eight French-speaking countries ('
        if any(count_value(w) for w in words[:-1]):
            evidence = ctx.evidence("membership-counted-list", 0.6)
            found += [MembershipFact(p.entity, orgs[0].entity, "member", None, evidence)
                      for p in group if p.mention.named]
    return found


def _sentence_memberships(ctx: SentenceContext, orgs: list[tuple[str, int]],
                          contexts: list[SentenceContext]) -> list[MembershipFact]:
    found: list[MembershipFact] = []
    date = next((d.value for d in ctx.dates), None)
    welcome = set(ctx.cues("membership_welcome"))
    for kind in _KINDS:
        for cue in ctx.cues(_CUE_LISTS[kind]):
            if negated(cue, ctx.lang) or _declined(cue, ctx.lang):
                continue  # 'is not a member', 'n'a pas rejoint', 'declined the invitation to join'
            # one joins, applies to or leaves an organisation named after the verb ("X joined NATO"),
            # unless the organisation does the welcoming ("NATO welcomed Finland")
            # …or names it before a noun naming the state ("…the SCO, a year after the accession of Iran")
            of_state = _of_state(ctx, cue)
            # 'the EU granted A candidate status': who grants the cue's noun phrase is named before it
            after_only = (kind != "member" and cue not in welcome and not of_state and not _governing_verb(cue)
                          and not _organisation_acts(cue, orgs))
            reach = len(ctx.sent) if of_state else 8
            near_orgs = [o for o, i in orgs if abs(i - cue.i) <= reach and (i > cue.i or not after_only)]
            if near_orgs:
                org = min(((o, i) for o, i in orgs if o in near_orgs and (i > cue.i or not after_only)),
                          key=lambda oi: abs(oi[1] - cue.i))[0]
            elif kind in ("member", "joined") and len({o for o, _ in orgs}) == 1:
                org = orgs[0][0]  # 'BRICS leaders agreed … to make A and B full members': the sentence's one
            else:
                continue
            if _as_outsider(cue, ctx.lang):
                continue  # 'joined the organisation as an observer'
            if kind == "member" and not _organisation_contains(cue, orgs, ctx.lang):
                continue  # 'ce qui comprend un renforcement des exercices': what includes is no organisation
            group = _copula_subject(ctx, cue) if kind == "member" else []
            group = group or _nearest_group(ctx, cue, 6 if kind == "member" else 5) or _agents(ctx, cue)
            if kind == "member":
                kept = [p for p in group if not _acts_on(p, cue) and not _outsiders_between(p, cue, ctx.lang)
                        and not _verb_between(cue, p, ctx.lang)]
                if group and _of_officials(group[0], cue, ctx.lang):
                    kept = []  # the list's first state says for all of it
                group = group if kept else []  # a written list shares one role, however the parser split it
            if not group and kind == "member" and ctx.index:
                group = _antecedents(ctx, cue, contexts[ctx.index - 1])
            real_kind = _kind_of(cue, kind, ctx.lang)
            if kind == "suspended" and _lifted(cue, ctx.lang):
                real_kind = "member"  # 'lifted the suspension of Mali': a member again
            if kind != "member" and len(group) > 1:
                group = _attached(group, cue, ctx.lang)
            if group and real_kind == "joined":
                group += _joined_before(ctx, group)
            group = [p for p in group if p.entity not in {f.member for f in found}]
            for p in group:
                evidence = ctx.evidence(f"membership-{kind}", 0.75 if kind != "member" else 0.65)
                found.append(MembershipFact(p.entity, org, real_kind, date, evidence))
    return found


def find_rivalries(contexts: list[SentenceContext]) -> list[Rivalry]:
    """Pairs of states the article calls rivals, enemies or at war."""
    found: dict[tuple[str, str], Rivalry] = {}
    for ctx in contexts:
        for cue in ctx.cues("rivalry"):
            if cue.lemma_.lower() in every_language("war_noun") and not _war_phrase().search(ctx.text):
                continue
            pair = _rival_pair(ctx, cue, contexts)
            if pair:
                key = (min(pair), max(pair))
                found.setdefault(key, Rivalry(key, ctx.evidence("rivalry-cue", 0.7)))
    return list(found.values())


def _rival_pair(ctx: SentenceContext, cue: Token, contexts: list[SentenceContext]) -> tuple[str, str] | None:
    if ctx.has_phrase("anaphor_pair") and ctx.index:
        before = [p.entity for p in contexts[ctx.index - 1].of_types(STATE_TYPES, named_only=True)]
        distinct = list(dict.fromkeys(before))
        if len(distinct) >= 2:
            return distinct[0], distinct[1]
    group = [p.entity for p in _nearest_group(ctx, cue, 8)]
    distinct = list(dict.fromkeys(group))
    if len(distinct) >= 2:
        return distinct[0], distinct[1]
    after = [p for p in ctx.of_types(STATE_TYPES, named_only=True) if 0 <= p.span.start - cue.i <= 5]
    if distinct and after and after[0].entity != distinct[0]:
        return distinct[0], after[0].entity
    return None
