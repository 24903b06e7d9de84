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


def _birth_dates(ev: Evidence, a: BirthDate | None, b: BirthDate | None) -> None:
    if a is None or b is None:
        ev.add("birth_date_match", 0.0, W_BIRTH_DATE, "birth date missing on one side")
        return
    shown = f"{a.year}-{a.month or '??'}-{a.day or '??'} ~ {b.year}-{b.month or '??'}-{b.day or '??'}"
    if abs(a.year - b.year) >= 2:
        ev.add(
            "birth_year_disjoint", -1.0, W_BIRTH_YEAR_DISJOINT, f"{shown}: years {abs(a.year - b.year)} apart"
        )
        return
    if a.year != b.year:
        ev.add("birth_year_disjoint", -0.75, W_BIRTH_YEAR_DISJOINT, f"{shown}: years one apart")
        return
    da, db = a.as_date(), b.as_date()
    if da is None or db is None:
        ev.add("birth_date_match", 0.15, W_BIRTH_DATE, f"{shown}: same year, no full date on one side")
        return
    if da == db:
        ev.add("birth_date_match", 1.0, W_BIRTH_DATE, f"{shown}: same date")
    elif a.month == b.day and a.day == b.month:
        ev.add("birth_date_match", 0.25, W_BIRTH_DATE, f"{shown}: day and month transposed")
    elif abs((da - db).days) >= 40:
        ev.add(
            "birth_date_match", -0.75, W_BIRTH_DATE, f"{shown}: same year, {abs((da - db).days)} days apart"
        )
    else:
        ev.add(
            "birth_date_match", -0.1, W_BIRTH_DATE, f"{shown}: same year, {abs((da - db).days)} days apart"
        )


def _identifiers(ev: Evidence, a: dict[str, Any], b: dict[str, Any]) -> None:
    ia, ib = normalize_id(a.get("id_number")), normalize_id(b.get("id_number"))
    if ia is None or ib is None:
        ev.add("id_number_match", 0.0, W_ID_SAME, "identifier missing on one side")
        return
    if ia == ib:
        ev.add("id_number_match", 1.0, W_ID_SAME, f"{ia} = {ib}")
        return
    nationalities = {str(n).upper() for n in (a.get("nationality"), b.get("nationality")) if n}
    permanent = bool(nationalities) and nationalities <= PERMANENT_ID_COUNTRIES
    if permanent:
        ev.add("id_number_conflict", -1.0, W_ID_DIFFERENT, f"{ia} != {ib}: permanent identifiers differ")
    else:
        ev.add("id_number_match", 0.0, W_ID_SAME, f"{ia} != {ib}: passport numbers are reissued")


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

    _birth_dates(ev, BirthDate.parse(a.get("birth_date")), BirthDate.parse(b.get("birth_date")))
    _identifiers(ev, a, b)

    na, nb = (str(x).upper() if x else None for x in (a.get("nationality"), b.get("nationality")))
    if na and nb:
        if na == nb:
            ev.add("nationality_match", 1.0, W_NATIONALITY_SAME, f"{na} = {nb}")
        else:
            ev.add("nationality_conflict", -1.0, W_NATIONALITY_DIFFERENT, f"{na} != {nb}")
    else:
        ev.add("nationality_match", 0.0, W_NATIONALITY_SAME, "nationality missing on one side")
    if pa.sex and pb.sex and pa.sex != pb.sex:
        ev.add(
            "sex_conflict",
            -1.0,
            W_SEX_DIFFERENT,
            f"{pa.sex} != {pb.sex} (patronymic marker or surname ending)",
        )
    return ev


@dataclass(frozen=True)
class Facts:
    """What a person record says besides its name, read once: the matcher's ceiling compares these."""

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


def _birth_value(a: BirthDate | None, b: BirthDate | None) -> float:
    """The birth-date feature's contribution, as :func:`_birth_dates` adds it."""
    if a is None or b is None:
        return 0.0
    if abs(a.year - b.year) >= 2:
        return -W_BIRTH_YEAR_DISJOINT
    if a.year != b.year:
        return -0.75 * W_BIRTH_YEAR_DISJOINT
    da, db = a.as_date(), b.as_date()
    if da is None or db is None:
        return 0.15 * W_BIRTH_DATE
    if da == db:
        return W_BIRTH_DATE
    if a.month == b.day and a.day == b.month:
        return 0.25 * W_BIRTH_DATE
    return (-0.75 if abs((da - db).days) >= 40 else -0.1) * W_BIRTH_DATE


def ceiling(a: Facts, b: Facts) -> float:
    """The highest log-odds :func:`score_person` can give two records with these facts, whatever
    their names: the names and father's names at their best, the rest as it is. A pair whose ceiling
    stays under the threshold is no match, so it need not be scored."""
    value = BIAS + W_NAME + W_PATRONYMIC_SAME + _birth_value(a.birth, b.birth)
    if a.id_number is not None and b.id_number is not None:
        if a.id_number == b.id_number:
            value += W_ID_SAME
        else:
            nationalities = {n for n in (a.nationality, b.nationality) if n}
            if nationalities and nationalities <= PERMANENT_ID_COUNTRIES:
                value -= W_ID_DIFFERENT
    if a.nationality and b.nationality:
        value += W_NATIONALITY_SAME if a.nationality == b.nationality else -W_NATIONALITY_DIFFERENT
    return value
