"""REST API for networks (JSON for the web graph view, or GraphML) and timelines."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from astara.networks import service
from astara.networks.schemas import NetworkResult, Timeline
from astara.web.deps import unit

router = APIRouter(prefix="/api", tags=["networks"])
Where = Annotated[list[str], Query(description="FIELD=VALUE filters, as for astara stats.")]


@router.get("/network", response_model=NetworkResult)
def get_network(request: Request, where: Where = []) -> NetworkResult:  # noqa: B006 - read only
    with unit(request) as (session, scope):
        return service.network(session, scope, where)


@router.get("/network.graphml", response_class=Response)
def get_network_graphml(request: Request, where: Where = []) -> Response:  # noqa: B006 - read only
    with unit(request) as (session, scope):
        result = service.network(session, scope, where)
    return Response(service.to_graphml(result), media_type="application/graphml+xml")


@router.get("/timeline", response_model=Timeline)
def get_timeline(
    request: Request,
    entity: str | None = None,
    place: str | None = None,
    route: str | None = None,
    where: Where = [],  # noqa: B006 - read only
) -> Timeline:
    with unit(request) as (session, scope):
        return service.timeline(session, scope, entity=entity, place=place, route=route, where=where)
