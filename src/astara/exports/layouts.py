"""Row layouts for spreadsheet exports: one row per seizure item, event columns repeated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from astara.db.models import SeizureEvent, SeizureItem
from astara.imports.mapping import builtin_mappings
from astara.kit.countries import iso_country_name, unodc_region
from astara.vocab import get_vocabulary

Row = dict[str, Any]


def _country(code: str | None) -> str:
    return iso_country_name(code) if code else ""


def _joined(values: list[Any] | None) -> str:
    return "|".join(str(v) for v in values or [])


def _term_label(kind: str, code: str | None, text: str | None) -> str:
    if text:
        return text
    if not code:
        return ""
    try:
        return str(getattr(get_vocabulary(), kind).get(code).label)
    except KeyError:
        return code


def astara_row(event: SeizureEvent, item: SeizureItem) -> Row:
    """Astara's template, the columns its import mapping reads back."""
    date = event.date.isoformat() if event.date else ""
    if event.date and event.date_precision == "month":
        date = date[:7]
    elif event.date and event.date_precision == "year":
        date = date[:4]
    row: Row = {
        "reference": event.reference or event.id,
        "date": date,
        "time": event.time or "",
        "place": event.place_text or "",
        "country": event.country or "",
        "admin_area": event.admin_area or "",
        "place_type": event.place_type or "",
        "producing_country": event.producing_country or "",
        "departure_country": event.departure_country or "",
        "transit_countries": _joined(event.transit_countries),
        "destination_country": event.destination_country or "",
        "routing": event.routing or "",
        "transport": event.transport_text or event.transport or "",
        "conveyance_ids": _joined(event.conveyance_ids),
        "concealment": event.concealment_text or event.concealment or "",
        "cover_cargo": event.cover_cargo or "",
        "detection_method": event.detection_method or "",
        "reporting_agency": event.reporting_agency or "",
        "participating_agencies": _joined(event.participating_agencies),
        "source_ref": event.source_ref or "",
        "grading_scheme": event.grading_scheme or "",
        "source_grade": event.source_grade or "",
        "information_grade": event.information_grade or "",
        "tlp": event.tlp or "",
        "handling_code": event.handling_code or "",
        "legal_basis": event.legal_basis or "",
        "validation_status": event.validation_status or "",
        "notes": event.notes or "",
        "drug": item.drug_text or item.drug_code,
        "quantity": item.quantity,
        "unit": item.unit_text or item.unit_code or "",
        "purity": item.purity if item.purity is not None else "",
        "kg": item.kg if item.kg is not None else "",
        "kg_method": item.kg_method or "",
    }
    return row


def ids_row(event: SeizureEvent, item: SeizureItem) -> Row:
    """The UNODC IDS layout; REGION and SUBREGION are UNODC's groupings of the country of seizure."""
    region, subregion = unodc_region(event.country) or ("", "")
    return {
        "REGION": region,
        "SUBREGION": subregion,
        "COUNTRY": _country(event.country),
        "ADMINISTRATIVE_DIVISION": event.admin_area or "",
        "PLACE": event.place_text or "",
        "SEIZURE_DATE": event.date.isoformat() if event.date else "",
        "DRUG_NAME": item.drug_text or get_vocabulary().drugs.get(item.drug_code).name,
        "AMOUNT": item.quantity,
        "DRUG_UNIT": item.unit_text or _term_label("units", item.unit_code, None),
        "HIDING_PLACE": _term_label("concealment", event.concealment, event.concealment_text),
        "INSTALLATION": _term_label("place_types", event.place_type, event.place_type_text),
        "TRANSPORT": _term_label("transport", event.transport, event.transport_text),
        "PRODUCING_COUNTRY": _country(event.producing_country),
        "DEPARTURE_COUNTRY": _country(event.departure_country),
        "DESTINATION_COUNTRY": _country(event.destination_country),
        "ROUTING": _term_label("routing", event.routing, None),
    }


def columns(layout: str) -> list[str]:
    if layout == "ids":
        return list(IDS_COLUMNS)
    # the template's optional person columns feed the matching store; the export carries no nominal data
    fields = [f for f in builtin_mappings()["astara"].fields if not f.startswith("person_")]
    return [*fields, "kg", "kg_method"]


IDS_COLUMNS = [
    "REGION",
    "SUBREGION",
    "COUNTRY",
    "ADMINISTRATIVE_DIVISION",
    "PLACE",
    "SEIZURE_DATE",
    "DRUG_NAME",
    "AMOUNT",
    "DRUG_UNIT",
    "HIDING_PLACE",
    "INSTALLATION",
    "TRANSPORT",
    "PRODUCING_COUNTRY",
    "DEPARTURE_COUNTRY",
    "DESTINATION_COUNTRY",
    "ROUTING",
]
LAYOUTS: dict[str, Callable[[SeizureEvent, SeizureItem], Row]] = {"astara": astara_row, "ids": ids_row}
