"""Turn one raw spreadsheet row into normalised event and item values, or into problems.

Every field has one parser; each problem names the row, the column and the reason. Parsed
values are cached by their raw text, so a 300,000-row file with a few thousand distinct values
per column costs a few thousand lookups.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast

from astara.gazetteer import get_gazetteer
from astara.imports.mapping import EVENT_FIELDS, Mapping
from astara.imports.schemas import RowProblem
from astara.kit import dates, numbers
from astara.kit.countries import CountryNotFound, NotACountryName, resolve_country
from astara.matching.scripts import DIGITS
from astara.vocab import Vocabulary, get_vocabulary

ABSURD_KG = 100_000.0  # one seizure above 100 tonnes is flagged for a person to check
ABSURD_COUNT = 10_000_000.0  # likewise for counted units (tablets, plants) without a mass
MAX_ITEM_KG = 1_000_000.0  # no one item holds more than 1,000 tonnes: a larger quantity is a mistake
MAX_ITEM_COUNT = 1_000_000_000.0  # nor more than 10^9 of a unit without a mass (tablets, doses, plants)
MASS_KINDS = frozenset({"mass", "volume"})  # units the kilogram limit covers; the others are counted
LIST_SEPARATOR = "|"


class FieldError(ValueError):
    """A value that cannot be used; the message is the reason shown to the user."""


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str
    severity: str = "error"  # error | warning

    def as_dict(self) -> RowProblem:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class ParsedRow:
    """One row's event and item values, its problems and flags.

    A plain class with slots rather than a dataclass: one is made per row of a file, and the
    dataclass's default factories and the cached hash property cost about a second per 300,000 rows.
    """

    __slots__ = ("content", "content_hash", "errors", "event", "flags", "item", "number", "warnings")

    def __init__(self, number: int, event: dict[str, Any], item: dict[str, Any], content: str) -> None:
        self.number, self.event, self.item = number, event, item
        # the row's mapped raw values, canonical: identical rows have identical content
        self.content = content
        self.content_hash = hashlib.sha256(content.encode()).hexdigest()
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.flags: list[str] = []


# Fields whose texts vary from row to row; the others (codes, vocabulary terms) are parsed once
# per combination of their texts (RowParser._coded).
FREE_TEXT = frozenset({
    "reference", "date", "time", "place", "admin_area", "quantity", "purity", "notes", "source_ref",
    "conveyance_ids", "cover_cargo", "legal_basis", "reporting_agency", "participating_agencies",
    "person_name", "person_birth_date", "person_id_number",
})  # fmt: skip
MAX_COMBINATIONS = 50_000  # combinations of coded texts kept; beyond, they are parsed each time

Parser = Callable[[str], dict[str, Any]]
PlanEntry = tuple[str, int, str, dict[str, Any], bool, bool]  # see RowParser._build_plan
# The coded fields' event values, item values and problems (column, text, reason, severity).
Coded = tuple[dict[str, Any], dict[str, Any], list[tuple[str, str, str, str]]]


def _picker(positions: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """A function taking the texts at ``positions`` from a row's texts, as a tuple."""
    if not positions:
        return lambda texts: ()
    if len(positions) == 1:
        only = positions[0]
        return lambda texts: (texts[only],)
    return cast(Callable[[list[str]], tuple[str, ...]], itemgetter(*positions))


Parsed = tuple[dict[str, Any], str | None]  # a field's column values and an optional warning


def _text(limit: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if len(raw) > limit:
            raise FieldError(f"longer than {limit} characters")
        return raw

    return parse


class RowParser:
    """Parses rows of one source with one mapping. Build one per import."""

    def __init__(self, mapping: Mapping, columns: dict[str, int], header: list[str], today: dt.date) -> None:
        self.mapping = mapping
        self.columns = columns
        self.header = header
        self.today = today
        self.vocab: Vocabulary = get_vocabulary()
        self.gazetteer = get_gazetteer()
        self._caches: dict[str, dict[str, Any]] = {}
        self._place_cache: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}
        self._parsers: dict[str, Parser] = self._build_parsers()
        self._kg_cache: dict[tuple[str, str], tuple[float | None, str, bool]] = {}
        self._plan = self._build_plan()
        self._indices = [index for _name, index, *_ in self._plan]
        self._width = max(self._indices, default=-1) + 1  # rows this long need no bounds checks
        # a field the file has no column for takes the mapping's default on every row: coded
        free = [i for i, entry in enumerate(self._plan) if entry[0] in FREE_TEXT and entry[1] >= 0]
        coded = [i for i in range(len(self._plan)) if i not in free]
        self._coded_order, self._coded_positions = coded, frozenset(coded)  # (the column path's)
        self._coded_plan = [self._plan[i] for i in coded]
        self._free_plan = [self._plan[i] for i in free]
        self._coded_texts, self._free_texts = _picker(coded), _picker(free)
        self._coded_cache: dict[tuple[str, ...], Coded] = {}
        self._positions = {entry[2]: position for position, entry in enumerate(self._plan)}
        self._labels = {entry[0]: entry[2] for entry in self._plan}  # field -> its column label

    # -- per-field parsers: raw text in, column values out ------------------------------------
    def _build_parsers(self) -> dict[str, Parser]:
        v = self.vocab

        def country(name: str) -> Parser:
            def parse(raw: str) -> dict[str, Any]:
                try:
                    return {name: resolve_country(raw)}
                except NotACountryName as exc:
                    raise FieldError(str(exc)) from None
                except CountryNotFound:
                    raise FieldError(f"unknown country {raw!r}") from None

            return parse

        def term(name: str, terms: Any, *, strict: bool, text_field: str | None = None) -> Parser:
            def parse(raw: str) -> dict[str, Any]:
                found = terms.lookup(raw)
                out: dict[str, Any] = {text_field: raw} if text_field else {}
                if found is None:
                    if strict:
                        raise FieldError(f"unknown {name.replace('_', ' ')} {raw!r}")
                    out[name] = None
                    out["_warning"] = f"unknown {name.replace('_', ' ')} {raw!r}: text kept, no code"
                    return out
                out[name] = found.code
                return out

            return parse

        def plain(name: str, limit: int) -> Parser:
            check = _text(limit)
            return lambda raw: {name: check(raw)}

        def listing(name: str, item: Callable[[str], Any]) -> Parser:
            return lambda raw: {name: [item(p.strip()) for p in raw.split(LIST_SEPARATOR) if p.strip()]}

        def transit_country(raw: str) -> str | None:
            try:
                return resolve_country(raw)
            except NotACountryName as exc:
                raise FieldError(str(exc)) from None
            except CountryNotFound:
                raise FieldError(f"unknown country {raw!r}") from None

        def grade(name: str) -> Parser:
            return lambda raw: {name: _text(4)(raw.upper())}

        def parse_date(raw: str) -> dict[str, Any]:
            try:
                value = dates.parse_date(raw)
            except dates.DateError as exc:
                raise FieldError(str(exc)) from None
            if value.date > self.today:
                raise FieldError(f"date {value.iso()} is in the future")
            out: dict[str, Any] = {"date": value.date, "date_precision": value.precision, "date_text": raw}
            if value.time:
                out["time"] = value.time[:5]
            return out

        def parse_time(raw: str) -> dict[str, Any]:
            parts = raw.split(":")
            ok = len(parts) in (2, 3) and all(p.isdigit() for p in parts)
            if not ok or int(parts[0]) > 23 or int(parts[1]) > 59:
                raise FieldError(f"{raw!r} is not a time (HH:MM)")
            return {"time": f"{int(parts[0]):02d}:{int(parts[1]):02d}"}

        def quantity(raw: str) -> dict[str, Any]:
            try:
                value = numbers.parse_number(raw)
            except numbers.NumberError as exc:
                raise FieldError(str(exc)) from None
            if value <= 0:
                raise FieldError(f"quantity must be more than zero, not {value:g}")
            return {"quantity": value}

        def purity(raw: str) -> dict[str, Any]:
            try:
                value = numbers.parse_number(raw.rstrip("%").strip())
            except numbers.NumberError as exc:
                raise FieldError(str(exc)) from None
            if not 0 < value <= 100:
                raise FieldError(f"purity is a percentage between 0 and 100, not {value:g}")
            return {"purity": value}

        def drug(raw: str) -> dict[str, Any]:
            found = v.drugs.lookup(raw)
            if found is None:
                raise FieldError(f"unknown drug {raw!r} (add it as a synonym in the drug vocabulary)")
            return {"drug_code": found.code, "drug_group": found.group, "drug_text": raw}

        def unit(raw: str) -> dict[str, Any]:
            found = v.units.lookup(raw)
            if found is None:
                raise FieldError(f"unknown unit {raw!r}")
            return {"unit_code": found.code, "unit_text": raw}

        def tlp(raw: str) -> dict[str, Any]:
            found = v.tlp.lookup(raw)
            if found is None:
                raise FieldError(f"unknown TLP marking {raw!r} (TLP:CLEAR, GREEN, AMBER, AMBER+STRICT, RED)")
            return {"tlp": found.code}

        def person_birth_date(raw: str) -> dict[str, Any]:
            text = raw.translate(DIGITS).strip()
            if not re.fullmatch(r"\d{4}(?:-\d{2}-\d{2})?", text):
                raise FieldError(f"birth date {raw!r} is not YYYY or YYYY-MM-DD")
            return {"person_birth_date": text}

        parsers: dict[str, Parser] = {
            "reference": plain("reference", 100),
            "date": parse_date,
            "time": parse_time,
            "place": plain("place_text", 500),
            "admin_area": plain("admin_area", 200),
            "country": country("country"),
            "producing_country": country("producing_country"),
            "departure_country": country("departure_country"),
            "destination_country": country("destination_country"),
            "transit_countries": listing("transit_countries", transit_country),
            "place_type": term("place_type", v.place_types, strict=False, text_field="place_type_text"),
            "routing": term("routing", v.routing, strict=False),
            "transport": term("transport", v.transport, strict=False, text_field="transport_text"),
            "concealment": term("concealment", v.concealment, strict=False, text_field="concealment_text"),
            "detection_method": term("detection_method", v.detection_methods, strict=False),
            "conveyance_ids": listing("conveyance_ids", _text(100)),
            "cover_cargo": plain("cover_cargo", 200),
            "reporting_agency": plain("reporting_agency", 200),
            "participating_agencies": listing("participating_agencies", _text(200)),
            "source_ref": plain("source_ref", 500),
            "grading_scheme": plain("grading_scheme", 20),
            "source_grade": grade("source_grade"),
            "information_grade": grade("information_grade"),
            "tlp": tlp,
            "handling_code": term("handling_code", v.handling_codes, strict=True),
            "legal_basis": plain("legal_basis", 500),
            "validation_status": term("validation_status", v.validation_statuses, strict=True),
            "notes": plain("notes", 10_000),
            "drug": drug,
            "quantity": quantity,
            "unit": unit,
            "purity": purity,
            "person_name": plain("person_name", 300),
            "person_birth_date": person_birth_date,
            "person_nationality": country("person_nationality"),
            "person_id_number": plain("person_id_number", 64),
        }
        return parsers

    # -- one row ------------------------------------------------------------------------------
    def _build_plan(self) -> list[PlanEntry]:
        """Per field, in name order: (name, column index, column label, cache, is-event, required)."""
        plan = []
        for name in sorted(set(self.columns) | set(self.mapping.defaults)):
            index = self.columns.get(name, -1)
            label = self.header[index] if index >= 0 else f"(default {name})"
            plan.append((name, index, label, self._caches.setdefault(name, {}), name in EVENT_FIELDS,
                         name in self.mapping.required))  # fmt: skip
        return plan

    @staticmethod
    def _text(value: object) -> str:
        """A cell as text: spreadsheet dates as ISO, whole floats without '.0'."""
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ") if (value.hour or value.minute) else value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    def _parse_field(self, name: str, raw: str, cache: dict[str, Any]) -> Parsed | FieldError:
        """Parsed values and an optional warning for ``raw``, or the FieldError saying why it cannot be used.

        Errors are returned, not raised: a cached exception raised again on every bad row would
        grow its traceback each time.
        """
        hit = cache.get(raw)
        if hit is None:
            try:
                values = dict(self._parsers[name](raw))
                hit = (values, values.pop("_warning", None))
            except FieldError as exc:
                exc.__traceback__ = None
                hit = exc
            cache[raw] = hit
        return hit

    def _texts(self, values: list[object]) -> list[str]:
        """The mapped cells of a row, stripped, in plan order ("" for a column the row lacks)."""
        n = len(values)
        if n >= self._width:
            try:  # CSV rows hold only text: one comprehension, no per-cell type test
                return [values[i].strip() if i >= 0 else "" for i in self._indices]  # type: ignore[attr-defined]
            except AttributeError:  # a spreadsheet cell that is a number or a date
                pass
        out = []
        for index in self._indices:
            value = values[index] if 0 <= index < n else ""
            out.append(value.strip() if type(value) is str else self._text(value))
        return out

    def _fields(
        self, number: int, plan: list[PlanEntry], texts: Iterable[str], row: ParsedRow,
        event: dict[str, Any], item: dict[str, Any],
    ) -> None:  # fmt: skip
        """Parse ``texts`` (one per ``plan`` entry) into ``event`` and ``item``; problems go to ``row``."""
        defaults = self.mapping.defaults
        for (name, _index, label, cache, is_event, required), text in zip(plan, texts, strict=True):
            if not text:
                text = defaults.get(name, "")  # defaults go through the same parsers as the file's values
                if not text:
                    if required:
                        row.errors.append(Problem(number, label, "", f"{name.replace('_', ' ')} is required"))
                    continue
            hit = cache.get(text)  # the common case inline; _parse_field fills the cache
            if hit is None:
                hit = self._parse_field(name, text, cache)
            if isinstance(hit, FieldError):
                row.errors.append(Problem(number, label, text, str(hit)))
                continue
            parsed, warning = hit
            (event if is_event else item).update(parsed)
            if warning:
                row.warnings.append(Problem(number, label, text, warning, "warning"))

    def _coded(self, key: tuple[str, ...]) -> Coded:
        """The coded fields' values and problems for one combination of their texts (cached)."""
        hit = self._coded_cache.get(key)
        if hit is None:
            probe = ParsedRow(0, {}, {}, "")
            self._fields(0, self._coded_plan, key, probe, probe.event, probe.item)
            problems = [(p.column, p.value, p.reason, p.severity) for p in (*probe.errors, *probe.warnings)]
            hit = (probe.event, probe.item, problems)
            if len(self._coded_cache) < MAX_COMBINATIONS:
                self._coded_cache[key] = hit
        return hit

    def parse(self, number: int, values: list[object]) -> ParsedRow:
        """One row's values and problems.

        The coded fields (countries, drug, unit, vocabulary terms, defaults) are parsed once per
        combination of their texts: a file has a few thousand such combinations, so a row costs
        one look-up for them plus the free-text fields (date, quantity, place...) one by one.
        """
        n = len(values)
        texts = self._texts(values)
        event_part, item_part, problems = self._coded(self._coded_texts(texts))
        row = ParsedRow(number, dict(event_part), dict(item_part), "\x1f".join(texts))
        if n > len(self.header) and any(str(v).strip() for v in values[len(self.header) :]):
            reason = f"row has {n} fields, the header has {len(self.header)}"
            row.errors.append(Problem(number, "(row)", "", reason))
        for column, text, reason, severity in problems:
            found = Problem(number, column, text, reason, severity)
            (row.errors if severity == "error" else row.warnings).append(found)
        self._fields(number, self._free_plan, self._free_texts(texts), row, row.event, row.item)
        if problems and len(row.errors) + len(row.warnings) > 1:  # in column order, as one pass gives them
            row.errors.sort(key=self._order)
            row.warnings.sort(key=self._order)
        if not row.errors:
            self._finish(row)
        return row

    def _order(self, problem: Problem) -> int:
        return self._positions.get(problem.column, -1)  # "(row)" first

    def _kg_factor(self, unit: str, drug: str) -> tuple[float | None, str, bool]:
        """Kilograms per unit of quantity for this unit and drug (every conversion is linear)."""
        key = (unit, drug)
        hit = self._kg_cache.get(key)
        if hit is None:
            one = self.vocab.units.to_kg(1.0, unit, drug)
            hit = self._kg_cache[key] = (one.kg, one.method, one.exact)
        return hit

    def quantity_problem(self, quantity: float, unit: str, drug: str) -> str | None:
        """Why one item cannot hold ``quantity`` of ``unit`` (of ``drug``), or None."""
        factor = self._kg_factor(unit, drug)[0]
        if factor is not None and not quantity * factor <= MAX_ITEM_KG:  # (an overflow is infinite)
            tonnes = MAX_ITEM_KG / 1000
            return f"{quantity:g} {unit} is more than {tonnes:,.0f} tonnes, the most one item may hold"
        if quantity > MAX_ITEM_COUNT and self.vocab.units.get(unit).kind not in MASS_KINDS:
            return f"{quantity:g} {unit} is more than {MAX_ITEM_COUNT:,.0f}, the most one item may hold"
        return None

    def _finish(self, row: ParsedRow) -> None:
        item, event = row.item, row.event
        too_much = self.quantity_problem(item["quantity"], item["unit_code"], item["drug_code"])
        if too_much is not None:
            label = self._labels.get("quantity", "quantity")
            row.errors.append(Problem(row.number, label, f"{item['quantity']:g}", too_much))
            return
        factor, item["kg_method"], item["kg_exact"] = self._kg_factor(item["unit_code"], item["drug_code"])
        kg = item["kg"] = item["quantity"] * factor if factor is not None else None
        if kg is not None and kg > ABSURD_KG:
            row.flags.append(f"quantity {kg:,.0f} kg is above the plausibility limit of {ABSURD_KG:,.0f} kg")
        elif kg is None and item["quantity"] > ABSURD_COUNT:
            row.flags.append(
                f"count {item['quantity']:,.0f} is above the plausibility limit of {ABSURD_COUNT:,.0f}"
            )
        place = event.get("place_text")
        if place or event.get("admin_area"):
            resolved = self._resolve_place(
                place or event["admin_area"], event.get("country"), event.get("admin_area")
            )
            for key, value in resolved.items():
                if key == "place_type":
                    event.setdefault("place_type", value)
                else:
                    event[key] = value

    def _resolve_place(self, text: str, country: str | None, admin_area: str | None) -> dict[str, Any]:
        key = (text, country, admin_area)
        hit = self._place_cache.get(key)
        if hit is None:
            place = self.gazetteer.resolve(text, country=country, admin_area=admin_area)
            if place is None and admin_area and admin_area != text:
                place = self.gazetteer.resolve(admin_area, country=country)
            hit = {}
            if place is not None:
                hit = {"place_id": place.id, "lat": place.lat, "lon": place.lon}
                if place.place_type and place.kind in ("crossing", "port"):
                    hit["place_type"] = place.place_type
            self._place_cache[key] = hit
        return hit
