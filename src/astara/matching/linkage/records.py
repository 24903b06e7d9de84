"""Step 1 of ``astara link``: person records ``{id, name, birth_date, nationality, id_number}`` read
from a CSV, XLSX/ODS or JSONL file through a column mapping, or from the store; errors name the file,
row and column."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.errors import InvalidInput
from astara.imports.readers import open_source
from astara.matching import repository
from astara.matching.linkage.errors import LinkageError
from astara.matching.scripts import fold_digits

# Header names each field is found under when no option names its column (case and spaces ignored).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "rec_id", "record_id", "person_id", "unique_id", "ref", "reference"),
    "name": ("name", "full_name", "fullname", "person", "person_name"),
    "given": ("given_name", "first_name", "given", "forename", "firstname"),
    "surname": ("surname", "last_name", "family_name", "lastname"),
    "father": ("father_name", "fathers_name", "patronymic", "father"),
    "birth_date": ("birth_date", "date_of_birth", "dob", "birthdate", "born"),
    "nationality": ("nationality", "citizenship", "country"),
    "id_number": ("id_number", "document_number", "document", "passport", "passport_number", "national_id"),
    "script_hint": ("script_hint", "script", "language"),
}


_NAME_FIELDS = frozenset({"name", "given", "surname"})


@dataclass
class Columns:
    """Which column feeds which field; ``None`` means: look for the usual header names."""

    id: str | None = None
    name: str | None = None
    given: str | None = None
    surname: str | None = None
    father: str | None = None
    birth_date: str | None = None
    nationality: str | None = None
    id_number: str | None = None
    script_hint: str | None = None
    extra: list[str] = field(default_factory=list)  # compared exactly (postcode, address, ...)

    def resolve(self, header: list[str], source: str) -> dict[str, str]:
        """Field -> column present in ``header``; a named column that is missing is an error."""
        by_key = {_norm(h): h for h in header if h}
        out: dict[str, str] = {}
        missing: list[str] = []
        for name in ALIASES:
            wanted = getattr(self, name)
            if wanted is not None:  # one column, or several ("Ad,first_name"): the first in this file
                for choice in [wanted, *(c.strip() for c in wanted.split(",") if "," in wanted)]:
                    if choice in header or _norm(choice) in by_key:
                        out[name] = choice if choice in header else by_key[_norm(choice)]
                        break
                else:
                    if name in _NAME_FIELDS:  # a file may give full names where the other splits them
                        missing.append(wanted)
                        continue
                    raise LinkageError(
                        f"{source}: no column {wanted!r} (for {name}); the columns are: {', '.join(header)}"
                    )
                continue
            for alias in ALIASES[name]:
                if alias in by_key:
                    out[name] = by_key[alias]
                    break
        for column in self.extra:
            if column not in header:
                raise LinkageError(
                    f"{source}: no column {column!r} (--extra); the columns are: {', '.join(header)}"
                )
        if not _NAME_FIELDS & out.keys():
            asked = f"no column {' or '.join(map(repr, missing))} for names" if missing else "no name column"
            raise LinkageError(
                f"{source}: {asked} (looked for name, full_name, given_name/first_name, "
                f"surname/last_name); name it with --name, or --given and --surname. The columns are: "
                f"{', '.join(header)}"
            )
        return out


def _norm(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


_DATE_SHAPES = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$"), (1, 2, 3)),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$"), (3, 2, 1)),
)


def normalize_birth_date(value: Any) -> str | None:
    """YYYY-MM-DD or YYYY; ``ValueError`` for a value in no known shape (calendar slips are kept)."""
    if value is None:
        return None
    if hasattr(value, "year") and hasattr(value, "month"):  # date or datetime from a spreadsheet
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    text = fold_digits(str(value)).strip()
    if not text or text.lower() in {"nan", "none", "null"}:
        return None
    if text.endswith(".0") and text[:-2].isdigit():  # numbers read from spreadsheets
        text = text[:-2]
    if re.fullmatch(r"\d{4}", text):
        return text
    for pattern, (y, m, d) in _DATE_SHAPES:
        found = pattern.match(text)
        if found:
            return f"{found[y]}-{int(found[m]):02d}-{int(found[d]):02d}"
    raise ValueError(f"birth date {text!r} is not YYYY-MM-DD, YYYYMMDD, DD.MM.YYYY or YYYY")


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return "" if text.lower() == "nan" else text


def _records_from_rows(
    source: str, header: list[str], rows: Iterable[tuple[int, Any]], columns: Columns, where: str
) -> list[dict[str, Any]]:
    mapping = columns.resolve(header, source)
    index = {h: i for i, h in enumerate(header)}
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, raw in rows:
        if isinstance(raw, dict):
            get: Callable[[str], Any] = raw.get
        else:
            values = list(raw)
            if len(values) > len(header) and any(_text(v) for v in values[len(header) :]):
                raise LinkageError(
                    f"{source}, {where} {number}: {len(values)} values but the header has {len(header)} "
                    "columns (a separator inside an unquoted value?)"
                )

            def get(col: str, values: list[Any] = values) -> Any:
                i = index[col]
                return values[i] if i < len(values) else None

        record = _record(source, where, number, mapping, columns.extra, get)
        if record["id"] in seen:
            raise LinkageError(
                f"{source}, {where} {number}: id {record['id']!r} is also on {where} {seen[record['id']]}"
            )
        seen[record["id"]] = number
        records.append(record)
    if not records:
        raise LinkageError(f"{source} has no records (only a header)")
    return records


def _record(
    source: str,
    where: str,
    number: int,
    mapping: dict[str, str],
    extra: list[str],
    get: Callable[[str], Any],
) -> dict[str, Any]:
    def field_(name: str) -> str:
        col = mapping.get(name)
        return _text(get(col)) if col else ""

    name = field_("name")
    if not name:
        name = " ".join(part for part in (field_("given"), field_("surname")) if part)
    father = field_("father")
    if father and name:
        name = f"{name} s/o {father}"
    try:
        birth = normalize_birth_date(get(mapping["birth_date"])) if "birth_date" in mapping else None
    except ValueError as exc:
        raise LinkageError(f"{source}, {where} {number}, column {mapping['birth_date']!r}: {exc}") from None
    nationality = field_("nationality").upper() or None
    if nationality and not re.fullmatch(r"[A-Z]{2,3}", nationality):
        raise LinkageError(
            f"{source}, {where} {number}, column {mapping['nationality']!r}: nationality {nationality!r} is "
            "not a country code (AZ, IR, RU ...)"
        )
    if not name and not (birth or field_("id_number")):
        cols = [mapping[k] for k in ("name", "given", "surname") if k in mapping]
        raise LinkageError(
            f"{source}, {where} {number}: nothing to compare (column {' / '.join(cols)} is empty, and so "
            "are the birth date and document)"
        )
    record_id = field_("id") or str(number)
    record: dict[str, Any] = {
        "id": record_id,
        "name": name,
        "birth_date": birth,
        "nationality": nationality,
        "id_number": field_("id_number") or None,
        "script_hint": field_("script_hint") or None,
    }
    for col in extra:
        record["x_" + col] = _text(get(col)) or None
    return record


def read_records(path: Path, columns: Columns) -> list[dict[str, Any]]:
    """Person records from a CSV, XLSX/ODS or JSONL file; errors name the file, row and column."""
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        return _read_jsonl(path, columns)
    with ExitStack() as stack:
        try:
            source = open_source(path, stack)
        except InvalidInput as exc:
            raise LinkageError(exc.message, details=exc.details) from None
        try:
            return _records_from_rows(source.name, source.header, source.rows, columns, "row")
        except LinkageError:
            raise
        except InvalidInput as exc:  # a row the reader cannot decode
            raise LinkageError(exc.message, details=exc.details) from None


def _read_jsonl(path: Path, columns: Columns) -> list[dict[str, Any]]:
    if not path.is_file():
        raise LinkageError(f"{path} does not exist")
    rows: list[tuple[int, dict[str, Any]]] = []
    keys: dict[str, None] = {}
    with path.open(encoding="utf-8-sig") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LinkageError(f"{path.name}, line {number}: not JSON ({exc.msg})") from None
            if not isinstance(obj, dict):
                raise LinkageError(f"{path.name}, line {number}: not a JSON object")
            keys.update(dict.fromkeys(obj))
            rows.append((number, obj))
    if not rows:
        raise LinkageError(f"{path.name} is empty")
    return _records_from_rows(path.name, list(keys), rows, columns, "line")


def store_records(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """The persons of the scope's agency, as linkage records."""
    out = []
    for pid, name, birth, nationality, id_number, hint in repository.person_rows(session, scope):
        try:
            birth = normalize_birth_date(birth)
        except ValueError:
            birth = None
        out.append(
            {
                "id": pid,
                "name": name,
                "birth_date": birth,
                "nationality": nationality,
                "id_number": id_number,
                "script_hint": hint,
            }
        )
    if not out:
        raise LinkageError(f"the store has no persons for agency {scope.agency_code}")
    return out
