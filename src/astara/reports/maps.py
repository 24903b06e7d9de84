"""Maps drawn as SVG from the vendored Natural Earth outlines (world-atlas), with no network.

The TopoJSON is decoded here, clipped to the map's box with shapely and projected with an
equirectangular projection scaled by the cosine of the middle latitude, which keeps shapes right
at the scale of a region. Output is deterministic: same figures, same SVG.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import pycountry
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

OUTLINES = (
    Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "world-atlas" / "countries-50m.json"
)
ATTRIBUTION = "Outlines: Natural Earth 1:50m (public domain), world-atlas"
LAND, SEA, EDGE = "#ecebe6", "#dfe9f2", "#b8b6ae"
FOCUS, PARTNER, SPOT, FLOW = "#cfd9c4", "#eed9c0", "#b3261e", "#1f5f8b"


@dataclass(frozen=True)
class Point:
    label: str
    lon: float
    lat: float
    value: float


@dataclass(frozen=True)
class Flow:
    source: str  # ISO alpha-2
    target: str
    value: float


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indexes: Sequence[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


@cache
def countries() -> dict[str, BaseGeometry]:
    """Country outlines by ISO 3166-1 alpha-2 code."""
    topology = json.loads(OUTLINES.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    numeric = {c.numeric: c.alpha_2 for c in pycountry.countries}
    out: dict[str, BaseGeometry] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = numeric.get(str(geometry.get("id", "")))
        if code is None or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        parts = []
        for rings in polygons:
            shell, *holes = (_ring(r, arcs) for r in rings)
            if len(shell) >= 4:
                parts.append(Polygon(shell, [h for h in holes if len(h) >= 4]))
        if parts:
            out[code] = shapely.make_valid(MultiPolygon(parts))
    return out


def anchor(code: str) -> tuple[float, float] | None:
    """A point inside the country's largest part (lon, lat), for flow lines."""
    geometry = countries().get(code)
    if geometry is None:
        return None
    if isinstance(geometry, MultiPolygon) or hasattr(geometry, "geoms"):
        geometry = max(getattr(geometry, "geoms", [geometry]), key=lambda g: g.area)
    point = geometry.representative_point()
    return float(point.x), float(point.y)


class _Frame:
    """Equirectangular projection of a lon/lat box onto a width × height picture."""

    def __init__(self, box: tuple[float, float, float, float], width: int, height: int) -> None:
        west, south, east, north = box
        self.k = math.cos(math.radians((south + north) / 2))
        span_x, span_y = (east - west) * self.k, north - south
        scale = min(width / span_x, height / span_y)
        self.scale, self.width, self.height = scale, width, height
        cx, cy = (west + east) / 2, (south + north) / 2
        self.cx, self.cy = cx, cy
        half_w, half_h = width / scale / self.k / 2, height / scale / 2
        self.box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.width / 2 + (lon - self.cx) * self.k * self.scale
        y = self.height / 2 - (lat - self.cy) * self.scale
        return round(x, 1), round(y, 1)

    def path(self, geometry: BaseGeometry) -> str:
        parts = []
        for polygon in getattr(geometry, "geoms", [geometry]):
            if not isinstance(polygon, Polygon) or polygon.is_empty:
                continue
            for ring in (polygon.exterior, *polygon.interiors):
                coords = [self.xy(x, y) for x, y in ring.coords]
                parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in coords) + "Z")
        return "".join(parts)


def _box(
    points: Iterable[tuple[float, float]], pad: float, min_span: float
) -> tuple[float, float, float, float]:
    pts = list(points)
    west, east = min(p[0] for p in pts), max(p[0] for p in pts)
    south, north = min(p[1] for p in pts), max(p[1] for p in pts)
    grow_x = max(pad, (min_span - (east - west)) / 2)
    grow_y = max(pad, (min_span - (north - south)) / 2)
    return west - grow_x, max(-85.0, south - grow_y), east + grow_x, min(85.0, north + grow_y)


def _base(frame: _Frame, highlight: dict[str, str]) -> list[str]:
    west, south, east, north = frame.box
    out = [f'<rect width="{frame.width}" height="{frame.height}" fill="{SEA}"/>']
    for code, geometry in sorted(countries().items()):
        gw, gs, ge, gn = geometry.bounds
        if ge < west or gw > east or gn < south or gs > north:
            continue
        clipped = shapely.clip_by_rect(geometry, west - 1, south - 1, east + 1, north + 1)
        if clipped.is_empty:
            continue
        simple = clipped.simplify(0.4 / frame.scale, preserve_topology=True)
        fill = highlight.get(code, LAND)
        out.append(
            f'<path d="{frame.path(simple)}" fill="{fill}" stroke="{EDGE}" stroke-width="0.6" '
            f'stroke-linejoin="round"><title>{code}</title></path>'
        )
    return out


def _label(x: float, y: float, text: str, size: int = 10, anchor: str = "start", data: bool = False) -> str:
    """Text with a white halo drawn underneath (paint-order is not honoured by every renderer); ``data``
    marks a place's name as recorded (not a word of the report's language)."""
    marked = ' class="data"' if data else ""
    common = f'x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{marked}'
    return (
        f'<text {common} fill="#fff" stroke="#fff" stroke-width="2.4" stroke-linejoin="round">'
        f"{escape(text)}</text>"
        f'<text {common} fill="#222">{escape(text)}</text>'
    )


def _svg(frame: _Frame, body: list[str], title: str, attribution: str) -> str:
    caption = (
        f'<text x="{frame.width - 6}" y="{frame.height - 6}" font-size="9" fill="#666" '
        f'text-anchor="end">{escape(attribution)}</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="{frame.width}" height="{frame.height}" role="img" aria-label="{escape(title)}" '
        f'font-family="Vazirmatn, DejaVu Sans, sans-serif">' + "".join(body) + caption + "</svg>"
    )


def hotspot_map(
    points: Sequence[Point],
    focus: str | None = None,
    partner: str | None = None,
    *,
    width: int = 640,
    height: int = 420,
    labels: int = 6,
    title: str = "Seizure hotspots",
    attribution: str = ATTRIBUTION,
    digits: Callable[[str], str] = str,
) -> str:
    """Circles (area proportional to ``value``) at each point on the countries around them; ``digits``
    writes the counts in the map's language."""
    located = [p for p in points if p.value > 0]
    if located:
        box = _box(((p.lon, p.lat) for p in located), pad=0.6, min_span=2.5)
    elif focus and focus in countries():
        w, s, e, n = countries()[focus].bounds
        box = (w - 0.5, s - 0.5, e + 0.5, n + 0.5)
    else:
        box = (-180.0, -60.0, 180.0, 80.0)
    frame = _Frame(box, width, height)
    highlight = {c: colour for c, colour in ((partner, PARTNER), (focus, FOCUS)) if c}
    body = _base(frame, highlight)
    top = max((p.value for p in located), default=1.0)
    ordered = sorted(located, key=lambda p: (-p.value, p.label))
    for p in reversed(ordered):  # the biggest underneath
        x, y = frame.xy(p.lon, p.lat)
        r = round(3 + 15 * math.sqrt(p.value / top), 1)
        count = digits(f"{p.value:g}")
        body.append(
            f'<circle cx="{x:g}" cy="{y:g}" r="{r:g}" fill="{SPOT}" fill-opacity="0.45" stroke="{SPOT}" '
            f'stroke-width="0.8"><title class="data">{escape(p.label)}: {count}</title></circle>'
        )
    taken: list[tuple[float, float, float, float]] = []
    for p in ordered:
        if len(taken) >= labels:
            break
        x, y = frame.xy(p.lon, p.lat)
        r = 3 + 15 * math.sqrt(p.value / top)
        text = f"{p.label} ({digits(f'{p.value:g}')})"
        length = 5.6 * len(text)  # about 5.6 px a character at 10 px
        left = x + r + 2 + length > width - 4  # no room on the right: write it on the left
        box = (
            (x - r - 2 - length, y - 6, x - r - 2, y + 6)
            if left
            else (x + r + 2, y - 6, x + r + 2 + length, y + 6)
        )
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
            continue  # would overlap a bigger place's label: the table names it
        taken.append(box)
        body.append(
            _label(box[2] if left else box[0], y + 3, text, anchor="end" if left else "start", data=True)
        )
    return _svg(frame, body, title, attribution)


def flow_map(
    flows: Sequence[Flow],
    focus: str | None = None,
    partner: str | None = None,
    *,
    width: int = 640,
    height: int = 420,
    title: str = "Route flows",
    attribution: str = ATTRIBUTION,
) -> str:
    """Curved arrows between countries, width proportional to ``value``, on the region they span."""
    ends: dict[str, tuple[float, float]] = {}
    for code in sorted({c for f in flows for c in (f.source, f.target)} | {c for c in (focus,) if c}):
        point = anchor(code)
        if point is not None:
            ends[code] = point
    drawn = [f for f in flows if f.source in ends and f.target in ends and f.source != f.target]
    box = _box(ends.values(), pad=3.0, min_span=8.0) if ends else (-180.0, -60.0, 180.0, 80.0)
    frame = _Frame(box, width, height)
    highlight = {c: colour for c, colour in ((partner, PARTNER), (focus, FOCUS)) if c}
    body = [
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0L10,5L0,10z" fill="{FLOW}"/></marker></defs>',
        *_base(frame, highlight),
    ]
    top = max((f.value for f in drawn), default=1.0)
    for f in sorted(drawn, key=lambda f: (-f.value, f.source, f.target)):
        (x1, y1), (x2, y2) = frame.xy(*ends[f.source]), frame.xy(*ends[f.target])
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        bend = 0.18
        cx, cy = mx - (y2 - y1) * bend, my + (x2 - x1) * bend
        stroke = round(1 + 9 * f.value / top, 1)
        body.append(
            f'<path d="M{x1:g},{y1:g}Q{cx:.1f},{cy:.1f} {x2:g},{y2:g}" fill="none" stroke="{FLOW}" '
            f'stroke-opacity="0.6" stroke-width="{stroke:g}" stroke-linecap="round" marker-end="url(#arrow)">'
            f"<title>{f.source} → {f.target}: {f.value:g}</title></path>"
        )
    for code, (lon, lat) in ends.items():
        x, y = frame.xy(lon, lat)
        body.append(f'<circle cx="{x:g}" cy="{y:g}" r="2.5" fill="#222"/>' + _label(x + 4, y - 4, code))
    return _svg(frame, body, title, attribution)
