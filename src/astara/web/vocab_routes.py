"""The controlled vocabularies and the gazetteer as JSON, for pages and partner tools."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from astara.gazetteer import get_gazetteer
from astara.vocab import get_vocabulary

router = APIRouter(prefix="/api", tags=["vocabularies"])


@router.get("/vocabularies")
def vocabularies() -> dict[str, Any]:
    return get_vocabulary().as_json()


@router.get("/places")
def places(q: str = "", limit: int = 10) -> list[dict[str, Any]]:
    """Place autocomplete over the gazetteer, any script."""
    found = get_gazetteer().search(q, limit=min(max(limit, 1), 50)) if q.strip() else []
    return [
        {"id": p.id, "name": p.name, "country": p.country, "kind": p.kind, "lat": p.lat, "lon": p.lon}
        for p in found
    ]
