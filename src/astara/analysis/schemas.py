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


class TrendPoint(BaseModel):
    period: str = Field(description='"2016-03" for a month, "2016" for a year.')
    events: int
    kg: float
    value: float = Field(description="The measured value: events or kg.")
    change: float | None = Field(description="Value minus the previous period's; null for the first.")
    change_text: str = Field(description='e.g. "+4 (+25.0 %)" against the previous period.')
    seasonal_change: float | None = Field(
        default=None, description="Value minus the same month a year earlier (monthly series)."
    )
    score: float | None = Field(default=None, description="Robust z-score of the residual.")
    anomaly: bool = False
    explanation: str | None = None


class TrendResult(BaseModel):
    period: str = Field(description="month or year")
    measure: str = Field(description="events or kg")
    where: list[str]
    method: str = Field(description="How anomalies were found, in words.")
    seasonal: bool = Field(
        default=False, description="Residuals are changes against the same month a year earlier."
    )
    threshold: float
    events_without_period: int = Field(description="Events whose date does not give this period.")
    points: list[TrendPoint]

    @property
    def anomalies(self) -> list[TrendPoint]:
        return [p for p in self.points if p.anomaly]


class RouteFlow(BaseModel):
    route: str = Field(description='e.g. "Iran → Azerbaijan (Astara crossing) → Azerbaijan".')
    producing_country: str | None
    departure_country: str | None
    transit_countries: list[str]
    country: str | None
    place: str | None
    place_label: str | None
    destination_country: str | None
    events: int
    kg: float
    share: str
    share_pct: float


class FlowEdge(BaseModel):
    source: str
    target: str
    stage: str = Field(description="departure→seizure or seizure→destination")
    events: int
    kg: float


class RouteShift(BaseModel):
    route: str
    departure_country: str | None = None
    transit_countries: list[str] = Field(default_factory=list)
    country: str | None = None
    place_label: str | None = None  # shifts compare country routes: no place
    destination_country: str | None = None
    before: str = Field(description="Share in the baseline period, numerator and denominator shown.")
    before_events: int = 0
    before_total: int = 0
    after: str
    after_events: int = 0
    after_total: int = 0
    delta_points: float = Field(description="Change of share in percentage points.")
    z: float = Field(description="Two-proportion z statistic of the change.")
    flagged: bool
    explanation: str


class RouteResult(BaseModel):
    where: list[str]
    baseline_where: list[str] | None
    total_events: int
    events_with_route: int = Field(description="Events that name a departure or destination country.")
    routes: list[RouteFlow]
    edges: list[FlowEdge]
    shifts: list[RouteShift]


class Hotspot(BaseModel):
    key: str
    label: str
    kind: str = Field(description="crossing, port, district, city, admin_area, h3 or unresolved")
    lat: float | None
    lon: float | None
    events: int
    kg: float
    share: str
    share_pct: float
    baseline_events: int | None = None
    change_text: str | None = None
    new: bool = Field(default=False, description="No events here in the baseline period.")


class HotspotResult(BaseModel):
    level: str = Field(description="border_post, place, admin_area or h3")
    where: list[str]
    baseline_where: list[str] | None
    total_events: int
    located_events: int
    hotspots: list[Hotspot]
