"""What a report is asked for, and what it is built from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

REPORT_TYPES = ("bilateral", "route-brief")


class ReportRequest(BaseModel):
    type: str = Field(default="bilateral", description="bilateral or route-brief")
    country: str = Field(description="Country of seizure the report is about (any form: AZ, Azerbaijan).")
    period: str = Field(description="2016, 2016Q3 or 2016-03.")
    partner: str | None = Field(default=None, description="Partner country (any form), e.g. IR.")
    place: str | None = Field(
        default=None, description="Narrow to one place: a gazetteer id (a border post)."
    )
    language: str = Field(default="en", description="en, az, ru or fa (right to left): the report's words.")


class StatsTable(BaseModel):
    """One table of the report: an ``astara stats`` result and the command that gives it."""

    title: str
    command: str
    result: Any  # astara.analysis.schemas.StatsResult


class Report(BaseModel):
    """Everything a template needs; built once, rendered as HTML and PDF."""

    request: ReportRequest
    title: str
    country: str
    country_name: str
    country_local: list[str]
    partner: str | None
    partner_name: str | None
    partner_local: list[str]
    period: str
    baseline: str
    agency: str
    generated_at: dt.datetime
    where: list[str]
    summary: dict[str, Any]
    partner_shares: list[dict[str, Any]]
    tables: dict[str, StatsTable]
    charts: dict[str, str]
    routes: Any  # RouteResult
    hotspots: Any  # HotspotResult (border posts)
    admin_areas: Any  # HotspotResult
    h3_cells: Any  # HotspotResult
    trend: Any  # TrendResult
    reference: Any  # astara.reference.schemas.Comparison
    anomalies: list[Any]  # TrendPoint of the period's year that are anomalies
    notes: list[str]
    identities: list[dict[str, Any]] = Field(
        default_factory=list, description="Identities seen on both sides of the border in the period."
    )
