"""Agreements as policy: the document (YAML file or API body), its validation, and what it lets out.

A record leaves for a partner only through a clause: a field is shared when a clause whose
conditions the record meets allows it, and each shared field carries that clause's id. Nominal
data (persons, vehicles, phones, documents...) is shared only by a clause of category ``nominal``
that names each field. A record marked TLP:RED never leaves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from astara.errors import InvalidInput
from astara.kit.yamlfile import safe_load
from astara.sharing.fields import ALL_FIELDS, CATEGORIES, CATEGORY_OF, stricter_tlp
from astara.vocab import get_vocabulary

Category = Literal["seizure_facts", "seizure_details", "nominal"]
Onward = Literal["forbidden", "with_consent", "allowed"]


class Party(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency: str = Field(min_length=2, max_length=32)
    name: str = ""
    country: str | None = Field(default=None, min_length=2, max_length=2)

    @field_validator("agency")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.strip().upper()


class Clause(BaseModel):
    """One article of the agreement: which categories and fields it lets out, and for which records."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=40)
    text: str = ""
    categories: list[Category] = Field(min_length=1)
    fields: list[str] | None = None  # None: every field of the categories (nominal fields must be named)
    exclude_fields: list[str] = []
    when: dict[str, list[Any]] = {}  # event field -> values the record must have

    @model_validator(mode="after")
    def _check_fields(self) -> Clause:
        for key, names in (("fields", self.fields or []), ("exclude_fields", self.exclude_fields)):
            for i, name in enumerate(names):
                if name not in ALL_FIELDS:
                    raise ValueError(f"{key}[{i}]: unknown field {name!r}")
                if key == "fields" and CATEGORY_OF[name] not in self.categories:
                    raise ValueError(
                        f"{key}[{i}]: {name} is {CATEGORY_OF[name]} data; "
                        f"add {CATEGORY_OF[name]!r} to categories"
                    )
        if "nominal" in self.categories and not any(CATEGORY_OF[f] == "nominal" for f in self.fields or []):
            raise ValueError("fields: a nominal clause must name each nominal field it shares")
        for name in self.when:
            if name not in ALL_FIELDS or "." in name:
                raise ValueError(f"when: {name!r} is not an event field")
        return self

    def allowed(self) -> list[str]:
        """Every field this clause lets out."""
        if self.fields is not None:
            names = list(self.fields)
        else:
            names = [f for c in self.categories if c != "nominal" for f in CATEGORIES[c]]
        return [f for f in names if f not in self.exclude_fields]

    def applies_to(self, event: dict[str, Any]) -> str | None:
        """None when the record meets the clause's conditions, else why not."""
        for name, values in self.when.items():
            value = event.get(name)
            wanted = [str(v) for v in values]
            if str(value) not in wanted:
                return (
                    f"clause {self.id} applies only when {name} is one of {', '.join(wanted)} (it is {value})"
                )
        return None


class Agreement(BaseModel):
    """A cooperation agreement between two agencies, as machine-readable policy."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str = Field(min_length=1, max_length=300)
    legal_reference: str = Field(min_length=1)
    parties: list[Party] = Field(min_length=2, max_length=2)
    purposes: list[str] = Field(min_length=1)
    valid_from: dt.date
    valid_until: dt.date | None = None
    tlp: str = "amber"
    handling_code: str | None = None
    onward_sharing: Onward = "forbidden"
    retention_days: int = Field(ge=1, le=36500)
    clauses: list[Clause] = Field(min_length=1)

    @field_validator("tlp")
    @classmethod
    def _tlp(cls, v: str) -> str:
        term = get_vocabulary().tlp.lookup(v)
        if term is None:
            raise ValueError(f"{v!r} is not a TLP 2.0 marking (clear, green, amber, amber+strict, red)")
        return term.code

    @field_validator("handling_code")
    @classmethod
    def _handling(cls, v: str | None) -> str | None:
        if v is None:
            return None
        term = get_vocabulary().handling_codes.lookup(v)
        if term is None:
            raise ValueError(f"{v!r} is not a known handling code")
        return term.code

    @model_validator(mode="after")
    def _check(self) -> Agreement:
        if self.parties[0].agency == self.parties[1].agency:
            raise ValueError("parties: the two parties must be different agencies")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until: ends before valid_from")
        ids = [c.id for c in self.clauses]
        if len(set(ids)) != len(ids):
            raise ValueError("clauses: clause ids must be unique")
        return self

    def partner_of(self, agency_code: str) -> str:
        codes = [p.agency for p in self.parties]
        if agency_code not in codes:
            raise InvalidInput(
                f"agreement {self.code} is between {' and '.join(codes)}, not agency {agency_code}",
                details=[{"field": "parties", "reason": f"{agency_code} is not a party"}],
            )
        return codes[1] if codes[0] == agency_code else codes[0]

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def parse_agreement(data: Any, source: str = "agreement") -> Agreement:
    """Validate an agreement document; errors name the field (``clauses.1.fields: ...``)."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{source}: an agreement is a mapping of fields (code, title, parties...)")
    try:
        return Agreement.model_validate(data)
    except ValidationError as exc:
        details = [
            {
                "field": ".".join(str(p) for p in e["loc"]) or "agreement",
                "reason": e["msg"].removeprefix("Value error, "),
            }
            for e in exc.errors()
        ]
        first = details[0]
        raise InvalidInput(
            f"{source}: {first['field']}: {first['reason']}"
            + (f" (and {len(details) - 1} more problems)" if len(details) > 1 else ""),
            details=details,
        ) from exc


def parse_agreement_text(text: str, source: str = "agreement") -> Agreement:
    """An agreement from YAML text (a pasted or uploaded document); a YAML error names its line."""
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InvalidInput(f"{source} is not valid YAML{line}: {problem}",
                           details=[{"field": "yaml", "reason": f"{problem}{line}"}]) from exc  # fmt: skip
    return parse_agreement(data, source)


def load_agreement_file(path: Path) -> Agreement:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInput(f"no agreement file {path}") from exc
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path.name} is not valid YAML: {exc}") from exc
    return parse_agreement(data, path.name)


# -- policy ---------------------------------------------------------------------------------------


@dataclass
class Decision:
    field: str
    shared: bool
    clause: str | None
    reason: str


@dataclass
class Projection:
    """What of one record leaves for the partner, with the clause behind each field."""

    record: dict[str, Any]
    clauses: dict[str, str]
    tlp: str
    refused: str | None = None  # why nothing leaves, when nothing does
    decisions: list[Decision] = field(default_factory=list)


def decide(
    agreement: Agreement, event: dict[str, Any], day: dt.date
) -> tuple[dict[str, str], list[Decision]]:
    """(field -> clause that allows it, a decision for every known field)."""
    allowed: dict[str, str] = {}
    excluded: dict[str, str] = {}
    for clause in agreement.clauses:
        if (why := clause.applies_to(event)) is not None:
            for name in clause.allowed():
                excluded.setdefault(name, why)
            continue
        for name in clause.allowed():
            allowed.setdefault(name, clause.id)
    decisions = []
    for name in sorted(ALL_FIELDS):
        if name in allowed:
            decisions.append(Decision(name, True, allowed[name], f"clause {allowed[name]} allows {name}"))
        elif name in excluded:
            decisions.append(Decision(name, False, None, excluded[name]))
        elif CATEGORY_OF[name] == "nominal":
            reason = f"{name} is nominal data; no clause of {agreement.code} names it"
            decisions.append(Decision(name, False, None, reason))
        else:
            reason = f"no clause of {agreement.code} allows {name} ({CATEGORY_OF[name]})"
            decisions.append(Decision(name, False, None, reason))
    return allowed, decisions


def project(agreement: Agreement, record: dict[str, Any], day: dt.date) -> Projection:
    """Cut ``record`` (event fields, ``items``, ``entities``) down to what the agreement lets out."""
    event = record["event"]
    tlp = stricter_tlp(str(event.get("tlp") or "amber"), agreement.tlp)
    if not agreement.in_force(day):
        until = agreement.valid_until.isoformat() if agreement.valid_until else "open-ended"
        why = f"agreement {agreement.code} is not in force on {day} ({agreement.valid_from} to {until})"
        return Projection({}, {}, tlp, why)
    if event.get("tlp") == "red":
        return Projection({}, {}, tlp, "the record is marked TLP:RED: it never leaves this instance")
    if event.get("origin_partner"):
        return Projection({}, {}, tlp, "the record was received from a partner; it is never passed on")
    allowed, decisions = decide(agreement, event, day)
    if not allowed:
        reasons = "; ".join(
            sorted({d.reason for d in decisions if not d.shared and "applies only" in d.reason})
        )
        return Projection({}, {}, tlp, reasons or f"no clause of {agreement.code} applies", decisions)
    out_event = {k: v for k, v in event.items() if k in allowed}
    items = [{k: v for k, v in item.items() if f"items.{k}" in allowed} for item in record.get("items", [])]
    entities = []
    for ent in record.get("entities", []):
        kept = {k: v for k, v in ent["fields"].items() if f"{ent['type']}.{k}" in allowed and v is not None}
        if kept:
            entities.append({"type": ent["type"], "role": ent["role"], "fields": kept})
    shared = {"event": out_event, "items": [i for i in items if i]}
    if entities:
        shared["entities"] = entities
    used = {k: v for k, v in allowed.items() if _present(k, out_event, items, entities)}
    if not used:
        why = f"none of the record's fields is allowed by {agreement.code}"
        return Projection({}, {}, tlp, why, decisions)
    return Projection(shared, used, tlp, None, decisions)


def _present(
    name: str, event: dict[str, Any], items: list[dict[str, Any]], entities: list[dict[str, Any]]
) -> bool:
    if name.startswith("items."):
        return any(name[6:] in i for i in items)
    if "." in name:
        kind, attr = name.split(".", 1)
        return any(e["type"] == kind and attr in e["fields"] for e in entities)
    return name in event
