"""Evidence that two person records are one person: name, father's name, birth date, identifier,
nationality and sex, each a named feature with a weight.

The weights make the conventions of cross-agency records hold: renderings of one name are not enough,
the records must also agree on the full birth date, on the identifier, or on birth year, father's name
and nationality together; birth years two or more apart, different permanent identifiers, different
fathers or nationalities make a namesake, not a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from astara.matching.names import compare_names, compare_patronymics
from astara.matching.schemas import Evidence
from astara.matching.scripts import fold_digits
from astara.matching.tokens import parse_name

BIAS = -6.5
W_NAME = 5.0
W_PATRONYMIC_SAME = 1.5
W_PATRONYMIC_DIFFERENT = 5.0
W_BIRTH_DATE = 4.0
W_BIRTH_YEAR_DISJOINT = 6.0
W_ID_SAME = 5.0
W_ID_DIFFERENT = 8.0
W_NATIONALITY_SAME = 0.5
W_NATIONALITY_DIFFERENT = 4.0
W_SEX_DIFFERENT = 4.0

# Identifier types that never change: one per nationality (IR national code, AZ FIN, TR T.C. Kimlik,
# GE personal number, AF e-tazkira). Russian and Turkmen passport numbers are reissued.
PERMANENT_ID_COUNTRIES = frozenset({"IR", "AZ", "TR", "GE", "AF"})
TURKIC_HINTS = frozenset({"az-Latn", "az-Cyrl", "tr", "tk"})


@dataclass(frozen=True)
class BirthDate:
    year: int
    month: int | None
    day: int | None

    @classmethod
    def parse(cls, text: Any) -> BirthDate | None:
        if not text:
            return None
        found = re.match(r"^\s*(\d{4})(?:-(\d{1,2})-(\d{1,2}))?", fold_digits(str(text)))
        if not found:
            return None
        year = int(found[1])
        if found[2]:
            return cls(year, int(found[2]), int(found[3]))
        return cls(year, None, None)

    def as_date(self) -> date | None:
        if self.month is None or self.day is None:
            return None
        try:
            return date(self.year, self.month, self.day)
        except ValueError:
            return None


def normalize_id(text: Any) -> str | None:
    if not text:
        return None
    value = fold_digits(str(text)).upper().strip()
    value = re.sub(r"^FIN\s*[:.]?\s*", "", value)
    value = re.sub(r"[\s\-/.]", "", value)
    return value or None


@dataclass(frozen=True)
class Facts:
    """What a person record says besides its name: the scorer and its ceiling compare these."""

    birth: BirthDate | None
    id_number: str | None
    nationality: str | None


def facts(record: dict[str, Any]) -> Facts:
    nationality = record.get("nationality")
    return Facts(
        BirthDate.parse(record.get("birth_date")),
        normalize_id(record.get("id_number")),
        str(nationality).upper() if nationality else None,
    )


# A feature besides the names: its name, value, weight, and why, as a template that only the
# evidence fills in (the matcher's ceiling, run for every candidate pair, needs no words).
Feature = tuple[str, float, float, str]


def _birth(a: BirthDate | None, b: BirthDate | None) -> Feature:
    if a is None or b is None:
        return "birth_date_match", 0.0, W_BIRTH_DATE, "birth date missing on one side"
    if abs(a.year - b.year) >= 2:
        return "birth_year_disjoint", -1.0, W_BIRTH_YEAR_DISJOINT, "{shown}: years {years} apart"
    if a.year != b.year:
        return "birth_year_disjoint", -0.75, W_BIRTH_YEAR_DISJOINT, "{shown}: years one apart"
    da, db = a.as_date(), b.as_date()
    if da is None or db is None:
        return "birth_date_match", 0.15, W_BIRTH_DATE, "{shown}: same year, no full date on one side"
    if da == db:
        return "birth_date_match", 1.0, W_BIRTH_DATE, "{shown}: same date"
    if a.month == b.day and a.day == b.month:
        return "birth_date_match", 0.25, W_BIRTH_DATE, "{shown}: day and month transposed"
    value = -0.75 if abs((da - db).days) >= 40 else -0.1
    return "birth_date_match", value, W_BIRTH_DATE, "{shown}: same year, {days} days apart"


def _identifier(a: Facts, b: Facts) -> Feature:
    if a.id_number is None or b.id_number is None:
        return "id_number_match", 0.0, W_ID_SAME, "identifier missing on one side"
    if a.id_number == b.id_number:
        return "id_number_match", 1.0, W_ID_SAME, "{ia} = {ib}"
    nationalities = {n for n in (a.nationality, b.nationality) if n}
    if nationalities and nationalities <= PERMANENT_ID_COUNTRIES:
        return "id_number_conflict", -1.0, W_ID_DIFFERENT, "{ia} != {ib}: permanent identifiers differ"
    return "id_number_match", 0.0, W_ID_SAME, "{ia} != {ib}: passport numbers are reissued"


def _nationality(a: str | None, b: str | None) -> Feature:
    if not a or not b:
        return "nationality_match", 0.0, W_NATIONALITY_SAME, "nationality missing on one side"
    if a == b:
        return "nationality_match", 1.0, W_NATIONALITY_SAME, "{na} = {nb}"
    return "nationality_conflict", -1.0, W_NATIONALITY_DIFFERENT, "{na} != {nb}"


def _facts_compared(a: Facts, b: Facts) -> tuple[Feature, Feature, Feature]:
    """Birth date, identifier and nationality compared, in the order the evidence lists them."""
    return _birth(a.birth, b.birth), _identifier(a, b), _nationality(a.nationality, b.nationality)


def _words(a: Facts, b: Facts) -> dict[str, Any]:
    """What the features' reasons name."""
    words: dict[str, Any] = {"ia": a.id_number, "ib": b.id_number, "na": a.nationality, "nb": b.nationality}
    x, y = a.birth, b.birth
    if x is not None and y is not None:
        words["shown"] = (
            f"{x.year}-{x.month or '??'}-{x.day or '??'} ~ {y.year}-{y.month or '??'}-{y.day or '??'}"
        )
        words["years"] = abs(x.year - y.year)
        dx, dy = x.as_date(), y.as_date()
        words["days"] = abs((dx - dy).days) if dx is not None and dy is not None else None
    return words


def score_person(a: dict[str, Any], b: dict[str, Any]) -> Evidence:
    ev = Evidence(BIAS)
    pa = parse_name(str(a.get("name") or ""), a.get("script_hint") in TURKIC_HINTS)
    pb = parse_name(str(b.get("name") or ""), b.get("script_hint") in TURKIC_HINTS)
    names = compare_names(pa, pb)
    cost = names.cost
    if names.conflict:
        value = -1.0
    elif cost <= 0.8:  # renderings of one name: transliteration variance stays below this
        value = 1.0
    elif cost <= 1.4:  # about one typing or OCR slip
        value = 1.0 - (cost - 0.8) / 0.6 * 0.5
    else:
        value = 0.5 - (cost - 1.4) / 1.1 * 1.5
    detail = "; ".join([*(f"{p.a} ~ {p.b}: {p.note} ({p.cost})" for p in names.pairs), *names.notes])
    ev.add("name_match", value, W_NAME, f"{pa.raw} ~ {pb.raw} [cost {cost:.2f}] {detail}")

    status, _, what = compare_patronymics(pa, pb)
    if status == "same":
        ev.add("patronymic_match", 1.0, W_PATRONYMIC_SAME, what)
    elif status == "different":
        ev.add("patronymic_conflict", -1.0, W_PATRONYMIC_DIFFERENT, what)
    else:
        ev.add("patronymic_match", 0.0, W_PATRONYMIC_SAME, what)

    fa, fb = facts(a), facts(b)
    words = _words(fa, fb)
    for name, value, weight, why in _facts_compared(fa, fb):
        ev.add(name, value, weight, why.format(**words))
    if pa.sex and pb.sex and pa.sex != pb.sex:
        ev.add(
            "sex_conflict",
            -1.0,
            W_SEX_DIFFERENT,
            f"{pa.sex} != {pb.sex} (patronymic marker or surname ending)",
        )
    return ev


def ceiling(a: Facts, b: Facts) -> float:
    """The highest log-odds :func:`score_person` can give two records with these facts, whatever
    their names: the names and father's names at their best, the rest as it is. A pair whose ceiling
    stays under the threshold is no match, so it need not be scored."""
    value = BIAS + W_NAME + W_PATRONYMIC_SAME
    for _name, feature, weight, _why in _facts_compared(a, b):
        value += feature * weight
    return value
