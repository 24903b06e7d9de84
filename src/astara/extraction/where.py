"""Countries, places and agencies in a language read from data, named in English.

Names are looked up as they stand and without a case ending ("İrandan" is İran, "Ирана" is Иран)
in the country table (:mod:`astara.kit.countries`, which knows the region's languages) and the
gazetteer (whose places carry their Russian, Azerbaijani and Persian names). A route role comes
from the language's route words: a preposition before ("из", "از"), a case ending ("-dan": from,
"-a": to) or a word after ("üzerinden": via). Agencies are the language file's forms of each
agency, reported under its English name.
"""

from __future__ import annotations

import re
from functools import cache

from astara.extraction.actors import Found
from astara.extraction.languages import Language, stem_pattern
from astara.extraction.places import CountryMention, PlaceMention, country_of
from astara.gazetteer import get_gazetteer

__all__ = ["find_agencies_in", "find_countries_in", "find_places_in", "find_transport_in"]

_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
_PREP = {"origin": "from", "destination": "to", "transit": "via"}
_KIND = {"crossing": "facility", "port": "facility", "border_point": "facility", "district": "area"}
_MAX_WORDS = 3
_DOMAIN = re.compile(r"\.[a-z]{2,}\b")


def _capital(word: str) -> bool:
    return word[:1].isupper()


def _role(text: str, lang: Language, start: int, end: int, ending: str) -> str | None:
    before = text[max(0, start - 30) : start].split()
    prev = before[-1].lower() if before else ""
    after = text[end : end + 30].lstrip("'’ ").split()
    following = after[0].lower().strip(".,;:") if after else ""
    route = lang.route
    if following in route["person_after"]:
        return "nationality"
    if prev in route["transit_before"] or following in route["transit_after"]:
        return "transit"
    if prev in route["origin_before"] or (ending and ending in route["origin_endings"]):
        return "origin"
    if (prev in route["destination_before"] and not ending) or (
        ending and ending in route["destination_endings"]
    ):
        return "destination"
    return None


def _candidates(
    text: str, lang: Language, start: int, end: int
) -> list[tuple[int, int, list[tuple[str, str]]]]:
    """Runs of one to three words that may be a name, each with its forms (form, ending taken off)."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]
    runs = []
    for i, (a, _, word) in enumerate(tokens):
        if lang.code != "fa" and not _capital(word):
            continue
        if lang.code == "fa" and (i == 0 or tokens[i - 1][2] not in lang.route["place_before"]):
            continue  # no capitals in Persian: a name follows a place word ("شهرستان", "بندر")
        for n in range(min(_MAX_WORDS, len(tokens) - i), 0, -1):
            run = tokens[i : i + n]
            if any(lang.code != "fa" and not _capital(w) for _, _, w in run):
                continue
            if any(run[k + 1][0] - run[k][1] > 1 for k in range(n - 1)):
                continue
            if _DOMAIN.match(text, run[-1][1]) or text[a - 1 : a] in (".", "/", "@"):
                continue  # "Police.ge", "www.Site.az": a web address, not a place
            head = text[a : run[-1][0]]
            last = run[-1][2]
            glued = re.match(r"['’]([^\W\d_]+)", text[run[-1][1] : run[-1][1] + 8])  # "İran'dan"
            forms = [(head + last, glued.group(1).lower() if glued else "")]
            lower = last.lower()
            for ending in sorted(lang.route["place_endings"], key=len, reverse=True):
                if lower.endswith(ending) and len(last) - len(ending) >= 3:
                    forms.append((head + last[: -len(ending)], ending))
            runs.append((a, run[-1][1], forms))
    return runs


def find_countries_in(text: str, lang: Language, start: int, end: int) -> list[CountryMention]:
    """Country names in ``text[start:end]`` with their route role, if any."""
    found: list[CountryMention] = []
    for a, b, forms in _candidates(text, lang, start, end):
        if any(c.start <= a < c.end for c in found):
            continue
        for form, ending in forms:
            if len(form) < 3:
                continue
            code = country_of(form)
            if code is not None:
                found.append(CountryMention(a, b, code, _role(text, lang, a, b, ending), False))
                break
    return found


def find_places_in(text: str, lang: Language, start: int, end: int, hint: str | None) -> list[PlaceMention]:
    """Places of the gazetteer in ``text[start:end]``, named in English, with their route role."""
    gazetteer = get_gazetteer()
    found: list[PlaceMention] = []
    for a, b, forms in _candidates(text, lang, start, end):
        if any(p.start <= a < p.end for p in found):
            continue
        for n, (form, ending) in enumerate(forms):
            # "Van'da": an apostrophe marks a proper name ("TIR'da", an acronym, does not)
            short = 3 if n == 0 and ending and form[1:].islower() else 4
            if len(form) < short or form.lower() in lang.not_places or country_of(form) is not None:
                continue
            place = (gazetteer.resolve(form, country=hint) if hint else None) or gazetteer.resolve(form)
            if place is None:
                continue
            role = _role(text, lang, a, b, ending)
            prep = None if role in (None, "nationality") else _PREP[role]
            found.append(PlaceMention(a, b, place.name, place.country, _KIND.get(place.kind, "city"), prep))
            break
    return found


@cache
def _term_patterns(lang: Language, table: str) -> list[tuple[re.Pattern[str], str]]:
    terms: dict[str, list[str]] = getattr(lang, table)
    return [
        (re.compile(r"(?<!\w)" + stem_pattern(forms), re.IGNORECASE), name) for name, forms in terms.items()
    ]


def find_agencies_in(text: str, lang: Language, start: int, end: int) -> list[Found]:
    """Agencies the language file names, in the order the text gives them, under their English name."""
    return _terms(text, lang, start, end, "agencies")


def find_transport_in(text: str, lang: Language, start: int, end: int) -> list[Found]:
    """Means of transport the language file names (truck, car, rail, ...), in text order."""
    return _terms(text, lang, start, end, "transport")


def _terms(text: str, lang: Language, start: int, end: int, table: str) -> list[Found]:
    found = [
        Found(m.start(), m.end(), name)
        for pattern, name in _term_patterns(lang, table)
        for m in pattern.finditer(text, start, end)
    ]
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    out: list[Found] = []
    for f in found:
        if not any(o.start <= f.start < o.end for o in out):
            out.append(f)
    return out
