"""From sentences to incidents: which quantities are seizures, which are totals or statistics.

Steps, in order (each item that is not kept carries the reason in ``Item.dropped``):

1. Every sentence gets its quantities, drug names and cues (:mod:`astara.extraction.cues`).
2. A quantity becomes an item when :func:`astara.extraction.items.attach` links it to a drug.
3. Items in headings, in sentences with no seizure word nearby, or in sentences about something
   else (production, prices) are dropped; items in aggregate sentences become statistics.
4. Counts of packages give way to the weight of the same drug; "46 million pills weighing 4.7
   tonnes" is one item (count, with its weight).
5. Totals give way to their breakdown: a generic or mixed quantity followed by specific ones in
   its sentence, or equal to the sum of the others; a quantity of one drug equal to the sum of two
   or more others of that drug. A quantity repeated (same drug, same amount) is kept once.
6. Sentences are grouped into incidents: a new one starts at a sentence that says so ("in another
   operation", "the second incident") or that brings its own date or place of seizure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from astara.extraction import cues
from astara.extraction.amounts import find_amounts
from astara.extraction.dates import DateMention, find_dates, find_dates_in
from astara.extraction.drugs import DrugMention, aliases, find_drugs, find_drugs_in, reported_code
from astara.extraction.items import Item, attach, attach_in
from astara.extraction.languages import Language
from astara.extraction.places import (
    CountryMention,
    PlaceMention,
    dateline_country,
    document_country,
    find_countries,
    find_places,
)
from astara.extraction.quantities import Quantity, find_quantities
from astara.extraction.text import Sentence, sentences
from astara.extraction.totals import (
    APPROX,
    amount_of,
    close,
    drop_repeats,
    drop_restated_totals,
    drop_totals,
    kg_of,
)
from astara.extraction.where import find_countries_in, find_places_in

__all__ = ["Analysis", "Sent", "analyse", "kg_of"]

# A single seizure larger than this is flagged (the largest recorded seizures are a few dozen tonnes).
ABSURD_KG = 100_000.0


@dataclass
class Sent:
    s: Sentence
    heading: bool
    quantities: list[Quantity]
    drugs: list[DrugMention]
    seizure: bool
    statistic: bool
    not_seizure: bool
    new_incident: bool
    dates: list[DateMention]
    places: list[PlaceMention]
    countries: list[CountryMention]


@dataclass
class Analysis:
    text: str
    published: dt.date | None
    sents: list[Sent]
    country: str | None = None  # the article's country by names and demonyms
    items: list[Item] = field(default_factory=list)
    stat_items: list[Item] = field(default_factory=list)
    incidents: list[list[int]] = field(default_factory=list)  # sentence indexes per incident
    lang: Language | None = None  # None: English, whose rules are code (cues.py, quantities.py)
    dateline: tuple[str, int, int] | None = None  # country and span of a dateline's city


def _is_heading(s: Sentence, text: str) -> bool:
    line_end = text.find("\n", s.end)
    rest = text[s.end : line_end if line_end >= 0 else len(text)].strip()
    words = s.text.split()
    if rest or s.text.rstrip().endswith((".", "!", "?", '"', "”", ":")) or len(words) > 25:
        return False
    # a long line in sentence case after prose is a paragraph that lost its full stop
    capitals = sum(w[:1].isupper() for w in words)
    after_prose = text[: s.start].rstrip().endswith((".", "!", "?"))
    return not (after_prose and len(words) >= 12 and capitals * 2 < len(words))


def _year_hint(text: str) -> int | None:
    years = [int(y) for y in re.findall(r"\b(20[0-4]\d|19[89]\d)\b", text)]
    return max(years) if years else None


def _analyse_sentences(text: str, published: dt.date | None) -> tuple[list[Sent], str | None]:
    hint = _year_hint(text) if published is None else None
    extra = aliases(text)
    out = []
    split = sentences(text)
    countries = [find_countries(text, s.start, s.end) for s in split]
    country = document_country(text, [c for group in countries for c in group])
    for s, found in zip(split, countries, strict=True):
        quantities = _equivalents(text, find_quantities(text, s.start, s.end))
        drugs = find_drugs(text, s.start, s.end, extra) if quantities else []
        quantities = _without_doses(text, quantities, drugs)
        out.append(
            Sent(
                s=s,
                heading=_is_heading(s, text),
                quantities=quantities,
                drugs=drugs,
                seizure=bool(cues.SEIZURE.search(s.text)),
                statistic=cues.is_statistic(s.text),
                not_seizure=bool(cues.NOT_SEIZURE.search(s.text)),
                new_incident=bool(cues.NEW_INCIDENT.search(s.text[:80])),
                dates=find_dates(text, published, s.start, s.end, hint),
                places=find_places(text, s.start, s.end, country),
                countries=found,
            )
        )
    return out, country


def _analyse_in(text: str, published: dt.date | None, lang: Language) -> tuple[list[Sent], str | None]:
    """:func:`_analyse_sentences` for a language whose words are data (``text`` normalised)."""
    out = []
    split = sentences(text, lang.sentence_start)
    countries = [find_countries_in(text, lang, s.start, s.end) for s in split]
    country = document_country(text, [c for group in countries for c in group])
    for s, found in zip(split, countries, strict=True):
        quantities = _equivalents(text, find_amounts(text, lang, s.start, s.end))
        drugs = find_drugs_in(text, lang, s.start, s.end) if quantities else []
        quantities = _without_doses(text, quantities, drugs)
        out.append(
            Sent(
                s=s,
                heading=_is_heading(s, text),
                quantities=quantities,
                drugs=drugs,
                seizure=bool(lang.seizure.search(s.text)),
                statistic=bool(lang.statistic.search(s.text)),
                not_seizure=bool(lang.not_seizure.search(s.text)),
                new_incident=bool(lang.new_incident.search(s.text[:80])),
                dates=find_dates_in(text, lang, published, s.start, s.end),
                places=find_places_in(text, lang, s.start, s.end, country),
                countries=found,
            )
        )
    return out, country


_DOSE_GAP = re.compile(r"[\s-]{0,3}")


def _without_doses(text: str, quantities: list[Quantity], drugs: list[DrugMention]) -> list[Quantity]:
    """ "tramadol 225 mg" names a tablet's strength, not an amount seized."""
    ends = {d.end for d in drugs}
    return [
        q
        for q in quantities
        if not (q.unit == "mg" and any(e <= q.start and _DOSE_GAP.fullmatch(text, e, q.start) for e in ends))
    ]


_OF = re.compile(r"\s+of\s+")


def _is_packet_size(text: str, whole: Quantity, part: Quantity) -> bool:
    if whole.kind != "mass" or part.kind != "mass" or not _OF.fullmatch(text[whole.end : part.start]):
        return False
    factor = {"t": 1000.0, "kg": 1.0, "lb": 0.4536, "oz": 0.02835, "g": 0.001, "mg": 1e-6}
    a, b = factor.get(whole.unit), factor.get(part.unit)
    return a is not None and b is not None and part.value * b < whole.value * a


def _equivalents(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """ "600 lbs. (275 kg) of heroin" is one quantity: the second, in brackets, only restates it.

    "15 kg of 10-gram packets": a smaller weight right after "of" gives the size of the packets.
    """
    out: list[Quantity] = []
    skip = -1
    for n, q in enumerate(quantities):
        if n == skip:
            continue
        if out and _is_packet_size(text, out[-1], q):
            continue
        nxt = quantities[n + 1] if n + 1 < len(quantities) else None
        if nxt is not None and re.fullmatch(
            r"\.?\s*\(\s*(?:or\s+|about\s+|approx\.?\s+)?", text[q.end : nxt.start]
        ):
            close = re.match(r"\s*\)", text[nxt.end :])
            if close is not None:
                q = replace(q, end=nxt.end + close.end())
                skip = n + 1
        out.append(q)
    return out


def _items(a: Analysis) -> list[Item]:
    items: list[Item] = []
    for index, sent in enumerate(a.sents):
        taken: set[int] = set()
        for q in sent.quantities:
            if not sent.drugs:
                found = None
            elif a.lang is None:
                found = attach(a.text, q, sent.drugs, taken, sent.s.end)
            else:
                found = attach_in(a.text, q, sent.drugs, taken, a.lang, sent.quantities)
            if found is None and items and _SAME.match(a.text, q.end):
                found = (items[-1].drug, "right", [items[-1].drug])  # "5 kg of the same substance"
            if found is None and a.lang is None:
                found = _elided(a, index, q, items)
            if found is None:
                _weight_of_count(a.text, q, items, index)
                continue
            drug, how, chain = found
            taken.update(id(d) for d in chain)
            codes = list(dict.fromkeys(d.code for d in chain))
            lead = a.text[max(sent.s.start, q.start - 60) : q.start].lower()
            total = "total" in lead if a.lang is None else bool(a.lang.total.search(lead))
            items.append(
                Item(q=q, drug=drug, how=how, sentence=index, codes=codes, lead=lead, total_cue=total)
            )
    return items


_NOT_ELIDED = re.compile(r"\b(?:total|each|weigh\w*|per|average|worth|of)\W*$", re.IGNORECASE)
_ELIDED_AFTER = re.compile(
    r"\s*(?:[-–]\s*)?(?:haul|seizure|consignment|shipment|cache|stash)\b", re.IGNORECASE
)
_SEIZED_BARE = re.compile(
    r"\b(?:seized|found|recovered|confiscated|intercepted|discovered)\s+"
    r"(?:about |some |nearly |over |more than )?$",
    re.IGNORECASE,
)
_SECOND = re.compile(r",|\band\b|\bthe second\b|\banother\b", re.IGNORECASE)


def _elided(
    a: Analysis, index: int, q: Quantity, items: list[Item]
) -> tuple[DrugMention, str, list[DrugMention]] | None:
    """A weight with its drug left out ("9 kg of opium in a van and 6 kg in a car", "the 12 kg haul",
    "officers found 120 kg") is of the drug just named: the sentence's amount before it, or the one
    drug the sentence and the one before it name."""
    sent, text = a.sents[index], a.text
    lead = text[max(sent.s.start, q.start - 30) : q.start]
    if q.kind != "mass" or not sent.seizure or sent.statistic or _NOT_ELIDED.search(lead):
        return None
    if re.match(r"\s*of\b", text[q.end : q.end + 6], re.IGNORECASE):
        return None
    prev = items[-1] if items and items[-1].sentence == index else None
    if prev is not None:
        return (prev.drug, "left", [prev.drug]) if _SECOND.search(text, prev.q.end, q.start) else None
    if not (_ELIDED_AFTER.match(text, q.end) or _SEIZED_BARE.search(lead)):
        return None
    named = [d for i in (index - 1, index) if i >= 0 for d in _drugs_of(a, i) if not d.generic]
    if named and len({d.code for d in named}) == 1:
        return named[-1], "left", [named[-1]]
    return None


_SAME = re.compile(
    r"\s+of\s+the\s+same\s+(?:substance|drug|narcotic|contraband|kind|type|stuff)s?\b", re.IGNORECASE
)
_WEIGHING = re.compile(
    r"(?:\s+[^\W\d_]+){0,2}\s*,?\s*"
    r"(?:weighing|weighed|which weighed|that weighed|with a (?:total |net |gross )?weight of)"
    r"(?:\s+a\s+total\s+of)?\s*",
    re.IGNORECASE,
)


def _weight_of_count(text: str, q: Quantity, items: list[Item], index: int) -> None:
    """ "5,000 pills weighing 1.2 kg": a weight no drug takes is the weight of the count before it;
    "40 blocks of X, weighing 50 kg": packages give way to their weight."""
    prev = items[-1] if items and items[-1].sentence == index else None
    if (
        prev is None
        or q.kind != "mass"
        or prev.weight is not None
        or not _WEIGHING.fullmatch(text, max(prev.q.end, prev.drug.end), q.start)
    ):
        return
    if prev.q.kind in ("tablet", "item"):
        prev.weight = q
    elif prev.q.kind == "package":
        prev.q = q


def _headline_only(a: Analysis, items: list[Item], live: list[Item]) -> list[Item]:
    """Heading amounts of a drug the body gives no amount of: a sub-heading may be the only place
    a second seizure's figure is written."""
    told = {i.family for i in items if i.dropped in (None, "statistic")}
    body_seizure = bool(live) or any(s.seizure and not s.heading for s in a.sents)
    out = []
    for item in items:
        sent = a.sents[item.sentence]
        if (
            item.dropped != "heading"
            or item.generic
            or item.family in told
            or sent.statistic
            or (sent.not_seizure and not sent.seizure)
            or not (sent.seizure or body_seizure)
            or _destroyed(a, sent, item.q)
            or any(_restates(item, o) for o in live)
        ):
            continue
        item.dropped = None
        told.add(item.family)
        out.append(item)
    return out


def _restates(heading: Item, body: Item) -> bool:
    """Is a heading's amount the body's, whatever drug it names ("about 400 kg" over "395 kg")?"""
    ours, theirs = amount_of(heading), amount_of(body)
    if ours is None or theirs is None or ours[0] != theirs[0]:
        return False
    return close(ours[1], theirs[1], heading.q.qualifier) or close(theirs[1], ours[1], None)


def _destroyed(a: Analysis, sent: Sent, q: Quantity) -> bool:
    """Is the verb of the quantity's clause one of destruction, a seizure word only describing the
    drugs ("burned 2 tonnes of confiscated drugs")? The verb comes before the amount in English and
    Russian, and ends the clause where the verb comes last."""
    lang = a.lang
    destroyed = cues.DESTROYED if lang is None else lang.destroyed
    seizure = cues.SEIZURE if lang is None else lang.seizure
    text = a.text
    begin = max(sent.s.start, text.rfind(";", sent.s.start, q.start) + 1)
    stop = text.find(";", q.end, sent.s.end)
    stop = sent.s.end if stop < 0 else stop
    if lang is not None and lang.verb_last:
        found = [(m.start(), True) for m in destroyed.finditer(text, q.end, stop)]
        found += [(m.start(), False) for m in seizure.finditer(text, q.end, stop)]
        return bool(found) and max(found)[1]
    return bool(destroyed.search(text, begin, q.start)) and not seizure.search(text, begin, q.start)


def _seizure_context(a: Analysis, index: int) -> bool:
    sent = a.sents[index]
    if sent.seizure:
        return True
    near = [a.sents[i] for i in (index - 1, index + 1) if 0 <= i < len(a.sents)]
    return any(n.seizure and n.s.paragraph == sent.s.paragraph for n in near)


def _merge_weights(items: list[Item]) -> list[Item]:
    """A count and a weight of the same drug side by side are one item; packages yield to weights."""
    keep: list[Item] = []
    for item in items:
        prev = keep[-1] if keep else None
        if (
            prev is not None
            and prev.sentence == item.sentence
            and prev.drug is item.drug
            and item.q.start - prev.q.end <= 40
        ):
            if prev.q.kind in ("tablet", "item") and item.q.kind == "mass":
                prev.weight = item.q
                continue
            if prev.q.kind == "package" and item.q.kind in ("mass", "tablet"):
                keep[-1] = item
                continue
        keep.append(item)
    masses = {(i.incident, i.drug.code) for i in keep if i.q.kind == "mass"}
    keep = [
        i for i in keep if not (i.q.kind == "package" and (i.generic or (i.incident, i.drug.code) in masses))
    ]
    return _weight_beside_count(keep)


def _weight_beside_count(items: list[Item]) -> list[Item]:
    """One count and one weight of a drug in one incident are one haul told two ways ("1,200 kg ...
    more than 7 million pills"): the count keeps the weight."""
    out = list(items)
    for count in items:
        if count.q.kind != "tablet" or count.weight is not None or count.generic:
            continue
        same = [
            i for i in items if i.incident == count.incident and i.family == count.family and i is not count
        ]
        if len(same) == 1 and same[0].q.kind == "mass" and same[0] in out:
            count.weight = same[0].q
            out.remove(same[0])
    return out


def _name_generic(a: Analysis, live: list[Item]) -> None:
    """A generic amount takes the drug its incident names, when the incident names one drug only
    and no other amount of it ("40 kg of drugs were found ... the substance was heroin")."""
    told = {o.incident for o in live if not o.generic and o.q.kind != "package"}  # before any is named
    for item in live:
        if not item.drug.generic or len(item.codes) > 1 or item.incident in told:
            continue
        named = [d for i in a.incidents[item.incident] for d in _drugs_of(a, i) if not d.generic]
        if len({reported_code(d.code, True) for d in named}) == 1 and named[0].code != "psychotropic_pills":
            item.drug = named[0]
            item.codes = [named[0].code]


def _drugs_of(a: Analysis, index: int) -> list[DrugMention]:
    sent = a.sents[index]
    if sent.quantities:
        return sent.drugs
    s = sent.s
    return (
        find_drugs(a.text, s.start, s.end)
        if a.lang is None
        else find_drugs_in(a.text, a.lang, s.start, s.end)
    )


def _refine_from_loose(a: Analysis, items: list[Item], used: set[tuple[int, int]]) -> None:
    """A bare exact figure later in the text ("in all 2,003,118 pills weighing 310 kilos") replaces
    the rounded one given with the drug ("over 2 million pills of tramadol")."""
    for sent in a.sents:
        if sent.heading or sent.statistic or not sent.seizure:
            continue
        for n, q in enumerate(sent.quantities):
            if (q.start, q.end) in used or q.qualifier in APPROX or q.kind == "package":
                continue
            for item in items:
                amount = amount_of(item)
                if item.dropped or item.q.qualifier not in APPROX or item.q.kind != q.kind or amount is None:
                    continue
                mine = kg_of(q, item.code) if q.kind == "mass" else q.value
                if mine is None or mine == amount[1] or not close(amount[1], mine, item.q.qualifier):
                    continue
                item.q = q
                nxt = sent.quantities[n + 1] if n + 1 < len(sent.quantities) else None
                if nxt is not None and nxt.kind == "mass" and "weigh" in a.text[q.end : nxt.start]:
                    item.weight = nxt
                break


def _incidents(a: Analysis, anchors: set[int]) -> list[list[int]]:
    groups: list[list[int]] = [[]]
    has_items = False
    dates: set[str] = set()
    places: set[str] = set()
    for index, sent in enumerate(a.sents):
        own_dates = {d.value for d in sent.dates if not d.reporting and not sent.statistic}
        own_places = {
            p.text for p in sent.places if p.prep not in ("from", "to", "into", "via", "through", "for")
        }
        new = has_items and (
            sent.new_incident
            or (own_dates and dates and not own_dates & dates)
            or (index in anchors and own_places and places and not own_places & places and sent.drugs != [])
        )
        if new:
            groups.append([])
            has_items = False
            dates, places = set(), set()
        groups[-1].append(index)
        dates |= own_dates
        places |= own_places
        has_items = has_items or index in anchors
    return groups


def _own_incident(sent: Sent) -> bool:
    """Does the sentence carry a seizure of its own (a date, a place, "in another operation")?"""
    dated = any(not d.reporting for d in sent.dates)
    placed = any(p.prep not in ("from", "to", "into", "via", "through", "for") for p in sent.places)
    return dated or placed or sent.new_incident


def _spread_statistics(sents: list[Sent]) -> None:
    """Aggregate context reaches the sentences that continue it or that it refers back to."""
    body = [s for s in sents if not s.heading]
    summary = bool(body) and cues.is_statistic(body[0].s.text, periods_only=True)
    for n, sent in enumerate(sents):
        if sent.statistic or sent.heading:
            continue
        prev = sents[n - 1] if n else None
        nxt = sents[n + 1] if n + 1 < len(sents) else None
        if (
            (prev is not None and prev.statistic and cues.CONTINUES.match(sent.s.text))
            or (nxt is not None and nxt.statistic and cues.REFERS_BACK.match(nxt.s.text))
            or (summary and sent.quantities and not _own_incident(sent))
        ):
            sent.statistic = True


def _clause_end(sent: Sent, q: Quantity) -> int:
    """Where the words about ``q`` end: at the next quantity, or 80 characters on."""
    nxt = min((o.start for o in sent.quantities if o.start >= q.end), default=sent.s.end)
    return min(nxt, sent.s.end, q.end + 80)


def analyse(text: str, published: dt.date | None, lang: Language | None = None) -> Analysis:
    """Items, statistics and incidents of ``text``: English by default, else ``lang``'s data."""
    if lang is None:
        sents, country = _analyse_sentences(text, published)
    else:
        sents, country = _analyse_in(text, published, lang)
    a = Analysis(text=text, published=published, sents=sents, country=country, lang=lang)
    if lang is None and sents:
        a.dateline = dateline_country(text, sents[0].s.start, sents[0].s.end)  # "QUETTA - Police ..."
        a.country = a.country or (a.dateline[0] if a.dateline else None)
    if lang is None:
        _spread_statistics(a.sents)
    items = _items(a)
    for item in items:
        sent = a.sents[item.sentence]
        if sent.heading:
            item.dropped = "heading"
        elif not _seizure_context(a, item.sentence):
            item.dropped = "no seizure word nearby"
        elif sent.not_seizure and not sent.seizure:
            item.dropped = "not about a seizure"
        elif lang is None and cues.COMPARISON.search(a.text, sent.s.start, item.q.start):
            item.dropped = "comparison with another seizure"
        elif lang is not None and lang.hypothetical.search(a.text, item.q.end, _clause_end(sent, item.q)):
            item.dropped = "an amount that could be made, not one seized"
        elif _destroyed(a, sent, item.q):
            item.dropped = "destroyed after an earlier seizure"
        elif sent.statistic:
            item.dropped = "statistic"
    a.stat_items = [i for i in items if i.dropped == "statistic"]
    live = [i for i in items if i.dropped is None]
    anchors = {i.sentence for i in live}
    live += _headline_only(a, items, live)
    a.incidents = _incidents(a, anchors)
    where = {s: n for n, group in enumerate(a.incidents) for s in group}
    for item in live:
        # a heading introduces the text under it
        below = item.sentence + 1 if item.sentence not in anchors and item.sentence + 1 in where else None
        item.incident = where[item.sentence if below is None else below]
    _name_generic(a, live)
    live = _merge_weights(live)
    used = {(i.q.start, i.q.end) for i in items} | {(i.weight.start, i.weight.end) for i in items if i.weight}
    _refine_from_loose(a, live, used)
    drop_totals(live)
    drop_restated_totals(live)
    drop_repeats(live)
    a.items = [i for i in live if i.dropped is None]
    return a
