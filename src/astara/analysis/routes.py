"""REST API for statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from astara.analysis.schemas import StatsResult
from astara.analysis.service import stats
from astara.web.deps import unit

router = APIRouter(prefix="/api/stats", tags=["analysis"])


@router.get("", response_model=StatsResult)
def get_stats(
    request: Request,
    by: Annotated[list[str], Query(description="Fields to group by, e.g. departure_country.")],
    where: Annotated[list[str], Query(description="FIELD=VALUE filters.")] = [],  # noqa: B006 - read only
    sort: str = "events",
    limit: int | None = None,
) -> StatsResult:
    with unit(request) as (session, scope):
        return stats(session, scope, by, where, sort=sort, limit=limit)
