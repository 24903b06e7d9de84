"""The fields a record can share, by category. Nominal data leaves only where a clause names it."""

from __future__ import annotations

# Non-nominal seizure facts: shared by a clause of category ``seizure_facts`` unless it narrows them.
FACT_FIELDS: tuple[str, ...] = (
    "reference", "date", "date_precision", "country", "place_text", "place_id", "place_type",
    "admin_area", "lat", "lon", "producing_country", "departure_country", "transit_countries",
    "destination_country", "routing", "transport", "concealment", "cover_cargo", "detection_method",
    "reporting_agency", "participating_agencies", "validation_status", "total_kg", "item_count",
    "items.drug_code", "items.drug_group", "items.quantity", "items.unit_code", "items.purity", "items.kg",
)  # fmt: skip

# Further event fields: free text and working details, shared only when a clause lists them.
DETAIL_FIELDS: tuple[str, ...] = (
    "time", "date_text", "place_type_text", "transport_text", "conveyance_ids", "concealment_text",
    "source_type", "source_ref", "grading_scheme", "source_grade", "information_grade", "legal_basis",
    "notes", "items.drug_text", "items.unit_text", "items.kg_method",
)  # fmt: skip

# Nominal data: persons, organizations, vehicles, phones, documents linked to the event by role.
NOMINAL_FIELDS: tuple[str, ...] = (
    "person.name", "person.birth_date", "person.nationality", "person.id_number",
    "organization.name", "organization.country", "organization.registration",
    "vehicle.plate", "vehicle.country", "vehicle.vin", "vehicle.make", "vehicle.kind",
    "phone.number", "phone.country",
    "document.doc_type", "document.number", "document.issuing_country",
)  # fmt: skip

CATEGORIES: dict[str, tuple[str, ...]] = {
    "seizure_facts": FACT_FIELDS,
    "seizure_details": DETAIL_FIELDS,
    "nominal": NOMINAL_FIELDS,
}
ALL_FIELDS = frozenset(FACT_FIELDS + DETAIL_FIELDS + NOMINAL_FIELDS)
# Fields a clause may not list explicitly unless its categories include the category they belong to.
CATEGORY_OF: dict[str, str] = {f: c for c, fields in CATEGORIES.items() for f in fields}
EVENT_FIELDS = tuple(f for f in FACT_FIELDS + DETAIL_FIELDS if "." not in f)
ITEM_FIELDS = tuple(f.split(".", 1)[1] for f in FACT_FIELDS + DETAIL_FIELDS if f.startswith("items."))
ENTITY_FIELDS: dict[str, tuple[str, ...]] = {}
for _f in NOMINAL_FIELDS:
    _kind, _name = _f.split(".", 1)
    ENTITY_FIELDS[_kind] = (*ENTITY_FIELDS.get(_kind, ()), _name)

TLP_ORDER = ("clear", "green", "amber", "amber_strict", "red")


def stricter_tlp(a: str, b: str) -> str:
    """The more restrictive of two TLP 2.0 codes (unknown codes count as red)."""
    rank = {c: i for i, c in enumerate(TLP_ORDER)}
    return a if rank.get(a, 4) >= rank.get(b, 4) else b
