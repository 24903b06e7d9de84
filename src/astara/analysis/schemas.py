"""Statistics as returned by the library, the CLI (``--format json``) and the API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class StatsGroup(BaseModel):
    key: str | int | None = Field(description="The group's value; null when the records do not say.")
    label: str
    events: int = Field(description="Seizure events (identical source rows merged count once).")
    items: int = Field(description="Drug items in those events that match the filters.")
    kg: float = Field(description="Sum of kilogram equivalents of those items.")
    items_without_kg: int = Field(description="Items with no mass equivalent (plants, acres...).")
    source_rows: int = Field(description="Source rows the events stand for, exact duplicates included.")
    share: str = Field(description='The group\'s events over all events, e.g. "47 of 205, 22.9 %".')
    share_pct: float


class StatsResult(BaseModel):
    by: list[str]
    where: list[str]
    total_events: int
    total_kg: float
    total_source_rows: int
    groups: list[StatsGroup]
