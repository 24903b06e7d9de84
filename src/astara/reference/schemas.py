"""Reference totals as the CLI and the API return them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ReferenceImportReport(BaseModel):
    source: str
    file_name: str
    rows_read: int
    rows_stored: int
    countries: int
    first_year: int | None
    last_year: int | None
    skipped: dict[str, int] = Field(description="Rows left out, by reason (e.g. an unknown country name).")


class ComparisonRow(BaseModel):
    drug_group: str | None
    label: str
    recorded_events: int
    recorded_kg: float
    reported_kg: float | None
    difference_kg: float | None = Field(description="Recorded minus reported.")
    recorded_share: str = Field(description='e.g. "1,178.3 kg of 3,245.0 kg reported, 36.3 %".')
    flagged: bool
    explanation: str


class Comparison(BaseModel):
    country: str
    year: int
    source: str | None = Field(description="The reference source used (the newest that has this year).")
    recorded_events: int
    recorded_kg: float
    reported_kg: float | None
    rows: list[ComparisonRow]
    note: str
