"""REST API for statistics, trends, routes and hotspots: the CLI's questions
(:mod:`astara.analysis.questions`), answered at once when known or quick, else 202 with the address
of the job answering them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from astara.analysis.geo import hotspot_features, route_features
from astara.analysis.schemas import HotspotResult, RouteResult, StatsResult, TrendResult
from astara.jobs.schemas import JobAccepted
from astara.reference.schemas import Comparison
from astara.reference.service import compare
from astara.web.deps import unit
from astara.web.questions import accepted, answer_or_job, api_answer

router = APIRouter(prefix="/api", tags=["analysis"])
Where = Annotated[list[str], Query(description="FIELD=VALUE filters, as for astara stats.")]
PeriodQuery = Annotated[
    str | None, Query(description="2016, 2016Q3 or 2016-03; compared with the one before.")
]


ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"model": JobAccepted, "description": "Not answered within the wait: poll the job's address."}
}


@router.get("/stats", response_model=StatsResult, responses=ACCEPTED)
def get_stats(
    request: Request,
    by: Annotated[list[str], Query(description="Fields to group by, e.g. departure_country.")],
    where: Where = [],  # noqa: B006 - read only
    sort: str = "events",
    limit: int | None = None,
) -> Response:
    params = {"by": by, "where": where, "sort": sort, "limit": limit}
    return api_answer(request, "stats", params)


@router.get("/trends", response_model=TrendResult, responses=ACCEPTED)
def get_trends(
    request: Request,
    where: Where = [],  # noqa: B006 - read only
    interval: str = "month",
    measure: str = "events",
    threshold: float = 3.5,
) -> Response:
    params = {"where": where, "interval": interval, "measure": measure, "threshold": threshold}
    return api_answer(request, "trends", params)


@router.get("/routes", response_model=RouteResult, responses=ACCEPTED)
def get_routes(
    request: Request,
    where: Where = [],  # noqa: B006 - read only
    period: PeriodQuery = None,
    detail: str = "country",
    limit: int | None = None,
) -> Response:
    params = {"where": where, "period": period, "detail": detail, "limit": limit}
    return api_answer(request, "routes", params)


@router.get("/reference/compare", response_model=Comparison)
def get_reference_comparison(request: Request, country: str, year: int) -> Comparison:
    """Recorded seizures against the reported reference totals, by drug group."""
    with unit(request) as (session, scope):
        return compare(session, scope, country, year)


@router.get("/hotspots", response_model=HotspotResult, responses=ACCEPTED)
def get_hotspots(
    request: Request,
    where: Where = [],  # noqa: B006 - read only
    period: PeriodQuery = None,
    level: str = "place",
    resolution: int = 6,
    limit: int | None = None,
) -> Response:
    params = {"where": where, "period": period, "level": level, "resolution": resolution, "limit": limit}
    return api_answer(request, "hotspots", params)


@router.get("/hotspots/map", responses=ACCEPTED)
def get_hotspot_map(
    request: Request,
    where: Where = [],  # noqa: B006 - read only
    level: str = "h3",
    resolution: Annotated[int, Query(ge=0, le=15)] = 5,
) -> Any:
    """Hotspots as GeoJSON for a map layer: H3 cells as hexagons, other levels as points."""
    params = {"where": where, "level": level, "resolution": resolution}
    found, job = answer_or_job(request, "hotspots", params)
    return accepted(job) if job is not None else hotspot_features(HotspotResult.model_validate(found))


@router.get("/routes/map", responses=ACCEPTED)
def get_route_map(request: Request, where: Where = []) -> Any:  # noqa: B006 - read only
    """Route flows between countries as GeoJSON lines (departure → seizure → destination)."""
    found, job = answer_or_job(request, "routes", {"where": where, "detail": "country"})
    return accepted(job) if job is not None else route_features(RouteResult.model_validate(found))
