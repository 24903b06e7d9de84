"""Hotspots and route flows as GeoJSON for the web map's layers (the same results as the API and CLI).

H3 hotspots become the cells' hexagons; other levels become points. A route's legs become lines
between two countries' anchor points (inside each country's largest part, from the vendored Natural
Earth outlines), with their events and kilograms; legs whose country has no outline are counted in
``unplaced_events`` rather than dropped silently.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import h3

from astara.analysis.schemas import HotspotResult, RouteResult
from astara.reports.maps import anchor

__all__ = ["hotspot_features", "route_features"]


def hotspot_features(result: HotspotResult) -> dict[str, Any]:
    features = []
    for spot in result.hotspots:
        properties = {"key": spot.key, "label": spot.label, "kind": spot.kind, "events": spot.events,
                      "kg": round(spot.kg, 3), "share": spot.share}  # fmt: skip
        if spot.kind == "h3":
            ring = [[round(lng, 5), round(lat, 5)] for lat, lng in h3.cell_to_boundary(spot.key)]
            geometry: dict[str, Any] = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
        elif spot.lat is not None and spot.lon is not None:
            geometry = {"type": "Point", "coordinates": [round(spot.lon, 5), round(spot.lat, 5)]}
        else:
            continue
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {
        "type": "FeatureCollection",
        "level": result.level,
        "features": features,
        "located_events": result.located_events,
        "total_events": result.total_events,
    }


def route_features(result: RouteResult) -> dict[str, Any]:
    """Each route's legs (departure → transit countries → country of seizure → destination) summed
    over the routes that share them."""
    legs: dict[tuple[str, str, str], list[float]] = {}
    for route in result.routes:
        stops = [route.departure_country, *route.transit_countries, route.country]
        chain = [("departure→seizure", a, b) for a, b in pairwise(stops)]
        chain.append(("seizure→destination", route.country, route.destination_country))
        for stage, a, b in chain:
            if a and b and a != b:
                leg = legs.setdefault((stage, a, b), [0, 0.0])
                leg[0] += route.events
                leg[1] += route.kg
    features = []
    unplaced = 0
    for (stage, a, b), (events, kg) in sorted(legs.items(), key=lambda item: -item[1][0]):
        start, end = anchor(a), anchor(b)
        if start is None or end is None:
            unplaced += int(events)
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[round(c, 4) for c in start],
                                                               [round(c, 4) for c in end]]},
            "properties": {"source": a, "target": b, "stage": stage, "events": int(events),
                           "kg": round(kg, 3)},
        })  # fmt: skip
    return {
        "type": "FeatureCollection",
        "features": features,
        "events_with_route": result.events_with_route,
        "unplaced_events": unplaced,
    }
