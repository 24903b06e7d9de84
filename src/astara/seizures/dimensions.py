"""The dimensions records can be filtered and grouped by, as SQL expressions (repository layer).

One registry serves the seizure list, ``astara stats``, the API and the exports, so a filter
means the same everywhere. Values are normalised before use: ``country=Azerbaijan``,
``country=AZE`` and ``country=AZ`` are the same filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, or_
from sqlalchemy.sql.elements import SQLCoreOperations

from astara.db import textsearch
from astara.db.models import SeizureEvent as E
from astara.db.models import SeizureItem as I
from astara.errors import InvalidInput
from astara.kit.countries import CountryNotFound, resolve_country
from astara.kit.deferred import deferred
from astara.vocab import get_vocabulary

if TYPE_CHECKING:
    import astara.gazetteer as gazetteer_module
else:
    gazetteer_module = deferred("astara.gazetteer", "the gazetteer loads on the first place filter only")

NULL_WORDS = frozenset({"none", "null", "unknown", "(unknown)", "-"})
# Filters one question may combine: far above any real question, and far below the depth of
# expression SQLite refuses (1,000), whatever the request limit (ASTARA_MAX_QUERY_PARAMETERS) is.
MAX_FILTERS = 100


@dataclass(frozen=True)
class Dimension:
    name: str
    level: str  # event | item
    expr: Callable[[], SQLCoreOperations[Any]]
    normalise: Callable[[str], Any]
    description: str
    where: Callable[[Any], ColumnElement[bool]] | None = None


def _country(value: str) -> str:
    try:
        code = resolve_country(value)
    except CountryNotFound:
        raise InvalidInput(f"unknown country {value!r}") from None
    if code is None:
        raise InvalidInput(f"{value!r} names no country")
    return code


def _term(kind: str) -> Callable[[str], str]:
    def normalise(value: str) -> str:
        terms = getattr(get_vocabulary(), kind)
        found = terms.lookup(value)
        if found is None:
            raise InvalidInput(f"unknown {kind.rstrip('s').replace('_', ' ')} {value!r}")
        return str(found.code)

    return normalise


def _drug(value: str) -> str:
    found = get_vocabulary().drugs.lookup(value)
    if found is None:
        raise InvalidInput(f"unknown drug {value!r}")
    return found.code


def _drug_group(value: str) -> str:
    found = get_vocabulary().drug_groups.lookup(value)
    if found is None:
        raise InvalidInput(f"unknown drug group {value!r}")
    return found.code


def _int(name: str, low: int, high: int) -> Callable[[str], int]:
    def normalise(value: str) -> int:
        if not value.strip().isdigit() or not low <= int(value) <= high:
            raise InvalidInput(f"{name} must be a whole number from {low} to {high}, not {value!r}")
        return int(value)

    return normalise


def _month(value: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in value.split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise InvalidInput(f"month must be written YYYY-MM, not {value!r}") from None
    return year, month


def _quarter_value(value: str) -> int:
    """``2016Q1``, ``2016-Q1`` or ``20161``: year x 10 + quarter, as the quarter dimension groups."""
    text = value.strip().upper().replace("-", "").replace(" ", "").replace("Q", "")
    if not (text.isdigit() and len(text) == 5 and 1 <= int(text[4]) <= 4 and 1900 <= int(text[:4]) <= 2100):
        raise InvalidInput(f"quarter must be written 2016Q1 (or 20161), not {value!r}")
    return int(text)


def _year_where(year: int) -> ColumnElement[bool]:
    return and_(E.date >= dt.date(year, 1, 1), E.date < dt.date(year + 1, 1, 1))


def _month_where(value: tuple[int, int]) -> ColumnElement[bool]:
    year, month = value
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    return and_(E.date >= dt.date(year, month, 1), E.date < end, E.date_precision != "year")


def _year() -> SQLCoreOperations[Any]:
    return cast(func.extract("year", E.date), Integer)


def _month_expr() -> SQLCoreOperations[Any]:
    """YYYYMM; a date known only to the year gives YYYY00 ("month unknown")."""
    month = cast(func.extract("month", E.date), Integer)
    return case((E.date_precision == "year", _year() * 100), else_=_year() * 100 + month)


def _quarter() -> SQLCoreOperations[Any]:
    month = cast(func.extract("month", E.date), Integer)
    return _year() * 10 + (month + 2) // 3  # floor division: SQLAlchemy 2 makes "/" true division


def _place() -> SQLCoreOperations[Any]:
    return func.coalesce(E.place_id, E.place_text)


def _place_value(value: str) -> tuple[str, ...]:
    """A gazetteer id, or the id of the place a name in any script resolves to; the text as well,
    since a place the gazetteer did not know at import is stored by its text."""
    text = value.strip()
    gazetteer = gazetteer_module.get_gazetteer()
    try:
        return (gazetteer.get(text).id,)
    except KeyError:
        pass
    place = gazetteer.resolve(text)
    return (place.id, text) if place is not None else (text,)


def _place_where(values: tuple[str, ...]) -> ColumnElement[bool]:
    return _place().in_(values)


def _column(column: Any) -> Callable[[], SQLCoreOperations[Any]]:
    return lambda: column


def _text(value: str) -> str:
    return value.strip()


def _yes_no(value: str) -> bool:
    text = value.strip().lower()
    if text not in ("yes", "no", "true", "false", "1", "0"):
        raise InvalidInput(f"possible_duplicate takes yes or no, not {value!r}")
    return text in ("yes", "true", "1")


def _possible_duplicate() -> SQLCoreOperations[Any]:
    return case((E.possible_duplicate_of.is_(None), "no"), else_="yes")


def _possible_duplicate_where(flagged: bool) -> ColumnElement[bool]:
    column = E.possible_duplicate_of
    return column.is_not(None) if flagged else column.is_(None)


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in [
        Dimension("drug", "item", _column(I.drug_code), _drug, "drug code (any name or spelling accepted)"),
        Dimension("drug_group", "item", _column(I.drug_group), _drug_group, "UNODC drug group"),
        Dimension("year", "event", _year, _int("year", 1900, 2100), "year of the seizure", _year_where),
        Dimension(
            "quarter",
            "event",
            _quarter,
            _quarter_value,
            "year and quarter (2016Q1, or 20161 = 2016 Q1)",
        ),
        Dimension("month", "event", _month_expr, _month, "year and month (YYYY-MM)", _month_where),
        Dimension("country", "event", _column(E.country), _country, "country of seizure"),
        Dimension(
            "departure_country", "event", _column(E.departure_country), _country, "country of departure"
        ),
        Dimension(
            "destination_country", "event", _column(E.destination_country), _country, "country of destination"
        ),
        Dimension("producing_country", "event", _column(E.producing_country), _country, "producing country"),
        Dimension("transport", "event", _column(E.transport), _term("transport"), "transport mode"),
        Dimension("concealment", "event", _column(E.concealment), _term("concealment"), "concealment method"),
        Dimension("place_type", "event", _column(E.place_type), _term("place_types"), "place type"),
        Dimension("routing", "event", _column(E.routing), _term("routing"), "IDS routing"),
        Dimension(
            "detection_method", "event", _column(E.detection_method), _term("detection_methods"), "detection"
        ),
        Dimension(
            "place",
            "event",
            _place,
            _place_value,
            "place (gazetteer id or any name it resolves, or the text when unresolved)",
            _place_where,
        ),
        Dimension("admin_area", "event", _column(E.admin_area), _text, "administrative area"),
        Dimension("agency", "event", _column(E.reporting_agency), _text, "reporting agency"),
        Dimension("source_type", "event", _column(E.source_type), _term("source_types"), "source type"),
        Dimension(
            "validation_status",
            "event",
            _column(E.validation_status),
            _term("validation_statuses"),
            "validation status",
        ),
        Dimension("tlp", "event", _column(E.tlp), _term("tlp"), "TLP marking"),
        Dimension(
            "handling_code",
            "event",
            _column(E.handling_code),
            _term("handling_codes"),
            "handling code (H1-H3)",
        ),
        Dimension("import_job", "event", _column(E.import_job_id), _text, "import job id"),
        Dimension(
            "possible_duplicate",
            "event",
            _possible_duplicate,
            _yes_no,
            "flagged by its import as a possible duplicate of a stored event (yes or no)",
            _possible_duplicate_where,
        ),
    ]
}


def dimension(name: str) -> Dimension:
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in DIMENSIONS:
        raise InvalidInput(f"unknown field {name!r}; use one of: {', '.join(DIMENSIONS)}")
    return DIMENSIONS[key]


def condition(name: str, raw: str) -> tuple[Dimension, ColumnElement[bool]]:
    """``FIELD=VALUE`` as a SQL condition; several values may be given as ``A,B``; ``none`` is empty."""
    dim = dimension(name)
    parts = [p.strip() for p in raw.split(",") if p.strip()] or [raw]
    clauses: list[ColumnElement[bool]] = []
    for part in parts:
        if part.lower() in NULL_WORDS:
            clauses.append(dim.expr().is_(None))
            continue
        value = dim.normalise(part)
        clauses.append(dim.where(value) if dim.where else dim.expr() == value)
    return dim, or_(*clauses) if len(clauses) > 1 else clauses[0]


TEXT = Dimension("q", "event", lambda: E.notes, str, "words in place, reference, notes or admin area")


def text_search(q: str | None) -> list[tuple[Dimension, ColumnElement[bool]]]:
    """The list's text search as one more event condition, so that counts and statistics follow it:
    every word typed, the last also as a word's start, through the full-text index (db/textsearch)."""
    condition = textsearch.matches(q)
    return [(TEXT, condition)] if condition is not None else []


def parse_where(items: list[str]) -> list[tuple[Dimension, ColumnElement[bool]]]:
    """Parse ``FIELD=VALUE`` strings as given on the command line or in a query string."""
    if len(items) > MAX_FILTERS:
        raise InvalidInput(
            f"{len(items):,} --where filters, more than the limit of {MAX_FILTERS}",
            details=[{"parameter": "where", "count": len(items), "limit": MAX_FILTERS}],
        )
    out = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"--where takes FIELD=VALUE, not {item!r}")
        out.append(condition(name, value))
    return out
