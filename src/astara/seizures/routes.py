"""REST API for seizure records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from astara.seizures import service
from astara.seizures.schemas import SeizureCreate, SeizureEventOut, SeizurePage
from astara.web.deps import unit

router = APIRouter(prefix="/api/seizures", tags=["seizures"])


@router.get("", response_model=SeizurePage)
def list_seizures(
    request: Request,
    where: Annotated[list[str], Query(description="FIELD=VALUE filters, e.g. country=AZ, year=2016.")] = [],  # noqa: B006 - FastAPI reads, never mutates, this default
    q: str | None = None,
    sort: str = "-date",
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> SeizurePage:
    with unit(request) as (session, scope):
        return service.list_seizures(session, scope, where, q=q, sort=sort, offset=offset, limit=limit)


@router.get("/map")
def map_points(
    request: Request,
    where: Annotated[list[str], Query(description="FIELD=VALUE filters, as for the list.")] = [],  # noqa: B006 - read only
    q: str | None = None,
) -> dict[str, Any]:
    """Seizure events grouped by located place (GeoJSON), with the count of events without coordinates."""
    with unit(request) as (session, scope):
        return service.map_points(session, scope, where, q=q)


@router.get("/{event_id}", response_model=SeizureEventOut)
def get_seizure(request: Request, event_id: str) -> SeizureEventOut:
    with unit(request) as (session, scope):
        return service.get_seizure(session, scope, event_id)


@router.post("", response_model=SeizureEventOut, status_code=201)
def create_seizure(request: Request, data: SeizureCreate) -> SeizureEventOut:
    with unit(request) as (session, scope):
        return service.create_seizure(session, scope, data)


@router.put("/{event_id}", response_model=SeizureEventOut)
def update_seizure(
    request: Request,
    event_id: str,
    data: SeizureCreate,
    version: Annotated[
        int | None, Query(description="The version you edited: refused (409) if another was saved since.")
    ] = None,
) -> SeizureEventOut:
    """Correct a seizure: its fields and items are replaced, its version goes up, partners get the new one."""
    with unit(request) as (session, scope):
        return service.update_seizure(session, scope, event_id, data, version=version)
