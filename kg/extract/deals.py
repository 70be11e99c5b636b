"""Arms deals: supplier, recipient, weapon systems, quantity, value, status and date.

A deal is read from a sentence that names a weapon system and a word of buying, selling, delivering or
contracting. Roles come from syntax where the parse is clear (the subject of "livrer" supplies, of "acheter"
receives; "à l'Inde" receives after a selling verb) and from adjectives ("système de missiles russe" names
the supplier, "l'armée pakistanaise" the buyer); the maker's state of the weapon (kg/data/weapons.csv) fills a
missing supplier only when the article names that state. The roles of one sentence: `deal_roles`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

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
from kg.extract.dates import days_named
from kg.extract.deal_roles import deal_cues, deal_triggers, elsewhere, giving, partners, roles, signers
from kg.extract.entities import slug
from kg.extract.gazetteer import Gazetteer
from kg.extract.literals import longest_literal
from kg.extract.quantities import amounts, count_value
from kg.extract.records import ArmsDeal, Evidence
from kg.extract.weapons import named_weapons

STATUS_ORDER = ("discussed", "approved", "signed", "delivered", "transferred", "donated", "cancelled")


@cache
def _money() -> re.Pattern[str]:
    """'$11.7 million', '5,5 milliards de dollars', '€2bn': a sum with its scale and currency."""
    a = amounts()
    currencies = longest_literal((), a["currency"])
    of = rf"(?:(?:{longest_literal((), a['of'])})\s*)?" if a["of"] else ""
    return re.compile(rf"(?P<cur1>{currencies})?\s?(?P<num>\d+(?:[.,]\d+)?)\s*"
                      rf"(?P<scale>{longest_literal((), a['scale'])})(?!\w)\s*{of}(?P<cur2>{currencies})?", re.I)


def _status(ctx: SentenceContext) -> str:
    found = "discussed"
    for status in STATUS_ORDER:
        if deal_cues(ctx, f"status_{status}"):
            found = status
    return found


def _quantity(ctx: SentenceContext) -> int | None:
    for w in ctx.weapons:
        for t in ctx.sent.doc[max(ctx.sent.start, w.span.start - 3):w.span.start]:
            if t.like_num:
                value = count_value(t.text)
                if value:
                    return value
    return None


def _value(ctx: SentenceContext) -> tuple[str | None, str | None]:
    m = _money().search(ctx.text)
    if not m:
        return None, None
    scale = int(amounts()["scale"][m.group("scale").lower()])
    number = m.group("num").replace(",", ".")
    whole, _, frac = number.partition(".")
    digits = int(whole) * scale + (int(frac) * scale // 10 ** len(frac) if frac else 0)
    cur = (m.group("cur1") or m.group("cur2") or "").lower()
    return str(digits), amounts()["currency"].get(cur)


def _deal_sentences(contexts: list[SentenceContext]) -> list[tuple[SentenceContext, list[str]]]:
    """Sentences speaking of a deal, with the weapon systems they mean.

    'Australia has ordered 20 of the launchers from the United States' names no system: "the launchers" are
    those of the sentence before. A sentence that names no system but a kind of weapon ('precision-guided
    munitions', 'des armes') speaks of that kind.
    """
    found: list[tuple[SentenceContext, list[str]]] = []
    for c in contexts:
        if not deal_triggers(c):
            if continues_a_deal(c, contexts):  # 'It includes 12 HIMARS launchers', 'Le paquet comprend …'
                items = list(dict.fromkeys([*(w.entity for w in c.weapons), *named_weapons(c)]))
                items = items or _counted_weapons(c)
                if items:
                    found.append((c, items))
            continue
        transfer = deal_cues(c, "deal_buy") or giving(c)
        items = list(dict.fromkeys(w.entity for w in c.weapons))
        items += [i for i in named_weapons(c) if i not in items]
        if not items and c.index and c.cues("weapon_noun") and transfer:
            items = list(dict.fromkeys(w.entity for w in contexts[c.index - 1].weapons))
        if not items and transfer:
            items = _counted_weapons(c)
        if not items and transfer and c.index and _pronoun_subject(transfer, c):
            items = _items_before(c, contexts)  # 'The FA-50 is a light jet. It has been exported to …'
        if not items and transfer and found and _copies(c):
            items = list(found[-1][1])  # 'le Qatar commandait 24 exemplaires', 'l'Inde en a acheté 36'
        if not items and transfer and not c.cues("generic_marker"):
            items = _kinds_of_weapons(c)  # not 'the largest exporter of arms to India': a ranking, no deal
        if not items and c.index and c.cues("deal_contract") and partners(c, set()):
            items = _items_before(c, contexts)  # 'The Patriot system … The contract was signed with the US'

        if items:
            found.append((c, items))
    return found


def _co_suppliers(ctx: SentenceContext, suppliers: list[str], supplier: str | None) -> list[str]:
    """'received Leopard 2 tanks from Germany and Poland': the other suppliers written in one list with the first."""
    if supplier is None:
        return []
    for group in ctx.groups:
        entities = list(dict.fromkeys(p.entity for p in group))
        if supplier in entities and len(entities) > 1:
            return [s for s in entities if s != supplier and s in suppliers]
    return []


def continues_a_deal(ctx: SentenceContext, contexts: list[SentenceContext]) -> bool:
    """'The Pentagon announced a package for Ukraine. It includes 12 HIMARS …': a sentence of containing right
    after a sentence with a word of giving, buying or contracting lists that deal's items."""
    if not ctx.index or not ctx.cues("deal_contain") or ctx.of_types(STATE_TYPES, named_only=True):
        return False
    return bool(deal_triggers(contexts[ctx.index - 1]))


def _pronoun_subject(transfer: list[Token], ctx: SentenceContext) -> bool:
    """A word of buying or selling whose subject is a pronoun ('It has been exported', 'Il a été vendu')."""
    pronouns = lexicon(ctx.lang)["pronoun_subject"]
    return any(c.dep_.startswith("nsubj") and c.lower_ in pronouns for t in transfer for c in t.children)


def _items_before(ctx: SentenceContext, contexts: list[SentenceContext], reach: int = 2) -> list[str]:
    """The weapon systems of the nearest of the `reach` sentences before, which a pronoun stands for."""
    for before in reversed(contexts[max(0, ctx.index - reach):ctx.index]):
        items = list(dict.fromkeys([*(w.entity for w in before.weapons), *named_weapons(before)]))
        if items:
            return items
    return []


def _copies(ctx: SentenceContext) -> bool:
    """'24 exemplaires', '36 more', 'en' as a pronoun: the sentence counts copies of an item named before."""
    return any(t.pos_ != "ADP" for t in ctx.cues("copy_noun"))  # the pronoun 'en', not the preposition


def _counted_weapons(ctx: SentenceContext) -> list[str]:
    """'eight nuclear-powered submarines', '36 avions de combat': a number of weapons of a kind is an item."""
    nouns = lexicon(ctx.lang)["weapon_noun"] - lexicon(ctx.lang)["weapon_generic"]
    items = []
    taken = _state_tokens(ctx)  # 'twelve American armored vehicles': the maker is no part of the kind
    copies = lexicon(ctx.lang)["copy_noun"]  # '12 more helicopters': not a kind of its own
    for noun in ctx.cues("weapon_noun"):
        if noun.lower_ not in nouns or noun.i + 1 < ctx.sent.end and noun.nbor(1).lower_ in nouns:
            continue  # "rocket launchers": the kind is the last noun
        number = next((t for t in reversed(ctx.sent.doc[max(ctx.sent.start, noun.i - 5):noun.i]) if t.like_num),
                      None)  # the nearest: '20 humvees and 84 boats' counts the boats by 84
        if number is not None:
            phrase = [t for t in ctx.sent.doc[number.i + 1:noun.i + 1] if t.i not in taken and t.lower_ not in copies]
            while len(phrase) > 1 and phrase[0].pos_ in ("ADP", "DET"):  # "20 of the launchers", "12 de ces chars"
                phrase = phrase[1:]
            items.append(f"weapon/{slug(' '.join(t.text for t in phrase))}")
    return items


def _state_tokens(ctx: SentenceContext) -> set[int]:
    return {i for p in ctx.of_types(STATE_TYPES) for i in range(p.span.start, p.span.end)}


def _kinds_of_weapons(ctx: SentenceContext) -> list[str]:
    """'the transfer of precision-guided munitions', 'des armes': the weapon noun with its modifiers."""
    items = []
    states = _state_tokens(ctx)
    for noun in ctx.cues("weapon_noun"):
        if noun.pos_ not in ("NOUN", "PROPN"):
            continue
        words = [t for t in noun.subtree if t.i <= noun.i and t.dep_ in ("amod", "compound", "nmod") or t == noun]
        words = [t for t in words if t.i >= noun.i - 3 and t.i not in states]
        if title_case(ctx.sent):
            words = [noun]  # 'U.S. Donates Patrol Boat': a headline's capitals tell no modifier from a verb
        items.append(f"weapon/{slug(' '.join(t.text for t in words))}")
    return list(dict.fromkeys(items))[:1]


def _parties_nearby(ctx: SentenceContext, contexts: list[SentenceContext]) -> list[str]:
    """States of the previous sentence when a deal sentence names none ('Cet accord … douze sous-marins')."""
    if ctx.index == 0:
        return []
    previous = contexts[ctx.index - 1]
    return [p.entity for p in previous.of_types(STATE_TYPES)]


def _first_list(states: list[str], ctx: SentenceContext) -> list[str]:
    """The first of the states and, when it heads a written list ('A, B et C'), the rest of that list."""
    if not states:
        return []
    for group in ctx.groups:
        entities = [p.entity for p in group if p.mention.named]
        if entities and entities[0] == states[0]:
            return [e for e in dict.fromkeys(entities) if e in states]
    return states[:1]


@dataclass
class _Frame:
    """One deal sentence: its items, status and the parties its parse gives (roles still empty are None)."""

    ctx: SentenceContext
    items: list[str]
    status: str
    supplier: str | None
    recipients: list[str]


def find_deals(contexts: list[SentenceContext], gaz: Gazetteer, article_states: set[str],
               title: SentenceContext | None) -> list[ArmsDeal]:
    """Arms deals of an article: one per supplier and recipient pair and occasion.

    Each deal sentence opens a frame; roles its parse leaves empty are filled from the document: the supplier
    the article's other frames agree on, else the maker's state of the item. Each recipient of a list is a deal
    of its own; deliveries of other items on other dates to the same recipient are other deals.
    """
    frames = []
    for ctx, items in _deal_sentences(contexts):
        relayed = _relay(ctx, items)
        if relayed:
            frames += relayed
            continue
        said = contexts[ctx.index - 1] if not deal_triggers(ctx) else ctx  # a list of the deal's items: its roles
        suppliers, recipients, unclear = roles(said)
        if not ctx.of_types(STATE_TYPES) and said is ctx:
            before = frames[-1] if frames and frames[-1].ctx.index == ctx.index - 1 else None
            if before is not None:  # 'U.S. Donates Patrol Boat to … The donation is valued at …': the same deal
                frames.append(_Frame(ctx, items, _status(ctx), before.supplier, list(before.recipients)))
                continue
            unclear = _parties_nearby(ctx, contexts)
        # a state buying its own maker's item ('la DGA a commandé 42 Rafale') has no other state as supplier
        supplier = _first_or_origin(suppliers, items, gaz, article_states - set(recipients))
        chosen = [s for s in dict.fromkeys(recipients) if s != supplier]
        partnered = partners(ctx, {supplier, *chosen})
        if supplier and not chosen and partnered:
            chosen = partnered[:1]
        elif supplier and not chosen:  # 'Seoul and Warsaw signed a contract for K9 howitzers': the maker's partner
            chosen = [s for s in signers(ctx) if s != supplier][:1] if len(set(signers(ctx))) == 2 else []
        elif chosen and not supplier and partnered:
            supplier = partnered[0]
        elif not supplier and not chosen and len(partnered) == 1 and not signers(ctx) and ctx.index:
            supplier = partnered[0]  # 'The contract was signed with the government of Norway': the seller, the
            # buyer being the text's subject (`_fill_from_subject`)
        if not chosen and not (supplier and supplier in partnered):
            chosen = _first_list([s for s in unclear if s != supplier], ctx)
            others = [s for s in partnered if s not in chosen]
            if chosen and not supplier and others and chosen[0] in signers(ctx):
                supplier = others[0]  # 'le gouvernement marocain a signé avec l'Espagne un contrat'
        status = _status(ctx) if said is ctx or _status(ctx) != "discussed" else _status(said)
        frames.append(_Frame(ctx, items, status, supplier, chosen))
        frames += [_Frame(ctx, items, status, other, chosen) for other in _co_suppliers(said, suppliers, supplier)
                   if chosen and other not in chosen]
    _fill_from_speaker(frames, contexts)
    _fill_from_document(frames)
    _fill_from_salience(frames, contexts)
    _fill_from_subject(frames, contexts)
    raw: dict[tuple[str | None, str | None], list[tuple[SentenceContext, list[str], str]]] = {}
    for f in frames:
        parties: list[str | None] = [*f.recipients] or [None]
        for recipient in parties:
            if f.supplier is None and recipient is None:
                continue
            raw.setdefault((f.supplier, recipient), []).append((f.ctx, f.items, f.status))
    deals = []
    for key, reports in _merge_partial(raw).items():
        deals += [_deal(key, occasion, title) for occasion in _occasions(reports)]
    return deals


def _relay(ctx: SentenceContext, items: list[str]) -> list[_Frame]:
    """'Germany bought tanks from Switzerland to give them to Ukraine': a state buying from one state to give to
    another makes two deals, the purchase and the gift."""
    buying, gifts = deal_cues(ctx, "deal_buy"), giving(ctx)
    if not buying or not gifts or max(t.i for t in gifts) < min(t.i for t in buying):
        return []
    sellers, buyers, _ = roles(ctx, {"buy": buying})
    _, receivers, _ = roles(ctx, {"sell": [t for t in gifts if t.i > min(b.i for b in buying)]})
    if not sellers or not buyers:
        return []
    onward = [r for r in dict.fromkeys(receivers) if r not in (sellers[0], buyers[0])]
    if not onward:
        return []
    gift = _status(ctx)
    return [_Frame(ctx, items, "signed", sellers[0], [buyers[0]]),
            _Frame(ctx, items, gift if gift != "discussed" else "transferred", buyers[0], onward)]


def _fill_from_speaker(frames: list[_Frame], contexts: list[SentenceContext]) -> None:
    """'“We have donated 19 jets to Ukraine,” the Danish defence minister said', 'son pays a livré …': a giving
    frame told in the first person, or of 'his country', is the state of the official speaking, named by a
    demonym before a title in the sentence or the one next to it."""
    for f in frames:
        if f.supplier is not None or not f.recipients or not f.ctx.has_phrase("speaker_marker"):
            continue
        near = contexts[max(0, f.ctx.index - 1):f.ctx.index + 2]
        speakers = {p.entity for c in near for p in c.of_types(STATE_TYPES) if _before_a_title(p, c)}
        speakers -= set(f.recipients)
        if len(speakers) == 1:
            f.supplier = speakers.pop()


def _before_a_title(p: Placed, ctx: SentenceContext) -> bool:
    """'Danish Defence Minister', 'le ministre burkinabé de la Défense': a demonym beside an official's title."""
    if p.mention.named and p.mention.kind != "official":
        return False
    titles = lexicon(ctx.lang)["role_noun"]
    doc = ctx.sent.doc
    window = doc[max(ctx.sent.start, p.span.start - 2):min(ctx.sent.end, p.span.end + 3)]
    return any(t.lower_ in titles for t in window)


def _fill_from_document(frames: list[_Frame]) -> None:
    """A role a frame's sentence leaves empty takes the one supplier (or recipient) the article's other frames
    name, when they name exactly one."""
    suppliers = {f.supplier for f in frames if f.supplier}
    recipients = {r for f in frames for r in f.recipients}
    for f in frames:
        if f.supplier is None and f.recipients and len(suppliers) == 1:
            only = next(iter(suppliers))
            if only not in f.recipients:
                f.supplier = only
        if f.supplier and not f.recipients and len(recipients) == 1:
            only = next(iter(recipients))
            if only != f.supplier:
                f.recipients = [only]


def _fill_from_salience(frames: list[_Frame], contexts: list[SentenceContext]) -> None:
    """A delivery, donation or contract whose supplier no sentence names is the article's own state's: of the
    states acting in its sentence, the two before or the title (not in a side clause, not sanctioning), the one the
    article names most often, clearly more than any other ('the United States … the LAF received …'). A headline's
    frame also reads the lead sentence after it."""
    counts = Counter(p.entity for c in contexts for p in c.of_types(STATE_TYPES)
                     if p.mention.named or head_lemma(p) in lexicon(c.lang)["military_unit"])
    buyers = {r for f in frames for r in f.recipients}  # the buyer named most is no supplier ('Qatar buys…')
    for f in frames:
        if f.supplier is not None or not f.recipients or f.status == "discussed":
            continue
        lead = f.ctx.index + 1 + (f.ctx.index == 0)
        near = {c.index: c for c in (contexts[0], *contexts[max(0, f.ctx.index - 2):lead])}
        acting = {p.entity for c in near.values() for p in c.of_types(STATE_TYPES)
                  if p.entity not in buyers and not elsewhere(p, c) and not _aside(p, c)}
        ranked = sorted(((counts[s], s) for s in acting), reverse=True)
        if ranked and ranked[0][0] >= 2 and (len(ranked) == 1 or ranked[0][0] > ranked[1][0]):
            f.supplier = ranked[0][1]


def _fill_from_subject(frames: list[_Frame], contexts: list[SentenceContext]) -> None:
    """A contract with a supplier and no buyer ('The contract was signed with the government of the United
    States') is for the state the article opens on as the subject ('Poland is modernising its air defence')."""
    for f in frames:
        if f.supplier is None or f.recipients:
            continue
        subjects = [p.entity for c in contexts[:2] for p in c.of_types(STATE_TYPES, named_only=True)
                    if (first_conjunct(p.root).dep_ in ("nsubj", "nsubj:pass") or p.span.start - c.sent.start <= 1)
                    and not p.mention.located]  # the sentence's first words, however the parser reads them
        buyer = next((s for s in subjects if s != f.supplier), None)
        if buyer is not None and f.ctx.cues("deal_contract"):
            f.recipients = [buyer]


def _aside(p: Placed, ctx: SentenceContext) -> bool:
    """A state in a clause of its own ('alors que la Russie poursuit sa guerre') is no party to the deal."""
    subordinators = lexicon(ctx.lang)["subordinator"]
    return any(a.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in subordinators for c in a.children)
               for a in [p.root, *p.root.ancestors])


def _days(ctx: SentenceContext, relative: bool) -> set[tuple[int | str | None, ...]]:
    """The days a sentence names: dates, 'On February 1', and, in a story told day by day, days told from the
    article's own ('Today')."""
    days: set[tuple[int | str | None, ...]] = {(d.value.month, d.value.day) for d in ctx.dates}
    days |= set(days_named(ctx.text))
    return days | {("", t.lower_) for t in ctx.cues("relative_day")} if relative else days


def _occasions(reports: list[tuple[SentenceContext, list[str], str]]
               ) -> list[list[tuple[SentenceContext, list[str], str]]]:
    """Reports of one pair grouped by occasion: a report with a day of its own and items no other occasion
    has is another delivery ('On February 1 … 200 launchers. On February 3 … eight vehicles. Today …')."""
    occasions: list[list[tuple[SentenceContext, list[str], str]]] = []
    day_by_day = any(days_named(ctx.text) for ctx, _, _ in reports)
    for report in reports:
        ctx, items, _ = report
        dates = _days(ctx, day_by_day)
        earlier = _earlier_year(ctx)
        if earlier is not None and occasions:  # 'It follows a contract signed in 2022 for the first batch'
            same = [o for o in occasions if any(_earlier_year(c) == earlier for c, _, _ in o)]
            if same:
                same[0].append(report)
            else:
                occasions.append([report])
            continue
        shared = [o for o in occasions if set(items) & {i for _, its, _ in o for i in its}]
        seen = {day for o in occasions for c, _, _ in o for day in _days(c, day_by_day)}
        if shared:
            shared[0].append(report)
        elif occasions and (not dates or dates <= seen) and not _gift_apart(report, occasions[0]):
            occasions[0].append(report)
        else:
            occasions.append([report])
    return occasions


def _gift_apart(report: tuple[SentenceContext, list[str], str], occasion: list[tuple[SentenceContext, list[str], str]]
                ) -> bool:
    """'Bamako avait reçu quatre hélicoptères russes. Moscou avait en outre offert des armes': other items given,
    beside items sold or delivered, are a gift of their own."""
    ctx, _, status = report
    if status != "donated" or any(s in ("donated", "transferred") for _, _, s in occasion):
        return False
    things = {p.root.i for p in ctx.weapons} | {t.i for t in ctx.cues("weapon_noun")}
    definite = lexicon(ctx.lang)["definite_article"] | lexicon(ctx.lang)["demonstrative"]
    objects = [c for cue in deal_cues(ctx, "deal_donate") for c in cue.children if c.dep_ in ("obj", "dobj")]
    # the gift's own object, newly named ('offert des armes'), not the items before ('the vessels were donated')
    return any(o.i in things and not any(d.lower_ in definite for d in o.children if d.dep_ == "det")
               for o in objects)


def _earlier_year(ctx: SentenceContext) -> int | None:
    """The year of an earlier contract a sentence recalls ('a contract signed in 2022 for the first batch', 'le
    précédent contrat de 2019'): a year written in full beside a word of earlier dealing."""
    if not ctx.has_phrase("earlier_deal_marker"):
        return None
    years = [d.value.year for d in ctx.dates if d.value.year and not d.inferred_year]
    return min(years) if years else None


def _merge_partial(raw: dict) -> dict:
    """A report naming one party joins the only deal of the article with that party and an item in common; a
    report whose one party is a party of other, complete deals sums them up ('US approves sales to three
    countries' above the three sales) or misreads a role, and is no deal of its own."""
    full = [k for k in raw if k[0] and k[1]]
    for key in [k for k in raw if not (k[0] and k[1])]:
        items = {i for _, its, _ in raw[key] for i in its}
        matches = [k for k in full if (k[0] == key[0] or k[1] == key[1])
                   and items & {i for _, its, _ in raw[k] for i in its}]
        if len(matches) == 1:
            raw[matches[0]] += raw.pop(key)
        elif {key[0] or key[1]} & {party for k in full for party in k}:
            raw.pop(key)
    return raw


def _first_or_origin(suppliers: list[str], items: list[str], gaz: Gazetteer, article_states: set[str]) -> str | None:
    if suppliers:
        return Counter(suppliers).most_common(1)[0][0]
    origins = Counter(o for o in (gaz.entities[i].origin for i in items if i in gaz.entities) if o)
    for origin, _ in origins.most_common():
        if origin in article_states:
            return origin
    return None


def _deal(key: tuple[str | None, str | None], reports: list[tuple[SentenceContext, list[str], str]],
          title: SentenceContext | None) -> ArmsDeal:
    items: list[str] = []
    for _, its, _ in reports:
        items += [i for i in its if i not in items]
    status = max((s for _, _, s in reports), key=STATUS_ORDER.index)
    if title is not None and _title_speaks_of(title, key):
        title_status = _status(title)
        if STATUS_ORDER.index(title_status) > STATUS_ORDER.index(status):
            status = title_status
    quantity = next((q for q in (_quantity(c) for c, _, _ in reports) if q), None)
    value, currency = next(((v, c) for v, c in (_value(c) for c, _, _ in reports) if v), (None, None))
    date = next((d.value for c, _, _ in reports for d in c.dates), None)
    evidence: tuple[Evidence, ...] = tuple(c.evidence("deal-" + s, 0.7) for c, _, s in reports)
    return ArmsDeal(supplier=key[0], recipient=key[1], items=tuple(items), quantity=quantity, value=value,
                    currency=currency, status=status, date=date, evidence=evidence)


def _title_speaks_of(title: SentenceContext, key: tuple[str | None, str | None]) -> bool:
    """A headline naming both parties ('rupture de l'accord franco-australien') sets the deal's stage."""
    states = {p.entity for p in title.of_types(STATE_TYPES)}
    return all(k in states for k in key if k) and bool(deal_triggers(title))
