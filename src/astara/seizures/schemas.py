"""The seizure record as the API, the CLI and the exports see it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from astara.kit.dates import UtcDateTime


class SeizureItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    position: int
    drug_code: str
    drug_group: str | None = None
    drug_text: str | None = None
    quantity: float | None = None
    unit_code: str | None = None
    unit_text: str | None = None
    purity: float | None = None
    kg: float | None = Field(default=None, description="Kilogram equivalent; see kg_method for how.")
    kg_method: str | None = None
    kg_exact: bool = True


class SeizureEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    reference: str | None = None
    date: dt.date | None = None
    date_precision: str | None = None
    time: str | None = None
    place_text: str | None = None
    place_id: str | None = None
    place_type: str | None = None
    place_type_text: str | None = None
    country: str | None = None
    admin_area: str | None = None
    lat: float | None = None
    lon: float | None = None
    producing_country: str | None = None
    departure_country: str | None = None
    transit_countries: list[str] = Field(default_factory=list)
    destination_country: str | None = None
    routing: str | None = None
    transport: str | None = None
    transport_text: str | None = None
    conveyance_ids: list[str] = Field(default_factory=list)
    concealment: str | None = None
    concealment_text: str | None = None
    cover_cargo: str | None = None
    detection_method: str | None = None
    reporting_agency: str | None = None
    participating_agencies: list[str] = Field(default_factory=list)
    source_type: str
    source_ref: str | None = None
    grading_scheme: str | None = None
    source_grade: str | None = None
    information_grade: str | None = None
    tlp: str
    handling_code: str | None = None
    legal_basis: str | None = None
    validation_status: str
    notes: str | None = None
    quality_flags: list[str] = Field(default_factory=list)
    duplicate_count: int = 1
    possible_duplicate_of: str | None = None
    source_file: str | None = None
    source_rows: list[int] = Field(default_factory=list)
    import_job_id: str | None = None
    created_at: UtcDateTime
    version: int
    items: list[SeizureItemOut] = Field(default_factory=list)

    @property
    def total_kg(self) -> float | None:
        values = [i.kg for i in self.items if i.kg is not None]
        return sum(values) if values else None


class SeizurePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[SeizureEventOut]


@dataclass(slots=True)
class ListedItem:
    """An item as a list page shows it."""

    drug_code: str
    quantity: float | None
    unit_code: str | None
    kg: float | None


@dataclass(slots=True)
class ListedEvent:
    """A row of a list page (the seizure list, the dashboard's latest): the columns it shows, read
    as plain rows, neither ORM objects nor validated records (``service.LISTED`` reads the columns
    of these fields)."""

    id: str
    date: dt.date | None
    date_precision: str | None
    country: str | None
    place_text: str | None
    admin_area: str | None
    departure_country: str | None
    destination_country: str | None
    items: list[ListedItem]

    @property
    def total_kg(self) -> float | None:
        """As :attr:`SeizureEventOut.total_kg`: the items' kilograms, None when none has any."""
        values = [i.kg for i in self.items if i.kg is not None]
        return sum(values) if values else None


@dataclass(slots=True)
class ListedPage:
    total: int
    offset: int
    limit: int
    items: list[ListedEvent]


class SeizureFilter(BaseModel):
    """Filters shared by the list, the stats and the exports. Country values take any form."""

    country: str | None = None
    departure_country: str | None = None
    destination_country: str | None = None
    producing_country: str | None = None
    drug: str | None = None
    year: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    place_id: str | None = None
    transport: str | None = None
    q: str | None = Field(
        default=None,
        description="Words in place, reference, notes or admin area (the last also as a word's start).",
    )
    import_job_id: str | None = None
    validation_status: str | None = None

    def active(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v not in (None, "")}


class SeizureItemIn(BaseModel):
    drug: str = Field(description="Drug name in any vocabulary spelling, e.g. heroin, гашиш, هروئین.")
    quantity: float | str
    unit: str = Field(description="Unit, e.g. kg, g, tablet, l.")
    purity: float | None = None


class SeizureCreate(BaseModel):
    """A new seizure as the API and the web form send it; validated like a template row."""

    reference: str | None = None
    date: str = Field(description="YYYY-MM-DD, YYYY-MM, YYYY or a Jalali date such as 1395/03/08.")
    time: str | None = None
    place: str | None = None
    country: str
    admin_area: str | None = None
    place_type: str | None = None
    producing_country: str | None = None
    departure_country: str | None = None
    transit_countries: str | None = Field(default=None, description="Countries separated by |.")
    destination_country: str | None = None
    transport: str | None = None
    conveyance_ids: str | None = None
    concealment: str | None = None
    cover_cargo: str | None = None
    detection_method: str | None = None
    reporting_agency: str | None = None
    participating_agencies: str | None = None
    source_ref: str | None = None
    tlp: str | None = None
    handling_code: str | None = None
    legal_basis: str | None = None
    validation_status: str | None = None
    notes: str | None = None
    items: list[SeizureItemIn]
