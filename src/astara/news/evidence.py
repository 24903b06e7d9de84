"""Named evidence that two reports tell of the same seizure, and the score it adds up to.

    evidence = compare(Side(mine, window, "AZ", "Astara customs post"), Side(theirs, ...))
    if evidence is not None:
        score(evidence), [e.text("fa") for e in evidence]

Each comparison (drugs, quantities, dates, places, outlets) either contradicts the match (the
comparison returns None and nothing is proposed) or adds pieces of evidence, each with a reason code,
a weight and the values it compared. The score is the sum of the weights; the words are the code's
message in the catalogue (``news.evidence.<code>``), so the page says them in its own language.
Every value compared is one no language changes (drug codes, kilograms, Gregorian dates, ISO
countries, place names in Latin letters), so a report in Azerbaijani meets one in Russian as two
English reports meet; "other_language" only tells the analyst why the texts differ. Nothing here
reads the store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from anyascii import anyascii
from babel import Locale, UnknownLocaleError

from astara.i18n import translate
from astara.vocab import get_vocabulary

__all__ = ["Entry", "Evidence", "Side", "compare", "interval", "language_name", "score", "widen"]

KG_TOLERANCE = 0.05  # quantities within 5 % are the same seizure reported twice
DATE_SLACK = dt.timedelta(days=3)  # reports round dates ("on Tuesday", "last week")
UNDATED_LOOKBACK = dt.timedelta(days=14)  # an undated report tells of a seizure in the fortnight before
PLACE_NOISE = frozenset({
    "border", "crossing", "checkpoint", "customs", "post", "port", "airport", "district", "region",
    "province", "city", "village", "station", "terminal", "rayon", "the", "of", "at", "near",
})  # fmt: skip

# What each piece of evidence adds to the score; the drugs must agree for any proposal at all.
WEIGHTS: dict[str, float] = {
    "drugs_agree": 0.5,
    "drug_group_agrees": 0.5,
    "quantity_exact": 0.1,  # shared among the drugs, for those whose quantities are equal
    "same_day": 0.2,
    "dates_overlap": 0.1,
    "dates_apart": 0.1,
    "date_unknown": 0.0,
    "same_country": 0.1,
    "same_place": 0.1,
    "place_unknown": 0.0,
    "other_outlet": 0.0,  # tells the analyst why two texts exist, not that they agree
    "other_language": 0.0,  # a translation is no more and no less likely the same seizure
}
LANGUAGE_VALUES = ("this_language", "that_language")  # values holding a language code, named when shown

Value = str | int | float
Window = tuple[dt.date, dt.date]
Entry = tuple[str, float | None, float | None, str]  # drug, quantity, kg, unit


@dataclass(frozen=True)
class Evidence:
    """One named piece of evidence: its reason code, what it adds to the score, the values compared."""

    code: str
    weight: float
    values: dict[str, Value] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        """The reason in words, from the catalogue; languages by their names in ``language``."""
        values = {
            k: language_name(str(v), language) if k in LANGUAGE_VALUES else v for k, v in self.values.items()
        }
        return translate(language, f"news.evidence.{self.code}", **values)


def language_name(code: str, language: str) -> str:
    """``code``'s name in ``language`` ("ru" in Azerbaijani: "rus"), from Babel's locale data."""
    try:
        return Locale.parse(language).languages.get(code) or code
    except (ValueError, UnknownLocaleError):
        return code


@dataclass(frozen=True)
class Side:
    """What one report or record says of the incident."""

    entries: Sequence[Entry]
    window: Window | None
    country: str | None
    place: str | None
    outlet: str | None = None
    language: str | None = None  # ISO 639-1 of the text the side was read from


def score(evidence: Sequence[Evidence]) -> float:
    return round(min(sum(e.weight for e in evidence), 1.0), 2)


def compare(mine: Side, theirs: Side) -> list[Evidence] | None:
    """The evidence that ``mine`` and ``theirs`` are one seizure, or None when something contradicts it."""
    quantity = _quantities(mine.entries, theirs.entries)
    if quantity is None:
        return None
    date = _dates(mine.window, theirs.window)
    if date is None:
        return None
    where = _places(mine.country, mine.place, theirs.country, theirs.place)
    if where is None:
        return None
    told = []
    if theirs.outlet and theirs.outlet != mine.outlet:
        told.append(Evidence("other_outlet", WEIGHTS["other_outlet"], {"outlet": theirs.outlet}))
    if mine.language and theirs.language and mine.language != theirs.language:
        languages: dict[str, Value] = {"this_language": mine.language, "that_language": theirs.language}
        told.append(Evidence("other_language", WEIGHTS["other_language"], languages))
    return [*quantity, date, *where, *told]


def interval(date: str | None, published: dt.date | None) -> Window | None:
    """The days a (possibly partial) date may mean; an undated report: the fortnight before publication."""
    if not date:
        return (published - UNDATED_LOOKBACK, published) if published else None
    try:
        if len(date) == 4:
            return dt.date(int(date), 1, 1), dt.date(int(date), 12, 31)
        if len(date) == 7:
            first = dt.date(int(date[:4]), int(date[5:7]), 1)
            following = (first + dt.timedelta(days=32)).replace(day=1)
            return first, following - dt.timedelta(days=1)
        day = dt.date.fromisoformat(date[:10])
        return day, day
    except ValueError:
        return None


def widen(window: Window | None) -> Window | None:
    """The days a candidate's date may fall on to meet ``window``."""
    return (window[0] - DATE_SLACK, window[1] + DATE_SLACK) if window else None


def _dates(a: Window | None, b: Window | None) -> Evidence | None:
    if a is None or b is None:
        return Evidence("date_unknown", WEIGHTS["date_unknown"])
    if not (a[0] - DATE_SLACK <= b[1] and b[0] - DATE_SLACK <= a[1]):
        return None
    if a == b and a[0] == a[1]:
        return Evidence("same_day", WEIGHTS["same_day"], {"date": a[0].isoformat()})
    gap = max((a[0] - b[1]).days, (b[0] - a[1]).days, 0)
    if gap == 0:
        return Evidence("dates_overlap", WEIGHTS["dates_overlap"])
    return Evidence("dates_apart", WEIGHTS["dates_apart"], {"days": gap})


def _place_words(text: str | None) -> set[str]:
    """The telling words of a place in Latin letters, so "Астара" and "Astara" share one."""
    words = re.findall(r"\w+", anyascii(text or "").lower())
    return {w for w in words if len(w) >= 4 and w not in PLACE_NOISE}


def _places(
    country_a: str | None, place_a: str | None, country_b: str | None, place_b: str | None
) -> list[Evidence] | None:
    found = []
    if country_a and country_b:
        if country_a != country_b:
            return None
        found.append(Evidence("same_country", WEIGHTS["same_country"], {"country": country_a}))
    words_a, words_b = _place_words(place_a), _place_words(place_b)
    if words_a and words_b:
        shared = words_a & words_b
        if not shared:
            return None
        found.append(Evidence("same_place", WEIGHTS["same_place"], {"words": ", ".join(sorted(shared))}))
    return found or [Evidence("place_unknown", WEIGHTS["place_unknown"])]


def drug_group(code: str) -> str:
    """A drug's group, so that "opiates" in a report meets "opium" in a record."""
    try:
        return get_vocabulary().drugs.get(code).group
    except KeyError:
        return code


def _measure(quantity: float | None, kg: float | None, unit: str) -> tuple[str, float] | None:
    """("kg", kilograms) for a weight, ("tablet", count) and the like for counted units."""
    found = get_vocabulary().units.lookup(unit) if unit else None
    if found is not None and found.kind == "mass":
        return ("kg", kg) if kg is not None else None
    if quantity is None:
        return None
    if found is None:
        return unit.rstrip("s").lower(), quantity
    return found.item or found.code, quantity * (found.count_factor or 1)


def _by_drug(entries: Sequence[Entry], key: Callable[[str], str]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for entry in entries:
        out.setdefault(key(entry[0]), []).append(entry)
    return out


def _totals(entries: list[Entry]) -> dict[str, float] | None:
    """Each measure's total (kilograms, tablets...), or None when a quantity cannot be measured."""
    sums: dict[str, float] = {}
    for _drug, quantity, kg, unit in entries:
        measure = _measure(quantity, kg, unit)
        if measure is None:
            return None
        sums[measure[0]] = sums.get(measure[0], 0.0) + measure[1]
    return sums


def _quantities(mine: Sequence[Entry], theirs: Sequence[Entry]) -> list[Evidence] | None:
    """The drugs agree and each drug's quantities agree within tolerance, or None.

    Drugs are compared by code; a side that names only unspecified drugs ("opiates") is compared
    by drug group.
    """
    code = "drugs_agree"
    ours, other = _by_drug(mine, str), _by_drug(theirs, str)
    if set(ours) != set(other) and any(
        all(c.endswith("_unspecified") for c in side) for side in (ours, other)
    ):
        code = "drug_group_agrees"
        ours, other = _by_drug(mine, drug_group), _by_drug(theirs, drug_group)
    if set(ours) != set(other):
        return None
    pieces: list[tuple[str, bool, dict[str, Value]]] = []  # code, exact, values
    for key, entries in ours.items():
        name = "+".join(sorted({e[0] for e in entries}))
        a, b = _totals(entries), _totals(other[key])
        if a is None or b is None or set(a) != set(b):
            return None
        for kind, value_a in sorted(a.items()):
            value_b = b[kind]
            if kind == "kg":
                off = abs(value_a - value_b) / max(value_a, value_b, 1e-9)
                if off > KG_TOLERANCE:
                    return None
                values: dict[str, Value] = {"drug": name, "mine": value_a, "theirs": value_b,
                                            "apart": round(off * 100, 1)}  # fmt: skip
                pieces.append(("weight_agrees", off == 0, values))
            elif value_a != value_b:
                return None
            else:
                pieces.append(("count_agrees", True, {"drug": name, "count": value_a, "unit": kind}))
    exact = WEIGHTS["quantity_exact"] / max(len(pieces), 1)
    return [
        *(Evidence(c, exact if same else 0.0, values) for c, same, values in pieces),
        Evidence(code, WEIGHTS[code], {"drugs": "+".join(sorted(ours))}),
    ]
