"""What goes in and comes out of the extractor (the batch format of ../shared/eval/README.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ArticleIn", "ExtractedEvent", "ExtractionResult", "Statistic"]

Span = tuple[int, int]


class ArticleIn(BaseModel):
    """One article: its text, when it was published (ISO date) and where it came from."""

    model_config = ConfigDict(extra="ignore")

    id: str = ""
    text: str = ""
    published: str | None = None
    url: str | None = None


class ExtractedEvent(BaseModel):
    """One drug in one incident, with the text span behind every field."""

    drug: str
    drug_text: str
    quantity: float | None
    quantity_max: float | None = None
    qualifier: str | None = None
    unit: str
    kg: float | None
    kg_method: str | None = None
    date: str | None = None
    place: str | None = None
    admin_area: str | None = None
    country: str | None = None
    agency: str | None = None
    origin: str | None = None
    destination: str | None = None
    transit: list[str] = Field(default_factory=list)
    transport: str | None = None
    concealment: str | None = None
    cover_cargo: str | None = None
    arrested: int | None = None
    suspect_nationalities: list[str] = Field(default_factory=list)
    vehicle_ids: list[str] = Field(default_factory=list)
    persons: list[str] = Field(default_factory=list)
    quote: str
    evidence: dict[str, Span] = Field(default_factory=dict)
    confidence: float
    incident: int
    warnings: list[str] = Field(default_factory=list)


class Statistic(BaseModel):
    """An aggregate figure (a period's total, a count of operations or arrests), not one seizure."""

    text: str
    span: Span
    metric: str
    value: float
    unit: str
    drug: str | None = None
    period: str | None = None
    country: str | None = None


class ExtractionResult(BaseModel):
    id: str
    language: str | None = None  # ISO 639-1 code of the text, "und" when it could not be told
    events: list[ExtractedEvent] = Field(default_factory=list)
    statistics: list[Statistic] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
