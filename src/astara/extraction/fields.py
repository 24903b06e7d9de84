"""The fields of one event: each is looked for in the quantity's own sentence first, then in the
other sentences of its incident (nearest first), then, for country, agency and route, in the
article as a whole. Every value keeps the span it came from."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from astara.extraction import actors, conveyance
from astara.extraction.events import Analysis, Sent
from astara.extraction.items import Item
from astara.extraction.places import KIND_RANK, CountryMention, PlaceMention, seizure_countries
from astara.extraction.where import find_agencies_in, find_transport_in

__all__ = ["Context", "Fields", "resolve"]

T = TypeVar("T")
_ROUTE_PREPS = frozenset({"from", "to", "into", "via", "through", "for", "towards"})


@dataclass
class Fields:
    values: dict[str, object] = field(default_factory=dict)
    evidence: dict[str, tuple[int, int]] = field(default_factory=dict)

    def set(self, name: str, value: object, span: tuple[int, int] | None) -> None:
        if value in (None, "", []):
            return
        self.values[name] = value
        if span is not None:
            self.evidence[name] = span


class Context:
    """Per-article caches and article-wide defaults."""

    def __init__(self, a: Analysis) -> None:
        self.a = a
        self._cache: dict[tuple[str, int], list[actors.Found] | list[conveyance.Mention]] = {}
        self.country = self._document_country()
        self.agency = self._document_agency()

    def countries(self, index: int) -> list[CountryMention]:
        return self.a.sents[index].countries

    def found(self, kind: str, index: int) -> Sequence[actors.Found | conveyance.Mention]:
        key = (kind, index)
        if key not in self._cache:
            s = self.a.sents[index].s
            if self.a.lang is not None:
                # the English finders read English words; a language file names its agencies
                lang = self.a.lang
                read = {"agency": find_agencies_in, "transport": find_transport_in}.get(kind)
                hits = read(self.a.text, lang, s.start, s.end) if read is not None else []
                self._cache[key] = hits
                return hits
            finder: Callable[[str, int, int], list[actors.Found] | list[conveyance.Mention]] = _FINDERS[kind]
            self._cache[key] = finder(self.a.text, s.start, s.end)
        return self._cache[key]

    def seizure_countries(self, index: int) -> list[CountryMention]:
        return seizure_countries(self.a.text, self.countries(index))

    def _document_country(self) -> tuple[str, tuple[int, int]] | None:
        code = self.a.country
        if code is None:
            votes: Counter[str] = Counter()
            for sent in self.a.sents:
                votes.update(p.country for p in sent.places if p.country and p.prep not in _ROUTE_PREPS)
            if not votes:
                return None
            code = votes.most_common(1)[0][0]
        for index, sent in enumerate(self.a.sents):
            for c in self.seizure_countries(index):
                if c.code == code:
                    return code, (c.start, c.end)
            for p in sent.places:
                if p.country == code:
                    return code, (p.start, p.end)
        if self.a.dateline is not None and self.a.dateline[0] == code:
            return code, self.a.dateline[1:]  # the city the report was filed from
        return None

    def _document_agency(self) -> actors.Found | None:
        for index in range(min(len(self.a.sents), 4)):
            found = self.found("agency", index)
            if found:
                hit = found[0]
                assert isinstance(hit, actors.Found)
                return hit
        return None


_FINDERS: dict[str, Callable[[str, int, int], list[actors.Found] | list[conveyance.Mention]]] = {
    "agency": actors.find_agencies,
    "arrests": actors.find_arrests,
    "nationalities": actors.find_nationalities,
    "persons": actors.find_persons,
    "vehicles": actors.find_vehicle_ids,
    "transport": conveyance.find_transport,
    "concealment": conveyance.find_concealment,
    "cover": conveyance.find_cover_cargo,
}


def _order(a: Analysis, item: Item) -> list[int]:
    group = a.incidents[item.incident]
    before = [i for i in reversed(group) if i < item.sentence]
    after = [i for i in group if i > item.sentence]
    return [item.sentence, *before, *after]


def _first(order: Iterable[int], get: Callable[[int], Sequence[T]]) -> T | None:
    for index in order:
        hits = get(index)
        if hits:
            return hits[0]
    return None


def _place(sent: Sent) -> list[PlaceMention]:
    places = [p for p in sent.places if p.prep not in _ROUTE_PREPS and p.kind != "country"]
    return sorted(places, key=lambda p: KIND_RANK.get(p.kind, 4))


_ONWARD = re.compile(r"\W*(?:and\s+)?(?:from there|then|thence|onwards?|on)\s+(?:to|into)\b", re.IGNORECASE)


def resolve(ctx: Context, item: Item) -> Fields:
    a = ctx.a
    f = Fields()
    order = _order(a, item)
    nearest = sorted(order, key=lambda i: (abs(i - item.sentence), i > item.sentence))
    # date: a date of the seizure (not of the report) in the sentence, then in the incident
    date = _first(
        nearest,
        lambda i: [
            d
            for d in a.sents[i].dates
            if not d.reporting and (i == item.sentence or not a.sents[i].statistic)
        ],
    )
    if date is None:
        # "On the same day, ..." / an earlier incident's date: the nearest earlier date of a seizure
        date = _first(
            range(item.sentence - 1, -1, -1),
            lambda i: [d for d in a.sents[i].dates if not d.reporting and not a.sents[i].statistic],
        )
    if date is not None:
        f.set("date", date.value, (date.start, date.end))
    elif a.published is not None:
        # no date in the text: a news report tells of a recent seizure, so its month is the best
        # partial date there is; no span says where it came from (the service adds a warning)
        f.set("date", a.published.strftime("%Y-%m"), None)
    # place and country
    place = _first(order, lambda i: _place(a.sents[i]))
    if place is not None:
        f.set("place", place.text, (place.start, place.end))
        areas = [
            p
            for i in order
            for p in a.sents[i].places
            if p.kind in ("district", "area") and p is not place and p.prep not in _ROUTE_PREPS
        ]
        if areas and KIND_RANK.get(place.kind, 4) < KIND_RANK["district"]:
            f.set("admin_area", areas[0].text, (areas[0].start, areas[0].end))
    route: dict[str, CountryMention] = {}
    transit: list[CountryMention] = []
    # The article's lead gives the route of its first incident, not of every incident.
    others = {i for n, group in enumerate(a.incidents) if n != item.incident for i in group}
    lead = [i for i in range(min(3, len(a.sents))) if i not in others]
    for index in [*order, *lead]:
        for c in ctx.countries(index):
            earlier = route.get("destination")
            if c.role == "destination" and earlier is not None and _ONWARD.match(a.text, earlier.end):
                # "to Greece and from there to Italy": the first stop is a transit country
                transit.append(route["destination"])
                route["destination"] = c
            elif c.role in ("origin", "destination") and c.role not in route:
                route[c.role] = c
            elif c.role == "transit" and c.code not in {t.code for t in transit}:
                transit.append(c)
        vehicle = next((c for c in ctx.countries(index) if c.role == "vehicle"), None)
        if vehicle is not None and "origin" not in route and index in order:
            route["origin"] = vehicle  # "an Iranian truck", unless the text says where it came from
        if route:
            break
    for role, c in route.items():
        f.set(role, c.code, (c.start, c.end))
    if transit:
        f.set("transit", [t.code for t in transit], (transit[0].start, transit[0].end))
    country = None
    if place is not None and place.country:
        country = (place.country, (place.start, place.end))
    else:
        before = [i for i in order if i <= item.sentence]
        after = [i for i in order if i > item.sentence]
        hit = _first(before, ctx.seizure_countries)
        if hit is None and ctx.country is None:
            hit = _first(after, ctx.seizure_countries)
        if hit is not None:
            country = (hit.code, (hit.start, hit.end))
        elif ctx.country is not None:
            country = ctx.country
        elif place is not None and place.kind == "water":
            pass  # seized at sea: where the boat was going is not where it was stopped
        elif transit:
            country = (transit[0].code, (transit[0].start, transit[0].end))
        elif "destination" in route:
            c = route["destination"]
            country = (c.code, (c.start, c.end))
    if country is not None:
        f.set("country", country[0], country[1])
    _actors(ctx, item, order, f)
    agency = f.values.get("agency")
    if "country" not in f.values and a.lang is not None and isinstance(agency, str):
        # a national agency says where it works: "the State Customs Committee" seizes in Azerbaijan
        f.set("country", a.lang.agency_countries.get(agency), f.evidence.get("agency"))
    if "transport" not in f.values and place is not None:
        word = place.text.lower()
        if "airport" in word:
            f.set("transport", "air", (place.start, place.end))
        elif "port" in word.split() or "harbo" in word or "waters" in word or place.kind == "water":
            f.set("transport", "sea", (place.start, place.end))
    return f


def _actors(ctx: Context, item: Item, order: list[int], f: Fields) -> None:
    strong = _first(order, lambda i: [h for h in ctx.found("agency", i) if not actors.is_weak(h.value)])
    if strong is None and ctx.agency is not None and not actors.is_weak(ctx.agency.value):
        strong = ctx.agency
    agency = strong or _first(order, lambda i: ctx.found("agency", i)) or ctx.agency
    if agency is not None:
        f.set("agency", agency.value, (agency.start, agency.end))
    for name, kind in (("transport", "transport"), ("concealment", "concealment"), ("cover_cargo", "cover")):
        hit = _first(order, lambda i, k=kind: ctx.found(k, i))  # type: ignore[misc]
        if hit is not None:
            f.set(name, hit.value, (hit.start, hit.end))
    arrests = _first(order, lambda i: ctx.found("arrests", i))
    if arrests is not None:
        f.set("arrested", int(arrests.value), (arrests.start, arrests.end))
    for name, kind in (
        ("suspect_nationalities", "nationalities"),
        ("persons", "persons"),
        ("vehicle_ids", "vehicles"),
    ):
        hits = [h for i in order for h in ctx.found(kind, i)]
        if hits:
            f.set(name, list(dict.fromkeys(h.value for h in hits)), (hits[0].start, hits[0].end))
