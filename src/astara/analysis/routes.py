"""REST API for statistics, trends, routes and hotspots (the same services as the CLI)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from astara.analysis.geo import hotspot_features, route_features
from astara.analysis.periods import parse_period
from astara.analysis.schemas import HotspotResult, RouteResult, StatsResult, TrendResult
from astara.analysis.service import stats
from astara.reference.schemas import Comparison
from astara.web.deps import unit

router = APIRouter(prefix="/api", tags=["analysis"])
Where = Annotated[list[str], Query(description="FIELD=VALUE filters, as for astara stats.")]
PeriodQuery = Annotated[
    str | None, Query(description="2016, 2016Q3 or 2016-03; compared with the one before.")
]


def _periods(where: list[str], period: str | None) -> tuple[list[str], list[str] | None, tuple[str, str]]:
    if period is None:
        return list(where), None, ("the baseline", "the period")
    now = parse_period(period)
    before = now.previous()
    return [*where, now.where()], [*where, before.where()], (before.label, now.label)


@router.get("/stats", response_model=StatsResult)
def get_stats(
    request: Request,
    by: Annotated[list[str], Query(description="Fields to group by, e.g. departure_country.")],
    where: Where = [],  # noqa: B006 - read only
    sort: str = "events",
    limit: int | None = None,
) -> StatsResult:
    with unit(request) as (session, scope):
        return stats(session, scope, by, where, sort=sort, limit=limit)


@router.get("/trends", response_model=TrendResult)
def get_trends(
    request: Request,
    where: Where = [],  # noqa: B006 - read only
    interval: str = "month",
    measure: str = "events",
    threshold: float = 3.5,
) -> TrendResult:
    from astara.analysis.trends import trends

    with unit(request) as (session, scope):
        return trends(session, scope, where, period=interval, measure=measure, threshold=threshold)


@router.get("/routes", response_model=RouteResult)
def get_routes(
    request: Request,
    where: Where = [],  # noqa: B006 - read only
    period: PeriodQuery = None,
    detail: str = "country",
    limit: int | None = None,
) -> RouteResult:
    from astara.analysis.flows import route_flows

    now, before, labels = _periods(where, period)
    with unit(request) as (session, scope):
        return route_flows(
            session, scope, now, baseline_where=before, labels=labels, detail=detail, limit=limit
        )


@router.get("/reference/compare", response_model=Comparison)
def get_reference_comparison(request: Request, country: str, year: int) -> Comparison:
    """Recorded seizures against the reported reference totals, by drug group."""
    from astara.reference.service import compare

    with unit(request) as (session, scope):
        return compare(session, scope, country, year)


@router.get("/hotspots", response_model=HotspotResult)
def get_hotspots(
    request: Request,
    where: Where = [],  # noqa: B006 - read only
    period: PeriodQuery = None,
    level: str = "place",
    resolution: int = 6,
    limit: int | None = None,
) -> HotspotResult:
    from astara.analysis.hotspots import hotspots

    now, before, _labels = _periods(where, period)
    with unit(request) as (session, scope):
        return hotspots(
            session, scope, now, level=level, baseline_where=before, resolution=resolution, limit=limit
        )


@router.get("/hotspots/map")
def get_hotspot_map(
    request: Request,
    where: Where = [],  # noqa: B006 - read only
    level: str = "h3",
    resolution: Annotated[int, Query(ge=0, le=15)] = 5,
) -> dict[str, Any]:
    """Hotspots as GeoJSON for a map layer: H3 cells as hexagons, other levels as points."""
    from astara.analysis.hotspots import hotspots

    with unit(request) as (session, scope):
        return hotspot_features(hotspots(session, scope, list(where), level=level, resolution=resolution))


@router.get("/routes/map")
def get_route_map(request: Request, where: Where = []) -> dict[str, Any]:  # noqa: B006 - read only
    """Route flows between countries as GeoJSON lines (departure → seizure → destination)."""
    from astara.analysis.flows import route_flows

    with unit(request) as (session, scope):
        return route_features(route_flows(session, scope, list(where), detail="country"))
