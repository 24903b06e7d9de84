"""Declarative column mappings: which source column feeds which Astara field.

A mapping is a YAML file in ``astara/imports/mappings`` (or any path given on the command line).
Each field lists the column names it may come from, so a renamed column still loads; header
matching ignores case, spaces and underscores.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from astara.errors import InvalidInput, NotFound
from astara.kit import yamlfile

MAPPINGS_DIR = Path(__file__).with_name("mappings")

EVENT_FIELDS = (
    "reference",
    "date",
    "time",
    "place",
    "country",
    "admin_area",
    "place_type",
    "producing_country",
    "departure_country",
    "transit_countries",
    "destination_country",
    "routing",
    "transport",
    "conveyance_ids",
    "concealment",
    "cover_cargo",
    "detection_method",
    "reporting_agency",
    "participating_agencies",
    "source_ref",
    "grading_scheme",
    "source_grade",
    "information_grade",
    "tlp",
    "handling_code",
    "legal_basis",
    "validation_status",
    "notes",
    # the event's person (astara.matching.store.add_imported_persons): not event columns
    "person_name",
    "person_birth_date",
    "person_nationality",
    "person_id_number",
)
ITEM_FIELDS = ("drug", "quantity", "unit", "purity")
ALL_FIELDS = EVENT_FIELDS + ITEM_FIELDS


def header_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


class Mapping(BaseModel):
    name: str
    title: str = ""
    description: str = ""
    delimiter: str | None = None
    source_type: str = "spreadsheet_import"
    event_key: str | None = None
    fields: dict[str, list[str]]
    required: list[str] = Field(default_factory=list)
    defaults: dict[str, str] = Field(default_factory=dict)
    ignore: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Mapping:
        unknown = sorted(set(self.fields) - set(ALL_FIELDS))
        if unknown:
            raise ValueError(f"unknown target fields {unknown}; known: {', '.join(ALL_FIELDS)}")
        for name in self.required:
            if name not in self.fields:
                raise ValueError(f"required field {name!r} has no source column")
        for name in ("drug", "quantity", "unit"):
            if name not in self.fields:
                raise ValueError(f"a mapping must name the source of {name!r}")
        if self.event_key and self.event_key not in self.fields:
            raise ValueError(f"event_key {self.event_key!r} is not one of the mapped fields")
        return self

    def resolve_columns(self, header: list[str]) -> dict[str, int]:
        """Map each field to the index of its column in ``header``; report missing required ones."""
        index = {header_key(col): i for i, col in enumerate(header) if col is not None}
        found: dict[str, int] = {}
        for field, candidates in self.fields.items():
            for candidate in candidates:
                if header_key(candidate) in index:
                    found[field] = index[header_key(candidate)]
                    break
        missing = [f for f in self.required if f not in found]
        if missing:
            detail = [
                {
                    "row": 1,
                    "column": " or ".join(self.fields[f]),
                    "reason": f"required column for {f!r} is missing",
                }
                for f in missing
            ]
            cols = "; ".join(" or ".join(self.fields[f]) for f in missing)
            raise InvalidInput(
                f"the header does not have the column(s) the {self.name!r} mapping requires: {cols}. "
                f"Columns found: {', '.join(str(c) for c in header)}",
                details=detail,
            )
        return found

    def unused_columns(self, header: list[str], used: dict[str, int]) -> list[str]:
        ignored = {header_key(c) for c in self.ignore}
        taken = set(used.values())
        return [c for i, c in enumerate(header) if i not in taken and header_key(str(c)) not in ignored and c]


def load_mapping_file(path: Path) -> Mapping:
    try:
        data = yamlfile.safe_load(path.read_text(encoding="utf-8"))
        return Mapping.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read mapping {path}: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise InvalidInput(f"mapping {path} is not valid: {problems}") from exc


@cache
def builtin_mappings() -> dict[str, Mapping]:
    return {m.name: m for m in (load_mapping_file(p) for p in sorted(MAPPINGS_DIR.glob("*.yaml")))}


def get_mapping(name_or_path: str) -> Mapping:
    """A built-in mapping by name, or a mapping file by path."""
    mappings = builtin_mappings()
    if name_or_path in mappings:
        return mappings[name_or_path]
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return load_mapping_file(path)
    raise NotFound(f"no mapping {name_or_path!r}; built-in mappings: {', '.join(sorted(mappings))}")
