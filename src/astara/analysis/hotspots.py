"""Hotspots: where seizures happen, by border post, place, administrative area or H3 cell.

Shares are of all the events selected, so "12 of 205" at a border post means 12 of the 205
seizures, wherever the others were. With a baseline period each hotspot also shows its change and
whether it is new (no events there in the baseline).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import h3
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis import repository
from astara.analysis.schemas import Hotspot, HotspotResult
from astara.analysis.service import share_text
from astara.analysis.trends import change_text
from astara.errors import InvalidInput
from astara.gazetteer import get_gazetteer
from astara.gazetteer.places import Place
from astara.seizures.dimensions import dimension, parse_where

LEVELS = ("border_post", "place", "admin_area", "h3")
BORDER_KINDS = frozenset({"crossing", "port", "border_point"})
H3_RESOLUTION = 6  # cells of about 36 km², the scale of a border district


@dataclass
class _Spot:
    label: str
    kind: str
    lat: float | None = None
    lon: float | None = None
    events: int = 0
    kg: float = 0.0
    places: dict[str, int] = field(default_factory=dict)


def _place(place_id: str | None) -> Place | None:
    if not place_id:
        return None
    try:
        return get_gazetteer().get(place_id)
    except KeyError:
        return None


def _spots(
    session: Session, scope: Scope, where: Sequence[str], level: str, resolution: int, exclude: bool
) -> tuple[dict[str, _Spot], int]:
    dims = [dimension("place"), dimension("admin_area"), repository.LAT, repository.LON]
    spots: dict[str, _Spot] = {}
    total = 0
    for place_id, admin_area, lat, lon, events, _items, kg, _no_kg, _rows in repository.grouped(
        session, scope, dims, parse_where(list(where)), exclude
    ):
        total += int(events)
        place = _place(place_id)
        name = place.name if place else place_id
        if level == "admin_area":
            key, spot = admin_area, _Spot(str(admin_area), "admin_area")
        elif level == "h3":
            if lat is None or lon is None:
                continue
            key = h3.latlng_to_cell(float(lat), float(lon), resolution)
            c_lat, c_lon = h3.cell_to_latlng(key)
            spot = _Spot(key, "h3", c_lat, c_lon)
        else:
            if level == "border_post" and (place is None or place.kind not in BORDER_KINDS):
                continue
            kind = place.kind if place else "unresolved"
            key, spot = (
                place_id,
                _Spot(str(name), kind, place.lat if place else lat, place.lon if place else lon),
            )
        if key is None:
            continue
        found = spots.setdefault(str(key), spot)
        found.events += int(events)
        found.kg += float(kg or 0.0)
        if name:
            found.places[str(name)] = found.places.get(str(name), 0) + int(events)
        if found.lat is None and lat is not None and level == "admin_area":
            found.lat, found.lon = float(lat), float(lon)
    return spots, total


def hotspots(
    session: Session,
    scope: Scope,
    where: list[str] | None = None,
    *,
    level: str = "place",
    baseline_where: list[str] | None = None,
    resolution: int = H3_RESOLUTION,
    limit: int | None = None,
    exclude_possible_duplicates: bool = False,
) -> HotspotResult:
    """The places with most seizures among those ``where`` selects, busiest first."""
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if not 0 <= resolution <= 15:
        raise InvalidInput("H3 resolution is 0 to 15")
    where = list(where or [])
    spots, total = _spots(session, scope, where, level, resolution, exclude_possible_duplicates)
    base: dict[str, _Spot] | None = None
    if baseline_where is not None:
        base, base_total = _spots(
            session, scope, baseline_where, level, resolution, exclude_possible_duplicates
        )
        if not base_total:  # nothing recorded then: "new" would say nothing about the places
            base = None
    out = []
    for key, spot in sorted(spots.items(), key=lambda kv: (-kv[1].events, -kv[1].kg, kv[1].label)):
        label = spot.label
        if level == "h3" and spot.places:
            top = sorted(spot.places.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            label = f"{top} ({key})"
        text, pct = share_text(spot.events, total)
        before = None if base is None else (base[key].events if key in base else 0)
        out.append(
            Hotspot(
                key=key,
                label=label,
                kind=spot.kind,
                lat=spot.lat,
                lon=spot.lon,
                events=spot.events,
                kg=round(spot.kg, 6),
                share=text,
                share_pct=pct,
                baseline_events=before,
                change_text=None if before is None else change_text(spot.events, before),
                new=before == 0,
            )
        )
    located = sum(h.events for h in out)
    return HotspotResult(
        level=level,
        where=where,
        baseline_where=baseline_where,
        total_events=total,
        located_events=located,
        hotspots=out[:limit] if limit else out,
    )


def format_hotspots(result: HotspotResult) -> str:
    width = max([len(result.level), *(len(h.label) for h in result.hotspots)]) + 2
    lines = [f"{result.level:<{width}}{'events':>9}{'kg':>16}{'share of events':>24}{'change':>20}"]
    for h in result.hotspots:
        change = (h.change_text or "") + (" new" if h.new else "")
        lines.append(f"{h.label:<{width}}{h.events:>9,}{h.kg:>16,.3f}{h.share:>24}{change:>20}")
    lines.append(f"{result.located_events:,} of {result.total_events:,} events have a {result.level}")
    return "\n".join(lines)
