"""The roles of a deal sentence: who supplies and who receives, read from the parse around the words of buying,
selling, giving and approving (their subjects, objects, prepositions and passive agents), from adjectives and
units ("l'armée pakistanaise"), and from the sentence's partner of a contract."""

from __future__ import annotations

import re

from spacy.tokens import Token

from kg.extract.context import (
    STATE_TYPES,
    Placed,
    SentenceContext,
    first_conjunct,
    head_lemma,
    lexicon,
    title_case,
)
from kg.extract.frames import modified, preposition, reflexive

_SUBJECT = {"nsubj", "nsubj:pass", "nsubjpass", "poss", "nmod:poss"}
_PASSIVE_SUBJECT = {"nsubj:pass", "nsubjpass"}


def _role_from_syntax(p: Placed, triggers: dict[str, list[Token]], ctx: SentenceContext) -> str | None:
    """'supplier' or 'recipient' when the state is an argument of a buying or selling word."""
    root = _government(p.root, ctx)
    head = root.head
    prep = preposition(root)
    if root.dep_ in ("poss", "nmod:poss") and _is_weapon(head, ctx):
        return "supplier"  # "Russia's S-400"
    if _maker_of_item(root, prep, ctx):
        return "supplier"
    if title_case(ctx.sent) and p.span.start == ctx.sent.start and p.span.end < ctx.sent.end:
        verb = p.root.doc[p.span.end]  # 'U.S. Donates Patrol Boat to …': a headline's first words act
        kinds = [kind for kind, words in triggers.items() if verb in words]
        if kinds:
            return "supplier" if kinds[0] == "sell" else "recipient"
    customers = ctx.cues("customer_noun")
    for kind, words in triggers.items():
        for t in words:
            if t in customers and (head == t or root.dep_ == "pobj" and head.head == t or any(
                    c == t and c.dep_.startswith("nsubj") for c in root.children)):
                return "recipient"  # 'its customers: A, B and C', 'found buyers in A', 'ses clients sont A et B'
            governs = head == t or (t.head == head and t.dep_ in ("obj", "dobj", "xcomp", "ccomp", "obl:arg"))
            if root.dep_ in _PASSIVE_SUBJECT and governs:
                if t in ctx.cues("deal_notify") or head in ctx.cues("deal_notify"):
                    return "supplier"  # "le Congrès américain a été notifié de la vente": the approving state
                return "recipient"  # "Poland was sold tanks", "Slovakia was approved to buy": the one served
            if root.dep_ in _SUBJECT and governs:
                return "supplier" if kind == "sell" else "recipient"
            if kind == "sell" and head == t and root.dep_ in ("obj", "dobj") and t.pos_ == "VERB":
                return "recipient"  # "supplying Russia with drones"
            if head == t or (prep and head.head == t):
                return _role_of_preposition(prep, kind, ctx.lang)
    return None


def _maker_of_item(root: Token, prep: str | None, ctx: SentenceContext) -> bool:
    """'frigates built by South Korea', 'des sous-marins construits par la France': the agent of a word of making
    that describes the item made it, and supplies it."""
    if prep not in lexicon(ctx.lang)["role_agent"]:
        return False
    verb = root.head.head if root.head.pos_ == "ADP" else root.head
    made = verb.lower_ in lexicon(ctx.lang)["make_verb"] or verb.lemma_.lower() in lexicon(ctx.lang)["make_verb"]
    return made and verb.dep_ in ("acl", "amod", "acl:relcl") and _is_weapon(verb.head, ctx)


def _role_of_preposition(prep: str | None, kind: str, lang: str) -> str | None:
    """The role a preposition gives a state after a selling or buying word ('to', 'vers': the recipient; 'from',
    'auprès': the supplier; 'à' either, by the word; the agent 'by', 'par': the seller or the buyer)."""
    lex = lexicon(lang)
    if prep is None:
        return None
    if prep in lex["role_recipient_prep"] or prep in lex["role_counterpart_prep"] and kind == "sell":
        return "recipient"
    if prep in lex["role_agent"]:
        return "supplier" if kind == "sell" else "recipient"
    if prep in lex["role_source_prep"] or prep in lex["role_counterpart_prep"] and kind == "buy":
        return "supplier"
    return None


def _government(token: Token, ctx: SentenceContext) -> Token:
    """The word that carries a state's role: itself, its first conjunct, or the body it belongs to
    ('to the Government of Poland', 'au gouvernement de la Pologne', 'the armed forces of Egypt')."""
    token = first_conjunct(token)
    units = lexicon(ctx.lang)["military_unit"]
    body_of = lexicon(ctx.lang)["body_of_prep"]
    if token.dep_ in ("poss", "nmod:poss") and not _is_weapon(token.head, ctx) and (
            token.head.lemma_.lower() in units or token.head.pos_ == "PROPN" or token.head.dep_ == "pobj"):
        return token.head  # "Italy's government authorised", "Italy's Leonardo will deliver", "from the United
        # States' taxpayers": the state's role
    named_body = token
    while named_body.dep_ == "compound" and named_body.head != named_body:
        named_body = named_body.head  # 'by the Japan Maritime Self Defense Force': the force's role is the state's
    if named_body is not token and named_body.lemma_.lower() in units:
        return named_body
    head = token.head
    if token.dep_ == "pobj" and head.lower_ in lexicon(ctx.lang)["genitive_prep"] and head.head.pos_ == "PROPN" and (
            not _is_weapon(head.head, ctx) and head.head.dep_ == "pobj"):
        return head.head  # 'from Hanwha of South Korea': the company's role is its state's
    if token.dep_ == "amod" and token.head != token and token.head.lemma_.lower() not in units and (
            not _is_weapon(token.head, ctx)):  # 'véhicules tactiques français': the maker's, see `_modifies_weapon`
        token = first_conjunct(token.head)  # 'sold by American companies': the companies' role is the state's
    for _ in range(2):
        head = token.head
        if token.dep_ == "pobj" and head.lower_ in body_of and head.head.lemma_.lower() in units:
            token = head.head
        elif token.dep_ == "nmod" and head.lemma_.lower() in units and preposition(token) in body_of:
            token = head
        else:
            break
    return token


def _is_weapon(token: Token, ctx: SentenceContext) -> bool:
    """A weapon system's name or a weapon word ('system', 'missiles')."""
    if any(w.span.start <= token.i < w.span.end for w in ctx.weapons):
        return True
    return token.lemma_.lower() in lexicon(ctx.lang)["weapon_noun"]


def elsewhere(p: Placed, ctx: SentenceContext) -> bool:
    """A state busy sanctioning or speaking ('the United States levied sanctions against Turkey') is no party."""
    if p.mention.kind == "capital":
        return True
    root = p.root
    while root.dep_ in ("conj", "compound", "amod") and root.head != root:
        root = root.head  # "the U.S. Treasury Department imposed…", "sanctions on Iranian entities"
    if preposition(root) in lexicon(ctx.lang)["role_opponent_prep"] or _in_service(p, ctx):
        return True
    return root.dep_ in _SUBJECT and root.head.lemma_.lower() in lexicon(ctx.lang)["not_a_party"]


def _in_service(p: Placed, ctx: SentenceContext) -> bool:
    """'already in service with Belgium and Lithuania', 'utilisé par l'armée belge': a state that uses the item
    bought it earlier from someone the sentence does not say, and is no party to this deal."""
    group = next((g for g in ctx.groups if any(m is p for m in g)), [p])
    before = ctx.sent.doc[max(ctx.sent.start, group[0].span.start - 6):group[0].span.start].text.lower()
    before = re.sub(r"\s+", " ", before)
    return any(re.search(rf"{re.escape(w)}(?: \w+){{0,2}}$", before) for w in lexicon(ctx.lang)["in_service_phrase"])


_GIVING_LISTS = ("deal_sell", "deal_donate", "status_donated")


def deal_cues(ctx: SentenceContext, name: str) -> list[Token]:
    """The sentence's words of a deal list, where a giving verb made reflexive buys: "la France s'offre des
    Rafale", "se doter de chars", "equips itself with" say who receives, not who gives."""
    if name in _GIVING_LISTS:  # not the noun of a phrase of receiving ('a pris livraison', 'took delivery')
        taking = set(ctx.cues("deal_buy"))
        return [t for t in ctx.cues(name) if not reflexive(t, ctx.lang) and not (t.pos_ == "NOUN" and t.head in taking)]
    if name == "deal_buy":
        turned = [t for other in _GIVING_LISTS[:2] for t in ctx.cues(other) if reflexive(t, ctx.lang)]
        return sorted({*ctx.cues(name), *turned}, key=lambda t: t.i)
    return ctx.cues(name)


def _between_others(p: Placed, ctx: SentenceContext) -> bool:
    """'a joint venture between India and Russia', 'the showdown between A and B': states between which
    something other than a deal lies are no parties to the sentence's deal ('between the Dominican Armed Forces
    and US Southern Command': the command's state too)."""
    root = p.root
    while root.dep_ == "compound" and root.head != root:
        root = root.head
    root = first_conjunct(root)
    if preposition(root) not in lexicon(ctx.lang)["between_prep"]:
        return False
    return modified(root) not in deal_triggers(ctx)


def giving(ctx: SentenceContext) -> list[Token]:
    return deal_cues(ctx, "deal_sell") + deal_cues(ctx, "deal_donate") + ctx.cues("deal_approve") + ctx.cues(
        "customer_noun")


def roles(ctx: SentenceContext, triggers: dict[str, list[Token]] | None = None
           ) -> tuple[list[str], list[str], list[str]]:
    """Suppliers, recipients, and states named without a clear role, in a deal sentence (as arguments of
    `triggers`, by default every selling, giving and buying word of the sentence)."""
    if triggers is None:
        triggers = {"sell": giving(ctx), "buy": deal_cues(ctx, "deal_buy")}
    suppliers: list[str] = []
    recipients: list[str] = []
    unclear: list[str] = []
    found = {id(p): _role(p, triggers, ctx) for p in ctx.of_types(STATE_TYPES)}
    listed = _after_a_counted_colon(ctx, triggers)
    found.update({id(p): role for p, role in listed})
    for p in ctx.of_types(STATE_TYPES):
        role = _list_role(p, found, ctx)
        if role == "supplier":
            suppliers.append(p.entity)
        elif role == "recipient":
            recipients.append(p.entity)
        elif (p.mention.named or _body_as_subject(p, ctx)) and not elsewhere(p, ctx) and not _between_others(p, ctx):
            unclear.append(p.entity)
    if not recipients:
        recipients += _possessor(ctx, triggers.get("buy", []))
    return suppliers, recipients, unclear


def _body_as_subject(p: Placed, ctx: SentenceContext) -> bool:
    """'Le gouvernement marocain a signé', 'the Indian Navy signed': a state's body acting as a subject is a party,
    though named by an adjective."""
    unit = p.root.head if p.root.dep_ == "amod" else p.root
    return head_lemma(p) in lexicon(ctx.lang)["military_unit"] and unit.dep_ in ("nsubj", "nsubj:pass")


def _after_a_counted_colon(ctx: SentenceContext, triggers: dict[str, list[Token]]) -> list[tuple[Placed, str]]:
    """'vendu à quatre pays : Chili en 1997, Malaisie en 2002, …', 'sold to three countries: A, B and C': the states
    after a colon that closes a word for countries take the role that word has."""
    doc = ctx.sent.doc
    for colon in (t for t in ctx.sent if t.text == ":" and t.i > ctx.sent.start):
        noun = doc[colon.i - 1]
        if noun.lemma_.lower() not in lexicon(ctx.lang)["country_noun"] and (
                noun.lower_ not in lexicon(ctx.lang)["country_noun"]):
            continue
        prep = preposition(noun)
        kinds = [kind for kind, words in triggers.items() for t in words if t in list(noun.ancestors)[:3]]
        role = _role_of_preposition(prep, kinds[0], ctx.lang) if kinds else None
        if role:
            return [(p, role) for p in ctx.of_types(STATE_TYPES, named_only=True) if p.span.start > colon.i]
    return []


def _list_role(p: Placed, found: dict[int, str | None], ctx: SentenceContext) -> str | None:
    """A state's role, or else the one role the other states of its written list have: every state of 'commandé
    par l'Egypte, le Qatar et l'Inde' buys, however the parser attached the list's later members."""
    if found[id(p)] is not None or not p.mention.named:
        return found[id(p)]
    for group in ctx.groups:
        if any(member is p for member in group) and _joined(group, ctx):
            taken = {found[id(m)] for m in group if m.mention.named} - {None}
            return taken.pop() if len(taken) == 1 else None
    return None


def _joined(group: list[Placed], ctx: SentenceContext) -> bool:
    """A list closed by a conjunction ('A, B and C'), not two states that a comma happens to separate ('Under a
    contract with Hungary, Germany will supply …')."""
    if len(group) < 2:
        return False
    doc = ctx.sent.doc
    between = doc[group[-2].span.end:group[-1].span.start]
    return any(t.lower_ in lexicon(ctx.lang)["list_conj"] for t in between)


def _role(p: Placed, triggers: dict[str, list[Token]], ctx: SentenceContext) -> str | None:
    """The role the parse gives one state of a deal sentence, or None."""
    lex = lexicon(ctx.lang)
    if _in_service(p, ctx):
        return None
    role = _role_from_syntax(p, triggers, ctx)
    lemma = head_lemma(p)
    if role is None and not p.mention.named:
        unit = lemma in lex["military_unit"] or lemma in lex["buyer_body"] or p.mention.kind == "acronym"
        if unit:
            role = _unit_subject_role(p, triggers) or ("recipient" if _under_trigger(p, triggers) else None)
        elif lemma in lex["weapon_noun"] or _modifies_weapon(p, ctx):
            role = "supplier"
    if role is None and p.mention.named and not elsewhere(p, ctx):
        role = _role_of_sole_kind(p, triggers, ctx)
    return role


def _unit_subject_role(p: Placed, triggers: dict[str, list[Token]]) -> str | None:
    """'Le gouvernement français a autorisé l'exportation', 'the Polish army bought': a state's body that is the
    subject of a deal word takes the subject's role (the seller of a selling word, the buyer of a buying one)."""
    unit = p.root.head if p.root.dep_ == "amod" else p.root
    for kind, words in triggers.items():
        decided = [c for c in unit.head.children if c.dep_ == "xcomp"]  # 'the government decided to donate'
        if unit.dep_ in _SUBJECT - _PASSIVE_SUBJECT and (unit.head in words or any(c in words for c in decided)):
            return "supplier" if kind == "sell" else "recipient"
    return None


def _role_of_sole_kind(p: Placed, triggers: dict[str, list[Token]], ctx: SentenceContext) -> str | None:
    """'Athènes a commandé trois frégates à la France': when a sentence has words of one kind only (buying, or
    selling), a state's preposition gives its role wherever the parse attached it."""
    kinds = [kind for kind, words in triggers.items() if words]
    prep = preposition(_government(p.root, ctx))
    if len(kinds) != 1 or prep in lexicon(ctx.lang)["genitive_prep"]:
        return None  # 'le ministre de la République de l'Inde': 'de' says whose, not from whom
    return _role_of_preposition(prep, kinds[0], ctx.lang)


def partners(ctx: SentenceContext, taken: set[str | None]) -> list[str]:
    """'signed a contract with Poland', 'a signé avec l'Inde un contrat': the other party of a contract."""
    if not ctx.cues("deal_contract"):
        return []
    prep = lexicon(ctx.lang)["role_partner_prep"]
    return [p.entity for p in ctx.of_types(STATE_TYPES, named_only=True)
            if p.entity not in taken and preposition(_government(p.root, ctx)) in prep and not _in_service(p, ctx)]


def signers(ctx: SentenceContext) -> list[str]:
    """The states that are the subject of the verb whose object is a contract ('la Pologne a signé un contrat',
    'the Indian government signed a deal'): one party of it, the other being its partner."""
    verbs = {c.head for c in ctx.cues("deal_contract") if c.dep_ in ("obj", "dobj")}
    found = []
    for p in ctx.of_types(STATE_TYPES):
        subject = p.root.head if p.root.dep_ == "amod" and not p.mention.named else _government(p.root, ctx)
        subject = first_conjunct(subject)  # 'Seoul and Warsaw signed': both
        if subject.dep_ in ("nsubj", "nsubj:pass") and subject.head in verbs:
            found.append(p.entity)
    return found


def _under_trigger(p: Placed, triggers: dict[str, list[Token]]) -> bool:
    """Whether a deal word governs the mention ('livraison … à l'armée libanaise'), not a clause beside it ('la
    formation d'une compagnie par l'armée de Terre française')."""
    words = {t.i for ts in triggers.values() for t in ts}
    # 'a fait don … à l'armée de l'air serbe': the verb whose object is the deal noun carries its arguments
    words |= {t.head.i for ts in triggers.values() for t in ts if t.dep_ in ("obj", "dobj")}
    if any(0 < p.span.start - i <= 4 for i in words):
        return True  # 'l'acquisition par l'armée égyptienne': right after the word, whatever the parse says
    agents = lexicon(p.root.doc.lang_)["role_agent"] if p.root.doc.lang_ else frozenset()
    for token in [p.root, *p.root.ancestors]:
        if token.i in words:
            return True
        if preposition(token) in agents:
            return token.head.i in words  # the agent of the deal word itself, not of another word on the way up
    return False


def _possessor(ctx: SentenceContext, buying: list[Token]) -> list[str]:
    """'sanctions on Turkey over its purchase', 'after it took delivery', 'Egypt, which ordered': a possessive
    or a pronoun subject of a buying word names the last state named before it."""
    for t in buying:
        lex = lexicon(ctx.lang)
        pronoun = [c for c in (*t.children, *t.head.children) if c.lower_ in lex["possessive"]
                   or c.lower_ in lex["pronoun_subject"] and c.dep_.startswith("nsubj")]
        if pronoun:
            before = [p for p in ctx.of_types(STATE_TYPES, named_only=True) if p.span.end <= pronoun[0].i]
            if before:
                return [before[-1].entity]
    return []


def _modifies_weapon(p: Placed, ctx: SentenceContext) -> bool:
    """'Russian missile defense system', 'avions de chasse russes Sukhoï': the adjective names the maker."""
    weapons = ctx.weapons
    return any(abs(w.span.start - p.span.end) <= 2 or abs(p.span.start - w.span.end) <= 1 for w in weapons) or (
        p.root.head.lemma_.lower() in lexicon(ctx.lang)["weapon_noun"])


def deal_triggers(c: SentenceContext) -> list[Token]:
    return deal_cues(c, "deal_buy") + c.cues("deal_contract") + giving(c)
